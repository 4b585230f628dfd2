// Reduced-cost fixing (solvers/mip/mip.h, knapsack_bound.cc) and the proof
// it gives the "choose" solver: counts on a hand-built instance, no cheaper
// assignment ever cut off (brute force on small random instances), and
// bounds and optimality claims checked against known optima.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ecotone/instances/instances.h"
#include "ecotone/placement/solver.h"
#include "solvers/mip/mip.h"

namespace ecotone::placement::internal {
namespace {

const std::string kData = std::string(ECOTONE_SHARED_DATA) + "/placement";

Problem GapProblem(int n, int m, std::vector<double> cost,
                   std::vector<double> demand, std::vector<double> capacity) {
  Problem p;
  p.num_items = n;
  p.num_bins = m;
  p.num_dims = 1;
  p.cost = std::move(cost);
  p.item_bin_demand = std::move(demand);
  p.bin_capacity = std::move(capacity);
  p.lambda = 0;
  return p;
}

// A random n × m GAP: costs 1..max_cost, weights 1..12, every capacity
// ⌊share · Σ weights / m²⌋ + slack (draws in a fixed order per seed).
Problem RandomGap(std::mt19937& rng, int n, int m, int max_cost, double share,
                  double slack) {
  std::uniform_int_distribution<int> cost(1, max_cost), weight(1, 12);
  std::vector<double> c(n * m), a(n * m), cap(m, 0);
  double total = 0;
  for (int k = 0; k < n * m; ++k) {
    c[k] = cost(rng);
    a[k] = weight(rng);
    total += a[k];
  }
  for (int b = 0; b < m; ++b)
    cap[b] = std::floor(share * total / m / m) + slack;
  return GapProblem(n, m, c, a, cap);
}

// Every feasible assignment of a small problem with its cost (enumerated).
std::vector<std::pair<double, std::vector<int>>> FeasibleAssignments(
    const Problem& p) {
  std::vector<std::pair<double, std::vector<int>>> feasible;
  const int n = p.num_items, m = p.num_bins;
  std::vector<int> x(n, 0);
  for (;;) {
    Result<Evaluation> ev = Evaluate(p, x);
    EXPECT_TRUE(ev.ok());
    if (ev.ok() && ev->feasible()) feasible.push_back({ev->cost.total(), x});
    int i = 0;
    while (i < n && ++x[i] == m) x[i++] = 0;
    if (i == n) break;
  }
  return feasible;
}

double Optimum(const std::vector<std::pair<double, std::vector<int>>>& all) {
  double opt = std::numeric_limits<double>::infinity();
  for (const auto& [value, assignment] : all) opt = std::min(opt, value);
  return opt;
}

// What a solution claims against the optimum: its objective never below
// it, its bound never above it, and "optimal" only at it.
void ExpectClaimsHold(const Solution& s, double opt, int trial) {
  EXPECT_GE(s.objective, opt - 1e-9) << "trial " << trial;
  EXPECT_LE(s.bound, opt + 1e-6) << "trial " << trial << " " << s.bound_method;
  if (s.status == SolveOutcome::kOptimal) {
    EXPECT_DOUBLE_EQ(s.objective, opt) << "trial " << trial;
  }
}

// Both bounds alone and merged (the merged one is what "choose" uses).
std::vector<FixingBounds> AllBounds(const Problem& p, double upper) {
  std::vector<FixingBounds> out;
  Result<FixingBounds> lp = LpFixingBounds(p, 10);
  EXPECT_TRUE(lp.ok() && lp->solved);
  Result<FixingBounds> kn =
      KnapsackFixingBounds(p, lp->item_duals, upper, 10, 3000);
  EXPECT_TRUE(kn.ok() && kn->solved);
  FixingBounds merged = *lp;
  MergeFixingBounds(*kn, &merged);
  out.push_back(*lp);
  out.push_back(*kn);
  out.push_back(merged);
  return out;
}

// Ample capacity: the LP puts every item on its cheapest bin (bound 7 =
// 1 + 2 + 4) and the reduced cost of (i, b) is c_ib − min_b c_ib.
TEST(ReducedCostFixing, HandBuiltCounts) {
  // item 0: bins cost 1, 5; item 1: 2, 3; item 2: 4, 4.
  Problem p = GapProblem(3, 2, {1, 5, 2, 3, 4, 4}, {1, 1, 1, 1, 1, 1}, {5, 5});
  for (const FixingBounds& fb : AllBounds(p, 9)) {
    EXPECT_NEAR(fb.bound, 7, 1e-9);
    // Incumbent 9: a better one costs <= 8, i.e. at most 1 above the bound:
    // only (0, 1) (+4) goes.
    Fixing f = FixByReducedCost(p, fb, 9);
    EXPECT_FALSE(f.none_better);
    EXPECT_EQ(f.fixed, 1);
    EXPECT_EQ(f.kept, 5);
    EXPECT_EQ(f.items_single, 1);
    EXPECT_EQ(f.keep, (std::vector<uint8_t>{1, 0, 1, 1, 1, 1}));
    // Incumbent 8: (1, 1) (+1) goes as well.
    f = FixByReducedCost(p, fb, 8);
    EXPECT_EQ(f.fixed, 2);
    EXPECT_EQ(f.items_single, 2);
    EXPECT_EQ(f.keep, (std::vector<uint8_t>{1, 0, 1, 0, 1, 1}));
    // Incumbent 7 = the bound: nothing cheaper exists.
    EXPECT_TRUE(FixByReducedCost(p, fb, 7).none_better);
  }
}

// The per-pair increases of one relaxation add up over the bins of an item:
// hand-made bounds (base 10) and the values the rule gives.
TEST(ReducedCostFixing, StrengthenByAssignmentAddsTheItemsOtherBins) {
  Problem p = GapProblem(3, 3, std::vector<double>(9, 1),
                         std::vector<double>(9, 1), {3, 3, 3});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  FixingBounds fb;
  fb.solved = true;
  fb.bound = 10;
  // item 0: off bin 0 costs 1; item 1: off bin 1 costs 2; item 2 sits in
  // two knapsacks: off either costs 1.
  fb.one = {10, 12, nan, 11, 10, 13, 10, 10, nan};
  fb.zero = {11, 10, nan, 10, 12, 10, 11, 11, nan};
  StrengthenByAssignment(p, &fb);
  // one += (sum of the item's "off" increases) − its own.
  EXPECT_EQ(fb.one[0], 10);
  EXPECT_EQ(fb.one[1], 13);
  EXPECT_TRUE(std::isnan(fb.one[2]));
  EXPECT_EQ(fb.one[3], 13);
  EXPECT_EQ(fb.one[4], 10);
  EXPECT_EQ(fb.one[5], 15);
  EXPECT_EQ(fb.one[6], 11);
  EXPECT_EQ(fb.one[7], 11);
  // zero >= the cheapest "one" among the item's other bins.
  EXPECT_EQ(fb.zero[0], 13);
  EXPECT_EQ(fb.zero[1], 10);
  EXPECT_TRUE(std::isnan(fb.zero[2]));
  EXPECT_EQ(fb.zero[3], 10);
  EXPECT_EQ(fb.zero[4], 13);
  EXPECT_EQ(fb.zero[5], 10);
  EXPECT_EQ(fb.zero[6], 11);
  EXPECT_EQ(fb.zero[7], 11);
  // Item 2 costs at least 11 wherever it goes: so does every assignment.
  EXPECT_EQ(fb.bound, 11);
}

// Random small instances, every assignment enumerated: whatever the
// incumbent above the optimum, no assignment cheaper than it loses a pair,
// and the bounds never exceed the optimum.
TEST(ReducedCostFixing, NeverCutsOffACheaperAssignment) {
  std::mt19937 rng(12345);
  int checked = 0, fixed_some = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 5 + trial % 4, m = 2 + trial % 3;
    Problem p = RandomGap(rng, n, m, 30, 0.8, 3);
    const auto feasible = FeasibleAssignments(p);
    if (feasible.empty()) continue;
    const double opt = Optimum(feasible);
    for (double upper : {opt + 1, opt + 3, opt + 10}) {
      for (const FixingBounds& fb : AllBounds(p, upper)) {
        EXPECT_LE(fb.bound, opt + 1e-6) << "trial " << trial;
        Fixing f = FixByReducedCost(p, fb, upper);
        EXPECT_FALSE(f.none_better) << "trial " << trial;
        if (f.fixed > 0) ++fixed_some;
        for (const auto& [value, assignment] : feasible) {
          if (value > upper - 1) continue;
          for (int i = 0; i < n; ++i) {
            EXPECT_TRUE(f.keep[static_cast<size_t>(i) * m + assignment[i]])
                << "trial " << trial << " upper " << upper << " item " << i;
          }
          ++checked;
        }
      }
    }
    // At the optimum itself the fixing may remove everything, never claim
    // less than the optimum.
    for (const FixingBounds& fb : AllBounds(p, opt)) {
      EXPECT_LE(fb.bound, opt + 1e-6);
    }
    // The solver: optimal only when it is, bound never above the optimum.
    SolveOptions o;
    o.time_limit_s = 2;
    o.max_iterations = 2000;
    Result<Solution> s = Solve(p, o, "choose");
    ASSERT_TRUE(s.ok());
    ASSERT_FALSE(s->assignment.empty());
    EXPECT_LE(s->bound, opt + 1e-6) << "trial " << trial;
    if (s->status == SolveOutcome::kOptimal) {
      EXPECT_DOUBLE_EQ(s->objective, opt) << "trial " << trial;
    }
  }
  EXPECT_GT(checked, 500);
  EXPECT_GT(fixed_some, 50);  // the test exercises fixing
}

// Known optima (OR-Library): the bound never exceeds the optimum and
// "optimal" is claimed only at it.
TEST(ReducedCostFixing, ChooseBoundsAndClaimsOnKnownOptima) {
  struct Case {
    const char* name;
    double optimum;
    double seconds;
  };
  for (const Case& c :
       {Case{"cattrysse1994/gap1-0", 261, 2},
        Case{"cattrysse1994/gap6-4", 521, 2},
        Case{"cattrysse1994/gap12-0", 974, 2}, Case{"chu1997/c05100", 1931, 6},
        Case{"chu1997/d05100", 6353, 3}}) {
    Result<Problem> p = instances::ReadGap(kData + "/gap/" + c.name);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    Result<FixingBounds> lp = LpFixingBounds(*p, 10);
    ASSERT_TRUE(lp.ok() && lp->solved);
    EXPECT_LE(lp->bound, c.optimum + 1e-6) << c.name;
    Result<FixingBounds> kn =
        KnapsackFixingBounds(*p, lp->item_duals, c.optimum + 1, 10, 3000);
    ASSERT_TRUE(kn.ok() && kn->solved);
    EXPECT_LE(kn->bound, c.optimum + 1e-6) << c.name;
    EXPECT_GE(kn->bound, lp->bound - 1e-6) << c.name;  // from the LP duals
    SolveOptions o;
    o.time_limit_s = c.seconds;
    Result<Solution> s = Solve(*p, o, "choose");
    ASSERT_TRUE(s.ok());
    EXPECT_LE(s->bound, c.optimum + 1e-6) << c.name;
    if (s->status == SolveOutcome::kOptimal) {
      EXPECT_EQ(s->objective, c.optimum) << c.name;
      EXPECT_EQ(s->gap, 0);
    }
  }
}

// With as many items as CBC may get columns (choose.max_free_columns), the
// fixing cannot reach CBC: choose leaves the bounds out and runs the
// heuristic alone (its Lagrangian bound) — unless the instance has at most
// choose.max_pattern_pairs (item, bin) pairs, for the pattern search of
// target fixing; with a larger column limit the same instance takes the
// fixing path (LP / knapsack bounds) either way.
TEST(ReducedCostFixing, ChooseSkipsTheFixingWhenItCannotReachCbc) {
  Result<Problem> p = instances::ReadGap(kData + "/gap/chu1997/d05100");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->num_items, 100);
  SolveOptions o;
  o.time_limit_s = 2;
  o.max_iterations = 20000;
  o.extra["choose.max_free_columns"] = "100";
  o.extra["choose.max_pattern_pairs"] = "499";  // 5 x 100 = 500 pairs
  Result<Solution> alone = Solve(*p, o, "choose");
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->solver, "choose/heuristic");
  EXPECT_EQ(alone->bound_method.find("lp (clp duals)"), std::string::npos)
      << alone->bound_method;
  EXPECT_EQ(alone->bound_method.find("knapsacks"), std::string::npos)
      << alone->bound_method;
  o.extra.erase("choose.max_pattern_pairs");  // 20,000 by default
  Result<Solution> patterns = Solve(*p, o, "choose");
  ASSERT_TRUE(patterns.ok());
  EXPECT_NE(patterns->bound_method.find("knapsacks"), std::string::npos)
      << patterns->bound_method;
  o.extra["choose.max_free_columns"] = "101";
  Result<Solution> fixing = Solve(*p, o, "choose");
  ASSERT_TRUE(fixing.ok());
  const std::string& m = fixing->bound_method;
  EXPECT_TRUE(m.find("lp (clp duals)") != std::string::npos ||
              m.find("knapsacks") != std::string::npos)
      << m;
  EXPECT_LE(fixing->bound, 6353 + 1e-6);
}

