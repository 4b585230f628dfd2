// Fast path of the "heuristic" solver for pure GAP-shaped problems: one
// capacity dimension, linear (and migration) costs only, no pairwise term,
// no spread groups, no distance limits. Private to the heuristic solver,
// which picks it automatically (GapTabu::Applicable) instead of the generic
// TabuSearch (tabu.h).
//
// Method: tabu search with ejection chains and strategic oscillation after
// Yagiura, Ibaraki & Glover (2004, "An ejection chain approach for the
// generalized assignment problem", INFORMS J. Computing 16:133-151; 2006,
// "A path relinking approach with ejection chains for the generalized
// assignment problem", EJOR 169:548-569). The search minimises
//
//   F(x) = Σ_i c(i, x_i) + Σ_b α_b · max(0, load_b − cap_b)
//
// with one adaptive weight per agent: after every move α_b grows on
// overloaded agents and all weights shrink while x is feasible. With
// Lagrangian multipliers (set_lagrangian) the weights start at them.
//
// Each iteration scans the items of a window of at most 200 items (a
// rotating offset, so every item is visited every ⌈n/200⌉ iterations) and
// takes the best admissible move among
//   * every shift i: a -> b of those items (or, with more than 24 agents,
//     i's 24 agents of least reduced cost),
//   * swaps of i with the members of its best k shift targets,
//   * depth-2 ejection chains i -> b, j (of b) -> c, c the best insertion
//     target of j other than a and b,
//   * longer chains: the 4 best depth-2 chains extended greedily, each
//     link ejecting a member k of the last agent to its best insertion
//     target d (an agent not yet in the chain, or a, which closes it), up
//     to 8 links; the best prefix of each chain is a candidate,
// all with O(1) deltas from the per-agent loads (the dimension is fixed at
// one: no per-dimension loop, demands and costs contiguous per item). The
// shift scan also yields each item's best three insertion targets, which
// the chains read. Tabu attribute "item i may not return to agent a";
// aspiration by a new best feasible cost (links after the second are never
// tabu; an item outside the window offers its last computed top three,
// whose values the chain recomputes exactly).
// After a period without a new best, a restart with a cleared tabu list:
// from the best assignment with a random kick, or from a path-relinking
// point between two members of an elite pool of episode bests.
//
// Intensification (integral demands and capacities, at most 400 agents):
// a descent over very large neighbourhoods, the exact re-split of the
// items of two agents (AgentSplit, a dynamic programme over their loads)
// for every pair until no pair improves, then of three agents for every
// triple (at most 40 agents; up to 100, each agent with two of its 8
// nearest agents by the items' reduced costs), repeated while a triple
// improves; first with a narrow beam of 128 DP states per layer, then
// with the full 4,096, re-examining only the pairs and triples the narrow
// beam cut or whose agents changed since; when neither pairs nor triples
// improve (3-100 agents), one cyclic or path exchange of up to 10 items
// across as many agents (GapExchange), then pairs and triples again (after 4
// exchange steps in a row that found none, only every 8th chance tries one). It
// runs every 50 moves at the walk's next feasible point (the walk
// continues from its result), on the episode's best at a restart and on
// the best at the end (the walk stops at 98 % of the time limit for it).
//
// Deterministic for a given problem, seed and iteration budget: one
// iteration counts its window's item visits against the budget, a
// re-split 1 + its generated DP states / 16, an exchange step 1 + its
// examined arcs / 64 (the budget may be overshot by the last one); the
// time limit is only a safety cap. Returns only feasible assignments.
#ifndef ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_GAP_TABU_H_
#define ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_GAP_TABU_H_

#include <chrono>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "ecotone/placement/problem.h"
#include "internal.h"
#include "solvers/heuristic/elite.h"
#include "solvers/heuristic/engine.h"

namespace ecotone::placement::internal {

// The k-agent sub-problem of the GAP (k = 2 or 3): split a set of items
// among agents 0..k-1 (item q costs cost[s] and weighs w[s] on agent s; an
// infinite cost forbids the agent), each agent's load within its capacity,
// at least cost. Solved by a dynamic programme over the items whose states
// are the load vectors with their least cost — the items with one allowed
// agent first, then the others by decreasing regret — pruned by capacity,
// by the total capacity left, by a Lagrangian bound
//   cost + Σ_s u_s·(l_s − cap_s) + Σ_rest min_s(cost[s] + u_s·w[s])
// against the cost to beat (valid for any u >= 0; the solver passes the
// multipliers of its Lagrangian bound), and by dominance among the states
// that differ in the last load only. Exact unless a layer holds more than
// `max_states` states, when the ones of least bound are kept (a beam;
// exact() tells).
class AgentSplit {
 public:
  static constexpr int kMaxAgents = 3;
  struct Item {
    double cost[kMaxAgents];
    int64_t w[kMaxAgents];
  };

  explicit AgentSplit(size_t max_states) : max_states_(max_states) {}

