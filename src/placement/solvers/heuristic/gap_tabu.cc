// Tabu search with ejection chains for pure GAP-shaped problems; see
// gap_tabu.h for the method and the neighbourhoods.
#include "solvers/heuristic/gap_tabu.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ecotone::placement::internal {
namespace {

constexpr int64_t kMaxPairs = 200'000;
constexpr double kEps = 1e-7;
constexpr int kCandidateBins = 24;
constexpr double kFeasTol = 1e-9;
constexpr int kWindow = 200;
constexpr int kLongChains = 4;
constexpr int kMaxChainDepth = 8;

// Best `k` (value, bin) pairs seen so far, smallest value first (k <= 8).
struct TopK {
  int k = 0;
  int size = 0;
  double v[8];
  int b[8];
  void Offer(double value, int bin) {
    if (size == k && value >= v[size - 1]) return;
    int at = size < k ? size++ : size - 1;
    while (at > 0 && v[at - 1] > value) {
      v[at] = v[at - 1];
      b[at] = b[at - 1];
      --at;
    }
    v[at] = value;
    b[at] = bin;
  }
};

// One candidate depth-2 chain i -> b, j -> c with its penalised delta.
struct Chain {
  double f;
  int i, b, j, c;
};

}  // namespace

double AgentSplit::Solve(const std::vector<Item>& items, int k,
                         const int64_t cap[], const double u[], double upper,
                         std::vector<uint8_t>* side) {
  constexpr double kNo = std::numeric_limits<double>::infinity();
  const int n = static_cast<int>(items.size());
  exact_ = true;
  generated_ = 0;
  // Forced items (one allowed agent) first, then by decreasing regret
  // (second best minus best value) under u: the bound tightens fastest on
  // the items that matter.
  auto lag = [&](const Item& it, int s) {
    return std::isfinite(it.cost[s]) ? it.cost[s] + u[s] * it.w[s] : kNo;
  };
  auto regret = [&](const Item& it) {
    double b1 = kNo, b2 = kNo;
    for (int s = 0; s < k; ++s) {
      const double v = lag(it, s);
      if (v < b1) {
        b2 = b1;
        b1 = v;
      } else if (v < b2) {
        b2 = v;
      }
    }
    return std::isfinite(b2) ? b2 - b1 : kNo;
  };
  order_.resize(n);
  for (int q = 0; q < n; ++q) order_[q] = q;
  std::stable_sort(order_.begin(), order_.end(), [&](int x, int y) {
    return regret(items[x]) > regret(items[y]);
  });
  rest_.assign(n + 1, 0.0);
  restw_.assign(n + 1, 0);
  for (int q = n - 1; q >= 0; --q) {
    const Item& it = items[order_[q]];
    double l = kNo;
    int64_t w = std::numeric_limits<int64_t>::max();
    for (int s = 0; s < k; ++s) {
      l = std::min(l, lag(it, s));
      if (std::isfinite(it.cost[s])) w = std::min(w, it.w[s]);
    }
    if (!std::isfinite(l)) return kNo;  // an item no agent takes
    rest_[q] = rest_[q + 1] + l;
    restw_[q] = restw_[q + 1] + w;
  }
  int64_t total_cap = 0;
  double base = 0;  // Σ_s -u_s·cap_s
  for (int s = 0; s < k; ++s) {
    total_cap += cap[s];
    base -= u[s] * static_cast<double>(cap[s]);
  }
  nodes_.clear();
  nodes_.push_back(Node{{0, 0, 0}, 0.0, 0.0, -1, 0});
  size_t begin = 0, end = 1;
  for (int q = 0; q < n; ++q) {
    const Item& it = items[order_[q]];
    next_.clear();
    for (size_t p = begin; p < end; ++p) {
      const Node& from = nodes_[p];
      int64_t sum = 0;
      double ul = base;
      for (int s = 0; s < k; ++s) {
        sum += from.l[s];
        ul += u[s] * static_cast<double>(from.l[s]);
      }
      for (int s = 0; s < k; ++s) {
        if (!std::isfinite(it.cost[s])) continue;
        const int64_t ls = from.l[s] + it.w[s];
        if (ls > cap[s]) continue;
        if (sum + it.w[s] + restw_[q + 1] > total_cap) continue;
        const double c = from.cost + it.cost[s];
        const double bound =
            c + ul + u[s] * static_cast<double>(it.w[s]) + rest_[q + 1];
        if (bound >= upper) continue;
        Node to{{from.l[0], from.l[1], from.l[2]},
                c,
                bound,
                static_cast<int32_t>(p),
                static_cast<uint8_t>(s)};
        to.l[s] = ls;
        next_.push_back(to);
      }
    }
    generated_ += static_cast<int64_t>(next_.size());
    if (next_.empty()) return kNo;
    // Dominance among states that differ in the last load only: keep a
    // state only if it is cheaper than every state with the same other
    // loads and a smaller or equal last load.
    const int last = k - 1;
    auto same_head = [last](const Node& x, const Node& y) {
      for (int s = 0; s < last; ++s) {
        if (x.l[s] != y.l[s]) return false;
      }
      return true;
    };
    std::sort(next_.begin(), next_.end(), [k](const Node& x, const Node& y) {
      for (int s = 0; s < k; ++s) {
        if (x.l[s] != y.l[s]) return x.l[s] < y.l[s];
      }
      return x.cost < y.cost;
    });
    size_t kept = 0;
    double run_min = kNo;
    for (size_t r = 0; r < next_.size(); ++r) {
      if (r == 0 || !same_head(next_[r], next_[r - 1])) run_min = kNo;
      if (next_[r].cost >= run_min) continue;
      run_min = next_[r].cost;
      next_[kept++] = next_[r];
    }
    next_.resize(kept);
    if (next_.size() > max_states_) {
      // Beam: the states of least bound (ties by loads, for determinism).
      exact_ = false;
      std::nth_element(next_.begin(), next_.begin() + max_states_, next_.end(),
                       [k](const Node& x, const Node& y) {
                         if (x.bound != y.bound) return x.bound < y.bound;
                         for (int s = 0; s < k; ++s) {
                           if (x.l[s] != y.l[s]) return x.l[s] < y.l[s];
                         }
                         return false;
                       });
      next_.resize(max_states_);
    }
    begin = nodes_.size();
    nodes_.insert(nodes_.end(), next_.begin(), next_.end());
    end = nodes_.size();
  }
  size_t best = end;
  for (size_t p = begin; p < end; ++p) {
    if (nodes_[p].cost < upper &&
        (best == end || nodes_[p].cost < nodes_[best].cost)) {
      best = p;
    }
  }
  if (best == end) return kNo;
  side->assign(n, 0);
  int q = n - 1;
  for (int32_t p = static_cast<int32_t>(best); p > 0; p = nodes_[p].parent) {
    (*side)[order_[q--]] = nodes_[p].side;
  }
  return nodes_[best].cost;
}

