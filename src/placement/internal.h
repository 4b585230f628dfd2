// Private helpers shared by the placement solvers (not part of the API).
#ifndef ECOTONE_PLACEMENT_INTERNAL_H_
#define ECOTONE_PLACEMENT_INTERNAL_H_

#include <memory>
#include <string>
#include <vector>

#include "ecotone/placement/problem.h"
#include "ecotone/placement/solver.h"

namespace ecotone::placement::internal {

// Factories of the built-in solvers (owned by the caller).
std::unique_ptr<Solver> NewHeuristicSolver();
std::unique_ptr<Solver> NewMipSolver();
std::unique_ptr<Solver> NewChooseSolver();

// (objective - bound) / max(|objective|, 1e-9); +inf when either is unknown;
// 0 when bound >= objective.
double RelativeGap(double objective, double bound);

// options.extra[name] read as a number (e.g. "mip.max_pairwise_vars",
// "choose.heuristic_share"), or `dflt` when absent or not a number.
double ExtraNumber(const SolveOptions& options, const std::string& name,
                   double dflt);

// Fills cost, bin_load, binding_constraints and objective of `solution` from
// its assignment (which must be complete), and gap from objective and bound.
// Returns the violations found (empty when feasible).
std::vector<std::string> FillDetails(const Problem& problem,
                                     Solution* solution);

// Allowed-bin structure: for each item, whether bin b may be used
// (available, allowed for its group, not forbidden).
class Allowed {
 public:
  explicit Allowed(const Problem& problem);
  // Sorted allowed bins of item i (shared between items with the same set).
  const std::vector<int>& Bins(int item) const { return sets_[set_of_[item]]; }
  bool Contains(int item, int bin) const;
  // Index of the allowed set of item i; set 0 = all available bins, and
  // every set is a subset of set 0.
  int SetOf(int item) const { return set_of_[item]; }
  const std::vector<int>& SetBins(int set) const { return sets_[set]; }
  int num_sets() const { return static_cast<int>(sets_.size()); }

 private:
  std::vector<std::vector<int>> sets_;
  std::vector<int> set_of_;
};

// A lower bound by Lagrangian relaxation of the capacity constraints
// (subgradient optimisation, Held-Wolfe-Crowder steps). Pairwise terms are
// bounded below by 0 (valid when λ >= 0), group and distance constraints
// are dropped. `upper` is the best known objective (or +inf) used for the
// step size. Returns -inf when the problem is too large (> max_work item-bin
// evaluations per iteration) or λ < 0. `iterations` caps the subgradient
// steps. For the GAP this converges to the LP bound (integrality property of
// the relaxed problem).
struct Bound {
  double value;
  std::string method;
  // The multipliers u[b·D + d] >= 0 at which `value` was reached; empty
  // when no bound was computed.
  std::vector<double> multipliers = {};
};
Bound LagrangianBound(const Problem& problem, const Allowed& allowed,
                      double upper, int iterations, double time_limit_s);

}  // namespace ecotone::placement::internal

#endif  // ECOTONE_PLACEMENT_INTERNAL_H_
