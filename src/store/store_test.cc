// Tests of the SQLite store on real SQLite files in a temporary directory
// (no mocks): round trips (built in code and real manifests), gapless
// versions under concurrent writers, recursive graph queries against the
// graph module and a reference BFS, plans, the event and action logs,
// migrations, newer-schema and corrupt files, and a crash (SIGKILL) in the
// middle of a stream of writes.
#include "ecotone/store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::store {
namespace {

namespace fs = std::filesystem;
using model::Component;
using model::ComponentKind;
using model::Criticality;
using model::Dependency;
using model::DependencyKind;
using model::Ecosystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ecotone_store_XXXXXX");
    char* p = mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::unique_ptr<Store> MustOpen(const std::string& path,
                                StoreOptions options = {}) {
  auto r = OpenSqlite(options, path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return nullptr;
  return std::move(r).value();
}

// Runs SQL on the file directly (test fixtures and inspection).
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
  sqlite3_free(err);
  sqlite3_close(db);
}

int64_t RawInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

// An ecosystem that sets every field, with awkward values.
Ecosystem RichEcosystem(const std::string& name, int variant) {
  Ecosystem e;
  e.name = name;
  e.version = "v" + std::to_string(variant);
  e.source_format = "ecotone";
  e.source_files = {"app.yaml", "ünïcode/ø.yaml"};
  Component web;
  web.name = "web";
  web.kind = ComponentKind::kGateway;
  web.version = std::string("1.0\0beta", 8);  // an embedded NUL survives.
  web.image = "nginx:1.25";
  web.replicas = {2, 10, 3 + variant};
  web.requests = {250, 512LL << 20, 100'000'000, 0};
  web.limits = {1000, 1LL << 30, 0, 5'000'000'000LL};
  web.latency_slo_us = 150'000;
  web.placement.allowed_regions = {"eu-west"};
  web.placement.allowed_zones = {"eu-west-1a", "eu-west-1b"};
  web.placement.zone_labels = {{"data-residency", "eu"}, {"tier", "gold"}};
  web.placement.spread_min_zones = 2;
  web.placement.max_per_zone = 4;
  web.labels = {{"app", "shop"}, {"quote'd", "\"x\"; DROP TABLE y;--"}};
  web.ports = {{80, "http", "web"}, {443, "tcp", ""}};
  web.capacity_rps_per_replica = 0.1 + variant;
  web.startup_us = 12'000'000;
  web.profiles = {"prod"};
  web.source_kind = "Deployment";
  web.where = {"app.yaml", 3, 5, "components.web"};
  Component db;
  db.name = "db";
  db.kind = ComponentKind::kDatabase;
  db.stateful = true;
  db.capacity_rps_per_replica = std::numeric_limits<double>::infinity();
  Component cache;
  cache.name = "cache's \"x\"";
  cache.kind = ComponentKind::kCache;
  cache.capacity_rps_per_replica = 1e-300;
  e.components = {web, db, cache};
  Dependency d1;
  d1.from = "web";
  d1.to = "db";
  d1.kind = DependencyKind::kDatabase;
  d1.port = 5432;
  d1.protocol = "tcp";
  d1.traffic_rps = 1234.5678901234567;
  d1.traffic_bytes_per_s = 3e9;
  d1.latency_budget_us = 5'000;
  d1.inferred = true;
  d1.evidence = {{{"app.yaml", 14, 7, "components.web.env.DB_URL"},
                  "db:5432",
                  "environment value names service 'db'"},
                 {{}, "", ""}};
  Dependency d2;
  d2.from = "web";
  d2.to = "cache's \"x\"";
  d2.kind = DependencyKind::kCache;
  d2.criticality = Criticality::kSoft;
  Dependency dangling;
  dangling.from = "web";
  dangling.to = "ghost";
  dangling.kind = DependencyKind::kStartOrder;
  e.dependencies = {d1, d2, dangling};
  return e;
}

TEST(SqliteStore, RoundTripsEveryFieldAndNumbersVersions) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  ASSERT_NE(store, nullptr);
  Ecosystem a = RichEcosystem("shop", 1), b = RichEcosystem("shop", 2);
  auto v1 = store->PutEcosystem(a, "components: {}", "ecotone");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1, 1);
  auto v2 = store->PutEcosystem(b, "", "compose");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2);

  auto got1 = store->GetEcosystem("shop", 1);
  ASSERT_TRUE(got1.ok()) << got1.status().ToString();
  EXPECT_EQ(*got1, a);
  EXPECT_EQ(got1->components[0].version.size(), 8u);
  EXPECT_TRUE(std::isinf(got1->components[1].capacity_rps_per_replica));
  auto latest = store->GetEcosystem("shop", std::nullopt);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, b);

  auto src = store->GetSource("shop", 1);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*src, (StoredSource{"components: {}", "ecotone"}));

  auto versions = store->ListVersions("shop");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 1);
  EXPECT_EQ((*versions)[0].label, "v1");
  EXPECT_EQ((*versions)[0].component_count, 3);
  EXPECT_EQ((*versions)[0].edge_count, 3);
  EXPECT_EQ((*versions)[1].version, 2);

  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("alpha", 0), "", "").ok());
  auto list = store->ListEcosystems();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "alpha");
  EXPECT_EQ((*list)[0].latest_version, 1);
  EXPECT_EQ((*list)[1].name, "shop");
  EXPECT_EQ((*list)[1].latest_version, 2);

  // Survives closing and reopening.
  store.reset();
  store = MustOpen(dir.File("s.db"));
  auto again = store->GetEcosystem("shop", 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, a);
}

TEST(SqliteStore, UsesTheInjectedClock) {
  TempDir dir;
  StoreOptions o;
  int64_t t = 1'700'000'000'000'000;
  o.now_us = [&t] { return t++; };
  auto store = MustOpen(dir.File("s.db"), o);
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("a", 0), "", "").ok());
  auto v = store->ListVersions("a");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)[0].created_at_us, 1'700'000'000'000'001);
}