bool GapTabu::Applicable(const Problem& p) {
  if (p.num_dims != 1) return false;
  if (p.HasPairwise()) return false;
  if (!p.distance_limits.empty()) return false;
  for (const Group& g : p.groups) {
    if (g.min_distinct_bins || g.max_per_bin) return false;
    if (!p.bin_domain.empty() && (g.min_distinct_domains || g.max_per_domain)) {
      return false;
    }
  }
  return p.num_items > 0 && p.num_bins > 0 &&
         static_cast<int64_t>(p.num_items) * p.num_bins <= kMaxPairs;
}

GapTabu::GapTabu(const Problem& p, const Allowed& allowed, uint64_t seed,
                 double time_limit_s, int64_t max_iterations)
    : al_(allowed),
      rng_(seed ^ 0x3C6EF372FE94F82BULL),
      start_(std::chrono::steady_clock::now()),
      time_limit_s_(time_limit_s),
      budget_(max_iterations),
      n_(p.num_items),
      m_(p.num_bins) {
  const size_t nm = static_cast<size_t>(n_) * m_;
  c_.assign(nm, 0.0);
  w_.assign(nm, 0.0);
  ok_.assign(nm, 0);
  for (int i = 0; i < n_; ++i) {
    for (int b = 0; b < m_; ++b) w_[At(i, b)] = p.Demand(i, b, 0);
    for (int b : al_.Bins(i)) {
      c_[At(i, b)] = p.LinearCost(i, b) + p.MigrationCost(i, b);
      ok_[At(i, b)] = 1;
    }
  }
  BuildCandidates({});
  cap_.resize(m_);
  tol_.resize(m_);
  for (int b = 0; b < m_; ++b) {
    cap_[b] = p.Capacity(b, 0);
    tol_[b] = cap_[b] + kFeasTol * std::max(1.0, std::abs(cap_[b]));
  }
  // The re-split's DP indexes loads: integral demands and capacities only
  // (every OR-Library instance; byte- or millicore-sized ones too, where the
  // state cap keeps it bounded).
  constexpr double kBig = 1e15;
  integral_ = true;
  icap_.assign(m_, 0);
  for (int b = 0; b < m_ && integral_; ++b) {
    integral_ = cap_[b] >= 0 && cap_[b] < kBig;
    if (integral_) icap_[b] = static_cast<int64_t>(std::floor(cap_[b]));
  }
  for (size_t k = 0; k < nm && integral_; ++k) {
    if (ok_[k]) {
      integral_ = w_[k] >= 0 && w_[k] < kBig && w_[k] == std::floor(w_[k]);
    }
  }
  if (integral_ && m_ <= kPairAgents) {
    ver_.assign(m_, 0);
    seen2_.assign(static_cast<size_t>(m_) * m_, -1);
    if (m_ <= kTripleAgents) {
      seen3_.assign(static_cast<size_t>(m_) * m_ * m_, -1);
    }
  }
  // Initial weight: one unit of excess costs about the cost spread of an
  // average item per unit of its average demand.
  double range = 0, demand = 0;
  int counted = 0, dcount = 0;
  for (int i = 0; i < n_; ++i) {
    const std::vector<int>& bins = al_.Bins(i);
    double lo = kInf, hi = -kInf;
    for (int b : bins) {
      lo = std::min(lo, c_[At(i, b)]);
      hi = std::max(hi, c_[At(i, b)]);
      demand += w_[At(i, b)];
      ++dcount;
    }
    if (bins.size() < 2) continue;
    range += hi - lo;
    ++counted;
  }
  range = std::max(counted ? range / counted : 1.0, 1e-6);
  demand = dcount ? demand / dcount : 1.0;
  alpha0_.assign(m_, range / std::max(demand, 1e-9));
  alpha_ = alpha0_;
  x_.assign(n_, -1);
  load_.assign(m_, 0.0);
  exb_.assign(m_, 0.0);
  members_.assign(m_, {});
  pos_.assign(n_, -1);
  tabu_until_.assign(nm, 0);
  top3v_.assign(static_cast<size_t>(n_) * 3, kInf);
  top3b_.assign(static_cast<size_t>(n_) * 3, -1);
}

