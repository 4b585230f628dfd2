// `ecotone serve` as a real process (tests/serve_harness.h) driven over HTTP
// with libcurl: the API end to end on real manifests, bad input, concurrent
// writers, SIGKILL in the middle of a stream of writes, SIGTERM, restart,
// the control loop fed by a real Prometheus, and a small load run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <set>

#include "serve_harness.h"

namespace ecotone::testing {
namespace {

using nlohmann::json;

const std::string kExamples = std::string(ECOTONE_SOURCE_DIR) + "/examples/";
const std::string kBoutiqueK8s =
    std::string(ECOTONE_SHARED_DATA) +
    "/manifests/online-boutique/kubernetes-manifests.yaml";
const std::string kVoting = std::string(ECOTONE_SHARED_DATA) +
                            "/manifests/example-voting-app/docker-compose.yml";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json J(const HttpReply& r) {
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

// Read-only queries on the daemon's SQLite file.
class Db {
 public:
  explicit Db(const std::string& path) {
    EXPECT_EQ(
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr),
        SQLITE_OK);
  }
  ~Db() { sqlite3_close(db_); }
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out.push_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(st);
    return out;
  }
  int64_t Count(const std::string& table) {
    auto c = Column("SELECT COUNT(*) FROM " + table);
    return c.empty() ? -1 : std::stoll(c[0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string HardwareEvent(const std::string& eco, const std::string& zone,
                          const std::string& change) {
  return json{{"kind", "hardware"},
              {"ecosystem", eco},
              {"hardware", {{"zone", zone}, {"change", change}}}}
      .dump();
}

// Waits up to ~20 s for pred().
bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ServeApi, ManifestsPlansEventsAndActionsEndToEnd) {
  ServeProcess s(
      {"--infra", kExamples + "infra-3zones.yaml", "--interval", "200ms"});
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  const std::string v1 = s.url() + "/v1";
  const std::string& tok = s.token();

  // Two versions of the native boutique manifest, one Kubernetes import.
  HttpReply put1 = Http("PUT", v1 + "/ecosystems/shop", tok,
                        Slurp(kExamples + "boutique.yaml"), "application/yaml");
  ASSERT_EQ(put1.status, 201) << put1.body;
  EXPECT_EQ(J(put1)["version"], 1);
  EXPECT_EQ(J(put1)["components"], 12);
  HttpReply put2 =
      Http("PUT", v1 + "/ecosystems/shop", tok,
           Slurp(kExamples + "boutique-v2.yaml"), "application/yaml");
  ASSERT_EQ(put2.status, 201) << put2.body;
  EXPECT_EQ(J(put2)["version"], 2);
  HttpReply k8s = Http("PUT", v1 + "/ecosystems/boutique-k8s", tok,
                       Slurp(kBoutiqueK8s), "application/yaml");
  ASSERT_EQ(k8s.status, 201) << k8s.body;
  EXPECT_EQ(J(k8s)["format"], "kubernetes");
  HttpReply json_put =
      Http("PUT", v1 + "/ecosystems/shop-json", tok,
           Slurp(kExamples + "boutique.json"), "application/json");
  ASSERT_EQ(json_put.status, 201) << json_put.body;

  HttpReply list = Http("GET", v1 + "/ecosystems", tok);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(J(list)["ecosystems"].size(), 3u);
  EXPECT_EQ(J(list)["ecosystems"][1]["name"], "shop");
  EXPECT_EQ(J(list)["ecosystems"][1]["latest_version"], 2);

  HttpReply get1 = Http("GET", v1 + "/ecosystems/shop?version=1", tok);
  ASSERT_EQ(get1.status, 200) << get1.body;
  EXPECT_EQ(J(get1)["version"], 1);
  EXPECT_EQ(J(get1)["components"].size(), 12u);
  EXPECT_EQ(J(Http("GET", v1 + "/ecosystems/shop", tok))["components"].size(),
            13u);

  HttpReply versions = Http("GET", v1 + "/ecosystems/shop/versions", tok);
  ASSERT_EQ(versions.status, 200);
  EXPECT_EQ(J(versions)["versions"].size(), 2u);

  HttpReply diff = Http("GET", v1 + "/ecosystems/shop/diff?from=1&to=2", tok);
  ASSERT_EQ(diff.status, 200) << diff.body;
  json d = J(diff);
  EXPECT_EQ(d["added_components"], json({"shoppingassistantservice"}));
  EXPECT_FALSE(d["identical"].get<bool>());

  HttpReply impact = Http(
      "GET", v1 + "/ecosystems/shop/components/cartservice/impact?edges=all",
      tok);
  ASSERT_EQ(impact.status, 200) << impact.body;
  auto imp = J(impact)["impact"].get<std::vector<std::string>>();
  EXPECT_TRUE(std::find(imp.begin(), imp.end(), "frontend") != imp.end())
      << impact.body;

  // No plan yet; then compute and commit one.
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/shop/plan", tok).status, 404);
  HttpReply plan = Http("POST", v1 + "/ecosystems/shop/plan", tok);
  ASSERT_EQ(plan.status, 201) << plan.body;
  json p = J(plan);
  EXPECT_EQ(p["ecosystem_version"], 2);
  EXPECT_TRUE(p["parent_id"].is_null());
  EXPECT_GT(p["assignments"].size(), 12u);
  EXPECT_GT(p["costs"]["total"].get<double>(), 0);
  HttpReply got = Http("GET", v1 + "/ecosystems/shop/plan", tok);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(J(got)["plan_id"], p["plan_id"]);
  EXPECT_EQ(J(got)["assignments"], p["assignments"]);

  // A zone fails: the engine (ecotone policy, sim actuator) moves the
  // replicas away, records the actions and commits the new plan.
  std::string zone = p["assignments"][0]["zone"];
  HttpReply ev =
      Http("POST", v1 + "/events", tok, HardwareEvent("shop", zone, "failed"));
  ASSERT_EQ(ev.status, 202) << ev.body;
  int64_t event_id = J(ev)["ids"][0];
  json actions;
  ASSERT_TRUE(Eventually([&] {
    actions = J(Http("GET", v1 + "/ecosystems/shop/actions", tok))["actions"];
    return !actions.empty();
  })) << s.Log();
  bool applied = false;
  for (const auto& a : actions) {
    EXPECT_EQ(a["event_id"], event_id);
    EXPECT_FALSE(a["action"]["trigger"].get<std::string>().empty()) << a.dump();
    if (a["result"].get<std::string>().rfind("applied", 0) == 0) applied = true;
  }
  EXPECT_TRUE(applied) << actions.dump();
  json after;
  ASSERT_TRUE(Eventually([&] {
    after = J(Http("GET", v1 + "/ecosystems/shop/plan", tok));
    return after["plan_id"] != p["plan_id"];
  }));
  EXPECT_EQ(after["parent_id"], p["plan_id"]);
  for (const auto& a : after["assignments"])
    EXPECT_NE(a["zone"], zone) << a.dump();

  HttpReply metrics = Http("GET", s.url() + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ecotone_actions_total{kind="),
            std::string::npos);
  EXPECT_NE(metrics.body.find("ecotone_decision_duration_seconds_count"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("ecotone_plan_cost_per_hour{ecosystem=\"shop\"}"),
            std::string::npos);
  EXPECT_EQ(Http("GET", s.url() + "/readyz").status, 200);
}

TEST(ServeApi, DryRunActuatorRecordsActionsAndChangesNothing) {
  ServeProcess s(
      {"--infra", kExamples + "infra-3zones.yaml", "--actuator", "dry-run"});
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  const std::string v1 = s.url() + "/v1";
  ASSERT_EQ(Http("PUT", v1 + "/ecosystems/shop", s.token(),
                 Slurp(kExamples + "boutique.yaml"))
                .status,
            201);
  HttpReply plan = Http("POST", v1 + "/ecosystems/shop/plan", s.token());
  ASSERT_EQ(plan.status, 201) << plan.body;
  json p = J(plan);
  std::string zone = p["assignments"][0]["zone"];
  ASSERT_EQ(Http("POST", v1 + "/events", s.token(),
                 HardwareEvent("shop", zone, "failed"))
                .status,
            202);
  json actions;
  ASSERT_TRUE(Eventually([&] {
    actions =
        J(Http("GET", v1 + "/ecosystems/shop/actions", s.token()))["actions"];
    return !actions.empty();
  })) << s.Log();
  for (const auto& a : actions) {
    EXPECT_EQ(a["result"].get<std::string>().rfind("dry-run:", 0), 0u)
        << a.dump();
    EXPECT_TRUE(a["plan_id"].is_null());
  }
  json latest =
      J(Http("GET", v1 + "/ecosystems/shop/plan?history=1", s.token()));
  EXPECT_EQ(latest["plan_id"], p["plan_id"]);
  EXPECT_EQ(latest["history"].size(), 1u);
}

TEST(ServeApi, RejectsBadInputWithTheRightStatusAndStoresNothing) {
  ServeProcess s({"--max-body", "64Ki"});
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  const std::string v1 = s.url() + "/v1";
  const std::string& tok = s.token();
  ASSERT_EQ(Http("PUT", v1 + "/ecosystems/vote", tok, Slurp(kVoting),
                 "application/yaml")
                .status,
            201);

  // Wrong or missing token: 401 and nothing stored.
  EXPECT_EQ(Http("PUT", v1 + "/ecosystems/x", "wrong", Slurp(kVoting)).status,
            401);
  EXPECT_EQ(Http("PUT", v1 + "/ecosystems/x", "", Slurp(kVoting)).status, 401);
  EXPECT_EQ(Http("PUT", v1 + "/ecosystems/x", tok + "x", Slurp(kVoting)).status,
            401);
  EXPECT_EQ(
      Http("POST", v1 + "/events", "wrong", HardwareEvent("", "z", "failed"))
          .status,
      401);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems", "").status, 401);

  // Malformed YAML: 400 naming the place.
  HttpReply yaml =
      Http("PUT", v1 + "/ecosystems/x", tok,
           "services:\n  web:\n    image: [unclosed\n", "application/yaml");
  EXPECT_EQ(yaml.status, 400) << yaml.body;
  EXPECT_TRUE(J(yaml)["error"].contains("line")) << yaml.body;
  // Valid YAML, invalid manifest: 400 naming the field.
  HttpReply field = Http("PUT", v1 + "/ecosystems/x", tok,
                         "services:\n  web:\n    image: nginx\n    deploy:\n   "
                         "   replicas: many\n",
                         "application/yaml");
  EXPECT_EQ(field.status, 400) << field.body;
  EXPECT_NE(J(field)["error"].value("field", "").find("replicas"),
            std::string::npos)
      << field.body;
  // Malformed JSON event / wrong field type / unknown field.
  HttpReply bad_json =
      Http("POST", v1 + "/events", tok, "{\"kind\": \"hardware\",");
  EXPECT_EQ(bad_json.status, 400);
  HttpReply bad_type = Http("POST", v1 + "/events", tok,
                            R"({"kind":"hardware","hardware":{"zone":7}})");
  EXPECT_EQ(bad_type.status, 400);
  EXPECT_EQ(J(bad_type)["error"]["field"], "body.hardware.zone")
      << bad_type.body;
  HttpReply bad_batch =
      Http("POST", v1 + "/events", tok,
           "[" + HardwareEvent("", "z", "failed") + R"(,{"kind":"nope"}])");
  EXPECT_EQ(bad_batch.status, 400) << bad_batch.body;
  HttpReply bad_hook =
      Http("POST", v1 + "/webhooks/alertmanager", tok, R"({"alerts":5})");
  EXPECT_EQ(bad_hook.status, 400);
  EXPECT_EQ(J(bad_hook)["error"]["field"], "alerts");
  // Huge bodies: 413.
  EXPECT_EQ(Http("PUT", v1 + "/ecosystems/x", tok, std::string(100 << 10, '#'))
                .status,
            413);
  EXPECT_EQ(Http("POST", v1 + "/webhooks/falco", tok, std::string(1 << 20, ' '))
                .status,
            413);
  // Unknown ecosystem / version / component: 404.
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/nope", tok).status, 404);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/vote?version=9", tok).status, 404);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/nope/versions", tok).status, 404);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/nope/actions", tok).status, 404);
  EXPECT_EQ(
      Http("GET", v1 + "/ecosystems/vote/components/nope/impact", tok).status,
      404);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/vote/diff?from=1&to=5", tok).status,
            404);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/vote/diff?from=1", tok).status, 400);
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/vote?version=abc", tok).status, 400);
  // Planning without --infra: 412 (also for a POST without Content-Length,
  // as `curl -X POST` sends it).
  EXPECT_EQ(Http("POST", v1 + "/ecosystems/vote/plan", tok).status, 412);
  EXPECT_EQ(std::system(("curl -s -o /dev/null -w '%{http_code}' -X POST -H "
                         "'Authorization: Bearer " +
                         tok + "' " + v1 + "/ecosystems/vote/plan > " +
                         s.dir() + "/code")
                            .c_str()),
            0);
  EXPECT_EQ(Slurp(s.dir() + "/code"), "412");
  // Oversized names, injection-shaped names (stored verbatim, never spliced).
  HttpReply longname = Http("PUT", v1 + "/ecosystems/" + std::string(600, 'n'),
                            tok, Slurp(kVoting));
  EXPECT_EQ(longname.status, 400);
  EXPECT_EQ(J(longname)["error"]["field"], "name");
  EXPECT_EQ(Http("PUT", v1 + "/ecosystems/" + std::string(9000, 'n'), tok,
                 Slurp(kVoting))
                .status,
            414);
  const std::string evil = "x'%3B%20DROP%20TABLE%20events%3B--";
  HttpReply inj = Http("PUT", v1 + "/ecosystems/" + evil, tok, Slurp(kVoting));
  EXPECT_EQ(inj.status, 201) << inj.body;
  EXPECT_EQ(J(inj)["ecosystem"], "x'; DROP TABLE events;--");
  EXPECT_EQ(Http("GET", v1 + "/ecosystems/..%2F..%2Fetc", tok).status, 404);
  // A Compose body naming a file of the server (here: its own token file)
  // is stored without that file being read.
  HttpReply envfile = Http(
      "PUT", v1 + "/ecosystems/envfile", tok,
      "services:\n  web:\n    image: nginx\n    env_file: " + s.dir() +
          "/token\n  api:\n    image: api\n    env_file: ../../etc/passwd\n",
      "application/yaml");
  ASSERT_EQ(envfile.status, 201) << envfile.body;
  int not_read = 0;
  json envfile_reply = J(envfile);
  for (const auto& p : envfile_reply["problems"]) {
    not_read += p["code"] == "env-file-not-read";
    EXPECT_EQ(p["file"], "body");
  }
  EXPECT_EQ(not_read, 2) << envfile.body;
  HttpReply stored = Http("GET", v1 + "/ecosystems/envfile", tok);
  EXPECT_EQ(stored.body.find(s.token()), std::string::npos);
  EXPECT_EQ(stored.body.find("nonexistent"), std::string::npos) << stored.body;

