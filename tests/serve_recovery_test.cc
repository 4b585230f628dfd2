// Nothing lost (issue 6): events a daemon accepted (202, stored) but had not
// yet run through the engine when it was killed are run after a restart.
// A real `ecotone serve` is held between accept and decide by its real
// Kubernetes actuator: kubectl waits on a loopback port that accepts
// connections and never answers, so the first event's decision is still in
// flight when a second event is accepted; then SIGKILL. The restarted
// process (sim actuator) runs both, and every stored event ends marked
// processed with its actions in the audit log.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
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

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 600; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int64_t SqlInt(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

std::string HardwareEvent(const std::string& zone, const std::string& change) {
  return json{{"kind", "hardware"},
              {"ecosystem", "shop"},
              {"hardware", {{"zone", zone}, {"change", change}}}}
      .dump();
}

TEST(ServeRecovery, SigkillBetweenAcceptAndDecideRunsTheEventsAfterRestart) {
  // A port that completes TCP handshakes and never answers.
  int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(silent, 64), 0);
  socklen_t len = sizeof a;
  getsockname(silent, reinterpret_cast<sockaddr*>(&a), &len);
  char tmpl[] = "/tmp/ecotone_recovery_test.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string kubeconfig = dir + "/kubeconfig";
  std::ofstream(kubeconfig)
      << "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n"
         "    server: https://127.0.0.1:"
      << ntohs(a.sin_port)
      << "\n    insecure-skip-tls-verify: true\nusers:\n- name: t\n  user: "
         "{token: t}\ncontexts:\n- name: t\n  context: {cluster: t, user: "
         "t}\ncurrent-context: t\n";
  const std::string infra = kExamples + "infra-3zones.yaml";

  int64_t first = 0, second = 0;
  std::string db;
  {
    ServeProcess s({"--infra", infra, "--actuator", "kubernetes",
                    "--kubeconfig", kubeconfig, "--kube-max-attempts", "1",
                    "--kube-request-timeout", "5s"},
                   dir);
    std::string err;
    ASSERT_TRUE(s.Start(&err)) << err;
    db = s.db();
    const std::string v1 = s.url() + "/v1";
    ASSERT_EQ(Http("PUT", v1 + "/ecosystems/shop", s.token(),
                   Slurp(kExamples + "boutique.yaml"), "application/yaml")
                  .status,
              201);
    HttpReply plan = Http("POST", v1 + "/ecosystems/shop/plan", s.token());
    ASSERT_EQ(plan.status, 201) << plan.body;
    const std::string zone = J(plan)["assignments"][0]["zone"];
    HttpReply e1 =
        Http("POST", v1 + "/events", s.token(), HardwareEvent(zone, "failed"));
    ASSERT_EQ(e1.status, 202) << e1.body;
    first = J(e1)["ids"][0];
    // The engine decided and the actuator is inside kubectl: the objects of
    // the first action are written before kubectl runs.
    const std::string work = db + ".kubernetes";
    ASSERT_TRUE(Eventually([&] {
      std::error_code ec;
      for (const auto& d : std::filesystem::directory_iterator(work, ec))
        if (d.path().filename().string().rfind(
                "event-" + std::to_string(first) + "-", 0) == 0)
          return true;
      return false;
    })) << s.Log();
    HttpReply e2 = Http("POST", v1 + "/events", s.token(),
                        HardwareEvent(zone, "recovered"));
    ASSERT_EQ(e2.status, 202) << e2.body;
    second = J(e2)["ids"][0];
    EXPECT_EQ(s.Kill(SIGKILL), 128 + SIGKILL);
  }
  // Both accepted, neither decided.
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM events WHERE processed = 0"), 2);
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM actions"), 0);
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM plans"), 1);

  ServeProcess again({"--infra", infra, "--actuator", "sim"}, dir);
  std::string err;
  ASSERT_TRUE(again.Start(&err)) << err;
  json actions;
  ASSERT_TRUE(Eventually([&] {
    return SqlInt(db, "SELECT COUNT(*) FROM events WHERE processed = 0") == 0;
  })) << again.Log();
  actions = J(Http("GET", again.url() + "/v1/ecosystems/shop/actions",
                   again.token()))["actions"];
  ASSERT_FALSE(actions.empty()) << again.Log();
  for (const auto& x : actions) {
    EXPECT_TRUE(x["event_id"] == first || x["event_id"] == second) << x.dump();
    EXPECT_EQ(x["result"].get<std::string>().rfind("applied:", 0), 0u)
        << x.dump();
  }
  EXPECT_EQ(actions[0]["event_id"], first);
  // The zone failure's migrations were committed as a child plan.
  EXPECT_GE(SqlInt(db, "SELECT COUNT(*) FROM plans"), 2);
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM actions WHERE plan_id IS NULL"),
            0);
  EXPECT_NE(again.Log().find("running 2 stored event(s) not yet processed"),
            std::string::npos)
      << again.Log();
  // A second restart has nothing left to run and repeats nothing.
  const int64_t count = SqlInt(db, "SELECT COUNT(*) FROM actions");
  EXPECT_EQ(again.Kill(SIGTERM), 0);
  ServeProcess third({"--infra", infra, "--actuator", "sim"}, dir);
  ASSERT_TRUE(third.Start(&err)) << err;
  EXPECT_EQ(third.Kill(SIGTERM), 0);
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM actions"), count);
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM events WHERE processed = 0"), 0);
  EXPECT_EQ(third.Log().find("running 2 stored"),
            third.Log().rfind("running 2 stored"));  // only the 2nd start's.
  close(silent);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// The plan race over HTTP: two daemons on one SQLite file (the store allows
