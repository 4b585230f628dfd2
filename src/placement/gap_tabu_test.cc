// The GAP fast path of the heuristic solver (solvers/heuristic/gap_tabu.h):
// which problems take it, optimality on small OR-Library instances,
// determinism per seed, capacities respected, and the solver interface
// still reporting a valid bound.
#include "solvers/heuristic/gap_tabu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ecotone/instances/instances.h"
#include "ecotone/placement/solver.h"
#include "solvers/heuristic/tabu.h"

namespace ecotone::placement::internal {
namespace {

const std::string kData = std::string(ECOTONE_SHARED_DATA) + "/placement";

Problem Gap(const std::string& name) {
  Result<Problem> p = instances::ReadGap(kData + "/gap/" + name);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : Problem{};
}

// Greedy start: every item at its cheapest allowed bin (usually
// infeasible, which the search must repair).
std::vector<int> NoStart(const Problem& p) {
  return std::vector<int>(p.num_items, -1);
}

TEST(GapTabu, ChosenForGapShapedProblemsOnly) {
  Problem gap = Gap("cattrysse1994/gap1-0");
  EXPECT_TRUE(GapTabu::Applicable(gap));
  EXPECT_TRUE(GapTabu::Applicable(Gap("yagiura2004/e801600")));

  // A GQAP instance has a pairwise term: the generic tabu search.
  Result<Problem> gqap =
      instances::ReadGqap(kData + "/gqap/cordeau2006/20-15-35.txt");
  ASSERT_TRUE(gqap.ok());
  EXPECT_FALSE(GapTabu::Applicable(*gqap));
  EXPECT_TRUE(TabuSearch::Applicable(*gqap));

  // Two dimensions.
  Problem two = gap;
  two.num_dims = 2;
  two.item_bin_demand.clear();
  two.item_demand.assign(static_cast<size_t>(two.num_items) * 2, 1.0);
  two.bin_capacity.assign(static_cast<size_t>(two.num_bins) * 2, 100.0);
  ASSERT_TRUE(Validate(two).ok());
  EXPECT_FALSE(GapTabu::Applicable(two));

  // Spread constraints.
  Problem spread = gap;
  spread.groups = {Group{"g", {}, 2, 0, 0, 0}};
  spread.item_group.assign(spread.num_items, -1);
  spread.item_group[0] = spread.item_group[1] = 0;
  ASSERT_TRUE(Validate(spread).ok());
  EXPECT_FALSE(GapTabu::Applicable(spread));

  // Distance limits.
  Problem limits = gap;
  limits.distance.assign(static_cast<size_t>(limits.num_bins) * limits.num_bins,
                         1.0);
  for (int b = 0; b < limits.num_bins; ++b) {
    limits.distance[static_cast<size_t>(b) * limits.num_bins + b] = 0;
  }
  limits.distance_limits = {DistanceLimit{0, 1, 0.5, false}};
  ASSERT_TRUE(Validate(limits).ok());
  EXPECT_FALSE(GapTabu::Applicable(limits));

  // Allowed bins, forbidden pairs and migration costs keep the GAP shape.
  Problem mig = gap;
  mig.current_bin.assign(mig.num_items, 0);
  mig.migration_cost.assign(mig.num_items, 3.0);
  mig.forbidden = {ForbiddenPair{0, 1}};
  ASSERT_TRUE(Validate(mig).ok());
  EXPECT_TRUE(GapTabu::Applicable(mig));
}

struct Known {
  const char* name;
  double optimum;
};

TEST(GapTabu, FindsOptimumOfSmallCattrysseInstances) {
  for (Known k : {Known{"gap1-0", 261}, Known{"gap4-2", 426},
                  Known{"gap8-4", 792}, Known{"gap12-0", 974}}) {
    Problem p = Gap(std::string("cattrysse1994/") + k.name);
    Allowed al(p);
    GapTabu ts(p, al, 1, 60, 4'000'000);
    // Stop at the optimum (the solver sets its lower bound the same way);
    // the budget is far more than the search needs.
    ts.set_target(k.optimum);
    ts.Run(NoStart(p));
    ASSERT_TRUE(ts.found_feasible()) << k.name;
    EXPECT_DOUBLE_EQ(ts.best_cost(), k.optimum) << k.name;
    Result<Evaluation> ev = Evaluate(p, ts.best());
    ASSERT_TRUE(ev.ok());
    EXPECT_TRUE(ev->feasible()) << k.name;
    EXPECT_DOUBLE_EQ(ev->cost.total(), ts.best_cost()) << k.name;
  }
}

// Cheapest split of `items` among `k` agents within the capacities by
// enumeration (+inf if none).
double BruteForceSplit(const std::vector<AgentSplit::Item>& items, int k,
                       const int64_t cap[]) {
  double best = std::numeric_limits<double>::infinity();
  const int n = static_cast<int>(items.size());
  int64_t splits = 1;
  for (int q = 0; q < n; ++q) splits *= k;
  for (int64_t code = 0; code < splits; ++code) {
    int64_t load[3] = {0, 0, 0};
    double cost = 0;
    int64_t rest = code;
    for (int q = 0; q < n; ++q, rest /= k) {
      const int s = static_cast<int>(rest % k);
      cost += items[q].cost[s];
      load[s] += items[q].w[s];
    }
    bool fits = true;
    for (int s = 0; s < k; ++s) fits = fits && load[s] <= cap[s];
    if (fits) best = std::min(best, cost);
  }
  return best;
}

// Cost of `side` and whether it fits.
std::pair<double, bool> SplitCost(const std::vector<AgentSplit::Item>& items,
                                  int k, const int64_t cap[],
                                  const std::vector<uint8_t>& side) {
  int64_t load[3] = {0, 0, 0};
  double cost = 0;
  for (size_t q = 0; q < items.size(); ++q) {
    cost += items[q].cost[side[q]];
    load[side[q]] += items[q].w[side[q]];
  }
  bool fits = true;
  for (int s = 0; s < k; ++s) fits = fits && load[s] <= cap[s];
  return {cost, fits};
}

TEST(GapAgentSplit, MatchesBruteForceOnRandomSubproblems) {
  // Two and three agents; type D-like data (cost falls as weight rises),
  // tight capacities, a few forbidden agents, with and without multipliers
  // for the pruning bound, and an upper bound either loose or just above
  // the optimum.
  std::mt19937 gen(7);
  const double inf = std::numeric_limits<double>::infinity();
  AgentSplit split(1 << 20);
  for (int k : {2, 3}) {
    int solved = 0, none = 0;
    for (int round = 0; round < 300; ++round) {
      const int n = 1 + static_cast<int>(gen() % (k == 2 ? 14 : 9));
      std::vector<AgentSplit::Item> items(n);
      int64_t sum[3] = {0, 0, 0};
      for (auto& it : items) {
        for (int s = 0; s < k; ++s) {
          it.w[s] = 1 + static_cast<int64_t>(gen() % 40);
          it.cost[s] = 50 - static_cast<double>(it.w[s]) + gen() % 20;
          sum[s] += it.w[s];
        }
        if (gen() % 8 == 0) it.cost[gen() % k] = inf;
      }
      int64_t cap[3];
      double u[3];
      for (int s = 0; s < k; ++s) {
        cap[s] = sum[s] * (8 + gen() % 10) / (12 * (k - 1));
        u[s] = (gen() % 3) * 0.25 * (s + 1);
      }
      const double opt = BruteForceSplit(items, k, cap);
      const double upper = round % 2 == 0 ? 1e9 : opt + 0.5;
      std::vector<uint8_t> side;
      const double got = split.Solve(items, k, cap, u, upper, &side);
      ASSERT_TRUE(split.exact());
      EXPECT_EQ(got, opt) << "k " << k << " round " << round;
      if (std::isfinite(opt)) {
        ++solved;
        auto [cost, fits] = SplitCost(items, k, cap, side);
        EXPECT_TRUE(fits) << "k " << k << " round " << round;
        EXPECT_EQ(cost, got) << "k " << k << " round " << round;
        // Nothing cheaper than the optimum exists.
        EXPECT_EQ(split.Solve(items, k, cap, u, opt, &side), inf);
      } else {
        ++none;
      }
    }
    EXPECT_GT(solved, 150) << k;  // most rounds have a feasible split
    EXPECT_GT(none, 0) << k;      // and a few do not
  }
}

TEST(GapAgentSplit, ImprovesASplitNoShiftOrSwapImproves) {
  // Agent 0 (capacity 10) holds item 0 (weight 10, cost 10 there, 0 on
  // agent 1); agent 1 (capacity 10) holds items 1 and 2 (weight 5 each on
  // either agent, cost 0 there, 1 on agent 0). Cost 10. No shift fits,
  // and swapping item 0 with item 1 or 2 overloads agent 1 (15); the
  // optimum moves all three: item 0 to agent 1, items 1 and 2 to agent 0,
  // cost 2.
  std::vector<AgentSplit::Item> items = {
      {{10, 0}, {10, 10}}, {{1, 0}, {5, 5}}, {{1, 0}, {5, 5}}};
  const int64_t cap[2] = {10, 10};
  const double u[2] = {0, 0};
  AgentSplit split(64);
  std::vector<uint8_t> side;
  EXPECT_EQ(split.Solve(items, 2, cap, u, 10, &side), 2);
  EXPECT_EQ(side, (std::vector<uint8_t>{1, 0, 0}));
}

// `count` items for a two-agent split: weights 1..100 per agent, cost
// 111 − weight + 0..19 (dearer when lighter); sum[s] += the weights on s.
std::vector<AgentSplit::Item> RandomSplitItems(std::mt19937& gen, int count,
                                               int64_t sum[2]) {
  std::vector<AgentSplit::Item> items(count);
  for (auto& it : items) {
    for (int s = 0; s < 2; ++s) {
      it.w[s] = 1 + static_cast<int64_t>(gen() % 100);
      it.cost[s] = 111 - static_cast<double>(it.w[s]) + gen() % 20;
      sum[s] += it.w[s];
    }
  }
  return items;
}

TEST(GapAgentSplit, TruncatedSearchStillReturnsAValidSplit) {
  // With 64 states per layer on 40 items the search is a beam: not exact,
  // but what it returns fits and costs what it says.
  std::mt19937 gen(11);
  int64_t sum[2] = {0, 0};
  std::vector<AgentSplit::Item> items = RandomSplitItems(gen, 40, sum);
  const int64_t cap[2] = {sum[0] * 6 / 10, sum[1] * 6 / 10};
  const double u[2] = {0.5, 0.5};
  AgentSplit split(64);
  std::vector<uint8_t> side;
  const double got = split.Solve(items, 2, cap, u, 1e9, &side);
  EXPECT_FALSE(split.exact());
  ASSERT_TRUE(std::isfinite(got));
  auto [cost, fits] = SplitCost(items, 2, cap, side);
  EXPECT_TRUE(fits);
  EXPECT_EQ(cost, got);
}

TEST(GapAgentSplit, WideningTheBeamMakesTheSameSplitExact) {
  // The re-split descent's first phase uses a narrow beam and its second
  // the full one on the same AgentSplit: after set_max_states the solver
  // must search with the new width. 30 items, 2 agents: 16 states per
  // layer cut the search, 2^20 do not, and the exact split is no dearer.
  std::mt19937 gen(23);
  int64_t sum[2] = {0, 0};
  std::vector<AgentSplit::Item> items = RandomSplitItems(gen, 30, sum);
  const int64_t cap[2] = {sum[0] * 8 / 10, sum[1] * 8 / 10};
  const double u[2] = {0, 0};
  AgentSplit split(16);
  std::vector<uint8_t> side;
  const double narrow = split.Solve(items, 2, cap, u, 1e9, &side);
  EXPECT_FALSE(split.exact());
  ASSERT_TRUE(std::isfinite(narrow));
  split.set_max_states(1 << 20);
  const double wide = split.Solve(items, 2, cap, u, 1e9, &side);
  EXPECT_TRUE(split.exact());
  EXPECT_LE(wide, narrow);
  auto [cost, fits] = SplitCost(items, 2, cap, side);
  EXPECT_TRUE(fits);
  EXPECT_EQ(cost, wide);
  // And narrowing it again cuts the search again.
  split.set_max_states(16);
  split.Solve(items, 2, cap, u, 1e9, &side);
  EXPECT_FALSE(split.exact());
}

// A GapExchange instance over dense arrays (every agent a candidate).
struct ExchangeData {
  int n, m;
  std::vector<double> cost, weight;
  std::vector<uint8_t> allowed;
  std::vector<int64_t> capacity, cand_start;
  std::vector<int> cand, cand_size;
  ExchangeData(int n_items, int m_agents)
      : n(n_items),
        m(m_agents),
        cost(static_cast<size_t>(n_items) * m_agents, 100),
        weight(static_cast<size_t>(n_items) * m_agents, 10),
        allowed(static_cast<size_t>(n_items) * m_agents, 1),
        capacity(m_agents, 10) {}
  double& c(int i, int b) { return cost[static_cast<size_t>(i) * m + b]; }
  double& w(int i, int b) { return weight[static_cast<size_t>(i) * m + b]; }
  GapExchange::Instance Get() {
    cand.clear();
    cand_start.assign(1, 0);
    cand_size.assign(n, m);
    for (int i = 0; i < n; ++i) {
      for (int b = 0; b < m; ++b) cand.push_back(b);
      cand_start.push_back(static_cast<int64_t>(cand.size()));
    }
    return {.n = n,
            .m = m,
            .cost = cost.data(),
            .weight = weight.data(),
            .allowed = allowed.data(),
            .capacity = capacity.data(),
            .cand_start = cand_start.data(),
            .cand = cand.data(),
            .cand_size = cand_size.data()};
  }
};

std::vector<std::vector<int>> Members(const std::vector<int>& y, int m) {
  std::vector<std::vector<int>> mem(m);
  for (size_t i = 0; i < y.size(); ++i)
    mem[y[i]].push_back(static_cast<int>(i));
  return mem;
}

TEST(GapExchange, FindsTheFourCycleNoTripleReaches) {
  // Four full agents (capacity 10), item k (weight 10) on agent k costing
  // 10 there and 1 on agent k + 1 (mod 4), 100 elsewhere: every pair or
  // triple re-split costs more; the 4-cycle costs 4 instead of 40.
  ExchangeData d(4, 4);
  for (int k = 0; k < 4; ++k) {
    d.c(k, k) = 10;
    d.c(k, (k + 1) % 4) = 1;
  }
  const std::vector<int> y = {0, 1, 2, 3};
  GapExchange x;
  std::vector<std::pair<int, int>> moves;
  EXPECT_EQ(x.Find(d.Get(), y, Members(y, 4), 3, &moves), 0);
  EXPECT_TRUE(moves.empty());
  EXPECT_DOUBLE_EQ(x.Find(d.Get(), y, Members(y, 4), 10, &moves), -36);
  ASSERT_EQ(moves.size(), 4u);
  for (auto [i, to] : moves) EXPECT_EQ(to, (i + 1) % 4) << i;

  // A path: agent 3 is empty (room 10); item 0 costs 50 on agent 0 and 1
  // on agent 1, items 1 and 2 cost 10 on their own agent and the next,
  // 100 elsewhere. Only the path 0 -> 1, 1 -> 2, 2 -> 3 improves (by 49).
  ExchangeData e(3, 4);
  e.c(0, 0) = 50;
  e.c(0, 1) = 1;
  e.c(1, 1) = e.c(1, 2) = 10;
  e.c(2, 2) = e.c(2, 3) = 10;
  const std::vector<int> z = {0, 1, 2};
  EXPECT_DOUBLE_EQ(x.Find(e.Get(), z, Members(z, 4), 10, &moves), -49);
  ASSERT_EQ(moves.size(), 3u);
  for (auto [i, to] : moves) EXPECT_EQ(to, i + 1) << i;
  EXPECT_EQ(x.Find(e.Get(), z, Members(z, 4), 2, &moves), 0);
  e.capacity[3] = 9;  // no room left there: nothing improves
  EXPECT_EQ(x.Find(e.Get(), z, Members(z, 4), 10, &moves), 0);
}

TEST(GapExchange, ReturnsTheCheapestAndUsesAgentsBeyond64) {
  // Two improving swaps (both length 2): items 0/1 gain 2, items 2/3
  // gain 10; the cheaper exchange is the one returned.
  ExchangeData d(4, 4);
  const std::vector<int> y = {0, 1, 2, 3};
  for (int k = 0; k < 4; ++k) d.c(k, k) = 10;
  d.c(0, 1) = d.c(1, 0) = 9;
  d.c(2, 3) = d.c(3, 2) = 5;
  GapExchange x;
  std::vector<std::pair<int, int>> moves;
  EXPECT_DOUBLE_EQ(x.Find(d.Get(), y, Members(y, 4), 10, &moves), -10);
  ASSERT_EQ(moves.size(), 2u);
  for (auto [i, to] : moves) EXPECT_EQ(to, i ^ 1) << i;

  // The 4-cycle of FindsTheFourCycleNoTripleReaches on agents 1, 65, 66
  // and 127 of 128 (the second word of the agents' bit set).
  ExchangeData e(4, 128);
  const int ag[4] = {1, 65, 66, 127};
  for (int k = 0; k < 4; ++k) {
    e.c(k, ag[k]) = 10;
    e.c(k, ag[(k + 1) % 4]) = 1;
  }
  const std::vector<int> z = {1, 65, 66, 127};
  EXPECT_DOUBLE_EQ(x.Find(e.Get(), z, Members(z, 128), 10, &moves), -36);
  ASSERT_EQ(moves.size(), 4u);
  for (auto [i, to] : moves) EXPECT_EQ(to, ag[(i + 1) % 4]) << i;

  // A first item costing nothing where it is still starts a path: item 0
  // (cost 0 on agent 0, −5 on the empty agent 1).
  ExchangeData f(1, 2);
  f.c(0, 0) = 0;
  f.c(0, 1) = -5;
  f.capacity[1] = 10;
  const std::vector<int> one = {0};
  EXPECT_DOUBLE_EQ(x.Find(f.Get(), one, Members(one, 2), 10, &moves), -5);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0], std::make_pair(0, 1));
}

