// The "heuristic" solver: Engine (construction + iterated local search with
// strategic oscillation) plus a Lagrangian lower bound, and the "choose"
// solver that runs the exact model when the instance is small.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>

#include "internal.h"
#include "solvers/heuristic/engine.h"
#include "solvers/heuristic/gap_tabu.h"
#include "solvers/heuristic/tabu.h"
#include "solvers/mip/mip.h"

namespace ecotone::placement::internal {
namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

bool Closed(double objective, double bound) {
  return std::isfinite(bound) &&
         objective - bound <= 1e-6 * std::max(1.0, std::abs(objective));
}

Result<Solution> RunHeuristic(const Problem& p, const SolveOptions& opt) {
  ECOTONE_RETURN_IF_ERROR(Validate(p));
  if (!(opt.time_limit_s > 0)) {
    return Status::InvalidArgument("time limit must be > 0");
  }
  auto t0 = std::chrono::steady_clock::now();
  Solution s;
  s.solver = "heuristic";
  std::string why = ExplainInfeasibility(p);
  if (!why.empty()) {
    s.status = SolveOutcome::kInfeasible;
    s.infeasibility = why;
    s.seconds = Since(t0);
    return s;
  }
  Allowed allowed(p);
  Bound bound{-std::numeric_limits<double>::infinity(), ""};
  const double bound_time = std::min(1.0, 0.05 * opt.time_limit_s);
  if (opt.compute_bound) {
    bound = LagrangianBound(p, allowed, std::numeric_limits<double>::infinity(),
                            400, bound_time);
  }
  SolveOptions eo = opt;
  eo.time_limit_s = std::max(0.01, opt.time_limit_s - Since(t0) - bound_time);
  // Pure GAP shape (one dimension, linear costs, no spread or distance
  // constraints): the specialised tabu search; otherwise the generic one.
  const bool gap_fast = GapTabu::Applicable(p);
  const bool tabu = gap_fast || TabuSearch::Applicable(p);
  if (tabu) {
    if (p.HasPairwise()) {
      // Pairwise terms (GQAP): the engine's iterated local search moves
      // whole clusters through its kicks, which a single-move tabu search
      // does not; it gets 70 % of the budget, the tabu search (which finds
      // feasible assignments of the tightest instances) continues from its
      // best assignment.
      eo.time_limit_s *= 0.7;
      eo.max_iterations = opt.max_iterations * 7 / 10;
    } else {
      // The engine only constructs and descends once; the tabu search gets
      // the rest of the budget.
      eo.max_iterations = 3 * static_cast<int64_t>(p.num_items);
      if (opt.max_iterations > 0) {
        eo.max_iterations = std::min(eo.max_iterations, opt.max_iterations);
      }
    }
  }
  Engine engine(p, allowed, eo);
  if (std::isfinite(bound.value)) engine.set_target(bound.value);
  const double engine_start = Since(t0);
  engine.Run();
  s.iterations = engine.iterations();
  s.seconds_to_best = engine_start + engine.seconds_to_best();
  std::vector<int> found =
      engine.found_feasible() ? engine.best() : std::vector<int>{};
  std::vector<int> last = engine.current();
  if (tabu &&
      !(engine.found_feasible() && std::isfinite(bound.value) &&
        Closed(engine.best_cost(), bound.value)) &&
      (opt.max_iterations <= 0 || s.iterations < opt.max_iterations)) {
    const double left =
        std::max(0.01, opt.time_limit_s - Since(t0) - bound_time);
    int64_t budget = 0;
    if (opt.max_iterations > 0) budget = opt.max_iterations - s.iterations;
    auto run = [&](auto& ts) {
      const double tabu_start = Since(t0);
      ts.Run(engine.found_feasible() ? engine.best() : engine.current());
      s.iterations += ts.iterations();
      if (ts.found_feasible() &&
          (found.empty() || ts.best_cost() < engine.best_cost())) {
        found = ts.best();
        s.seconds_to_best = tabu_start + ts.seconds_to_best();
      }
      last = ts.current();
    };
    if (gap_fast) {
      // The first bound pass had no upper bound to aim its steps at; with
      // the engine's cost it gets close to the LP bound, and its
      // multipliers order the candidate agents and set the first penalty
      // weights of the search.
      if (opt.compute_bound && engine.found_feasible()) {
        Bound again =
            LagrangianBound(p, allowed, engine.best_cost(), 400, bound_time);
        if (again.value > bound.value) bound = again;
      }
      GapTabu ts(p, allowed, opt.seed,
                 std::max(0.01, opt.time_limit_s - Since(t0) - bound_time),
                 budget);
      if (std::isfinite(bound.value)) ts.set_target(bound.value);
      if (!bound.multipliers.empty()) {
        ts.set_lagrangian(bound.multipliers);
      }
      run(ts);
    } else {
      TabuSearch ts(p, allowed, opt.seed, left, budget);
      if (std::isfinite(bound.value)) ts.set_target(bound.value);
      run(ts);
    }
  }
  if (found.empty()) {
    s.status = SolveOutcome::kUnknown;
    s.bound = bound.value;
    s.bound_method = bound.method;
    Result<Evaluation> ev = Evaluate(p, last);
    s.infeasibility = "no feasible assignment found within the budget";
    if (ev.ok() && !ev->violations.empty()) {
      s.infeasibility += "; the last assignment violates: " + ev->violations[0];
      if (ev->violations.size() > 1) {
        s.infeasibility +=
            " (and " + std::to_string(ev->violations.size() - 1) + " more)";
      }
    }
    s.seconds = Since(t0);
    return s;
  }
  s.assignment = found;
  s.bound = bound.value;
  s.bound_method = bound.method;
  FillDetails(p, &s);
  if (opt.compute_bound && !Closed(s.objective, s.bound)) {
    // A second pass with the known upper bound steers the subgradient steps.
    Bound again = LagrangianBound(p, allowed, s.objective, 400, bound_time);
    if (again.value > s.bound) {
      s.bound = again.value;
      s.bound_method = again.method;
    }
  }
  s.gap = RelativeGap(s.objective, s.bound);
  s.status = Closed(s.objective, s.bound) ? SolveOutcome::kOptimal
                                          : SolveOutcome::kFeasible;
  if (s.status == SolveOutcome::kOptimal) s.gap = 0;
  s.seconds = Since(t0);
  return s;
}

class HeuristicSolver : public Solver {
 public:
  std::string_view Name() const override { return "heuristic"; }
  Result<Solution> Solve(const Problem& p, const SolveOptions& opt) override {
    return RunHeuristic(p, opt);
  }
};

// Small enough for CBC to prove optimality quickly: few assignment columns
// and few linearised pairwise columns.
bool SmallForMip(const Problem& p) {
  int64_t xs = static_cast<int64_t>(p.num_items) * p.num_bins;
  if (xs > 4000) return false;
  if (!p.HasPairwise()) return true;
  int64_t pairs = static_cast<int64_t>(p.pair_weight.col.size()) / 2;
  return pairs * p.num_bins * p.num_bins <= 20000;
}

class ChooseSolver : public Solver {
 public:
  std::string_view Name() const override { return "choose"; }

