#include "ecotone/adapters/event_json.h"

#include <gtest/gtest.h>

namespace ecotone::adapters {
namespace {

using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;
using nlohmann::json;

std::vector<Event> OneOfEach() {
  std::vector<Event> out;
  Event m;
  m.id = 7;
  m.time_us = 1'700'000'000'000'000;
  m.ecosystem = "shop";
  m.source = "prometheus";
  m.kind = EventKind::kMetrics;
  model::MetricSample s;
  s.component = "cart";
  s.requests_per_s = 120.5;
  s.latency_ms = 31;
  model::MetricSample r = s;
  r.replica = 2;
  r.cpu_millicores = 250;
  m.metrics = {s, r};
  out.push_back(m);
  Event h;
  h.kind = EventKind::kHardware;
  h.hardware = {"eu-1", "r2", "h7", model::HardwareChange::kMaintenance, 99};
  out.push_back(h);
  Event a;
  a.kind = EventKind::kSecurityAlert;
  a.alert = {"payments", 0, model::AlertSeverity::kCritical, "shell in container", "falco"};
  out.push_back(a);
  Event b;
  b.kind = EventKind::kBugReport;
  b.bug = {"cart", "1.2.0", model::AlertSeverity::kMedium, "checkout fails"};
  out.push_back(b);
  Event n;
  n.kind = EventKind::kNewVersion;
  n.release.component = "cart";
  n.release.version = "1.3.0";
  n.release.image = "cart:1.3.0";
  n.release.requests.cpu_millicores = 300;
  n.release.schema_change = true;
  out.push_back(n);
  Event f;
  f.kind = EventKind::kForecastUpdated;
  f.forecast = {"cart", 10, 1'800'000'000, {2, 3, 5}};
  out.push_back(f);
  Event t;
  t.kind = EventKind::kTick;
  t.time_us = 5;
  out.push_back(t);
  return out;
}

TEST(EventJsonTest, EveryKindRoundTrips) {
  for (const Event& e : OneOfEach()) {
    json j = ToJson(e);
    auto back = EventFromJson(json::parse(j.dump()), "e");
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " " << j.dump();
    EXPECT_EQ(*back, e) << j.dump();
  }
}

TEST(EventJsonTest, AbsentMetricValuesAreLeftOut) {
  json j = ToJson(OneOfEach()[0]);
  EXPECT_FALSE(j["metrics"][0].contains("cpu_millicores"));
  EXPECT_EQ(j["metrics"][1]["cpu_millicores"], 250);
  EXPECT_EQ(j["kind"], "metrics");
}

TEST(EventJsonTest, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* message;
  } cases[] = {
      {R"([])", "body: expected an object"},
      {R"({"time_us":1})", "body.kind: required"},
      {R"({"kind":"earthquake"})", "body.kind: unknown value 'earthquake'"},
      {R"({"kind":"hardware"})", "body.hardware: required for kind 'hardware'"},
      {R"({"kind":"tick","alert":{}})", "body.alert: not allowed for kind 'tick'"},
      {R"({"kind":"hardware","hardware":{"zone":"z","change":"exploded"}})",
       "body.hardware.change: unknown value 'exploded'"},
      {R"({"kind":"hardware","hardware":{"zone":"z","host":"h","change":"failed"}})",
       "body.hardware.host: a host needs its rack"},
      {R"({"kind":"metrics","metrics":[{"component":"a","latency_ms":"fast"}]})",
       "body.metrics[0].latency_ms: expected a finite number"},
      {R"({"kind":"metrics","metrics":[]})", "body.metrics: expected a non-empty array"},
      {R"({"kind":"bug-report","bug":{"component":"a"}})", "body.bug.version: required"},
      {R"({"kind":"tick","colour":"red"})", "body.colour: unknown field"},
      {R"({"kind":"forecast-updated","forecast":{"component":"a","step_us":0}})",
       "body.forecast.step_us: must be a positive integer"},
      {R"({"kind":"tick","time_us":1.5})", "body.time_us: expected an integer"},
      {R"({"kind":"security-alert","alert":{"component":"a","replica":-2}})",
       "body.alert.replica: must be a replica number >= 0"},
      {R"({"kind":"bug-report","bug":{"component":"a","version":"1"},"id":1e30})",
       "body.id: expected an integer"},
      {R"({"kind":"metrics","metrics":[{"component":"a","replica":4294967296}]})",
       "body.metrics[0].replica: integer out of range"},
  };
  for (const auto& c : cases) {
    auto r = EventFromJson(json::parse(c.body), "body");
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.body << " -> " << r.status().ToString();
  }
}

TEST(ActionJsonTest, EveryKindRoundTrips) {
  std::vector<Action> actions;
  Action m;
  m.kind = ActionKind::kMigrate;
  m.time_us = 3;
  m.ecosystem = "shop";
  m.component = "db";
  m.replica = 1;
  m.from = {"z1", "r1", "h1"};
  m.to = {"z2", "", ""};
  m.trigger = "host z1/r1/h1 failed";
  m.event_id = 4;
  m.alternatives = {"z3: farther from callers (+12 ms)"};
  m.expected_effect = "db#1 serving in 30 s";
  m.constraint = "capacity of z1";
  actions.push_back(m);
  Action s;
  s.kind = ActionKind::kScale;
  s.component = "web";
  s.from_replicas = 2;
  s.to_replicas = 3;
  model::Assignment p;
  p.component = "web";
  p.replica = 2;
  p.zone = "z2";
  s.placements = {p};
  actions.push_back(s);
  Action i;
  i.kind = ActionKind::kIsolate;
  i.component = "payments";
  i.isolation = model::IsolationMode::kKillAndRebuild;
  i.allow = {"checkout"};
  i.cordon = true;
  i.to_version = "1.0";
  actions.push_back(i);
  Action u;
  u.kind = ActionKind::kRollingUpdate;
  u.component = "web";
  u.from_version = "1";
  u.to_version = "2";
  u.batch_size = 2;
  u.max_surge = 1;
  u.max_unavailable = 1;
  u.gate_max_error_rate = 0.01;
  actions.push_back(u);
  Action rel;
  rel.kind = ActionKind::kRelease;
  rel.component = "payments";
  actions.push_back(rel);
  for (const Action& a : actions) {
    json j = ToJson(a);
    auto back = ActionFromJson(json::parse(j.dump()), "a");
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " " << j.dump();
    EXPECT_EQ(*back, a) << j.dump();
  }
  auto bad = ActionFromJson(json::parse(R"({"kind":"migrate","component":"x"})"), "line 3");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 3: a migrate needs replica and to"),
            std::string::npos);
}

}  // namespace
}  // namespace ecotone::adapters
