// Runs the real `ecotone` binary ($ECOTONE_BIN) for `analyze` and `diff` on
// real manifests from shared/data and examples/, and on small fixtures
// written here: exit codes, stderr format, JSON fields, dot/svg output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "cli_harness.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using RunResult = ecotone::testing::CliRun;
using ecotone::testing::ReadAll;

class AnalyzeCli : public ecotone::testing::CliTest {
 protected:
  static std::string Data(const std::string& rel) {
    return std::string(ECOTONE_SHARED_DATA) + "/manifests/" + rel;
  }
  static std::string Source(const std::string& rel) {
    return std::string(ECOTONE_SOURCE_DIR) + "/" + rel;
  }
};

std::set<std::string> Names(const json& arr, const char* field = "name") {
  std::set<std::string> s;
  for (const auto& x : arr) s.insert(x.at(field).get<std::string>());
  return s;
}

const json* FindDep(const json& doc, const std::string& from,
                    const std::string& to) {
  for (const auto& d : doc.at("dependencies"))
    if (d.at("from") == from && d.at("to") == to) return &d;
  return nullptr;
}

TEST_F(AnalyzeCli, ComposeVotingAppJson) {
  RunResult r = Ecotone("analyze --output json " +
                  Data("example-voting-app/docker-compose.yml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["ecosystem"]["format"], "compose");
  auto names = Names(doc["components"]);
  for (const char* n : {"vote", "result", "worker", "redis", "db"})
    EXPECT_TRUE(names.count(n)) << n;
  for (const auto& c : doc["components"]) {
    for (const char* f :
         {"name", "kind", "version", "image", "replicas", "requests", "limits",
          "stateful", "ports", "labels", "in_degree", "out_degree", "location"})
      EXPECT_TRUE(c.contains(f)) << f;
    EXPECT_TRUE(c["replicas"].contains("min"));
    EXPECT_TRUE(c["requests"].contains("cpu_millicores"));
  }
  // vote depends_on redis (long form with condition).
  const json* d = FindDep(doc, "vote", "redis");
  ASSERT_NE(d, nullptr) << r.out;
  for (const char* f : {"from", "to", "kind", "port", "protocol", "traffic_rps",
                        "latency_budget_us", "criticality", "inferred",
                        "proximity", "evidence"})
    EXPECT_TRUE(d->contains(f)) << f;
  ASSERT_FALSE((*d)["evidence"].empty());
  const json& ev = (*d)["evidence"][0];
  EXPECT_NE(ev["file"].get<std::string>().find("docker-compose.yml"),
            std::string::npos);
  EXPECT_GT(ev["line"].get<int>(), 0);
  double prox = (*d)["proximity"].get<double>();
  EXPECT_GT(prox, 0.0);
  EXPECT_LT(prox, 1.0);
  // The in/out degrees agree with the dependency list.
  int vote_out = 0;
  for (const auto& dep : doc["dependencies"]) vote_out += dep["from"] == "vote";
  for (const auto& c : doc["components"])
    if (c["name"] == "vote") {
      EXPECT_EQ(c["out_degree"].get<int>(), vote_out);
    }
  const json& a = doc["analysis"];
  for (const char* f : {"start_order", "cycles", "orphans", "entry_points",
                        "critical_paths", "impact", "fan_in", "fan_out"})
    EXPECT_TRUE(a.contains(f)) << f;
  // redis starts before vote.
  auto order = a["start_order"].get<std::vector<std::string>>();
  auto pos = [&](const std::string& n) {
    return std::find(order.begin(), order.end(), n) - order.begin();
  };
  EXPECT_LT(pos("redis"), pos("vote"));
  EXPECT_LT(pos("db"), pos("result"));
  EXPECT_TRUE(doc["problems"].is_array());
}

TEST_F(AnalyzeCli, EshopTwoComposeFilesMerged) {
  RunResult r = Ecotone("analyze --output json " +
                  Data("eshoponcontainers/docker-compose.yml") + " " +
                  Data("eshoponcontainers/docker-compose.override.yml"));
  ASSERT_LE(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["components"].size(), 21u);
  // basket-api reaches basketdata through a connection string in the override.
  EXPECT_NE(FindDep(doc, "basket-api", "basketdata"), nullptr);
  EXPECT_EQ(doc["ecosystem"]["files"].size(), 2u);
}

TEST_F(AnalyzeCli, KubernetesOnlineBoutique) {
  RunResult r = Ecotone("analyze --output json " +
                  Data("online-boutique/kubernetes-manifests.yaml"));
  ASSERT_LE(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  EXPECT_GE(doc["components"].size(), 12u);
  EXPECT_NE(FindDep(doc, "frontend", "cartservice"), nullptr);
  EXPECT_NE(FindDep(doc, "cartservice", "redis-cart"), nullptr);
  // redis-cart: cart data, every cart call depends on it.
  bool found = false;
  for (const auto& t : doc["analysis"]["impact"])
    if (t["component"] == "redis-cart") found = t["dependents"].get<int>() >= 2;
  EXPECT_TRUE(found) << doc["analysis"]["impact"].dump();
}

TEST_F(AnalyzeCli, NativeBoutiqueCriticalPathsAndText) {
  RunResult r = Ecotone("analyze --output json " + Source("examples/boutique.yaml"));
  ASSERT_LE(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["ecosystem"]["name"], "online-boutique");
  EXPECT_EQ(doc["components"].size(), 12u);
  bool frontend = false;
  for (const auto& p : doc["analysis"]["critical_paths"]) {
    if (p["entry"] != "frontend") continue;
    frontend = true;
    EXPECT_EQ(p["slo_us"].get<int64_t>(), 300000);
    EXPECT_GT(p["latency_budget_us"].get<int64_t>(), 0);
    EXPECT_EQ(p["path"][0], "frontend");
    EXPECT_EQ(p["ok"].get<bool>(),
              p["latency_budget_us"].get<int64_t>() <= 300000);
  }
  EXPECT_TRUE(frontend);
  // Exit code 1 exactly when an error-severity problem is reported.
  bool any_error = false;
  for (const auto& p : doc["problems"]) any_error |= p["severity"] == "error";
  EXPECT_EQ(r.exit_code, any_error ? 1 : 0);

  RunResult t = Ecotone("analyze " + Source("examples/boutique.yaml"));
  EXPECT_EQ(t.exit_code, r.exit_code);
  EXPECT_THAT(t.out, ::testing::HasSubstr("NAME"));
  EXPECT_THAT(t.out, ::testing::HasSubstr("KIND"));
  EXPECT_THAT(t.out, ::testing::HasSubstr("REPLICAS"));
  EXPECT_THAT(t.out, ::testing::HasSubstr("productcatalogservice"));
  EXPECT_THAT(t.out, ::testing::HasSubstr("Problems:"));
  EXPECT_THAT(t.out, ::testing::HasSubstr("Start order"));
}

TEST_F(AnalyzeCli, DanglingReferenceIsAProblemOrInputError) {
  std::string f = Write("dangling.yaml", R"(ecotone: v1
components:
  - name: web
  - name: api
dependencies:
  - {from: web, to: api}
  - {from: web, to: ghost}
)");
  RunResult r = Ecotone("analyze --output json " + f);
  // The native reader may reject the reference itself (2, located on
  // stderr) or leave it to the map (1, a located problem).
  if (r.exit_code == 2) {
    EXPECT_TRUE(
        std::regex_search(r.err, std::regex("dangling.yaml:7:[0-9]+: .*ghost")))
        << r.err;
    return;
  }
  ASSERT_EQ(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  bool found = false;
  for (const auto& p : doc["problems"]) {
    if (p["code"] != "dangling-reference") continue;
    found = true;
    EXPECT_EQ(p["severity"], "error");
    EXPECT_NE(p["file"].get<std::string>().find("dangling.yaml"),
              std::string::npos);
    EXPECT_GT(p["line"].get<int>(), 0);
    EXPECT_GT(p["column"].get<int>(), 0);
    EXPECT_THAT(p["message"].get<std::string>(), ::testing::HasSubstr("ghost"));
  }
  EXPECT_TRUE(found) << r.out;
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex("dangling.yaml:[0-9]+:[0-9]+: ")))
      << r.err;
}

TEST_F(AnalyzeCli, HardCycleExitsOne) {
  std::string f = Write("cycle.yaml", R"(ecotone: v1
components:
  - name: a
  - name: b
  - name: c
dependencies:
  - {from: a, to: b, criticality: hard}
  - {from: b, to: c, criticality: hard}
  - {from: c, to: a, criticality: hard}
)");
  RunResult r = Ecotone("analyze --output json " + f);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["analysis"]["cycles"].size(), 1u);
  EXPECT_EQ(doc["analysis"]["cycles"][0]["kind"], "hard");
  EXPECT_EQ(doc["analysis"]["cycles"][0]["path"].size(), 4u);
  EXPECT_EQ(doc["analysis"]["start_blocked"].size(), 3u);
  bool found = false;
  for (const auto& p : doc["problems"]) found |= p["code"] == "hard-cycle";
  EXPECT_TRUE(found);
}

TEST_F(AnalyzeCli, SoftCycleIsOnlyAWarning) {
  std::string f = Write("soft.yaml", R"(ecotone: v1
components:
  - name: a
  - name: b
dependencies:
  - {from: a, to: b, criticality: soft}
  - {from: b, to: a, criticality: soft}
)");
  RunResult r = Ecotone("analyze --output json " + f);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["analysis"]["cycles"].size(), 1u);
  EXPECT_EQ(doc["analysis"]["cycles"][0]["kind"], "other");
}