TEST(SqliteStore, ReportsNotFoundAndBadNames) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  EXPECT_EQ(store->GetEcosystem("nope", std::nullopt).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
  auto r = store->GetEcosystem("shop", 7);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("no version 7"));
  EXPECT_EQ(store->ListVersions("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      store->ImpactSet("shop", 1, "ghost", EdgeFilter::kAll).status().code(),
      StatusCode::kNotFound);

  Ecosystem bad = RichEcosystem("", 0);
  EXPECT_EQ(store->PutEcosystem(bad, "", "").status().code(),
            StatusCode::kInvalidArgument);
  bad.name = std::string(kMaxNameBytes + 1, 'x');
  EXPECT_EQ(store->PutEcosystem(bad, "", "").status().code(),
            StatusCode::kInvalidArgument);
  bad.name = "tab\tname";
  EXPECT_EQ(store->PutEcosystem(bad, "", "").status().code(),
            StatusCode::kInvalidArgument);
  bad.name = "ok";
  bad.components[1].name = "new\nline";
  auto st = store->PutEcosystem(bad, "", "").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.where().path, "components[1].name");
  bad = RichEcosystem("ok", 0);
  bad.components[0].labels["k"] = "\xff\xfe not utf-8";
  EXPECT_EQ(store->PutEcosystem(bad, "", "").status().code(),
            StatusCode::kInvalidArgument);
  // Nothing of the rejected puts was stored.
  auto list = store->ListEcosystems();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST(SqliteStore, NamesAreParametersNotSql) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  const std::string evil = "x'); DROP TABLE components; --";
  Ecosystem e = RichEcosystem(evil, 0);
  e.components[2].name = "' OR 1=1 --";
  e.dependencies[1].to = "' OR 1=1 --";
  ASSERT_TRUE(store->PutEcosystem(e, "", "").ok());
  auto got = store->GetEcosystem(evil, std::nullopt);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, e);
  auto impact =
      store->ImpactSet(evil, std::nullopt, "' OR 1=1 --", EdgeFilter::kAll);
  ASSERT_TRUE(impact.ok()) << impact.status().ToString();
  EXPECT_THAT(*impact, ElementsAre("web"));
  // A name that would match everything under string concatenation matches
  // nothing here.
  EXPECT_EQ(store->GetEcosystem("' OR '1'='1", std::nullopt).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

// Loads one of the real manifests of shared/data.
manifest::LoadResult LoadReal(const std::vector<std::string>& rel) {
  std::vector<std::string> files;
  for (const auto& r : rel) {
    files.push_back(std::string(ECOTONE_SHARED_DATA) + "/manifests/" + r);
  }
  auto r = manifest::LoadFiles(files, manifest::LoadOptions{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  return std::move(r).value();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::vector<std::vector<std::string>>& RealManifests() {
  static const std::vector<std::vector<std::string>> k = {
      {"online-boutique/kubernetes-manifests.yaml"},
      {"example-voting-app/docker-compose.yml"},
      {"deathstarbench-socialnetwork/docker-compose.yml"},
      {"deathstarbench-hotelreservation/docker-compose.yml"},
      {"eshoponcontainers/docker-compose.yml",
       "eshoponcontainers/docker-compose.override.yml"},
      {"teastore/teastore-clusterip.yaml"},
      {"teastore/docker-compose_default.yaml"},
      {"train-ticket/quickstart-ts-deployment-part1.yml",
       "train-ticket/quickstart-ts-deployment-part2.yml",
       "train-ticket/quickstart-ts-deployment-part3.yml"},
      {"train-ticket/docker-compose.yml"},
      {"awesome-compose-nginx-flask-mysql/compose.yaml"},
      {"awesome-compose-react-express-mongodb/compose.yaml"},
      {"awesome-compose-wasmedge-kafka-mysql/compose.yml"},
  };
  return k;
}

TEST(SqliteStore, RoundTripsRealManifests) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  int i = 0;
  for (const auto& files : RealManifests()) {
    SCOPED_TRACE(files[0]);
    manifest::LoadResult lr = LoadReal(files);
    ASSERT_FALSE(lr.ecosystem.components.empty());
    // Distinct names even when two inputs describe the same application.
    lr.ecosystem.name = "m" + std::to_string(i++) + "-" + lr.ecosystem.name;
    std::string text =
        ReadFile(std::string(ECOTONE_SHARED_DATA) + "/manifests/" + files[0]);
    auto v =
        store->PutEcosystem(lr.ecosystem, text, lr.ecosystem.source_format);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, 1);
    auto got = store->GetEcosystem(lr.ecosystem.name, *v);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, lr.ecosystem);
    auto src = store->GetSource(lr.ecosystem.name, *v);
    ASSERT_TRUE(src.ok());
    EXPECT_EQ(src->text, text);
  }
}

// Reference closure and shortest distances by BFS over names, following the
// edges that EdgeFilter keeps and whose both ends are components.
struct Reference {
  Reference(const Ecosystem& eco, EdgeFilter filter) : e(eco), f(filter) {
    for (const auto& c : e.components) names.insert(c.name);
    for (const auto& d : e.dependencies) {
      if (!Keep(d)) continue;
      out[d.from].push_back(d.to);
      in[d.to].push_back(d.from);
    }
  }
  const Ecosystem& e;
  EdgeFilter f;
  std::set<std::string> names;
  std::map<std::string, std::vector<std::string>> out, in;
  bool Keep(const Dependency& d) const {
    if (!names.count(d.from) || !names.count(d.to)) return false;
    if (f == EdgeFilter::kAll) return true;
    if (d.kind == DependencyKind::kStartOrder) return false;
    return f == EdgeFilter::kCalls || d.criticality == Criticality::kHard;
  }
  std::map<std::string, int> Bfs(const std::string& start, bool forward) const {
    const auto& adj = forward ? out : in;
    std::map<std::string, int> dist{{start, 0}};
    std::deque<std::string> q{start};
    while (!q.empty()) {
      std::string u = q.front();
      q.pop_front();
      auto it = adj.find(u);
      if (it == adj.end()) continue;
      for (const std::string& b : it->second) {
        if (!dist.count(b)) {
          dist[b] = dist[u] + 1;
          q.push_back(b);
        }
      }
    }
    return dist;
  }
  std::vector<std::string> Closure(const std::string& start,
                                   bool forward) const {
    std::vector<std::string> result;
    for (const auto& [n, d] : Bfs(start, forward)) {
      if (n != start) result.push_back(n);
    }
    return result;  // std::map order = sorted by name.
  }
  bool HasEdge(const std::string& a, const std::string& b) const {
    auto it = out.find(a);
    return it != out.end() && std::find(it->second.begin(), it->second.end(),
                                        b) != it->second.end();
  }
};

graph::EdgeSet ToEdgeSet(EdgeFilter f) {
  switch (f) {
    case EdgeFilter::kHard:
      return graph::EdgeSet::kHard;
    case EdgeFilter::kCalls:
      return graph::EdgeSet::kCalls;
    case EdgeFilter::kAll:
      break;
  }
  return graph::EdgeSet::kAll;
}

// Checks ImpactSet, Dependencies and Path for every component (and a sample
// of pairs) against the graph module and the reference BFS.
void CheckQueries(Store& store, const Ecosystem& e, int64_t version,
                  size_t max_pairs) {
  std::vector<model::Problem> problems;
  graph::EcosystemMap map = graph::EcosystemMap::Build(e, &problems);
  std::mt19937 rng(7);
  for (EdgeFilter f :
       {EdgeFilter::kAll, EdgeFilter::kHard, EdgeFilter::kCalls}) {
    Reference ref(e, f);
    std::set<std::string> seen;
    for (const Component& c : e.components) {
      if (!seen.insert(c.name).second) continue;
      SCOPED_TRACE(c.name);
      auto impact = store.ImpactSet(e.name, version, c.name, f);
      ASSERT_TRUE(impact.ok()) << impact.status().ToString();
      EXPECT_EQ(*impact, ref.Closure(c.name, false));
      std::vector<std::string> from_graph;
      for (graph::NodeId id :
           graph::ImpactSet(map, map.Find(c.name), ToEdgeSet(f))) {
        from_graph.push_back(map.component(id).name);
      }
      std::sort(from_graph.begin(), from_graph.end());
      EXPECT_EQ(*impact, from_graph);
      auto deps = store.Dependencies(e.name, version, c.name, f);
      ASSERT_TRUE(deps.ok());
      EXPECT_EQ(*deps, ref.Closure(c.name, true));
    }
    std::vector<std::string> names(seen.begin(), seen.end());
    for (size_t k = 0; k < max_pairs; ++k) {
      const std::string& a = names[rng() % names.size()];
      const std::string& b = names[rng() % names.size()];
      SCOPED_TRACE(a + " -> " + b);
      auto path = store.Path(e.name, version, a, b, f);
      ASSERT_TRUE(path.ok()) << path.status().ToString();
      auto dist = ref.Bfs(a, true);
      if (!dist.count(b)) {
        EXPECT_TRUE(path->empty());
        continue;
      }
      ASSERT_EQ(path->size(), static_cast<size_t>(dist[b]) + 1);
      EXPECT_EQ(path->front(), a);
      EXPECT_EQ(path->back(), b);
      for (size_t j = 0; j + 1 < path->size(); ++j) {
        EXPECT_TRUE(ref.HasEdge((*path)[j], (*path)[j + 1]));
      }
    }
  }
}

TEST(SqliteStoreQueries, MatchTheGraphModuleOnRealManifests) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  for (const auto& files :
       {std::vector<std::string>{"deathstarbench-socialnetwork/"
                                 "docker-compose.yml"},
        std::vector<std::string>{"online-boutique/kubernetes-manifests.yaml"},
        std::vector<std::string>{"train-ticket/docker-compose.yml"}}) {
    SCOPED_TRACE(files[0]);
    manifest::LoadResult lr = LoadReal(files);
    ASSERT_FALSE(lr.ecosystem.dependencies.empty());
    auto v = store->PutEcosystem(lr.ecosystem, "", "");
    ASSERT_TRUE(v.ok());
    CheckQueries(*store, lr.ecosystem, *v, 60);
  }
}