// Target fixing (choose, when the incumbent's reduced model is too big for
// CBC but the one of assignments at the bound is not): on random instances
// with a tiny column limit, against brute force — a bound never above the
// optimum, "optimal" only at it, and the steps are taken.
TEST(ReducedCostFixing, TargetFixingClaimsOnlyWhatHolds) {
  std::mt19937 rng(777);
  int target_steps = 0, solved = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 8 + trial % 3, m = 3 + trial % 2;
    Problem p = RandomGap(rng, n, m, 40, 0.9, 2);
    const double opt = Optimum(FeasibleAssignments(p));
    if (!std::isfinite(opt)) continue;
    SolveOptions o;
    o.time_limit_s = 0.5;
    o.extra["choose.max_free_columns"] = std::to_string(n + 4);
    o.extra["choose.heuristic_share"] = "0.01";
    Result<Solution> s = Solve(p, o, "choose");
    ASSERT_TRUE(s.ok());
    ASSERT_FALSE(s->assignment.empty());
    ++solved;
    ExpectClaimsHold(*s, opt, trial);
    if (s->bound_method.find("target fixing") != std::string::npos)
      ++target_steps;
  }
  EXPECT_GT(solved, 20);
  EXPECT_GT(target_steps, 0);  // the test exercises the target steps
}

