// Scenario reader (good input and every class of bad input), accounting on a
// hand-computable scenario, determinism, and the bundled scenarios.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ecotone/engine/baseline_policy.h"
#include "ecotone/engine/ecotone_policy.h"
#include "ecotone/sim/scenario.h"
#include "ecotone/sim/sim.h"

namespace ecotone::sim {
namespace {

namespace fs = std::filesystem;

const std::string kExamples = std::string(ECOTONE_SOURCE_DIR) + "/examples";

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ecotone_sim_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  fs::path dir_;
};

// ------------------------------------------------------------ reader

TEST(ScenarioReader, ReadsTheBundledWeek) {
  std::ifstream in(kExamples + "/scenarios/boutique-week.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto sc = ReadScenario(kExamples + "/scenarios/boutique-week.yaml", text);
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  EXPECT_EQ(sc->name, "boutique-week");
  EXPECT_EQ(sc->duration_us, 7 * 86400'000'000LL);
  EXPECT_EQ(sc->interval_us, 15'000'000);
  EXPECT_EQ(sc->seed, 42u);
  EXPECT_EQ(sc->start_unix, 1767571200);  // 2026-01-05T00:00:00Z
  ASSERT_EQ(sc->manifests.size(), 1u);
  EXPECT_TRUE(fs::exists(sc->manifests[0])) << sc->manifests[0];
  EXPECT_TRUE(fs::exists(sc->infra)) << sc->infra;
  ASSERT_EQ(sc->load.size(), 1u);
  ASSERT_TRUE(sc->load[0].pattern.has_value());
  EXPECT_DOUBLE_EQ(sc->load[0].pattern->daily_amplitude, 0.6);
  ASSERT_EQ(sc->flash_crowds.size(), 1u);
  EXPECT_EQ(sc->flash_crowds[0].at_us, (3 * 24 + 19) * 3600'000'000LL);
  EXPECT_EQ(sc->flash_crowds[0].announced_us, 86400'000'000LL);
  ASSERT_EQ(sc->hardware.size(), 1u);
  EXPECT_EQ(sc->hardware[0].target.zone, "eu-west-1a");
  EXPECT_EQ(sc->hardware[0].duration_us, 2 * 3600'000'000LL);
  ASSERT_EQ(sc->alerts.size(), 1u);
  EXPECT_EQ(sc->alerts[0].alert.severity, model::AlertSeverity::kCritical);
  ASSERT_EQ(sc->releases.size(), 1u);
  EXPECT_TRUE(sc->releases[0].bad);
  EXPECT_DOUBLE_EQ(sc->releases[0].error_rate, 0.4);
  EXPECT_EQ(sc->components.at("redis-cart").max_replicas, 1);
  EXPECT_EQ(sc->defaults.startup_us, 20'000'000);
}

TEST(ScenarioReader, EveryBundledScenarioLoads) {
  int n = 0;
  for (const auto& f : fs::directory_iterator(kExamples + "/scenarios")) {
    auto w = LoadScenarioFile(f.path().string());
    EXPECT_TRUE(w.ok()) << f.path() << ": " << w.status().ToString();
    ++n;
  }
  EXPECT_GE(n, 3);
}

// A valid scenario over the bundled Online Boutique; the bad cases change
// one line of it.
std::string BaseScenario() {
  return "name: t\n"
         "manifests: [" + kExamples + "/manifests/online-boutique/kubernetes-manifests.yaml]\n"
         "infra: " + kExamples + "/infra-3zones.yaml\n"
         "duration: 2h\n"
         "interval: 15s\n"
         "load:\n"
         "  - entry: frontend\n"
         "    pattern: {base_rps: 100}\n";
}

struct BadCase {
  std::string name;
  std::string append;    // appended to BaseScenario()
  std::string path;      // expected field path
  std::string message;   // expected part of the message
};

class ScenarioBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioBadInput, FailsWithLocationAndField) {
  const BadCase& c = GetParam();
  TempDir tmp;
  std::string text = BaseScenario() + c.append;
  std::string file = tmp.Write("bad.yaml", text);
  auto w = LoadScenario(file, text);
  ASSERT_FALSE(w.ok());
  const Status& s = w.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.where().file, file);
  EXPECT_GT(s.where().line, 8) << s.ToString();  // in the appended part.
  EXPECT_GT(s.where().column, 0) << s.ToString();
  EXPECT_EQ(s.where().path, c.path) << s.ToString();
  EXPECT_NE(s.message().find(c.message), std::string::npos) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    AllClasses, ScenarioBadInput,
    ::testing::Values(
        BadCase{"UnknownComponentSettings", "components:\n  nosuch: {capacity_rps: 5}\n",
                "components.nosuch", "unknown component 'nosuch'"},
        BadCase{"UnknownEntryPoint", "  - entry: nosuch\n    pattern: {base_rps: 1}\n",
                "load[1].entry", "unknown component 'nosuch'"},
        BadCase{"UnknownAlertComponent", "alerts:\n  - {at: 1h, component: nosuch}\n",
                "alerts[0].component", "unknown component 'nosuch'"},
        BadCase{"UnknownReleaseComponent",
                "releases:\n  - {at: 1h, component: nosuch, version: v2}\n",
                "releases[0].component", "unknown component 'nosuch'"},
        BadCase{"UnknownBugComponent",
                "bug_reports:\n  - {at: 1h, component: nosuch, version: v2}\n",
                "bug_reports[0].component", "unknown component 'nosuch'"},
        BadCase{"UnknownZone", "hardware:\n  - {at: 1h, zone: mars-1a}\n", "hardware[0].zone",
                "unknown zone 'mars-1a'"},
        BadCase{"UnknownRack", "hardware:\n  - {at: 1h, zone: eu-west-1a, rack: z9}\n",
                "hardware[0].rack", "unknown rack 'z9'"},
        BadCase{"TimesOutOfOrder",
                "alerts:\n  - {at: 1h, component: frontend}\n  - {at: 30m, component: frontend}\n",
                "alerts[1].at", "out of order"},
        BadCase{"TimeAfterTheEnd", "hardware:\n  - {at: 3h, zone: eu-west-1a}\n",
                "hardware[0].at", "after the end"},
        BadCase{"NegativeDuration",
                "hardware:\n  - {at: 1h, zone: eu-west-1a, duration: -10m}\n",
                "hardware[0].duration", "negative"},
        BadCase{"NegativeFlashCrowd",
                "flash_crowds:\n  - {at: 1h, duration: -1h, multiplier: 2}\n",
                "flash_crowds[0].duration", "negative"},
        BadCase{"UnknownField", "wether: sunny\n", "wether", "unknown field 'wether'"},
        BadCase{"WrongType", "seed: many\n", "seed", "expected"},
        BadCase{"UnknownForecastModel", "forecast: {model: crystal-ball}\n", "forecast.model",
                "unknown forecast model"},
        BadCase{"BadSeverity",
                "alerts:\n  - {at: 1h, component: frontend, severity: apocalyptic}\n",
                "alerts[0].severity", "unknown severity"}),
    [](const ::testing::TestParamInfo<BadCase>& i) { return i.param.name; });

