// engine_bench: decision latency of the Ecotone policy (docs/engine.md).
//
//   BM_HostFailureDecision — a generated ecosystem of 10,000 components × 3
//     replicas (30,000 replicas, ~5 dependencies per component, 10 %
//     stateful) placed over 3 zones × 20 racks × 20 hosts (1,200 hosts); each
//     iteration fails one host (a different one each time), and times
//     Policy::Decide for that event alone (Observe is the driver's
//     bookkeeping and is not timed); the host recovers untimed before the
//     next. Reports p50 and p99 of the decision latency in ms (target: p99
//     <= 50 ms) and the migrations decided per failure.
//   BM_MetricsDecision — the same ecosystem, one overloaded component's
//     metrics sample: a placed scale-out (decision latency, ms).
//   BM_QuietMinute500 — 500 components (1,500 replicas), per simulated
//     minute: Observe + Decide of a metrics sample of every component and a
//     tick (what a simulator pays per minute when nothing needs doing).
// Run by hand, never as a test:
//   build/bench/engine_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ecotone/engine/ecotone_policy.h"
#include "ecotone/engine/engine.h"

namespace {

using namespace ecotone;

constexpr int kComponents = 10000;
constexpr int kReplicas = 3;
constexpr int kZones = 3, kRacks = 20, kHosts = 20;

model::Ecosystem MakeEcosystem(std::mt19937_64& rng) {
  model::Ecosystem eco;
  eco.name = "generated-10k";
  std::uniform_int_distribution<int> cpu(100, 500), mem(128, 1024),
      pick(0, kComponents - 1);
  for (int i = 0; i < kComponents; ++i) {
    model::Component c;
    c.name = "svc-" + std::to_string(i);
    c.version = "1";
    c.replicas.initial = c.replicas.min = c.replicas.max = kReplicas;
    c.requests.cpu_millicores = cpu(rng);
    c.requests.memory_bytes = static_cast<int64_t>(mem(rng)) << 20;
    c.capacity_rps_per_replica = 100;
    c.startup_us = 20'000'000;
    if (i % 10 == 0) {
      c.kind = model::ComponentKind::kDatabase;
      c.stateful = true;
    }
    eco.components.push_back(std::move(c));
  }
  for (int i = 0; i < kComponents; ++i)
    for (int k = 0; k < 5; ++k) {
      int j = k < 4 ? (i + 1 + static_cast<int>(rng() % 50)) % kComponents
                    : pick(rng);
      if (j == i) continue;
      model::Dependency d;
      d.from = eco.components[i].name;
      d.to = eco.components[j].name;
      d.traffic_rps = 50;
      d.traffic_bytes_per_s = 1e5;
      eco.dependencies.push_back(std::move(d));
    }
  return eco;
}

model::Topology MakeTopology() {
  model::Topology t;
  t.name = "generated-3x20x20";
  t.regions.push_back({"region", {}});
  for (int z = 0; z < kZones; ++z) {
    model::Zone zone;
    zone.name = "zone-" + std::to_string(z);
    zone.region = "region";
    zone.prices = {0.04 + 0.002 * z, 0.005, 0.01, 0.0001};
    for (int r = 0; r < kRacks; ++r) {
      model::Rack rack;
      rack.name = "rack-" + std::to_string(r);
      for (int h = 0; h < kHosts; ++h) {
        model::Host host;
        host.name = "host-" + std::to_string(h);
        host.capacity = {16000, 64LL << 30, 0, 0};
        rack.capacity = model::Add(rack.capacity, host.capacity);
        rack.hosts.push_back(std::move(host));
      }
      zone.capacity = model::Add(zone.capacity, rack.capacity);
      zone.racks.push_back(std::move(rack));
    }
    zone.rack_latency_ms.assign(kRacks * kRacks, 0.1);
    for (int r = 0; r < kRacks; ++r) zone.rack_latency_ms[r * kRacks + r] = 0;
    t.zones.push_back(std::move(zone));
  }
  t.latency_ms = {0, 1, 1.5, 1, 0, 1.2, 1.5, 1.2, 0};
  t.egress_per_gb = {0, 0.01, 0.01, 0.01, 0, 0.01, 0.01, 0.01, 0};
  return t;
}

// Replica r of component i in zone r % 3, spread over that zone's hosts.
model::PlacementPlan MakePlan(const model::Ecosystem& eco) {
  model::PlacementPlan p;
  for (int i = 0; i < kComponents; ++i)
    for (int r = 0; r < kReplicas; ++r) {
      model::Assignment a;
      a.component = eco.components[i].name;
      a.replica = r;
      int slot = (i * 7 + r * 131) % (kRacks * kHosts);
      a.zone = "zone-" + std::to_string(r % kZones);
      a.rack = "rack-" + std::to_string(slot / kHosts);
      a.host = "host-" + std::to_string(slot % kHosts);
      p.assignments.push_back(std::move(a));
    }
  return p;
}

engine::State& World() {
  static engine::State* state = [] {
    std::mt19937_64 rng(42);
    model::Ecosystem eco = MakeEcosystem(rng);
    model::PlacementPlan plan = MakePlan(eco);
    auto s = engine::MakeState(std::move(eco), MakeTopology(), plan, 0);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::exit(2);
    }
    return new engine::State(std::move(s).value());
  }();
  return *state;
}