// The re-split search (choose, when the incumbent's reduced model is too
// big for CBC), with target fixing off so that it runs: against CBC's
// proven optimum, a bound never above it and "optimal" only at it, and
// the re-split proof (every bin re-split, nothing cheaper) is taken. (The
// heuristic's incumbent is mostly optimal already on these sizes; the
// re-split's search itself is checked against brute force by
// PatternSearch.ResplitFindsTheCheapestMoveAmongTheChosenBins.)
TEST(ReducedCostFixing, ResplitSearchClaimsOnlyWhatHolds) {
  std::mt19937 rng(4711);
  int resplit_proofs = 0, solved = 0;
  for (int trial = 0; trial < 24; ++trial) {
    const int n = 40 + trial % 11, m = 5 + trial % 2;
    Problem p = RandomGap(rng, n, m, 60, 0.85, 1);
    SolveOptions exact;
    exact.time_limit_s = 60;  // a cap, not a speed target
    Result<Solution> cbc = Solve(p, exact, "mip");
    ASSERT_TRUE(cbc.ok());
    if (cbc->status != SolveOutcome::kOptimal) continue;  // infeasible
    const double opt = cbc->objective;
    SolveOptions o;
    o.time_limit_s = 0.5;
    o.seed = static_cast<uint64_t>(trial);
    o.extra["choose.max_free_columns"] = "1";
    o.extra["choose.heuristic_share"] = "0.01";
    o.extra["choose.target_steps"] = "0";
    Result<Solution> s = Solve(p, o, "choose");
    ASSERT_TRUE(s.ok());
    ASSERT_FALSE(s->assignment.empty());
    ++solved;
    ExpectClaimsHold(*s, opt, trial);
    if (s->bound_method.find("re-split") != std::string::npos) ++resplit_proofs;
  }
  EXPECT_GT(solved, 15);
  EXPECT_GT(resplit_proofs, 0);  // the test exercises the re-split proof
}

