#include "ecotone/manifest/infra.h"

#include <gtest/gtest.h>

#include <cctype>

#include <string>

namespace ecotone::manifest {
namespace {

const std::string kExamples = std::string(ECOTONE_SOURCE_DIR) + "/examples/";

// A minimal valid description; tests replace parts of it.
std::string Base(const std::string& zone_c_extra = "",
                 const std::string& latency =
                     "latency_ms:\n"
                     "  a: {b: 1, c: 2}\n"
                     "  b: {c: 1.5}\n") {
  return "name: t\n"
         "regions:\n"
         "  - name: r\n"
         "    zones:\n"
         "      - name: a\n"
         "        prices: {cpu: 0.04, memory: 0.005}\n"
         "        capacity: {cpu: 8, memory: 32Gi}\n"
         "      - name: b\n"
         "        prices: {cpu: 0.04, memory: 0.005}\n"
         "        capacity: {cpu: 8, memory: 32Gi}\n"
         "      - name: c\n"
         "        prices: {cpu: 0.04, memory: 0.005}\n"
         "        capacity: {cpu: 8, memory: 32Gi}\n" +
         zone_c_extra + latency;
}

TEST(ReadInfra, ThreeZoneExample) {
  auto t = LoadInfraFile(kExamples + "infra-3zones.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->zones.size(), 3u);
  const model::Zone& a = t->zones[0];
  EXPECT_EQ(a.name, "eu-west-1a");
  EXPECT_EQ(a.region, "eu-west-1");
  EXPECT_EQ(a.racks.size(), 2u);
  EXPECT_EQ(a.capacity.cpu_millicores, 64000);  // sum of racks
  EXPECT_EQ(a.capacity.memory_bytes, 256LL << 30);
  EXPECT_EQ(a.labels.at("data-residency"), "eu");  // inherited from region
  EXPECT_EQ(t->zones[2].labels.at("data-residency"), "eu-strict");  // own
  EXPECT_DOUBLE_EQ(t->LatencyMs(0, 1), 0.9);
  EXPECT_DOUBLE_EQ(t->LatencyMs(1, 0), 0.9);  // symmetric fill
  EXPECT_DOUBLE_EQ(t->LatencyMs(2, 2), 0.0);
  EXPECT_DOUBLE_EQ(t->EgressPerGb(0, 2), 0.01);
  EXPECT_DOUBLE_EQ(a.RackLatencyMs(0, 1), 0.08);
  EXPECT_DOUBLE_EQ(t->zones[1].RackLatencyMs(0, 1), 0.1);  // default
  EXPECT_DOUBLE_EQ(t->degraded_cost_factor, 1.5);
  EXPECT_EQ(a.racks[1].failure_domain, "eu-west-1a/a2");
}

TEST(ReadInfra, TwoRegionExampleWithHostsAndStates) {
  auto t = LoadInfraFile(kExamples + "infra-2regions-hosts.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->zones.size(), 4u);
  const model::Zone& z = t->zones[0];
  EXPECT_EQ(z.racks[0].hosts.size(), 3u);
  EXPECT_EQ(z.racks[0].capacity.cpu_millicores, 48000);
  EXPECT_EQ(model::UsableCapacity(z.racks[0]).cpu_millicores, 32000);
  EXPECT_EQ(z.racks[1].state, model::CapacityState::kDegraded);
  EXPECT_EQ(t->zones[3].state, model::CapacityState::kDraining);
  EXPECT_TRUE(model::UsableCapacity(t->zones[3]).empty());
  EXPECT_DOUBLE_EQ(t->LatencyMs(0, 2), 85);
  EXPECT_DOUBLE_EQ(t->EgressPerGb(2, 0), 0.02);  // defaults.egress_per_gb
  EXPECT_DOUBLE_EQ(z.RackLatencyMs(1, 0), 0.15);
}

TEST(ReadInfra, JsonWithListMatricesAndRackLatency) {
  auto t = LoadInfraFile(std::string(ECOTONE_SOURCE_DIR) +
                         "/testdata/infra/list-matrix.json");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->zones.size(), 2u);
  EXPECT_EQ(t->zones[0].capacity.cpu_millicores, 8000);
  EXPECT_EQ(t->zones[1].capacity.cpu_millicores, 8000);  // 2 racks x 4
  EXPECT_DOUBLE_EQ(t->zones[1].RackLatencyMs(0, 1), 0.2);
  EXPECT_DOUBLE_EQ(t->LatencyMs(0, 1), 1);
}

TEST(ReadInfra, ListFormMatrix) {
  auto t = ReadInfra("t.yaml", Base("",
                                    "latency_ms:\n"
                                    "  zones: [c, a, b]\n"
                                    "  matrix: [[0, 2, 1.5], [2, 0, 1], "
                                    "[1.5, 1, 0]]\n"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_DOUBLE_EQ(t->LatencyMs(0, 2), 2);
  EXPECT_DOUBLE_EQ(t->LatencyMs(1, 2), 1.5);
}

// Each bad input must fail with a message and the location of the fault.
struct BadCase {
  const char* name;
  std::string text;
  const char* message;  // substring of the message
  const char* path;     // exact field path
  int line;             // 1-based
};

class ReadInfraBad : public testing::TestWithParam<BadCase> {};

TEST_P(ReadInfraBad, NamesFileLineAndPath) {
  const BadCase& c = GetParam();
  auto t = ReadInfra("bad.yaml", c.text);
  ASSERT_FALSE(t.ok()) << c.name;
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find(c.message), std::string::npos)
      << t.status().ToString();
  EXPECT_EQ(t.status().where().file, "bad.yaml");
  EXPECT_EQ(t.status().where().path, c.path) << t.status().ToString();
  EXPECT_EQ(t.status().where().line, c.line) << t.status().ToString();
  EXPECT_GT(t.status().where().column, 0);
}

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ReadInfraBad,
    testing::Values(
        BadCase{"unknown zone in latency",
                Base("", "latency_ms:\n  a: {b: 1, c: 2, d: 3}\n  b: {c: 1}\n"),
                "unknown zone 'd'", "latency_ms.a.d", 15},
        BadCase{
            "negative capacity",
            Replace(Base(), "capacity: {cpu: 8, memory: 32Gi}\n      - name: b",
                    "capacity: {cpu: -8, memory: 32Gi}\n      - name: b"),
            "capacity must be >= 0", "regions[0].zones[0].capacity.cpu", 7},
        BadCase{"negative price",
                Replace(Base(), "prices: {cpu: 0.04", "prices: {cpu: -0.04"),
                "must be >= 0", "regions[0].zones[0].prices.cpu", 6},
        BadCase{"not square",
                Base("",
                     "latency_ms:\n  zones: [a, b, c]\n"
                     "  matrix: [[0, 1, 2], [1, 0], [2, 1, 0]]\n"),
                "not square", "latency_ms.matrix[1]", 16},
        BadCase{"wrong row count",
                Base("",
                     "latency_ms:\n  zones: [a, b, c]\n"
                     "  matrix: [[0, 1, 2], [1, 0, 1]]\n"),
                "not square", "latency_ms.matrix", 16},
        BadCase{"missing pair", Base("", "latency_ms:\n  a: {b: 1, c: 2}\n"),
                "latency between zones 'b' and 'c' is missing", "latency_ms",
                15},
        BadCase{"asymmetric",
                Base("", "latency_ms:\n  a: {b: 1, c: 2}\n  b: {c: 1, a: 3}\n"),
                "must be symmetric", "latency_ms.b.a", 16},
        BadCase{"nonzero diagonal",
                Base("", "latency_ms:\n  a: {a: 1, b: 1, c: 2}\n  b: {c: 1}\n"),
                "to itself must be 0", "latency_ms.a.a", 15},
        BadCase{"duplicate zone", Replace(Base(), "name: c\n", "name: a\n"),
                "duplicate zone name 'a'", "regions[0].zones[2].name", 11},
        BadCase{"unknown state", Base("        state: broken\n"),
                "unknown state 'broken'", "regions[0].zones[2].state", 14},
        BadCase{"unknown field", Base("        capacty: {cpu: 1}\n"),
                "unknown field 'capacty'", "regions[0].zones[2].capacty", 14},
        BadCase{"zone and rack capacity",
                Base("        racks: [{name: r1, capacity: {cpu: 1}}]\n"),
                "not both", "regions[0].zones[2].capacity", 13},
        BadCase{"bad quantity",
                Replace(Base(), "memory: 32Gi}\n      - name: b",
                        "memory: lots}\n      - name: b"),
                "", "regions[0].zones[0].capacity.memory", 7},
        BadCase{"missing latency", Base("", ""), "missing required field",
                "latency_ms", 1}),
    [](const testing::TestParamInfo<BadCase>& info) {
      // Stable names: CTest discovers tests by name in one process and runs
      // them in another, so a name must not depend on addresses.
      std::string n = info.param.name;
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

TEST(ReadInfra, MalformedYamlAndWrongShapes) {
  auto t = ReadInfra("x.yaml", "regions: [\n");
  ASSERT_FALSE(t.ok());
  EXPECT_GT(t.status().where().line, 0);
  EXPECT_FALSE(ReadInfra("x.yaml", "[1, 2]").ok());
  EXPECT_FALSE(ReadInfra("x.yaml", "").ok());
  EXPECT_FALSE(ReadInfra("x.yaml", "regions: {}").ok());
  EXPECT_EQ(LoadInfraFile("/nonexistent/infra.yaml").status().code(),
            StatusCode::kIOError);
}

TEST(PlanIo, RoundTripAndValidate) {
  auto topo = LoadInfraFile(kExamples + "infra-3zones.yaml");
  ASSERT_TRUE(topo.ok());
  model::PlacementPlan p;
  p.ecosystem = "shop";
  p.infra = "eu";
  p.metadata["solver"] = "heuristic";
  auto add = [&](const char* c, int r, const char* z, const char* rack) {
    model::Assignment a;
    a.component = c;
    a.replica = r;
    a.zone = z;
    a.rack = rack;
    p.assignments.push_back(a);
  };
  add("web", 0, "eu-west-1a", "a1");
  add("web", 1, "eu-west-1b", "b2");
  add("db", 0, "eu-west-1c", "");
  std::string json = WritePlanJson(p);
  auto back = ReadPlan("plan.json", json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);

  model::Ecosystem eco;
  model::Component web, db;
  web.name = "web";
  db.name = "db";
  eco.components = {web, db};
  EXPECT_TRUE(ValidatePlan(*back, eco, *topo).ok());

  eco.components.pop_back();
  Status st = ValidatePlan(*back, eco, *topo);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("component 'db'"), std::string::npos);
  EXPECT_EQ(st.where().file, "plan.json");
  EXPECT_EQ(st.where().path, "assignments[2].component");
  EXPECT_GT(st.where().line, 0);

  eco.components.push_back(db);
  back->assignments[1].rack = "zz";
  st = ValidatePlan(*back, eco, *topo);
  EXPECT_NE(st.message().find("unknown rack 'zz'"), std::string::npos);
}

TEST(PlanIo, RejectsDuplicatesAndMissingFields) {
  auto d = ReadPlan(
      "p.json",
      R"({"assignments": [{"component": "a", "replica": 0, "zone": "z"},
                                        {"component": "a", "replica": 0, "zone": "y"}]})");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("assigned twice"), std::string::npos);
  auto m = ReadPlan("p.json",
                    R"({"assignments": [{"component": "a", "zone": "z"}]})");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().where().path, "assignments[0].replica");
  auto n = ReadPlan(
      "p.json",
      R"({"assignments": [{"component": "a", "replica": -1, "zone": "z"}]})");
  EXPECT_FALSE(n.ok());
  EXPECT_FALSE(ReadPlan("p.json", R"({"status": "optimal"})").ok());
}

}  // namespace
}  // namespace ecotone::manifest
