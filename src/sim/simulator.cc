// The discrete-event loop: scripted and random events in time order, a
// metrics event every interval, the policy in the loop (Observe, Decide,
// Apply as engine.h prescribes) and the accounting of docs/simulate.md
// ("What is measured").
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <queue>
#include <random>
#include <unordered_map>

#include "ecotone/forecast/forecast.h"
#include "ecotone/forecast/replicas.h"
#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "ecotone/sim/sim.h"

namespace ecotone::sim {
namespace {

using engine::ReplicaPhase;
using engine::State;
using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;

// Explicit distributions over std::mt19937_64 (whose output sequence the
// standard specifies), so a seed gives the same run with every library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  // Standard normal by the Box-Muller transform.
  double Normal() {
    double u1 = 1.0 - Uniform();  // (0, 1]
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  // Exponential with the given mean (inversion).
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

 private:
  std::mt19937_64 g_;
};

Percentiles WeightedPercentiles(std::vector<std::pair<double, double>> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  double total = 0;
  for (const auto& x : v) total += x.second;
  if (total <= 0) {
    for (auto& x : v) x.second = 1;
    total = static_cast<double>(v.size());
  }
  auto at = [&](double q) {
    double acc = 0;
    for (const auto& x : v) {
      acc += x.second;
      if (acc >= q * total) return x.first;
    }
    return v.back().first;
  };
  p.p50 = at(0.50);
  p.p95 = at(0.95);
  p.p99 = at(0.99);
  p.max = v.back().first;
  return p;
}

Percentiles PlainPercentiles(std::vector<double> v) {
  std::vector<std::pair<double, double>> w;
  w.reserve(v.size());
  for (double x : v) w.emplace_back(x, 1.0);
  return WeightedPercentiles(std::move(w));
}

model::Resources RequestOf(const model::Component& c) {
  model::Resources r = c.requests;
  if (r.cpu_millicores == 0) r.cpu_millicores = 100;
  if (r.memory_bytes == 0) r.memory_bytes = 128LL << 20;
  return r;
}

// A timed input of the loop: an event to deliver, or a forecast refresh.
struct Item {
  int64_t t = 0;  // unix us
  int64_t seq = 0;
  bool forecast = false;
  Event event;
  int release = -1;  // index into scenario.releases for kNewVersion.
};
struct Later {
  bool operator()(const Item* a, const Item* b) const {
    return a->t != b->t ? a->t > b->t : a->seq > b->seq;
  }
};

struct Tracker {
  std::string target;
  int64_t t0 = 0;
  std::vector<int> need;
  bool done = false;
  double recovery_s = -1;
};

Result<model::PlacementPlan> InitialPlan(const World& w, bool spread, uint64_t seed) {
  placement::EcosystemOptions opt;
  if (spread) {
    ECOTONE_ASSIGN_OR_RETURN(auto ep, placement::BuildEcosystemProblem(w.ecosystem, w.topology,
                                                                        nullptr, opt));
    auto asg = placement::SpreadAssignment(ep);
    ECOTONE_ASSIGN_OR_RETURN(auto pl, placement::EvaluateAssignment(ep, asg, w.ecosystem,
                                                                    w.topology, nullptr, opt));
    return pl.plan;
  }
  placement::SolveOptions so;
  so.seed = seed;
  so.time_limit_s = 30;
  so.max_iterations = 20000;
  so.compute_bound = false;  // the simulation needs the plan, not its gap.
  int items = 0;
  for (const auto& c : w.ecosystem.components) items += c.replicas.initial;
  ECOTONE_ASSIGN_OR_RETURN(
      auto pl, placement::PlaceEcosystem(w.ecosystem, w.topology, nullptr, opt, so,
                                         items <= 200 ? "choose" : "heuristic"));
  if (pl.status != placement::SolveOutcome::kOptimal &&
      pl.status != placement::SolveOutcome::kFeasible)
    return Status::InvalidArgument("no initial placement: " + pl.infeasible);
  return pl.plan;
}

}  // namespace

Result<RunResult> Simulate(const World& w, const engine::Policy& policy,
                           const SimOptions& options) {
  const auto wall0 = std::chrono::steady_clock::now();
  const Scenario& sc = w.scenario;
  const uint64_t seed = options.seed.value_or(sc.seed);
  const int64_t T0 = sc.start_unix * 1'000'000;
  const int64_t I = sc.interval_us;
  const double interval_s = I / 1e6;
  const size_t V = w.ecosystem.components.size();
  const size_t E = sc.load.size();
  const size_t Z = w.topology.zones.size();

  // --- Randomness, all drawn up front so that it does not depend on the policy.
  Rng rng(seed);
  std::vector<std::vector<double>> load = w.load, hist = w.history;
  for (size_t e = 0; e < E; ++e) {
    const double noise = sc.load[e].pattern ? sc.load[e].pattern->noise : sc.load[e].trace->noise;
    for (double& x : hist[e]) x = std::max(0.0, x * (1 + noise * rng.Normal()));
    for (double& x : load[e]) x = std::max(0.0, x * (1 + noise * rng.Normal()));
  }

  // --- Call graph: callees first, edges inside a call cycle ignored.
  graph::EcosystemMap map = graph::EcosystemMap::Build(w.ecosystem, nullptr);
  auto sccs = graph::StronglyConnectedComponents(map, graph::EdgeSet::kCalls);
  std::vector<int> scc_of(V), order;
  for (size_t i = 0; i < sccs.size(); ++i)
    for (auto n : sccs[i]) {
      scc_of[n] = static_cast<int>(i);
      order.push_back(n);
    }
  struct Callee {
    int d;
    bool hard;
  };
  std::vector<std::vector<Callee>> callees(V);
  for (size_t c = 0; c < V; ++c)
    for (auto e : map.OutEdges(static_cast<graph::NodeId>(c))) {
      if (!map.EdgeIn(e, graph::EdgeSet::kCalls)) continue;
      int d = map.edge(e).to;
      if (scc_of[d] == scc_of[c]) continue;
      bool hard = map.edge(e).criticality == model::Criticality::kHard;
      auto it = std::find_if(callees[c].begin(), callees[c].end(),
                             [&](const Callee& x) { return x.d == d; });
      if (it == callees[c].end()) callees[c].push_back({d, hard});
      else it->hard = it->hard || hard;
    }
  std::vector<std::vector<double>> mult(E, std::vector<double>(V, 0.0));
  std::vector<int> entry_of(E);
  for (size_t e = 0; e < E; ++e) {
    entry_of[e] = map.Find(sc.load[e].component);
    mult[e][entry_of[e]] = 1;
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      for (const auto& cl : callees[*it]) mult[e][cl.d] += mult[e][*it];
  }

  // --- Initial state.
  const bool spread = sc.initial_placement == "spread" ||
                      (sc.initial_placement == "auto" && policy.name() == "baseline");
  ECOTONE_ASSIGN_OR_RETURN(model::PlacementPlan plan, InitialPlan(w, spread, seed));
  ECOTONE_ASSIGN_OR_RETURN(State s, engine::MakeState(w.ecosystem, w.topology, plan, T0));

  std::unordered_map<std::string, int> zone_index;
  for (size_t z = 0; z < Z; ++z) zone_index[w.topology.zones[z].name] = static_cast<int>(z);
  std::vector<std::vector<double>> price(V, std::vector<double>(Z, 0.0));  // per hour
  for (size_t c = 0; c < V; ++c)
    for (size_t z = 0; z < Z; ++z)
      price[c][z] = model::ResourceCostPerHour(RequestOf(w.ecosystem.components[c]),
                                               w.topology.zones[z].prices);

  // --- Scripted and random inputs.
  std::vector<std::unique_ptr<Item>> items;
  int64_t seq = 0;
  auto add = [&](int64_t offset_us, Event e, int release = -1) {
    auto it = std::make_unique<Item>();
    it->t = T0 + offset_us;
    it->seq = seq++;
    e.time_us = it->t;
    e.source = "sim";
    e.ecosystem = w.ecosystem.name;
    it->event = std::move(e);
    it->release = release;
    items.push_back(std::move(it));
  };
  auto hw = [](const model::HardwareEvent& h) {
    Event e;
    e.kind = EventKind::kHardware;
    e.hardware = h;
    return e;
  };
  for (const auto& h : sc.hardware) {
    model::HardwareEvent x = h.target;
    if (x.change == model::HardwareChange::kMaintenance) x.deadline_us = T0 + h.at_us + x.deadline_us;
    add(h.at_us, hw(x));
    if (h.duration_us > 0) {
      x.change = model::HardwareChange::kRecovered;
      x.deadline_us = 0;
      add(h.at_us + h.duration_us, hw(x));
    }
  }
  {
    const auto& r = sc.random_failures;
    auto random = [&](int64_t mtbf, int64_t mttr, model::HardwareEvent target) {
      if (mtbf <= 0) return;
      double t = rng.Exponential(static_cast<double>(mtbf));
      while (t < sc.duration_us) {
        target.change = model::HardwareChange::kFailed;
        add(static_cast<int64_t>(t), hw(target));
        double up = t + std::max(1e6, rng.Exponential(static_cast<double>(mttr)));
        target.change = model::HardwareChange::kRecovered;
        if (up < sc.duration_us) add(static_cast<int64_t>(up), hw(target));
        t = up + rng.Exponential(static_cast<double>(mtbf));
      }
    };
    for (const auto& z : w.topology.zones) {
      random(r.zone_mtbf_us, r.zone_mttr_us, {z.name, "", "", {}, 0});
      for (const auto& k : z.racks) {
        random(r.rack_mtbf_us, r.rack_mttr_us, {z.name, k.name, "", {}, 0});
        for (const auto& h : k.hosts) random(r.host_mtbf_us, r.host_mttr_us, {z.name, k.name, h.name, {}, 0});
      }
    }
  }
  for (const auto& a : sc.alerts) {
    Event e;
    e.kind = EventKind::kSecurityAlert;
    e.alert = a.alert;
    add(a.at_us, e);
  }
  for (const auto& b : sc.bug_reports) {
    Event e;
    e.kind = EventKind::kBugReport;
    e.bug = b.bug;
    add(b.at_us, e);
  }
  for (size_t i = 0; i < sc.releases.size(); ++i) {
    Event e;
    e.kind = EventKind::kNewVersion;
    e.release = sc.releases[i].release;
    if (e.release.image.empty()) e.release.image = e.release.component + ":" + e.release.version;
    add(sc.releases[i].at_us, e, static_cast<int>(i));
  }
  if (sc.forecast.enabled) {
    auto refresh = [&](int64_t off) {
      auto it = std::make_unique<Item>();
      it->t = T0 + off;
      it->seq = seq++;
      it->forecast = true;
      items.push_back(std::move(it));
    };
    for (int64_t off = 0; off < sc.duration_us; off += sc.forecast.refresh_us) refresh(off);
    for (const auto& f : sc.flash_crowds)
      if (f.announced_us >= 0) refresh(std::max<int64_t>(0, f.at_us - f.announced_us));
  }
  std::priority_queue<Item*, std::vector<Item*>, Later> queue;
  for (auto& it : items) queue.push(it.get());

  // --- Bookkeeping of what the world knows and the policy may not.
  RunResult out;
  Summary& sum = out.summary;
  sum.policy = std::string(policy.name());
  sum.scenario = sc.name;
  sum.seed = seed;
  sum.simulated_hours = w.steps * interval_s / 3600.0;
  struct Bad {
    std::string version;
    double error_rate, latency_factor;
  };
  std::vector<std::vector<Bad>> bad(V);
  std::vector<char> compromised(V, 0);
  std::vector<Tracker> trackers;
  std::vector<double> decide_ms;
  int64_t event_id = 0;
  bool dirty = true;

  auto decide_and_apply = [&](const Event& e, int64_t t) {
    auto c0 = std::chrono::steady_clock::now();
    std::vector<Action> actions = policy.Decide(s, e, t);
    decide_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count());
    for (auto& a : actions) {
      if (a.time_us == 0) a.time_us = t;
      if (a.event_id == 0) a.event_id = e.id;
      Status st = engine::Apply(a, t, &s);
      ++sum.actions;
      if (!st.ok()) {
        ++sum.rejected_actions;
      } else {
        dirty = true;
        switch (a.kind) {
          case ActionKind::kMigrate: ++sum.migrations; break;
          case ActionKind::kRecover: ++sum.migrations; ++sum.recovers; break;
          case ActionKind::kScale:
            if (a.from_replicas != a.to_replicas) ++sum.scale_actions;
            break;
          case ActionKind::kIsolate: {
            ++sum.isolations;
            int ci = s.ComponentIndex(a.component);
            if (ci >= 0) compromised[ci] = 0;
            break;
          }
          case ActionKind::kRollback: ++sum.rollbacks; break;
          case ActionKind::kRollingUpdate: ++sum.rolling_updates; break;
          case ActionKind::kRelease: break;
        }
      }
      if (options.on_action) options.on_action(a, st);
      out.actions.push_back(std::move(a));
    }
  };

