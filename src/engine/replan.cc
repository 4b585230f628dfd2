// Neighbourhood re-placement (see replan.h and docs/engine.md).
//
// Cost per call: O(R) to take the replicas outside the neighbourhood off the
// bins' capacity (R = replicas of the ecosystem, one hash lookup each), plus
// placement::Replace on the neighbourhood: O(m²) for the bin distance matrix
// (m bins) and the restricted solve on the displaced replicas.
#include "replan.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "ecotone/placement/replace.h"
#include "ecotone/placement/solver.h"

namespace ecotone::engine::internal {
namespace {

std::string Key(const std::string& zone, const std::string& rack,
                const std::string& host) {
  std::string k;
  k.reserve(zone.size() + rack.size() + host.size() + 2);
  k += zone;
  k += '\x1f';
  k += rack;
  k += '\x1f';
  k += host;
  return k;
}

model::Resources Sub(const model::Resources& a, const model::Resources& b) {
  auto d = [](int64_t x, int64_t y) { return std::max<int64_t>(0, x - y); };
  return {
      d(a.cpu_millicores, b.cpu_millicores), d(a.memory_bytes, b.memory_bytes),
      d(a.bandwidth_bps, b.bandwidth_bps), d(a.storage_bytes, b.storage_bytes)};
}

// The capacity field of the placement bin a place falls in (host, rack
// without hosts, zone without racks), indexed by zone/rack/host names. A
// place naming less than its bin (zone only, rack only) maps to the first
// bin below it, as BuildEcosystemProblem does for plans.
class BinIndex {
 public:
  explicit BinIndex(model::Topology* t) {
    for (auto& z : t->zones) {
      if (z.racks.empty()) {
        Add(Key(z.name, "", ""), &z.capacity);
        continue;
      }
      for (auto& r : z.racks) {
        if (r.hosts.empty()) {
          Add(Key(z.name, r.name, ""), &r.capacity);
          Add(Key(z.name, "", ""), &r.capacity);
          continue;
        }
        for (auto& h : r.hosts) {
          Add(Key(z.name, r.name, h.name), &h.capacity);
          Add(Key(z.name, r.name, ""), &h.capacity);
          Add(Key(z.name, "", ""), &h.capacity);
        }
      }
    }
  }
  model::Resources* Find(const model::Place& p) const {
    auto it = bins_.find(Key(p.zone, p.rack, p.host));
    return it == bins_.end() ? nullptr : it->second;
  }