// A hand-made set partition: rows {0, 1, 2}; columns {0,1} (1), {2} (1),
// {0} (0.5), {1,2} (2), {0,2} (0.1): the covers are {0,1}+{2} = 2 and
// {0}+{1,2} = 2.5 ({0,2} leaves 1 to {0,1} or {1,2}, which overlap it).
TEST(PatternSearch, SetPartitionHonoursTheBudget) {
  const std::vector<std::vector<int>> cols = {{0, 1}, {2}, {0}, {1, 2}, {0, 2}};
  const std::vector<double> cost = {1, 1, 0.5, 2, 0.1};
  Result<SetPartitionOutcome> a = SolveSetPartition(3, cols, cost, 10, 5);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->proven_optimal);
  EXPECT_EQ(a->chosen, (std::vector<int>{0, 1}));
  Result<SetPartitionOutcome> b = SolveSetPartition(3, cols, cost, 1.9, 5);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->proven_infeasible);
  EXPECT_TRUE(b->chosen.empty());
}

// An integral LP optimum is returned as the optimal partition even when no
// time is left for CBC (a limit of 1e-9 s leaves it out); a fractional one
// makes no claim then.
TEST(PatternSearch, SetPartitionTakesAnIntegralLpWithoutCbc) {
  // Rows {0, 1, 2}: {0,1} (1) + {2} (1) = 2 is the only cover cheaper than
  // {0} (3) + {1,2} (3) = 6, and no fractional mix beats it.
  const std::vector<std::vector<int>> cols = {{0, 1}, {2}, {0}, {1, 2}};
  const std::vector<double> cost = {1, 1, 3, 3};
  Result<SetPartitionOutcome> a = SolveSetPartition(3, cols, cost, 10, 1e-9);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->proven_optimal);
  EXPECT_EQ(a->chosen, (std::vector<int>{0, 1}));
  // The budget row is part of the LP: within a budget of 2 the cover
  // still stands, below it there is none.
  Result<SetPartitionOutcome> b = SolveSetPartition(3, cols, cost, 2, 1e-9);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->proven_optimal);
  EXPECT_EQ(b->chosen, (std::vector<int>{0, 1}));
  Result<SetPartitionOutcome> c = SolveSetPartition(3, cols, cost, 1.9, 1e-9);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->proven_infeasible);
  EXPECT_TRUE(c->chosen.empty());
  // The fractional LP of SetPartitionHonoursTheBudget (1.55 < 2): no
  // answer without CBC.
  const std::vector<std::vector<int>> fcols = {
      {0, 1}, {2}, {0}, {1, 2}, {0, 2}};
  const std::vector<double> fcost = {1, 1, 0.5, 2, 0.1};
  Result<SetPartitionOutcome> d = SolveSetPartition(3, fcols, fcost, 10, 1e-9);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->proven_optimal);
  EXPECT_TRUE(d->stopped_by_deadline);
  EXPECT_TRUE(d->chosen.empty());
}

