// Tabu search with strategic oscillation; see tabu.h for the model, the
// neighbourhoods and the complexity of each step.
#include "solvers/heuristic/tabu.h"

#include <algorithm>
#include <cmath>

namespace ecotone::placement::internal {
namespace {

// Above this many item-bin pairs one iteration (a scan of every shift) is
// too slow to pay: the engine's sampled neighbourhoods work alone.
constexpr int64_t kMaxPairs = 200'000;
constexpr double kEps = 1e-7;
constexpr int kCandidateBins = 24;

inline double Ex(double load, double cap) {
  double e = load - cap;
  return e > 1e-9 * std::max(1.0, std::abs(cap)) ? e : 0.0;
}

// Best `k` (value, bin) pairs seen so far, smallest value first.
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

}  // namespace

bool TabuSearch::Applicable(const Problem& p) {
  if (!p.distance_limits.empty()) return false;
  for (const Group& g : p.groups) {
    if (g.min_distinct_bins || g.max_per_bin) return false;
    if (!p.bin_domain.empty() && (g.min_distinct_domains || g.max_per_domain)) {
      return false;
    }
  }
  return static_cast<int64_t>(p.num_items) * p.num_bins <= kMaxPairs;
}

TabuSearch::TabuSearch(const Problem& p, const Allowed& allowed, uint64_t seed,
                       double time_limit_s, int64_t max_iterations)
    : p_(p),
      al_(allowed),
      rng_(seed ^ 0x7A8B0C1D2E3F4051ULL),
      start_(std::chrono::steady_clock::now()),
      time_limit_s_(time_limit_s),
      budget_(max_iterations),
      n_(p.num_items),
      m_(p.num_bins),
      D_(p.num_dims),
      uniform_(p.item_bin_demand.empty()),
      q_(uniform_ ? p.item_demand.data() : p.item_bin_demand.data()),
      cap_(p.bin_capacity.data()),
      pair_(p.HasPairwise()) {
  const size_t nm = static_cast<size_t>(n_) * m_;
  C_.assign(nm, 0.0);
  for (int i = 0; i < n_; ++i) {
    for (int b : al_.Bins(i)) {
      C_[static_cast<size_t>(i) * m_ + b] =
          p.LinearCost(i, b) + p.MigrationCost(i, b);
    }
  }
  if (pair_) pull_.assign(nm, 0.0);
  x_.assign(n_, -1);
  load_.assign(static_cast<size_t>(m_) * D_, 0.0);
  members_.assign(m_, {});
  pos_.assign(n_, -1);
  tabu_until_.assign(nm, 0);
  ok_.assign(nm, 0);
  for (int i = 0; i < n_; ++i) {
    for (int b : al_.Bins(i)) ok_[static_cast<size_t>(i) * m_ + b] = 1;
  }
  // Many bins and no pairwise term: each item's moves are scanned over its
  // kCandidates cheapest bins only (a static candidate list), which keeps
  // an iteration at O(n·kCandidates) on 80 × 1600 GAP instances.
  if (!pair_ && m_ > kCandidateBins) {
    cand_.resize(n_);
    std::vector<std::pair<double, int>> by_cost;
    for (int i = 0; i < n_; ++i) {
      by_cost.clear();
      for (int b : al_.Bins(i)) by_cost.push_back({C(i, b), b});
      const size_t k = std::min(by_cost.size(), size_t{kCandidateBins});
      std::partial_sort(by_cost.begin(), by_cost.begin() + k, by_cost.end());
      for (size_t t = 0; t < k; ++t) cand_[i].push_back(by_cost[t].second);
      std::sort(cand_[i].begin(), cand_[i].end());
    }
  }
  tol_.resize(static_cast<size_t>(m_) * D_);
  for (size_t k = 0; k < tol_.size(); ++k) {
    tol_[k] = cap_[k] + 1e-9 * std::max(1.0, std::abs(cap_[k]));
  }
  // Initial weight: one unit of excess costs about the cost spread of an
  // average item per unit of its average demand (same scale as Engine).
  double range = 0;
  int counted = 0;
  for (int i = 0; i < n_; ++i) {
    const std::vector<int>& bins = al_.Bins(i);
    if (bins.size() < 2) continue;
    double lo = kInf, hi = -kInf;
    for (int b : bins) {
      lo = std::min(lo, C(i, b));
      hi = std::max(hi, C(i, b));
    }
    range += hi - lo;
    ++counted;
  }
  range = counted ? range / counted : 1.0;
  if (pair_) {
    double wsum = 0, dmax = 0;
    for (double w : p.pair_weight.weight) wsum += w;
    for (double d : p.distance) dmax = std::max(dmax, d);
    range += std::abs(p.lambda) * wsum / std::max(1, n_) * dmax * 0.5;
  }
  range = std::max(range, 1e-6);
  alpha0_.assign(static_cast<size_t>(m_) * D_, 1.0);
  for (int d = 0; d < D_; ++d) {
    double mean = 0;
    int cnt = 0;
    for (int i = 0; i < n_; ++i) {
      for (int b : al_.Bins(i)) {
        mean += Q(i, b, d);
        ++cnt;
        if (uniform_) break;
      }
    }
    mean = cnt ? mean / cnt : 1.0;
    for (int b = 0; b < m_; ++b) {
      alpha0_[static_cast<size_t>(b) * D_ + d] = range / std::max(mean, 1e-9);
    }
  }
  alpha_ = alpha0_;
}

double TabuSearch::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

double TabuSearch::PairWeight(int i, int j) const {
  const SparseSymmetric& w = p_.pair_weight;
  auto first = w.col.begin() + w.row_start[i];
  auto last = w.col.begin() + w.row_start[i + 1];
  auto it = std::lower_bound(first, last, j);
  if (it == last || *it != j) return 0.0;
  return w.weight[it - w.col.begin()];
}

inline void TabuSearch::BinDelta(int b, int add_item, int sub_item, double* f,
                                 double* e) const {
  for (int d = 0; d < D_; ++d) {
    const size_t k = static_cast<size_t>(b) * D_ + d;
    const double l = load_[k];
    double nl = l;
    if (add_item >= 0) nl += Q(add_item, b, d);
    if (sub_item >= 0) nl -= Q(sub_item, b, d);
    const double lim = tol_[k], c = cap_[k];
    const double de = (nl > lim ? nl - c : 0.0) - (l > lim ? l - c : 0.0);
    *f += alpha_[k] * de;
    *e += de;
  }
}

void TabuSearch::Move(int i, int b) {
  const int a = x_[i];
  if (a == b) return;
  if (a >= 0) {
    cost_ -= C(i, a) + PullOf(i, a);
    for (int d = 0; d < D_; ++d) {
      double& l = load_[static_cast<size_t>(a) * D_ + d];
      excess_ -= Ex(l, Cap(a, d));
      l -= Q(i, a, d);
      excess_ += Ex(l, Cap(a, d));
    }
    std::vector<int>& mem = members_[a];
    int last = mem.back();
    mem[pos_[i]] = last;
    pos_[last] = pos_[i];
    mem.pop_back();
  }
  cost_ += C(i, b) + PullOf(i, b);
  for (int d = 0; d < D_; ++d) {
    double& l = load_[static_cast<size_t>(b) * D_ + d];
    excess_ -= Ex(l, Cap(b, d));
    l += Q(i, b, d);
    excess_ += Ex(l, Cap(b, d));
  }
  pos_[i] = static_cast<int>(members_[b].size());
  members_[b].push_back(i);
  x_[i] = b;
  if (pair_) {
    // Every neighbour's pull toward each bin h changes by
    // λ w (d(b,h) − d(a,h)); the pairwise cost of i itself was counted
    // through PullOf above and the neighbours' costs do not change.
    const SparseSymmetric& w = p_.pair_weight;
    const double* db = p_.distance.data() + static_cast<size_t>(b) * m_;
    const double* da =
        a >= 0 ? p_.distance.data() + static_cast<size_t>(a) * m_ : nullptr;
    for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
      const double f = p_.lambda * w.weight[k];
      double* row = pull_.data() + static_cast<size_t>(w.col[k]) * m_;
      if (da) {
        for (int h = 0; h < m_; ++h) row[h] += f * (db[h] - da[h]);
      } else {
        for (int h = 0; h < m_; ++h) row[h] += f * db[h];
      }
    }
  }
}