// CPU time of this thread in seconds (the machine may be shared: wall time
// includes waiting for a core, CPU time does not).
double ThreadCpu() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(q * (v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

void BM_HostFailureDecision(benchmark::State& bs) {
  engine::State& s = World();
  auto policy = engine::MakeEcotonePolicy();
  std::vector<double> ms, cpu_ms;
  double moves = 0;
  int64_t now = 1'000'000'000;
  int k = 0;
  for (auto _ : bs) {
    model::Event e;
    e.id = ++k;
    e.kind = model::EventKind::kHardware;
    int zone = k % kZones, slot = (k * 37) % (kRacks * kHosts);
    e.hardware = {"zone-" + std::to_string(zone),
                  "rack-" + std::to_string(slot / kHosts),
                  "host-" + std::to_string(slot % kHosts),
                  model::HardwareChange::kFailed, 0};
    now += 600'000'000;
    e.time_us = now;
    if (!engine::Observe(e, &s).ok()) bs.SkipWithError("observe failed");
    double c0 = ThreadCpu();
    auto t0 = std::chrono::steady_clock::now();
    auto actions = policy->Decide(s, e, now);
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    cpu_ms.push_back((ThreadCpu() - c0) * 1e3);
    bs.SetIterationTime(secs);
    ms.push_back(secs * 1e3);
    moves += static_cast<double>(actions.size());
    benchmark::DoNotOptimize(actions);
    // Untimed: carry the moves out, then the host comes back empty.
    for (const auto& a : actions) (void)engine::Apply(a, now, &s);
    e.hardware.change = model::HardwareChange::kRecovered;
    (void)engine::Observe(e, &s);
  }
  bs.counters["p50_ms"] = Percentile(ms, 0.5);
  bs.counters["p99_ms"] = Percentile(ms, 0.99);
  bs.counters["cpu_p50_ms"] = Percentile(cpu_ms, 0.5);
  bs.counters["cpu_p99_ms"] = Percentile(cpu_ms, 0.99);
  bs.counters["migrations"] = moves / static_cast<double>(ms.size());
  std::printf(
      "host failure, 10,000 components x 3 replicas, 1,200 hosts, %zu "
      "failures, %.1f "
      "migrations each: decision wall p50 %.2f ms, p99 %.2f ms (target p99 <= "
      "50 ms); "
      "thread CPU p50 %.2f ms, p99 %.2f ms\n",
      ms.size(), moves / ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.99),
      Percentile(cpu_ms, 0.5), Percentile(cpu_ms, 0.99));
}
BENCHMARK(BM_HostFailureDecision)
    ->UseManualTime()
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);

