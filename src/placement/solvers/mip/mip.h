// The exact model for CBC (private). See mip.cc for the formulation.
#ifndef ECOTONE_PLACEMENT_SOLVERS_MIP_MIP_H_
#define ECOTONE_PLACEMENT_SOLVERS_MIP_MIP_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/placement/problem.h"
#include "ecotone/placement/solver.h"

namespace ecotone::placement::internal {

struct MipOutcome {
  std::vector<int> assignment;  // empty when no feasible solution was found
  double bound = -std::numeric_limits<double>::infinity();
  bool proven_optimal = false;
  bool proven_infeasible = false;
  int64_t nodes = 0;
  int columns = 0;
  int rows = 0;
  double seconds = 0;
  // The time limit stopped an LP in the middle (root LP of a large model):
  // no bound, optimality or infeasibility claim is made.
  bool stopped_by_deadline = false;
  // The bound is the root LP's (CBC's own bound was no better, or is not
  // used on large models): "lp relaxation (root)" rather than
  // "cbc branch-and-bound" in Solution::bound_method.
  bool bound_is_root_lp = false;
};

// Restricts the model: only the (item, bin) pairs with keep[i·m + b] != 0
// get an x column (nullptr = all allowed pairs). The pointed-to mask must
// outlive the call.
struct MipRestriction {
  const std::vector<uint8_t>* keep = nullptr;
};

// Builds the model of `problem` (valid), restricted by `restriction`, and
// solves it with CBC under options.time_limit_s (wall clock from the call,
// model building included; every simplex, the root LP too, is stopped at the
// limit), using options.initial as MIP start when complete. With relax_only,
// solves the LP relaxation and returns only its value as `bound` (-inf if not
// solved to optimality in time). Returns FailedPrecondition when the
// linearised model would be too large (options.extra["mip.max_pairwise_vars"]),
// InvalidArgument for a restriction that does not fit the problem, Internal
// if CBC abandons. Under a restriction, `bound`, proven_optimal and
// proven_infeasible refer to the restricted model.
Result<MipOutcome> SolveMip(const Problem& problem, const SolveOptions& options,
                            bool relax_only,
                            const MipRestriction& restriction = {});

// Lower bounds for reduced-cost fixing (Posta, Ferland & Michelon 2012):
// `bound` is a valid lower bound on the optimum, and every assignment with
// x_ib = 1 costs at least one[i·m + b], every one with x_ib = 0 at least
// zero[i·m + b] (NaN for pairs without a column: not allowed, or the item
// does not fit the bin).
struct FixingBounds {
  // Computed within the time limit; when false the other fields are empty /
  // -inf and nothing may be fixed.
  bool solved = false;
  double bound = -std::numeric_limits<double>::infinity();
  std::vector<double> one, zero;
  int64_t columns = 0;  // x columns of the full model
  // LP only: the duals of the assignment rows (item i).
  std::vector<double> item_duals;
  // Knapsack bound only: the multipliers λ of the assignment rows at which
  // `bound` (before StrengthenByAssignment) was reached.
  std::vector<double> multipliers;
};

// From the LP relaxation of the full model (Clp, optimal duals π). The
// reduced costs d = c − πA and the bound
//   L = Σ_r π_r·(lb_r if π_r > 0 else ub_r) + Σ_j min(0, d_j)·ub_j
// are recomputed here from π (π_r clamped to 0 where the side it needs is
// infinite), so L is a valid lower bound by weak duality whatever Clp's
// tolerances; one = L + max(d, 0), zero = L + max(−d, 0). Problems without
// pairwise terms only (InvalidArgument otherwise).
Result<FixingBounds> LpFixingBounds(const Problem& problem,
                                    double time_limit_s);

// Keeps in `into` the larger of each pair of bounds of `from` (both valid
// for the same problem; `into` must be solved).
void MergeFixingBounds(const FixingBounds& from, FixingBounds* into);

// From the Lagrangian relaxation of the assignment rows (one 0-1 knapsack
// per bin; knapsack_bound.cc), for problems without pairwise terms, with one
// dimension and integral demands and capacities (≤ 10^6); other constraints
// (spread, distance limits) are dropped, which keeps the bounds valid.
// Subgradient ascent from `start` (multipliers of the items, e.g. the LP
// duals of the assignment rows; empty = each item's least cost) aimed at
// `upper`, at most max_iterations steps or time_limit_s; it stops early
// when the bound exceeds upper − 1. solved = false when not applicable.
Result<FixingBounds> KnapsackFixingBounds(const Problem& problem,
                                          const std::vector<double>& start,
                                          double upper, double time_limit_s,
                                          int max_iterations);

// Tightens per-pair bounds whose increases over `bound` are separable —
// one relaxation's bound plus a non-negative penalty per (item, bin)
// decision (the knapsack relaxation: forcing i onto b and i off another bin
// b' change different knapsacks; the LP: c·x >= L + Σ_j penalty_j(x_j)) —
// so they add up in an assignment, which has i on b and off every other
// bin:
//   one[i·m+b] += Σ_{b'≠b} (zero[i·m+b'] − bound)   (NaN pairs add 0);
// an assignment with i off b has it on some other bin:
//   zero[i·m+b] = max(zero[i·m+b], min_{b'≠b} one[i·m+b']);
// and every assignment puts i somewhere: bound = max(bound, max_i min_b
// one[i·m+b]). Apply before MergeFixingBounds, never to a merge (its pairs
// mix two relaxations' penalties).
void StrengthenByAssignment(const Problem& problem, FixingBounds* bounds);

// Reduced-cost fixing against an incumbent of cost `upper`, for problems
// whose costs (linear + migration) are integral: keep[i·m + b] = 0 when no
// assignment costing at most upper − 1 can put item i on bin b (one[i·m+b]
// > upper − 1, or zero[i·m+b'] > upper − 1 for another bin b' of i, i.e. i
// must stay on b'). A small tolerance (1e-6·max(1, |upper|)) keeps
// borderline pairs.
struct Fixing {
  std::vector<uint8_t> keep;  // [i·m + b]
  int64_t kept = 0;           // pairs kept
  int64_t fixed = 0;          // model columns fixed to 0
  int items_single = 0;       // items left with exactly one bin (fixed to 1)
  // No assignment costs at most upper − 1: bound > upper − 1, or some item
  // has no bin left. Then the incumbent is optimal.
  bool none_better = false;
};
Fixing FixByReducedCost(const Problem& problem, const FixingBounds& bounds,
                        double upper);

// min Σ cost_j z_j over binary z with Σ_{j : r ∈ columns[j]} z_j = 1 for
// every row r < num_rows and Σ cost_j z_j <= budget, by CBC (one thread)
// within time_limit_s; optimal means within allowable_gap_abs of the best
// (e.g. 0.5 when solutions differ by whole numbers). `chosen` lists the
// columns of the best solution found (empty if none); proven_infeasible:
// no solution within the budget. An integral LP optimum is the answer
// (proven_optimal) without CBC. Otherwise, when less time is left after
// the LP than 4 times what it took, CBC is not started
// (stopped_by_deadline): its root node does not read the clock.
struct SetPartitionOutcome {
  std::vector<int> chosen;
  bool proven_optimal = false;
  bool proven_infeasible = false;
  bool stopped_by_deadline = false;
};
Result<SetPartitionOutcome> SolveSetPartition(
    int num_rows, const std::vector<std::vector<int>>& columns,
    const std::vector<double>& cost, double budget, double time_limit_s,
    double allowable_gap_abs = 1e-7);

// The assignments that cost at most `target` and use only the pairs in
// keep[i·m + b] (e.g. FixByReducedCost(..., target + 1).keep), searched
// exactly through the Lagrangian decomposition of their cost at the
// multipliers `lambda` (patterns.cc): per bin, every subset of its kept
// items within the excess budget target − L(λ), then an exact cover of the
// items by one subset per bin: dancing links first (unless !dlx_first;
// for dlx_share of each cover's time, or with dlx_share 0 for at most
// 0.25 s and a quarter of it), then SolveSetPartition, all within
// time_limit_s. With more than quick_patterns (> 0) patterns, first for a
// third of the time the cover of those of least excess (at most
// quick_patterns): incomplete, so an assignment found there is reported
// with kGaveUp. One dimension, integral
// demands, capacities and costs, no pairwise terms; otherwise kGaveUp.
struct PatternOutcome {
  // kFound: `assignment` is the cheapest costing at most target.
  // kNone: no assignment costs at most target (so target + 1 is a bound).
  // kGaveUp: more than max_patterns subsets or the time limit (or not
  // applicable); `assignment` may still hold one costing <= target.
  enum Kind { kGaveUp, kFound, kNone } kind = kGaveUp;
  std::vector<int> assignment;
  double cost = std::numeric_limits<double>::infinity();
  double lagrangian = -std::numeric_limits<double>::infinity();  // L(λ)
  int64_t patterns = 0;
  int64_t nodes = 0;
};
PatternOutcome SearchByPatterns(const Problem& problem,
                                const std::vector<double>& lambda,
                                const std::vector<uint8_t>& keep, double target,
                                int64_t max_patterns, double time_limit_s,
                                int64_t quick_patterns = 0,
                                bool dlx_first = true, double dlx_share = 0);

// The pairs of a re-split of `bins` (a large-neighbourhood move): an item
// that `assignment` puts on one of `bins` keeps the pairs to those bins that
// `fixing` keeps (all of them when it is empty) and its own; every other
// item keeps only its own bin. SearchByPatterns over these pairs at target
// cost(assignment) − 1 finds the cheapest assignment that moves items only
// among `bins` and costs less, or proves there is none.
std::vector<uint8_t> ResplitKeep(const Problem& problem,
                                 const std::vector<int>& assignment,
                                 const std::vector<int>& bins,
                                 const std::vector<uint8_t>& fixing);

}  // namespace ecotone::placement::internal

#endif  // ECOTONE_PLACEMENT_SOLVERS_MIP_MIP_H_
