// placement_scale_bench: the heuristic on a generated ecosystem of 100,000
// replicas (10,000 components x 10 replicas, 50,000 component dependencies =
// 500,000 replica pairs) over 1,000 racks in 50 zones with 4 resource
// dimensions, replica spread (>= 2 zones, <= 2 per rack) and per-zone prices.
//
// Prints: generation time, solve time (construction + local search until
// --time-limit or --iterations), time to the best plan, objective and its
// terms, and the peak resident memory of the process. Target: a first
// placement in <= 5 s on one core and <= 1 GB.
//
// Usage: placement_scale_bench [--components N] [--replicas R] [--racks M]
//          [--zones Z] [--deps E] [--time-limit S] [--iterations I] [--seed N]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ecotone/placement/solver.h"

using ecotone::placement::Problem;

int main(int argc, char** argv) {
  int components = 10000, replicas = 10, racks = 1000, zones = 50;
  int deps = 50000;
  double limit = 5.0;
  int64_t iterations = 0;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--components")
      components = std::atoi(v);
    else if (a == "--replicas")
      replicas = std::atoi(v);
    else if (a == "--racks")
      racks = std::atoi(v);
    else if (a == "--zones")
      zones = std::atoi(v);
    else if (a == "--deps")
      deps = std::atoi(v);
    else if (a == "--time-limit")
      limit = std::atof(v);
    else if (a == "--iterations")
      iterations = std::atoll(v);
    else if (a == "--seed")
      seed = std::strtoull(v, nullptr, 10);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  Problem p;
  const int n = components * replicas, D = 4;
  p.num_items = n;
  p.num_bins = racks;
  p.num_dims = D;
  p.dim_names = {"cpu_millicores", "memory_mib", "network_mbps", "disk_gib"};
  p.item_demand.resize(static_cast<size_t>(n) * D);
  p.item_group.resize(n);
  p.groups.resize(components);
  double total[4] = {0, 0, 0, 0};
  for (int c = 0; c < components; ++c) {
    double cpu = 100 + 1900 * U(rng) * U(rng);
    double mem = 128 + 4000 * U(rng) * U(rng);
    double net = 10 + 200 * U(rng);
    double disk = U(rng) < 0.2 ? 10 + 200 * U(rng) : 1;
    p.groups[c].name = "c" + std::to_string(c);
    p.groups[c].min_distinct_domains = 2;
    p.groups[c].max_per_bin = 2;
    for (int r = 0; r < replicas; ++r) {
      int i = c * replicas + r;
      p.item_group[i] = c;
      double d[4] = {cpu, mem, net, disk};
      for (int k = 0; k < D; ++k) {
        p.item_demand[static_cast<size_t>(i) * D + k] = d[k];
        total[k] += d[k];
      }
    }
  }
  // Capacity: about 65% utilisation overall, racks of varying size.
  p.bin_capacity.resize(static_cast<size_t>(racks) * D);
  p.bin_price.resize(static_cast<size_t>(racks) * D);
  p.bin_domain.resize(racks);
  std::vector<double> zone_price(zones);
  for (double& z : zone_price) z = 0.7 + 0.6 * U(rng);
  for (int b = 0; b < racks; ++b) {
    p.bin_domain[b] = b % zones;
    double size = 0.8 + 0.4 * U(rng);
    for (int k = 0; k < D; ++k) {
      p.bin_capacity[static_cast<size_t>(b) * D + k] =
          total[k] / racks / 0.65 * size;
    }
    double zp = zone_price[p.bin_domain[b]];
    p.bin_price[static_cast<size_t>(b) * D + 0] = 0.00003 * zp;   // per mCPU
    p.bin_price[static_cast<size_t>(b) * D + 1] = 0.000005 * zp;  // per MiB
    p.bin_price[static_cast<size_t>(b) * D + 2] = 0.00001 * zp;
    p.bin_price[static_cast<size_t>(b) * D + 3] = 0.0001 * zp;
  }
  // Distance: 0 same rack, 0.1 same zone, 1 + zone index difference / 10.
  p.distance.resize(static_cast<size_t>(racks) * racks);
  for (int h = 0; h < racks; ++h) {
    for (int k = 0; k < racks; ++k) {
      int zh = p.bin_domain[h], zk = p.bin_domain[k];
      p.distance[static_cast<size_t>(h) * racks + k] =
          h == k ? 0 : (zh == zk ? 0.1 : 1.0 + std::abs(zh - zk) / 10.0);
    }
  }
  // Dependencies: mostly local (components near each other call each other).
  std::vector<ecotone::placement::WeightedPair> pairs;
  pairs.reserve(static_cast<size_t>(deps) * replicas);
  for (int e = 0; e < deps; ++e) {
    int a = static_cast<int>(rng() % components);
    int off = 1 + static_cast<int>(rng() % 50);
    int b = (a + off) % components;
    double w = 0.001 + 0.01 * U(rng);
    for (int r = 0; r < replicas; ++r) {
      pairs.push_back({a * replicas + r, b * replicas + r, w});
    }
  }
  p.pair_weight = ecotone::placement::BuildSymmetric(n, pairs).value();
  p.lambda = 1.0;
  pairs.clear();
  pairs.shrink_to_fit();
  double gen_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();

  ecotone::placement::SolveOptions o;
  o.time_limit_s = limit;
  o.max_iterations = iterations;
  o.seed = seed;
  auto t1 = std::chrono::steady_clock::now();
  auto s = ecotone::placement::Solve(p, o, "heuristic");
  double solve_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1)
          .count();
  if (!s.ok()) {
    std::fprintf(stderr, "solve failed: %s\n", s.status().ToString().c_str());
    return 1;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("items %d, bins %d (zones %d), dims %d, pair entries %zu\n", n,
              racks, zones, D, p.pair_weight.col.size() / 2);
  std::printf("generate            %.2f s\n", gen_s);
  std::printf("solve (heuristic)   %.2f s  (limit %.1f s, %lld iterations)\n",
              solve_s, limit, static_cast<long long>(s->iterations));
  std::printf("best found at       %.2f s\n", s->seconds_to_best);
  std::printf(
      "status              %s\n",
      std::string(ecotone::placement::SolveOutcomeName(s->status)).c_str());
  std::printf("objective           %.4f (linear %.4f, pairwise %.4f)\n",
              s->objective, s->cost.linear, s->cost.pairwise);
  if (!s->infeasibility.empty())
    std::printf("why: %s\n", s->infeasibility.c_str());
  std::printf("peak RSS            %.0f MiB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
