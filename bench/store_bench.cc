// Store benchmarks (docs/store.md, "Performance"). Google Benchmark; a
// real SQLite file in a temporary directory (WAL, synchronous=FULL).
//
//  BM_PutEcosystem      PutEcosystem of a generated map with 10,000
//                       components and 50,000 edges: one durable
//                       transaction per iteration.
//  BM_GetEcosystem      GetEcosystem of that version (full read back).
//  BM_ImpactSetSql      ImpactSet (recursive CTE) of a component on it.
//  BM_ImpactSetMemory   graph::ImpactSet on an in-memory EcosystemMap of the
//                       same map, same components: the baseline.
//  BM_PathSql           Path (breadth-first search of indexed lookups) between
//                       random components.
// Run: build/bench/store_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/store/store.h"

namespace {

using namespace ecotone;

constexpr int kComponents = 10'000;
constexpr int kEdges = 50'000;

model::Ecosystem BigEcosystem() {
  std::mt19937 rng(42);
  model::Ecosystem e;
  e.name = "big";
  for (int i = 0; i < kComponents; ++i) {
    model::Component c;
    c.name = "svc-" + std::to_string(i);
    c.image = "registry/" + c.name + ":1";
    c.requests.cpu_millicores = 100 + i % 900;
    c.labels = {{"team", "t" + std::to_string(i % 50)}};
    c.ports = {{8080, "http", "http"}};
    e.components.push_back(std::move(c));
  }
  // Layered-ish: mostly calls to higher ids, some back edges (cycles).
  for (int i = 0; i < kEdges; ++i) {
    model::Dependency d;
    int a = static_cast<int>(rng() % kComponents);
    int b = rng() % 10 == 0 ? static_cast<int>(rng() % kComponents)
                            : a + 1 + static_cast<int>(rng() % 200);
    d.from = "svc-" + std::to_string(a);
    d.to = "svc-" + std::to_string(b % kComponents);
    d.kind = static_cast<model::DependencyKind>(rng() % 7);
    d.criticality =
        rng() % 4 == 0 ? model::Criticality::kSoft : model::Criticality::kHard;
    d.traffic_rps = rng() % 1000;
    d.inferred = true;
    d.evidence = {{{"big.yaml", i + 1, 3, "components." + d.from},
                   d.to,
                   "environment value names the service"}};
    e.dependencies.push_back(std::move(d));
  }
  return e;
}

struct Fixture {
  Fixture() : eco(BigEcosystem()) {
    char tmpl[] = "/tmp/ecotone_store_bench_XXXXXX";
    dir = mkdtemp(tmpl);
    auto r = store::OpenSqlite({}, dir + "/bench.db");
    if (!r.ok()) std::abort();
    db = std::move(r).value();
    if (!db->PutEcosystem(eco, "", "").ok()) std::abort();
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  model::Ecosystem eco;
  std::string dir;
  std::unique_ptr<store::Store> db;
};

Fixture& F() {
  static Fixture* f = new Fixture();  // lives for the whole run.
  return *f;
}

void BM_PutEcosystem(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    auto v = f.db->PutEcosystem(f.eco, "", "");
    if (!v.ok()) state.SkipWithError(v.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * (kComponents + kEdges));
}
BENCHMARK(BM_PutEcosystem)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_GetEcosystem(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    auto e = f.db->GetEcosystem("big", 1);
    if (!e.ok()) state.SkipWithError(e.status().ToString().c_str());
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_GetEcosystem)->Unit(benchmark::kMillisecond);

void BM_ImpactSetSql(benchmark::State& state) {
  Fixture& f = F();
  std::mt19937 rng(7);
  size_t total = 0;
  for (auto _ : state) {
    std::string c = "svc-" + std::to_string(rng() % kComponents);
    auto r = f.db->ImpactSet("big", 1, c, store::EdgeFilter::kHard);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    total += r->size();
  }
  state.counters["avg_impact"] =
      static_cast<double>(total) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ImpactSetSql)->Unit(benchmark::kMillisecond);

void BM_ImpactSetMemory(benchmark::State& state) {
  Fixture& f = F();
  graph::EcosystemMap map = graph::EcosystemMap::Build(f.eco, nullptr);
  std::mt19937 rng(7);
  size_t total = 0;
  for (auto _ : state) {
    std::string c = "svc-" + std::to_string(rng() % kComponents);
    auto r = graph::ImpactSet(map, map.Find(c), graph::EdgeSet::kHard);
    total += r.size();
  }
  state.counters["avg_impact"] =
      static_cast<double>(total) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ImpactSetMemory)->Unit(benchmark::kMillisecond);

void BM_PathSql(benchmark::State& state) {
  Fixture& f = F();
  std::mt19937 rng(9);
  for (auto _ : state) {
    std::string a = "svc-" + std::to_string(rng() % 1000);
    std::string b = "svc-" + std::to_string(5000 + rng() % 5000);
    auto r = f.db->Path("big", 1, a, b, store::EdgeFilter::kAll);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
}
BENCHMARK(BM_PathSql)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
