// Neighbourhood re-placement (see replan.h and docs/engine.md).
//
// Cost per call: O(R) to take the replicas outside the neighbourhood off the
// bins' capacity (R = replicas of the ecosystem, one hash lookup each), plus
// placement::Replace on the neighbourhood: O(m²) for the bin distance matrix
// (m bins) and the restricted solve on the displaced replicas.
#include "replan.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "ecotone/placement/replace.h"
#include "ecotone/placement/solver.h"

namespace ecotone::engine::internal {
namespace {

std::string Key(const std::string& zone, const std::string& rack, const std::string& host) {
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
  return {d(a.cpu_millicores, b.cpu_millicores), d(a.memory_bytes, b.memory_bytes),
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
  void Add(std::string key, model::Resources* r) { bins_.emplace(std::move(key), r); }
  std::unordered_map<std::string, model::Resources*> bins_;
};

}  // namespace

Result<Replan> ReplanAround(const State& s, const ReplanRequest& req, const EcotoneOptions& o) {
  const int nc = static_cast<int>(s.components.size());
  // --- The neighbourhood: focus components and their direct partners. ---
  std::vector<char> in(nc, 0);
  if (req.reoptimise && req.focus.empty()) {
    std::fill(in.begin(), in.end(), 1);
  } else {
    for (int c : req.focus) {
      in[c] = 1;
      if (static_cast<int>(s.depends_on.size()) == nc) {
        for (int d : s.depends_on[c]) in[d] = 1;
        for (int d : s.dependents[c]) in[d] = 1;
      }
    }
    if (static_cast<int>(s.depends_on.size()) != nc) {  // state not from MakeState.
      std::vector<char> focus(nc, 0);
      for (int c : req.focus) focus[c] = 1;
      for (const auto& d : s.ecosystem.dependencies) {
        int a = s.ComponentIndex(d.from), b = s.ComponentIndex(d.to);
        if (a < 0 || b < 0) continue;
        if (focus[a] || focus[b]) in[a] = in[b] = 1;
      }
    }
  }
  for (const auto& [c, n] : req.scale_to) in[c] = 1;

  // --- The topology with everything outside the neighbourhood taken off. ---
  model::Topology topo = req.topology != nullptr ? *req.topology : s.topology;
  BinIndex bins(&topo);
  // Isolated replicas stay where they are (evidence) and keep their room.
  for (int c = 0; c < nc; ++c) {
    const model::Component& comp = s.ecosystem.components[c];
    const model::Resources& need =
        comp.requests.empty() ? o.placement.default_request : comp.requests;
    for (const auto& r : s.components[c].replicas) {
      if (in[c] && r.phase != ReplicaPhase::kIsolated) continue;
      if (r.place.empty() || r.phase == ReplicaPhase::kDown) continue;
      if (model::Resources* cap = bins.Find(r.place)) *cap = Sub(*cap, need);
    }
  }

  // --- The sub-ecosystem and its current plan (replica k = k-th replica). ---
  model::Ecosystem eco;
  eco.name = s.ecosystem.name;
  std::unordered_map<std::string_view, int> sub_index;  // name -> state index.
  std::unordered_map<int, std::vector<int>> members;  // component -> replica positions.
  model::PlacementPlan plan;
  plan.ecosystem = eco.name;
  plan.infra = topo.name;
  for (int c = 0; c < nc; ++c) {
    if (!in[c]) continue;
    model::Component comp = s.ecosystem.components[c];
    const auto& reps = s.components[c].replicas;
    std::vector<int>& mem = members[c];
    for (size_t k = 0; k < reps.size(); ++k)
      if (reps[k].phase != ReplicaPhase::kIsolated) mem.push_back(static_cast<int>(k));
    int n = static_cast<int>(mem.size());
    if (auto it = req.scale_to.find(c); it != req.scale_to.end())
      n = std::max(n, n + it->second - static_cast<int>(reps.size()));
    comp.replicas.initial = n;
    comp.replicas.max = std::max(comp.replicas.max, n);
    comp.replicas.min = std::min(comp.replicas.min, n);
    sub_index.emplace(s.ecosystem.components[c].name, c);
    eco.components.push_back(std::move(comp));
    for (size_t k = 0; k < mem.size(); ++k) {
      const ReplicaState& r = reps[mem[k]];
      if (r.place.empty()) continue;
      model::Assignment a;
      a.component = s.ecosystem.components[c].name;
      a.replica = static_cast<int>(k);
      a.zone = r.place.zone;
      a.rack = r.place.rack;
      a.host = r.place.host;
      plan.assignments.push_back(std::move(a));
    }
  }
  for (const auto& d : s.ecosystem.dependencies) {
    auto a = sub_index.find(d.from), b = sub_index.find(d.to);
    if (a != sub_index.end() && b != sub_index.end()) eco.dependencies.push_back(d);
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
    ECOTONE_ASSIGN_OR_RETURN(result, placement::Replace(eco, topo, plan, o.placement, so,
                                                        "heuristic", &stats));
    out.kept = stats.kept;
  } else {
    ECOTONE_ASSIGN_OR_RETURN(placement::EcosystemProblem ep,
                             placement::BuildEcosystemProblem(eco, topo, &plan, o.placement));
    ECOTONE_ASSIGN_OR_RETURN(
        placement::EcosystemPlacement before,
        placement::EvaluateAssignment(ep, ep.problem.current_bin, eco, topo, &plan, o.placement));
    out.objective_before = before.objective;
    if (before.status != placement::SolveOutcome::kFeasible &&
        before.status != placement::SolveOutcome::kOptimal)
      out.objective_before = before.costs.total();
    so.initial = ep.problem.current_bin;
    ECOTONE_ASSIGN_OR_RETURN(placement::Solution sol, placement::Solve(ep.problem, so, "heuristic"));
    result = placement::Interpret(ep, sol, eco, topo, &plan, o.placement);
    out.kept = result.kept;
  }
  out.solver = result.solver;
  out.cross_zone_proximity = result.cross_zone_proximity;
  if (result.status != placement::SolveOutcome::kOptimal &&
      result.status != placement::SolveOutcome::kFeasible) {
    out.infeasible = result.infeasible.empty() ? "no plan found" : result.infeasible;
    return out;
  }
  out.feasible = true;
  out.objective_after = result.objective;

  std::unordered_map<std::string, const model::Assignment*> placed;
  for (const auto& a : result.plan.assignments)
    placed.emplace(a.component + "#" + std::to_string(a.replica), &a);
  for (const auto& mv : result.delta.moves) {
    int c = sub_index.at(mv.component);
    const auto& reps = s.components[c].replicas;
    const auto& mem = members.at(c);
    if (mv.replica < 0 || mv.replica >= static_cast<int>(mem.size())) continue;
    auto it = placed.find(mv.component + "#" + std::to_string(mv.replica));
    if (it == placed.end()) continue;
    ReplicaMove m;
    m.component = c;
    m.replica = reps[mem[mv.replica]].replica;
    m.from = reps[mem[mv.replica]].place;
    m.to = model::Place{it->second->zone, it->second->rack, it->second->host};
    if (m.to == m.from) continue;
    out.moves.push_back(std::move(m));
  }
  for (const auto& a : result.delta.added) {
    int c = sub_index.at(a.component);
    auto& list = out.added[c];
    const auto& reps = s.components[c].replicas;
    int next = (reps.empty() ? 0 : reps.back().replica + 1) + static_cast<int>(list.size());
    model::Assignment p = a;
    auto it = placed.find(a.component + "#" + std::to_string(a.replica));
    if (it != placed.end()) p = *it->second;
    p.replica = next;
    list.push_back(std::move(p));
  }
  return out;
}

}  // namespace ecotone::engine::internal