  // Looks for a split among the first `k` agents (cap[s], u[s] >= 0 for
  // s < k) of cost < `upper`; on success fills side[q] (the agent of item
  // q) with the cheapest one found and returns its cost, otherwise returns
  // +inf and leaves *side unspecified.
  double Solve(const std::vector<Item>& items, int k, const int64_t cap[],
               const double u[], double upper, std::vector<uint8_t>* side);
  // True if the last Solve kept every state (its answer is then optimal,
  // or there is no split cheaper than `upper`).
  bool exact() const { return exact_; }
  void set_max_states(size_t max_states) { max_states_ = max_states; }
  // States the last Solve generated (its work).
  int64_t generated() const { return generated_; }

 private:
  struct Node {
    int64_t l[kMaxAgents];
    double cost, bound;
    int32_t parent;
    uint8_t side;
  };
  size_t max_states_;
  bool exact_ = true;
  int64_t generated_ = 0;
  std::vector<int> order_;
  std::vector<double> rest_;    // Lagrangian value of the items from q on
  std::vector<int64_t> restw_;  // least weight of the items from q on
  std::vector<Node> nodes_, next_;
};

// Cyclic and path exchanges of the GAP on its improvement graph (Ahuja,
// Orlin, Pathak, Punnen & Yagiura 2004, "A very large-scale neighborhood
// search algorithm for the multi-resource generalized assignment problem",
// Discrete Optimization 1:185-203). In a cyclic exchange items j1..jk of k
// distinct agents move j1 -> agent(j2), ..., jk -> agent(j1); in a path
// exchange the last one moves to an agent outside the path that has room
// for it (the first agent only loses j1). Arc j -> l (j enters agent(l),
// which l leaves) exists when agent(l) keeps within its capacity and
// costs c(j, agent(l)) − c(l, agent(l)). The search is the label-correcting
// heuristic of that paper: one label (the least cost path of that length
// ending there, its agents as a bit set) per item and length, extended
// beyond the first item only while its cost stays negative (every
// negative cycle has a rotation whose prefix sums are all negative; a
// path's cost includes −c(j1, agent j1)); the first length at which a path
// closes into an improving exchange stops it, and the cheapest one closing
// there is returned. Cycles are searched first, paths only when no cycle
// improves. Heuristic: the one label per item and length may lose the
// path an improving exchange needs. Integral weights and capacities; at
// most kMaxAgents agents.
class GapExchange {
 public:
  static constexpr int kMaxAgents = 128;
  struct Instance {
    int n = 0, m = 0;
    const double* cost = nullptr;         // [i·m + b]
    const double* weight = nullptr;       // [i·m + b], integral
    const uint8_t* allowed = nullptr;     // [i·m + b]
    const int64_t* capacity = nullptr;    // [b]
    const int64_t* cand_start = nullptr;  // [n + 1]: the agents each item
    const int* cand = nullptr;            // may enter, by rank
    const int* cand_size = nullptr;       // [i]: how many of them to try
  };

  // From the feasible assignment y (mem[b]: the items on agent b), the
  // cheapest improving exchange of at most max_items items found, as moves
  // (item, agent) to apply in any order; returns its change of cost (< 0),
  // or 0 with *moves empty when none is found.
  double Find(const Instance& in, const std::vector<int>& y,
              const std::vector<std::vector<int>>& mem, int max_items,
              std::vector<std::pair<int, int>>* moves);
  // Arcs the last Find examined (its work).
  int64_t scanned() const { return scanned_; }

 private:
  struct Label {
    double d;    // cost of the path so far
    int start;   // its first item, or n for a path exchange
    int parent;  // the previous item (-1 at the first)
    uint64_t agents[2];
  };
  std::vector<Label> cur_, next_;
  std::vector<int> parents_;  // per length: the parent of each item's label
  std::vector<int64_t> slack_;
  int64_t scanned_ = 0;
};

class GapTabu {
 public:
  // True for one dimension, no pairwise term (or λ = 0 / no distances), no
  // spread groups, no distance limits, and n·m <= 2·10^5.
  static bool Applicable(const Problem& problem);

  // `problem` must be Applicable() and outlive the search. `time_limit_s`
  // and `max_iterations` (0 = none) bound the run from its start.
  GapTabu(const Problem& problem, const Allowed& allowed, uint64_t seed,
          double time_limit_s, int64_t max_iterations);
  GapTabu(const GapTabu&) = delete;
  GapTabu& operator=(const GapTabu&) = delete;

  // Searches from `start` (a bin per item; -1 or a disallowed bin is
  // replaced by the item's cheapest allowed bin); need not be feasible.
  void Run(const std::vector<int>& start);

  // Stop as soon as a feasible assignment of cost <= target is found.
  void set_target(double target) { target_ = target; }

  // Lagrangian guidance (call before Run): multipliers u[b] >= 0 of the
  // capacity constraints. Each item's candidate agents are then ordered
  // (and, above 24 agents, chosen) by reduced cost c(i,b) + u_b·w(i,b), and
  // the penalty weights start at u (at least a tenth of its mean).
  // (Reduced-cost fixing from L(u) was tried: dropping agents that cannot
  // be in a better assignment made the walk slightly worse everywhere.)
  void set_lagrangian(const std::vector<double>& u);
  // The exchange step of the descent (GapExchange): at most this many items
  // per exchange; 0 turns it off.
  void set_exchange_items(int items) { exchange_items_ = items; }
  static constexpr int kDefaultExchangeItems = 10;