Ecosystem RandomGraph(int nodes, int edges, uint32_t seed) {
  std::mt19937 rng(seed);
  Ecosystem e;
  e.name = "random-" + std::to_string(seed);
  for (int i = 0; i < nodes; ++i) {
    Component c;
    c.name = "n" + std::to_string(i);
    e.components.push_back(c);
  }
  for (int i = 0; i < edges; ++i) {
    Dependency d;
    d.from = "n" + std::to_string(rng() % nodes);
    // Some dangling references and self loops.
    d.to = rng() % 40 == 0 ? "missing" + std::to_string(i)
                           : "n" + std::to_string(rng() % nodes);
    d.kind = static_cast<DependencyKind>(rng() % 8);
    d.criticality = rng() % 3 == 0 ? Criticality::kSoft : Criticality::kHard;
    e.dependencies.push_back(d);
  }
  // A long cycle through every node guarantees deep paths.
  for (int i = 0; i < nodes; i += 1 + static_cast<int>(rng() % 3)) {
    Dependency d;
    d.from = "n" + std::to_string(i);
    d.to = "n" + std::to_string((i + 1) % nodes);
    e.dependencies.push_back(d);
  }
  return e;
}

TEST(SqliteStoreQueries, MatchReferenceOnRandomGraphsWithCycles) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  for (auto [nodes, edges, seed] :
       {std::tuple{30, 25, 1u}, std::tuple{120, 200, 2u},
        std::tuple{150, 500, 3u}, std::tuple{60, 0, 4u}}) {
    Ecosystem e = RandomGraph(nodes, edges, seed);
    auto v = store->PutEcosystem(e, "", "");
    ASSERT_TRUE(v.ok());
    CheckQueries(*store, e, *v, 80);
  }
}

TEST(SqliteStoreQueries, PathPicksTheSmallestShortestPath) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  Ecosystem e;
  e.name = "diamond";
  for (const char* n : {"a", "b", "c", "d", "e"}) {
    Component c;
    c.name = n;
    e.components.push_back(c);
  }
  auto dep = [&](const char* f, const char* t, DependencyKind k) {
    Dependency d;
    d.from = f;
    d.to = t;
    d.kind = k;
    e.dependencies.push_back(d);
  };
  dep("a", "c", DependencyKind::kHttp);
  dep("a", "b", DependencyKind::kHttp);
  dep("b", "d", DependencyKind::kHttp);
  dep("c", "d", DependencyKind::kHttp);
  dep("a", "d", DependencyKind::kStartOrder);
  dep("d", "a", DependencyKind::kHttp);  // a cycle back.
  ASSERT_TRUE(store->PutEcosystem(e, "", "").ok());
  auto p = store->Path("diamond", std::nullopt, "a", "d", EdgeFilter::kAll);
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, ElementsAre("a", "d"));
  p = store->Path("diamond", std::nullopt, "a", "d", EdgeFilter::kCalls);
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, ElementsAre("a", "b", "d"));
  p = store->Path("diamond", std::nullopt, "a", "a", EdgeFilter::kCalls);
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(*p, ElementsAre("a"));
  p = store->Path("diamond", std::nullopt, "a", "e", EdgeFilter::kAll);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

