// The kubectl actuator calls. No Kubernetes API server is available here
// (Debian ships none; see docs/kubernetes.md), so these tests run the real
// kubectl against what exists: a 127.0.0.1 port nobody listens on
// (connection refused: classified unavailable, retried with bounded
// exponential backoff, rollout undo too since nothing reached a server) and
// a 127.0.0.1 listener that never answers (timeout: retried for idempotent
// calls, never for rollout undo). Also: exact command lines, and the
// classification of the API server's error messages as kubectl prints them.
#include "ecotone/kubernetes/kubectl.h"
#include "testing/loopback.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ecotone::kubernetes {
namespace {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ecotone_kubectl_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    manifest_ = (dir_ / "web.yaml").string();
    std::ofstream(manifest_) << R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
)";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A kubeconfig for https://127.0.0.1:PORT with a token user.
  std::string Kubeconfig(int port) {
    std::string path = (dir_ / ("kubeconfig-" + std::to_string(port))).string();
    std::ofstream(path) << "apiVersion: v1\nkind: Config\n"
                           "clusters:\n- name: t\n  cluster:\n    server: "
                           "https://127.0.0.1:"
                        << port
                        << "\n    insecure-skip-tls-verify: true\n"
                           "users:\n- name: u\n  user: {token: test}\n"
                           "contexts:\n- name: c\n  context: {cluster: t, "
                           "user: u, namespace: default}\n"
                           "current-context: c\n";
    return path;
  }

  KubectlOptions Fast(int port) {
    KubectlOptions o;
    o.kubeconfig = Kubeconfig(port);
    o.request_timeout_ms = 1000;
    o.process_timeout_ms = 20000;
    o.max_attempts = 3;
    o.initial_backoff_ms = 20;
    o.max_backoff_ms = 1000;
    return o;
  }

  fs::path dir_;
  std::string manifest_;
};

TEST_F(KubectlTest, CommandLines) {
  KubectlOptions o;
  o.kubeconfig = "/etc/ecotone/kubeconfig";
  o.context = "prod";
  o.request_timeout_ms = 30000;
  Kubectl k(o);
  const Args base = {"kubectl", "--kubeconfig=/etc/ecotone/kubeconfig",
                     "--context=prod", "--request-timeout=30s"};
  auto with = [&](Args tail) {
    Args a = base;
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
  };
  EXPECT_EQ(k.ApplyArgs(manifest_, DryRun::kNone),
            with({"apply", "--server-side", "--field-manager=ecotone", "-f",
                  manifest_}));
  EXPECT_EQ(k.ApplyArgs(dir_.string(), DryRun::kServer),
            with({"apply", "--server-side", "--field-manager=ecotone",
                  "--dry-run=server", "-f", dir_.string(), "-R"}));
  EXPECT_EQ(k.DiffArgs(manifest_),
            with({"diff", "--server-side", "--field-manager=ecotone", "-f",
                  manifest_}));
  EXPECT_EQ(k.ScaleArgs("deployment", "web", "shop", 4, DryRun::kServer),
            with({"scale", "deployment/web", "--replicas=4", "--namespace",
                  "shop", "--dry-run=server"}));
  EXPECT_EQ(k.RolloutStatusArgs("statefulset", "db", "", 90000),
            with({"rollout", "status", "statefulset/db", "--watch=true",
                  "--timeout=90s"}));
  EXPECT_EQ(k.RolloutUndoArgs("deployment", "web", "shop", 3, DryRun::kNone),
            with({"rollout", "undo", "deployment/web", "--to-revision=3",
                  "--namespace", "shop"}));
  EXPECT_EQ(
      k.DeleteArgs("networkpolicy", "ecotone-isolate-db", "shop"),
      with({"delete", "networkpolicy/ecotone-isolate-db",
            "--ignore-not-found=true", "--wait=false", "--namespace", "shop"}));
  o.force_conflicts = true;
  o.kubeconfig.clear();
  o.context.clear();
  o.request_timeout_ms = 1500;
  EXPECT_EQ(
      Kubectl(o).ApplyArgs(manifest_, DryRun::kNone),
      (Args{"kubectl", "--request-timeout=1500ms", "apply", "--server-side",
            "--field-manager=ecotone", "--force-conflicts", "-f", manifest_}));
}

