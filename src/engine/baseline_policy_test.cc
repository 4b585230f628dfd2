#include "ecotone/engine/baseline_policy.h"

#include <gtest/gtest.h>

#include <set>

namespace ecotone::engine {
namespace {

using model::ActionKind;
using model::Event;
using model::EventKind;

constexpr int64_t kS = 1'000'000;

// Three zones of 8 cores, no racks; "web" (2 replicas in zone a and b,
// HPA 1..10, 50 rps per replica), "db" (1 replica, no HPA).
State MakeTestState() {
  model::Ecosystem eco;
  eco.name = "t";
  model::Component web;
  web.name = "web";
  web.version = "v1";
  web.replicas = {1, 10, 2};
  web.requests = {500, 256LL << 20, 0, 0};
  web.capacity_rps_per_replica = 50;
  model::Component db;
  db.name = "db";
  db.version = "v1";
  db.replicas = {1, 1, 1};
  db.requests = {1000, 1LL << 30, 0, 0};
  eco.components = {web, db};
  model::Topology t;
  t.name = "t3";
  for (const char* z : {"a", "b", "c"}) {
    model::Zone zone;
    zone.name = z;
    zone.capacity = {8000, 32LL << 30, 0, 0};
    t.zones.push_back(zone);
  }
  t.latency_ms.assign(9, 1.0);
  t.egress_per_gb.assign(9, 0.0);
  for (int i = 0; i < 3; ++i) t.latency_ms[i * 4] = 0;
  model::PlacementPlan plan;
  plan.assignments = {{"web", 0, "a", "", "", {}}, {"web", 1, "b", "", "", {}},
                      {"db", 0, "a", "", "", {}}};
  return MakeState(eco, t, plan, 0).value();
}

Event Metrics(int64_t t, double web_rps) {
  Event e;
  e.kind = EventKind::kMetrics;
  e.time_us = t;
  model::MetricSample m;
  m.component = "web";
  m.requests_per_s = web_rps;
  e.metrics.push_back(m);
  return e;
}

void ApplyAll(const std::vector<model::Action>& as, int64_t t, State* s) {
  for (const auto& a : as) ASSERT_TRUE(Apply(a, t, s).ok()) << a.Describe();
}

TEST(BaselinePolicy, ScalesOutReactivelyAndSpreadsToTheEmptyZone) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  // 150 rps over 2 replicas at 50 rps each: ratio 1.5 -> 3 replicas.
  auto as = p->Decide(s, Metrics(15 * kS, 150), 15 * kS);
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, ActionKind::kScale);
  EXPECT_EQ(as[0].to_replicas, 3);
  ASSERT_EQ(as[0].placements.size(), 1u);
  EXPECT_EQ(as[0].placements[0].zone, "c");  // the zone without a web replica.
  EXPECT_FALSE(as[0].trigger.empty());
  EXPECT_FALSE(as[0].constraint.empty());
}

TEST(BaselinePolicy, NoChangeWithinTheTolerance) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  EXPECT_TRUE(p->Decide(s, Metrics(15 * kS, 108), 15 * kS).empty());  // ratio 1.08
  EXPECT_TRUE(p->Decide(s, Metrics(15 * kS, 92), 15 * kS).empty());   // ratio 0.92
}

TEST(BaselinePolicy, ScaleUpIsCappedPerSync) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  auto as = p->Decide(s, Metrics(15 * kS, 5000), 15 * kS);  // wants 100, max 10.
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].to_replicas, 6);  // max(2 x 2, 2 + 4).
}

TEST(BaselinePolicy, ScaleDownWaitsForTheStabilisationWindow) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  int64_t t = 100 * kS;
  auto up = p->Decide(s, Metrics(t, 200), t);
  ApplyAll(up, t, &s);
  ASSERT_EQ(s.components[0].replicas.size(), 4u);
  // Load drops at once: no scale-in within 300 s of the scale-out.
  for (int64_t dt = 15; dt < 300; dt += 15) {
    Event m = Metrics(t + dt * kS, 40);
    ASSERT_TRUE(Observe(m, &s).ok());
    EXPECT_TRUE(p->Decide(s, m, t + dt * kS).empty()) << dt;
  }
  // A spike inside the window holds the count at its recommendation.
  Event spike = Metrics(t + 300 * kS, 140);  // 140 / 4 / 50 = 0.7 -> 3 replicas.
  ASSERT_TRUE(Observe(spike, &s).ok());
  auto down = p->Decide(s, spike, t + 300 * kS);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].to_replicas, 3);
  ApplyAll(down, t + 300 * kS, &s);
  // 300 s of low samples later it goes down to what they recommend.
  std::vector<model::Action> last;
  for (int64_t dt = 315; dt <= 600; dt += 15) {
    Event m = Metrics(t + dt * kS, 40);
    ASSERT_TRUE(Observe(m, &s).ok());
    last = p->Decide(s, m, t + dt * kS);
    if (dt < 600) {
      EXPECT_TRUE(last.empty()) << dt;
    }
  }
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].to_replicas, 1);
}