// SearchByPatterns against brute force on random instances, at targets
// below, at and above the optimum, with the knapsack multipliers, with
// λ = 0 (any λ must give the same answers, only slower) and with the pairs
// that reduced-cost fixing keeps, through dancing links and CBC, CBC alone
// and dancing links alone (dlx_share 1, as choose's target steps), and with
// a quick cover of a few patterns first.
TEST(PatternSearch, FindsTheCheapestWithinTheTargetOrProvesThereIsNone) {
  std::mt19937 rng(4242);
  int found = 0, none = 0, quick_found = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 6 + trial % 4, m = 2 + trial % 3;
    Problem p = RandomGap(rng, n, m, 30, 0.8, 3);
    const double opt = Optimum(FeasibleAssignments(p));
    if (!std::isfinite(opt)) continue;
    Result<FixingBounds> kn = KnapsackFixingBounds(p, {}, opt + 1, 10, 3000);
    ASSERT_TRUE(kn.ok() && kn->solved);
    ASSERT_EQ(kn->multipliers.size(), static_cast<size_t>(n));
    const std::vector<double> zero(n, 0.0);
    const std::vector<uint8_t> all(static_cast<size_t>(n) * m, 1);
    for (double target : {opt - 2, opt - 1, opt, opt + 1, opt + 6}) {
      const Fixing fx = FixByReducedCost(p, *kn, target + 1);
      for (int variant = 0; variant < 6; ++variant) {
        const std::vector<double>& lambda =
            variant == 1 ? zero : kn->multipliers;
        const std::vector<uint8_t>& keep =
            variant == 2 && !fx.none_better ? fx.keep : all;
        // 60 s: a cap that no search should reach, not a speed target.
        // Variant 4: the quick cover of at most 3 patterns first; 5:
        // dancing links alone.
        PatternOutcome po = SearchByPatterns(
            p, lambda, keep, target, 100000, 60,
            /*quick_patterns=*/variant == 4 ? 3 : 0,
            /*dlx_first=*/variant != 3, /*dlx_share=*/variant == 5 ? 1.0 : 0.0);
        const std::string where = "trial " + std::to_string(trial) +
                                  " target " + std::to_string(target) +
                                  " variant " + std::to_string(variant);
        if (target < opt) {
          EXPECT_EQ(po.kind, PatternOutcome::kNone) << where;
          EXPECT_TRUE(po.assignment.empty()) << where;
          ++none;
        } else if (po.kind == PatternOutcome::kGaveUp && variant == 4) {
          // Found by the quick cover: feasible, within the target.
          ASSERT_FALSE(po.assignment.empty()) << where;
          Result<Evaluation> ev = Evaluate(p, po.assignment);
          ASSERT_TRUE(ev.ok()) << where;
          EXPECT_TRUE(ev->feasible()) << where;
          EXPECT_LE(ev->cost.total(), target + 1e-9) << where;
          EXPECT_DOUBLE_EQ(ev->cost.total(), po.cost) << where;
          ++quick_found;
        } else {
          ASSERT_EQ(po.kind, PatternOutcome::kFound) << where;
          EXPECT_DOUBLE_EQ(po.cost, opt) << where;
          Result<Evaluation> ev = Evaluate(p, po.assignment);
          ASSERT_TRUE(ev.ok()) << where;
          EXPECT_TRUE(ev->feasible()) << where;
          EXPECT_DOUBLE_EQ(ev->cost.total(), opt) << where;
          ++found;
        }
        EXPECT_LE(po.lagrangian, opt + 1e-6) << where;
      }
    }
  }
  EXPECT_GT(found, 200);
  EXPECT_GT(none, 100);
  EXPECT_GT(quick_found, 5);  // the quick cover is exercised
}

