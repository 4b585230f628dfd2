// Tabu search with strategic oscillation for assignment problems without
// spread groups or distance limits: the GAP, the GQAP and ecosystem problems
// that only have capacities, allowed bins, linear/migration costs and a
// pairwise term (private to the "heuristic" solver).
//
// The search minimises the penalised objective
//
//   F(x) = cost(x) + Σ_{b,d} α_bd · max(0, load_bd − Q_bd)
//
// with one adaptive weight per bin and dimension (Yagiura, Ibaraki & Glover
// 2004, "An ejection chain approach for the generalized assignment
// problem"; Díaz & Fernández 2001): after every move the weights of
// overloaded bins grow and, while the current assignment is feasible, all
// weights shrink, so the search oscillates around the feasibility boundary
// where the good GAP/GQAP solutions are.
//
// Each iteration takes the best admissible move of
//   * shift: item i from bin a to bin b (all allowed b, all items),
//   * swap: items i (bin a) and j (bin b) exchange bins, for j in the bins
//     that are among the best shift targets of i,
//   * ejection chain of length 2: i goes a -> b and one item j of b is
//     ejected to its best third bin c != a, b (Yagiura et al.'s chains, cut
//     at depth 2), for the same candidate bins b,
// where a move is tabu when it returns an item to a bin it left within the
// last `tenure` iterations, unless it yields a feasible assignment better
// than the best known (aspiration). When the best feasible assignment has
// not improved for a while, the search restarts with a cleared tabu list:
// half of the time from the best assignment with a random kick, half of the
// time from a relinked point between two assignments of an elite pool of
// episode bests (each differing item takes either one's bin).
//
// Deltas: O(D) per shift for the linear and capacity parts, O(1) for the
// pairwise part through the pull matrix pull[i·m+b] = λ Σ_j w_ij d(b, x_j)
// (updated in O(degree · m) per move). One iteration costs O(n·m·D) for the
// shifts plus the candidate swaps and chains.
//
// Deterministic for a given problem, options and seed: one iteration counts
// n item visits against SolveOptions::max_iterations, and the time limit is
// only a safety cap. Single-threaded; not copyable.
#ifndef ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_TABU_H_
#define ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_TABU_H_

#include <chrono>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "ecotone/placement/problem.h"
#include "ecotone/placement/solver.h"
#include "internal.h"
#include "solvers/heuristic/elite.h"
#include "solvers/heuristic/engine.h"

namespace ecotone::placement::internal {

class TabuSearch {
 public:
  // True when the problem has no spread groups and no distance limits and
  // is small enough for a full scan of the shifts per iteration (n·m <=
  // 2·10^5: the largest GAP benchmark, 80 × 1600, has 1.28·10^5).
  static bool Applicable(const Problem& problem);

  // `problem` must be Applicable() and outlive the search. `time_limit_s`
  // and `max_iterations` (0 = none) bound the run from its start.
  TabuSearch(const Problem& problem, const Allowed& allowed, uint64_t seed,
             double time_limit_s, int64_t max_iterations);
  TabuSearch(const TabuSearch&) = delete;
  TabuSearch& operator=(const TabuSearch&) = delete;

  // Searches from `start` (a bin per item; -1 or a disallowed bin is
  // replaced by the item's cheapest allowed bin). The start need not be
  // feasible.
  void Run(const std::vector<int>& start);

  // Stop as soon as a feasible assignment of cost <= target is found.
  void set_target(double target) { target_ = target; }

  bool found_feasible() const { return best_cost_ < kInf; }
  const std::vector<int>& best() const { return best_x_; }
  double best_cost() const { return best_cost_; }
  int64_t iterations() const { return iterations_; }
  double seconds_to_best() const { return seconds_to_best_; }
  const std::vector<int>& current() const { return x_; }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  double Q(int i, int b, int d) const {
    return uniform_ ? q_[static_cast<size_t>(i) * D_ + d]
                    : q_[(static_cast<size_t>(i) * m_ + b) * D_ + d];
  }
  double Cap(int b, int d) const {
    return cap_[static_cast<size_t>(b) * D_ + d];
  }
  double C(int i, int b) const { return C_[static_cast<size_t>(i) * m_ + b]; }
  double PullOf(int i, int b) const {
    return pair_ ? pull_[static_cast<size_t>(i) * m_ + b] : 0.0;
  }
  double PairWeight(int i, int j) const;
  // Bins scanned for item i's moves: all allowed bins, or its candidate
  // list when the problem has many bins (see the constructor).
  const std::vector<int>& Cands(int i) const {
    return cand_.empty() ? al_.Bins(i) : cand_[i];
  }
  double Elapsed() const;

  // Penalised (f) and unweighted (e) excess change of bin b when its load in
  // every dimension changes by add(d) - sub(d).
  void BinDelta(int b, int add_item, int sub_item, double* f, double* e) const;
  void Move(int i, int b);
  void Load(const std::vector<int>& x);
  void Recompute();
  void RecordIfBest();
  void UpdateWeights();
  void Kick(int strength);

  const Problem& p_;
  const Allowed& al_;
  Rng rng_;
  std::chrono::steady_clock::time_point start_;
  double time_limit_s_;
  int64_t budget_;
  int n_, m_, D_;
  bool uniform_;
  const double* q_;
  const double* cap_;
  std::vector<double> C_;
  bool pair_;
  std::vector<double> pull_;

  std::vector<int> x_;
  std::vector<double> load_;
  std::vector<std::vector<int>> members_;
  std::vector<int> pos_;
  double cost_ = 0;
  double excess_ = 0;  // Σ_{b,d} max(0, load - cap)
  std::vector<double> alpha_, alpha0_;
  std::vector<int64_t> tabu_until_;
  std::vector<std::vector<int>> cand_;  // empty = all allowed bins
  std::vector<uint8_t> ok_;             // [i·m + b]: b allowed for i
  std::vector<double> tol_;             // [b·D + d]: capacity + tolerance
  // Best three insertion targets of each item and their values (cost +
  // penalty of adding it there), refreshed every iteration for the chains.
  std::vector<float> top3v_;
  std::vector<int> top3b_;  // [i·m + b]: i may not enter b before

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

#endif  // ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_TABU_H_
