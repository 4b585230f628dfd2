// Incremental re-placement (docs/placement.md, "Incremental re-placement").
//
// 1. Keep: every replica whose current bin is still usable, allowed and has
//    room stays (stateful / expensive-to-move replicas claim capacity first).
// 2. Restrict: the displaced and new replicas form a small problem over the
//    same bins with the capacity left over; their proximity to kept partners
//    becomes a linear cost Σ_j w_ij · distance(b, bin_j), latency budgets to
//    kept partners become forbidden bins, spread needs shrink by the zones
//    the kept replicas already cover.
// 3. Verify the merged plan against the whole problem (Evaluate); if a
//    constraint is violated (e.g. spread), fall back to a full solve
//    warm-started from the kept placement.
// Cost: O(n·D + nnz(w)) for steps 1 and 3, O(A·m + A·deg·distinct bins) to
// build step 2 for A affected replicas and m bins, plus the solver on A items.
#include "ecotone/placement/replace.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ecotone::placement {
namespace {

// Dense linear costs for the affected replicas are used up to this many
// entries (8 bytes each); above, the full problem is solved instead.
constexpr double kMaxDenseCost = 2e7;

Result<model::Zone*> FindZone(model::Topology* t, const std::string& name) {
  for (auto& z : t->zones)
    if (z.name == name) return &z;
  return Status::NotFound("zone '" + name + "' is not in the infrastructure");
}

void RecomputeSums(model::Zone* z) {
  if (z->racks.empty()) return;
  z->capacity = {};
  for (auto& r : z->racks) {
    if (!r.hosts.empty()) {
      r.capacity = {};
      for (const auto& h : r.hosts)
        r.capacity = model::Add(r.capacity, h.capacity);
    }
    z->capacity = model::Add(z->capacity, r.capacity);
  }
}

}  // namespace

Status ApplyChange(const Change& ch, model::Ecosystem* eco,
                   model::Topology* topo) {
  using Kind = Change::Kind;
  if (ch.kind == Kind::kState || ch.kind == Kind::kCapacity) {
    ECOTONE_ASSIGN_OR_RETURN(model::Zone * z, FindZone(topo, ch.zone));
    model::Rack* rack = nullptr;
    model::Host* host = nullptr;
    if (!ch.rack.empty()) {
      for (auto& r : z->racks)
        if (r.name == ch.rack) rack = &r;
      if (!rack)
        return Status::NotFound("rack '" + ch.rack + "' is not in zone '" +
                                ch.zone + "'");
      if (!ch.host.empty()) {
        for (auto& h : rack->hosts)
          if (h.name == ch.host) host = &h;
        if (!host)
          return Status::NotFound("host '" + ch.host + "' is not in rack '" +
                                  ch.rack + "'");
      }
    }
    if (ch.kind == Kind::kState) {
      if (host)
        host->state = ch.state;
      else if (rack)
        rack->state = ch.state;
      else
        z->state = ch.state;
      return Status::Ok();
    }
    if (ch.capacity.cpu_millicores < 0 || ch.capacity.memory_bytes < 0 ||
        ch.capacity.bandwidth_bps < 0 || ch.capacity.storage_bytes < 0)
      return Status::InvalidArgument("capacity must be >= 0");
    if (host) {
      host->capacity = ch.capacity;
    } else if (rack) {
      if (!rack->hosts.empty())
        return Status::InvalidArgument("rack '" + rack->name +
                                       "' has hosts: change a host's capacity");
      rack->capacity = ch.capacity;
    } else {
      if (!z->racks.empty())
        return Status::InvalidArgument("zone '" + z->name +
                                       "' has racks: change a rack's capacity");
      z->capacity = ch.capacity;
    }
    RecomputeSums(z);
    return Status::Ok();
  }
  model::Component* c = nullptr;
  for (auto& x : eco->components)
    if (x.name == ch.component) c = &x;
  if (!c)
    return Status::NotFound("component '" + ch.component +
                            "' is not in the ecosystem");
  if (ch.kind == Kind::kScale) {
    if (ch.replicas < 0)
      return Status::InvalidArgument("replicas must be >= 0");
    c->replicas.initial = ch.replicas;
    c->replicas.max = std::max(c->replicas.max, ch.replicas);
    c->replicas.min = std::min(c->replicas.min, ch.replicas);
    return Status::Ok();
  }
  c->version = ch.version;
  if (!ch.requests.empty()) c->requests = ch.requests;
  return Status::Ok();
}