// A re-split (ResplitKeep + SearchByPatterns at the incumbent's cost − 1)
// against brute force: the cheapest assignment that differs from the
// incumbent only on items of the chosen bins, moved among those bins, and
// costs less — or none. With the pairs that reduced-cost fixing keeps
// against the incumbent too (they hold every cheaper assignment).
TEST(PatternSearch, ResplitFindsTheCheapestMoveAmongTheChosenBins) {
  std::mt19937 rng(777);
  int improved = 0, none = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 6 + trial % 3, m = 3 + trial % 2;
    Problem p = RandomGap(rng, n, m, 30, 0.8, 3);
    const auto all = FeasibleAssignments(p);
    if (all.size() < 2) continue;
    // A random feasible incumbent and 2..m random bins.
    const auto& [inc_cost, inc] =
        all[std::uniform_int_distribution<size_t>(0, all.size() - 1)(rng)];
    std::vector<int> bins(m);
    for (int b = 0; b < m; ++b) bins[b] = b;
    std::shuffle(bins.begin(), bins.end(), rng);
    bins.resize(2 + trial % (m - 1));
    std::vector<uint8_t> in(m, 0);
    for (int b : bins) in[b] = 1;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& [value, x] : all) {
      bool inside = true;
      for (int i = 0; i < n && inside; ++i)
        inside = x[i] == inc[i] || (in[inc[i]] && in[x[i]]);
      if (inside) best = std::min(best, value);
    }
    Result<FixingBounds> kn = KnapsackFixingBounds(p, {}, inc_cost, 10, 3000);
    ASSERT_TRUE(kn.ok() && kn->solved);
    const Fixing fx = FixByReducedCost(p, *kn, inc_cost);
    for (int variant = 0; variant < 2; ++variant) {
      if (variant == 1 && fx.none_better) continue;
      const std::vector<uint8_t> keep = ResplitKeep(
          p, inc, bins, variant == 1 ? fx.keep : std::vector<uint8_t>());
      PatternOutcome po =
          SearchByPatterns(p, kn->multipliers, keep, inc_cost - 1, 100000, 60);
      const std::string where = "trial " + std::to_string(trial) + " variant " +
                                std::to_string(variant);
      if (best <= inc_cost - 1) {
        ASSERT_EQ(po.kind, PatternOutcome::kFound) << where;
        EXPECT_DOUBLE_EQ(po.cost, best) << where;
        Result<Evaluation> ev = Evaluate(p, po.assignment);
        ASSERT_TRUE(ev.ok()) << where;
        EXPECT_TRUE(ev->feasible()) << where;
        EXPECT_DOUBLE_EQ(ev->cost.total(), best) << where;
        for (int i = 0; i < n; ++i)
          EXPECT_TRUE(po.assignment[i] == inc[i] ||
                      (in[inc[i]] && in[po.assignment[i]]))
              << where << " item " << i;
        ++improved;
      } else {
        EXPECT_EQ(po.kind, PatternOutcome::kNone) << where;
        ++none;
      }
    }
  }
  EXPECT_GT(improved, 20);
  EXPECT_GT(none, 10);
}

