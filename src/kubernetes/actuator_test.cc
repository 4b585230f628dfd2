// The Kubernetes actuator without a cluster (none is available here, see
// docs/kubernetes.md): real kubectl against a refused 127.0.0.1 port. Each
// action writes its component's objects and makes the kubectl calls its
// kind needs (apply / scale / rollout undo / delete / diff, --dry-run=server
// in dry runs); every failed call is in the record, classified, with its
// bounded retries, and the plan does not advance.
#include "ecotone/kubernetes/actuator.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ecotone/manifest/manifest.h"
#include "testing/loopback.h"

namespace ecotone::kubernetes {
namespace {

namespace fs = std::filesystem;

class ActuatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ecotone_actuator_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto loaded = manifest::LoadFiles(
        {std::string(ECOTONE_SOURCE_DIR) + "/examples/boutique.yaml"}, {});
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    eco_ = loaded->ecosystem;
    // Every replica in eu-west-1b/b1 except frontend#1 in eu-west-1a/a1.
    for (const auto& c : eco_.components)
      for (int r = 0; r < c.replicas.initial; ++r) {
        bool a = c.name == "frontend" && r == 1;
        plan_.assignments.push_back({c.name,
                                     r,
                                     a ? "eu-west-1a" : "eu-west-1b",
                                     a ? "a1" : "b1",
                                     "",
                                     {}});
      }
    std::string kc = (dir_ / "kubeconfig").string();
    std::ofstream(kc) << "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n"
                         "  cluster: {server: \"https://127.0.0.1:"
                      << ecotone::testing::FreeLoopbackPort()
                      << "\", insecure-skip-tls-verify: true}\n"
                         "users:\n- name: u\n  user: {token: t}\n"
                         "contexts:\n- name: c\n  context: {cluster: t, user: "
                         "u}\ncurrent-context: c\n";
    opt_.kubectl.kubeconfig = kc;
    opt_.kubectl.max_attempts = 2;
    opt_.kubectl.initial_backoff_ms = 10;
    opt_.kubectl.request_timeout_ms = 1000;
    opt_.work_dir = (dir_ / "work").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Ops(const Actuation& a) {
    std::vector<std::string> ops;
    for (const auto& c : a.calls) ops.emplace_back(OperationName(c.operation));
    return ops;
  }

  fs::path dir_;
  model::Ecosystem eco_;
  model::PlacementPlan plan_;
  ActuatorOptions opt_;
};

TEST_F(ActuatorTest, MigrateAppliesTheComponentsObjectsAndKeepsThePlan) {
  Actuator act(eco_, plan_, opt_);
  model::Action m;
  m.id = 5;
  m.kind = model::ActionKind::kMigrate;
  m.component = "cartservice";
  m.replica = 0;
  m.to = {"eu-west-1c", "c1", ""};
  auto r = act.Carry(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ops(*r), (std::vector<std::string>{"apply"}));
  const CallResult& c = r->calls[0];
  EXPECT_EQ(c.error, ErrorClass::kUnavailable) << c.err;
  EXPECT_EQ(c.attempts, 2);
  EXPECT_TRUE(std::find(c.argv.begin(), c.argv.end(), "--server-side") !=
              c.argv.end());
  EXPECT_TRUE(std::find(c.argv.begin(), c.argv.end(),
                        "--field-manager=ecotone") != c.argv.end());
  EXPECT_FALSE(r->ok());
  // The objects are on disk: cartservice now has two zone groups.
  EXPECT_TRUE(fs::exists(fs::path(r->dir) / "cartservice.deployment.yaml"));
  EXPECT_TRUE(fs::exists(fs::path(r->dir) /
                         "cartservice-eu-west-1c-c1.deployment.yaml"));
  for (const auto& f : r->files)
    EXPECT_TRUE(fs::exists(fs::path(r->dir) / f)) << f;
  // Not carried out: the plan is unchanged.
  EXPECT_EQ(act.plan(), plan_);
  auto j = r->ToJson();
  EXPECT_EQ(j["kind"], "migrate");
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["calls"][0]["error"], "unavailable");
}

TEST_F(ActuatorTest, ScaleUsesKubectlScaleForExistingWorkloads) {
  opt_.dry_run = DryRun::kServer;
  Actuator act(eco_, plan_, opt_);
  model::Action s;
  s.kind = model::ActionKind::kScale;
  s.component = "frontend";
  s.from_replicas = 3;
  s.to_replicas = 5;
  auto r = act.Carry(s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // frontend has two zone groups (1b and 1a): two scales, then one apply.
  EXPECT_EQ(Ops(*r), (std::vector<std::string>{"scale", "scale", "apply"}));
  for (const auto& c : r->calls) {
    EXPECT_TRUE(c.dry_run);
    EXPECT_TRUE(std::find(c.argv.begin(), c.argv.end(), "--dry-run=server") !=
                c.argv.end());
  }
  int total = 0;
  for (const auto& c : r->calls)
    for (const auto& a : c.argv)
      if (a.rfind("--replicas=", 0) == 0) total += std::stoi(a.substr(11));
  EXPECT_EQ(total, 5);
}

TEST_F(ActuatorTest, RollbackUndoesEveryWorkloadOfTheComponent) {
  Actuator act(eco_, plan_, opt_);
  model::Action b;
  b.kind = model::ActionKind::kRollback;
  b.component = "frontend";
  b.from_version = "v2";
  b.to_version = "v1";
  auto r = act.Carry(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Two zone groups; refused connections are retried even for undo; no
  // status wait after failed undos.
  EXPECT_EQ(Ops(*r),
            (std::vector<std::string>{"rollout-undo", "rollout-undo"}));
  for (const auto& c : r->calls) EXPECT_EQ(c.attempts, 2);
}

TEST_F(ActuatorTest, DiffModeChangesNothingAndReleaseNeedsAnIsolation) {
  opt_.diff = true;
  Actuator act(eco_, plan_, opt_);
  model::Action iso;
  iso.kind = model::ActionKind::kIsolate;
  iso.component = "redis-cart";
  iso.allow = {"cartservice"};
  auto r = act.Carry(iso);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ops(*r), (std::vector<std::string>{"diff"}));
  EXPECT_TRUE(fs::exists(fs::path(r->dir) /
                         "ecotone-isolate-redis-cart.networkpolicy.yaml"));
  model::Action rel;
  rel.kind = model::ActionKind::kRelease;
  rel.component = "redis-cart";
  auto r2 = act.Carry(rel);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->calls.empty());
  ASSERT_EQ(r2->notes.size(), 1u);  // diff never advanced: nothing isolated.
}

TEST_F(ActuatorTest, UnknownComponentIsAnError) {
  Actuator act(eco_, plan_, opt_);
  model::Action m;
  m.kind = model::ActionKind::kScale;
  m.component = "ghost";
  m.to_replicas = 2;
  auto r = act.Carry(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ecotone::kubernetes