Result<EcosystemPlacement> Replace(
    const model::Ecosystem& eco, const model::Topology& topo,
    const model::PlacementPlan& current, const EcosystemOptions& o,
    const SolveOptions& solve, const std::string& solver, ReplaceStats* stats) {
  ReplaceStats local;
  ReplaceStats& st = stats ? *stats : local;
  st = {};
  auto lap = std::chrono::steady_clock::now();
  auto split = [&lap](double* into) {
    auto now = std::chrono::steady_clock::now();
    *into += std::chrono::duration<double>(now - lap).count();
    lap = now;
  };
  ECOTONE_ASSIGN_OR_RETURN(EcosystemProblem ep,
                           BuildEcosystemProblem(eco, topo, &current, o));
  split(&st.build_s);
  const Problem& P = ep.problem;
  const int n = P.num_items, m = P.num_bins, D = P.num_dims;
  const bool domains = !P.bin_domain.empty();
  auto domain_of = [&](int b) { return domains ? P.bin_domain[b] : b; };

  // --- 1. Keep what can stay. ---
  std::unordered_set<int64_t> forbidden;
  forbidden.reserve(P.forbidden.size() * 2);
  for (const auto& f : P.forbidden)
    forbidden.insert(static_cast<int64_t>(f.item) * m + f.bin);
  std::vector<std::vector<char>> group_allowed(P.groups.size());
  for (size_t g = 0; g < P.groups.size(); ++g) {
    if (P.groups[g].allowed_bins.empty()) continue;
    group_allowed[g].assign(m, 0);
    for (int b : P.groups[g].allowed_bins) group_allowed[g][b] = 1;
  }
  auto allowed = [&](int i, int b) {
    int g = P.GroupOf(i);
    if (g >= 0 && !group_allowed[g].empty() && !group_allowed[g][b])
      return false;
    return !forbidden.count(static_cast<int64_t>(i) * m + b);
  };
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return P.migration_cost[a] > P.migration_cost[b];
  });
  std::vector<double> load(static_cast<size_t>(m) * D, 0.0);
  // Per group: (bin, count) and (domain, count) of the kept replicas; a
  // group has few replicas, so a linear scan beats a hash map.
  std::vector<std::vector<std::pair<int, int>>> per_bin(P.groups.size()),
      per_domain(P.groups.size());
  auto count_of = [](std::vector<std::pair<int, int>>& v, int key) -> int& {
    for (auto& [k, c] : v)
      if (k == key) return c;
    v.push_back({key, 0});
    return v.back().second;
  };
  std::vector<int> asg(n, -1);
  for (int i : order) {
    int b = P.current_bin[i];
    if (b < 0 || !P.BinAvailable(b) || !allowed(i, b)) continue;
    bool fits = true;
    for (int d = 0; d < D && fits; ++d)
      fits = load[static_cast<size_t>(b) * D + d] + P.Demand(i, b, d) <=
             P.Capacity(b, d) + 1e-9;
    if (!fits) continue;
    int g = P.GroupOf(i);
    if (g >= 0) {
      const Group& gr = P.groups[g];
      int& in_bin = count_of(per_bin[g], b);
      int& in_dom = count_of(per_domain[g], domain_of(b));
      if (gr.max_per_bin > 0 && in_bin >= gr.max_per_bin) continue;
      if (domains && gr.max_per_domain > 0 && in_dom >= gr.max_per_domain)
        continue;
      ++in_bin;
      ++in_dom;
    }
    asg[i] = b;
    for (int d = 0; d < D; ++d)
      load[static_cast<size_t>(b) * D + d] += P.Demand(i, b, d);
  }
  std::vector<int> affected;
  std::vector<int> local_index(n, -1);
  for (int i = 0; i < n; ++i) {
    if (asg[i] < 0) {
      local_index[i] = static_cast<int>(affected.size());
      affected.push_back(i);
    }
  }
  split(&st.keep_s);
  st.kept = n - static_cast<int>(affected.size());
  st.affected = static_cast<int>(affected.size());
  const int A = static_cast<int>(affected.size());

  auto finish = [&](const std::vector<int>& full, const Solution& base,
                    bool* ok) -> Result<EcosystemPlacement> {
    ECOTONE_ASSIGN_OR_RETURN(Evaluation ev, Evaluate(P, full));
    *ok = ev.feasible();
    if (!*ok) return EcosystemPlacement{};
    Solution s;
    s.status = SolveOutcome::kFeasible;  // optimal only for the restriction.
    s.assignment = full;
    s.cost = ev.cost;
    s.objective = ev.cost.total();
    s.bin_load = ev.bin_load;
    s.solver =
        base.solver.empty() ? "incremental" : base.solver + " (incremental)";
    s.seconds = base.seconds;
    s.iterations = base.iterations;
    s.binding_constraints = base.binding_constraints;
    return Interpret(ep, s, eco, topo, &current, o);
  };

  bool ok = false;
  if (A == 0) {
    Solution none;
    ECOTONE_ASSIGN_OR_RETURN(EcosystemPlacement out, finish(asg, none, &ok));
    if (ok) return out;
  } else if (static_cast<double>(A) * m <= kMaxDenseCost) {
    // --- 2. The restricted problem over the affected replicas. ---
    Problem R;
    R.num_items = A;
    R.num_bins = m;
    R.num_dims = D;
    R.dim_names = P.dim_names;
    R.bin_names = P.bin_names;
    R.bin_domain = P.bin_domain;
    R.bin_available = P.bin_available;
    R.bin_price = P.bin_price;
    R.distance = P.distance;
    R.lambda = P.lambda;
    R.bin_capacity.resize(static_cast<size_t>(m) * D);
    for (size_t k = 0; k < R.bin_capacity.size(); ++k)
      R.bin_capacity[k] = std::max(0.0, P.bin_capacity[k] - load[k]);
    R.cost.assign(static_cast<size_t>(A) * m, 0.0);
    R.current_bin.resize(A);
    R.migration_cost.resize(A);
    std::vector<WeightedPair> pairs;
    std::unordered_map<int, int> group_map;
    std::vector<std::unordered_set<int>> covered(P.groups.size());
    for (int i = 0; i < n; ++i)
      if (asg[i] >= 0 && P.GroupOf(i) >= 0)
        covered[P.GroupOf(i)].insert(domain_of(asg[i]));
    for (int r = 0; r < A; ++r) {
      int i = affected[r];
      R.item_names.push_back(P.item_names.empty() ? "" : P.item_names[i]);
      for (int d = 0; d < D; ++d) R.item_demand.push_back(P.Demand(i, 0, d));
      R.current_bin[r] = P.current_bin[i];
      R.migration_cost[r] = P.migration_cost[i];
      int g = P.GroupOf(i);
      if (g >= 0) {
        auto [it, fresh] =
            group_map.emplace(g, static_cast<int>(R.groups.size()));
        if (fresh) {
          Group gr = P.groups[g];
          int have = static_cast<int>(covered[g].size());
          if (domains)
            gr.min_distinct_domains =
                std::max(0, gr.min_distinct_domains - have);
          else
            gr.min_distinct_bins = std::max(0, gr.min_distinct_bins - have);
          R.groups.push_back(std::move(gr));
        }
        R.item_group.push_back(it->second);
      } else {
        R.item_group.push_back(-1);
      }
      // Proximity to kept partners → linear cost per bin.
      double* row = &R.cost[static_cast<size_t>(r) * m];
      if (!P.pair_weight.empty()) {
        for (int64_t k = P.pair_weight.row_start[i];
             k < P.pair_weight.row_start[i + 1]; ++k) {
          int j = P.pair_weight.col[k];
          double w = P.pair_weight.weight[k] * P.lambda;
          if (asg[j] >= 0) {
            const double* dist = &P.distance[static_cast<size_t>(asg[j]) * m];
            for (int b = 0; b < m; ++b) row[b] += w * dist[b];
          } else if (local_index[j] > r) {
            pairs.push_back({r, local_index[j], P.pair_weight.weight[k]});
          }
        }
      }
    }
    ECOTONE_ASSIGN_OR_RETURN(R.pair_weight, BuildSymmetric(A, pairs));
    for (const auto& f : P.forbidden)
      if (local_index[f.item] >= 0)
        R.forbidden.push_back({local_index[f.item], f.bin});
    for (const auto& lim : P.distance_limits) {
      int la = local_index[lim.item_a], lb = local_index[lim.item_b];
      if (la >= 0 && lb >= 0) {
        R.distance_limits.push_back(
            {la, lb, lim.max_distance, lim.distinct_bins});
      } else if (la >= 0 || lb >= 0) {
        int x = la >= 0 ? la : lb;
        int fixed = asg[la >= 0 ? lim.item_b : lim.item_a];
        for (int b = 0; b < m; ++b)
          if (lim.Broken(P, b, fixed))
            R.forbidden.push_back({x, b});
      }
    }
    SolveOptions so = solve;
    so.initial.clear();
    // The restricted solve's bound says nothing about the whole problem
    // (the result is reported with bound null), so none is computed.
    so.compute_bound = false;
    split(&st.restrict_s);
    ECOTONE_ASSIGN_OR_RETURN(Solution rs, Solve(R, so, solver));
    split(&st.solve_s);
    if ((rs.status == SolveOutcome::kOptimal ||
         rs.status == SolveOutcome::kFeasible) &&
        static_cast<int>(rs.assignment.size()) == A) {
      std::vector<int> full = asg;
      for (int r = 0; r < A; ++r) full[affected[r]] = rs.assignment[r];
      // --- 3. Verify against the whole problem. ---
      ECOTONE_ASSIGN_OR_RETURN(EcosystemPlacement out, finish(full, rs, &ok));
      split(&st.finish_s);
      if (ok) return out;
    }
  }
  // Fallback: the full problem, warm-started from the kept placement.
  st.fallback = true;
  SolveOptions so = solve;
  so.initial = asg;
  ECOTONE_ASSIGN_OR_RETURN(Solution s, Solve(P, so, solver));
  return Interpret(ep, s, eco, topo, &current, o);
}

}  // namespace ecotone::placement