// Real data: on yagiura2004 c10400 (optimum 5597) the knapsack bound rounds
// up to 5596 only; the pattern search proves that no assignment costs 5596
// or less, i.e. the bound 5597 = the optimum.
TEST(PatternSearch, RaisesTheBoundToTheOptimumOnYagiuraC10400) {
  Result<Problem> p = instances::ReadGap(kData + "/gap/yagiura2004/c10400");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Result<FixingBounds> lp = LpFixingBounds(*p, 30);
  ASSERT_TRUE(lp.ok() && lp->solved);
  Result<FixingBounds> kn =
      KnapsackFixingBounds(*p, lp->item_duals, 5605, 30, 3000);
  ASSERT_TRUE(kn.ok() && kn->solved);
  FixingBounds merged = *lp;
  MergeFixingBounds(*kn, &merged);
  ASSERT_LE(merged.bound, 5596 + 1e-6);
  ASSERT_GT(merged.bound, 5595);
  const Fixing fx = FixByReducedCost(*p, merged, 5597);
  ASSERT_FALSE(fx.none_better);
  PatternOutcome po =
      SearchByPatterns(*p, kn->multipliers, fx.keep, 5596, 200000, 60);
  EXPECT_EQ(po.kind, PatternOutcome::kNone)
      << po.patterns << " patterns, L = " << po.lagrangian;
  EXPECT_GT(po.patterns, 0);
  EXPECT_LE(po.lagrangian, 5597);
}

}  // namespace
}  // namespace ecotone::placement::internal