TEST(SqliteStoreConcurrency, VersionsAreUniqueAndGaplessAcrossConnections) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  ASSERT_NE(MustOpen(path), nullptr);  // creates the schema.
  constexpr int kThreads = 4, kPuts = 8;
  // One list per writer: kThreads own connections, one thread and the main
  // thread sharing a connection (each its own list: no shared vector).
  std::vector<std::vector<int64_t>> got(kThreads + 2);
  auto shared = MustOpen(path);
  std::vector<std::thread> threads;
  for (int t = 0; t <= kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Threads 0..kThreads-1 each own a connection; the last shares one
      // with the main thread's store object.
      std::unique_ptr<Store> own;
      Store* s = shared.get();
      if (t < kThreads) {
        own = MustOpen(path);
        s = own.get();
      }
      for (int i = 0; i < kPuts; ++i) {
        auto v = s->PutEcosystem(RichEcosystem("shop", t * 100 + i), "", "");
        ASSERT_TRUE(v.ok()) << v.status().ToString();
        got[t].push_back(*v);
      }
    });
  }
  for (int i = 0; i < kPuts; ++i) {
    auto v = shared->PutEcosystem(RichEcosystem("shop", 1000 + i), "", "");
    ASSERT_TRUE(v.ok());
    got[kThreads + 1].push_back(*v);
  }
  for (auto& th : threads) th.join();
  std::vector<int64_t> all;
  for (const auto& g : got) {
    EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  const int total = (kThreads + 2) * kPuts;
  ASSERT_EQ(all.size(), static_cast<size_t>(total));
  for (int i = 0; i < total; ++i) EXPECT_EQ(all[i], i + 1);
  auto versions = shared->ListVersions("shop");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), static_cast<size_t>(total));
  EXPECT_EQ(versions->back().version, total);
}

model::PlacementPlan MakePlan(const std::string& eco,
                              std::vector<std::string> zones) {
  model::PlacementPlan p;
  p.ecosystem = eco;
  p.infra = "three-zones";
  p.metadata = {{"solver", "heuristic"}, {"cost", "12.5"}};
  for (size_t i = 0; i < zones.size(); ++i) {
    model::Assignment a;
    a.component = i < 2 ? "web" : "db";
    a.replica = static_cast<int>(i < 2 ? i : i - 2);
    a.zone = zones[i];
    a.rack = "r" + std::to_string(i);
    p.assignments.push_back(a);
  }
  return p;
}

TEST(SqliteStorePlans, StoresPlansWithParentAndDelta) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 1), "", "").ok());
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("other", 0), "", "").ok());
  EXPECT_EQ(store->LatestPlan("shop").status().code(), StatusCode::kNotFound);

  model::PlacementPlan p1 = MakePlan("shop", {"a", "b", "a"});
  auto id1 = store->PutPlan("shop", 1, std::nullopt, p1);
  ASSERT_TRUE(id1.ok()) << id1.status().ToString();
  model::PlacementPlan p2 = MakePlan("shop", {"a", "c", "a", "b"});
  auto id2 = store->PutPlan("shop", 2, *id1, p2);
  ASSERT_TRUE(id2.ok()) << id2.status().ToString();
  EXPECT_GT(*id2, *id1);

  auto r1 = store->GetPlan(*id1);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->plan, p1);
  EXPECT_EQ(r1->ecosystem, "shop");
  EXPECT_EQ(r1->ecosystem_version, 1);
  EXPECT_FALSE(r1->parent_id.has_value());
  EXPECT_EQ(r1->delta, model::Diff({}, p1));
  EXPECT_EQ(r1->delta.added.size(), 3u);

  auto latest = store->LatestPlan("shop");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, *id2);
  EXPECT_EQ(latest->plan, p2);
  EXPECT_EQ(latest->parent_id, *id1);
  EXPECT_EQ(latest->delta, model::Diff(p1, p2));
  EXPECT_EQ(latest->delta.moves.size(), 1u);  // web/1: b -> c
  EXPECT_EQ(latest->delta.added.size(), 1u);  // db/1

  auto history = store->PlanHistory("shop");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].id, *id2);
  EXPECT_EQ((*history)[1].parent_id, *id1);
  EXPECT_EQ((*history)[1].ecosystem_version, 2);
  EXPECT_EQ((*history)[1].assignment_count, 4);
  EXPECT_EQ((*history)[1].moves, 1);
  EXPECT_EQ((*history)[1].added, 1);
  EXPECT_EQ((*history)[1].removed, 0);

  // Errors leave nothing behind.
  EXPECT_EQ(store->PutPlan("shop", 9, std::nullopt, p1).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store->PutPlan("shop", 1, 999, p1).status().code(),
            StatusCode::kNotFound);
  model::PlacementPlan po = MakePlan("other", {"a"});
  EXPECT_EQ(store->PutPlan("other", 1, *id1, po).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->PutPlan("other", 1, std::nullopt, p1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store->GetPlan(12345).status().code(), StatusCode::kNotFound);
  history = store->PlanHistory("shop");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  auto none = store->PlanHistory("other");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SqliteStoreLog, AppendsAndListsEventsAndActions) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
  auto plan = store->PutPlan("shop", 1, std::nullopt, MakePlan("shop", {"a"}));
  ASSERT_TRUE(plan.ok());
  EventRecord e1{
      0, 100, "shop", "hardware-failure", "zone-a", R"({"host":"h1"})"};
  EventRecord e2{0, 50, "", "new-version", "", "{}"};
  auto id1 = store->AppendEvent(e1);
  auto id2 = store->AppendEvent(e2);
  ASSERT_TRUE(id1.ok() && id2.ok());
  EXPECT_GT(*id2, *id1);
  ActionRecord a1{0,         110,   "shop",
                  "migrate", "web", R"({"reason":"zone-a down"})",
                  "applied", *id1,  *plan};
  ActionRecord a2{0,    120,       "shop",       "scale",     "db",
                  "{}", "dry-run", std::nullopt, std::nullopt};
  ActionRecord a3{0,           130,     "other",           "isolate",
                  "x",         "[1,2]", "failed: timeout", std::nullopt,
                  std::nullopt};
  auto aid1 = store->AppendAction(a1);
  ASSERT_TRUE(aid1.ok()) << aid1.status().ToString();
  ASSERT_TRUE(store->AppendAction(a2).ok());
  ASSERT_TRUE(store->AppendAction(a3).ok());

  auto events = store->ListEvents("", 0, 0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "new-version");  // ordered by time.
  e1.id = *id1;
  EXPECT_EQ((*events)[1], e1);
  events = store->ListEvents("shop", 0, 0);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);

  auto actions = store->ListActions("shop", 0, 0);
  ASSERT_TRUE(actions.ok());
  ASSERT_EQ(actions->size(), 2u);
  a1.id = *aid1;
  EXPECT_EQ((*actions)[0], a1);
  actions = store->ListActions("shop", 115, 0);
  ASSERT_TRUE(actions.ok());
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_EQ((*actions)[0].kind, "scale");
  actions = store->ListActions("", 0, 2);
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ(actions->size(), 2u);

  EventRecord bad = e2;
  bad.payload_json = "{not json";
  EXPECT_EQ(store->AppendEvent(bad).status().code(),
            StatusCode::kInvalidArgument);
  bad = e2;
  bad.kind = "";
  EXPECT_EQ(store->AppendEvent(bad).status().code(),
            StatusCode::kInvalidArgument);
  ActionRecord dangling = a2;
  dangling.event_id = 999;
  EXPECT_EQ(store->AppendAction(dangling).status().code(),
            StatusCode::kNotFound);
  dangling = a2;
  dangling.plan_id = 999;
  EXPECT_EQ(store->AppendAction(dangling).status().code(),
            StatusCode::kNotFound);
  actions = store->ListActions("", 0, 0);
  ASSERT_TRUE(actions.ok());
  EXPECT_EQ(actions->size(), 3u);
}