  s.Kill(SIGTERM);
  Db db(s.db());
  EXPECT_EQ(db.Column("PRAGMA integrity_check"),
            std::vector<std::string>{"ok"});
  EXPECT_EQ(db.Column("SELECT name FROM ecosystems ORDER BY name"),
            (std::vector<std::string>{"envfile", "vote",
                                      "x'; DROP TABLE events;--"}));
  EXPECT_EQ(db.Count("ecosystem_versions"), 3);
  EXPECT_EQ(db.Count("events"), 0);
}

TEST(ServeApi, ConcurrentPutsOfOneEcosystemGetGaplessVersions) {
  ServeProcess s;
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  const std::string body = Slurp(kVoting);
  std::mutex mu;
  std::vector<int64_t> versions;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      HttpClient c;
      for (int i = 0; i < 5; ++i) {
        HttpReply r = c.Do("PUT", s.url() + "/v1/ecosystems/vote", s.token(),
                           body, "application/yaml");
        ASSERT_EQ(r.status, 201) << r.body;
        std::lock_guard<std::mutex> l(mu);
        versions.push_back(J(r)["version"]);
      }
    });
  for (auto& t : threads) t.join();
  std::sort(versions.begin(), versions.end());
  ASSERT_EQ(versions.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(versions[i], i + 1);
  json vs = J(Http("GET", s.url() + "/v1/ecosystems/vote/versions",
                   s.token()))["versions"];
  ASSERT_EQ(vs.size(), 40u);
  for (const auto& v : vs) EXPECT_EQ(v["components"], vs[0]["components"]);
}