  auto deliver = [&](Event e, int64_t t) {
    e.id = ++event_id;
    e.time_us = t;
    std::vector<int> before;
    if (e.kind == EventKind::kHardware && e.hardware.change == model::HardwareChange::kFailed) {
      before.resize(V);
      for (size_t c = 0; c < V; ++c) before[c] = s.components[c].Serving(t);
    }
    Status st = engine::Observe(e, &s);
    if (!st.ok()) return;  // names were checked when loading; nothing else fails.
    dirty = true;
    ++sum.events;
    if (!before.empty()) {
      int down = 0;
      for (size_t c = 0; c < V; ++c)
        for (const auto& r : s.components[c].replicas)
          if (r.phase == ReplicaPhase::kDown && r.ready_us == t) ++down;
      if (down > 0) {
        Tracker tr;
        tr.target = e.Subject();
        tr.t0 = t;
        tr.need = std::move(before);
        trackers.push_back(std::move(tr));
      }
    }
    if (e.kind == EventKind::kSecurityAlert) {
      int ci = s.ComponentIndex(e.alert.component);
      if (ci >= 0) compromised[ci] = 1;
    }
    if (options.on_event) options.on_event(e);
    out.events.push_back(e);
    decide_and_apply(out.events.back(), t);
  };

  // Observed offered load per entry per interval (for forecast history).
  auto forecast_refresh = [&](int64_t t, int64_t k_now) {
    const int64_t fstep_us = sc.forecast.step_us;
    const int64_t per = fstep_us / I;
    const int64_t fstep_s = fstep_us / 1'000'000;
    const int64_t full = k_now / per;  // complete forecast steps observed.
    const int horizon = static_cast<int>((sc.forecast.refresh_us + 2 * fstep_us - 1) / fstep_us);
    std::vector<double> demand_sum;
    std::vector<std::vector<double>> q(E);
    int64_t first_unix = 0;
    for (size_t e = 0; e < E; ++e) {
      forecast::Series ser;
      ser.step_seconds = fstep_s;
      ser.values = hist[e];
      for (int64_t j = 0; j < full; ++j) {
        double acc = 0;
        for (int64_t k = j * per; k < (j + 1) * per; ++k) acc += load[e][k];
        ser.values.push_back(acc / per);
      }
      ser.start_unix = sc.start_unix - static_cast<int64_t>(hist[e].size()) * fstep_s;
      if (ser.values.size() < 3) return;
      forecast::ForecastOptions fo;
      fo.model = sc.forecast.model;
      fo.horizon = horizon;
      fo.quantiles = {sc.forecast.quantile};
      fo.calibration_origins = sc.forecast.calibration_origins;
      for (const auto& f : sc.flash_crowds)
        if (f.announced_us >= 0 && T0 + f.at_us - f.announced_us <= t)
          fo.events.push_back({f.name, sc.start_unix + f.at_us / 1'000'000,
                               sc.start_unix + (f.at_us + f.duration_us) / 1'000'000,
                               f.multiplier});
      auto fc = forecast::Forecast(ser, fo);
      if (!fc.ok()) return;
      for (const auto& p : fc->points) q[e].push_back(std::max(0.0, p.quantiles[0]));
      first_unix = ser.start_unix + static_cast<int64_t>(ser.values.size()) * fstep_s;
    }
    for (size_t c = 0; c < V; ++c) {
      std::vector<double> demand(static_cast<size_t>(horizon), 0.0);
      bool any = false;
      for (size_t e = 0; e < E; ++e) {
        if (mult[e][c] == 0) continue;
        any = true;
        for (int k = 0; k < horizon && k < static_cast<int>(q[e].size()); ++k)
          demand[k] += q[e][k] * mult[e][c];
      }
      if (!any) continue;
      const auto& comp = w.ecosystem.components[c];
      forecast::ScalingPolicy sp;
      sp.capacity_per_replica = comp.capacity_rps_per_replica;
      sp.min_replicas = comp.replicas.min;
      sp.max_replicas = std::max(comp.replicas.max, comp.replicas.min);
      sp.startup_seconds = (comp.startup_us > 0 ? comp.startup_us : engine::kDefaultStartupUs) / 1'000'000;
      auto sched = forecast::ScheduleReplicas(demand, fstep_s, sp);
      if (!sched.ok()) continue;
      Event e;
      e.kind = EventKind::kForecastUpdated;
      e.source = "sim";
      e.ecosystem = w.ecosystem.name;
      e.forecast.component = comp.name;
      e.forecast.start_us = first_unix * 1'000'000;
      e.forecast.step_us = fstep_us;
      for (const auto& r : *sched) e.forecast.replicas.push_back(r.replicas);
      deliver(std::move(e), t);
    }
  };

