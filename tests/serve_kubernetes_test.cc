// `ecotone serve --actuator kubernetes` as a real process with the real
// kubectl (issue 7). No Kubernetes API server exists here, so the kubeconfig
// points at 127.0.0.1 ports that refuse connections or accept them and never
// answer: the test checks that the engine's actions reach kubectl, that each
// failed call (argv, error class, attempts, backoff) is stored with its
// action in the audit log (GET /v1/ecosystems/{name}/actions, field
// `actuation`), that nothing failed is counted as applied and that the
// committed plan stays where the cluster is.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "serve_harness.h"

namespace ecotone::testing {
namespace {

using nlohmann::json;

const std::string kExamples = std::string(ECOTONE_SOURCE_DIR) + "/examples/";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json J(const HttpReply& r) {
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

bool Eventually(const std::function<bool()>& pred, int tenths = 1200) {
  for (int i = 0; i < tenths; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string WriteKubeconfig(const std::string& dir, int port) {
  std::string path = dir + "/kubeconfig";
  std::ofstream(path) << "apiVersion: v1\nkind: Config\nclusters:\n"
                         "- name: test\n  cluster:\n    server: https://127.0.0.1:"
                      << port
                      << "\n    insecure-skip-tls-verify: true\n"
                         "users:\n- name: test\n  user:\n    token: t\n"
                         "contexts:\n- name: test\n  context: {cluster: test, "
                         "user: test, namespace: shop}\n"
                         "current-context: test\n";
  return path;
}

struct Outcome {
  json plan;     // the plan committed over the API before the event.
  json actions;  // the audit log after the event.
  json latest;   // the latest plan afterwards.
};

// Puts `manifest` as ecosystem "shop", commits a plan, fails the zone of
// its first replica and waits until the audit log holds an action.
Outcome FailAZone(ServeProcess& s, const std::string& manifest) {
  Outcome o;
  const std::string v1 = s.url() + "/v1";
  EXPECT_EQ(Http("PUT", v1 + "/ecosystems/shop", s.token(),
                 Slurp(kExamples + manifest), "application/yaml")
                .status,
            201);
  HttpReply plan = Http("POST", v1 + "/ecosystems/shop/plan", s.token());
  EXPECT_EQ(plan.status, 201) << plan.body;
  o.plan = J(plan);
  std::string zone = o.plan["assignments"][0]["zone"];
  HttpReply ev = Http("POST", v1 + "/events", s.token(),
                      json{{"kind", "hardware"},
                           {"ecosystem", "shop"},
                           {"hardware", {{"zone", zone}, {"change", "failed"}}}}
                          .dump());
  EXPECT_EQ(ev.status, 202) << ev.body;
  EXPECT_TRUE(Eventually([&] {
    o.actions =
        J(Http("GET", v1 + "/ecosystems/shop/actions", s.token()))["actions"];
    return !o.actions.empty();
  })) << s.Log();
  o.latest = J(Http("GET", v1 + "/ecosystems/shop/plan", s.token()));
  return o;
}

bool HasArg(const json& argv, const std::string& arg) {
  for (const auto& a : argv)
    if (a == arg) return true;
  return false;
}

TEST(ServeKubernetes, RefusedApiServerEveryCallFailureIsInTheAuditLog) {
  // A port nothing listens on: connection refused.
  const int port = FreeLoopbackPort();
  char tmpl[] = "/tmp/ecotone_kube_test.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string kubeconfig = WriteKubeconfig(dir, port);
  ServeProcess s({"--infra", kExamples + "infra-3zones.yaml", "--actuator",
                  "kubernetes", "--kubeconfig", kubeconfig, "--kube-dry-run",
                  "server", "--namespace", "shop", "--kube-max-attempts", "2",
                  "--kube-request-timeout", "5s"},
                 dir);
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  Outcome o = FailAZone(s, "boutique.yaml");
  ASSERT_FALSE(o.actions.empty());
  for (const auto& a : o.actions) {
    SCOPED_TRACE(a.dump());
    const std::string result = a["result"];
    EXPECT_EQ(result.rfind("failed:", 0), 0u);
    const json& act = a["actuation"];
    ASSERT_TRUE(act.is_object());
    EXPECT_EQ(act["ok"], false);
    EXPECT_EQ(act["kind"], a["kind"]);
    EXPECT_EQ(act["component"], a["subject"]);
    ASSERT_FALSE(act["calls"].empty());
    for (const auto& c : act["calls"]) {
      EXPECT_EQ(c["argv"][0], "kubectl");
      EXPECT_TRUE(HasArg(c["argv"], "--kubeconfig=" + kubeconfig) ||
                  HasArg(c["argv"], kubeconfig));
      if (c["operation"] == "apply" || c["operation"] == "scale") {
        EXPECT_TRUE(HasArg(c["argv"], "--dry-run=server"));
      }
      EXPECT_EQ(c["error"], "unavailable");
      // Refused never reached the server: retried up to the limit.
      EXPECT_EQ(c["attempts"], 2);
      EXPECT_EQ(c["backoff_ms"].size(), 1u);
      EXPECT_NE(c["stderr"].get<std::string>().find("refused"),
                std::string::npos);
    }
    EXPECT_TRUE(a["plan_id"].is_null());
  }
  // Nothing reached the cluster: the engine committed no plan.
  EXPECT_EQ(o.latest["plan_id"], o.plan["plan_id"]);
  HttpReply metrics = Http("GET", s.url() + "/metrics");
  EXPECT_NE(metrics.body.find("result=\"failed\""), std::string::npos);
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_directory(s.db() + ".kubernetes", ec));
  s.Kill(SIGTERM);
  std::filesystem::remove_all(dir, ec);
}

// Components read from Kubernetes manifests are carried out as partial
// objects of the user's own workloads, which `--kube-manifests` provides.
TEST(ServeKubernetes, UsersOwnWorkloadsArePatchedFromKubeManifests) {
  const int port = FreeLoopbackPort();
  char tmpl[] = "/tmp/ecotone_kube_test.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string kubeconfig = WriteKubeconfig(dir, port);
  const std::string manifest = "manifests/online-boutique/kubernetes-manifests.yaml";
  ServeProcess s({"--infra", kExamples + "infra-3zones.yaml", "--actuator", "kubernetes",
                  "--kubeconfig", kubeconfig, "--kube-dry-run", "server",
                  "--kube-manifests", kExamples + manifest, "--kube-max-attempts", "1",
                  "--kube-request-timeout", "5s"},
                 dir);
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  Outcome o = FailAZone(s, manifest);
  ASSERT_FALSE(o.actions.empty());
  for (const auto& a : o.actions) {
    SCOPED_TRACE(a.dump());
    const json& act = a["actuation"];
    ASSERT_TRUE(act.is_object());
    // The objects were emitted (the user's workload found) and kubectl ran;
    // only the unreachable cluster failed them.
    ASSERT_FALSE(act["calls"].empty());
    bool patch = false;
    for (const auto& f : act["files"])
      patch = patch || f.get<std::string>().rfind("patches/", 0) == 0;
    EXPECT_TRUE(patch) << "no partial object of the user's workload";
    for (const auto& c : act["calls"]) EXPECT_EQ(c["error"], "unavailable");
  }
  s.Kill(SIGTERM);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(ServeKubernetes, SilentApiServerTimesOutAndIsRecorded) {
  SilentListener silent;
  char tmpl[] = "/tmp/ecotone_kube_test.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string kubeconfig = WriteKubeconfig(dir, silent.port());
  ServeProcess s({"--infra", kExamples + "infra-3zones.yaml", "--actuator",
                  "kubernetes", "--kubeconfig", kubeconfig,
                  "--kube-max-attempts", "2", "--kube-request-timeout", "1s"},
                 dir);
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  // One component, one replica: one action. Each attempt of each call takes
  // about 5 s here (kubectl retries discovery itself).
  Outcome o = FailAZone(s, "minimal.yaml");
  ASSERT_FALSE(o.actions.empty());
  const json& a = o.actions[0];
  SCOPED_TRACE(a.dump());
  EXPECT_EQ(a["result"].get<std::string>().rfind("failed:", 0), 0u);
  const json& act = a["actuation"];
  ASSERT_TRUE(act.is_object());
  EXPECT_EQ(act["ok"], false);
  ASSERT_FALSE(act["calls"].empty());
  const json& c = act["calls"][0];
  EXPECT_FALSE(HasArg(c["argv"], "--dry-run=server"));
  EXPECT_TRUE(HasArg(c["argv"], "--request-timeout=1s") ||
              HasArg(c["argv"], "--request-timeout=1000ms"))
      << c["argv"].dump();
  // A request that may have reached the server and got no answer: apply is
  // idempotent, so it is retried.
  EXPECT_EQ(c["error"], "timeout");
  EXPECT_EQ(c["attempts"], 2);
  EXPECT_EQ(o.latest["plan_id"], o.plan["plan_id"]);
  s.Kill(SIGTERM);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(ServeKubernetes, BadFlagCombinationsAreUsageErrors) {
  char tmpl[] = "/tmp/ecotone_kube_test.XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/token") << "tok\n";
  auto run = [&](const std::string& flags) {
    std::string cmd = EcotoneBin() + " serve --db " + dir +
                      "/e.db --listen 127.0.0.1:0 --token-file " + dir +
                      "/token " + flags + " >/dev/null 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(run("--actuator kubernetes"), 2);  // no --kubeconfig
  EXPECT_EQ(run("--actuator kubernetes --kubeconfig " + dir + "/missing"), 2);
  EXPECT_EQ(run("--kubeconfig " + dir + "/token"), 2);  // not kubernetes
  EXPECT_EQ(run("--actuator kubernetes --kubeconfig " + dir +
                "/token --kube-dry-run client"),
            2);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ecotone::testing