// several processes) compute plans of one ecosystem at the same moment from
// the same latest plan. The store's compare-and-set lets one commit; the
// other answers 409 and stores nothing, so the plan history stays a chain
// (no two plans share a parent).
TEST(ServeRace, TwoDaemonsPlanningAtOnceKeepTheHistoryAChain) {
  char tmpl[] = "/tmp/ecotone_race_test.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string infra = kExamples + "infra-3zones.yaml";
  ServeProcess a({"--infra", infra, "--policy", "none"}, dir);
  ServeProcess b({"--infra", infra, "--policy", "none"}, dir);
  std::string err;
  ASSERT_TRUE(a.Start(&err)) << err;
  ASSERT_TRUE(b.Start(&err)) << err;
  ASSERT_EQ(Http("PUT", a.url() + "/v1/ecosystems/shop", a.token(),
                 Slurp(kExamples + "boutique.yaml"), "application/yaml")
                .status,
            201);
  ASSERT_EQ(Http("POST", a.url() + "/v1/ecosystems/shop/plan", a.token()).status,
            201);
  int created = 1, conflicts = 0;
  for (int round = 0; round < 8; ++round) {
    HttpReply ra, rb;
    std::thread ta([&] {
      ra = Http("POST", a.url() + "/v1/ecosystems/shop/plan", a.token());
    });
    std::thread tb([&] {
      rb = Http("POST", b.url() + "/v1/ecosystems/shop/plan", b.token());
    });
    ta.join();
    tb.join();
    for (const HttpReply* r : {&ra, &rb}) {
      ASSERT_TRUE(r->status == 201 || r->status == 409) << r->body;
      if (r->status == 201) {
        ++created;
      } else {
        ++conflicts;
        EXPECT_NE(r->body.find("plan conflict"), std::string::npos) << r->body;
      }
    }
    EXPECT_TRUE(ra.status == 201 || rb.status == 201);
  }
  json h = J(Http("GET", a.url() + "/v1/ecosystems/shop/plan?history=1",
                  a.token()))["history"];
  ASSERT_EQ(static_cast<int>(h.size()), created);
  for (size_t i = 1; i < h.size(); ++i)
    EXPECT_EQ(h[i]["parent_id"], h[i - 1]["plan_id"]) << h.dump();
  std::cerr << "plan race: " << created << " created, " << conflicts
            << " conflicts (409) in 8 rounds of 2\n";
  EXPECT_EQ(a.Kill(SIGTERM), 0);
  EXPECT_EQ(b.Kill(SIGTERM), 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ecotone::testing