  // --- Per-component aggregates, recomputed when the state changed.
  std::vector<int> serving(V, 0), placed(V, 0);
  std::vector<double> share(V * Z, 0.0), bad_frac(V, 0), bad_err(V, 0), bad_lat(V, 1);
  double cost_per_hour = 0;
  int total_placed = 0, total_serving = 0;
  auto recompute = [&](int64_t t) {
    cost_per_hour = 0;
    total_placed = total_serving = 0;
    std::fill(share.begin(), share.end(), 0.0);
    for (size_t c = 0; c < V; ++c) {
      int n = 0, nb = 0;
      double err = 0, lat = 0;
      placed[c] = 0;
      for (const auto& r : s.components[c].replicas) {
        auto zit = zone_index.find(r.place.zone);
        const int z = zit == zone_index.end() ? -1 : zit->second;
        if (r.phase != ReplicaPhase::kDown && z >= 0) {
          cost_per_hour += price[c][z];
          ++placed[c];
        }
        const bool up = r.phase == ReplicaPhase::kServing ||
                        (r.phase == ReplicaPhase::kStarting && r.ready_us <= t);
        if (!up || z < 0) continue;
        ++n;
        share[c * Z + z] += 1;
        for (const auto& b : bad[c])
          if (b.version == r.version) {
            ++nb;
            err += b.error_rate;
            lat += b.latency_factor;
            break;
          }
      }
      serving[c] = n;
      total_placed += placed[c];
      total_serving += n;
      if (n > 0)
        for (size_t z = 0; z < Z; ++z) share[c * Z + z] /= n;
      bad_frac[c] = n > 0 ? static_cast<double>(nb) / n : 0;
      bad_err[c] = nb > 0 ? err / nb : 0;
      bad_lat[c] = nb > 0 ? lat / nb : 1;
    }
    dirty = false;
  };