// ------------------------------------------------------------ accounting

// web (entry, 2 replicas, 1 core each) -> db (1 replica, 0.5 core), one
// zone at 1.0 per core-hour, huge per-replica capacity (no queueing), the
// zone fails at 1 h for 10 min. Hand computation in the test body.
struct Tiny {
  TempDir tmp;
  std::string scenario;
  Tiny() {
    tmp.Write("eco.yaml",
              "ecotone: v1\n"
              "ecosystem: {name: tiny}\n"
              "components:\n"
              "  - name: web\n"
              "    version: v1\n"
              "    replicas: 2\n"
              "    resources: {cpu: 1000m, memory: 1Gi}\n"
              "  - name: db\n"
              "    replicas: 1\n"
              "    resources: {cpu: 500m, memory: 1Gi}\n"
              "dependencies:\n"
              "  - {from: web, to: db, kind: grpc, criticality: hard}\n");
    tmp.Write("infra.yaml",
              "name: one-zone\n"
              "regions:\n"
              "  - name: r\n"
              "    zones:\n"
              "      - name: z1\n"
              "        capacity: {cpu: 16, memory: 64Gi}\n"
              "        prices: {cpu: 1.0, memory: 0}\n");
    scenario = tmp.Write("tiny.yaml",
                         "manifests: [eco.yaml]\n"
                         "infra: infra.yaml\n"
                         "duration: 2h\n"
                         "interval: 15s\n"
                         "forecast: {enabled: false}\n"
                         "defaults: {capacity_rps: 1000000, startup: 30s}\n"
                         "components:\n"
                         "  web: {latency_ms: 10}\n"
                         "  db: {latency_ms: 5}\n"
                         "load:\n"
                         "  - entry: web\n"
                         "    pattern: {base_rps: 100}\n"
                         "    slo: {latency_ms: 100, success: 0.99}\n"
                         "hardware:\n"
                         "  - {at: 1h, zone: z1, duration: 10m}\n");
  }
};