void GapTabu::BuildCandidates(const std::vector<double>& u) {
  // Candidate agents: all allowed ones, or the kCandidateBins best when
  // there are many (a static candidate list; YIG restrict their
  // neighbourhoods the same way on the 80 × 1600 instances), by reduced
  // cost c + u·w (plain cost without multipliers), best first.
  cand_start_.assign(n_ + 1, 0);
  cand_.clear();
  live_n_.assign(n_, 0);
  live_.assign(static_cast<size_t>(n_) * m_, 0);
  std::vector<std::pair<double, int>> by_cost;
  for (int i = 0; i < n_; ++i) {
    by_cost.clear();
    for (int b : al_.Bins(i)) {
      double rc = c_[At(i, b)];
      if (!u.empty()) rc += u[b] * w_[At(i, b)];
      by_cost.push_back({rc, b});
    }
    size_t k = by_cost.size();
    if (m_ > kCandidateBins) k = std::min(k, size_t{kCandidateBins});
    std::partial_sort(by_cost.begin(), by_cost.begin() + k, by_cost.end());
    for (size_t t = 0; t < k; ++t) {
      cand_.push_back(by_cost[t].second);
      live_[At(i, by_cost[t].second)] = 1;
    }
    cand_start_[i + 1] = static_cast<int64_t>(cand_.size());
    live_n_[i] = static_cast<int>(k);
  }
}

void GapTabu::set_lagrangian(const std::vector<double>& u) {
  if (static_cast<int>(u.size()) != m_) return;
  u_ = u;
  BuildCandidates(u);
  // The multipliers price one unit of capacity of each agent: they are the
  // initial penalty weights (at least a tenth of their mean, so that no
  // agent is free to overload).
  double mean = 0;
  for (double x : u) mean += x / m_;
  if (mean > 0) {
    for (int b = 0; b < m_; ++b) alpha0_[b] = std::max(u[b], 0.1 * mean);
    alpha_ = alpha0_;
  }
}

double GapTabu::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

void GapTabu::Move(int i, int b) {
  const int a = x_[i];
  if (a == b) return;
  if (a >= 0) {
    cost_ -= c_[At(i, a)];
    load_[a] -= w_[At(i, a)];
    excess_ -= exb_[a];
    exb_[a] = Ex(a, load_[a]);
    excess_ += exb_[a];
    std::vector<int>& mem = members_[a];
    const int last = mem.back();
    mem[pos_[i]] = last;
    pos_[last] = pos_[i];
    mem.pop_back();
  }
  cost_ += c_[At(i, b)];
  load_[b] += w_[At(i, b)];
  excess_ -= exb_[b];
  exb_[b] = Ex(b, load_[b]);
  excess_ += exb_[b];
  pos_[i] = static_cast<int>(members_[b].size());
  members_[b].push_back(i);
  x_[i] = b;
}

void GapTabu::Load(const std::vector<int>& x) {
  std::fill(load_.begin(), load_.end(), 0.0);
  std::fill(exb_.begin(), exb_.end(), 0.0);
  for (auto& mem : members_) mem.clear();
  std::fill(x_.begin(), x_.end(), -1);
  cost_ = 0;
  excess_ = 0;
  for (int i = 0; i < n_; ++i) Move(i, x[i]);
  Recompute();
}

void GapTabu::Recompute() {
  // Exact sums (the incremental ones may drift with fractional data).
  cost_ = 0;
  std::fill(load_.begin(), load_.end(), 0.0);
  for (int i = 0; i < n_; ++i) {
    cost_ += c_[At(i, x_[i])];
    load_[x_[i]] += w_[At(i, x_[i])];
  }
  excess_ = 0;
  for (int b = 0; b < m_; ++b) {
    exb_[b] = Ex(b, load_[b]);
    excess_ += exb_[b];
  }
}

void GapTabu::RecordIfBest() {
  if (excess_ > kFeasTol) return;
  elite_.Note(cost_, x_);
  if (best_cost_ == kInf ||
      cost_ < best_cost_ - kEps * std::max(1.0, std::abs(best_cost_))) {
    // Confirm with exact sums before recording (cheap: a new best is rare).
    Recompute();
    if (excess_ > kFeasTol) return;
    best_x_ = x_;
    best_cost_ = cost_;
    seconds_to_best_ = Elapsed();
    if (best_cost_ <= target_ + kEps * std::max(1.0, std::abs(target_))) {
      stop_ = true;
    }
  }
}

void GapTabu::UpdateWeights() {
  // Strategic oscillation (same factors as TabuSearch): overloaded agents
  // get dearer; while feasible every weight relaxes.
  constexpr double kUp = 1.04, kDown = 0.985;
  if (excess_ <= kFeasTol) {
    for (int b = 0; b < m_; ++b) {
      alpha_[b] = std::max(alpha_[b] * kDown, alpha0_[b] * 1e-3);
    }
  } else {
    for (int b = 0; b < m_; ++b) {
      if (exb_[b] > 0) alpha_[b] = std::min(alpha_[b] * kUp, alpha0_[b] * 1e4);
    }
  }
}

