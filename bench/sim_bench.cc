// Simulator benchmarks (docs/simulate.md, "Measured"); prints tables, never
// run as a test.
//
//  scale     A 30-day simulation of a generated 500-component ecosystem
//            (layered call graph, 2-10 replicas each) on 3 zones x 4 racks
//            x 8 hosts at 1-minute resolution with random host, rack and
//            zone failures and daily forecasts: wall time per policy
//            (target <= 10 s) and what happened.
//  scenarios Every bundled scenario (examples/scenarios/*.yaml), Ecotone vs
//            the baseline on the same seed: SLO-violation minutes, cost,
//            worst recovery, scale actions per day (targets: Ecotone fewer
//            violation minutes at no more cost; zone-outage recovery < 60 s
//            vs the baseline's ~6 min; noisy flat load <= 2 scale actions
//            per day).
//
// Usage: sim_bench [scale|scale-baseline|scenarios] [DAYS] (default: scale
// and scenarios, 30 days; scale-baseline runs the scale case with the
// baseline only).
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "ecotone/engine/baseline_policy.h"
#include "ecotone/engine/ecotone_policy.h"
#include "ecotone/sim/sim.h"

namespace {

using namespace ecotone;

model::Ecosystem Generate(int n, uint64_t seed) {
  std::mt19937_64 g(seed);
  model::Ecosystem eco;
  eco.name = "generated-" + std::to_string(n);
  const int layers = 6;
  for (int i = 0; i < n; ++i) {
    model::Component c;
    c.name = "svc-" + std::to_string(i);
    c.version = "v1";
    c.replicas = {2, 40, 2};
    c.requests = {100, 128LL << 20, 0, 0};
    c.capacity_rps_per_replica = 100;
    c.startup_us = 20'000'000;
    eco.components.push_back(c);
  }
  // Layer of component i: i * layers / n; each calls two of the next layer.
  auto layer_begin = [&](int l) { return l * n / layers; };
  for (int i = 0; i < layer_begin(layers - 1); ++i) {
    int l = i * layers / n;
    int b = layer_begin(l + 1), e = layer_begin(l + 2);
    for (int k = 0; k < 2; ++k) {
      int to = b + static_cast<int>(g() % static_cast<uint64_t>(e - b));
      model::Dependency d;
      d.from = eco.components[i].name;
      d.to = eco.components[to].name;
      d.kind = model::DependencyKind::kGrpc;
      d.criticality = k == 0 ? model::Criticality::kHard : model::Criticality::kSoft;
      eco.dependencies.push_back(d);
    }
  }
  return eco;
}

model::Topology GenerateInfra() {
  model::Topology t;
  t.name = "3x4x8";
  const char* zones[] = {"z-a", "z-b", "z-c"};
  for (const char* zn : zones) {
    model::Zone z;
    z.name = zn;
    z.region = "r";
    z.prices = {0.04, 0.005, 0, 0};
    for (int r = 0; r < 4; ++r) {
      model::Rack rack;
      rack.name = std::string(zn) + "-r" + std::to_string(r);
      for (int h = 0; h < 8; ++h) {
        model::Host host;
        host.name = rack.name + "-h" + std::to_string(h);
        host.capacity = {32000, 128LL << 30, 0, 0};
        rack.hosts.push_back(host);
        rack.capacity = model::Add(rack.capacity, host.capacity);
      }
      z.capacity = model::Add(z.capacity, rack.capacity);
      z.racks.push_back(rack);
    }
    t.zones.push_back(z);
  }
  t.latency_ms = {0, 0.9, 1.4, 0.9, 0, 1.1, 1.4, 1.1, 0};
  t.egress_per_gb.assign(9, 0.01);
  for (int i = 0; i < 3; ++i) t.egress_per_gb[i * 4] = 0;
  return t;
}

void Scale(bool ecotone, int days) {
  model::Ecosystem eco = Generate(500, 7);
  sim::Scenario sc;
  sc.name = "generated-500-30d";
  sc.duration_us = days * 86400'000'000LL;
  sc.interval_us = 60'000'000;
  sc.seed = 1;
  sim::EntryLoad e;
  for (int i = 0; i < 500 / 6; i += 10) {
    e.component = eco.components[i].name;
    e.pattern = sim::Pattern{20, 0.5, 20, 0.8, 0.05};
    sc.load.push_back(e);
  }
  sc.random_failures.host_mtbf_us = 20LL * 86400'000'000;  // 96 hosts: ~4.8 failures a day
  sc.random_failures.host_mttr_us = 2LL * 3600'000'000;
  sc.random_failures.rack_mtbf_us = 60LL * 86400'000'000;
  sc.random_failures.rack_mttr_us = 3600'000'000;
  sc.random_failures.zone_mtbf_us = 90LL * 86400'000'000;
  sc.random_failures.zone_mttr_us = 3600'000'000;
  sc.forecast.step_us = 300'000'000;
  auto w = sim::MakeWorld(sc, eco, GenerateInfra());
  if (!w.ok()) {
    std::printf("scale: %s\n", w.status().ToString().c_str());
    return;
  }
  std::printf("== scale: 500 components, %zu dependencies, 96 hosts, %d days at 1-minute "
              "resolution (%lld intervals), random host/rack/zone failures\n",
              w->ecosystem.dependencies.size(), days, static_cast<long long>(w->steps));
  std::printf("%-10s %9s %9s %8s %8s %10s %10s %9s %9s %9s %12s\n", "policy", "wall_s", "cpu_s", "events",
              "actions", "migrations", "scale", "avail%", "slo_min", "cost", "decide_p99ms");
  std::vector<std::unique_ptr<engine::Policy>> policies;
  policies.push_back(engine::MakeBaselinePolicy());
  if (ecotone) policies.push_back(engine::MakeEcotonePolicy());
  for (const auto& p : policies) {
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    auto r = sim::Simulate(*w, *p, {});
    double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) {
      std::printf("%-10s %s\n", std::string(p->name()).c_str(), r.status().ToString().c_str());
      continue;
    }
    const auto& m = r->summary;
    std::printf("%-10s %9.2f %9.2f %8d %8d %10d %10d %9.4f %9.1f %9.2f %12.3f\n",
                std::string(p->name()).c_str(), s, cpu, m.events, m.actions, m.migrations,
                m.scale_actions, m.availability * 100, m.slo_violation_minutes, m.cost,
                m.decision_latency_ms.p99);
  }
}

