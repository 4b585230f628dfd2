// The local-search engine behind the "heuristic" solver (private).
//
// State: an assignment x (bin per item, -1 while constructing), loads per bin
// and dimension, and the violation totals. The search minimises the
// penalised objective
//
//   F(x) = cost(x) + Σ_d α_d · E_d(x) + β · V(x)
//
// where E_d is the total capacity excess in dimension d and V counts spread
// and distance-limit violations (allowed bins are never left: they are hard).
// α and β adapt (strategic oscillation, Glover & Hao; Díaz & Fernández 2001
// for the GAP): raised while local optima are infeasible, lowered while they
// are feasible, so the search crosses infeasible space but only feasible
// assignments are ever reported.
//
// Moves: shift (one item to another bin), swap (two items in different bins)
// and, in the perturbation, ejection of a random set of items. Every delta is
// computed incrementally: O(D) for the linear and capacity parts, O(degree)
// for the pairwise part (O(1) with the pull matrix on small instances:
// pull[i·m + b] = λ Σ_j w_ij d(b, x_j)), O(group size) for spread and
// O(limits of the item) for distance limits.
//
// An Engine is single-threaded and deterministic: the same problem, options
// and seed give the same sequence of moves; the time limit only decides when
// to stop.
#ifndef ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_ENGINE_H_
#define ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "ecotone/placement/problem.h"
#include "ecotone/placement/solver.h"
#include "internal.h"

namespace ecotone::placement::internal {

// xoshiro256** seeded by splitmix64: small, fast, reproducible everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, n), n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Uniform() { return (Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_[4];
};

class Engine {
 public:
  Engine(const Problem& problem, const Allowed& allowed,
         const SolveOptions& options);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Builds the first assignment (from options.initial where valid, greedy
  // otherwise) and improves it until the iteration budget or the time limit.
  void Run();

  // Stop as soon as a feasible assignment of cost <= target is found (e.g.
  // a proven lower bound). Default -inf.
  void set_target(double target) { target_ = target; }

  bool found_feasible() const { return best_cost_ < kInf; }
  const std::vector<int>& best() const { return best_x_; }
  double best_cost() const { return best_cost_; }
  int64_t iterations() const { return iterations_; }
  double seconds_to_best() const { return seconds_to_best_; }
  // The last assignment (possibly infeasible), for diagnostics.
  const std::vector<int>& current() const { return x_; }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  struct GroupState {
    int min_bins = 0, max_per_bin = 0, min_doms = 0, max_per_dom = 0;
    std::vector<std::pair<int, int>> bin_count;  // (bin, count > 0)
    std::vector<std::pair<int, int>> dom_count;  // (domain, count > 0)
  };

  double Elapsed() const;
  bool OutOfTime();
  double Cost(int i, int b) const {
    return dense_cost_ ? C_[static_cast<size_t>(i) * m_ + b]
                       : p_.LinearCost(i, b) + p_.MigrationCost(i, b);
  }
  double Q(int i, int b, int d) const {
    return uniform_ ? q_[static_cast<size_t>(i) * D_ + d]
                    : q_[(static_cast<size_t>(i) * m_ + b) * D_ + d];
  }
  double Cap(int b, int d) const {
    return cap_[static_cast<size_t>(b) * D_ + d];
  }
  double& Load(int b, int d) { return load_[static_cast<size_t>(b) * D_ + d]; }
  // λ Σ_j w_ij d(b, x_j) over placed neighbours j (excluding `skip`).
  double Pull(int i, int b, int skip = -1) const;
  double PairWeight(int i, int j) const;

  // Deltas of the penalised objective.
  double CapacityDelta(int i, int from, int to) const;
  double SpreadDelta(int i, int from, int to) const;
  double LimitDelta(int i, int from, int to, int other, int other_bin) const;
  double ShiftDelta(int i, int to, double* cost_delta) const;
  double SwapDelta(int i, int j, double* cost_delta) const;

  void Place(int i, int b);  // x_i: -1 -> b
  void Remove(int i);        // x_i: b -> -1
  void Move(int i, int b) {
    Remove(i);
    Place(i, b);
  }
  void GroupAdd(int g, int b, int sign);
  double GroupViolation(const GroupState& gs) const;
  double LimitViolationOf(int i) const;  // violations counted for i's limits

  bool Fits(int i, int b) const;
  void TrimCandidates(int i, std::vector<int>* bins);
  void Construct();
  void CandidateBins(int i, std::vector<int>* out);
  bool Descend();  // true when stopped by budget
  void Perturb(int strength);
  void Push(int i);
  void RecordIfBest();
  double Penalised() const;
  double TotalViolation() const;
  void Recompute();

  const Problem& p_;
  const Allowed& al_;
  const SolveOptions& opt_;
  Rng rng_;
  std::chrono::steady_clock::time_point start_;
  int n_, m_, D_;
  bool dense_cost_ = false;
  std::vector<double> C_;
  bool uniform_ = true;
  const double* q_ = nullptr;
  const double* cap_ = nullptr;
  bool pair_ = false;
  bool use_pull_ = false;
  std::vector<double> pull_;
  bool full_candidates_ = true;
  std::vector<int> cheap_bins_;
  bool spread_ = false;
  std::vector<GroupState> groups_;
  // Per item: (other item, index into Problem::distance_limits).
  std::vector<std::vector<std::pair<int, int>>> limits_of_;
  bool limits_ = false;

  std::vector<int> x_;
  std::vector<double> load_;
  std::vector<std::vector<int>> members_;
  std::vector<int> pos_;
  double cost_ = 0;
  std::vector<double> excess_;  // E_d
  double spread_viol_ = 0;
  double spread_base_ = 0;
  double limit_viol_ = 0;
  std::vector<double> alpha_;
  double beta_ = 1;

  std::vector<int> queue_;
  std::vector<uint8_t> queued_;
  std::vector<int> scratch_;
  std::vector<std::pair<double, int>> trim_;

  std::vector<int> best_x_;
  double best_cost_ = kInf;
  double seconds_to_best_ = 0;
  int64_t iterations_ = 0;
  int64_t budget_ = 0;
  bool stop_ = false;
  double target_ = -kInf;
};

}  // namespace ecotone::placement::internal

#endif  // ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_ENGINE_H_