TEST_F(AnalyzeCli, ComposeStartOrderCycleExitsOne) {
  std::string f = Write("compose.yaml", R"(services:
  web:
    image: nginx
    depends_on: [api]
  api:
    image: example/api
    depends_on: [web]
)");
  RunResult r = Ecotone("analyze --output json " + f);
  // The Compose reader may refuse the cycle itself (2) like docker compose.
  ASSERT_TRUE(r.exit_code == 1 || r.exit_code == 2) << r.err;
  if (r.exit_code == 1) {
    json doc = json::parse(r.out);
    ASSERT_FALSE(doc["analysis"]["cycles"].empty());
  } else {
    EXPECT_TRUE(
        std::regex_search(r.err, std::regex("compose.yaml:[0-9]+:[0-9]+: ")));
  }
}

TEST_F(AnalyzeCli, MalformedYamlExitsTwoWithLocation) {
  std::string f = Write("bad.yaml",
                        "ecotone: v1\ncomponents:\n  - name: web\n    labels: "
                        "{tier: web\n  - name: db\n");
  RunResult r = Ecotone("analyze " + f);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex("^ecotone: .*bad.yaml:[0-9]+:[0-9]+: ")))
      << r.err;
}

TEST_F(AnalyzeCli, WrongTypeNamesFieldPath) {
  std::string f =
      Write("wrong.yaml",
            "ecotone: v1\ncomponents:\n  - name: web\n    replicas: lots\n");
  RunResult r = Ecotone("analyze " + f);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex("wrong.yaml:4:[0-9]+: components\\S*replicas")))
      << r.err;
}

