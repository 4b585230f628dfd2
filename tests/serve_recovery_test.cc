// Nothing lost (issue 6): events a daemon accepted (202, stored) but had not
// yet run through the engine when it was killed are run after a restart.
// A real `ecotone serve` is held between accept and decide by its real
// Kubernetes actuator: kubectl waits on a loopback port that accepts
// connections and never answers, so the first event's decision is still in
// flight when a second event is accepted; then SIGKILL. The restarted
// process (sim actuator) runs both, and every stored event ends marked
// processed with its actions in the audit log.
// ServeMemory: the engine's memory (cooldown clocks, isolation) survives a
// SIGKILL, a new plan and a graceful restart.
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

// PUTs the Online Boutique as ecosystem "shop" and plans it; *zone (when
// given) is the zone of the plan's first assignment.
void PutAndPlanShop(const ServeProcess& s, std::string* zone) {
  const std::string v1 = s.url() + "/v1";
  ASSERT_EQ(Http("PUT", v1 + "/ecosystems/shop", s.token(),
                 Slurp(kExamples + "boutique.yaml"), "application/yaml")
                .status,
            201);
  HttpReply plan = Http("POST", v1 + "/ecosystems/shop/plan", s.token());
  ASSERT_EQ(plan.status, 201) << plan.body;
  if (zone != nullptr) *zone = J(plan)["assignments"][0]["zone"];
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
    std::string zone;
    ASSERT_NO_FATAL_FAILURE(PutAndPlanShop(s, &zone));
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

namespace ecotone::testing {
namespace {

std::string Metrics(const std::vector<std::pair<std::string, double>>& rps) {
  json m = json::array();
  for (const auto& [c, v] : rps)
    m.push_back({{"component", c}, {"requests_per_s", v}});
  return json{{"kind", "metrics"}, {"ecosystem", "shop"}, {"metrics", m}}
      .dump();
}

std::string SqlText(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string v;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr)
      v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

// Posts an event and waits until the engine has run it (marked processed).
int64_t PostAndRun(const ServeProcess& s, const std::string& body) {
  HttpReply r = Http("POST", s.url() + "/v1/events", s.token(), body);
  EXPECT_EQ(r.status, 202) << r.body;
  if (r.status != 202) return 0;
  const int64_t id = J(r)["ids"][0];
  EXPECT_TRUE(Eventually([&] {
    return SqlInt(s.db(), "SELECT processed FROM events WHERE id = " +
                              std::to_string(id)) == 1;
  })) << s.Log();
  return id;
}

int64_t ActionsOf(const std::string& db, int64_t event_id) {
  return SqlInt(db, "SELECT COUNT(*) FROM actions WHERE event_id = " +
                        std::to_string(event_id));
}

json ComponentMemory(const std::string& db, const std::string& name) {
  json j = json::parse(
      SqlText(db,
              "SELECT state FROM engine_memory m JOIN ecosystems e ON "
              "e.id = m.ecosystem_id WHERE e.name = 'shop'"),
      nullptr, false);
  if (j.is_discarded() || !j.contains("components")) return json();
  for (const auto& c : j["components"])
    if (c["name"] == name) return c;
  return json();
}

// The engine's memory survives restarts (docs/serve.md, "Engine memory"):
// a real `ecotone serve` (sim actuator) scales frontend out on a load event
// and quarantines cartservice on a medium security alert, and is killed
// with SIGKILL (so what it stored at each step counts, not a shutdown). A
// restarted process on the same file then refuses to scale frontend again
// within its scale-out cooldown (3 min; the load would call for it without
// the clock: 800 rps on 5 × 120) and does not scale the isolated
// cartservice however loaded (2000 rps on 2 × 250). A plan POSTed over the
// API keeps the quarantine (the plan-independent part of the memory), and
// a third start after SIGTERM still has it.
TEST(ServeMemory, CooldownAndIsolationSurviveRestartsAndNewPlans) {
  char tmpl[] = "/tmp/ecotone_memory_test.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string infra = kExamples + "infra-3zones.yaml";
  const std::vector<std::string> flags = {"--infra", infra,        "--actuator",
                                          "sim",     "--interval", "1h"};
  std::string db, err;
  {
    ServeProcess s(flags, dir);
    ASSERT_TRUE(s.Start(&err)) << err;
    db = s.db();
    ASSERT_NO_FATAL_FAILURE(PutAndPlanShop(s, nullptr));
    int64_t load = PostAndRun(s, Metrics({{"frontend", 600}}));
    ASSERT_EQ(SqlInt(db,
                     "SELECT COUNT(*) FROM actions WHERE kind = 'scale' "
                     "AND subject = 'frontend' AND event_id = " +
                         std::to_string(load)),
              1)
        << s.Log();
    int64_t alert = PostAndRun(
        s,
        json{{"kind", "security-alert"},
             {"ecosystem", "shop"},
             {"alert", {{"component", "cartservice"}, {"severity", "medium"}}}}
            .dump());
    ASSERT_EQ(SqlInt(db,
                     "SELECT COUNT(*) FROM actions WHERE kind = 'isolate' "
                     "AND subject = 'cartservice' AND event_id = " +
                         std::to_string(alert)),
              1)
        << s.Log();
    EXPECT_EQ(s.Kill(SIGKILL), 128 + SIGKILL);
  }
  // What was stored at each step: the clock and the quarantine.
  json frontend = ComponentMemory(db, "frontend");
  json cart = ComponentMemory(db, "cartservice");
  ASSERT_FALSE(frontend.is_null())
      << SqlText(db, "SELECT state FROM engine_memory");
  EXPECT_TRUE(frontend["last_scale_out_us"].is_number_integer());
  EXPECT_EQ(frontend["replicas"].size(), 5u);
  EXPECT_EQ(cart["isolated"], true);
  EXPECT_EQ(SqlInt(db,
                   "SELECT m.plan_id = (SELECT MAX(id) FROM plans) FROM "
                   "engine_memory m"),
            1);

  ServeProcess again(flags, dir);
  ASSERT_TRUE(again.Start(&err)) << err;
  const int64_t before = SqlInt(db, "SELECT COUNT(*) FROM actions");
  int64_t load =
      PostAndRun(again, Metrics({{"frontend", 800}, {"cartservice", 2000}}));
  EXPECT_EQ(ActionsOf(db, load), 0) << again.Log();
  EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM actions"), before) << again.Log();
  EXPECT_NE(again.Log().find("restored the engine memory of 'shop' (all of it"),
            std::string::npos)
      << again.Log();

  // A new plan from the API: the state is rebuilt from it, and the
  // quarantine is kept.
  ASSERT_EQ(
      Http("POST", again.url() + "/v1/ecosystems/shop/plan", again.token())
          .status,
      201);
  load = PostAndRun(again, Metrics({{"cartservice", 2000}}));
  EXPECT_EQ(ActionsOf(db, load), 0) << again.Log();
  EXPECT_NE(again.Log().find("restored the engine memory of 'shop' (the part "
                             "that does not depend on the plan"),
            std::string::npos)
      << again.Log();
  EXPECT_EQ(again.Kill(SIGTERM), 0);
  EXPECT_EQ(ComponentMemory(db, "cartservice")["isolated"], true);

  // Third start, after a graceful stop: still quarantined; the memory
  // describes the API's plan now.
  ServeProcess third(flags, dir);
  ASSERT_TRUE(third.Start(&err)) << err;
  load = PostAndRun(third, Metrics({{"cartservice", 2000}}));
  EXPECT_EQ(ActionsOf(db, load), 0) << third.Log();
  EXPECT_NE(third.Log().find("restored the engine memory of 'shop' (all of it"),
            std::string::npos)
      << third.Log();
  // Control: an uncapped, unisolated component with the same overload is
  // scaled by this very process (the engine runs; only memory holds it back).
  load = PostAndRun(third, Metrics({{"productcatalogservice", 4000}}));
  EXPECT_EQ(SqlInt(db,
                   "SELECT COUNT(*) FROM actions WHERE kind = 'scale' AND "
                   "subject = 'productcatalogservice' AND event_id = " +
                       std::to_string(load)),
            1)
      << third.Log();
  EXPECT_EQ(third.Kill(SIGTERM), 0);
  EXPECT_TRUE(third.Log().find("cannot") == std::string::npos) << third.Log();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Processed events a stored memory does not include are observed again when
// the state is built: here a zone failure accepted (and marked processed)
// by a daemon started without --infra, whose engine does not run.
TEST(ServeMemory, ProcessedEventsTheMemoryMissesAreObservedAgain) {
  char tmpl[] = "/tmp/ecotone_memory_test.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string infra = kExamples + "infra-3zones.yaml";
  std::string db, err, zone;
  {
    ServeProcess s({"--infra", infra, "--interval", "1h"}, dir);
    ASSERT_TRUE(s.Start(&err)) << err;
    db = s.db();
    ASSERT_NO_FATAL_FAILURE(PutAndPlanShop(s, &zone));
    PostAndRun(s, Metrics({{"frontend", 100}}));
    EXPECT_EQ(s.Kill(SIGTERM), 0);
  }
  const int64_t stored_through =
      SqlInt(db, "SELECT event_id FROM engine_memory");
  ASSERT_GT(stored_through, 0);
  int64_t failure = 0;
  {
    ServeProcess blind({"--interval", "1h"}, dir);  // no --infra: no engine.
    ASSERT_TRUE(blind.Start(&err)) << err;
    failure = PostAndRun(blind, HardwareEvent(zone, "failed"));
    EXPECT_EQ(blind.Kill(SIGTERM), 0);
  }
  ASSERT_GT(failure, stored_through);
  EXPECT_EQ(SqlInt(db, "SELECT event_id FROM engine_memory"), stored_through);

  ServeProcess again({"--infra", infra, "--interval", "1h", "--policy", "none"},
                     dir);
  ASSERT_TRUE(again.Start(&err)) << err;
  // The first tick builds the state; its memory is stored again with the
  // failure included.
  ASSERT_TRUE(Eventually([&] {
    return SqlInt(db, "SELECT event_id FROM engine_memory") == failure;
  })) << again.Log();
  EXPECT_NE(again.Log().find("1 later event(s) observed again"),
            std::string::npos)
      << again.Log();
  json memory = json::parse(SqlText(db, "SELECT state FROM engine_memory"),
                            nullptr, false);
  ASSERT_FALSE(memory.is_discarded());
  bool failed = false;
  for (const auto& c : memory["capacity"])
    if (c["zone"] == zone && c["rack"] == "" && c["host"] == "")
      failed = c["state"] == "failed";
  EXPECT_TRUE(failed) << memory["capacity"].dump();
  EXPECT_EQ(memory["last_hardware_us"].is_number_integer(), true);
  EXPECT_EQ(again.Kill(SIGTERM), 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ecotone::testing