// Posts events from 4 clients until stopped; returns the acknowledged ids.
struct Writer {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<int64_t> acked_ids;
  std::set<std::string> acked_versions;  // "name:version" from PUTs
  std::string last_error;
  std::vector<std::thread> threads;
  void Start(const std::string& url, const std::string& token) {
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([this, url, token, t] {
        HttpClient c;
        for (int i = 0; !stop; ++i) {
          HttpReply r;
          if (i % 10 == 9) {
            r = c.Do("PUT", url + "/v1/ecosystems/w" + std::to_string(t), token,
                     "ecotone: v1\ncomponents:\n  - name: a" +
                         std::to_string(i) + "\n    image: x\n",
                     "application/yaml");
            if (r.status == 201) {
              std::lock_guard<std::mutex> l(mu);
              acked_versions.insert(
                  "w" + std::to_string(t) + ":" +
                  std::to_string(J(r)["version"].get<int64_t>()));
            }
          } else {
            r = c.Do("POST", url + "/v1/events", token,
                     HardwareEvent("w", "z" + std::to_string(t), "degraded"));
            if (r.status == 202) {
              std::lock_guard<std::mutex> l(mu);
              json reply = J(r);
              for (const auto& id : reply["ids"])
                acked_ids.insert(id.get<int64_t>());
            }
          }
          if (r.status >= 300) {
            std::lock_guard<std::mutex> l(mu);
            last_error = r.body;
          }
          if (r.status == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      });
  }
  void Join() {
    stop = true;
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }
  ~Writer() { Join(); }
};

void ExpectAllAcknowledgedPresent(const std::string& db_path, Writer& w) {
  Db db(db_path);
  EXPECT_EQ(db.Column("PRAGMA integrity_check"),
            std::vector<std::string>{"ok"});
  EXPECT_TRUE(db.Column("PRAGMA foreign_key_check").empty());
  std::set<int64_t> stored;
  for (const auto& id : db.Column("SELECT id FROM events"))
    stored.insert(std::stoll(id));
  for (int64_t id : w.acked_ids)
    EXPECT_TRUE(stored.count(id)) << "acknowledged event " << id;
  std::set<std::string> versions;
  for (const auto& v :
       db.Column("SELECT e.name || ':' || v.version FROM ecosystem_versions v "
                 "JOIN ecosystems e ON e.id = v.ecosystem_id"))
    versions.insert(v);
  for (const auto& v : w.acked_versions) EXPECT_TRUE(versions.count(v)) << v;
  // Every stored version is complete: its component rows match its count.
  EXPECT_TRUE(
      db.Column(
            "SELECT v.id FROM ecosystem_versions v WHERE v.component_count <> "
            "(SELECT COUNT(*) FROM components c WHERE c.version_id = v.id)")
          .empty());
}

TEST(ServeCrash, SigkillInTheMiddleOfWritesLosesNothingAcknowledged) {
  ServeProcess s;
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  Writer w;
  w.Start(s.url(), s.token());
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> l(w.mu);
    return w.acked_ids.size() >= 150 && w.acked_versions.size() >= 8;
  })) << w.acked_ids.size()
      << " events, " << w.acked_versions.size() << " versions acknowledged; "
      << w.last_error << "\n"
      << s.Log();
  EXPECT_EQ(s.Kill(SIGKILL), 128 + SIGKILL);
  w.Join();
  ASSERT_GT(w.acked_ids.size(), 0u);
  ExpectAllAcknowledgedPresent(s.db(), w);

  // Restart on the same file: it continues from the store.
  ASSERT_TRUE(s.Start(&err)) << err;
  HttpReply list = Http("GET", s.url() + "/v1/ecosystems", s.token());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(J(list)["ecosystems"].size(), 4u) << list.body;
  HttpReply more = Http("POST", s.url() + "/v1/events", s.token(),
                        HardwareEvent("w", "z", "failed"));
  ASSERT_EQ(more.status, 202);
  EXPECT_GT(J(more)["ids"][0].get<int64_t>(), *w.acked_ids.rbegin());
}

