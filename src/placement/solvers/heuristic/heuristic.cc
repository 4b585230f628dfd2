// The "heuristic" solver: Engine (construction + iterated local search with
// strategic oscillation) plus a Lagrangian lower bound, and the "choose"
// solver that runs the exact model when the instance is small.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
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

// The least integer at or above a lower bound of an integral-cost problem
// (a relative tolerance of 1e-6 keeps rounding noise from adding a unit).
double IntegralBound(double bound) {
  return std::ceil(bound - 1e-6 * std::max(1.0, std::abs(bound)));
}

// The assignment CBC returned as a solution carrying the incumbent's bound;
// nullopt when it breaks a constraint.
std::optional<Solution> MipCandidate(const Problem& p,
                                     const std::vector<int>& assignment,
                                     const Solution& incumbent) {
  if (assignment.empty()) return std::nullopt;
  Solution s;
  s.assignment = assignment;
  s.bound = incumbent.bound;
  s.bound_method = incumbent.bound_method;
  if (!FillDetails(p, &s).empty()) return std::nullopt;
  return s;
}

// Makes `s` (from CBC) the incumbent, found at `seconds`.
void AdoptMipSolution(Solution s, double seconds, Solution* best) {
  s.solver = "choose/mip";
  s.iterations = best->iterations;
  s.seconds_to_best = seconds;
  *best = std::move(s);
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
      ts.set_exchange_items(static_cast<int>(ExtraNumber(
          opt, "heuristic.exchange_items", GapTabu::kDefaultExchangeItems)));
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

// Share of the budget the choose solver gives the heuristic before the
// exact step (reduced-cost fixing + CBC), and the largest reduced model
// (x columns) handed to CBC; see docs/solvers.md for the measurements.
constexpr double kHeuristicShare = 0.1;
constexpr int64_t kDefaultMaxFreeColumns = 400;
// Share of the remaining time and most subgradient steps of the knapsack
// Lagrangian bound.
constexpr double kKnapsackShare = 0.3;
// Above MaxFree items (CBC never gets a reduced model), the bounds and the
// pattern search of target fixing still run up to this many (item, bin)
// pairs, with the knapsack ascent limited to kLargeKnapsackShare of the
// time limit.
constexpr double kMaxPatternPairs = 20000;
constexpr double kLargeKnapsackShare = 0.1;
// Target fixing's pattern search first covers with at most this many
// patterns of least excess when there are more (SearchByPatterns).
constexpr double kQuickPatterns = 50000;
constexpr int kKnapsackIterations = 3000;
// The re-split search (ChooseSolver::PatternLns): bins re-split at first,
// searches without an improvement before it stops, pattern limit and
// seconds per search.
constexpr double kLnsBins = 4;
constexpr double kLnsStale = 15;
constexpr double kLnsPatterns = 20000;
constexpr double kLnsSeconds = 0.3;

// Small enough for CBC to prove optimality quickly: few assignment columns
// and few linearised pairwise columns.
bool SmallForMip(const Problem& p) {
  int64_t xs = static_cast<int64_t>(p.num_items) * p.num_bins;
  if (xs > 4000) return false;
  if (!p.HasPairwise()) return true;
  int64_t pairs = static_cast<int64_t>(p.pair_weight.col.size()) / 2;
  return pairs * p.num_bins * p.num_bins <= 20000;
}

// Linear costs (no pairwise term), integral on every allowed pair, and a
// model small enough to build and solve as an LP: reduced-cost fixing can
// prove optimality (fixing is relative to upper − 1).
bool FixingApplies(const Problem& p) {
  if (p.HasPairwise()) return false;
  if (static_cast<int64_t>(p.num_items) * p.num_bins > 200000) return false;
  Allowed allowed(p);
  for (int i = 0; i < p.num_items; ++i) {
    for (int b : allowed.Bins(i)) {
      double c = p.LinearCost(i, b) + p.MigrationCost(i, b);
      if (c != std::floor(c) || std::abs(c) > 1e12) return false;
    }
  }
  return true;
}

// The largest reduced model (x columns) choose hands to CBC.
int64_t MaxFree(const SolveOptions& opt) {
  return static_cast<int64_t>(
      ExtraNumber(opt, "choose.max_free_columns", kDefaultMaxFreeColumns));
}

class ChooseSolver : public Solver {
 public:
  std::string_view Name() const override { return "choose"; }

  Result<Solution> Solve(const Problem& p, const SolveOptions& opt) override {
    ECOTONE_RETURN_IF_ERROR(Validate(p));
    if (!(opt.time_limit_s > 0)) {
      return Status::InvalidArgument("time limit must be > 0");
    }
    // The reduced model holds at least one column per item: with as many
    // items as CBC may get columns, the fixing can never hand CBC a model
    // with anything left to decide (only an incumbent at the bound would
    // be a proof), and the time its bounds take (2-4 s of 10 on 80 x 1600)
    // is better spent by the heuristic, which reports its own bound. Up to
    // choose.max_pattern_pairs pairs the bounds are cheap enough, and the
    // pattern search of target fixing needs no CBC model.
    if (opt.compute_bound && FixingApplies(p)) {
      if (p.num_items < MaxFree(opt) ||
          static_cast<int64_t>(p.num_items) * p.num_bins <=
              static_cast<int64_t>(ExtraNumber(opt, "choose.max_pattern_pairs",
                                               kMaxPatternPairs)))
        return SolveByFixing(p, opt);
      // Not CBC on the whole model either (10 x 400 is "small" by
      // SmallForMip, but CBC finished none of its reduced models).
      ECOTONE_ASSIGN_OR_RETURN(Solution s, RunHeuristic(p, opt));
      s.solver = "choose/heuristic";
      return s;
    }
    return SolveSmallOrHeuristic(p, opt);
  }

 private:
  // Heuristic for part of the budget, then reduced-cost fixing against its
  // cost (LP and knapsack-Lagrangian bounds) and CBC on the reduced model
  // when it is small: a complete CBC search (not cut by the deadline) proves
  // optimality; a better assignment it finds replaces the incumbent. When
  // the reduced model is too big, the heuristic continues and the fixing
  // is tried again. See docs/solvers.md, "choose".
  Result<Solution> SolveByFixing(const Problem& p, const SolveOptions& opt) {
    auto t0 = std::chrono::steady_clock::now();
    SolveOptions ho = opt;
    ho.time_limit_s =
        opt.time_limit_s *
        std::clamp(ExtraNumber(opt, "choose.heuristic_share", kHeuristicShare),
                   0.01, 1.0);
    ECOTONE_ASSIGN_OR_RETURN(Solution best, RunHeuristic(p, ho));
    best.solver = "choose/heuristic";
    if (best.status == SolveOutcome::kInfeasible ||
        best.status == SolveOutcome::kOptimal) {
      best.seconds = Since(t0);
      return best;
    }
    auto left = [&] { return opt.time_limit_s - Since(t0); };
    if (best.assignment.empty()) {
      // No incumbent to fix against: the exact model when small.
      SolveOptions rest = opt;
      rest.time_limit_s = std::max(0.05, left());
      return SolveSmallOrHeuristic(p, rest);
    }
    Result<FixingBounds> rc = LpFixingBounds(p, std::max(0.01, left()));
    if (!rc.ok() || !rc->solved) {
      best.seconds = Since(t0);
      return best;
    }
    std::string bound_name = "lp (clp duals)";
    std::vector<double> multipliers;  // of the knapsack bound
    {
      Result<FixingBounds> kb = KnapsackFixingBounds(
          p, rc->item_duals, best.objective,
          std::max(0.01, p.num_items < MaxFree(opt)
                             ? left() * kKnapsackShare
                             : opt.time_limit_s * kLargeKnapsackShare),
          kKnapsackIterations);
      if (kb.ok() && kb->solved) {
        multipliers = kb->multipliers;
        if (kb->bound > rc->bound)
          bound_name = "lagrangian (assignment relaxed, knapsacks)";
        MergeFixingBounds(*kb, &*rc);
      }
    }
    const double lp_bound = IntegralBound(rc->bound);
    if (lp_bound > best.bound) {
      best.bound = lp_bound;
      best.bound_method = bound_name;
    }
    const int64_t max_free = MaxFree(opt);
    // Fixing against any incumbent U > lp_bound keeps at least the pairs
    // that assignments costing lp_bound can use: when those alone are too
    // many for CBC, no better incumbent can make the reduced model small
    // enough, and the heuristic keeps all the time left in one run (each
    // new run restarts its search) instead of handing back half of it.
    const bool fixing_can_close =
        FixByReducedCost(p, *rc, lp_bound + 1).kept <= max_free;
    bool proven = false;
    std::string how;
    uint64_t rounds = 0;
    const std::string none_better_how =
        bound_name + ": no assignment below the incumbent";
    // Target fixing before the loop (unless the bound already proves the
    // incumbent), with at most half of the time left, also when the
    // incumbent's model is small (CBC may not finish that one): CBC on the
    // pairs of the assignments costing at most a target T, from T = the
    // bound up. Complete, it either finds the optimum (cost <= T: every
    // cheaper assignment is in the reduced model) or proves the bound
    // T + 1; the reduced model's optimum is a good assignment either way.
    if ((fixing_can_close || !multipliers.empty()) && opt.max_iterations <= 0 &&
        left() > 0.05 && ExtraNumber(opt, "choose.target_steps", 1) != 0) {
      if (FixByReducedCost(p, *rc, best.objective).none_better) {
        proven = true;
        how = none_better_how;
      } else {
        CoreSteps(p, opt, *rc, multipliers, bound_name, t0,
                  Since(t0) + 0.5 * left(), max_free, &best, &proven, &how);
      }
    }
    bool resplit_done = false;
    while (!proven && left() > 0.05) {
      const double upper = best.objective;
      Fixing fx = FixByReducedCost(p, *rc, upper);
      if (fx.none_better) {
        proven = true;
        how = none_better_how;
        break;
      }
      if (fx.kept > max_free && !resplit_done && !multipliers.empty() &&
          opt.max_iterations <= 0) {
        // Too big for CBC: first the re-split search (PatternLns), until it
        // stalls (or for choose.lns_share of the time left).
        resplit_done = true;
        const double share = ExtraNumber(opt, "choose.lns_share", 1.0);
        if (share > 0 && left() > 0.1) {
          if (PatternLns(p, opt, *rc, multipliers, t0,
                         Since(t0) + share * left(), &best)) {
            proven = true;
            how = bound_name +
                  ", re-split of every bin by pattern search: "
                  "optimal";
            break;
          }
          continue;
        }
      }
      if (fx.kept > max_free) {
        // Too big for CBC to finish: the heuristic continues from the
        // incumbent (half of the time left, all of it when little is
        // left), and the fixing is tried again against its result.
        SolveOptions more = opt;
        more.time_limit_s =
            left() < 2.0 || !fixing_can_close ? left() : 0.5 * left();
        more.initial = best.assignment;
        more.seed = opt.seed + (++rounds);
        if (more.max_iterations > 0)
          more.max_iterations = opt.max_iterations / 2;
        Result<Solution> h = RunHeuristic(p, more);
        bool improved = false;
        if (h.ok() && !h->assignment.empty() && h->objective < best.objective) {
          const double seconds_to_best =
              Since(t0) - h->seconds + h->seconds_to_best;
          double bound = best.bound;
          std::string method = best.bound_method;
          if (h->bound > bound) {
            bound = h->bound;
            method = h->bound_method;
          }
          int64_t iterations = best.iterations + h->iterations;
          best = std::move(*h);
          best.bound = bound;
          best.bound_method = method;
          best.iterations = iterations;
          best.seconds_to_best = seconds_to_best;
          best.solver = "choose/heuristic";
          improved = true;
        } else if (h.ok()) {
          best.iterations += h->iterations;
        }
        if (Closed(best.objective, best.bound)) {
          proven = true;  // the heuristic's own bound met it
          how = best.bound_method;
          break;
        }
        // Under an iteration budget the rounds end when one does not
        // improve (at most 4), so the run does not depend on the clock.
        if (opt.max_iterations > 0 && (!improved || rounds >= 4)) break;
        continue;
      }
      std::vector<uint8_t> keep = fx.keep;
      int64_t columns = fx.kept;
      // The incumbent's pairs too: CBC starts from it (its improvement
      // heuristics need a solution, and it prunes by its cost).
      for (int i = 0; i < p.num_items; ++i) {
        uint8_t& k =
            keep[static_cast<size_t>(i) * p.num_bins + best.assignment[i]];
        if (!k) {
          k = 1;
          ++columns;
        }
      }
      SolveOptions mo = opt;
      mo.time_limit_s = left();
      mo.initial = best.assignment;
      MipRestriction restriction;
      restriction.keep = &keep;
      Result<MipOutcome> mip = SolveMip(p, mo, false, restriction);
      if (!mip.ok()) break;
      best.iterations += mip->nodes;
      bool improved = false;
      std::optional<Solution> s = MipCandidate(p, mip->assignment, best);
      if (s && s->objective <= upper - 1 + 1e-9) {  // integral
        AdoptMipSolution(std::move(*s), Since(t0), &best);
        improved = true;
      }
      // A complete search of the reduced model (not cut by a deadline) is a
      // proof: it holds every assignment cheaper than `upper` and the
      // incumbent, so its optimum is the optimum.
      if (mip->stopped_by_deadline) break;
      if (mip->proven_optimal) {
        proven = true;
        how = bound_name + ", reduced-cost fixing (" + std::to_string(fx.kept) +
              " of " + std::to_string(rc->columns) +
              " columns kept) + cbc: optimal";
      } else if (!improved) {
        break;  // time limit without an answer
      }
    }
    if (proven) {
      best.status = SolveOutcome::kOptimal;
      best.bound = best.objective;
      best.bound_method = how;
      best.gap = 0;
    } else {
      best.gap = RelativeGap(best.objective, best.bound);
      best.status = Closed(best.objective, best.bound)
                        ? SolveOutcome::kOptimal
                        : SolveOutcome::kFeasible;
      if (best.status == SolveOutcome::kOptimal) best.gap = 0;
    }
    best.seconds = Since(t0);
    return best;
  }

  // Target fixing (see SolveByFixing): for T = ⌈bound⌉, ⌈bound⌉ + 1, ...
  // the pattern search (SearchByPatterns, at the knapsack multipliers) over
  // the pairs usable by assignments costing at most T; if it gives up and
  // those pairs are at most choose.max_target_columns (default max_free),
  // CBC solves that reduced model (no MIP start); all until end_s (seconds
  // since t0). A complete search that finds an assignment
  // costing at most T proves it optimal; one that finds none at or below
  // T proves the bound T + 1. Any assignment it finds cheaper than the
  // incumbent replaces it. Stops at the first incomplete search.
  static void CoreSteps(const Problem& p, const SolveOptions& opt,
                        const FixingBounds& rc,
                        const std::vector<double>& multipliers,
                        const std::string& bound_name,
                        std::chrono::steady_clock::time_point t0, double end_s,
                        int64_t max_free, Solution* best, bool* proven,
                        std::string* how) {
    double target = std::max(best->bound, IntegralBound(rc.bound));
    while (target < best->objective && Since(t0) < end_s - 0.05) {
      Fixing tf = FixByReducedCost(p, rc, target + 1);
      const bool cbc_can_follow =
          tf.kept <= static_cast<int64_t>(ExtraNumber(
                         opt, "choose.max_target_columns", max_free));
      PatternOutcome po;
      if (!tf.none_better && !multipliers.empty()) {
        // When CBC on the compact model can take over (it found the
        // optimum of yagiura2004 e10100 that the cover search, given all of
        // the time, did not), the search gets half of the time left and is
        // dancing links alone (choose.core_dlx_share of each cover, 1):
        // CBC gets its turn on the compact model, and on chu1997 c10200 at
        // T = 2806 (10,000 patterns) dancing links settles the cover in
        // 1.0-1.3 s whatever the multipliers, where CBC's set partitioning
        // after 0.25 s of it found the cover in some runs only. Otherwise
        // the search gets all of the time left, and CBC's set partitioning
        // most of each cover (dancing links at most 0.25 s): yagiura2004
        // c40400 at T = 4244 (4,380 patterns) needs CBC for ~3 s.
        const double left_s = std::max(0.01, end_s - Since(t0));
        po = SearchByPatterns(
            p, multipliers, tf.keep, target, 200000,
            cbc_can_follow
                ? ExtraNumber(opt, "choose.core_pattern_share", 0.5) * left_s
                : left_s,
            static_cast<int64_t>(
                ExtraNumber(opt, "choose.quick_patterns", kQuickPatterns)),
            /*dlx_first=*/true,
            cbc_can_follow ? ExtraNumber(opt, "choose.core_dlx_share", 1.0)
                           : 0.0);
        std::optional<Solution> s = MipCandidate(p, po.assignment, *best);
        if (s && s->objective < best->objective)
          AdoptMipSolution(std::move(*s), Since(t0), best);
        // With the bound at target already, an assignment costing target
        // (from a search cut short too) is optimal.
        if ((po.kind == PatternOutcome::kFound &&
             best->objective <= po.cost + 1e-9) ||
            (!po.assignment.empty() && Closed(best->objective, best->bound))) {
          *proven = true;
          *how = bound_name + ", target fixing (" + std::to_string(tf.kept) +
                 " of " + std::to_string(rc.columns) +
                 " columns kept at cost <= " +
                 std::to_string(static_cast<int64_t>(target)) +
                 ") + pattern search: optimal";
          return;
        }
      }
      if (!tf.none_better && po.kind == PatternOutcome::kGaveUp) {
        if (!cbc_can_follow) return;
        SolveOptions mo = opt;
        mo.time_limit_s = end_s - Since(t0);
        mo.initial.clear();
        MipRestriction restriction;
        restriction.keep = &tf.keep;
        Result<MipOutcome> mip = SolveMip(p, mo, false, restriction);
        if (!mip.ok()) return;
        best->iterations += mip->nodes;
        double found = std::numeric_limits<double>::infinity();
        std::optional<Solution> s = MipCandidate(p, mip->assignment, *best);
        if (s) {
          found = s->objective;
          if (s->objective < best->objective)
            AdoptMipSolution(std::move(*s), Since(t0), best);
        }
        const bool complete = !mip->stopped_by_deadline &&
                              (mip->proven_optimal || mip->proven_infeasible);
        if (!complete) return;
        if (found <= target + 1e-9) {
          *proven = true;
          *how = bound_name + ", target fixing (" + std::to_string(tf.kept) +
                 " of " + std::to_string(rc.columns) +
                 " columns kept at cost <= " +
                 std::to_string(static_cast<int64_t>(target)) +
                 ") + cbc: optimal";
          return;
        }
      }
      // No assignment costs target or less.
      if (target + 1 > best->bound) {
        best->bound = target + 1;
        best->bound_method = bound_name + ", target fixing + cbc";
      }
      if (Closed(best->objective, best->bound)) {
        *proven = true;
        *how = best->bound_method;
        return;
      }
      target += 1;
    }
  }

  // Re-split search (a large-neighbourhood search by patterns): the items
  // of k bins are re-split among those k bins exactly (ResplitKeep +
  // SearchByPatterns at a target one below the incumbent, every other item
  // held on its bin). The bins are a random first one, then bins the
  // chosen bins' items may move to (by the pairs reduced-cost fixing keeps
  // against the incumbent), drawn in proportion to how many may. k starts
  // at choose.lns_bins (4) and grows after a complete search, shrinks (to
  // 3) after one that gave up with nothing. Stops at end_s, after
  // choose.lns_stale (15) searches without an improvement, or when
  // searches of 3 bins gave up twice (the budget the incumbent leaves
  // holds too many patterns: type d). Returns true when a complete search
  // re-split every bin: then nothing is cheaper than the incumbent.
  static bool PatternLns(const Problem& p, const SolveOptions& opt,
                         const FixingBounds& rc,
                         const std::vector<double>& multipliers,
                         std::chrono::steady_clock::time_point t0, double end_s,
                         Solution* best) {
    const int n = p.num_items, m = p.num_bins;
    if (m < 3) return false;  // the heuristic's re-splits cover 2 bins
    Rng rng(opt.seed * 7919 + 17);
    int k = std::clamp(
        static_cast<int>(ExtraNumber(opt, "choose.lns_bins", kLnsBins)), 3, m);
    const int max_stale =
        static_cast<int>(ExtraNumber(opt, "choose.lns_stale", kLnsStale));
    const auto max_patterns = static_cast<int64_t>(
        ExtraNumber(opt, "choose.lns_patterns", kLnsPatterns));
    Fixing fx = FixByReducedCost(p, rc, best->objective);
    std::vector<uint8_t> in_k(static_cast<size_t>(m));
    std::vector<double> score(static_cast<size_t>(m));
    std::vector<int> bins;
    int stale = 0, small_gave_up = 0;
    while (Since(t0) < end_s - 0.02 && !fx.none_better) {
      std::fill(in_k.begin(), in_k.end(), 0);
      bins.assign(1, static_cast<int>(rng.Below(static_cast<uint64_t>(m))));
      in_k[static_cast<size_t>(bins[0])] = 1;
      while (static_cast<int>(bins.size()) < k) {
        std::fill(score.begin(), score.end(), 0.0);
        double total = 0;
        for (int i = 0; i < n; ++i) {
          if (!in_k[static_cast<size_t>(best->assignment[i])]) continue;
          const uint8_t* row = fx.keep.data() + static_cast<size_t>(i) * m;
          for (int b = 0; b < m; ++b) {
            if (in_k[static_cast<size_t>(b)] || !row[b]) continue;
            score[static_cast<size_t>(b)] += 1;
            total += 1;
          }
        }
        int pick = -1;
        if (total > 0) {
          double r = rng.Uniform() * total;
          for (int b = 0; b < m && r >= 0; ++b) {
            if (score[static_cast<size_t>(b)] <= 0) continue;
            pick = b;
            r -= score[static_cast<size_t>(b)];
          }
        } else {
          do {
            pick = static_cast<int>(rng.Below(static_cast<uint64_t>(m)));
          } while (in_k[static_cast<size_t>(pick)]);
        }
        in_k[static_cast<size_t>(pick)] = 1;
        bins.push_back(pick);
      }
      const double seconds =
          std::max(0.01, std::min(kLnsSeconds, end_s - Since(t0)));
      PatternOutcome po = SearchByPatterns(
          p, multipliers, ResplitKeep(p, best->assignment, bins, fx.keep),
          best->objective - 1, max_patterns, seconds);
      std::optional<Solution> s = MipCandidate(p, po.assignment, *best);
      if (s && s->objective < best->objective - 0.5) {
        AdoptMipSolution(std::move(*s), Since(t0), best);
        best->solver = "choose/patterns";
        fx = FixByReducedCost(p, rc, best->objective);
        stale = 0;
        if (Closed(best->objective, best->bound)) return false;
      } else if (++stale >= max_stale) {
        break;
      }
      // Every bin re-split, searched completely: nothing cheaper exists
      // (its pairs held every assignment cheaper than the incumbent it
      // searched against, and a cover it found is the cheapest).
      if (static_cast<int>(bins.size()) == m &&
          po.kind != PatternOutcome::kGaveUp)
        return true;
      if (po.kind == PatternOutcome::kGaveUp && po.assignment.empty()) {
        if (k <= 3 && ++small_gave_up >= 2) break;
        k = std::max(3, k - 1);
      } else if (po.kind != PatternOutcome::kGaveUp) {
        k = std::min(m, k + 1);
      }
    }
    return false;
  }

  // Heuristic; on small instances (SmallForMip) a quarter of the budget,
  // then CBC on the whole model with the heuristic's assignment as MIP start.
  Result<Solution> SolveSmallOrHeuristic(const Problem& p,
                                         const SolveOptions& opt) {
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
      s.bound_method = mip->bound_is_root_lp ? "lp relaxation (root)"
                                             : "cbc branch-and-bound";
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
        s.bound = s.objective;  // proven: the bound is the optimum
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