// stderr as kubectl prints the API server's Status and transport errors.
TEST(Classify, ServerAndTransportErrors) {
  struct {
    const char* err;
    ErrorClass want;
  } cases[] = {
      {"Error from server (Forbidden): deployments.apps \"web\" is forbidden: "
       "User \"system:serviceaccount:ecotone:ecotone\" cannot patch resource "
       "\"deployments\" in API group \"apps\" in the namespace \"shop\"",
       ErrorClass::kForbidden},
      {"Error from server (NotFound): deployments.apps \"web\" not found",
       ErrorClass::kNotFound},
      {"error: the server doesn't have a resource type \"deploymentz\"",
       ErrorClass::kNotFound},
      {"Error from server (Conflict): Operation cannot be fulfilled on "
       "deployments.apps \"web\": the object has been modified; please apply "
       "your changes to the latest version and try again",
       ErrorClass::kConflict},
      {"error: Apply failed with 1 conflict: conflict with "
       "\"kubectl-client-side-apply\" using apps/v1: .spec.replicas\nPlease "
       "review the fields above--they currently have other managers.",
       ErrorClass::kFieldConflict},
      {"Error from server (Timeout): the server was unable to return a "
       "response in the time allotted",
       ErrorClass::kTimeout},
      {"Unable to connect to the server: context deadline exceeded",
       ErrorClass::kTimeout},
      {"Unable to connect to the server: net/http: TLS handshake timeout",
       ErrorClass::kTimeout},
      {"The connection to the server 127.0.0.1:6443 was refused - did you "
       "specify the right host or port?",
       ErrorClass::kUnavailable},
      {"Error from server (ServiceUnavailable): the server is currently "
       "unable to handle the request",
       ErrorClass::kUnavailable},
      {"Error from server (TooManyRequests): the server has received too many "
       "requests and has asked us to try again later",
       ErrorClass::kUnavailable},
      {"The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: "
       "must be greater than or equal to 0",
       ErrorClass::kInvalid},
      {"error: timed out waiting for the condition",
       ErrorClass::kRolloutStalled},
      {"error: deployment \"web\" exceeded its progress deadline",
       ErrorClass::kRolloutStalled},
      {"something nobody expected", ErrorClass::kOther},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ClassifyKubectlError(1, c.err), c.want) << c.err;
  EXPECT_EQ(ClassifyKubectlError(0, "warning: anything"), ErrorClass::kNone);
}

TEST(Classify, RetriesOnlyWhereSafe) {
  const std::string refused = "The connection to the server x was refused";
  const std::string reset = "read: connection reset by peer";
  for (Operation op : {Operation::kApply, Operation::kDiff, Operation::kScale,
                       Operation::kRolloutStatus, Operation::kDelete}) {
    EXPECT_TRUE(RetryIsSafe(op, ErrorClass::kTimeout, ""));
    EXPECT_TRUE(RetryIsSafe(op, ErrorClass::kUnavailable, reset));
    EXPECT_TRUE(RetryIsSafe(op, ErrorClass::kConflict, ""));
    EXPECT_FALSE(RetryIsSafe(op, ErrorClass::kForbidden, ""));
    EXPECT_FALSE(RetryIsSafe(op, ErrorClass::kNotFound, ""));
    EXPECT_FALSE(RetryIsSafe(op, ErrorClass::kFieldConflict, ""));
    EXPECT_FALSE(RetryIsSafe(op, ErrorClass::kInvalid, ""));
    EXPECT_FALSE(RetryIsSafe(op, ErrorClass::kRolloutStalled, ""));
  }
  EXPECT_FALSE(RetryIsSafe(Operation::kRolloutUndo, ErrorClass::kTimeout, ""));
  EXPECT_FALSE(
      RetryIsSafe(Operation::kRolloutUndo, ErrorClass::kUnavailable, reset));
  EXPECT_TRUE(
      RetryIsSafe(Operation::kRolloutUndo, ErrorClass::kUnavailable, refused));
  EXPECT_TRUE(RetryIsSafe(Operation::kRolloutUndo, ErrorClass::kConflict, ""));
}

