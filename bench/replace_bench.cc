// replace_bench: incremental re-placement at scale (docs/placement.md).
// Generates an ecosystem of 10,000 components × 10 replicas (100,000
// replicas, 5 dependencies per component ≈ 50,000 dependencies, 10 %
// stateful) and an infrastructure of 50 zones (10 regions × 5) × 20 racks =
// 1,000 racks at ~60 % CPU utilisation; makes an initial plan (the
// proximity-blind spread plan by default, or the heuristic with
// --initial heuristic); fails one zone; and measures:
//   build   — BuildEcosystemProblem (graph, proximity, bins, pairs) alone;
//   replace — placement::Replace end to end (build + keep + restricted
//             solve + verification against the whole problem).
// Target: replace ≤ 1 s. Prints times, kept/affected replicas, moves and the
// result's feasibility. Not a test; run by hand:
//   build/bench/replace_bench [--components N] [--initial spread|heuristic]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "ecotone/placement/ecosystem_problem.h"
#include "ecotone/placement/replace.h"

namespace {

using namespace ecotone;

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

model::Ecosystem MakeEcosystem(int n, std::mt19937_64& rng) {
  model::Ecosystem eco;
  eco.name = "generated";
  std::uniform_int_distribution<int> cpu(100, 500), mem(128, 1024),
      pick(0, n - 1);
  std::uniform_real_distribution<double> rps(1, 500);
  eco.components.reserve(n);
  for (int i = 0; i < n; ++i) {
    model::Component c;
    c.name = "svc-" + std::to_string(i);
    c.replicas.initial = c.replicas.max = 10;
    c.requests.cpu_millicores = cpu(rng);
    c.requests.memory_bytes = static_cast<int64_t>(mem(rng)) << 20;
    if (i % 10 == 0) {
      c.kind = model::ComponentKind::kDatabase;
      c.stateful = true;
    }
    eco.components.push_back(std::move(c));
  }
  eco.dependencies.reserve(static_cast<size_t>(n) * 5);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 5; ++k) {
      // Mostly local structure (services call neighbours), some far calls.
      int j = k < 4 ? (i + 1 + static_cast<int>(rng() % 50)) % n : pick(rng);
      if (j == i) continue;
      model::Dependency d;
      d.from = eco.components[i].name;
      d.to = eco.components[j].name;
      d.traffic_rps = rps(rng);
      d.traffic_bytes_per_s = d.traffic_rps * 2000;
      eco.dependencies.push_back(std::move(d));
    }
  }
  return eco;
}