  bool found_feasible() const { return best_cost_ < kInf; }
  const std::vector<int>& best() const { return best_x_; }
  double best_cost() const { return best_cost_; }
  int64_t iterations() const { return iterations_; }
  double seconds_to_best() const { return seconds_to_best_; }
  const std::vector<int>& current() const { return x_; }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  // States per DP layer of a re-split: the descent's first phase uses the
  // narrow beam kCoarseStates, its second kSplitStates.
  static constexpr size_t kSplitStates = 4096;
  static constexpr size_t kCoarseStates = 128;
  static constexpr int64_t kStatesPerIteration = 16;
  // The descent re-splits pairs up to this many agents, triples up to
  // kTripleAgents (its bookkeeping is m² and m³ entries).
  static constexpr int kPairAgents = 400;
  static constexpr int kTripleAgents = 100;
  // Above kTripleAllAgents agents a triple pass tries, for each agent,
  // the triples with two of its kTripleNeighbours nearest agents only.
  static constexpr int kTripleAllAgents = 40;
  static constexpr int kTripleNeighbours = 8;
  // The descent's rule for searching an exchange: at every chance until
  // kExchangeTries searches in a row found none, then at every
  // kExchangeEvery-th chance until one finds one.
  static constexpr int64_t kExchangeTries = 4;
  static constexpr int64_t kExchangeEvery = 8;
  // Budget: an exchange step counts 1 + its examined arcs / this.
  static constexpr int64_t kArcsPerIteration = 64;

  size_t At(int i, int b) const { return static_cast<size_t>(i) * m_ + b; }
  // Excess of agent b at load l.
  double Ex(int b, double l) const { return l > tol_[b] ? l - cap_[b] : 0.0; }
  const int* CandBegin(int i) const { return cand_.data() + cand_start_[i]; }
  const int* CandEnd(int i) const {
    return cand_.data() + cand_start_[i] + live_n_[i];
  }
  double Elapsed() const;

  void Move(int i, int b);
  void Load(const std::vector<int>& x);
  void Recompute();
  void RecordIfBest();
  void UpdateWeights();
  void Kick(int strength);
  // Candidate lists ordered by reduced cost under `u` (empty: by cost).
  void BuildCandidates(const std::vector<double>& u);
  // Re-split descent on the feasible assignment *x (integral demands and
  // capacities only): re-splits the items of each pair, then triple, of
  // agents optimally (AgentSplit) until none improves, with a narrow beam
  // first (see the file comment). Returns the cost of *x afterwards.
  double ResplitDescent(std::vector<int>* x);

  const Allowed& al_;
  Rng rng_;
  std::chrono::steady_clock::time_point start_;
  double time_limit_s_;
  int64_t budget_;
  int n_, m_;
  std::vector<double> c_;  // [i·m + b]: linear + migration cost
  std::vector<double> w_;  // [i·m + b]: demand
  std::vector<uint8_t> ok_;
  std::vector<int64_t> cand_start_;  // size n+1
  std::vector<int> cand_;            // bins scanned for each item
  std::vector<int> live_n_;          // length of each item's list
  std::vector<uint8_t> live_;        // [i·m + b]: b is a candidate for i
  std::vector<double> cap_, tol_;
  // Demands and capacities integral (the re-split's DP needs it).
  bool integral_ = false;
  std::vector<int64_t> icap_;
  std::vector<double> u_;  // Lagrangian multipliers (empty: none)
  // Re-split descent bookkeeping: a version per agent, the version sum of
  // each pair / triple at its last examination.
  std::vector<int64_t> ver_, seen2_, seen3_;
  AgentSplit split_{kSplitStates};
  GapExchange exchange_;
  int exchange_items_ = kDefaultExchangeItems;
  int64_t exchange_fails_ = 0;  // consecutive exchange steps without one
  int64_t exchange_skips_ = 0;

  std::vector<int> x_;
  std::vector<double> load_, exb_;  // per agent: load and its excess
  std::vector<std::vector<int>> members_;
  std::vector<int> pos_;
  double cost_ = 0;
  double excess_ = 0;
  std::vector<double> alpha_;
  std::vector<double> alpha0_;       // initial / reset weight per agent
  std::vector<int64_t> tabu_until_;  // [i·m + b]: i may not enter b before
  // Best three insertion targets of each item (cost + penalty of adding it
  // there), refreshed by every shift scan, for the chains.
  std::vector<double> top3v_;
  std::vector<int> top3b_;

  // Episode bests for relinking restarts.
  ElitePool elite_;

  std::vector<int> best_x_;
  double best_cost_ = kInf;
  double seconds_to_best_ = 0;
  int64_t iterations_ = 0;
  int64_t moves_ = 0;
  double target_ = -kInf;
  bool stop_ = false;
};

}  // namespace ecotone::placement::internal

#endif  // ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_GAP_TABU_H_