TEST(ServeShutdown, SigtermFinishesAcceptedWritesAndExitsZero) {
  ServeProcess s({"--infra", kExamples + "infra-3zones.yaml"});
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  ASSERT_EQ(Http("PUT", s.url() + "/v1/ecosystems/shop", s.token(),
                 Slurp(kExamples + "boutique.yaml"))
                .status,
            201);
  HttpReply plan =
      Http("POST", s.url() + "/v1/ecosystems/shop/plan", s.token());
  ASSERT_EQ(plan.status, 201) << plan.body;
  Writer w;
  w.Start(s.url(), s.token());
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> l(w.mu);
    return w.acked_ids.size() >= 50;
  }));
  EXPECT_EQ(s.Kill(SIGTERM), 0) << s.Log();
  w.Join();
  ExpectAllAcknowledgedPresent(s.db(), w);
  EXPECT_NE(s.Log().find("ecotone serve: stopped"), std::string::npos)
      << s.Log();

  ASSERT_TRUE(s.Start(&err)) << err;
  HttpReply again =
      Http("GET", s.url() + "/v1/ecosystems/shop/plan", s.token());
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(J(again)["assignments"], J(plan)["assignments"]);
}

// OpenMetrics gauges for the test's metric templates: the frontend under a
// load far above its capacity (3 replicas x 120 rps), for the last 20 min.
std::string LoadHistory(int64_t now_s) {
  std::ostringstream om;
  om << "# TYPE shop_requests_per_second gauge\n";
  for (int64_t t = now_s - 1200; t <= now_s - 5; t += 15) {
    om << "shop_requests_per_second{ecosystem=\"shop\",service=\"frontend\"} "
          "2000 "
       << t << "\n";
    om << "shop_requests_per_second{ecosystem=\"shop\",service=\"cartservice\"}"
          " 100 "
       << t << "\n";
    om << "shop_requests_per_second{ecosystem=\"other\",service=\"frontend\"} "
          "1 "
       << t << "\n";
  }
  om << "# EOF\n";
  return om.str();
}