void GapTabu::Kick(int strength) {
  for (int s = 0; s < strength; ++s) {
    const int i = static_cast<int>(rng_.Below(n_));
    if (live_n_[i] < 2) continue;
    const int b = CandBegin(i)[rng_.Below(live_n_[i])];
    if (b != x_[i]) Move(i, b);
  }
}

double GapTabu::ResplitDescent(std::vector<int>* x) {
  std::vector<int>& y = *x;
  std::vector<std::vector<int>> mem(m_);
  double total = 0;
  for (int i = 0; i < n_; ++i) {
    mem[y[i]].push_back(i);
    total += c_[At(i, y[i])];
  }
  if (!integral_ || m_ < 2 || m_ > kPairAgents) return total;
  std::vector<AgentSplit::Item> items;
  std::vector<int> all;
  std::vector<uint8_t> side;
  // Re-splits the items of agents ag[0..k) optimally; true if cheaper.
  auto resplit = [&](const int* ag, int k) {
    items.clear();
    all.clear();
    double now = 0;
    bool movable = false;
    for (int g = 0; g < k; ++g) {
      for (int i : mem[ag[g]]) {
        AgentSplit::Item it{};
        int allowed = 0;
        for (int s = 0; s < k; ++s) {
          const size_t is = At(i, ag[s]);
          it.cost[s] = ok_[is] ? c_[is] : kInf;
          it.w[s] = static_cast<int64_t>(w_[is]);
          allowed += ok_[is];
        }
        items.push_back(it);
        all.push_back(i);
        now += c_[At(i, ag[g])];
        movable = movable || allowed > 1;
      }
    }
    if (!movable) return false;
    int64_t cap[AgentSplit::kMaxAgents];
    double u[AgentSplit::kMaxAgents];
    for (int s = 0; s < k; ++s) {
      cap[s] = icap_[ag[s]];
      u[s] = u_.empty() ? 0.0 : std::max(0.0, u_[ag[s]]);
    }
    const double upper = now - kEps * std::max(1.0, std::abs(total));
    const double got = split_.Solve(items, k, cap, u, upper, &side);
    // Budget: 16 states generated count as one item visit (about the work
    // of one item's scan in the walk).
    iterations_ += 1 + split_.generated() / kStatesPerIteration;
    if (!(got < upper)) return false;
    for (int g = 0; g < k; ++g) mem[ag[g]].clear();
    for (size_t q = 0; q < all.size(); ++q) {
      const int to = ag[side[q]];
      y[all[q]] = to;
      mem[to].push_back(all[q]);
    }
    total += got - now;
    return true;
  };
  const GapExchange::Instance exchange_in{.n = n_,
                                          .m = m_,
                                          .cost = c_.data(),
                                          .weight = w_.data(),
                                          .allowed = ok_.data(),
                                          .capacity = icap_.data(),
                                          .cand_start = cand_start_.data(),
                                          .cand = cand_.data(),
                                          .cand_size = live_n_.data()};
  std::vector<std::pair<int, int>> moves;
  // A pair (triple) is (re)examined when one of its agents changed since
  // its last examination: the sum of their versions, which only grow (by
  // one per change and per call), differs from the one recorded then.
  for (int64_t& v : ver_) ++v;
  const bool triples = m_ >= 3 && m_ <= kTripleAgents;
  auto out_of_time = [&] {
    return (budget_ > 0 && iterations_ >= budget_) || Elapsed() > time_limit_s_;
  };
  // Two phases: first with a narrow beam (kCoarseStates states per layer:
  // far from a local optimum most improving re-splits are found at a
  // fraction of the cost), then exact (kSplitStates), where only the pairs
  // and triples whose narrow re-split was cut by the beam, or whose agents
  // changed since, are examined again.
  for (const size_t states : {kCoarseStates, kSplitStates}) {
    split_.set_max_states(states);
    auto mark = [&](int64_t& last) {
      if (states < kSplitStates && !split_.exact()) last = -1;
    };
    while (!stop_) {
      bool improved = true;
      while (improved && !stop_) {
        improved = false;
        for (int a = 0; a < m_ && !stop_; ++a) {
          if (out_of_time()) return total;
          for (int b = a + 1; b < m_; ++b) {
            int64_t& last = seen2_[static_cast<size_t>(a) * m_ + b];
            if (last == ver_[a] + ver_[b]) continue;
            last = ver_[a] + ver_[b];
            const int ag[2] = {a, b};
            if (!resplit(ag, 2)) {
              mark(last);
              continue;
            }
            ++ver_[a];
            ++ver_[b];
            last = ver_[a] + ver_[b];
            mark(last);
            improved = true;
          }
        }
      }
      if (!triples) break;
      // Pairs are locally optimal: one pass over the triples. Above
      // kTripleAllAgents agents only the triples {a, b, c} with b and c among
      // a's kTripleNeighbours neighbours: the agents its items (and the
      // items that would come to it) rank best after their own by reduced
      // cost, counted over the current assignment.
      improved = false;
      auto try_triple = [&](int a, int b, int c) {
        int64_t& last = seen3_[(static_cast<size_t>(a) * m_ + b) * m_ + c];
        if (last == ver_[a] + ver_[b] + ver_[c]) return;
        last = ver_[a] + ver_[b] + ver_[c];
        const int ag[3] = {a, b, c};
        if (!resplit(ag, 3)) {
          mark(last);
          return;
        }
        ++ver_[a];
        ++ver_[b];
        ++ver_[c];
        last = ver_[a] + ver_[b] + ver_[c];
        mark(last);
        improved = true;
      };
      if (m_ <= kTripleAllAgents) {
        for (int a = 0; a < m_ && !stop_; ++a) {
          for (int b = a + 1; b < m_; ++b) {
            if (out_of_time()) return total;
            for (int c = b + 1; c < m_; ++c) try_triple(a, b, c);
          }
        }
      } else {
        std::vector<int64_t> near(static_cast<size_t>(m_) * m_, 0);
        for (int i = 0; i < n_; ++i) {
          const int a = y[i];
          int taken = 0;
          for (const int* p = CandBegin(i); p != CandEnd(i) && taken < 3; ++p) {
            if (*p == a) continue;
            ++near[static_cast<size_t>(a) * m_ + *p];
            ++near[static_cast<size_t>(*p) * m_ + a];
            ++taken;
          }
        }
        std::vector<int> nb;
        for (int a = 0; a < m_ && !stop_; ++a) {
          if (out_of_time()) return total;
          nb.clear();
          const int64_t* row = near.data() + static_cast<size_t>(a) * m_;
          for (int b = 0; b < m_; ++b) {
            if (b != a && row[b] > 0) nb.push_back(b);
          }
          const size_t k = std::min(nb.size(), size_t{kTripleNeighbours});
          std::partial_sort(nb.begin(), nb.begin() + k, nb.end(),
                            [&](int p, int q) {
                              return row[p] != row[q] ? row[p] > row[q] : p < q;
                            });
          for (size_t s = 0; s < k; ++s) {
            for (size_t t = s + 1; t < k; ++t) {
              int g[3] = {a, nb[s], nb[t]};
              std::sort(g, g + 3);
              try_triple(g[0], g[1], g[2]);
            }
          }
        }
      }
      // Pairs and triples are locally optimal: one cyclic or path exchange
      // (longer than a triple's moves, across up to exchange_items_
      // agents), then the pairs and triples again. Searched at every
      // chance until kExchangeTries searches in a row found none, then at
      // every kExchangeEvery-th (on yagiura2004 type e they almost never
      // find one).
      static_assert(kTripleAgents <= GapExchange::kMaxAgents);
      if (!improved && states == kSplitStates && exchange_items_ >= 2 &&
          (exchange_fails_ < kExchangeTries ||
           ++exchange_skips_ % kExchangeEvery == 0)) {
        if (out_of_time()) return total;
        const double delta =
            exchange_.Find(exchange_in, y, mem, exchange_items_, &moves);
        iterations_ += 1 + exchange_.scanned() / kArcsPerIteration;
        if (delta < 0) {
          for (auto [i, to] : moves) {
            const int from = y[i];
            auto& mf = mem[from];
            mf.erase(std::find(mf.begin(), mf.end(), i));
            mem[to].push_back(i);
            y[i] = to;
            ++ver_[from];
            ++ver_[to];
          }
          total += delta;
          improved = true;
          exchange_fails_ = 0;
        } else {
          ++exchange_fails_;
        }
      }
      if (!improved) break;
    }
  }
  return total;
}