  Result<Solution> Solve(const Problem& p, const SolveOptions& opt) override {
    ECOTONE_RETURN_IF_ERROR(Validate(p));
    auto t0 = std::chrono::steady_clock::now();
    if (!SmallForMip(p)) {
      ECOTONE_ASSIGN_OR_RETURN(Solution s, RunHeuristic(p, opt));
      s.solver = "choose/heuristic";
      return s;
    }
    // Heuristic first (a quarter of the budget) for a warm start, then CBC.
    SolveOptions ho = opt;
    ho.time_limit_s = opt.time_limit_s * 0.25;
    ECOTONE_ASSIGN_OR_RETURN(Solution h, RunHeuristic(p, ho));
    if (h.status == SolveOutcome::kInfeasible ||
        h.status == SolveOutcome::kOptimal) {
      h.solver = "choose/heuristic";
      h.seconds = Since(t0);
      return h;
    }
    SolveOptions mo = opt;
    mo.time_limit_s = std::max(0.05, opt.time_limit_s - Since(t0));
    if (!h.assignment.empty()) mo.initial = h.assignment;
    Result<MipOutcome> mip = SolveMip(p, mo, false);
    if (!mip.ok()) {
      h.solver = "choose/heuristic";
      h.seconds = Since(t0);
      return h;
    }
    Solution s;
    if (!mip->assignment.empty()) {
      s.assignment = mip->assignment;
      s.solver = "choose/mip";
      FillDetails(p, &s);
      if (!h.assignment.empty() && h.objective < s.objective) {
        s = h;
        s.solver = "choose/heuristic";
      }
    } else if (mip->proven_infeasible) {
      s.status = SolveOutcome::kInfeasible;
      s.infeasibility = "CBC proved the constraints cannot all be met";
      s.solver = "choose/mip";
      s.seconds = Since(t0);
      return s;
    } else {
      s = h;
      s.solver = "choose/heuristic";
    }
    if (std::isfinite(mip->bound) &&
        (!std::isfinite(s.bound) || mip->bound > s.bound)) {
      s.bound = mip->bound;
      s.bound_method = "cbc branch-and-bound";
    }
    if (h.bound > s.bound) {
      s.bound = h.bound;
      s.bound_method = h.bound_method;
    }
    s.iterations = h.iterations + mip->nodes;
    if (s.assignment.empty()) {
      s.status = SolveOutcome::kUnknown;
    } else {
      s.gap = RelativeGap(s.objective, s.bound);
      s.status = (mip->proven_optimal || Closed(s.objective, s.bound))
                     ? SolveOutcome::kOptimal
                     : SolveOutcome::kFeasible;
      if (s.status == SolveOutcome::kOptimal) {
        s.gap = 0;
        s.bound = std::max(s.bound, std::min(s.objective, s.bound));
      }
    }
    s.seconds = Since(t0);
    return s;
  }
};

}  // namespace

std::unique_ptr<Solver> NewHeuristicSolver() {
  return std::make_unique<HeuristicSolver>();
}
std::unique_ptr<Solver> NewChooseSolver() {
  return std::make_unique<ChooseSolver>();
}

}  // namespace ecotone::placement::internal