TEST_F(AnalyzeCli, MissingFileAndBadUsageExitTwo) {
  RunResult r = Ecotone("analyze " + (dir_ / "nope.yaml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("nope.yaml"));
  EXPECT_EQ(Ecotone("analyze --output xml " + Source("examples/minimal.yaml"))
                .exit_code,
            2);
  EXPECT_EQ(Ecotone("analyze").exit_code, 2);
  EXPECT_EQ(
      Ecotone("analyze --impact nosuch " + Source("examples/boutique.yaml"))
          .exit_code,
      2);
}

TEST_F(AnalyzeCli, ImpactOfAComponent) {
  RunResult r = Ecotone("analyze --output json --impact productcatalogservice " +
                  Source("examples/boutique.yaml"));
  ASSERT_LE(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["analysis"]["impact_sets"].size(), 1u);
  auto all = doc["analysis"]["impact_sets"][0]["dependents"]
                 .get<std::vector<std::string>>();
  EXPECT_THAT(all, ::testing::IsSupersetOf(
                       {"frontend", "checkoutservice", "loadgenerator"}));
}

TEST_F(AnalyzeCli, DotAndSvg) {
  RunResult r = Ecotone("analyze --output dot " +
                  Data("example-voting-app/docker-compose.yml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("digraph"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\"vote\" -> \"redis\""));
  EXPECT_THAT(r.out, ::testing::HasSubstr("fillcolor="));
  EXPECT_THAT(r.out, ::testing::HasSubstr("cylinder"));  // db and redis
  if (std::system("command -v dot >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no graphviz";
  RunResult s = Ecotone("analyze --output svg " +
                  Data("example-voting-app/docker-compose.yml"));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_THAT(s.out, ::testing::HasSubstr("<svg"));
  EXPECT_THAT(s.out, ::testing::HasSubstr("vote"));
}

TEST_F(AnalyzeCli, SvgWithoutGraphvizFailsClearly) {
  // Run with a PATH that has no graphviz (env(1) is found before it applies).
  std::string cmd = "env PATH=/nonexistent '" + bin_ +
                    "' analyze --output svg '" +
                    Source("examples/minimal.yaml") + "' >/dev/null 2>'" +
                    (dir_ / "e").string() + "'";
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_THAT(ReadAll(dir_ / "e"), ::testing::HasSubstr("graphviz"));
}

TEST_F(AnalyzeCli, DiffBoutiqueVersions) {
  RunResult r = Ecotone("diff --output json " + Source("examples/boutique.yaml") +
                  " " + Source("examples/boutique-v2.yaml"));
  ASSERT_EQ(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  EXPECT_FALSE(doc["identical"].get<bool>());
  EXPECT_EQ(doc["components"]["added"],
            json::array({"shoppingassistantservice"}));
  EXPECT_TRUE(doc["components"]["removed"].empty());
  bool cart = false;
  for (const auto& c : doc["components"]["changed"])
    if (c["name"] == "cartservice")
      for (const auto& ch : c["changes"]) cart |= ch["field"] == "version";
  EXPECT_TRUE(cart) << doc["components"].dump();
  bool removed = false, added = false;
  for (const auto& e : doc["dependencies"]["removed"])
    removed |= e["from"] == "frontend" && e["to"] == "shippingservice";
  for (const auto& e : doc["dependencies"]["added"])
    added |= e["from"] == "frontend" && e["to"] == "shoppingassistantservice";
  EXPECT_TRUE(removed);
  EXPECT_TRUE(added);

  RunResult t = Ecotone("diff " + Source("examples/boutique.yaml") + " " +
                  Source("examples/boutique-v2.yaml"));
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_THAT(t.out,
              ::testing::HasSubstr("+ component shoppingassistantservice"));
  EXPECT_THAT(t.out,
              ::testing::HasSubstr("- dependency frontend -> shippingservice"));

  RunResult same = Ecotone("diff " + Source("examples/boutique.yaml") + " " +
                     Source("examples/boutique.json"));
  EXPECT_EQ(same.exit_code, 0) << same.out;
  RunResult bad = Ecotone("diff " + Source("examples/boutique.yaml") + " " +
                    (dir_ / "missing.yaml").string());
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