  // --- The metrics event, reused every interval.
  Event metrics;
  metrics.kind = EventKind::kMetrics;
  metrics.source = "sim";
  metrics.ecosystem = w.ecosystem.name;
  metrics.metrics.resize(V);
  for (size_t c = 0; c < V; ++c) metrics.metrics[c].component = w.ecosystem.components[c].name;

  Event tick;
  tick.kind = EventKind::kTick;
  tick.source = "sim";
  tick.ecosystem = w.ecosystem.name;

  std::vector<double> comp_load(V), err(V), succ(V), lat(V);
  std::vector<std::vector<std::pair<double, double>>> lat_samples(E);
  std::vector<double> req_total(E, 0), req_ok(E, 0), viol_min(E, 0);
  std::vector<double> slo_latency(E);
  for (size_t e = 0; e < E; ++e) {
    slo_latency[e] = sc.load[e].slo_latency_ms;
    if (slo_latency[e] <= 0) {
      int64_t slo = w.ecosystem.components[entry_of[e]].latency_slo_us;
      slo_latency[e] = slo > 0 ? slo / 1000.0 : 500.0;
    }
  }
  std::vector<std::pair<double, double>> all_lat;
  const double tu = sc.target_utilisation;

  for (int64_t k = 0; k < w.steps; ++k) {
    const int64_t t = T0 + k * I;
    while (!queue.empty() && queue.top()->t <= t) {
      Item* it = queue.top();
      queue.pop();
      if (it->forecast) {
        forecast_refresh(it->t, (it->t - T0) / I);
        continue;
      }
      if (it->release >= 0) {
        const Release& r = sc.releases[it->release];
        ++sum.releases;
        if (r.bad) {
          int ci = s.ComponentIndex(r.release.component);
          bad[ci].push_back({r.release.version, r.error_rate, r.latency_factor});
        }
      }
      deliver(it->event, it->t);
    }
    // Replicas that finished starting serve from now on (a fact only the
    // driver knows).
    for (auto& cs : s.components)
      for (auto& r : cs.replicas)
        if (r.phase == ReplicaPhase::kStarting && r.ready_us <= t) {
          r.phase = ReplicaPhase::kServing;
          dirty = true;
        }
    if (dirty) recompute(t);

    // Recoveries.
    for (auto& tr : trackers) {
      if (tr.done) continue;
      bool ok = true;
      for (size_t c = 0; c < V && ok; ++c) {
        const int need =
            std::min<int>(tr.need[c], static_cast<int>(s.components[c].replicas.size()));
        if (serving[c] < need) ok = false;
      }
      if (ok) {
        int64_t last_ready = tr.t0;
        for (const auto& cs : s.components)
          for (const auto& r : cs.replicas)
            if (r.phase == ReplicaPhase::kServing && r.ready_us > tr.t0 && r.ready_us <= t)
              last_ready = std::max(last_ready, r.ready_us);
        tr.done = true;
        tr.recovery_s = (last_ready - tr.t0) / 1e6;
      }
    }

    // Load, service times and errors per component.
    for (size_t c = 0; c < V; ++c) {
      double l = 0;
      for (size_t e = 0; e < E; ++e)
        if (mult[e][c] != 0) l += load[e][k] * mult[e][c];
      comp_load[c] = l;
    }
    for (int c : order) {
      const auto& comp = w.ecosystem.components[c];
      const int n = serving[c];
      double rho = 0, drop = 0, own_err = 1, svc = 0;
      if (n > 0) {
        const double sat = comp.capacity_rps_per_replica / tu;
        rho = comp_load[c] / (n * sat);
        drop = rho > 1 ? 1 - 1 / rho : 0;
        own_err = drop + (1 - drop) * bad_frac[c] * bad_err[c];
        svc = w.service_ms[c] * (1 + bad_frac[c] * (bad_lat[c] - 1)) / (1 - std::min(rho, 0.95));
      }
      double sc_ok = 1 - own_err, worst = 0;
      for (const auto& cl : callees[c]) {
        if (cl.hard) sc_ok *= succ[cl.d];
        if (serving[cl.d] == 0 || n == 0) continue;
        double net = 0;
        for (size_t a = 0; a < Z; ++a) {
          const double sa = share[c * Z + a];
          if (sa == 0) continue;
          for (size_t b = 0; b < Z; ++b) net += sa * share[cl.d * Z + b] * w.topology.LatencyMs(a, b);
        }
        worst = std::max(worst, net + lat[cl.d]);
      }
      err[c] = own_err;
      succ[c] = n > 0 ? std::max(0.0, sc_ok) : 0;
      lat[c] = svc + worst;
      auto& m = metrics.metrics[c];
      m.requests_per_s = comp_load[c];
      if (n > 0) {
        const double cpu = static_cast<double>(RequestOf(comp).cpu_millicores);
        m.cpu_millicores = std::min(cpu * 2, cpu * tu * comp_load[c] / n / comp.capacity_rps_per_replica);
        m.memory_bytes = static_cast<double>(RequestOf(comp).memory_bytes);
        m.latency_ms = lat[c];
      } else {
        m.cpu_millicores = m.memory_bytes = m.latency_ms = model::kNoValue;
      }
      m.error_rate = own_err;
    }

    // Accounting of the interval [t, t + I).
    Sample smp;
    double req_all = 0, ok_all = 0;
    for (size_t e = 0; e < E; ++e) {
      const int c = entry_of[e];
      const double reqs = load[e][k] * interval_s;
      const double latency = serving[c] > 0 ? lat[c] : slo_latency[e] * 10;
      req_total[e] += reqs;
      req_ok[e] += reqs * succ[c];
      req_all += reqs;
      ok_all += reqs * succ[c];
      lat_samples[e].emplace_back(latency, reqs);
      all_lat.emplace_back(latency, reqs);
      if (succ[c] < sc.load[e].slo_success || latency > slo_latency[e]) viol_min[e] += interval_s / 60;
      smp.load_rps += load[e][k];
      smp.latency_ms = std::max(smp.latency_ms, latency);
    }
    sum.cost += cost_per_hour * interval_s / 3600.0;
    for (size_t c = 0; c < V; ++c) {
      if (compromised[c]) sum.compromised_minutes += interval_s / 60;
      if (bad_frac[c] > 0 && comp_load[c] > 0) sum.bad_version_minutes += interval_s / 60;
    }
    if (options.record_samples) {
      smp.t_s = k * interval_s;
      smp.replicas = total_placed;
      smp.serving = total_serving;
      smp.availability = req_all > 0 ? ok_all / req_all : 1;
      for (const auto& z : s.topology.zones) smp.zone_state.push_back(static_cast<int>(z.state));
      out.samples.push_back(std::move(smp));
    }

    // The metrics of the interval reach the policy, then a tick (what
    // takes several steps carries on: rollout batches, drains, evictions).
    metrics.id = ++event_id;
    metrics.time_us = t;
    (void)engine::Observe(metrics, &s);
    decide_and_apply(metrics, t);
    tick.id = ++event_id;
    tick.time_us = t;
    (void)engine::Observe(tick, &s);
    decide_and_apply(tick, t);
  }

  // --- Summary.
  double req_all = 0, ok_all = 0;
  for (size_t e = 0; e < E; ++e) {
    EntryStats es;
    es.entry = sc.load[e].component;
    es.availability = req_total[e] > 0 ? req_ok[e] / req_total[e] : 1;
    es.slo_violation_minutes = viol_min[e];
    es.latency_ms = WeightedPercentiles(std::move(lat_samples[e]));
    sum.slo_violation_minutes += viol_min[e];
    req_all += req_total[e];
    ok_all += req_ok[e];
    sum.entries.push_back(std::move(es));
  }
  sum.availability = req_all > 0 ? ok_all / req_all : 1;
  sum.latency_ms = WeightedPercentiles(std::move(all_lat));
  for (const auto& tr : trackers)
    sum.recoveries.push_back({tr.target, (tr.t0 - T0) / 1e6, tr.recovery_s});
  sum.decision_latency_ms = PlainPercentiles(std::move(decide_ms));
  sum.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace ecotone::sim