TEST(BaselinePolicy, FailedNodeReplicasMoveAfter40PlusThe300SecondToleration) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  Event fail;
  fail.kind = EventKind::kHardware;
  fail.time_us = 1000 * kS;
  fail.hardware.zone = "a";
  ASSERT_TRUE(Observe(fail, &s).ok());
  EXPECT_TRUE(p->Decide(s, fail, fail.time_us).empty());
  Event tick;
  tick.kind = EventKind::kTick;
  tick.time_us = fail.time_us + 339 * kS;
  EXPECT_TRUE(p->Decide(s, tick, tick.time_us).empty());
  tick.time_us = fail.time_us + 340 * kS;
  auto as = p->Decide(s, tick, tick.time_us);
  ASSERT_EQ(as.size(), 2u);  // web#0 and db#0 were in zone a.
  std::set<std::string> comps;
  for (const auto& a : as) {
    EXPECT_EQ(a.kind, ActionKind::kMigrate);
    EXPECT_FALSE(a.live);
    EXPECT_EQ(a.from.zone, "a");
    EXPECT_NE(a.to.zone, "a");
    comps.insert(a.component);
  }
  EXPECT_EQ(comps, (std::set<std::string>{"web", "db"}));
  // web#0 goes to c: b already holds web#1.
  for (const auto& a : as) {
    if (a.component == "web") {
      EXPECT_EQ(a.to.zone, "c");
    }
  }
}

TEST(BaselinePolicy, IgnoresSecurityAlerts) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  Event e;
  e.kind = EventKind::kSecurityAlert;
  e.alert.component = "db";
  e.alert.severity = model::AlertSeverity::kCritical;
  EXPECT_TRUE(p->Decide(s, e, 0).empty());
}

TEST(BaselinePolicy, RollsOutWithoutGateAndRollsBackOnlyOnABugReport) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  Event rel;
  rel.kind = EventKind::kNewVersion;
  rel.release.component = "web";
  rel.release.version = "v2";
  auto as = p->Decide(s, rel, 0);
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, ActionKind::kRollingUpdate);
  EXPECT_EQ(as[0].gate_max_error_rate, 0);
  EXPECT_EQ(as[0].batch_size, 1);
  ApplyAll(as, 0, &s);
  // Errors are high, but the baseline continues once the batch is ready.
  Event m = Metrics(60 * kS, 100);
  m.metrics[0].error_rate = 0.5;
  ASSERT_TRUE(Observe(m, &s).ok());
  Event tick;
  tick.kind = EventKind::kTick;
  tick.time_us = 60 * kS;
  auto next = p->Decide(s, tick, 60 * kS);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].kind, ActionKind::kRollingUpdate);
  ApplyAll(next, 60 * kS, &s);
  EXPECT_EQ(s.components[0].version, "v2");
  Event bug;
  bug.kind = EventKind::kBugReport;
  bug.bug.component = "web";
  bug.bug.version = "v2";
  ASSERT_TRUE(Observe(bug, &s).ok());
  auto rb = p->Decide(s, bug, 120 * kS);
  ASSERT_EQ(rb.size(), 1u);
  EXPECT_EQ(rb[0].kind, ActionKind::kRollback);
  EXPECT_EQ(rb[0].to_version, "v1");  // the previous revision.
  BaselineOptions no_operator;
  no_operator.rollback_on_bug_report = false;
  EXPECT_TRUE(MakeBaselinePolicy(no_operator)->Decide(s, bug, 120 * kS).empty());
}

TEST(BaselinePolicy, IsDeterministic) {
  State s = MakeTestState();
  auto p = MakeBaselinePolicy();
  EXPECT_EQ(p->Decide(s, Metrics(15 * kS, 400), 15 * kS),
            p->Decide(s, Metrics(15 * kS, 400), 15 * kS));
}

}  // namespace
}  // namespace ecotone::engine