void TabuSearch::Load(const std::vector<int>& x) {
  std::fill(load_.begin(), load_.end(), 0.0);
  for (auto& mem : members_) mem.clear();
  if (pair_) std::fill(pull_.begin(), pull_.end(), 0.0);
  std::fill(x_.begin(), x_.end(), -1);
  cost_ = 0;
  excess_ = 0;
  for (int i = 0; i < n_; ++i) Move(i, x[i]);
  Recompute();
}

void TabuSearch::Recompute() {
  // Exact sums (the incremental ones drift in floating point).
  cost_ = 0;
  for (int i = 0; i < n_; ++i) cost_ += C(i, x_[i]);
  if (pair_) {
    const SparseSymmetric& w = p_.pair_weight;
    std::fill(pull_.begin(), pull_.end(), 0.0);
    double pw = 0;
    for (int i = 0; i < n_; ++i) {
      double* row = pull_.data() + static_cast<size_t>(i) * m_;
      for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
        const int j = w.col[k];
        const double f = p_.lambda * w.weight[k];
        const double* dj = p_.distance.data() + static_cast<size_t>(x_[j]) * m_;
        for (int h = 0; h < m_; ++h) row[h] += f * dj[h];
        if (j > i) pw += f * dj[x_[i]];
      }
    }
    cost_ += pw;
  }
  std::fill(load_.begin(), load_.end(), 0.0);
  for (int i = 0; i < n_; ++i) {
    for (int d = 0; d < D_; ++d) {
      load_[static_cast<size_t>(x_[i]) * D_ + d] += Q(i, x_[i], d);
    }
  }
  excess_ = 0;
  for (int b = 0; b < m_; ++b) {
    for (int d = 0; d < D_; ++d) {
      excess_ += Ex(load_[static_cast<size_t>(b) * D_ + d], Cap(b, d));
    }
  }
}