TEST(ServePrometheus, ControlLoopPullsRealMetricsAndScales) {
  if (!PrometheusInstalled())
    GTEST_SKIP() << "prometheus/promtool not installed";
  std::string err;
  int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  auto prom = PrometheusServer::Start(LoadHistory(now_s), &err);
  ASSERT_TRUE(prom) << err;
  char tmpl[] = "/tmp/ecotone_serve_queries.XXXXXX";
  std::string qdir = mkdtemp(tmpl);
  std::ofstream(qdir + "/queries.yaml")
      << "queries:\n"
         "  - field: requests_per_s\n"
         "    promql: 'max by (service) "
         "(shop_requests_per_second{ecosystem=\"{ecosystem}\"})'\n"
         "    label: service\n";
  ServeProcess s({"--infra", kExamples + "infra-3zones.yaml", "--prometheus",
                  prom->url(), "--queries", qdir + "/queries.yaml",
                  "--interval", "300ms"});
  ASSERT_TRUE(s.Start(&err)) << err;
  ASSERT_EQ(Http("PUT", s.url() + "/v1/ecosystems/shop", s.token(),
                 Slurp(kExamples + "boutique.yaml"))
                .status,
            201);
  HttpReply plan =
      Http("POST", s.url() + "/v1/ecosystems/shop/plan", s.token());
  ASSERT_EQ(plan.status, 201) << plan.body;
  json actions;
  ASSERT_TRUE(Eventually([&] {
    actions = J(Http("GET", s.url() + "/v1/ecosystems/shop/actions",
                     s.token()))["actions"];
    for (const auto& a : actions)
      if (a["kind"] == "scale" && a["subject"] == "frontend") return true;
    return false;
  })) << s.Log();
  json scale;
  for (const auto& a : actions)
    if (a["kind"] == "scale" && a["subject"] == "frontend") scale = a;
  EXPECT_EQ(scale["action"]["from_replicas"], 3) << scale.dump();
  EXPECT_GT(scale["action"]["to_replicas"].get<int>(), 3) << scale.dump();
  EXPECT_EQ(scale["result"].get<std::string>().rfind("applied", 0), 0u)
      << scale.dump();
  ASSERT_FALSE(scale["event_id"].is_null());
  // The triggering event is the stored Prometheus metrics event.
  Db db(s.db());
  auto src = db.Column("SELECT payload FROM events WHERE id = " +
                       std::to_string(scale["event_id"].get<int64_t>()));
  ASSERT_EQ(src.size(), 1u);
  json ev = json::parse(src[0]);
  EXPECT_EQ(ev["source"], "prometheus");
  bool saw_frontend = false;
  for (const auto& m : ev["metrics"])
    if (m["component"] == "frontend") {
      saw_frontend = true;
      EXPECT_DOUBLE_EQ(m["requests_per_s"].get<double>(), 2000);
    }
  EXPECT_TRUE(saw_frontend) << src[0];
  // The committed plan has the new frontend replicas.
  json after = J(Http("GET", s.url() + "/v1/ecosystems/shop/plan", s.token()));
  int frontends = 0;
  for (const auto& a : after["assignments"])
    frontends += a["component"] == "frontend";
  EXPECT_EQ(frontends, scale["action"]["to_replicas"].get<int>());
  std::filesystem::remove_all(qdir);
}