// The version-1 schema exactly as the first release created it, written out
// by hand (not taken from migrations.cc), with one ecosystem in it.
constexpr const char* kHandMadeV1 = R"sql(
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
  description TEXT NOT NULL, applied_at_us INTEGER NOT NULL);
INSERT INTO schema_migrations VALUES (1, 'initial', 1);
CREATE TABLE ecosystems (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  created_at_us INTEGER NOT NULL);
CREATE TABLE ecosystem_versions (id INTEGER PRIMARY KEY,
  ecosystem_id INTEGER NOT NULL REFERENCES ecosystems(id),
  version INTEGER NOT NULL, created_at_us INTEGER NOT NULL,
  label TEXT NOT NULL, source_format TEXT NOT NULL,
  source_files TEXT NOT NULL, source_text TEXT NOT NULL,
  source_text_format TEXT NOT NULL, component_count INTEGER NOT NULL,
  edge_count INTEGER NOT NULL, UNIQUE (ecosystem_id, version));
CREATE TABLE components (
  version_id INTEGER NOT NULL REFERENCES ecosystem_versions(id),
  ordinal INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  version TEXT NOT NULL, image TEXT NOT NULL, replicas_min INTEGER NOT NULL,
  replicas_max INTEGER NOT NULL, replicas_initial INTEGER NOT NULL,
  cpu_millicores INTEGER NOT NULL, memory_bytes INTEGER NOT NULL,
  bandwidth_bps INTEGER NOT NULL, storage_bytes INTEGER NOT NULL,
  stateful INTEGER NOT NULL, latency_slo_us INTEGER NOT NULL,
  capacity_rps_per_replica REAL, extra TEXT NOT NULL,
  PRIMARY KEY (version_id, ordinal));
CREATE INDEX components_by_name ON components (version_id, name);
CREATE TABLE dependencies (
  version_id INTEGER NOT NULL REFERENCES ecosystem_versions(id),
  ordinal INTEGER NOT NULL, from_name TEXT NOT NULL, to_name TEXT NOT NULL,
  kind TEXT NOT NULL, port INTEGER NOT NULL, protocol TEXT NOT NULL,
  traffic_rps REAL, traffic_bytes_per_s REAL,
  latency_budget_us INTEGER NOT NULL, criticality TEXT NOT NULL,
  inferred INTEGER NOT NULL, evidence TEXT NOT NULL,
  resolved INTEGER NOT NULL, PRIMARY KEY (version_id, ordinal));
CREATE TABLE events (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,
  ecosystem TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
  payload TEXT NOT NULL);
CREATE INDEX events_by_time ON events (ecosystem, time_us);
CREATE TABLE actions (id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,
  ecosystem TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
  payload TEXT NOT NULL, result TEXT NOT NULL,
  event_id INTEGER REFERENCES events(id));
CREATE INDEX actions_by_time ON actions (ecosystem, time_us);
PRAGMA user_version = 1;
INSERT INTO ecosystems VALUES (1, 'legacy', 5);
INSERT INTO ecosystem_versions VALUES (1, 1, 1, 5, 'v0', 'compose',
  '["compose.yaml"]', 'services: {}', 'compose', 2, 1);
INSERT INTO components VALUES (1, 0, 'api', 'container', '', 'api:1', 1, 3,
  2, 500, 268435456, 0, 0, 0, 0, 0.0,
  '{"limits":{"cpu_millicores":0,"memory_bytes":0,"bandwidth_bps":0,"storage_bytes":0},"placement":{"allowed_regions":[],"allowed_zones":[],"zone_labels":{},"spread_min_zones":0,"max_per_zone":0},"labels":{},"ports":[{"number":8080,"protocol":"http","name":""}],"startup_us":0,"profiles":[],"source_kind":"service","where":{"file":"compose.yaml","line":2,"column":3,"path":"services.api"}}');
INSERT INTO components VALUES (1, 1, 'db', 'database', '', 'postgres:16', 1,
  1, 1, 0, 0, 0, 0, 1, 0, 0.0,
  '{"limits":{"cpu_millicores":0,"memory_bytes":0,"bandwidth_bps":0,"storage_bytes":0},"placement":{"allowed_regions":[],"allowed_zones":[],"zone_labels":{},"spread_min_zones":0,"max_per_zone":0},"labels":{},"ports":[],"startup_us":0,"profiles":[],"source_kind":"service","where":{"file":"","line":0,"column":0,"path":""}}');
INSERT INTO dependencies VALUES (1, 0, 'api', 'db', 'database', 5432, 'tcp',
  0.0, 0.0, 0, 'hard', 1,
  '[{"where":{"file":"compose.yaml","line":5,"column":7,"path":"services.api.environment.DB"},"value":"db:5432","reason":"env"}]', 1);
INSERT INTO events VALUES (1, 10, 'legacy', 'alert', 'db', '{}');
INSERT INTO actions VALUES (1, 11, 'legacy', 'restart', 'db', '{}', 'applied', 1);
)sql";