void TabuSearch::RecordIfBest() {
  if (excess_ > 1e-9) return;
  elite_.Note(cost_, x_);
  if (best_cost_ == kInf ||
      cost_ < best_cost_ - kEps * std::max(1.0, std::abs(best_cost_))) {
    best_x_ = x_;
    best_cost_ = cost_;
    seconds_to_best_ = Elapsed();
    if (best_cost_ <= target_ + kEps * std::max(1.0, std::abs(target_))) {
      stop_ = true;
    }
  }
}

void TabuSearch::UpdateWeights() {
  // Strategic oscillation: overloaded bins get dearer; while the current
  // assignment is feasible every weight relaxes, which lets the next moves
  // cross the boundary again.
  constexpr double kUp = 1.04, kDown = 0.985;
  const bool feasible = excess_ <= 1e-9;
  for (int b = 0; b < m_; ++b) {
    for (int d = 0; d < D_; ++d) {
      const size_t k = static_cast<size_t>(b) * D_ + d;
      if (Ex(load_[k], Cap(b, d)) > 0) {
        alpha_[k] = std::min(alpha_[k] * kUp, alpha0_[k] * 1e4);
      } else if (feasible) {
        alpha_[k] = std::max(alpha_[k] * kDown, alpha0_[k] * 1e-3);
      }
    }
  }
}

void TabuSearch::Kick(int strength) {
  for (int s = 0; s < strength; ++s) {
    const int i = static_cast<int>(rng_.Below(n_));
    const std::vector<int>& bins = al_.Bins(i);
    if (bins.size() < 2) continue;
    const int b = bins[rng_.Below(bins.size())];
    if (b != x_[i]) Move(i, b);
  }
}