model::Topology MakeTopology(int regions, int zones_per_region, int racks) {
  model::Topology t;
  t.name = "generated-50x20";
  for (int r = 0; r < regions; ++r) {
    t.regions.push_back({"region-" + std::to_string(r), {}});
    for (int z = 0; z < zones_per_region; ++z) {
      model::Zone zone;
      zone.name = "r" + std::to_string(r) + "-z" + std::to_string(z);
      zone.region = t.regions.back().name;
      zone.prices = {0.04 + 0.001 * r, 0.005, 0.01, 0.0001};
      for (int k = 0; k < racks; ++k) {
        model::Rack rack;
        rack.name = "rack-" + std::to_string(k);
        rack.capacity = {50000, 96LL << 30, 0, 0};
        zone.capacity = model::Add(zone.capacity, rack.capacity);
        zone.racks.push_back(std::move(rack));
      }
      size_t n = zone.racks.size();
      zone.rack_latency_ms.assign(n * n, 0.1);
      for (size_t i = 0; i < n; ++i) zone.rack_latency_ms[i * n + i] = 0;
      t.zones.push_back(std::move(zone));
    }
  }
  const size_t n = t.zones.size();
  t.latency_ms.assign(n * n, 0);
  t.egress_per_gb.assign(n * n, 0);
  for (size_t a = 0; a < n; ++a)
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      size_t ra = a / zones_per_region, rb = b / zones_per_region;
      t.latency_ms[a * n + b] =
          ra == rb
              ? 1.0
              : 20.0 + 6.0 * static_cast<double>(ra > rb ? ra - rb : rb - ra);
      t.egress_per_gb[a * n + b] = ra == rb ? 0.01 : 0.02;
    }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 10000;
  std::string initial = "spread";
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--components")) n = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--initial")) initial = argv[i + 1];
  }
  std::mt19937_64 rng(42);
  model::Ecosystem eco = MakeEcosystem(n, rng);
  model::Topology topo = MakeTopology(10, 5, 20);
  placement::EcosystemOptions eo;

  auto t0 = std::chrono::steady_clock::now();
  auto ep = placement::BuildEcosystemProblem(eco, topo, nullptr, eo);
  if (!ep.ok()) {
    std::fprintf(stderr, "%s\n", ep.status().ToString().c_str());
    return 2;
  }
  double build_s = Since(t0);
  std::printf(
      "ecosystem: %zu components, %d replicas, %zu dependencies, "
      "%zu dependent pairs, %zu partner pairs\n",
      eco.components.size(), ep->problem.num_items, eco.dependencies.size(),
      ep->pairs.size(), ep->partners.size());
  std::printf("infrastructure: %zu zones, %d racks\n", topo.zones.size(),
              ep->problem.num_bins);
  std::printf("build problem: %.3f s\n", build_s);

  placement::SolveOptions so;
  so.seed = 1;
  so.time_limit_s = 30;
  so.max_iterations = 20000;
  t0 = std::chrono::steady_clock::now();
  placement::EcosystemPlacement first;
  if (initial == "heuristic") {
    auto r = placement::PlaceEcosystem(eco, topo, nullptr, eo, so, "heuristic");
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 2;
    }
    first = std::move(*r);
  } else {
    auto r = placement::EvaluateAssignment(
        *ep, placement::SpreadAssignment(*ep), eco, topo, nullptr, eo);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 2;
    }
    first = std::move(*r);
  }
  std::printf(
      "initial plan (%s): %.3f s, status %s, objective %.2f/h, "
      "cross-zone proximity %.1f\n",
      initial.c_str(), Since(t0),
      std::string(placement::SolveOutcomeName(first.status)).c_str(),
      first.objective, first.cross_zone_proximity);
  if (first.plan.assignments.empty()) return 1;

  placement::Change ch;
  ch.kind = placement::Change::Kind::kState;
  ch.zone = topo.zones[0].name;
  ch.state = model::CapacityState::kFailed;
  Status st = placement::ApplyChange(ch, &eco, &topo);
  if (!st.ok()) return 2;
  int in_zone = 0;
  for (const auto& a : first.plan.assignments) in_zone += a.zone == ch.zone;

  so.time_limit_s = 5;
  so.max_iterations = 5000;
  placement::ReplaceStats stats;
  t0 = std::chrono::steady_clock::now();
  auto r =
      placement::Replace(eco, topo, first.plan, eo, so, "heuristic", &stats);
  double replace_s = Since(t0);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 2;
  }
  std::printf("zone %s failed: %d replicas there\n", ch.zone.c_str(), in_zone);
  std::printf(
      "replace: %.3f s (target <= 1 s), status %s, kept %d, "
      "re-placed %d, moves %zu, fallback %s, solver %.3f s\n",
      replace_s, std::string(placement::SolveOutcomeName(r->status)).c_str(),
      stats.kept, stats.affected, r->delta.moves.size(),
      stats.fallback ? "yes" : "no", r->seconds);
  std::printf(
      "after: objective %.2f/h (migration %.2f), cross-zone "
      "proximity %.1f\n",
      r->objective, r->costs.migration, r->cross_zone_proximity);
  std::printf(
      "replace phases: build %.3f s, keep %.3f s, restrict %.3f s, solve "
      "%.3f s, verify+report %.3f s\n",
      stats.build_s, stats.keep_s, stats.restrict_s, stats.solve_s,
      stats.finish_s);
  int left = 0;
  for (const auto& a : r->plan.assignments) left += a.zone == ch.zone;
  std::printf("replicas left in the failed zone: %d\n", left);
  return left == 0 ? 0 : 1;
}