TEST_F(KubectlTest, RefusedPortIsUnavailableAndRetriedWithBackoff) {
  Kubectl k(Fast(ecotone::testing::FreeLoopbackPort()));
  CallResult r = k.Apply(manifest_, DryRun::kNone);
  EXPECT_EQ(r.error, ErrorClass::kUnavailable) << r.err;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.backoff_ms, (std::vector<int64_t>{20, 40}));
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
  EXPECT_FALSE(r.changed);
  // The audit record keeps everything.
  auto j = r.ToJson();
  EXPECT_EQ(j["operation"], "apply");
  EXPECT_EQ(j["error"], "unavailable");
  EXPECT_EQ(j["attempts"], 3);
  EXPECT_EQ(j["argv"][0], "kubectl");
  EXPECT_FALSE(j["stderr"].get<std::string>().empty());

  // Nothing reached a server: even undo may be retried.
  CallResult u = k.RolloutUndo("deployment", "web", "shop", 0, DryRun::kNone);
  EXPECT_EQ(u.error, ErrorClass::kUnavailable) << u.err;
  EXPECT_EQ(u.attempts, 3);
  CallResult s = k.Scale("deployment", "web", "shop", 3, DryRun::kServer);
  EXPECT_EQ(s.error, ErrorClass::kUnavailable) << s.err;
  EXPECT_TRUE(s.dry_run);
  EXPECT_EQ(s.attempts, 3);
}

TEST_F(KubectlTest, SilentServerTimesOutRetriedOnlyWhenIdempotent) {
  ecotone::testing::SilentListener server;
  ASSERT_GT(server.port(), 0);
  KubectlOptions o = Fast(server.port());
  o.process_timeout_ms = 1500;  // kill kubectl before its own retries end.
  o.max_attempts = 2;
  Kubectl k(o);
  CallResult r = k.Scale("deployment", "web", "shop", 3, DryRun::kNone);
  EXPECT_EQ(r.error, ErrorClass::kTimeout) << r.err;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.backoff_ms, (std::vector<int64_t>{20}));
  CallResult u = k.RolloutUndo("deployment", "web", "shop", 0, DryRun::kNone);
  EXPECT_EQ(u.error, ErrorClass::kTimeout) << u.err;
  EXPECT_EQ(u.attempts, 1);  // an undo may have happened: never repeated.
  EXPECT_TRUE(u.backoff_ms.empty());
}

TEST_F(KubectlTest, BackoffIsExponentialAndCapped) {
  KubectlOptions o = Fast(ecotone::testing::FreeLoopbackPort());
  o.max_attempts = 5;
  o.initial_backoff_ms = 10;
  o.max_backoff_ms = 30;
  std::vector<int64_t> slept;
  o.sleep_ms = [&](int64_t ms) { slept.push_back(ms); };
  CallResult r = Kubectl(o).RolloutStatus("deployment", "web", "", 5000);
  EXPECT_EQ(r.error, ErrorClass::kUnavailable) << r.err;
  EXPECT_EQ(r.attempts, 5);
  EXPECT_EQ(slept, (std::vector<int64_t>{10, 20, 30, 30}));
  EXPECT_EQ(r.backoff_ms, slept);
}

TEST_F(KubectlTest, MissingKubectlIsReportedNotDropped) {
  KubectlOptions o = Fast(ecotone::testing::FreeLoopbackPort());
  o.kubectl = (dir_ / "no-such-kubectl").string();
  CallResult r = Kubectl(o).Apply(manifest_, DryRun::kServer);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, ErrorClass::kOther);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.err.find("cannot start"), std::string::npos) << r.err;
}

TEST(RunProcess, CapturesOutputsAndExitCode) {
  ProcessResult p =
      RunProcess({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5000);
  EXPECT_EQ(p.exit_code, 3);
  EXPECT_EQ(p.out, "out\n");
  EXPECT_EQ(p.err, "err\n");
  EXPECT_FALSE(p.timed_out);
  ProcessResult slow = RunProcess({"sleep", "5"}, 200);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_EQ(slow.exit_code, -1);
}

}  // namespace
}  // namespace ecotone::kubernetes