TEST(Simulate, AccountsATinyScenarioByHand) {
  Tiny t;
  auto w = LoadScenarioFile(t.scenario);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto policy = engine::MakeBaselinePolicy();
  auto r = Simulate(*w, *policy, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Summary& s = r->summary;
  // Down from the failure at 3600 s until the replicas restarted at
  // recovery (4200 s) are up 30 s later: 630 s = 10.5 min of 120.
  EXPECT_NEAR(s.slo_violation_minutes, 10.5, 1e-9);
  EXPECT_NEAR(s.availability, 1 - 10.5 / 120, 1e-9);
  // Billed while not down: 2.5 cores x 1.0 per hour x (120 - 10) min.
  EXPECT_NEAR(s.cost, 2.5 * 110.0 / 60.0, 1e-9);
  // Latency: web 10 ms + db 5 ms in the same zone (queueing ~1e-4).
  EXPECT_NEAR(s.latency_ms.p50, 15.0, 0.01);
  ASSERT_EQ(s.recoveries.size(), 1u);
  EXPECT_EQ(s.recoveries[0].target, "z1");
  EXPECT_DOUBLE_EQ(s.recoveries[0].at_s, 3600);
  EXPECT_DOUBLE_EQ(s.recoveries[0].recovery_s, 630);
  // Nowhere to go and a fixed replica count: the baseline does nothing.
  EXPECT_EQ(s.migrations, 0);
  EXPECT_EQ(s.scale_actions, 0);
  EXPECT_EQ(s.events, 2);  // failed, recovered
  EXPECT_DOUBLE_EQ(s.simulated_hours, 2.0);
}

TEST(Simulate, CountsACompromisedComponentUntilIsolated) {
  Tiny t;
  std::string text;
  {
    std::ifstream in(t.scenario);
    text.assign((std::istreambuf_iterator<char>(in)), {});
  }
  text += "alerts:\n  - {at: 30m, component: db, severity: critical}\n";
  auto w = LoadScenario(t.scenario, text);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto base = Simulate(*w, *engine::MakeBaselinePolicy(), {});
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->summary.isolations, 0);
  EXPECT_NEAR(base->summary.compromised_minutes, 90, 1e-9);  // 30 min -> end
  auto eco = Simulate(*w, *engine::MakeEcotonePolicy(), {});
  ASSERT_TRUE(eco.ok());
  EXPECT_GE(eco->summary.isolations, 1);
  EXPECT_LT(eco->summary.compromised_minutes, 0.5);
}

TEST(Simulate, ABadReleaseFailsRequestsUntilRolledBack) {
  Tiny t;
  std::string text;
  {
    std::ifstream in(t.scenario);
    text.assign((std::istreambuf_iterator<char>(in)), {});
  }
  // No hardware failure this time; web v2 fails 50% of its requests, the
  // bug report comes 30 min later and the operator rolls back.
  text = text.substr(0, text.find("hardware:"));
  text += "releases:\n  - {at: 30m, component: web, version: v2, bad: true, error_rate: 0.5}\n"
          "bug_reports:\n  - {at: 60m, component: web, version: v2}\n";
  auto w = LoadScenario(t.scenario, text);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto base = Simulate(*w, *engine::MakeBaselinePolicy(), {});
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->summary.rollbacks, 1);
  EXPECT_EQ(base->summary.rolling_updates, 2);  // one replica per batch.
  EXPECT_GT(base->summary.bad_version_minutes, 25);
  EXPECT_LT(base->summary.bad_version_minutes, 32);
  EXPECT_LT(base->summary.availability, 0.9);
  auto eco = Simulate(*w, *engine::MakeEcotonePolicy(), {});
  ASSERT_TRUE(eco.ok());
  EXPECT_EQ(eco->summary.rollbacks, 1);
  EXPECT_LT(eco->summary.bad_version_minutes, base->summary.bad_version_minutes);
  EXPECT_GT(eco->summary.availability, base->summary.availability);
}

