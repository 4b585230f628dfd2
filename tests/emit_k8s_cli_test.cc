// Runs the real `ecotone` binary ($ECOTONE_BIN) for `emit k8s`: a plan from
// `ecotone place` on a shared manifest becomes files in --out (partial
// objects of the user's workloads under patches/), the YAML stream is the
// same bytes on every run, --output json lists the objects, and bad input
// (a plan for another manifest, zones that are not label values, components
// the manifest lacks, bad --isolate) exits 2 naming the file and field.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_harness.h"

namespace {

namespace fs = std::filesystem;
using ecotone::testing::CliRun;
using ecotone::testing::ReadAll;
using nlohmann::json;

const std::string kInfra =
    std::string(ECOTONE_SOURCE_DIR) + "/examples/infra-3zones.yaml";
const std::string kBoutique =
    std::string(ECOTONE_SHARED_DATA) +
    "/manifests/online-boutique/kubernetes-manifests.yaml";
const std::string kVoting = std::string(ECOTONE_SHARED_DATA) +
                            "/manifests/example-voting-app/docker-compose.yml";

class EmitCli : public ecotone::testing::CliTest {
 protected:
  // Places `manifest` with `ecotone place` and returns the plan file.
  std::string Plan(const std::string& manifest, const std::string& name) {
    CliRun r =
        Ecotone("place --manifest '" + manifest + "' --infra '" + kInfra +
                "' --output json --solver heuristic --iterations 3000 "
                "--seed 3");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Write(name, r.out);
  }
};

TEST_F(EmitCli, WritesOneFilePerObject) {
  std::string plan = Plan(kBoutique, "plan.json");
  fs::path out = dir_ / "out";
  CliRun r = Ecotone("emit k8s --manifest '" + kBoutique + "' --plan '" + plan +
                     "' --infra '" + kInfra + "' --out '" + out.string() +
                     "' --isolate redis-cart:cartservice");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(" objects written to "), std::string::npos);
  // 12 Deployments from the user's manifest: partial objects.
  int patches = 0;
  for (const auto& e : fs::directory_iterator(out / "patches")) {
    ++patches;
    EXPECT_NE(ReadAll(e.path()).find("ecotone.io/plan-id: p"),
              std::string::npos);
  }
  EXPECT_EQ(patches, 12);
  std::string np =
      ReadAll(out / "ecotone-isolate-redis-cart.networkpolicy.yaml");
  EXPECT_NE(np.find("kind: NetworkPolicy"), std::string::npos);
  EXPECT_NE(np.find("app: cartservice"), std::string::npos);
  EXPECT_NE(np.find("k8s-app: kube-dns"), std::string::npos);
}

TEST_F(EmitCli, SameInputSameBytes) {
  std::string plan = Plan(kVoting, "plan.json");
  std::string args = "emit k8s --manifest '" + kVoting + "' --plan '" + plan +
                     "' --infra '" + kInfra + "'";
  CliRun a = Ecotone(args);
  CliRun b = Ecotone(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("kind: StatefulSet"), std::string::npos);  // db
  EXPECT_NE(a.out.find("topology.kubernetes.io/zone"), std::string::npos);
  // vote, result and worker have only `build:`: warned, still emitted.
  EXPECT_NE(a.err.find("component 'vote' names no image"), std::string::npos)
      << a.err;
  EXPECT_NE(a.err.find("[no-image]"), std::string::npos);
}

TEST_F(EmitCli, JsonListsTheObjects) {
  std::string plan = Plan(kVoting, "plan.json");
  CliRun r = Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan +
                     "' --output json --namespace vote");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_TRUE(j["plan_id"].is_string());
  std::set<std::string> kinds;
  for (const auto& o : j["objects"]) {
    kinds.insert(o["kind"]);
    EXPECT_EQ(o["namespace"], "vote");
    EXPECT_EQ(o["object"]["metadata"]["namespace"], "vote");
    EXPECT_EQ(o["object"]["metadata"]["labels"]["ecotone.io/plan"],
              j["plan_id"]);
    EXPECT_FALSE(o["patch"].get<bool>());
  }
  EXPECT_TRUE(kinds.count("Deployment"));
  EXPECT_TRUE(kinds.count("StatefulSet"));
  EXPECT_TRUE(kinds.count("Service"));
}

TEST_F(EmitCli, PlanForAnotherManifestExits2) {
  std::string plan = Plan(kBoutique, "plan.json");
  CliRun r =
      Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(plan), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ecosystem"), std::string::npos) << r.err;
}

TEST_F(EmitCli, ZoneThatIsNotALabelValueExits2) {
  std::string plan = Write("bad-zone.json", R"({
  "assignments": [
    {"component": "vote", "replica": 0, "zone": "eu west 1"}
  ]
})");
  CliRun r =
      Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(plan + ":3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("assignments[0].zone"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("label value"), std::string::npos) << r.err;
}