TEST(SqliteStoreSchema, MigratesAVersionOneFile) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  RawExec(path, kHandMadeV1);
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SchemaVersion(), 4);
  EXPECT_EQ(RawInt(path, "SELECT MAX(version) FROM schema_migrations"), 4);
  EXPECT_EQ(RawInt(path, "PRAGMA user_version"), 4);

  Ecosystem want;
  want.name = "legacy";
  want.version = "v0";
  want.source_format = "compose";
  want.source_files = {"compose.yaml"};
  Component api;
  api.name = "api";
  api.image = "api:1";
  api.replicas = {1, 3, 2};
  api.requests.cpu_millicores = 500;
  api.requests.memory_bytes = 268435456;
  api.ports = {{8080, "http", ""}};
  api.source_kind = "service";
  api.where = {"compose.yaml", 2, 3, "services.api"};
  Component db;
  db.name = "db";
  db.kind = ComponentKind::kDatabase;
  db.image = "postgres:16";
  db.stateful = true;
  db.source_kind = "service";
  want.components = {api, db};
  Dependency d;
  d.from = "api";
  d.to = "db";
  d.kind = DependencyKind::kDatabase;
  d.port = 5432;
  d.protocol = "tcp";
  d.inferred = true;
  d.evidence = {{{"compose.yaml", 5, 7, "services.api.environment.DB"},
                 "db:5432",
                 "env"}};
  want.dependencies = {d};
  auto got = store->GetEcosystem("legacy", 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, want);

  // What version 2 added works on the migrated file.
  auto impact = store->ImpactSet("legacy", 1, "db", EdgeFilter::kHard);
  ASSERT_TRUE(impact.ok());
  EXPECT_THAT(*impact, ElementsAre("api"));
  auto plan =
      store->PutPlan("legacy", 1, std::nullopt, MakePlan("legacy", {"z"}));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto actions = store->ListActions("legacy", 0, 0);
  ASSERT_TRUE(actions.ok());
  ASSERT_EQ(actions->size(), 1u);
  EXPECT_EQ((*actions)[0].event_id, 1);
  EXPECT_FALSE((*actions)[0].plan_id.has_value());
  // Version 3: events of older files count as processed.
  auto backlog = store->UnprocessedEvents(0);
  ASSERT_TRUE(backlog.ok());
  EXPECT_TRUE(backlog->empty());
  // Version 4: no engine memory yet; one can be written.
  auto memory = store->LoadMemory("legacy");
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_FALSE(memory->has_value());
  ASSERT_TRUE(store->CommitProgress({}, {{"legacy", *plan, 1, "{}", 0}}).ok());
  EXPECT_EQ((*store->LoadMemory("legacy"))->event_id, 1);
  ASSERT_TRUE(store
                  ->AppendAction({0, 12, "legacy", "migrate", "api", "{}",
                                  "applied", std::nullopt, *plan})
                  .ok());
  EXPECT_TRUE(store->CheckIntegrity().ok());
  // Opening again applies nothing.
  store.reset();
  ASSERT_NE(MustOpen(path), nullptr);
  EXPECT_EQ(RawInt(path, "SELECT COUNT(*) FROM schema_migrations"), 4);
}

TEST(SqliteStoreSchema, RefusesANewerSchemaWithoutChangingIt) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  {
    auto store = MustOpen(path);
    ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
  }
  RawExec(path,
          "INSERT INTO schema_migrations VALUES (5, 'from the future', 9)");
  auto r = OpenSqlite({}, path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("newer"));
  EXPECT_EQ(RawInt(path, "SELECT MAX(version) FROM schema_migrations"), 5);
  EXPECT_EQ(RawInt(path, "SELECT COUNT(*) FROM ecosystem_versions"), 1);
}

TEST(SqliteStoreSchema, RefusesOtherSqliteDatabases) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawExec(path, "CREATE TABLE t (x INTEGER)");
  auto r = OpenSqlite({}, path);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST(SqliteStoreSchema, MissingFileWithoutCreate) {
  TempDir dir;
  StoreOptions o;
  o.create_if_missing = false;
  EXPECT_EQ(OpenSqlite(o, dir.File("none.db")).status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.File("none.db")));
}

TEST(SqliteStoreSchema, GarbageFileIsCorruption) {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(i * 37 + 11));
  }
  auto r = OpenSqlite({}, path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption)
      << r.status().ToString();
}

TEST(SqliteStoreSchema, DamagedPagesAreCorruption) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  {
    auto store = MustOpen(path);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(store->PutEcosystem(RandomGraph(100, 300, i), "", "").ok());
    }
  }  // the last close checkpoints the WAL into the file.
  ASSERT_FALSE(fs::exists(path + "-wal"));
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 64u * 1024);
  {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    // Keep page 1 (header and schema), smash a stretch in the middle.
    f.seekp(static_cast<std::streamoff>(size / 2));
    for (int i = 0; i < 16384; ++i) f.put(static_cast<char>(0xA5 ^ i));
  }
  StoreOptions o;
  o.check_integrity_on_open = true;
  auto r = OpenSqlite(o, path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption)
      << r.status().ToString();
}

// The writer in the crash test: versions with label "crash-<i>" and, every
// third version, a plan whose parent is the previous plan. After each
// commit it reports i on `fd`.
[[noreturn]] void CrashWriter(const std::string& path, int fd) {
  auto r = OpenSqlite({}, path);
  if (!r.ok()) _exit(3);
  std::unique_ptr<Store> store = std::move(r).value();
  std::optional<int64_t> parent;
  for (int i = 1;; ++i) {
    Ecosystem e = RandomGraph(50, 120, static_cast<uint32_t>(i));
    e.name = "crash";
    e.version = "crash-" + std::to_string(i);
    auto v = store->PutEcosystem(e, "text " + std::to_string(i), "ecotone");
    if (!v.ok() || *v != i) _exit(4);
    int32_t msg = i;
    if (i % 3 == 0) {
      auto p = store->PutPlan(
          "crash", i, parent,
          MakePlan("crash", {"z" + std::to_string(i), "a", "b"}));
      if (!p.ok()) _exit(5);
      parent = *p;
      msg = -i;  // a plan was committed with this version.
    }
    if (write(fd, &msg, sizeof msg) != sizeof msg) _exit(6);
  }
}

TEST(SqliteStoreCrash, KilledWriterLosesNoAcknowledgedWrite) {
  TempDir dir;
  const std::string path = dir.File("crash.db");
  ASSERT_NE(MustOpen(path), nullptr);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    CrashWriter(path, fds[1]);
  }
  close(fds[1]);
  std::vector<int32_t> acks;
  int32_t msg;
  while (acks.size() < 25 && read(fds[0], &msg, sizeof msg) == sizeof msg) {
    acks.push_back(msg);
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);  // mid-stream: a write is in flight.
  while (read(fds[0], &msg, sizeof msg) == sizeof msg) acks.push_back(msg);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status))
      << "writer exited with " << WEXITSTATUS(status);
  ASSERT_GE(acks.size(), 25u);

  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->CheckIntegrity().ok());
  const int acked = std::abs(acks.back());
  auto versions = store->ListVersions("crash");
  ASSERT_TRUE(versions.ok());
  // Every acknowledged version is there; at most one more (committed, then
  // killed before the acknowledgement), and no gaps.
  ASSERT_GE(versions->size(), static_cast<size_t>(acked));
  ASSERT_LE(versions->size(), static_cast<size_t>(acked) + 1);
  for (size_t i = 0; i < versions->size(); ++i) {
    EXPECT_EQ((*versions)[i].version, static_cast<int64_t>(i) + 1);
  }
  for (int i = 1; i <= acked; ++i) {
    Ecosystem e = RandomGraph(50, 120, static_cast<uint32_t>(i));
    e.name = "crash";
    e.version = "crash-" + std::to_string(i);
    auto got = store->GetEcosystem("crash", i);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, e);
  }
  // The last acknowledged plan is intact (or a newer one that committed).
  int last_plan_version = 0;
  for (int32_t a : acks) {
    if (a < 0) last_plan_version = -a;
  }
  ASSERT_GT(last_plan_version, 0);
  auto plan = store->LatestPlan("crash");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_GE(plan->ecosystem_version, last_plan_version);
  auto history = store->PlanHistory("crash");
  ASSERT_TRUE(history.ok());
  EXPECT_GE(history->size(), static_cast<size_t>(last_plan_version / 3));
  for (const PlanSummary& s : *history) {
    auto rec = store->GetPlan(s.id);
    ASSERT_TRUE(rec.ok());
    EXPECT_EQ(rec->plan,
              MakePlan("crash",
                       {"z" + std::to_string(s.ecosystem_version), "a", "b"}));
  }
  // The store keeps working after the crash.
  EXPECT_TRUE(store->PutEcosystem(RichEcosystem("crash", 0), "", "").ok());
}

}  // namespace
}  // namespace ecotone::store