TEST(GapExchange, MovesAreFeasibleAndPricedOnRandomInstances) {
  // Random type-c-like instances from a feasible greedy start: apply the
  // exchanges found until none is; each must keep every agent within its
  // capacity, move items of distinct agents, cost exactly what Find says
  // (< 0), and an improving shift must never go unnoticed.
  std::mt19937 gen(11);
  GapExchange x;
  int found = 0;
  for (int round = 0; round < 60; ++round) {
    const int n = 10 + static_cast<int>(gen() % 30);
    const int m = 2 + static_cast<int>(gen() % 7);
    ExchangeData d(n, m);
    for (int i = 0; i < n; ++i) {
      for (int b = 0; b < m; ++b) {
        d.w(i, b) = 5 + static_cast<double>(gen() % 21);
        d.c(i, b) = 10 + static_cast<double>(gen() % 41);
        if (gen() % 10 == 0) {
          // Forbidden, and as cheap as can be: only the check keeps it out.
          d.allowed[static_cast<size_t>(i) * m + b] = 0;
          d.c(i, b) = 0;
        }
      }
    }
    // Start: each item on the allowed agent with the most room.
    std::vector<int> y(n, -1);
    std::vector<int64_t> load(m, 0);
    for (int b = 0; b < m; ++b) d.capacity[b] = 15LL * n / m + 25;
    bool ok = true;
    for (int i = 0; i < n && ok; ++i) {
      int best = -1;
      for (int b = 0; b < m; ++b) {
        if (!d.allowed[static_cast<size_t>(i) * m + b]) continue;
        const int64_t room = d.capacity[b] - load[b] - int64_t(d.w(i, b));
        if (room >= 0 && (best < 0 || room > d.capacity[best] - load[best] -
                                                 int64_t(d.w(i, best))))
          best = b;
      }
      ok = best >= 0;
      if (ok) {
        y[i] = best;
        load[best] += static_cast<int64_t>(d.w(i, best));
      }
    }
    if (!ok) continue;
    for (int step = 0; step < 1000; ++step) {
      std::vector<std::pair<int, int>> moves;
      const double delta = x.Find(d.Get(), y, Members(y, m), 8, &moves);
      bool shift = false;  // an improving shift exists
      for (int i = 0; i < n; ++i) {
        for (int b = 0; b < m; ++b) {
          shift = shift ||
                  (b != y[i] && d.allowed[static_cast<size_t>(i) * m + b] &&
                   load[b] + int64_t(d.w(i, b)) <= d.capacity[b] &&
                   d.c(i, b) < d.c(i, y[i]));
        }
      }
      if (delta == 0) {
        EXPECT_TRUE(moves.empty());
        EXPECT_FALSE(shift) << "round " << round;
        break;
      }
      ++found;
      ASSERT_LT(delta, 0);
      std::vector<int> seen(m, 0);
      double change = 0;
      for (auto [i, to] : moves) {
        EXPECT_EQ(seen[y[i]]++, 0) << "two items of one agent";
        EXPECT_TRUE(d.allowed[static_cast<size_t>(i) * m + to]) << i << to;
        change += d.c(i, to) - d.c(i, y[i]);
      }
      for (auto [i, to] : moves) {
        load[y[i]] -= static_cast<int64_t>(d.w(i, y[i]));
        load[to] += static_cast<int64_t>(d.w(i, to));
        y[i] = to;
      }
      for (int b = 0; b < m; ++b) EXPECT_LE(load[b], d.capacity[b]) << b;
      EXPECT_NEAR(change, delta, 1e-9);
    }
  }
  EXPECT_GT(found, 100);  // the starts are far from local optima
}