TEST_F(EmitCli, ComponentTheManifestLacksExits2) {
  std::string plan = Write("ghost.json", R"({
  "assignments": [
    {"component": "vote", "replica": 0, "zone": "eu-west-1a"},
    {"component": "ghost", "replica": 0, "zone": "eu-west-1a"}
  ]
})");
  CliRun r =
      Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(plan + ":4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("assignments[1].component"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ghost"), std::string::npos) << r.err;
}

TEST_F(EmitCli, ZoneMissingFromTheInfraExits2) {
  std::string plan = Write("mars.json", R"({
  "assignments": [
    {"component": "vote", "replica": 0, "zone": "mars-1a"}
  ]
})");
  CliRun r = Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan +
                     "' --infra '" + kInfra + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("assignments[0].zone"), std::string::npos) << r.err;
}

TEST_F(EmitCli, BadIsolateExits2) {
  std::string plan = Plan(kVoting, "plan.json");
  CliRun r = Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan +
                     "' --isolate db:worker,nobody");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--isolate[0]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nobody"), std::string::npos) << r.err;
  r = Ecotone("emit k8s --manifest '" + kVoting + "' --plan '" + plan +
              "' --isolate ':worker'");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(EmitCli, AuditLogActionsBecomeObjects) {
  std::string plan = Plan(kBoutique, "plan.json");
  std::string log = Write(
      "audit.jsonl",
      R"({"kind":"isolate","id":9,"component":"redis-cart","allow":["cartservice"],"trigger":"shell in container"}

{"kind":"scale","id":10,"component":"frontend","from_replicas":1,"to_replicas":3,"trigger":"forecast"}
)");
  CliRun r = Ecotone("emit k8s --manifest '" + kBoutique + "' --plan '" + plan +
                     "' --actions '" + log + "' --output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  int frontend = 0;
  bool policy = false;
  for (const auto& o : j["objects"]) {
    if (o["kind"] == "NetworkPolicy") {
      policy = true;
      EXPECT_EQ(o["object"]["metadata"]["annotations"]["ecotone.io/action-id"],
                "9");
    }
    if (o["kind"] == "Deployment" && o["component"] == "frontend") {
      frontend += o["object"]["spec"]["replicas"].get<int>();
      EXPECT_EQ(o["action"], "scale");
    }
  }
  EXPECT_TRUE(policy);
  EXPECT_EQ(frontend, 3);
  // A bad line: exit 2 naming the file and line.
  std::string bad = Write("bad.jsonl",
                          "{\"kind\":\"scale\",\"component\":\"frontend\",\"to_"
                          "replicas\":2}\n{\"kind\":\"explode\"}\n");
  r = Ecotone("emit k8s --manifest '" + kBoutique + "' --plan '" + plan +
              "' --actions '" + bad + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":2:"), std::string::npos) << r.err;
}

TEST_F(EmitCli, ScheduleFromEcotoneScaleSetsHpaBounds) {
  const std::string native =
      std::string(ECOTONE_SOURCE_DIR) + "/examples/boutique.yaml";
  std::string plan = Plan(native, "plan.json");
  CliRun s = Ecotone("scale --manifest '" + native + "' --history '" +
                     ECOTONE_SOURCE_DIR +
                     "/examples/traces/nyc_taxi.csv' --component frontend "
                     "--horizon 24 --output json");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string sched = Write("schedule.json", s.out);
  int lo = 1 << 30, hi = 0;
  const json schedule = json::parse(s.out);
  for (const auto& st : schedule[0]["schedule"]) {
    lo = std::min(lo, st["replicas"].get<int>());
    hi = std::max(hi, st["replicas"].get<int>());
  }
  CliRun r = Ecotone("emit k8s --manifest '" + native + "' --plan '" + plan +
                     "' --schedule '" + sched + "' --output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int sum_max = 0, hpas = 0;
  const json emitted = json::parse(r.out);
  for (const auto& o : emitted["objects"]) {
    if (o["kind"] != "HorizontalPodAutoscaler" || o["component"] != "frontend")
      continue;
    ++hpas;
    sum_max += o["object"]["spec"]["maxReplicas"].get<int>();
    EXPECT_TRUE(o["object"]["metadata"]["annotations"].contains(
        "ecotone.io/replica-schedule"));
  }
  EXPECT_GE(hpas, 1);
  EXPECT_GE(sum_max, hi);
  EXPECT_GE(hi, lo);
  // A schedule for a component the manifest lacks: exit 2.
  std::string bad = Write(
      "bad-schedule.json",
      R"([{"component": "ghost", "schedule": [{"timestamp": "t", "replicas": 2}]}])");
  r = Ecotone("emit k8s --manifest '" + native + "' --plan '" + plan +
              "' --schedule '" + bad + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
}

TEST_F(EmitCli, MissingPlanIsUsageError) {
  CliRun r = Ecotone("emit k8s --manifest '" + kVoting + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--plan"), std::string::npos) << r.err;
}

}  // namespace