// ------------------------------------------------------------ load

TEST(World, TraceLoadIsScaledToItsPeakAndRepeated) {
  TempDir tmp;
  std::string text = BaseScenario();
  text = text.substr(0, text.find("    pattern:"));
  text += "    trace: {file: " + kExamples + "/traces/nyc_taxi.csv, peak_rps: 300}\n";
  text += "forecast: {history: 2d}\n";
  auto w = LoadScenario(tmp.Write("trace.yaml", text), text);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->load.size(), 1u);
  ASSERT_EQ(static_cast<int64_t>(w->load[0].size()), w->steps);  // 2 h / 15 s
  EXPECT_EQ(w->steps, 480);
  double hi = 0, lo = 1e18;
  for (double x : w->load[0]) {
    hi = std::max(hi, x);
    lo = std::min(lo, x);
  }
  EXPECT_LE(hi, 300.0 + 1e-9);
  EXPECT_GT(lo, 0.0);
  // The trace's first value is 10844 of a maximum of 39197 passengers.
  EXPECT_NEAR(w->load[0][0], 300.0 * 10844 / 39197, 1.0);
  // Two days of history at the 5-minute forecast step, from the trace's end.
  EXPECT_EQ(w->history[0].size(), 2u * 288);
}

TEST(World, FlashCrowdMultipliesTheLoadAndItsAnnouncementRefreshesTheForecast) {
  TempDir tmp;
  std::string text = BaseScenario() +
                     "flash_crowds:\n  - {at: 1h, duration: 30m, multiplier: 3, announced: 20m}\n"
                     "defaults: {max_replicas: 10}\n";
  auto w = LoadScenario(tmp.Write("crowd.yaml", text), text);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_DOUBLE_EQ(w->load[0][239], 100);  // 59:45
  EXPECT_DOUBLE_EQ(w->load[0][240], 300);  // 1:00:00
  EXPECT_DOUBLE_EQ(w->load[0][359], 300);  // 1:29:45
  EXPECT_DOUBLE_EQ(w->load[0][360], 100);
  auto r = Simulate(*w, *engine::MakeBaselinePolicy(), {});
  ASSERT_TRUE(r.ok());
  const int64_t t0 = w->scenario.start_unix * 1'000'000;
  int at_start = 0, at_announcement = 0;
  for (const auto& e : r->events) {
    if (e.kind != model::EventKind::kForecastUpdated) continue;
    if (e.time_us == t0) ++at_start;
    if (e.time_us == t0 + 40 * 60'000'000LL) {
      ++at_announcement;
      // The schedule from then on covers the crowd with more replicas.
      if (e.forecast.component == "frontend") {
        int peak = 0;
        for (int n : e.forecast.replicas) peak = std::max(peak, n);
        EXPECT_GE(peak, 3);  // 300 rps at 100 per replica.
      }
    }
  }
  EXPECT_GT(at_start, 0);
  EXPECT_EQ(at_announcement, at_start);
}

// ------------------------------------------------------------ determinism

void ExpectSameRun(const RunResult& a, const RunResult& b) {
  const Summary &x = a.summary, &y = b.summary;
  EXPECT_EQ(x.availability, y.availability);
  EXPECT_EQ(x.slo_violation_minutes, y.slo_violation_minutes);
  EXPECT_EQ(x.cost, y.cost);
  EXPECT_EQ(x.latency_ms.p99, y.latency_ms.p99);
  EXPECT_EQ(x.migrations, y.migrations);
  EXPECT_EQ(x.scale_actions, y.scale_actions);
  EXPECT_EQ(x.actions, y.actions);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.actions, b.actions);
}