 private:
  void Add(std::string key, model::Resources* r) {
    bins_.emplace(std::move(key), r);
  }
  std::unordered_map<std::string, model::Resources*> bins_;
};

// Hosts of a rack are 0 ms apart and share their zone's prices, so the
// placement module chooses zone and rack (proximity, spread, capacity,
// price) on a topology whose racks stand for their usable hosts, and the
// host inside the chosen rack is picked here (best fit: the most free cpu
// where the replica fits). This keeps the solve's bins at racks (the dense
// bin-distance matrix is bins²) however many hosts there are.
struct HostPick {
  model::Topology coarse;  // racks without hosts; capacity = usable hosts' sum.
  // zone name -> rack name -> hosts (name, free capacity) in file order.
  std::map<std::string,
           std::map<std::string,
                    std::vector<std::pair<std::string, model::Resources>>>>
      free;
};

HostPick Coarsen(const model::Topology& t) {
  HostPick hp;
  hp.coarse = t;
  for (auto& z : hp.coarse.zones) {
    if (z.racks.empty()) continue;
    z.capacity = {};
    for (auto& r : z.racks) {
      if (!r.hosts.empty()) {
        auto& list = hp.free[z.name][r.name];
        r.capacity = {};
        bool any = false;
        for (const auto& h : r.hosts) {
          if (!model::IsUsable(h.state)) continue;
          any = true;
          r.capacity = model::Add(r.capacity, h.capacity);
          list.emplace_back(h.name, h.capacity);
        }
        if (!any && model::IsUsable(r.state))
          r.state = model::CapacityState::kFailed;
        r.hosts.clear();
      }
      z.capacity = model::Add(z.capacity, r.capacity);
    }
  }
  return hp;
}

bool FitsIn(const model::Resources& need, const model::Resources& free) {
  return need.cpu_millicores <= free.cpu_millicores &&
         need.memory_bytes <= free.memory_bytes &&
         need.bandwidth_bps <= free.bandwidth_bps &&
         need.storage_bytes <= free.storage_bytes;
}

}  // namespace

Result<Replan> ReplanAround(const State& s, const ReplanRequest& req,
                            const EcotoneOptions& o) {
  const int nc = static_cast<int>(s.components.size());
  auto request_of = [&](int c) -> const model::Resources& {
    const model::Component& comp = s.ecosystem.components[c];
    return comp.requests.empty() ? o.placement.default_request : comp.requests;
  };
  // --- The neighbourhood: focus components and their direct partners. ---
  std::vector<char> in(nc, 0);
  std::vector<int> focus = req.focus;
  for (const auto& [c, n] : req.scale_to) focus.push_back(c);
  if (req.reoptimise && req.focus.empty()) {
    std::fill(in.begin(), in.end(), 1);
  } else if (static_cast<int>(s.depends_on.size()) == nc) {
    for (int c : focus) {
      in[c] = 1;
      for (int d : s.depends_on[c]) in[d] = 1;
      for (int d : s.dependents[c]) in[d] = 1;
    }
  } else {  // state not from MakeState: no adjacency index.
    std::vector<char> f(nc, 0);
    for (int c : focus) f[c] = in[c] = 1;
    for (const auto& d : s.ecosystem.dependencies) {
      int a = s.ComponentIndex(d.from), b = s.ComponentIndex(d.to);
      if (a < 0 || b < 0) continue;
      if (f[a] || f[b]) in[a] = in[b] = 1;
    }
  }

  // --- The topology with everything outside the neighbourhood taken off. ---
  model::Topology topo = req.topology != nullptr ? *req.topology : s.topology;
  {
    BinIndex bins(&topo);
    // Isolated replicas stay where they are (evidence) and keep their room.
    for (int c = 0; c < nc; ++c) {
      const model::Resources& need = request_of(c);
      for (const auto& r : s.components[c].replicas) {
        if (in[c] && r.phase != ReplicaPhase::kIsolated) continue;
        if (r.place.empty() || r.phase == ReplicaPhase::kDown) continue;
        if (model::Resources* cap = bins.Find(r.place)) *cap = Sub(*cap, need);
      }
    }
  }
  bool hosts = false;
  for (const auto& z : topo.zones)
    for (const auto& r : z.racks) hosts = hosts || !r.hosts.empty();
  HostPick pick;
  if (hosts) pick = Coarsen(topo);
  const model::Topology& solve_topo = hosts ? pick.coarse : topo;

  // Where a place is unusable in `topo` (host level included).
  auto usable = [&](const model::Place& p) {
    for (const auto& z : topo.zones) {
      if (z.name != p.zone) continue;
      if (!model::IsUsable(z.state)) return false;
      for (const auto& r : z.racks) {
        if (r.name != p.rack) continue;
        if (!model::IsUsable(r.state)) return false;
        for (const auto& h : r.hosts)
          if (h.name == p.host) return model::IsUsable(h.state);
        return true;
      }
      return true;
    }
    return false;
  };

  // --- The sub-ecosystem and its current plan (replica k = k-th member). ---
  model::Ecosystem eco;
  eco.name = s.ecosystem.name;
  std::unordered_map<std::string_view, int> sub_index;  // name -> state index.
  std::unordered_map<int, std::vector<int>>
      members;  // component -> replica positions.
  std::unordered_map<int, std::vector<char>>
      displaced;  // on unusable capacity.
  model::PlacementPlan plan;
  plan.ecosystem = eco.name;
  plan.infra = solve_topo.name;
  for (int c = 0; c < nc; ++c) {
    if (!in[c]) continue;
    model::Component comp = s.ecosystem.components[c];
    const auto& reps = s.components[c].replicas;
    std::vector<int>& mem = members[c];
    for (size_t k = 0; k < reps.size(); ++k)
      if (reps[k].phase != ReplicaPhase::kIsolated)
        mem.push_back(static_cast<int>(k));
    int n = static_cast<int>(mem.size());
    if (auto it = req.scale_to.find(c); it != req.scale_to.end())
      n = std::max(n, n + it->second - static_cast<int>(reps.size()));
    comp.replicas.initial = n;
    comp.replicas.max = std::max(comp.replicas.max, n);
    comp.replicas.min = std::min(comp.replicas.min, n);
    sub_index.emplace(s.ecosystem.components[c].name, c);
    eco.components.push_back(std::move(comp));
    std::vector<char>& gone = displaced[c];
    gone.assign(mem.size(), 0);
    for (size_t k = 0; k < mem.size(); ++k) {
      const ReplicaState& r = reps[mem[k]];
      if (r.place.empty()) continue;
      if (hosts && !usable(r.place)) {
        gone[k] = 1;  // the rack may still be usable: re-place it explicitly.
        continue;
      }
      model::Assignment a;
      a.component = s.ecosystem.components[c].name;
      a.replica = static_cast<int>(k);
      a.zone = r.place.zone;
      a.rack = r.place.rack;
      a.host = hosts ? "" : r.place.host;
      plan.assignments.push_back(std::move(a));
    }
  }
  for (const auto& d : s.ecosystem.dependencies) {
    auto a = sub_index.find(d.from), b = sub_index.find(d.to);
    if (a != sub_index.end() && b != sub_index.end())
      eco.dependencies.push_back(d);
  }

  placement::SolveOptions so;
  so.seed = o.seed;
  so.max_iterations = o.solver_iterations;
  so.time_limit_s = o.solver_time_limit_s;
  so.compute_bound = false;

  Replan out;
  out.neighbourhood_components = static_cast<int>(eco.components.size());
  placement::EcosystemPlacement result;
  if (!req.reoptimise) {
    placement::ReplaceStats stats;
    ECOTONE_ASSIGN_OR_RETURN(
        result, placement::Replace(eco, solve_topo, plan, o.placement, so,
                                   "heuristic", &stats));
    out.kept = stats.kept;
  } else {
    ECOTONE_ASSIGN_OR_RETURN(
        placement::EcosystemProblem ep,
        placement::BuildEcosystemProblem(eco, solve_topo, &plan, o.placement));
    ECOTONE_ASSIGN_OR_RETURN(
        placement::EcosystemPlacement before,
        placement::EvaluateAssignment(ep, ep.problem.current_bin, eco,
                                      solve_topo, &plan, o.placement));
    out.objective_before = before.costs.total();
    so.initial = ep.problem.current_bin;
    ECOTONE_ASSIGN_OR_RETURN(placement::Solution sol,
                             placement::Solve(ep.problem, so, "heuristic"));
    result = placement::Interpret(ep, sol, eco, solve_topo, &plan, o.placement);
    out.kept = result.kept;
  }
  out.solver = result.solver;
  out.cross_zone_proximity = result.cross_zone_proximity;
  if (result.status != placement::SolveOutcome::kOptimal &&
      result.status != placement::SolveOutcome::kFeasible) {
    out.infeasible =
        result.infeasible.empty() ? "no plan found" : result.infeasible;
    return out;
  }
  out.objective_after = result.objective;

  // --- Map back: moves and new replicas, hosts picked inside racks. ---
  struct Placed {
    int component;
    int k;  // member index (>= members: new).
    model::Place to;
  };
  std::vector<Placed> changed;
  std::vector<std::pair<int, model::Place>> staying;  // component, place.
  for (const auto& a : result.plan.assignments) {
    int c = sub_index.at(a.component);
    const auto& reps = s.components[c].replicas;
    const auto& mem = members.at(c);
    model::Place to{a.zone, a.rack, a.host};
    if (a.replica < static_cast<int>(mem.size())) {
      const ReplicaState& r = reps[mem[a.replica]];
      bool same = !displaced.at(c)[a.replica] && r.place.zone == to.zone &&
                  r.place.rack == to.rack && (hosts || r.place.host == to.host);
      if (same) {
        staying.emplace_back(c, r.place);
        continue;
      }
    }
    changed.push_back({c, a.replica, to});
  }
  if (hosts) {
    // Free room per host after the neighbourhood replicas that stay.
    for (const auto& [c, p] : staying)
      if (auto z = pick.free.find(p.zone); z != pick.free.end())
        if (auto r = z->second.find(p.rack); r != z->second.end())
          for (auto& [name, free] : r->second)
            if (name == p.host) free = Sub(free, request_of(c));
    // Bigger replicas pick first (best fit); then by name, replica.
    const auto& comps = s.ecosystem.components;
    std::stable_sort(
        changed.begin(), changed.end(), [&](const Placed& x, const Placed& y) {
          const auto& rx = request_of(x.component);
          const auto& ry = request_of(y.component);
          if (rx.cpu_millicores != ry.cpu_millicores)
            return rx.cpu_millicores > ry.cpu_millicores;
          if (comps[x.component].name != comps[y.component].name)
            return comps[x.component].name < comps[y.component].name;
          return x.k < y.k;
        });
    for (auto& p : changed) {
      auto zone_it = pick.free.find(p.to.zone);
      if (zone_it == pick.free.end()) continue;  // a zone without hosts.
      auto rack_it = zone_it->second.find(p.to.rack);
      if (rack_it == zone_it->second.end()) continue;  // a rack without hosts.
      auto& list = rack_it->second;
      const model::Resources& need = request_of(p.component);
      int best = -1;
      for (size_t h = 0; h < list.size(); ++h)
        if (FitsIn(need, list[h].second) &&
            (best < 0 ||
             list[h].second.cpu_millicores > list[best].second.cpu_millicores))
          best = static_cast<int>(h);
      if (best < 0) {
        out.infeasible = "no host of rack " + p.to.zone + "/" + p.to.rack +
                         " has room for " + comps[p.component].name;
        return out;
      }
      p.to.host = list[best].first;
      list[best].second = Sub(list[best].second, need);
    }
  }
  out.feasible = true;
  for (const auto& p : changed) {
    const auto& reps = s.components[p.component].replicas;
    const auto& mem = members.at(p.component);
    if (p.k < static_cast<int>(mem.size())) {
      const ReplicaState& r = reps[mem[p.k]];
      if (r.place == p.to) continue;
      out.moves.push_back({p.component, r.replica, r.place, p.to});
    } else {
      model::Assignment a;
      a.component = s.ecosystem.components[p.component].name;
      a.replica = p.k;
      a.zone = p.to.zone;
      a.rack = p.to.rack;
      a.host = p.to.host;
      out.added[p.component].push_back(std::move(a));
    }
  }
  // New replicas numbered after the component's highest, in item order.
  for (auto& [c, list] : out.added) {
    std::sort(list.begin(), list.end(),
              [](const model::Assignment& x, const model::Assignment& y) {
                return x.replica < y.replica;
              });
    const auto& reps = s.components[c].replicas;
    int next = reps.empty() ? 0 : reps.back().replica + 1;
    for (auto& a : list) a.replica = next++;
  }
  std::sort(out.moves.begin(), out.moves.end(),
            [&](const ReplicaMove& x, const ReplicaMove& y) {
              return x.component != y.component ? x.component < y.component
                                                : x.replica < y.replica;
            });
  return out;
}

}  // namespace ecotone::engine::internal
