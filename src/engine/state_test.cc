#include <gtest/gtest.h>

#include "ecotone/engine/engine.h"
#include "testing/engine_fixture.h"

namespace ecotone::engine {
namespace {

using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;

using testing::At;
using testing::HostNamed;
using testing::TwoZones;

model::Ecosystem Shop() {
  model::Ecosystem e;
  e.name = "shop";
  model::Component web;
  web.name = "web";
  web.version = "1.0";
  web.startup_us = 10'000'000;
  model::Component db;
  db.name = "db";
  db.version = "5";
  db.stateful = true;
  e.components = {web, db};
  return e;
}

model::PlacementPlan Plan() {
  model::PlacementPlan p;
  p.assignments = {At("web", 0, "z1", "r1", "h1"), At("web", 1, "z2", "", ""),
                   At("db", 0, "z1", "r1", "h2")};
  return p;
}

State Make() {
  auto s = MakeState(Shop(), TwoZones(), Plan(), 0);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(StateTest, MakeStateFromPlanAndBack) {
  State s = Make();
  ASSERT_EQ(s.components.size(), 2u);
  EXPECT_EQ(s.components[0].replicas.size(), 2u);
  EXPECT_EQ(s.components[0].Serving(0), 2);
  EXPECT_EQ(s.components[1].known_good_version, "5");
  model::PlacementPlan back = CurrentPlan(s);
  EXPECT_EQ(back.assignments.size(), 3u);
  EXPECT_EQ(back.assignments[0].component, "db");
  EXPECT_EQ(back.assignments[2].zone, "z2");
}

TEST(StateTest, MakeStateRejectsUnknownPlaces) {
  model::PlacementPlan p = Plan();
  p.assignments[1].zone = "nowhere";
  auto s = MakeState(Shop(), TwoZones(), p, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("zone 'nowhere'"), std::string::npos);
  p = Plan();
  p.assignments[0].component = "ghost";
  EXPECT_FALSE(MakeState(Shop(), TwoZones(), p, 0).ok());
}

TEST(StateTest, HostFailureTakesItsReplicasDownAndRecoveryRestartsThem) {
  State s = Make();
  Event e;
  e.kind = EventKind::kHardware;
  e.time_us = 5;
  e.hardware = {"z1", "r1", "h1", model::HardwareChange::kFailed, 0};
  ASSERT_TRUE(Observe(e, &s).ok());
  EXPECT_EQ(s.components[0].replicas[0].phase, ReplicaPhase::kDown);
  EXPECT_EQ(s.components[1].replicas[0].phase, ReplicaPhase::kServing);  // h2
  EXPECT_EQ(s.topology.zones[0].racks[0].hosts[0].state, model::CapacityState::kFailed);
  e.hardware.change = model::HardwareChange::kRecovered;
  e.time_us = 100;
  ASSERT_TRUE(Observe(e, &s).ok());
  EXPECT_EQ(s.components[0].replicas[0].phase, ReplicaPhase::kStarting);
  EXPECT_EQ(s.components[0].replicas[0].ready_us, 100 + 10'000'000);
  e.hardware.host = "h9";
  Status bad = Observe(e, &s);
  EXPECT_EQ(bad.code(), StatusCode::kNotFound);
  EXPECT_NE(bad.message().find("host 'h9'"), std::string::npos);
}

TEST(StateTest, MigrateScaleAndRollout) {
  State s = Make();
  Action m;
  m.kind = ActionKind::kMigrate;
  m.component = "web";
  m.replica = 0;
  m.to = {"z1", "r2", ""};
  ASSERT_TRUE(Apply(m, 50, &s).ok());
  EXPECT_EQ(s.components[0].replicas[0].place.rack, "r2");
  EXPECT_EQ(s.components[0].Serving(51), 1);
  EXPECT_EQ(s.components[0].Serving(50 + 10'000'000), 2);
  EXPECT_EQ(s.migration_times_us, std::vector<int64_t>{50});

  Action up;
  up.kind = ActionKind::kScale;
  up.component = "web";
  up.from_replicas = 2;
  up.to_replicas = 3;
  EXPECT_FALSE(Apply(up, 60, &s).ok());  // no placement for the new replica.
  up.placements = {At("web", 2, "z2", "", "")};
  ASSERT_TRUE(Apply(up, 60, &s).ok());
  EXPECT_EQ(s.components[0].replicas.size(), 3u);
  EXPECT_EQ(s.components[0].last_scale_out_us, 60);

  Action upd;
  upd.kind = ActionKind::kRollingUpdate;
  upd.component = "web";
  upd.to_version = "1.1";
  upd.batch_size = 2;
  ASSERT_TRUE(Apply(upd, 70, &s).ok());
  EXPECT_TRUE(s.components[0].rollout.active);
  EXPECT_EQ(s.components[0].rollout.updated, 2);
  ASSERT_TRUE(Apply(upd, 80, &s).ok());
  EXPECT_FALSE(s.components[0].rollout.active);
  EXPECT_EQ(s.components[0].version, "1.1");

  Action back;
  back.kind = ActionKind::kRollback;
  back.component = "web";
  back.from_version = "1.1";
  back.to_version = "1.0";
  ASSERT_TRUE(Apply(back, 90, &s).ok());
  for (const auto& r : s.components[0].replicas) EXPECT_EQ(r.version, "1.0");

  Action down = up;
  down.from_replicas = 3;
  down.to_replicas = 1;
  down.placements.clear();
  ASSERT_TRUE(Apply(down, 100, &s).ok());
  ASSERT_EQ(s.components[0].replicas.size(), 1u);
  EXPECT_EQ(s.components[0].replicas[0].replica, 0);
}

TEST(StateTest, IsolateAndRelease) {
  State s = Make();
  Action iso;
  iso.kind = ActionKind::kIsolate;
  iso.component = "db";
  iso.allow = {"web"};
  iso.cordon = true;
  ASSERT_TRUE(Apply(iso, 10, &s).ok());
  EXPECT_TRUE(s.components[1].isolated);
  EXPECT_EQ(s.components[1].replicas[0].phase, ReplicaPhase::kIsolated);
  EXPECT_EQ(s.topology.zones[0].racks[0].hosts[1].state, model::CapacityState::kQuarantined);
  Action rel;
  rel.kind = ActionKind::kRelease;
  rel.component = "db";
  ASSERT_TRUE(Apply(rel, 20, &s).ok());
  EXPECT_FALSE(s.components[1].isolated);
  Action ghost = rel;
  ghost.component = "nope";
  EXPECT_EQ(Apply(ghost, 30, &s).code(), StatusCode::kNotFound);
}

TEST(StateTest, ObserveRecordsMetricsBugsAndForecasts) {
  State s = Make();
  Event m;
  m.kind = EventKind::kMetrics;
  model::MetricSample sample;
  sample.component = "web";
  sample.requests_per_s = 120;
  m.metrics = {sample};
  ASSERT_TRUE(Observe(m, &s).ok());
  EXPECT_EQ(s.components[0].load.requests_per_s, 120);
  Event b;
  b.kind = EventKind::kBugReport;
  b.bug.component = "web";
  b.bug.version = "1.1";
  ASSERT_TRUE(Observe(b, &s).ok());
  ASSERT_TRUE(Observe(b, &s).ok());
  EXPECT_EQ(s.components[0].bad_versions, std::vector<std::string>{"1.1"});
  b.bug.component = "nope";
  EXPECT_FALSE(Observe(b, &s).ok());
}

TEST(StateTest, ObserveKeepsLoadHistoryNoticesAndReleases) {
  State s = Make();
  // Adjacency from the ecosystem's dependencies.
  ASSERT_EQ(s.depends_on.size(), 2u);
  Event m;
  m.kind = EventKind::kMetrics;
  model::MetricSample sample;
  sample.component = "web";
  sample.requests_per_s = 10;
  m.metrics = {sample};
  for (int k = 0; k <= 40; ++k) {
    m.time_us = k * 60'000'000LL;
    ASSERT_TRUE(Observe(m, &s).ok());
  }
  // Only the last kLoadHistoryUs (30 min) are kept.
  const auto& h = s.components[0].recent_load;
  ASSERT_EQ(h.size(), 30u);
  EXPECT_EQ(h.front().time_us, 11 * 60'000'000LL);
  EXPECT_EQ(h.back().requests_per_s, 10);

  Event hw;
  hw.kind = EventKind::kHardware;
  hw.id = 7;
  hw.time_us = 100;
  hw.hardware = {"z1", "r1", "h1", model::HardwareChange::kMaintenance, 500};
  ASSERT_TRUE(Observe(hw, &s).ok());
  ASSERT_EQ(s.notices.size(), 1u);
  EXPECT_EQ(s.notices[0].event_id, 7);
  EXPECT_EQ(s.notices[0].hardware.deadline_us, 500);
  // Re-announcing the same target replaces its notice.
  ASSERT_TRUE(Observe(hw, &s).ok());
  EXPECT_EQ(s.notices.size(), 1u);
  // The zone recovering ends every notice inside it.
  hw.hardware = {"z1", "", "", model::HardwareChange::kRecovered, 0};
  hw.id = 8;
  ASSERT_TRUE(Observe(hw, &s).ok());
  EXPECT_TRUE(s.notices.empty());
  EXPECT_EQ(s.last_recovered_us, 100);
  EXPECT_EQ(s.last_recovered_event_id, 8);

  Event rel;
  rel.kind = EventKind::kNewVersion;
  rel.id = 9;
  rel.release.component = "web";
  rel.release.version = "2.0";
  ASSERT_TRUE(Observe(rel, &s).ok());
  EXPECT_EQ(s.components[0].pending_release.version, "2.0");
  EXPECT_EQ(s.components[0].pending_release_event_id, 9);
  Action up;
  up.kind = ActionKind::kRollingUpdate;
  up.component = "web";
  up.to_version = "2.0";
  up.batch_size = 2;
  ASSERT_TRUE(Apply(up, 200, &s).ok());
  EXPECT_TRUE(s.components[0].pending_release.version.empty());
  // Completed in one batch: known good, previous version remembered.
  EXPECT_EQ(s.components[0].version, "2.0");
  EXPECT_EQ(s.components[0].known_good_version, "2.0");
  EXPECT_EQ(s.components[0].previous_version, "1.0");
}

}  // namespace
}  // namespace ecotone::engine
