// `ecotone simulate` and `ecotone demo` through the real binary.
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli_harness.h"

namespace ecotone::testing {
namespace {

using nlohmann::json;

const std::string kScenarios = std::string(ECOTONE_SOURCE_DIR) + "/examples/scenarios";

class SimulateCli : public CliTest {};

void ExpectSummary(const json& j) {
  for (const char* k : {"availability", "slo_violation_minutes", "cost", "migrations",
                        "scale_actions", "isolations", "rollbacks"})
    EXPECT_TRUE(j.contains(k)) << k;
  ASSERT_TRUE(j.contains("decision_latency_ms"));
  EXPECT_TRUE(j["decision_latency_ms"].contains("p50"));
  EXPECT_TRUE(j["decision_latency_ms"].contains("p99"));
  EXPECT_GE(j["availability"].get<double>(), 0.0);
  EXPECT_LE(j["availability"].get<double>(), 1.0);
  EXPECT_GT(j["cost"].get<double>(), 0.0);
}

TEST_F(SimulateCli, JsonSummaryOfOnePolicy) {
  auto r = Ecotone("simulate " + kScenarios + "/zone-outage.yaml --policy baseline -o json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ExpectSummary(j);
  EXPECT_EQ(j["policy"], "baseline");
  EXPECT_EQ(j["scenario"], "zone-outage");
  ASSERT_EQ(j["recoveries"].size(), 1u);
  EXPECT_EQ(j["recoveries"][0]["target"], "eu-west-1a");
}

TEST_F(SimulateCli, CompareGivesOneObjectPerPolicy) {
  auto r = Ecotone("simulate " + kScenarios + "/zone-outage.yaml --compare --output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_TRUE(j.contains("policies"));
  ASSERT_TRUE(j["policies"].contains("ecotone"));
  ASSERT_TRUE(j["policies"].contains("baseline"));
  ExpectSummary(j["policies"]["ecotone"]);
  ExpectSummary(j["policies"]["baseline"]);
  // The zone outage: Ecotone re-places at once, the baseline waits 340 s.
  EXPECT_LT(j["policies"]["ecotone"]["recoveries"][0]["recovery_s"].get<double>(), 60);
  EXPECT_GT(j["policies"]["baseline"]["recoveries"][0]["recovery_s"].get<double>(), 340);
}

TEST_F(SimulateCli, SameSeedSameJsonApartFromWallTimes) {
  auto strip = [](json j) {
    j.erase("decision_latency_ms");
    j.erase("wall_seconds");
    return j;
  };
  auto a = Ecotone("simulate " + kScenarios + "/noisy-flat-load.yaml --policy baseline --seed 5 -o json");
  auto b = Ecotone("simulate " + kScenarios + "/noisy-flat-load.yaml --policy baseline --seed 5 -o json");
  auto c = Ecotone("simulate " + kScenarios + "/noisy-flat-load.yaml --policy baseline --seed 6 -o json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(strip(json::parse(a.out)), strip(json::parse(b.out)));
  EXPECT_EQ(json::parse(a.out)["seed"], 5);
  EXPECT_NE(strip(json::parse(a.out)), strip(json::parse(c.out)));
}

TEST_F(SimulateCli, TimelineIsJsonLinesOfEventsActionsAndSamples) {
  std::string tl = (dir_ / "t.jsonl").string();
  auto r = Ecotone("simulate " + kScenarios + "/zone-outage.yaml --policy ecotone --timeline " + tl);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("availability"), std::string::npos);
  std::istringstream in(ReadAll(tl));
  std::string line;
  int events = 0, actions = 0, samples = 0;
  while (std::getline(in, line)) {
    json j = json::parse(line);
    EXPECT_EQ(j["policy"], "ecotone");
    if (j["type"] == "event") ++events;
    if (j["type"] == "action") {
      ++actions;
      EXPECT_TRUE(j["action"].contains("kind"));
      EXPECT_TRUE(j["action"].contains("trigger"));
    }
    if (j["type"] == "sample") ++samples;
  }
  EXPECT_EQ(events, 2);  // zone failed, recovered
  EXPECT_GT(actions, 0);
  EXPECT_EQ(samples, 6 * 3600 / 15);
}

TEST_F(SimulateCli, BadScenarioIsExit2WithLocation) {
  std::string bad = Write("bad.yaml",
                          "manifests: [" + kScenarios + "/../manifests/online-boutique/kubernetes-manifests.yaml]\n"
                          "infra: " + kScenarios + "/../infra-3zones.yaml\n"
                          "duration: 1h\n"
                          "load:\n"
                          "  - entry: frontend\n"
                          "    pattern: {base_rps: 10}\n"
                          "hardware:\n"
                          "  - {at: 10m, zone: atlantis}\n");
  auto r = Ecotone("simulate " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":8:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hardware[0].zone"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown zone 'atlantis'"), std::string::npos) << r.err;
}

TEST_F(SimulateCli, BadUsageIsExit2) {
  EXPECT_EQ(Ecotone("simulate " + kScenarios + "/zone-outage.yaml --policy magic").exit_code, 2);
  EXPECT_EQ(Ecotone("simulate").exit_code, 2);
  EXPECT_EQ(Ecotone("simulate /nonexistent.yaml").exit_code, 2);
}

TEST_F(SimulateCli, DemoTellsTheStoryAndWritesTheTimeline) {
  std::string out = (dir_ / "demo").string();
  auto r = Ecotone("demo --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"== 1. Map", "== 2. Forecast", "== 3. Place", "== 4. Simulate",
                        "zone eu-west-1a failed", "security-alert", "new-version",
                        "flash crowd", "The week in numbers", "decided by:"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  std::string svg = ReadAll(out + "/timeline.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("polyline"), std::string::npos);
  json j = json::parse(ReadAll(out + "/summary.json"));
  EXPECT_TRUE(j["policies"].contains("ecotone"));
  EXPECT_TRUE(j["policies"].contains("baseline"));
}

}  // namespace
}  // namespace ecotone::testing