double GapExchange::Find(const Instance& in, const std::vector<int>& y,
                         const std::vector<std::vector<int>>& mem,
                         int max_items,
                         std::vector<std::pair<int, int>>* moves) {
  moves->clear();
  scanned_ = 0;
  const int n = in.n, m = in.m;
  if (m < 2 || m > kMaxAgents || max_items < 2) return 0;
  auto at = [m](int i, int b) { return static_cast<size_t>(i) * m + b; };
  slack_.assign(m, 0);
  for (int b = 0; b < m; ++b) {
    int64_t load = 0;
    for (int i : mem[b]) load += static_cast<int64_t>(in.weight[at(i, b)]);
    slack_[b] = in.capacity[b] - load;
  }
  auto has = [](const uint64_t* s, int b) {
    return ((s[b >> 6] >> (b & 63)) & 1) != 0;
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // Improvements below this are rounding noise.
  constexpr double kImprove = -1e-6;
  cur_.resize(n);
  next_.resize(n);
  double best = kImprove;
  int best_len = -1, best_item = -1, best_to = -1;
  for (int mode = 0; mode < 2 && best_len < 0; ++mode) {
    const bool path = mode == 1;
    // Length 1: every item in hand, having left its agent (a path charges
    // that now, a cycle when it closes).
    for (int i = 0; i < n; ++i) {
      Label& l = cur_[i];
      l.d = path ? -in.cost[at(i, y[i])] : 0.0;
      l.start = path ? n : i;
      l.parent = -1;
      l.agents[0] = l.agents[1] = 0;
      l.agents[y[i] >> 6] |= uint64_t{1} << (y[i] & 63);
    }
    parents_.assign(static_cast<size_t>(n), -1);
    for (int len = 1; len <= max_items; ++len) {
      // Close every label of this length.
      for (int j = 0; j < n; ++j) {
        const Label& l = cur_[j];
        // Every first item may close or extend (a path's first label costs
        // −c(j, agent j), which need not be negative); later ones only
        // while negative.
        if (!(l.d < 0) && len > 1) continue;
        const double* cj = in.cost + at(j, 0);
        const double* wj = in.weight + at(j, 0);
        if (!path) {
          if (len < 2) continue;
          const int s = l.start, b = y[s];
          ++scanned_;
          if (in.allowed[at(j, b)] &&
              static_cast<int64_t>(wj[b] - in.weight[at(s, b)]) <= slack_[b]) {
            const double t = l.d + cj[b] - in.cost[at(s, b)];
            if (t < best) {
              best = t;
              best_len = len;
              best_item = j;
              best_to = b;
            }
          }
          continue;
        }
        const int* c = in.cand + in.cand_start[j];
        for (const int* p = c; p != c + in.cand_size[j]; ++p) {
          const int b = *p;
          ++scanned_;
          if (has(l.agents, b) || !in.allowed[at(j, b)] ||
              static_cast<int64_t>(wj[b]) > slack_[b]) {
            continue;
          }
          const double t = l.d + cj[b];
          if (t < best) {
            best = t;
            best_len = len;
            best_item = j;
            best_to = b;
          }
        }
      }
      if (best_len >= 0 || len == max_items) break;
      // Extend: the item in hand j enters agent b, whose member l leaves.
      for (int i = 0; i < n; ++i) next_[i].d = kInf;
      bool any = false;
      for (int j = 0; j < n; ++j) {
        const Label& l = cur_[j];
        if (!(l.d < 0) && len > 1) continue;
        const double* cj = in.cost + at(j, 0);
        const double* wj = in.weight + at(j, 0);
        const int* c = in.cand + in.cand_start[j];
        for (const int* p = c; p != c + in.cand_size[j]; ++p) {
          const int b = *p;
          if (has(l.agents, b) || !in.allowed[at(j, b)]) continue;
          const int64_t room = slack_[b] - static_cast<int64_t>(wj[b]);
          const double base = l.d + cj[b];
          for (int k : mem[b]) {
            ++scanned_;
            const size_t kb = at(k, b);
            if (room + static_cast<int64_t>(in.weight[kb]) < 0) continue;
            const double d = base - in.cost[kb];
            Label& nl = next_[k];
            if (!(d < kImprove) || !(d < nl.d)) continue;
            nl.d = d;
            nl.start = l.start;
            nl.parent = j;
            nl.agents[0] = l.agents[0];
            nl.agents[1] = l.agents[1];
            nl.agents[b >> 6] |= uint64_t{1} << (b & 63);
            any = true;
          }
        }
      }
      if (!any) break;
      for (int i = 0; i < n; ++i)
        parents_.push_back(next_[i].d < kInf ? next_[i].parent : -1);
      std::swap(cur_, next_);
    }
  }
  if (best_len < 0) return 0;
  // The items from the first to best_item: parents_ holds, per length
  // len >= 2, the parent of each item's label at offset (len − 1)·n.
  std::vector<int> items(static_cast<size_t>(best_len));
  int item = best_item;
  for (int len = best_len; len >= 1; --len) {
    items[static_cast<size_t>(len - 1)] = item;
    if (len > 1) item = parents_[static_cast<size_t>(len - 1) * n + item];
  }
  for (size_t t = 0; t < items.size(); ++t) {
    const int to = t + 1 < items.size() ? y[items[t + 1]] : best_to;
    moves->push_back({items[t], to});
  }
  return best;
}

void GapTabu::Run(const std::vector<int>& start) {
  start_ = std::chrono::steady_clock::now();
  std::vector<int> x0(n_);
  for (int i = 0; i < n_; ++i) {
    const std::vector<int>& bins = al_.Bins(i);
    int b = i < static_cast<int>(start.size()) ? start[i] : -1;
    if (b < 0 || b >= m_ || !ok_[At(i, b)]) {
      b = bins[0];
      for (int c : bins) {
        if (c_[At(i, c)] < c_[At(i, b)]) b = c;
      }
    }
    x0[i] = b;
  }
  Load(x0);
  RecordIfBest();
  if (stop_ || m_ < 2) return;

  const int64_t all_swaps = static_cast<int64_t>(n_) * n_ / 2;
  const int k_bins = all_swaps <= 2'000 ? 8 : (all_swaps <= 100'000 ? 4 : 3);
  const int tenure_min = std::max(3, n_ / 40);
  const int tenure_span = std::max(4, n_ / 20);
  const int64_t restart_after = std::max<int64_t>(400, 8 * int64_t{n_});
  // Each iteration scans the moves of a window of kWindow items (rotating
  // through all of them), not all n: on 400-1600 jobs a full scan made a
  // move too dear (a few hundred moves per second on the loaded host).
  const int window = std::min(n_, kWindow);
  int offset = 0;
  int64_t since_best = 0;
  double last_best = best_cost_;
  constexpr int64_t polish_every = 50;
  // The last 2 % of the time is kept for a final descent on the best.
  const double walk_limit = 0.98 * time_limit_s_;
  int64_t since_polish = 0;
  double polished = kInf;  // the episode's best cost at its last polish
  // At a restart, the same descent on the episode's best assignment (if it
  // improved since its last descent); an improvement becomes the current
  // point and the episode's best.
  auto polish = [&] {
    const std::vector<int>* ep = elite_.episode_best();
    if (ep == nullptr || !(elite_.episode_cost() < polished)) return;
    std::vector<int> x = *ep;
    const double before = elite_.episode_cost();
    const double after = ResplitDescent(&x);
    polished = std::min(before, after);
    if (after < before) {
      Load(x);
      RecordIfBest();
    }
  };
  const bool chains = m_ >= 3;
  std::vector<double> out_f(n_), out_e(n_);
  std::vector<TopK> tops(n_);
  const int max_depth = kMaxChainDepth;
  const int n_chains = kLongChains;
  Chain top_chains[kLongChains];
  std::vector<uint8_t> mark(m_, 0);
  std::vector<double> sload(m_, 0.0);
  std::vector<int> touched;
  std::vector<std::pair<int, int>> seq, long_chain;

  while (!stop_) {
    if (budget_ > 0 && iterations_ >= budget_) break;
    if ((moves_ & 15) == 0 && Elapsed() > walk_limit) break;
    ++moves_;
    iterations_ += window;

    const double aspire =
        best_cost_ - kEps * std::max(1.0, std::abs(best_cost_));
    double best_f = kInf;
    int kind = -1, mi = -1, mb = -1, mj = -1, mc = -1;
    int n_top = 0;
    double chain_cut = n_chains > 0 ? kInf : -kInf;

    // --- Pass 1: every shift (best admissible), each item's best shift
    // targets and best three insertion targets. ---
    for (int s = 0; s < window; ++s) {
      const int i = offset + s < n_ ? offset + s : offset + s - n_;
      const int a = x_[i];
      const double* ci = c_.data() + At(i, 0);
      const double* wi = w_.data() + At(i, 0);
      const int64_t* tabu = tabu_until_.data() + At(i, 0);
      const double la = load_[a] - wi[a];
      const double eo = Ex(a, la) - exb_[a];
      const double fo = alpha_[a] * eo - ci[a];
      out_f[i] = fo;
      out_e[i] = eo;
      TopK& top = tops[i];
      top.k = std::max(k_bins, 3);
      top.size = 0;
      for (const int* p = CandBegin(i); p != CandEnd(i); ++p) {
        const int b = *p;
        if (b == a) continue;
        const double ei = Ex(b, load_[b] + wi[b]) - exb_[b];
        const double v = ci[b] + alpha_[b] * ei;  // insertion value
        top.Offer(v, b);
        const double f = fo + v;
        if (f >= best_f) continue;
        if (tabu[b] > moves_ && !(excess_ + eo + ei <= kFeasTol &&
                                  cost_ + ci[b] - ci[a] < aspire)) {
          continue;
        }
        best_f = f;
        kind = 0;
        mi = i;
        mb = b;
      }
      double* tv = top3v_.data() + static_cast<size_t>(i) * 3;
      int* tb = top3b_.data() + static_cast<size_t>(i) * 3;
      for (int t = 0; t < 3; ++t) {
        tv[t] = t < top.size ? top.v[t] : kInf;
        tb[t] = t < top.size ? top.b[t] : -1;
      }
    }

    // --- Pass 2: swaps and depth-2 chains through each item's best shift
    // targets. ---
    for (int s = 0; s < window; ++s) {
      const int i = offset + s < n_ ? offset + s : offset + s - n_;
      const int a = x_[i];
      const double* ci = c_.data() + At(i, 0);
      const double* wi = w_.data() + At(i, 0);
      const int64_t* tabu = tabu_until_.data() + At(i, 0);
      const TopK& top = tops[i];
      const int kb = std::min(top.size, k_bins);
      for (int t = 0; t < kb; ++t) {
        const int b = top.b[t];
        const double lb_in = load_[b] + wi[b];
        const double dci = ci[b] - ci[a];
        for (int j : members_[b]) {
          const size_t jb = At(j, b);
          const double* cj = c_.data() + At(j, 0);
          const double* wj = w_.data() + At(j, 0);
          const double lb = lb_in - w_[jb];
          const double eb = Ex(b, lb) - exb_[b];
          const double fb = alpha_[b] * eb;
          if (live_[At(j, a)]) {
            // Swap: i -> b, j -> a.
            const double ea = Ex(a, load_[a] - wi[a] + wj[a]) - exb_[a];
            const double dc = dci + cj[a] - cj[b];
            const double f = fb + alpha_[a] * ea + dc;
            if (f < best_f) {
              const bool is_tabu =
                  tabu[b] > moves_ || tabu_until_[At(j, a)] > moves_;
              if (!is_tabu ||
                  (excess_ + ea + eb <= kFeasTol && cost_ + dc < aspire)) {
                best_f = f;
                kind = 1;
                mi = i;
                mb = b;
                mj = j;
              }
            }
          }
          if (!chains) continue;
          // Chain: i -> b, j -> c, c the best insertion target of j
          // other than a and b.
          const int* tb = top3b_.data() + static_cast<size_t>(j) * 3;
          int c = -1;
          double vc = 0;
          for (int k = 0; k < 3; ++k) {
            if (tb[k] >= 0 && tb[k] != a && tb[k] != b) {
              c = tb[k];
              vc = cj[c] + alpha_[c] * (Ex(c, load_[c] + wj[c]) - exb_[c]);
              break;
            }
          }
          if (c < 0) continue;
          const double f = out_f[i] + ci[b] + fb - cj[b] + vc;
          if (f >= best_f && f >= chain_cut) continue;
          const bool is_tabu =
              tabu[b] > moves_ || tabu_until_[At(j, c)] > moves_;
          if (is_tabu) {
            const double ec = Ex(c, load_[c] + wj[c]) - exb_[c];
            const double dc = dci - cj[b] + cj[c];
            if (!(excess_ + out_e[i] + eb + ec <= kFeasTol &&
                  cost_ + dc < aspire)) {
              continue;
            }
          }
          if (f < chain_cut) {
            // Keep the n_chains best admissible depth-2 chains, best first.
            int at = n_top < n_chains ? n_top++ : n_top - 1;
            while (at > 0 && top_chains[at - 1].f > f) {
              top_chains[at] = top_chains[at - 1];
              --at;
            }
            top_chains[at] = Chain{f, i, b, j, c};
            if (n_top == n_chains) chain_cut = top_chains[n_top - 1].f;
          }
          if (f >= best_f) continue;
          best_f = f;
          kind = 2;
          mi = i;
          mb = b;
          mj = j;
          mc = c;
        }
      }
    }
    offset = (offset + window) % n_;

    // --- Pass 3: extend the best depth-2 chains i -> b, j -> c greedily:
    // eject a member k of the last agent to its best insertion target d (an
    // agent the chain has not touched, or a, which ends the chain), up to
    // max_depth links; the best prefix of each is a candidate move. ---
    for (int t = 0; t < n_top; ++t) {
      const Chain& ch = top_chains[t];
      const int a0 = x_[ch.i];
      for (int ag : touched) mark[ag] = 0;
      touched.clear();
      auto touch = [&](int ag, double delta) {
        if (!mark[ag]) {
          mark[ag] = 1;
          touched.push_back(ag);
          sload[ag] = load_[ag];
        }
        sload[ag] += delta;
      };
      touch(a0, -w_[At(ch.i, a0)]);
      touch(ch.b, w_[At(ch.i, ch.b)] - w_[At(ch.j, ch.b)]);
      touch(ch.c, w_[At(ch.j, ch.c)]);
      seq.assign({{ch.i, ch.b}, {ch.j, ch.c}});
      double f = ch.f, chain_best = kInf;
      size_t chain_len = 0;
      int cur = ch.c;
      while (static_cast<int>(seq.size()) < max_depth) {
        const double pen_now = alpha_[cur] * Ex(cur, sload[cur]);
        double step = kInf;
        int sk = -1, sd = -1;
        for (int k : members_[cur]) {
          const double* ck = c_.data() + At(k, 0);
          const double* wk = w_.data() + At(k, 0);
          const double out =
              alpha_[cur] * Ex(cur, sload[cur] - wk[cur]) - pen_now - ck[cur];
          const int* tb = top3b_.data() + static_cast<size_t>(k) * 3;
          for (int q = 0; q < 3; ++q) {
            const int d = tb[q];
            if (d < 0 || d == cur || (mark[d] && d != a0)) continue;
            if (tabu_until_[At(k, d)] > moves_) continue;
            const double ld = mark[d] ? sload[d] : load_[d];
            const double v =
                out + ck[d] + alpha_[d] * (Ex(d, ld + wk[d]) - Ex(d, ld));
            if (v < step) {
              step = v;
              sk = k;
              sd = d;
            }
          }
        }
        if (sk < 0) break;
        f += step;
        touch(cur, -w_[At(sk, cur)]);
        touch(sd, w_[At(sk, sd)]);
        seq.push_back({sk, sd});
        if (f < chain_best) {
          chain_best = f;
          chain_len = seq.size();
        }
        if (sd == a0) break;
        cur = sd;
      }
      if (chain_len > 2 && chain_best < best_f) {
        best_f = chain_best;
        kind = 3;
        long_chain.assign(seq.begin(), seq.begin() + chain_len);
      }
    }
    if (kind < 0) continue;  // everything tabu: let the list age

    // --- Apply. ---
    const int a = x_[mi];
    auto make_tabu = [&](int item, int left) {
      tabu_until_[At(item, left)] =
          moves_ + tenure_min + static_cast<int64_t>(rng_.Below(tenure_span));
    };
    Move(mi, mb);
    make_tabu(mi, a);
    if (kind == 1) {
      Move(mj, a);
      make_tabu(mj, mb);
    } else if (kind == 2) {
      Move(mj, mc);
      make_tabu(mj, mb);
    } else if (kind == 3) {
      for (auto [item, to] : long_chain) {
        const int from = x_[item];
        Move(item, to);
        make_tabu(item, from);
      }
    }
    if ((moves_ & 1023) == 0) Recompute();
    RecordIfBest();
    UpdateWeights();
    if (++since_polish >= polish_every && excess_ <= kFeasTol) {
      // Intensification: every 50 moves, at the next feasible point, the
      // re-split descent; the walk continues from its result.
      since_polish = 0;
      std::vector<int> x = x_;
      if (ResplitDescent(&x) < cost_) {
        Load(x);
        RecordIfBest();
      }
      if (stop_) break;
    }
    if (best_cost_ < last_best) {
      last_best = best_cost_;
      since_best = 0;
    } else if (++since_best > restart_after) {
      since_best = 0;
      // The episode's best feasible assignment joins the elite pool; the
      // restart is from a relinking point between two of its members, or
      // around the best assignment with a small kick.
      polish();
      if (stop_) break;
      elite_.EndEpisode();
      polished = kInf;
      if (std::vector<int> x; elite_.RelinkPoint(rng_, &x)) {
        Load(x);
      } else {
        if (found_feasible()) Load(best_x_);
        Kick(2 + static_cast<int>(rng_.Below(std::max(2, n_ / 10))));
      }
      std::fill(tabu_until_.begin(), tabu_until_.end(), 0);
      alpha_ = alpha0_;
    }
  }
  if (found_feasible() && !stop_) {
    std::vector<int> x = best_x_;
    if (ResplitDescent(&x) < best_cost_) {
      Load(x);
      RecordIfBest();
    }
  }
}

}  // namespace ecotone::placement::internal