namespace ecotone::store {
namespace {

TEST(SqliteStoreLog, AppendEventsIsAllOrNothing) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  std::vector<EventRecord> batch = {
      {0, 10, "shop", "hardware", "eu-1", R"({"a":1})"},
      {0, 11, "", "tick", "", "{}"},
      {0, 12, "shop", "metrics", "web", "{}"}};
  auto ids = store->AppendEvents(batch);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_LT((*ids)[0], (*ids)[1]);
  EXPECT_LT((*ids)[1], (*ids)[2]);
  auto listed = store->ListEvents("", 0, 0);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    batch[i].id = (*ids)[i];
    EXPECT_EQ((*listed)[i], batch[i]);
  }
  // One bad event: nothing of the batch is stored, and it is named.
  std::vector<EventRecord> bad = {{0, 20, "shop", "hardware", "", "{}"},
                                  {0, 21, "shop", "hardware", "", "{oops"}};
  auto r = store->AppendEvents(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("event 1"), std::string::npos);
  EXPECT_EQ(store->ListEvents("", 0, 0)->size(), 3u);
  EXPECT_TRUE(store->AppendEvents({}).value().empty());
}

// The plan race (docs/serve.md, "Plan races"): two writers on their own
// connections read the same latest plan and commit children of it at the
// same moment. Exactly one wins each round; the loser gets
// kFailedPrecondition and nothing of its plan is stored; the history stays
// a chain.
TEST(SqliteStorePlans, ConcurrentChildrenOfOneParentExactlyOneWins) {
  TempDir dir;
  const std::string path = dir.File("race.db");
  auto a = MustOpen(path);
  auto b = MustOpen(path);
  ASSERT_TRUE(a->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
  std::optional<int64_t> parent;
  int conflicts = 0;
  for (int round = 0; round < 30; ++round) {
    std::atomic<int> ready{0};
    Result<int64_t> ra = Status::Internal("not run");
    Result<int64_t> rb = Status::Internal("not run");
    auto writer = [&](Store* st, Result<int64_t>* out, const char* host) {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      *out = st->PutPlan("shop", 1, parent, MakePlan("shop", {host, "a"}));
    };
    std::thread ta(writer, a.get(), &ra, "api");
    std::thread tb(writer, b.get(), &rb, "engine");
    ta.join();
    tb.join();
    ASSERT_NE(ra.ok(), rb.ok()) << round << ": " << ra.status().ToString()
                                << " / " << rb.status().ToString();
    const Result<int64_t>& lost = ra.ok() ? rb : ra;
    EXPECT_EQ(lost.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(lost.status().message().find("plan conflict"), std::string::npos)
        << lost.status().ToString();
    ++conflicts;
    parent = ra.ok() ? *ra : *rb;
    // The loser re-reads the latest plan and retries: that succeeds.
    auto latest = b->LatestPlan("shop");
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(latest->id, *parent);
  }
  EXPECT_EQ(conflicts, 30);
  auto history = a->PlanHistory("shop");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 30u);
  for (size_t i = 1; i < history->size(); ++i)
    EXPECT_EQ((*history)[i].parent_id, (*history)[i - 1].id);
  // A stale parent (not the latest) and a second first plan are refused.
  EXPECT_EQ(a->PutPlan("shop", 1, (*history)[0].id, MakePlan("shop", {"x"}))
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      a->PutPlan("shop", 1, std::nullopt, MakePlan("shop", {"x"})).status().code(),
      StatusCode::kFailedPrecondition);
  EXPECT_EQ(a->PlanHistory("shop")->size(), 30u);
}

// Engine progress: an event's actions, its plan and its processed mark are
// committed together or not at all.
TEST(SqliteStoreLog, DecisionsCommitActionsPlanAndProcessedMarkTogether) {
  TempDir dir;
  auto store = MustOpen(dir.File("s.db"));
  ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
  auto first = store->PutPlan("shop", 1, std::nullopt, MakePlan("shop", {"a"}));
  ASSERT_TRUE(first.ok());
  auto ids = store->AppendEvents({{0, 1, "shop", "hardware", "z", "{}"},
                                  {0, 2, "shop", "alert", "web", "{}"},
                                  {0, 3, "", "hardware", "z", "{}"}});
  ASSERT_TRUE(ids.ok());
  auto backlog = store->UnprocessedEvents(0);
  ASSERT_TRUE(backlog.ok());
  ASSERT_EQ(backlog->size(), 3u);
  EXPECT_EQ((*backlog)[0].id, (*ids)[0]);
  EXPECT_EQ((*backlog)[2].id, (*ids)[2]);
  EXPECT_EQ(store->UnprocessedEvents(1)->size(), 1u);

  DecisionRecord d;
  d.event_id = (*ids)[0];
  d.plan = DecisionRecord::Plan{"shop", 1, *first, MakePlan("shop", {"b"})};
  d.actions = {{0, 5, "shop", "migrate", "web", "{}", "applied: x",
                (*ids)[0], std::nullopt},
               {0, 5, "shop", "scale", "web", "{}", "applied: y", (*ids)[0],
                std::nullopt}};
  auto r = store->CommitDecision(d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->plan_id.has_value());
  EXPECT_EQ(r->action_ids.size(), 2u);
  auto actions = store->ListActions("shop", 0, 0);
  ASSERT_EQ(actions->size(), 2u);
  EXPECT_EQ((*actions)[1].plan_id, r->plan_id);
  backlog = store->UnprocessedEvents(0);
  ASSERT_EQ(backlog->size(), 2u);
  EXPECT_EQ((*backlog)[0].id, (*ids)[1]);

  // A decision whose plan lost the race stores nothing, marks nothing.
  DecisionRecord stale = d;
  stale.event_id = (*ids)[1];
  EXPECT_EQ(store->CommitDecision(stale).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->ListActions("shop", 0, 0)->size(), 2u);
  EXPECT_EQ(store->PlanHistory("shop")->size(), 2u);
  EXPECT_EQ(store->UnprocessedEvents(0)->size(), 2u);
  // Without the plan it goes through (the engine's fallback).
  stale.plan.reset();
  auto r2 = store->CommitDecision(stale);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_FALSE(r2->plan_id.has_value());
  EXPECT_FALSE(store->ListActions("shop", 0, 0)->back().plan_id.has_value());
  EXPECT_EQ(store->UnprocessedEvents(0)->size(), 1u);
  // A bad action (unknown event reference) rolls back the mark too.
  DecisionRecord bad;
  bad.event_id = (*ids)[2];
  bad.actions = {{0, 6, "shop", "migrate", "web", "{}", "applied", 999999,
                  std::nullopt}};
  EXPECT_EQ(store->CommitDecision(bad).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->UnprocessedEvents(0)->size(), 1u);

  EXPECT_EQ(store->MarkProcessed({(*ids)[2], 424242}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store->UnprocessedEvents(0)->size(), 1u);
  ASSERT_TRUE(store->MarkProcessed({(*ids)[2], (*ids)[0]}).ok());
  EXPECT_TRUE(store->UnprocessedEvents(0)->empty());
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

}  // namespace
TEST(SqliteStoreMemory,
     MemoryIsWrittenWithProgressAndDecisionsAndSurvivesReopening) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  int64_t first_plan = 0, second_plan = 0;
  std::vector<int64_t> ev;
  {
    auto store = MustOpen(path);
    ASSERT_TRUE(store->PutEcosystem(RichEcosystem("shop", 0), "", "").ok());
    ASSERT_TRUE(store->PutEcosystem(RichEcosystem("mall", 0), "", "").ok());
    auto p = store->PutPlan("shop", 1, std::nullopt, MakePlan("shop", {"a"}));
    ASSERT_TRUE(p.ok());
    first_plan = *p;
    auto mall_plan =
        store->PutPlan("mall", 1, std::nullopt, MakePlan("mall", {"a"}));
    ASSERT_TRUE(mall_plan.ok());
    EXPECT_FALSE(store->LoadMemory("shop")->has_value());
    EXPECT_EQ(store->LoadMemory("nowhere").status().code(),
              StatusCode::kNotFound);

    auto ids = store->AppendEvents({{0, 1, "shop", "hardware", "z", "{}"},
                                    {0, 2, "mall", "alert", "web", "{}"},
                                    {0, 3, "", "hardware", "z", "{}"},
                                    {0, 4, "shop", "metrics", "", "{}"}});
    ASSERT_TRUE(ids.ok());
    ev = *ids;

    // Progress: marks and memory in one transaction.
    ASSERT_TRUE(store
                    ->CommitProgress({ev[0]}, {{"shop", first_plan, ev[0],
                                                R"({"format":1,"n":1})", 0}})
                    .ok());
    auto m = store->LoadMemory("shop");
    ASSERT_TRUE(m.ok() && m->has_value());
    EXPECT_EQ((*m)->plan_id, first_plan);
    EXPECT_EQ((*m)->event_id, ev[0]);
    EXPECT_EQ((*m)->state_json, R"({"format":1,"n":1})");
    EXPECT_GT((*m)->updated_at_us, 0);
    EXPECT_EQ(store->UnprocessedEvents(0)->size(), 3u);

    // All or nothing: a memory naming another ecosystem's plan, an unknown
    // plan, bad JSON or no plan leaves the marks and memory as they were.
    EXPECT_EQ(
        store->CommitProgress({ev[1]}, {{"shop", *mall_plan, ev[1], "{}", 0}})
            .code(),
        StatusCode::kFailedPrecondition);
    EXPECT_EQ(store->CommitProgress({ev[1]}, {{"shop", 99999, ev[1], "{}", 0}})
                  .code(),
              StatusCode::kNotFound);
    EXPECT_EQ(
        store->CommitProgress({ev[1]}, {{"shop", first_plan, ev[1], "{", 0}})
            .code(),
        StatusCode::kInvalidArgument);
    EXPECT_EQ(
        store->CommitProgress({ev[1]}, {{"shop", std::nullopt, ev[1], "{}", 0}})
            .code(),
        StatusCode::kInvalidArgument);
    EXPECT_EQ(store->UnprocessedEvents(0)->size(), 3u);
    EXPECT_EQ((*store->LoadMemory("shop"))->state_json,
              R"({"format":1,"n":1})");

    // A decision that commits a plan: the memory describes that plan (no
    // plan id given), and replaces the previous row.
    DecisionRecord d;
    d.event_id = ev[2];
    d.plan =
        DecisionRecord::Plan{"shop", 1, first_plan, MakePlan("shop", {"b"})};
    d.actions = {{0, 5, "shop", "migrate", "web", "{}", "applied: x", ev[2],
                  std::nullopt}};
    d.memory = {{"shop", std::nullopt, ev[2], R"({"format":1,"n":2})", 0}};
    auto r = store->CommitDecision(d);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    second_plan = *r->plan_id;
    // A decision with a bad memory stores nothing of it.
    DecisionRecord bad;
    bad.event_id = ev[3];
    bad.actions = d.actions;
    bad.memory = {{"shop", std::nullopt, ev[3], "{}", 0}};  // no plan anywhere.
    EXPECT_EQ(store->CommitDecision(bad).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(store->ListActions("shop", 0, 0)->size(), 1u);
    EXPECT_EQ(store->UnprocessedEvents(0)->size(), 2u);
  }
  // A real file, reopened: the memory is there.
  auto store = MustOpen(path);
  auto m = store->LoadMemory("shop");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->plan_id, second_plan);
  EXPECT_EQ((*m)->event_id, ev[2]);
  EXPECT_EQ((*m)->state_json, R"({"format":1,"n":2})");
  EXPECT_EQ(RawInt(path, "SELECT COUNT(*) FROM engine_memory"), 1);
  EXPECT_FALSE(store->LoadMemory("mall")->has_value());

  // What the engine saw after the memory: processed events of the ecosystem
  // or of none, after the id, in order.
  ASSERT_TRUE(store->MarkProcessed({ev[1], ev[3]}).ok());
  auto after = store->ProcessedEventsAfter("shop", ev[0], 0);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].id, ev[2]);  // no ecosystem: every one sees it.
  EXPECT_EQ((*after)[1].id, ev[3]);
  EXPECT_EQ(store->ProcessedEventsAfter("shop", ev[0], 1)->size(), 1u);
  EXPECT_TRUE(store->ProcessedEventsAfter("shop", ev[3], 0)->empty());
  auto mall = store->ProcessedEventsAfter("mall", 0, 0);
  ASSERT_EQ(mall->size(), 2u);
  EXPECT_EQ((*mall)[0].id, ev[1]);
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

}  // namespace ecotone::store