TEST(Simulate, SameSeedSameRunOtherSeedOtherLoad) {
  auto w = LoadScenarioFile(kExamples + "/scenarios/zone-outage.yaml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (auto make : {+[] { return engine::MakeBaselinePolicy(); },
                    +[] { return engine::MakeEcotonePolicy(); }}) {
    auto p = make();
    SimOptions o;
    o.seed = 3;
    auto a = Simulate(*w, *p, o);
    auto b = Simulate(*w, *p, o);
    ASSERT_TRUE(a.ok() && b.ok());
    ExpectSameRun(*a, *b);
    o.seed = 4;
    auto c = Simulate(*w, *p, o);
    ASSERT_TRUE(c.ok());
    EXPECT_NE(a->summary.latency_ms.p50, c->summary.latency_ms.p50) << p->name();
  }
}

TEST(Simulate, RandomFailuresFollowTheSeed) {
  Tiny t;
  std::string text;
  {
    std::ifstream in(t.scenario);
    text.assign((std::istreambuf_iterator<char>(in)), {});
  }
  text = text.substr(0, text.find("hardware:"));
  text += "random_failures: {zone_mtbf: 30m, zone_mttr: 5m}\n";
  auto w = LoadScenario(t.scenario, text);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto p = engine::MakeBaselinePolicy();
  SimOptions o;
  o.seed = 1;
  auto a = Simulate(*w, *p, o), b = Simulate(*w, *p, o);
  ASSERT_TRUE(a.ok() && b.ok());
  ExpectSameRun(*a, *b);
  EXPECT_GT(a->summary.events, 0);
  EXPECT_LT(a->summary.availability, 1.0);
  o.seed = 2;
  auto c = Simulate(*w, *p, o);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->events, c->events);
}

// ------------------------------------------------------------ the bundled outage

TEST(Simulate, ZoneOutageEcotoneRecoversFasterThanTheBaseline) {
  auto w = LoadScenarioFile(kExamples + "/scenarios/zone-outage.yaml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto eco = Simulate(*w, *engine::MakeEcotonePolicy(), {});
  auto base = Simulate(*w, *engine::MakeBaselinePolicy(), {});
  ASSERT_TRUE(eco.ok() && base.ok());
  ASSERT_EQ(eco->summary.recoveries.size(), 1u);
  ASSERT_EQ(base->summary.recoveries.size(), 1u);
  // Baseline: 40 s + 300 s before eviction, then the start-up (20 s).
  EXPECT_GE(base->summary.recoveries[0].recovery_s, 360);
  EXPECT_GE(eco->summary.recoveries[0].recovery_s, 0);
  EXPECT_LT(eco->summary.recoveries[0].recovery_s, 60);
  EXPECT_LT(eco->summary.slo_violation_minutes, base->summary.slo_violation_minutes);
}

// Issue 5's targets as behaviour: fewer SLO-violation minutes than the
// baseline at no more than its cost (noisy flat load: not more minutes), and
// no flapping under a noisy flat load.
TEST(Simulate, ZoneOutageEcotoneCostsNoMoreThanTheBaseline) {
  auto w = LoadScenarioFile(kExamples + "/scenarios/zone-outage.yaml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto eco = Simulate(*w, *engine::MakeEcotonePolicy(), {});
  auto base = Simulate(*w, *engine::MakeBaselinePolicy(), {});
  ASSERT_TRUE(eco.ok() && base.ok());
  EXPECT_GT(eco->summary.cost, 0);
  EXPECT_LE(eco->summary.cost, base->summary.cost);
}

TEST(Simulate, NoisyFlatLoadEcotoneDoesNotFlapAndCostsNoMore) {
  auto w = LoadScenarioFile(kExamples + "/scenarios/noisy-flat-load.yaml");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto eco = Simulate(*w, *engine::MakeEcotonePolicy(), {});
  auto base = Simulate(*w, *engine::MakeBaselinePolicy(), {});
  ASSERT_TRUE(eco.ok() && base.ok());
  const auto& e = eco->summary;
  const auto& b = base->summary;
  ASSERT_GT(e.simulated_hours, 0);
  EXPECT_LE(e.scale_actions / (e.simulated_hours / 24), 2.0);
  EXPECT_LE(e.slo_violation_minutes, b.slo_violation_minutes);
  EXPECT_LE(e.cost, b.cost);
  // The baseline's HPA does react to the noise: the scenario can tell.
  EXPECT_GT(b.scale_actions, e.scale_actions);
}

}  // namespace
}  // namespace ecotone::sim
