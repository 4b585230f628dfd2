// Elite pool of the tabu searches (tabu.h, gap_tabu.h): the best feasible
// assignment of each episode (an episode ends at a restart) is kept among
// the kCapacity cheapest distinct ones, and a restart may start from a
// relinking point between two of them. Private to the heuristic solver.
#ifndef ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_ELITE_H_
#define ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_ELITE_H_

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "solvers/heuristic/engine.h"

namespace ecotone::placement::internal {

class ElitePool {
 public:
  static constexpr size_t kCapacity = 8;

  // A feasible assignment of the current episode; the cheapest one is kept.
  void Note(double cost, const std::vector<int>& x) {
    if (cost < episode_cost_) {
      episode_cost_ = cost;
      episode_x_ = x;
    }
  }

  // The current episode's best assignment and its cost (nullptr / +inf
  // while the episode has none).
  const std::vector<int>* episode_best() const {
    return episode_cost_ < kNone ? &episode_x_ : nullptr;
  }
  double episode_cost() const { return episode_cost_; }

  // Ends the episode: its best assignment joins the pool unless the pool
  // holds it already; a full pool replaces its dearest member when the new
  // one is cheaper.
  void EndEpisode() {
    if (episode_cost_ < kNone) {
      bool known = false;
      for (const auto& [c, x] : members_) known = known || x == episode_x_;
      if (!known) {
        if (members_.size() < kCapacity) {
          members_.push_back({episode_cost_, episode_x_});
        } else {
          auto worst = std::max_element(members_.begin(), members_.end());
          if (episode_cost_ < worst->first)
            *worst = {episode_cost_, episode_x_};
        }
      }
    }
    episode_cost_ = kNone;
  }

  // With two members or more, and then with probability 1/2: a relinking
  // point in *x — from one member, each item where a second one differs
  // takes the second one's bin with probability 1/2 (a point between two
  // good regions) — and true. Otherwise false and *x untouched.
  bool RelinkPoint(Rng& rng, std::vector<int>* x) const {
    if (members_.size() < 2 || rng.Below(2) != 0) return false;
    const size_t a = rng.Below(members_.size());
    size_t b = rng.Below(members_.size() - 1);
    if (b >= a) ++b;
    *x = members_[a].second;
    const std::vector<int>& y = members_[b].second;
    for (size_t i = 0; i < x->size(); ++i) {
      if ((*x)[i] != y[i] && rng.Below(2) == 0) (*x)[i] = y[i];
    }
    return true;
  }

 private:
  static constexpr double kNone = std::numeric_limits<double>::infinity();
  std::vector<std::pair<double, std::vector<int>>> members_;
  std::vector<int> episode_x_;
  double episode_cost_ = kNone;
};

}  // namespace ecotone::placement::internal

#endif  // ECOTONE_PLACEMENT_SOLVERS_HEURISTIC_ELITE_H_
