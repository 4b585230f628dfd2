// Load on a real `ecotone serve` over loopback (docs/serve.md, "Load").
//
//   serve_load [--clients 50] [--posts 20000] [--endpoint alertmanager]
//
// Starts `ecotone serve` ($ECOTONE_BIN or build/ecotone) on a fresh SQLite
// file in /tmp, then `clients` threads, each with one keep-alive libcurl
// connection, post `posts` Alertmanager webhook payloads in total (one
// firing host alert each). Prints throughput, latency percentiles, and the
// check that the number of events stored equals the number of 2xx replies
// (exit 1 if not). Every acknowledged event is one durable SQLite commit
// (WAL, synchronous=FULL), so throughput is bounded by fsync latency.
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "serve_harness.h"

int main(int argc, char** argv) {
  using namespace ecotone::testing;
  int clients = 50, posts = 20000;
  std::string endpoint = "alertmanager";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--clients"))
      clients = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--posts"))
      posts = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--endpoint"))
      endpoint = argv[i + 1];
  }
  if (clients < 1 || posts < clients) {
    std::fprintf(stderr, "usage: serve_load [--clients N] [--posts M >= N]\n");
    return 2;
  }
  ServeProcess s({"--threads", std::to_string(clients + 4)});
  std::string err;
  if (!s.Start(&err)) {
    std::fprintf(stderr, "ecotone serve did not start:\n%s\n", err.c_str());
    return 2;
  }
  const int per_client = posts / clients;
  LoadResult r =
      RunLoad(s.url() + "/v1/webhooks/" + endpoint + "?ecosystem=load",
              s.token(), clients, per_client, [](int c, int i) {
                return nlohmann::json{
                    {"version", "4"},
                    {"status", "firing"},
                    {"receiver", "ecotone"},
                    {"alerts",
                     {{{"status", "firing"},
                       {"labels",
                        {{"alertname", "HostDown"},
                         {"zone", "zone-" + std::to_string(c % 3)},
                         {"rack", "rack-" + std::to_string(c)},
                         {"host", "host-" + std::to_string(i)}}},
                       {"annotations", {{"summary", "node unreachable"}}},
                       {"startsAt", "2026-11-29T16:00:00Z"}}}}}
                    .dump();
              });
  int code = s.Kill(SIGTERM);
  sqlite3* db = nullptr;
  sqlite3_open_v2(s.db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM events", -1, &st, nullptr);
  long long stored =
      sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);

  std::printf("clients %d, posts %lld, acknowledged (2xx) %lld, failed %lld\n",
              clients, static_cast<long long>(r.sent),
              static_cast<long long>(r.acknowledged),
              static_cast<long long>(r.failed));
  std::printf("wall %.2f s, throughput %.0f req/s\n", r.seconds,
              r.sent / r.seconds);
  std::printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
              r.Percentile(0.5), r.Percentile(0.9), r.Percentile(0.99),
              r.latencies_ms.back());
  std::printf("stored events %lld %s acknowledged %lld; serve exit code %d\n",
              stored, stored == r.acknowledged ? "==" : "!=",
              static_cast<long long>(r.acknowledged), code);
  return stored == r.acknowledged && code == 0 ? 0 : 1;
}
