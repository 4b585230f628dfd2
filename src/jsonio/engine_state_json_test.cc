#include "ecotone/jsonio/engine_state_json.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/engine_fixture.h"

namespace ecotone::jsonio {
namespace {

using engine::ReplicaPhase;
using engine::State;
using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;
using nlohmann::json;

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
  model::Component cache;
  cache.name = "cache";
  cache.version = "7";
  e.components = {web, db, cache};
  return e;
}

model::PlacementPlan Plan() {
  model::PlacementPlan p;
  p.assignments = {At("web", 0, "z1", "r1", "h1"), At("web", 1, "z2", "", ""),
                   At("db", 0, "z1", "r1", "h2"),
                   At("cache", 0, "z1", "r2", "")};
  return p;
}

State Make(const model::PlacementPlan& plan = Plan()) {
  auto s = engine::MakeState(Shop(), TwoZones(), plan, 0);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

void MustObserve(Event e, State* s) {
  Status st = engine::Observe(e, s);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

void MustApply(const Action& a, int64_t now, State* s) {
  Status st = engine::Apply(a, now, s);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// A state that went through every kind of memory the engine keeps: notices,
// failures, recoveries, load history with absent values, bug reports,
// releases, forecasts, migrations, scaling, isolation and a rollout halfway.
State Lived() {
  State s = Make();
  Event hw;
  hw.kind = EventKind::kHardware;
  hw.id = 3;
  hw.time_us = 1'000;
  hw.hardware = {"z1", "r1", "h1", model::HardwareChange::kMaintenance,
                 900'000'000};
  MustObserve(hw, &s);
  hw.id = 4;
  hw.time_us = 2'000;
  hw.hardware = {"z2", "", "", model::HardwareChange::kFailed, 0};
  MustObserve(hw, &s);
  hw.id = 5;
  hw.time_us = 2'500;
  hw.hardware = {"z1", "r2", "", model::HardwareChange::kRecovered, 0};
  MustObserve(hw, &s);

  Event m;
  m.kind = EventKind::kMetrics;
  m.id = 6;
  for (int k = 0; k < 3; ++k) {
    m.time_us = 3'000 + k * 1'000'000;
    model::MetricSample web;
    web.component = "web";
    web.requests_per_s =
        100.0 / 3 + k;  // not exactly representable in decimal.
    if (k != 1) web.cpu_millicores = 250.125 * (k + 1);
    web.latency_ms = 12.5;
    m.metrics = {web};
    MustObserve(m, &s);
  }
  Event bug;
  bug.kind = EventKind::kBugReport;
  bug.bug = {"web", "0.9", model::AlertSeverity::kHigh, "crash"};
  MustObserve(bug, &s);
  Event rel;
  rel.kind = EventKind::kNewVersion;
  rel.id = 9;
  rel.release = {"db", "6", "db:6", {500, 1 << 20, 0, 0}, true};
  MustObserve(rel, &s);
  Event fc;
  fc.kind = EventKind::kForecastUpdated;
  fc.forecast = {"web", 4'000'000, 60'000'000, {2, 3, 5}};
  MustObserve(fc, &s);

  Action mig;
  mig.kind = ActionKind::kMigrate;
  mig.component = "web";
  mig.replica = 1;
  mig.to = {"z1", "r2", ""};
  MustApply(mig, 5'000'000, &s);
  Action up;
  up.kind = ActionKind::kScale;
  up.component = "web";
  up.from_replicas = 2;
  up.to_replicas = 3;
  up.placements = {At("web", 2, "z1", "r1", "h2")};
  MustApply(up, 6'000'000, &s);
  Action iso;
  iso.kind = ActionKind::kIsolate;
  iso.component = "cache";
  iso.allow = {"web"};
  iso.cordon = true;
  MustApply(iso, 7'000'000, &s);
  Action upd;
  upd.kind = ActionKind::kRollingUpdate;
  upd.component = "web";
  upd.to_version = "1.1";
  upd.image = "web:1.1";
  upd.batch_size = 1;
  upd.gate_max_error_rate = 0.01;
  upd.gate_max_latency_ms = 250;
  MustApply(upd, 8'000'000, &s);
  return s;
}

// Everything EngineMemoryToJson covers (State has no operator==).
void ExpectSameMemory(const State& a, const State& b) {
  EXPECT_EQ(a.topology, b.topology);
  EXPECT_EQ(a.components, b.components);
  EXPECT_EQ(a.notices, b.notices);
  EXPECT_EQ(a.migration_times_us, b.migration_times_us);
  EXPECT_EQ(a.last_hardware_us, b.last_hardware_us);
  EXPECT_EQ(a.last_recovered_us, b.last_recovered_us);
  EXPECT_EQ(a.last_recovered_event_id, b.last_recovered_event_id);
}

TEST(EngineMemoryJson, RoundTripThroughTextRestoresTheWholeMemory) {
  State lived = Lived();
  // The state really is away from MakeState's in every part the codec writes.
  State fresh = Make();
  ASSERT_NE(lived.topology, fresh.topology);
  ASSERT_NE(lived.components[0], fresh.components[0]);
  ASSERT_NE(lived.components[1], fresh.components[1]);
  ASSERT_NE(lived.components[2], fresh.components[2]);
  ASSERT_FALSE(lived.notices.empty());
  ASSERT_TRUE(lived.components[0].rollout.active);
  ASSERT_EQ(lived.components[0].recent_load.size(), 3u);

  std::string text = EngineMemoryToJson(lived).dump();
  Status st = EngineMemoryFromJson(json::parse(text), MemoryScope::kAll,
                                   "memory", &fresh);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSameMemory(fresh, lived);
  EXPECT_EQ(EngineMemoryToJson(fresh).dump(), text);  // stable.
  // What the engine does next does not depend on which one it runs on.
  Action upd;
  upd.kind = ActionKind::kRollingUpdate;
  upd.component = "web";
  upd.to_version = "1.1";
  upd.batch_size = 1;
  MustApply(upd, 9'000'000, &lived);
  MustApply(upd, 9'000'000, &fresh);
  ExpectSameMemory(fresh, lived);
}

TEST(EngineMemoryJson, WritesTheDocumentedShape) {
  json j = EngineMemoryToJson(Lived());
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["ecosystem"], "shop");
  EXPECT_EQ(j["topology"], "t");
  const json& web = j["components"][0];
  EXPECT_EQ(web["name"], "web");
  EXPECT_EQ(web["last_scale_in_us"], nullptr);  // kNever.
  EXPECT_EQ(web["last_scale_out_us"], 6'000'000);
  EXPECT_FALSE(
      web["recent_load"][1].contains("cpu_millicores"));  // absent value.
  EXPECT_EQ(web["rollout"]["to_version"], "1.1");
  EXPECT_EQ(web["replicas"][1]["home"]["zone"], "z2");
  EXPECT_EQ(j["components"][2]["replicas"][0]["phase"], "isolated");
  EXPECT_EQ(j["notices"][0]["change"], "maintenance");
}

// The error names the field, and the state is left as it was.
void ExpectRejected(const json& j, MemoryScope scope,
                    const std::string& message) {
  State s = Make();
  State before = s;
  Status st = EngineMemoryFromJson(j, scope, "memory", &s);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.ToString().find(message), std::string::npos)
      << "got: " << st.ToString() << "\nwant: " << message;
  ExpectSameMemory(s, before);
}

TEST(EngineMemoryJson, BadInputIsRejectedNamingTheField) {
  const json good = EngineMemoryToJson(Lived());
  ExpectRejected(json::array(), MemoryScope::kAll,
                 "memory: expected an object");
  json j = good;
  j["format"] = 2;
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.format: format 2 is not supported");
  j = good;
  j.erase("format");
  ExpectRejected(j, MemoryScope::kAll, "memory.format: missing");
  j = good;
  j["components"][0]["rollout"]["updated"] = "1";
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.components[0].rollout.updated: expected an integer");
  j = good;
  j["components"][1]["replicas"][0]["phase"] = "sleeping";
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.components[1].replicas[0].phase: unknown replica "
                 "phase 'sleeping'");
  j = good;
  j["components"][0]["bad_versions"][0] = 9;
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.components[0].bad_versions[0]: expected a string");
  j = good;
  j["components"][0]["cooldown"] = 1;
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.components[0].cooldown: unknown field");
  j = good;
  j["capacity"][0]["state"] = "on fire";
  ExpectRejected(j, MemoryScope::kPlanIndependent,
                 "memory.capacity[0].state: unknown capacity state 'on fire'");
  j = good;
  j["notices"][0]["since_us"] = 1.5;
  ExpectRejected(j, MemoryScope::kPlanIndependent,
                 "memory.notices[0].since_us: expected an integer");
  j = good;
  j["components"][0]["name"] = "ghost";
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.components[0].name: unknown component 'ghost'");
  j = good;
  j["components"].erase(2);
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.components: component 'cache' is missing");
  j = good;
  j["capacity"][1]["rack"] = "r9";
  ExpectRejected(j, MemoryScope::kAll,
                 "memory.capacity[1]: 'z1/r9' is not in the topology");
  j = good;
  j["ecosystem"] = "other";
  ExpectRejected(j, MemoryScope::kPlanIndependent,
                 "memory.ecosystem: memory of 'other'");
}

TEST(EngineMemoryJson, PlanIndependentScopeKeepsWhatANewPlanDoesNotSay) {
  State lived = Lived();
  // A plan committed since (e.g. over the API): web 0 on z2, which the
  // memory knows failed; web keeps two replicas.
  model::PlacementPlan plan;
  plan.assignments = {
      At("web", 0, "z2", "", ""), At("web", 1, "z1", "r1", "h2"),
      At("db", 0, "z1", "r1", "h2"), At("cache", 0, "z1", "r1", "h1")};
  State s = Make(plan);
  Status st = EngineMemoryFromJson(EngineMemoryToJson(lived),
                                   MemoryScope::kPlanIndependent, "memory", &s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(s.topology, lived.topology);
  EXPECT_EQ(s.notices, lived.notices);
  EXPECT_EQ(s.migration_times_us, lived.migration_times_us);
  const auto& web = s.components[0];
  ASSERT_EQ(web.replicas.size(), 2u);  // the new plan's replicas...
  EXPECT_EQ(web.replicas[0].phase, ReplicaPhase::kDown);  // ...on failed z2.
  EXPECT_EQ(web.replicas[1].phase, ReplicaPhase::kServing);
  EXPECT_FALSE(web.rollout.active);  // rollouts come from the plan.
  EXPECT_EQ(web.bad_versions, lived.components[0].bad_versions);
  EXPECT_EQ(web.last_scale_out_us, 6'000'000);
  EXPECT_EQ(web.last_update_us, 8'000'000);
  EXPECT_EQ(web.recent_load, lived.components[0].recent_load);
  EXPECT_EQ(web.forecast, lived.components[0].forecast);
  const auto& db = s.components[1];
  EXPECT_EQ(db.pending_release, lived.components[1].pending_release);
  EXPECT_EQ(db.pending_release_event_id, 9);
  const auto& cache = s.components[2];  // a quarantine survives the new plan.
  EXPECT_TRUE(cache.isolated);
  EXPECT_EQ(cache.isolation_allow, std::vector<std::string>{"web"});
  EXPECT_EQ(cache.replicas[0].phase, ReplicaPhase::kIsolated);

  // Components and places the state no longer has are skipped.
  json j = EngineMemoryToJson(lived);
  j["components"][0]["name"] = "gone";
  j["capacity"][1]["rack"] = "r9";
  State t = Make(plan);
  st = EngineMemoryFromJson(j, MemoryScope::kPlanIndependent, "memory", &t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(t.components[0].bad_versions.empty());
  EXPECT_TRUE(t.components[2].isolated);
}

}  // namespace
}  // namespace ecotone::jsonio