void Scenarios() {
  std::string dir = std::string(ECOTONE_SOURCE_DIR) + "/examples/scenarios";
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  std::printf("\n== scenarios: Ecotone vs baseline, same seed\n");
  std::printf("%-18s %-9s %10s %9s %9s %12s %11s %9s\n", "scenario", "policy", "avail%",
              "slo_min", "cost", "recovery_s", "scale/day", "wall_s");
  for (const auto& f : files) {
    auto w = sim::LoadScenarioFile(f);
    if (!w.ok()) {
      std::printf("%s: %s\n", f.c_str(), w.status().ToString().c_str());
      continue;
    }
    for (auto make : {+[] { return engine::MakeEcotonePolicy(); },
                      +[] { return engine::MakeBaselinePolicy(); }}) {
      auto p = make();
      auto r = sim::Simulate(*w, *p, {});
      if (!r.ok()) continue;
      const auto& m = r->summary;
      double worst = -1;
      for (const auto& rec : m.recoveries) worst = std::max(worst, rec.recovery_s);
      char rec[32] = "-";
      if (!m.recoveries.empty()) std::snprintf(rec, sizeof rec, "%.0f", worst);
      std::printf("%-18s %-9s %10.4f %9.2f %9.2f %12s %11.1f %9.2f\n", m.scenario.c_str(),
                  m.policy.c_str(), m.availability * 100, m.slo_violation_minutes, m.cost, rec,
                  m.scale_actions / (m.simulated_hours / 24), m.wall_seconds);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line at a time, even into a pipe.
  std::string what = argc > 1 ? argv[1] : "all";
  const int days = argc > 2 ? std::atoi(argv[2]) : 30;
  if (what == "all" || what == "scale") Scale(true, days);
  if (what == "scale-baseline") Scale(false, days);
  if (what == "all" || what == "scenarios") Scenarios();
  return 0;
}