void BM_MetricsDecision(benchmark::State& bs) {
  engine::State s = World();
  auto policy = engine::MakeEcotonePolicy();
  std::vector<double> ms, cpu_ms;
  int k = 0;
  for (auto _ : bs) {
    model::Event e;
    e.kind = model::EventKind::kMetrics;
    e.time_us = 2'000'000'000'000 + int64_t{k} * 1'000'000;
    model::MetricSample m;
    m.component = "svc-" + std::to_string((k * 97) % kComponents);
    m.requests_per_s = 500;
    e.metrics = {m};
    ++k;
    if (!engine::Observe(e, &s).ok()) bs.SkipWithError("observe failed");
    double c0 = ThreadCpu();
    auto t0 = std::chrono::steady_clock::now();
    auto actions = policy->Decide(s, e, e.time_us);
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    cpu_ms.push_back((ThreadCpu() - c0) * 1e3);
    bs.SetIterationTime(secs);
    ms.push_back(secs * 1e3);
    benchmark::DoNotOptimize(actions);
  }
  bs.counters["p50_ms"] = Percentile(ms, 0.5);
  bs.counters["p99_ms"] = Percentile(ms, 0.99);
  bs.counters["cpu_p50_ms"] = Percentile(cpu_ms, 0.5);
  bs.counters["cpu_p99_ms"] = Percentile(cpu_ms, 0.99);
  std::printf(
      "scale-out decision (placed), 10,000 components: wall p50 %.2f ms, p99 "
      "%.2f ms; "
      "thread CPU p50 %.2f ms, p99 %.2f ms\n",
      Percentile(ms, 0.5), Percentile(ms, 0.99), Percentile(cpu_ms, 0.5),
      Percentile(cpu_ms, 0.99));
}
BENCHMARK(BM_MetricsDecision)
    ->UseManualTime()
    ->Iterations(100)
    ->Unit(benchmark::kMillisecond);

// A 500-component ecosystem (1,500 replicas on the same 1,200 hosts), one
// tick and one metrics sample of every component per simulated minute: the
// per-minute cost the simulator pays for the engine when nothing happens.
void BM_QuietMinute500(benchmark::State& bs) {
  std::mt19937_64 rng(5);
  model::Ecosystem eco = MakeEcosystem(rng);
  eco.components.resize(500);
  std::erase_if(eco.dependencies, [](const model::Dependency& d) {
    return std::stoi(d.from.substr(4)) >= 500 ||
           std::stoi(d.to.substr(4)) >= 500;
  });
  model::PlacementPlan plan = MakePlan(eco);
  std::erase_if(plan.assignments, [](const model::Assignment& a) {
    return std::stoi(a.component.substr(4)) >= 500;
  });
  auto made = engine::MakeState(std::move(eco), MakeTopology(), plan, 0);
  if (!made.ok()) {
    bs.SkipWithError(made.status().ToString().c_str());
    return;
  }
  engine::State s = std::move(made).value();
  auto policy = engine::MakeEcotonePolicy();
  std::normal_distribution<double> noise(0, 0.05);
  int64_t t = 0;
  for (auto _ : bs) {
    t += 60'000'000;
    model::Event m;
    m.kind = model::EventKind::kMetrics;
    m.time_us = t;
    for (int i = 0; i < 500; ++i) {
      model::MetricSample x;
      x.component = "svc-" + std::to_string(i);
      x.requests_per_s = 200 * (1 + noise(rng));  // 67 % of 3 replicas.
      m.metrics.push_back(std::move(x));
    }
    model::Event tick;
    tick.kind = model::EventKind::kTick;
    tick.time_us = t;
    (void)engine::Observe(m, &s);
    auto a = policy->Decide(s, m, t);
    auto b = policy->Decide(s, tick, t);
    for (const auto& x : a) (void)engine::Apply(x, t, &s);
    for (const auto& x : b) (void)engine::Apply(x, t, &s);
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_QuietMinute500)->Iterations(2000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
