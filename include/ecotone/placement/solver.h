// Solvers of the placement Problem behind one interface, picked by name from
// a registry: "heuristic" (construction + local search with incremental
// deltas), "mip" (exact model solved with CBC) and "choose" (exact when the
// instance is small enough, otherwise heuristic; default).
//
// Infeasibility is an answer, not an error: Solve() returns OK with
// SolveOutcome::kInfeasible and an explanation of which constraint set makes
// the problem infeasible. A non-OK Status means the solver could not run
// (invalid problem, unknown solver name, internal failure).
#ifndef ECOTONE_PLACEMENT_SOLVER_H_
#define ECOTONE_PLACEMENT_SOLVER_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/placement/problem.h"

namespace ecotone::placement {

// What a solve established. Serialised by name (SolveOutcomeName); append new
// values at the end.
enum class SolveOutcome {
  // The solution is proven optimal (bound == objective within tolerance):
  // callers may use it without further search.
  kOptimal = 0,
  // A feasible solution, optimality not proven: use it; `bound` and `gap`
  // tell how far from optimal it can be.
  kFeasible,
  // Proven that no assignment satisfies the constraints: read
  // `infeasibility` to learn which constraint set is responsible and relax it.
  kInfeasible,
  // No feasible solution found within the limits and infeasibility not
  // proven: give more time or relax constraints.
  kUnknown,
};

// "optimal", "feasible", "infeasible", "unknown".
std::string_view SolveOutcomeName(SolveOutcome outcome);

struct SolveOptions {
  // Wall-clock safety cap in seconds (> 0). Heuristic search also stops at
  // max_iterations; the MIP passes it to CBC.
  double time_limit_s = 10.0;
  // Seed of every random decision. Same problem + seed + iteration budget =
  // same result (the time limit is only a safety cap that may cut a run
  // early at a machine-dependent point).
  uint64_t seed = 1;
  // Threads the solver may use (the solvers here use 1).
  int threads = 1;
  // Deterministic iteration budget of the heuristic's improvement phase;
  // 0 = run until the time limit.
  int64_t max_iterations = 0;
  // Optional warm start: a bin per item (size num_items, -1 = none). Used as
  // the starting point of the heuristic and as MIP start of the MIP. Not the
  // same as Problem::current_bin (which defines migration costs).
  std::vector<int> initial;
  // Compute a lower bound when affordable (Lagrangian / LP relaxation).
  bool compute_bound = true;
  // Solver-specific options by name (e.g. "mip.max_pairwise_vars"); unknown
  // names are ignored.
  std::map<std::string, std::string> extra;
};

// The outcome of a solve. A Solution is a value type.
struct Solution {
  SolveOutcome status = SolveOutcome::kUnknown;
  // Objective of `assignment` (penalties are never included); +inf when no
  // feasible assignment is known.
  double objective = std::numeric_limits<double>::infinity();
  // Valid lower bound on the optimum; -inf when none was computed.
  double bound = -std::numeric_limits<double>::infinity();
  // How the bound was obtained, e.g. "lp", "lagrangian (capacity relaxed)",
  // "cbc branch-and-bound", "linear part only"; empty when none.
  std::string bound_method;
  // Relative gap (objective - bound) / max(|objective|, 1e-9); +inf if
  // either is unknown.
  double gap = std::numeric_limits<double>::infinity();
  // Bin of each item; empty when status is kInfeasible or kUnknown.
  std::vector<int> assignment;
  CostBreakdown cost;
  // Load per bin per dimension [b·D + d] of `assignment`.
  std::vector<double> bin_load;
  // When kInfeasible (or kUnknown after a failed search): which constraint
  // set is responsible, e.g. "dimension 0 short by 12: demand 112 > capacity
  // 100 over the allowed bins of group web".
  std::string infeasibility;
  // Constraints that are tight at the solution (e.g. "capacity bin 3 dim 0:
  // 98/100"), at most a few dozen, most binding first.
  std::vector<std::string> binding_constraints;
  // Name of the solver that produced the assignment ("heuristic", "mip").
  std::string solver;
  // Work done: local-search iterations or branch-and-bound nodes.
  int64_t iterations = 0;
  // Wall time of the solve in seconds.
  double seconds = 0;
  // Seconds after the start at which the best assignment was found.
  double seconds_to_best = 0;
};

// A placement solver. Implementations are stateless between calls or reset
// their state at each Solve(); one instance must not be used by two threads
// at once. Different instances are independent.
class Solver {
 public:
  Solver() = default;
  Solver(const Solver&) = delete;
  Solver& operator=(const Solver&) = delete;
  virtual ~Solver() = default;

  // The registry name of this solver.
  virtual std::string_view Name() const = 0;

  // Solves `problem` (validated first). Returns the Solution (which may say
  // kInfeasible or kUnknown), or InvalidArgument for an invalid problem or
  // options, Internal if the underlying engine failed. Leaves `problem`
  // unchanged.
  virtual Result<Solution> Solve(const Problem& problem,
                                 const SolveOptions& options) = 0;
};

using SolverFactory = std::function<std::unique_ptr<Solver>()>;

// Name → factory. Thread-safe for concurrent Create() once registration is
// done; Register() must not race with other calls.
class SolverRegistry {
 public:
  // Adds a factory. Returns InvalidArgument if `name` is empty or already
  // registered (the registry is unchanged then).
  Status Register(std::string name, SolverFactory factory);
  // Creates a new solver owned by the caller, or NotFound listing the known
  // names.
  Result<std::unique_ptr<Solver>> Create(std::string_view name) const;
  // Registered names in sorted order.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, SolverFactory, std::less<>> factories_;
};

// The registry with the built-in solvers "heuristic", "mip" and "choose".
// Built on first use; the returned reference lives for the program.
const SolverRegistry& DefaultSolverRegistry();

// Convenience: DefaultSolverRegistry().Create(solver_name) then Solve().
Result<Solution> Solve(const Problem& problem, const SolveOptions& options,
                       std::string_view solver_name = "choose");

// Explains why `problem` (valid) cannot be feasible using cheap necessary
// conditions: an item with no allowed bin, an item too big for every allowed
// bin, total demand over total capacity per dimension (per group allow-set
// as well), spread constraints that ask for more bins/domains than allowed.
// Returns the empty string when no such reason is found (which does not
// prove feasibility).
std::string ExplainInfeasibility(const Problem& problem);

}  // namespace ecotone::placement

#endif  // ECOTONE_PLACEMENT_SOLVER_H_
