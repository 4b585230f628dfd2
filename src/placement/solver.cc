// Solver registry, shared helpers (details of a solution, allowed bins,
// Lagrangian bound) and the infeasibility explainer.
#include "ecotone/placement/solver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "internal.h"

namespace ecotone::placement {

std::string_view SolveOutcomeName(SolveOutcome outcome) {
  switch (outcome) {
    case SolveOutcome::kOptimal:
      return "optimal";
    case SolveOutcome::kFeasible:
      return "feasible";
    case SolveOutcome::kInfeasible:
      return "infeasible";
    case SolveOutcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Status SolverRegistry::Register(std::string name, SolverFactory factory) {
  if (name.empty()) return Status::InvalidArgument("solver name is empty");
  if (!factory) return Status::InvalidArgument("solver factory is empty");
  if (factories_.count(name) > 0) {
    return Status::InvalidArgument("solver '" + name + "' already registered");
  }
  factories_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

Result<std::unique_ptr<Solver>> SolverRegistry::Create(
    std::string_view name) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [n, f] : factories_)
      known += (known.empty() ? "" : ", ") + n;
    return Status::NotFound("unknown solver '" + std::string(name) +
                            "' (known: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> SolverRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [n, f] : factories_) names.push_back(n);
  return names;
}

const SolverRegistry& DefaultSolverRegistry() {
  static const SolverRegistry* registry = [] {
    auto* r = new SolverRegistry();
    // Registration of distinct built-in names cannot fail.
    (void)r->Register("heuristic", &internal::NewHeuristicSolver);
    (void)r->Register("mip", &internal::NewMipSolver);
    (void)r->Register("choose", &internal::NewChooseSolver);
    return r;
  }();
  return *registry;
}

Result<Solution> Solve(const Problem& problem, const SolveOptions& options,
                       std::string_view solver_name) {
  ECOTONE_ASSIGN_OR_RETURN(std::unique_ptr<Solver> solver,
                           DefaultSolverRegistry().Create(solver_name));
  return solver->Solve(problem, options);
}

namespace {

std::string Num(double v) {
  char buf[64];
  if (std::abs(v) < 1e15 && v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

std::string ItemName(const Problem& p, int i) {
  return p.item_names.empty() ? "item " + std::to_string(i) : p.item_names[i];
}
std::string BinName(const Problem& p, int b) {
  return p.bin_names.empty() ? "bin " + std::to_string(b) : p.bin_names[b];
}
std::string DimName(const Problem& p, int d) {
  return p.dim_names.empty() ? "dimension " + std::to_string(d)
                             : "dimension " + p.dim_names[d];
}

}  // namespace

std::string ExplainInfeasibility(const Problem& p) {
  const int n = p.num_items, D = p.num_dims;
  internal::Allowed allowed(p);
  // 1. Items without any allowed bin, or too big for each of them.
  for (int i = 0; i < n; ++i) {
    const std::vector<int>& bins = allowed.Bins(i);
    if (bins.empty()) {
      int g = p.GroupOf(i);
      return ItemName(p, i) + " has no allowed bin (" +
             (g >= 0 ? "allowed bins of group " + p.groups[g].name + ", "
                     : "") +
             "unavailable bins and forbidden pairs exclude every bin)";
    }
    bool fits = false;
    for (int b : bins) {
      bool ok = true;
      for (int d = 0; d < D && ok; ++d)
        ok = p.Demand(i, b, d) <= p.Capacity(b, d);
      if (ok) {
        fits = true;
        break;
      }
    }
    if (!fits) {
      return ItemName(p, i) + " fits in none of its " +
             std::to_string(bins.size()) +
             " allowed bins (capacity in some dimension)";
    }
  }
  // 2. Aggregate demand per allowed-bin set and dimension: the items whose
  // allowed set is S must fit in S; all items must fit in all available bins
  // (every set is a subset of set 0 = all available bins).
  const int sets = allowed.num_sets();
  std::vector<double> set_demand(static_cast<size_t>(sets) * D, 0.0);
  std::vector<int> set_example(sets, -1);
  for (int i = 0; i < n; ++i) {
    int s = allowed.SetOf(i);
    if (set_example[s] < 0) set_example[s] = i;
    for (int d = 0; d < D; ++d) {
      double mn = std::numeric_limits<double>::infinity();
      if (p.item_bin_demand.empty()) {
        mn = p.Demand(i, 0, d);
      } else {
        for (int b : allowed.Bins(i)) mn = std::min(mn, p.Demand(i, b, d));
      }
      set_demand[static_cast<size_t>(s) * D + d] += mn;
    }
  }
  auto check_set = [&](int s, const std::vector<double>& demand_of,
                       bool whole) -> std::string {
    const std::vector<int>& bins = allowed.SetBins(s);
    for (int d = 0; d < D; ++d) {
      double cap = 0;
      for (int b : bins) cap += p.Capacity(b, d);
      double demand = demand_of[d];
      if (demand > cap * (1 + 1e-12) + 1e-9) {
        std::string who =
            whole ? "all available bins"
                  : "the " + std::to_string(bins.size()) + " allowed bins";
        int ex = set_example[s];
        if (!whole && ex >= 0) {
          who += p.GroupOf(ex) >= 0
                     ? " of group " + p.groups[p.GroupOf(ex)].name
                     : " of " + ItemName(p, ex);
        }
        return DimName(p, d) + " short by " + Num(demand - cap) + ": demand " +
               Num(demand) + " > capacity " + Num(cap) + " over " + who;
      }
    }
    return "";
  };
  {
    std::vector<double> total(D, 0.0);
    for (int s = 0; s < sets; ++s) {
      for (int d = 0; d < D; ++d)
        total[d] += set_demand[static_cast<size_t>(s) * D + d];
    }
    std::string why = check_set(0, total, true);
    if (!why.empty()) return why;
    for (int s = 1; s < sets; ++s) {
      if (set_example[s] < 0) continue;
      std::vector<double> dem(
          set_demand.begin() + static_cast<size_t>(s) * D,
          set_demand.begin() + static_cast<size_t>(s + 1) * D);
      why = check_set(s, dem, false);
      if (!why.empty()) return why;
    }
  }
  // 3. Spread constraints.
  if (!p.item_group.empty()) {
    std::vector<int> size(p.groups.size(), 0);
    std::vector<int> first(p.groups.size(), -1);
    for (int i = 0; i < n; ++i) {
      int g = p.item_group[i];
      if (g < 0) continue;
      ++size[g];
      if (first[g] < 0) first[g] = i;
    }
    for (size_t g = 0; g < p.groups.size(); ++g) {
      if (size[g] == 0) continue;
      const Group& gr = p.groups[g];
      const std::vector<int>& bins = allowed.Bins(first[g]);
      int nb = static_cast<int>(bins.size());
      if (gr.min_distinct_bins > std::min(nb, size[g])) {
        return "group " + gr.name + " must span " +
               std::to_string(gr.min_distinct_bins) + " bins but has " +
               std::to_string(size[g]) + " items and " + std::to_string(nb) +
               " allowed bins";
      }
      if (gr.max_per_bin > 0 &&
          static_cast<int64_t>(gr.max_per_bin) * nb < size[g]) {
        return "group " + gr.name + ": " + std::to_string(size[g]) +
               " items > " + std::to_string(gr.max_per_bin) + " per bin x " +
               std::to_string(nb) + " allowed bins";
      }
      if (!p.bin_domain.empty()) {
        std::vector<int> doms;
        for (int b : bins) doms.push_back(p.bin_domain[b]);
        std::sort(doms.begin(), doms.end());
        int nd = static_cast<int>(std::unique(doms.begin(), doms.end()) -
                                  doms.begin());
        if (gr.min_distinct_domains > std::min(nd, size[g])) {
          return "group " + gr.name + " must span " +
                 std::to_string(gr.min_distinct_domains) + " domains but has " +
                 std::to_string(size[g]) + " items and " + std::to_string(nd) +
                 " allowed domains";
        }
        if (gr.max_per_domain > 0 &&
            static_cast<int64_t>(gr.max_per_domain) * nd < size[g]) {
          return "group " + gr.name + ": " + std::to_string(size[g]) +
                 " items > " + std::to_string(gr.max_per_domain) +
                 " per domain x " + std::to_string(nd) + " allowed domains";
        }
      }
    }
  }
  // 4. Distance limits with no pair of allowed bins close enough.
  if (p.distance_limits.size() <= 10000) {
    for (const DistanceLimit& l : p.distance_limits) {
      const auto& A = allowed.Bins(l.item_a);
      const auto& B = allowed.Bins(l.item_b);
      if (A.size() * B.size() > 1000000) continue;
      bool any = false;
      for (int h : A) {
        for (int k : B) {
          if (!l.Broken(p, h, k)) {
            any = true;
            break;
          }
        }
        if (any) break;
      }
      if (!any) {
        return "distance limit " + Num(l.max_distance) + " between " +
               ItemName(p, l.item_a) + " and " + ItemName(p, l.item_b) +
               " cannot be met by any pair of their allowed bins";
      }
    }
  }
  return "";
}

namespace internal {

double ExtraNumber(const SolveOptions& o, const std::string& name,
                   double dflt) {
  auto it = o.extra.find(name);
  if (it == o.extra.end()) return dflt;
  try {
    return std::stod(it->second);
  } catch (...) {
    return dflt;
  }
}

double RelativeGap(double objective, double bound) {
  if (!std::isfinite(objective) || !std::isfinite(bound)) {
    return std::numeric_limits<double>::infinity();
  }
  if (bound >= objective) return 0.0;
  return (objective - bound) / std::max(std::abs(objective), 1e-9);
}

std::vector<std::string> FillDetails(const Problem& p, Solution* s) {
  Result<Evaluation> ev = Evaluate(p, s->assignment);
  if (!ev.ok()) return {ev.status().message()};
  s->cost = ev->cost;
  s->objective = ev->cost.total();
  s->bin_load = ev->bin_load;
  s->gap = RelativeGap(s->objective, s->bound);
  // Binding constraints: bins with the smallest relative slack.
  std::vector<std::pair<double, std::string>> tight;
  for (int b = 0; b < p.num_bins; ++b) {
    for (int d = 0; d < p.num_dims; ++d) {
      double cap = p.Capacity(b, d);
      double load = s->bin_load[static_cast<size_t>(b) * p.num_dims + d];
      if (cap <= 0 || load <= 0) continue;
      double slack = (cap - load) / cap;
      if (slack <= 0.02) {
        tight.push_back({slack, "capacity " + BinName(p, b) + " " +
                                    DimName(p, d) + ": " + Num(load) + "/" +
                                    Num(cap)});
      }
    }
  }
  std::sort(tight.begin(), tight.end());
  if (tight.size() > 32) tight.resize(32);
  s->binding_constraints.clear();
  for (auto& [sl, text] : tight) s->binding_constraints.push_back(text);
  return ev->violations;
}

Allowed::Allowed(const Problem& p) : set_of_(p.num_items, 0) {
  const int n = p.num_items, m = p.num_bins;
  std::vector<int> all;
  for (int b = 0; b < m; ++b) {
    if (p.BinAvailable(b)) all.push_back(b);
  }
  sets_.push_back(all);
  // One set per group with an allow-list.
  std::vector<int> group_set(p.groups.size(), 0);
  for (size_t g = 0; g < p.groups.size(); ++g) {
    if (p.groups[g].allowed_bins.empty()) continue;
    std::vector<int> s;
    for (int b : p.groups[g].allowed_bins) {
      if (p.BinAvailable(b)) s.push_back(b);
    }
    group_set[g] = static_cast<int>(sets_.size());
    sets_.push_back(std::move(s));
  }
  for (int i = 0; i < n; ++i) {
    int g = p.GroupOf(i);
    set_of_[i] = g >= 0 ? group_set[g] : 0;
  }
  // Items with forbidden pairs get a private set.
  std::vector<ForbiddenPair> f = p.forbidden;
  std::sort(f.begin(), f.end(), [](const auto& a, const auto& b) {
    return a.item != b.item ? a.item < b.item : a.bin < b.bin;
  });
  for (size_t k = 0; k < f.size();) {
    int i = f[k].item;
    std::vector<int> s = sets_[set_of_[i]];
    while (k < f.size() && f[k].item == i) {
      auto it = std::lower_bound(s.begin(), s.end(), f[k].bin);
      if (it != s.end() && *it == f[k].bin) s.erase(it);
      ++k;
    }
    set_of_[i] = static_cast<int>(sets_.size());
    sets_.push_back(std::move(s));
  }
}

bool Allowed::Contains(int item, int bin) const {
  const std::vector<int>& s = sets_[set_of_[item]];
  return std::binary_search(s.begin(), s.end(), bin);
}

Bound LagrangianBound(const Problem& p, const Allowed& allowed, double upper,
                      int iterations, double time_limit_s) {
  const double kNone = -std::numeric_limits<double>::infinity();
  const int n = p.num_items, m = p.num_bins, D = p.num_dims;
  if (p.lambda < 0) return {kNone, ""};
  int64_t work = 0;
  for (int i = 0; i < n; ++i) work += allowed.Bins(i).size();
  if (work > 20000000) return {kNone, ""};
  auto start = std::chrono::steady_clock::now();
  bool integral = true;
  std::vector<double> lc(static_cast<size_t>(n) * m, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int b : allowed.Bins(i)) {
      double c = p.LinearCost(i, b) + p.MigrationCost(i, b);
      lc[static_cast<size_t>(i) * m + b] = c;
      if (c != std::floor(c)) integral = false;
    }
  }
  if (p.HasPairwise()) integral = false;  // bound on it is 0, keep it simple
  std::vector<double> u(static_cast<size_t>(m) * D, 0.0);
  std::vector<double> g(u.size());
  std::vector<int> choice(n);
  double best = kNone;
  std::vector<double> best_u;
  double theta = 2.0;
  int since_improve = 0;
  double target = std::isfinite(upper) ? upper : kNone;
  for (int it = 0; it < iterations; ++it) {
    if ((it & 15) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                .count() > time_limit_s) {
      break;
    }
    double L = 0;
    for (int b = 0; b < m; ++b) {
      for (int d = 0; d < D; ++d) {
        L -= u[static_cast<size_t>(b) * D + d] * p.Capacity(b, d);
      }
    }
    std::fill(g.begin(), g.end(), 0.0);
    for (int i = 0; i < n; ++i) {
      double bestv = std::numeric_limits<double>::infinity();
      int bb = -1;
      for (int b : allowed.Bins(i)) {
        double v = lc[static_cast<size_t>(i) * m + b];
        for (int d = 0; d < D; ++d) {
          v += u[static_cast<size_t>(b) * D + d] * p.Demand(i, b, d);
        }
        if (v < bestv) {
          bestv = v;
          bb = b;
        }
      }
      if (bb < 0) return {kNone, ""};  // item without bins: infeasible anyway
      L += bestv;
      choice[i] = bb;
      for (int d = 0; d < D; ++d) {
        g[static_cast<size_t>(bb) * D + d] += p.Demand(i, bb, d);
      }
    }
    double norm = 0;
    for (int b = 0; b < m; ++b) {
      for (int d = 0; d < D; ++d) {
        size_t k = static_cast<size_t>(b) * D + d;
        g[k] -= p.Capacity(b, d);
        // Projected subgradient: no step into u < 0.
        if (u[k] <= 0 && g[k] < 0) g[k] = 0;
        norm += g[k] * g[k];
      }
    }
    // (The first value is always taken: with best = -inf the tolerance
    // below is inf and the comparison NaN, which used to discard every
    // value and leave the bound at -inf.)
    if (!std::isfinite(best) ||
        L > best + 1e-9 * std::max(1.0, std::abs(best))) {
      best = L;
      best_u = u;
      since_improve = 0;
    } else if (++since_improve >= 20) {
      theta *= 0.5;
      since_improve = 0;
    }
    if (norm <= 1e-12 || theta < 1e-6) break;  // relaxed solution feasible
    double tgt =
        std::isfinite(target) ? target : best + 0.05 * std::abs(best) + 1.0;
    if (tgt <= best) tgt = best + 1e-3 * std::max(1.0, std::abs(best));
    double step = theta * (tgt - L) / norm;
    for (size_t k = 0; k < u.size(); ++k)
      u[k] = std::max(0.0, u[k] + step * g[k]);
  }
  if (!std::isfinite(best)) return {kNone, ""};
  if (integral) best = std::ceil(best - 1e-6);
  return {best,
          p.HasPairwise() ? "lagrangian (capacity relaxed, pairwise term >= 0)"
                          : "lagrangian (capacity relaxed)",
          std::move(best_u)};
}

}  // namespace internal
}  // namespace ecotone::placement
