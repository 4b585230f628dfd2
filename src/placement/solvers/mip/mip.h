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
};

// Builds the model of `problem` (valid) and solves it with CBC under
// options.time_limit_s (wall clock from the call, model building included;
// every simplex, the root LP too, is stopped at the limit), using
// options.initial as MIP start when complete. With relax_only, solves the LP
// relaxation and returns only its value as `bound` (-inf if not solved to
// optimality in time). Returns FailedPrecondition when the linearised model
// would be too large (options.extra["mip.max_pairwise_vars"]), Internal if CBC
// abandons.
Result<MipOutcome> SolveMip(const Problem& problem, const SolveOptions& options,
                            bool relax_only);

}  // namespace ecotone::placement::internal

#endif  // ECOTONE_PLACEMENT_SOLVERS_MIP_MIP_H_