std::string UrlEncode(const std::string& s) {
  CURL* c = curl_easy_init();
  char* e = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string out(e);
  curl_free(e);
  curl_easy_cleanup(c);
  return out;
}

// A real Prometheus scrapes the daemon's /metrics; every query of the
// shipped Grafana dashboard must run on what it scraped.
TEST(ServeMetrics, PrometheusScrapesAndTheGrafanaDashboardQueriesRun) {
  if (!PrometheusInstalled())
    GTEST_SKIP() << "prometheus/promtool not installed";
  ServeProcess s(
      {"--infra", kExamples + "infra-3zones.yaml", "--interval", "200ms"});
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  ASSERT_EQ(Http("PUT", s.url() + "/v1/ecosystems/shop", s.token(),
                 Slurp(kExamples + "boutique.yaml"))
                .status,
            201);
  ASSERT_EQ(
      Http("POST", s.url() + "/v1/ecosystems/shop/plan", s.token()).status,
      201);
  EXPECT_EQ(Http("GET", s.url() + "/v1/ecosystems", "bad").status, 401);
  ASSERT_EQ(Http("POST", s.url() + "/v1/events", s.token(),
                 HardwareEvent("shop", "eu-west-1a", "failed"))
                .status,
            202);

  auto prom = PrometheusServer::Start("", &err);
  ASSERT_TRUE(prom) << err;
  std::ofstream(prom->dir() + "/prom.yml")
      << "global: {scrape_interval: 1s}\n"
         "scrape_configs:\n"
         "  - job_name: ecotone\n"
         "    static_configs: [{targets: ['127.0.0.1:"
      << s.url().substr(s.url().rfind(':') + 1) << "']}]\n";
  ASSERT_EQ(Http("POST", prom->url() + "/-/reload").status, 200);
  const std::string q = prom->url() + "/api/v1/query?query=";
  ASSERT_TRUE(Eventually([&] {
    json r =
        J(Http("GET", q + UrlEncode("ecotone_actions_total{job=\"ecotone\"}")));
    return r["status"] == "success" && !r["data"]["result"].empty();
  })) << "no scrape of "
      << s.url();
  // rate() needs two scrapes.
  ASSERT_TRUE(Eventually([&] {
    json r =
        J(Http("GET", q + UrlEncode("rate(ecotone_http_requests_total[1m])")));
    return r["status"] == "success" && !r["data"]["result"].empty();
  }));

  json dash = json::parse(
      Slurp(std::string(ECOTONE_SOURCE_DIR) + "/deploy/grafana/ecotone.json"));
  int checked = 0, with_data = 0;
  for (const auto& panel : dash["panels"])
    for (const auto& target : panel["targets"]) {
      std::string expr = target["expr"];
      for (auto [from, to] :
           {std::pair<std::string, std::string>{"$job", "ecotone"},
            {"$__rate_interval", "1m"}})
        for (size_t p = expr.find(from); p != std::string::npos;
             p = expr.find(from))
          expr.replace(p, from.size(), to);
      json r = J(Http("GET", q + UrlEncode(expr)));
      EXPECT_EQ(r["status"], "success") << expr << "\n" << r.dump();
      ++checked;
      with_data += !r["data"]["result"].empty();
    }
  EXPECT_GE(checked, 8);
  EXPECT_GE(with_data, 4);
}

TEST(ServeLoad, SmallWebhookLoadStoresExactlyWhatWasAcknowledged) {
  ServeProcess s;
  std::string err;
  ASSERT_TRUE(s.Start(&err)) << err;
  LoadResult r =
      RunLoad(s.url() + "/v1/webhooks/alertmanager?ecosystem=shop", s.token(),
              8, 25, [](int c, int i) {
                return json{{"version", "4"},
                            {"status", "firing"},
                            {"alerts",
                             {{{"status", "firing"},
                               {"labels",
                                {{"alertname", "HostDown"},
                                 {"zone", "z" + std::to_string(c)},
                                 {"rack", "r"},
                                 {"host", "h" + std::to_string(i)}}},
                               {"startsAt", "2026-11-29T16:00:00Z"}}}}}
                    .dump();
              });
  EXPECT_EQ(r.acknowledged, 200);
  EXPECT_EQ(r.failed, 0);
  s.Kill(SIGTERM);
  Db db(s.db());
  EXPECT_EQ(db.Count("events"), r.acknowledged);
}

}  // namespace
}  // namespace ecotone::testing