TEST(GapExchange, NothingImprovesEveryItemAtItsCheapestAgent) {
  ExchangeData d(6, 3);
  for (int i = 0; i < 6; ++i) d.c(i, i % 3) = 1;
  d.capacity.assign(3, 100);
  const std::vector<int> y = {0, 1, 2, 0, 1, 2};
  GapExchange x;
  std::vector<std::pair<int, int>> moves;
  EXPECT_EQ(x.Find(d.Get(), y, Members(y, 3), 10, &moves), 0);
  EXPECT_TRUE(moves.empty());
}

TEST(GapTabu, DeterministicPerSeed) {
  Problem p = Gap("chu1997/d10100");
  Allowed al(p);
  auto run = [&](uint64_t seed) {
    GapTabu ts(p, al, seed, 60, 300'000);
    ts.Run(NoStart(p));
    // The budget is spent (a re-split descent may overshoot it by its last
    // sub-problem).
    EXPECT_GE(ts.iterations(), 300'000);
    EXPECT_LT(ts.iterations(), 400'000);
    return std::pair{ts.best_cost(), ts.best()};
  };
  auto a = run(5), b = run(5), c = run(6);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(std::isfinite(a.first));
  EXPECT_TRUE(std::isfinite(c.first));
  // Not a requirement in general, but on this instance two seeds walk
  // different paths; equal assignments would mean the seed is ignored.
  EXPECT_NE(a.second, c.second);
}

TEST(GapTabu, RespectsCapacitiesAndAllowedBins) {
  // Type D (tight capacities) with a few forbidden pairs: every returned
  // assignment must fit every agent and avoid the forbidden pairs.
  Problem p = Gap("chu1997/d05100");
  for (int i = 0; i < 20; ++i) p.forbidden.push_back({i, i % p.num_bins});
  ASSERT_TRUE(Validate(p).ok());
  Allowed al(p);
  GapTabu ts(p, al, 3, 60, 500'000);
  ts.Run(NoStart(p));
  ASSERT_TRUE(ts.found_feasible());
  std::vector<double> load(p.num_bins, 0.0);
  for (int i = 0; i < p.num_items; ++i) {
    const int b = ts.best()[i];
    ASSERT_GE(b, 0);
    EXPECT_NE(b, i < 20 ? i % p.num_bins : -1) << "item " << i;
    load[b] += p.Demand(i, b, 0);
  }
  for (int b = 0; b < p.num_bins; ++b) {
    EXPECT_LE(load[b], p.Capacity(b, 0)) << "agent " << b;
  }
  Result<Evaluation> ev = Evaluate(p, ts.best());
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->feasible());
  EXPECT_DOUBLE_EQ(ev->cost.total(), ts.best_cost());
}

// Through the solver interface (which takes the fast path on a GAP): a
// type D instance within 2 % of its optimum under a deterministic budget,
// with a valid, close bound and the same answer twice.
TEST(GapTabu, HeuristicSolverUsesItDeterministically) {
  Problem p = Gap("chu1997/d05100");
  SolveOptions o;
  o.max_iterations = 2'000'000;
  o.time_limit_s = 60;
  o.seed = 11;
  Result<Solution> a = Solve(p, o, "heuristic");
  Result<Solution> b = Solve(p, o, "heuristic");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_FALSE(a->assignment.empty());
  EXPECT_EQ(a->assignment, b->assignment);
  EXPECT_LE(a->objective, 6353 * 1.02);
  EXPECT_GE(a->objective, 6353);
  EXPECT_LE(a->bound, 6353 + 1e-9);
  // The Lagrangian bound is reported (it reaches the LP bound, 6347, here;
  // an older comparison against -inf dropped every subgradient value).
  EXPECT_GE(a->bound, 6353 * 0.995);
  EXPECT_TRUE(Evaluate(p, a->assignment)->feasible());
}

}  // namespace
}  // namespace ecotone::placement::internal