void TabuSearch::Run(const std::vector<int>& start) {
  start_ = std::chrono::steady_clock::now();
  std::vector<int> x0(n_);
  for (int i = 0; i < n_; ++i) {
    const std::vector<int>& bins = al_.Bins(i);
    int b = i < static_cast<int>(start.size()) ? start[i] : -1;
    if (b < 0 || b >= m_ || !al_.Contains(i, b)) {
      b = bins[0];
      for (int c : bins) {
        if (C(i, c) < C(i, b)) b = c;
      }
    }
    x0[i] = b;
  }
  Load(x0);
  RecordIfBest();
  if (stop_ || n_ == 0 || m_ < 2) return;

  // Candidate bins per item for swaps and chains; all of them when the
  // whole swap neighbourhood is cheap.
  const int64_t all_swaps = static_cast<int64_t>(n_) * n_ / 2;
  const int k_bins = all_swaps <= 2'000 ? 8 : (all_swaps <= 100'000 ? 4 : 3);
  // Tenure and restart period (tuned on chu1997 types C/D and yagiura2004
  // type E; longer or shorter tenures were worse or no better).
  const int tenure_min = std::max(3, n_ / 40);
  const int tenure_span = std::max(4, n_ / 20);
  const int64_t restart_after = std::max<int64_t>(400, 8 * int64_t{n_});
  int64_t since_best = 0;
  double last_best = best_cost_;
  const bool pair = pair_;
  const bool chains = m_ >= 3;
  top3v_.assign(static_cast<size_t>(n_) * 3, 0.0f);
  top3b_.assign(static_cast<size_t>(n_) * 3, -1);
  const double lambda = p_.lambda;

  while (!stop_) {
    if (budget_ > 0 && iterations_ >= budget_) break;
    if ((moves_ & 15) == 0 && Elapsed() > time_limit_s_) break;
    ++moves_;
    iterations_ += n_;

    // --- Insertion values: ins(j,c) = cost of j in c + penalty of adding
    // it there, and the best three targets of each item (for chains). ---
    if (chains) {
      for (int j = 0; j < n_; ++j) {
        const int xj = x_[j];
        float* tv = top3v_.data() + static_cast<size_t>(j) * 3;
        int* tb = top3b_.data() + static_cast<size_t>(j) * 3;
        double v3[3] = {kInf, kInf, kInf};
        int b3[3] = {-1, -1, -1};
        for (int c : Cands(j)) {
          if (c == xj) continue;
          double f = 0, e = 0;
          BinDelta(c, j, -1, &f, &e);
          const double v = f + C(j, c) + PullOf(j, c);
          if (v < v3[2]) {
            int at = 2;
            while (at > 0 && v3[at - 1] > v) {
              v3[at] = v3[at - 1];
              b3[at] = b3[at - 1];
              --at;
            }
            v3[at] = v;
            b3[at] = c;
          }
        }
        for (int t = 0; t < 3; ++t) {
          tv[t] = static_cast<float>(v3[t]);
          tb[t] = b3[t];
        }
      }
    }
    // --- Best admissible move. ---
    double best_f = kInf;
    int kind = -1, mi = -1, mb = -1, mj = -1, mc = -1;
    const double aspire =
        best_cost_ - kEps * std::max(1.0, std::abs(best_cost_));
    TopK top;
    top.k = std::min(k_bins, 8);
    for (int i = 0; i < n_; ++i) {
      const int a = x_[i];
      const std::vector<int>& bins = Cands(i);
      if (bins.size() < 2) continue;
      double fo = 0, eo = 0;
      BinDelta(a, -1, i, &fo, &eo);
      const double base = C(i, a) + PullOf(i, a);
      const int64_t* tabu = tabu_until_.data() + static_cast<size_t>(i) * m_;
      top.size = 0;
      for (int b : bins) {
        if (b == a) continue;
        double f = fo, e = eo;
        BinDelta(b, i, -1, &f, &e);
        const double dc = C(i, b) + PullOf(i, b) - base;
        f += dc;
        top.Offer(f, b);
        if (f >= best_f) continue;
        if (tabu[b] > moves_ && !(excess_ + e <= 1e-9 && cost_ + dc < aspire)) {
          continue;
        }
        best_f = f;
        kind = 0;
        mi = i;
        mb = b;
      }
      // Swaps and chains through the best shift targets.
      for (int t = 0; t < top.size; ++t) {
        const int b = top.b[t];
        const double in_i = C(i, b) + PullOf(i, b);
        for (int j : members_[b]) {
          const double out_j = C(j, b) + PullOf(j, b);
          const double wij = pair ? PairWeight(i, j) : 0.0;
          if (ok_[static_cast<size_t>(j) * m_ + a]) {
            double f = 0, e = 0;
            BinDelta(a, j, i, &f, &e);
            BinDelta(b, i, j, &f, &e);
            double dc = in_i - base + C(j, a) + PullOf(j, a) - out_j;
            if (pair) dc += 2 * lambda * wij * p_.Distance(a, b);
            f += dc;
            if (f < best_f) {
              const bool is_tabu =
                  tabu[b] > moves_ ||
                  tabu_until_[static_cast<size_t>(j) * m_ + a] > moves_;
              if (!is_tabu || (excess_ + e <= 1e-9 && cost_ + dc < aspire)) {
                best_f = f;
                kind = 1;
                mi = i;
                mb = b;
                mj = j;
              }
            }
          }
          if (!chains) continue;
          // Ejection chain: i -> b, j -> c (c != a, b), c the best
          // insertion target of j.
          const int* tb = top3b_.data() + static_cast<size_t>(j) * 3;
          const float* tv = top3v_.data() + static_cast<size_t>(j) * 3;
          int c = -1;
          double vc = 0;
          for (int k = 0; k < 3; ++k) {
            if (tb[k] >= 0 && tb[k] != a && tb[k] != b) {
              c = tb[k];
              vc = tv[k];
              break;
            }
          }
          if (c < 0) continue;
          // Screen with j's stored insertion value first, then evaluate
          // the insertion exactly (the stored value is a float).
          double f = fo, e = eo;
          BinDelta(b, i, j, &f, &e);
          double dc = in_i - base - out_j;
          if (pair) {
            dc += lambda * wij *
                  (p_.Distance(b, c) - p_.Distance(a, c) + p_.Distance(a, b));
          }
          f += dc + vc;
          if (f >= best_f) continue;
          // Exact cost and excess of j's insertion (vc mixes both).
          double fc = 0, ec = 0;
          BinDelta(c, j, -1, &fc, &ec);
          const double dcc = dc + C(j, c) + PullOf(j, c);
          e += ec;
          f = f - vc + fc + C(j, c) + PullOf(j, c);
          if (f >= best_f) continue;
          const bool is_tabu =
              tabu[b] > moves_ ||
              tabu_until_[static_cast<size_t>(j) * m_ + c] > moves_;
          if (is_tabu && !(excess_ + e <= 1e-9 && cost_ + dcc < aspire)) {
            continue;
          }
          best_f = f;
          kind = 2;
          mi = i;
          mb = b;
          mj = j;
          mc = c;
        }
      }
    }
    if (kind < 0) {
      // Everything tabu: let the tabu list age.
      continue;
    }
    // --- Apply. ---
    const int a = x_[mi];
    auto make_tabu = [&](int item, int left) {
      tabu_until_[static_cast<size_t>(item) * m_ + left] =
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
    }
    if ((moves_ & 1023) == 0) Recompute();
    RecordIfBest();
    UpdateWeights();
    if (best_cost_ < last_best) {
      last_best = best_cost_;
      since_best = 0;
    } else if (++since_best > restart_after) {
      since_best = 0;
      // The episode's best feasible assignment joins the elite pool; the
      // restart is from a relinking point between two of its members, or
      // around the best assignment with a small kick.
      elite_.EndEpisode();
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
}

}  // namespace ecotone::placement::internal
