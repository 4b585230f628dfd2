// Construction + iterated local search with strategic oscillation. See
// engine.h for the model and the complexity of each delta.
#include "solvers/heuristic/engine.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>

namespace ecotone::placement::internal {
namespace {

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Instances up to this many (item, bin) pairs keep a dense cost matrix.
constexpr int64_t kDenseCostLimit = 20'000'000;
// ... and a pull matrix when they have pairwise terms.
constexpr int64_t kPullLimit = 4'000'000;
// Above this many allowed bins per item, shift moves look at a sample.
constexpr int kFullCandidateLimit = 160;
// Above this many items, swap moves sample the members of each bin.
constexpr int kFullSwapLimit = 5000;
constexpr size_t kSwapWindow = 64;
constexpr double kEps = 1e-7;

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : s_) s = SplitMix(&x);
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

Engine::Engine(const Problem& p, const Allowed& allowed,
               const SolveOptions& options)
    : p_(p),
      al_(allowed),
      opt_(options),
      rng_(options.seed),
      start_(std::chrono::steady_clock::now()),
      n_(p.num_items),
      m_(p.num_bins),
      D_(p.num_dims) {
  const size_t nm = static_cast<size_t>(n_) * m_;
  uniform_ = p.item_bin_demand.empty();
  q_ = uniform_ ? p.item_demand.data() : p.item_bin_demand.data();
  cap_ = p.bin_capacity.data();
  if (static_cast<int64_t>(nm) <= kDenseCostLimit) {
    dense_cost_ = true;
    C_.assign(nm, 0.0);
    for (int i = 0; i < n_; ++i) {
      for (int b : al_.Bins(i)) {
        C_[static_cast<size_t>(i) * m_ + b] =
            p.LinearCost(i, b) + p.MigrationCost(i, b);
      }
    }
  }
  pair_ = p.HasPairwise();
  use_pull_ = pair_ && static_cast<int64_t>(nm) <= kPullLimit;
  if (use_pull_) pull_.assign(nm, 0.0);
  size_t max_allowed = 0;
  for (int s = 0; s < al_.num_sets(); ++s) {
    max_allowed = std::max(max_allowed, al_.SetBins(s).size());
  }
  full_candidates_ = max_allowed <= static_cast<size_t>(kFullCandidateLimit);
  if (!full_candidates_) {
    // Bins that are cheap for an average item: always worth a look.
    std::vector<double> avg(D_, 0.0);
    if (uniform_) {
      for (int i = 0; i < n_; ++i) {
        for (int d = 0; d < D_; ++d) avg[d] += Q(i, 0, d) / std::max(1, n_);
      }
    }
    std::vector<std::pair<double, int>> price;
    for (int b : al_.SetBins(0)) {
      double v = 0;
      if (!p.bin_price.empty()) {
        for (int d = 0; d < D_; ++d) {
          v += avg[d] * p.bin_price[static_cast<size_t>(b) * D_ + d];
        }
      }
      price.push_back({v, b});
    }
    std::sort(price.begin(), price.end());
    for (size_t k = 0; k < price.size() && k < 16; ++k) {
      cheap_bins_.push_back(price[k].second);
    }
  }
  // Groups with spread constraints.
  if (!p.item_group.empty()) {
    groups_.resize(p.groups.size());
    for (size_t g = 0; g < p.groups.size(); ++g) {
      const Group& gr = p.groups[g];
      GroupState& gs = groups_[g];
      gs.min_bins = gr.min_distinct_bins;
      gs.max_per_bin = gr.max_per_bin;
      if (!p.bin_domain.empty()) {
        gs.min_doms = gr.min_distinct_domains;
        gs.max_per_dom = gr.max_per_domain;
      }
      if (gs.min_bins || gs.max_per_bin || gs.min_doms || gs.max_per_dom) {
        spread_ = true;
      }
    }
  }
  if (spread_) {
    // An empty group violates its minimum spread by the full amount; the
    // incremental deltas of Place() start from there.
    std::vector<uint8_t> used(groups_.size(), 0);
    for (int i = 0; i < n_; ++i) {
      if (p.item_group[i] >= 0) used[p.item_group[i]] = 1;
    }
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (used[g]) spread_base_ += groups_[g].min_bins + groups_[g].min_doms;
    }
    spread_viol_ = spread_base_;
  }
  if (!p.distance_limits.empty()) {
    limits_ = true;
    limits_of_.resize(n_);
    for (size_t k = 0; k < p.distance_limits.size(); ++k) {
      const DistanceLimit& l = p.distance_limits[k];
      limits_of_[l.item_a].push_back({l.item_b, static_cast<int>(k)});
      limits_of_[l.item_b].push_back({l.item_a, static_cast<int>(k)});
    }
  }
  x_.assign(n_, -1);
  load_.assign(static_cast<size_t>(m_) * D_, 0.0);
  members_.assign(m_, {});
  pos_.assign(n_, -1);
  excess_.assign(D_, 0.0);
  queued_.assign(n_, 0);
  // Penalty weights: one unit of excess costs about the cost range of an
  // average item per unit of its average demand.
  alpha_.assign(static_cast<size_t>(m_) * D_, 1.0);
  double cost_range = 0;
  int samples = 0;
  for (int i = 0; i < n_ && samples < 2000; i += std::max(1, n_ / 2000)) {
    const std::vector<int>& bins = al_.Bins(i);
    if (bins.empty()) continue;
    double lo = kInf, hi = -kInf;
    for (size_t k = 0; k < bins.size() && k < 64; ++k) {
      double c = Cost(i, bins[k]);
      lo = std::min(lo, c);
      hi = std::max(hi, c);
    }
    cost_range += hi - lo;
    ++samples;
  }
  cost_range = samples ? cost_range / samples : 1.0;
  if (pair_) {
    double wsum = 0, dmax = 0;
    for (double w : p.pair_weight.weight) wsum += w;
    for (double d : p.distance) dmax = std::max(dmax, d);
    cost_range += std::abs(p.lambda) * wsum / std::max(1, n_) * dmax * 0.5;
  }
  cost_range = std::max(cost_range, 1.0);
  for (int d = 0; d < D_; ++d) {
    double mean = 0;
    for (int i = 0; i < n_; ++i) mean += Q(i, 0, d);
    mean = n_ ? mean / n_ : 1.0;
    for (int b = 0; b < m_; ++b) {
      alpha_[static_cast<size_t>(b) * D_ + d] =
          cost_range / std::max(mean, 1e-9);
    }
  }
  beta_ = cost_range * 2;
  budget_ = options.max_iterations;
}

double Engine::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

bool Engine::OutOfTime() {
  if (Elapsed() > opt_.time_limit_s) stop_ = true;
  return stop_;
}

double Engine::PairWeight(int i, int j) const {
  const SparseSymmetric& w = p_.pair_weight;
  auto first = w.col.begin() + w.row_start[i];
  auto last = w.col.begin() + w.row_start[i + 1];
  auto it = std::lower_bound(first, last, j);
  if (it == last || *it != j) return 0.0;
  return w.weight[it - w.col.begin()];
}

double Engine::Pull(int i, int b, int skip) const {
  if (!pair_) return 0.0;
  if (use_pull_) {
    double v = pull_[static_cast<size_t>(i) * m_ + b];
    if (skip >= 0 && x_[skip] >= 0) {
      v -= p_.lambda * PairWeight(i, skip) * p_.Distance(b, x_[skip]);
    }
    return v;
  }
  const SparseSymmetric& w = p_.pair_weight;
  const double* drow = p_.distance.data() + static_cast<size_t>(b) * m_;
  double v = 0;
  for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
    int j = w.col[k];
    if (j == skip || x_[j] < 0) continue;
    v += w.weight[k] * drow[x_[j]];
  }
  return p_.lambda * v;
}

namespace {
inline double Excess(double load, double cap) {
  double e = load - cap;
  return e > 1e-9 * std::max(1.0, std::abs(cap)) ? e : 0.0;
}
}  // namespace

double Engine::CapacityDelta(int i, int from, int to) const {
  double delta = 0;
  for (int d = 0; d < D_; ++d) {
    if (to >= 0) {
      size_t k = static_cast<size_t>(to) * D_ + d;
      double l = load_[k];
      delta += alpha_[k] *
               (Excess(l + Q(i, to, d), Cap(to, d)) - Excess(l, Cap(to, d)));
    }
    if (from >= 0) {
      size_t k = static_cast<size_t>(from) * D_ + d;
      double l = load_[k];
      delta += alpha_[k] * (Excess(l - Q(i, from, d), Cap(from, d)) -
                            Excess(l, Cap(from, d)));
    }
  }
  return delta;
}

namespace {
int CountOf(const std::vector<std::pair<int, int>>& v, int key) {
  for (const auto& [k, c] : v) {
    if (k == key) return c;
  }
  return 0;
}
double Over(int count, int limit) {
  return limit > 0 && count > limit ? count - limit : 0;
}
double Under(int have, int want) { return want > have ? want - have : 0; }
}  // namespace

double Engine::SpreadDelta(int i, int from, int to) const {
  if (!spread_) return 0.0;
  int g = p_.GroupOf(i);
  if (g < 0) return 0.0;
  const GroupState& gs = groups_[g];
  double delta = 0;
  if (gs.min_bins || gs.max_per_bin) {
    int cf = from >= 0 ? CountOf(gs.bin_count, from) : 0;
    int ct = to >= 0 ? CountOf(gs.bin_count, to) : 0;
    int dist = static_cast<int>(gs.bin_count.size());
    int dist2 = dist - (from >= 0 && cf == 1) + (to >= 0 && ct == 0);
    if (from >= 0)
      delta += Over(cf - 1, gs.max_per_bin) - Over(cf, gs.max_per_bin);
    if (to >= 0)
      delta += Over(ct + 1, gs.max_per_bin) - Over(ct, gs.max_per_bin);
    delta += Under(dist2, gs.min_bins) - Under(dist, gs.min_bins);
  }
  if (gs.min_doms || gs.max_per_dom) {
    int df = from >= 0 ? p_.bin_domain[from] : -1;
    int dt = to >= 0 ? p_.bin_domain[to] : -1;
    if (df != dt) {
      int cf = df >= 0 ? CountOf(gs.dom_count, df) : 0;
      int ct = dt >= 0 ? CountOf(gs.dom_count, dt) : 0;
      int dist = static_cast<int>(gs.dom_count.size());
      int dist2 = dist - (df >= 0 && cf == 1) + (dt >= 0 && ct == 0);
      if (df >= 0)
        delta += Over(cf - 1, gs.max_per_dom) - Over(cf, gs.max_per_dom);
      if (dt >= 0)
        delta += Over(ct + 1, gs.max_per_dom) - Over(ct, gs.max_per_dom);
      delta += Under(dist2, gs.min_doms) - Under(dist, gs.min_doms);
    }
  }
  return delta;
}

double Engine::GroupViolation(const GroupState& gs) const {
  double v = Under(static_cast<int>(gs.bin_count.size()), gs.min_bins) +
             Under(static_cast<int>(gs.dom_count.size()), gs.min_doms);
  for (const auto& [b, c] : gs.bin_count) v += Over(c, gs.max_per_bin);
  for (const auto& [d, c] : gs.dom_count) v += Over(c, gs.max_per_dom);
  return v;
}

void Engine::GroupAdd(int g, int b, int sign) {
  GroupState& gs = groups_[g];
  auto bump = [sign](std::vector<std::pair<int, int>>& v, int key) {
    for (size_t k = 0; k < v.size(); ++k) {
      if (v[k].first == key) {
        v[k].second += sign;
        if (v[k].second == 0) {
          v[k] = v.back();
          v.pop_back();
        }
        return;
      }
    }
    if (sign > 0) v.push_back({key, sign});
  };
  if (gs.min_bins || gs.max_per_bin) bump(gs.bin_count, b);
  if (gs.min_doms || gs.max_per_dom) bump(gs.dom_count, p_.bin_domain[b]);
}

double Engine::LimitDelta(int i, int from, int to, int other,
                          int other_bin) const {
  if (!limits_) return 0.0;
  double delta = 0;
  for (const auto& [k, li] : limits_of_[i]) {
    const DistanceLimit& l = p_.distance_limits[li];
    int before = x_[k];
    int after = k == other ? other_bin : x_[k];
    if (from >= 0 && before >= 0 && l.Broken(p_, from, before)) {
      delta -= 1;
    }
    if (to >= 0 && after >= 0 && l.Broken(p_, to, after)) {
      delta += 1;
    }
  }
  return delta;
}

double Engine::ShiftDelta(int i, int to, double* cost_delta) const {
  int from = x_[i];
  double dc = Cost(i, to) - (from >= 0 ? Cost(i, from) : 0.0);
  if (pair_) dc += Pull(i, to) - (from >= 0 ? Pull(i, from) : 0.0);
  *cost_delta = dc;
  double pen = CapacityDelta(i, from, to);
  if (spread_ || limits_) {
    pen += beta_ * (SpreadDelta(i, from, to) + LimitDelta(i, from, to, -1, -1));
  }
  return dc + pen;
}

double Engine::SwapDelta(int i, int j, double* cost_delta) const {
  const int a = x_[i], b = x_[j];
  double dc = Cost(i, b) - Cost(i, a) + Cost(j, a) - Cost(j, b);
  if (pair_) {
    // The (i, j) term itself does not change (distance is symmetric).
    dc += Pull(i, b, j) - Pull(i, a, j) + Pull(j, a, i) - Pull(j, b, i);
  }
  *cost_delta = dc;
  double pen = 0;
  for (int d = 0; d < D_; ++d) {
    double la = load_[static_cast<size_t>(a) * D_ + d];
    double lb = load_[static_cast<size_t>(b) * D_ + d];
    double na = la - Q(i, a, d) + Q(j, a, d);
    double nb = lb - Q(j, b, d) + Q(i, b, d);
    pen += alpha_[static_cast<size_t>(a) * D_ + d] *
               (Excess(na, Cap(a, d)) - Excess(la, Cap(a, d))) +
           alpha_[static_cast<size_t>(b) * D_ + d] *
               (Excess(nb, Cap(b, d)) - Excess(lb, Cap(b, d)));
  }
  if (spread_ && p_.GroupOf(i) != p_.GroupOf(j)) {
    pen += beta_ * (SpreadDelta(i, a, b) + SpreadDelta(j, b, a));
  }
  if (limits_) {
    pen += beta_ * (LimitDelta(i, a, b, j, a) + LimitDelta(j, b, a, i, b));
  }
  return dc + pen;
}

double Engine::LimitViolationOf(int i) const {
  double v = 0;
  if (!limits_ || x_[i] < 0) return 0;
  for (const auto& [k, li] : limits_of_[i]) {
    if (x_[k] >= 0 && p_.distance_limits[li].Broken(p_, x_[i], x_[k])) v += 1;
  }
  return v;
}

void Engine::Place(int i, int b) {
  cost_ += Cost(i, b) + Pull(i, b);
  if (spread_) {
    int g = p_.GroupOf(i);
    if (g >= 0) {
      spread_viol_ += SpreadDelta(i, -1, b);
      GroupAdd(g, b, +1);
    }
  }
  x_[i] = b;
  limit_viol_ += LimitViolationOf(i);
  for (int d = 0; d < D_; ++d) {
    double& l = Load(b, d);
    double before = Excess(l, Cap(b, d));
    l += Q(i, b, d);
    excess_[d] += Excess(l, Cap(b, d)) - before;
  }
  pos_[i] = static_cast<int>(members_[b].size());
  members_[b].push_back(i);
  if (use_pull_) {
    const SparseSymmetric& w = p_.pair_weight;
    const double* dcol = p_.distance.data() + static_cast<size_t>(b) * m_;
    for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
      double f = p_.lambda * w.weight[k];
      double* row = pull_.data() + static_cast<size_t>(w.col[k]) * m_;
      for (int h = 0; h < m_; ++h) row[h] += f * dcol[h];
    }
  }
}

void Engine::Remove(int i) {
  int b = x_[i];
  cost_ -= Cost(i, b) + Pull(i, b);
  limit_viol_ -= LimitViolationOf(i);
  if (spread_) {
    int g = p_.GroupOf(i);
    if (g >= 0) {
      spread_viol_ += SpreadDelta(i, b, -1);
      GroupAdd(g, b, -1);
    }
  }
  for (int d = 0; d < D_; ++d) {
    double& l = Load(b, d);
    double before = Excess(l, Cap(b, d));
    l -= Q(i, b, d);
    excess_[d] += Excess(l, Cap(b, d)) - before;
  }
  std::vector<int>& mem = members_[b];
  int last = mem.back();
  mem[pos_[i]] = last;
  pos_[last] = pos_[i];
  mem.pop_back();
  pos_[i] = -1;
  x_[i] = -1;
  if (use_pull_) {
    const SparseSymmetric& w = p_.pair_weight;
    const double* dcol = p_.distance.data() + static_cast<size_t>(b) * m_;
    for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
      double f = p_.lambda * w.weight[k];
      double* row = pull_.data() + static_cast<size_t>(w.col[k]) * m_;
      for (int h = 0; h < m_; ++h) row[h] -= f * dcol[h];
    }
  }
}

double Engine::TotalViolation() const {
  double v = spread_viol_ + limit_viol_;
  for (double e : excess_) v += e;
  return v;
}

double Engine::Penalised() const {
  double f = cost_ + beta_ * (spread_viol_ + limit_viol_);
  for (int b = 0; b < m_; ++b) {
    for (int d = 0; d < D_; ++d) {
      size_t k = static_cast<size_t>(b) * D_ + d;
      f += alpha_[k] * Excess(load_[k], Cap(b, d));
    }
  }
  return f;
}

void Engine::Recompute() {
  // Rebuild sums from scratch to stop floating-point drift.
  std::vector<int> x = x_;
  for (int i = 0; i < n_; ++i) {
    if (x_[i] >= 0) Remove(i);
  }
  cost_ = 0;
  spread_viol_ = spread_base_;
  limit_viol_ = 0;
  std::fill(excess_.begin(), excess_.end(), 0.0);
  std::fill(load_.begin(), load_.end(), 0.0);
  if (use_pull_) std::fill(pull_.begin(), pull_.end(), 0.0);
  for (GroupState& gs : groups_) {
    gs.bin_count.clear();
    gs.dom_count.clear();
  }
  for (int i = 0; i < n_; ++i) {
    if (x[i] >= 0) Place(i, x[i]);
  }
}

void Engine::RecordIfBest() {
  if (TotalViolation() > 1e-9) return;
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

void Engine::Push(int i) {
  if (!queued_[i]) {
    queued_[i] = 1;
    queue_.push_back(i);
  }
}

void Engine::CandidateBins(int i, std::vector<int>* out) {
  const std::vector<int>& allowed = al_.Bins(i);
  if (full_candidates_) {
    *out = allowed;
    return;
  }
  out->clear();
  auto add = [&](int b) {
    if (b < 0 || b == x_[i]) return;
    if (std::find(out->begin(), out->end(), b) != out->end()) return;
    if (!al_.Contains(i, b)) return;
    out->push_back(b);
  };
  if (pair_) {
    const SparseSymmetric& w = p_.pair_weight;
    for (int64_t k = w.row_start[i]; k < w.row_start[i + 1] && out->size() < 24;
         ++k) {
      add(x_[w.col[k]]);
    }
  }
  for (int b : cheap_bins_) add(b);
  for (int t = 0; t < 16 && !allowed.empty(); ++t) {
    add(allowed[rng_.Below(allowed.size())]);
  }
}

bool Engine::Fits(int i, int b) const {
  for (int d = 0; d < D_; ++d) {
    if (load_[static_cast<size_t>(b) * D_ + d] + Q(i, b, d) >
        Cap(b, d) + 1e-9 * std::max(1.0, std::abs(Cap(b, d)))) {
      return false;
    }
  }
  return true;
}

void Engine::TrimCandidates(int i, std::vector<int>* bins) {
  // Only when pairwise deltas cost O(degree) cache misses each (large
  // instances without the pull matrix): rank by the cheap terms first and
  // keep the best kKeep for the full evaluation.
  constexpr size_t kKeep = 10;
  if (!pair_ || use_pull_ || full_candidates_ || bins->size() <= kKeep) return;
  trim_.clear();
  for (int b : *bins) {
    double f = Cost(i, b) + CapacityDelta(i, x_[i], b) +
               beta_ * SpreadDelta(i, x_[i], b);
    trim_.push_back({f, b});
  }
  std::partial_sort(trim_.begin(), trim_.begin() + kKeep, trim_.end());
  bins->clear();
  for (size_t k = 0; k < kKeep; ++k) bins->push_back(trim_[k].second);
  // Keep the bins of the neighbours too: they carry the pairwise savings.
  const SparseSymmetric& w = p_.pair_weight;
  for (int64_t k = w.row_start[i];
       k < w.row_start[i + 1] && k < w.row_start[i] + 6; ++k) {
    int b = x_[w.col[k]];
    if (b >= 0 && b != x_[i] && al_.Contains(i, b) &&
        std::find(bins->begin(), bins->end(), b) == bins->end()) {
      bins->push_back(b);
    }
  }
}

void Engine::Construct() {
  std::vector<int> order;
  order.reserve(n_);
  // Warm start first.
  if (opt_.initial.size() == static_cast<size_t>(n_)) {
    for (int i = 0; i < n_; ++i) {
      int b = opt_.initial[i];
      if (b >= 0 && b < m_ && al_.Contains(i, b)) Place(i, b);
    }
  }
  std::vector<double> save_alpha = alpha_;
  for (double& a : alpha_) a *= 10;  // avoid overload while constructing
  double save_beta = beta_;
  beta_ *= 10;
  if (pair_) {
    // Max-connectivity order: repeatedly take the unplaced item most
    // strongly tied to the placed ones, so coupled clusters land together.
    const SparseSymmetric& w = p_.pair_weight;
    std::vector<double> tie(n_, 0.0), wdeg(n_, 0.0);
    for (int i = 0; i < n_; ++i) {
      for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
        wdeg[i] += w.weight[k];
      }
    }
    std::vector<int> by_degree(n_);
    std::iota(by_degree.begin(), by_degree.end(), 0);
    std::stable_sort(by_degree.begin(), by_degree.end(),
                     [&](int a, int b) { return wdeg[a] > wdeg[b]; });
    std::priority_queue<std::pair<double, int>> heap;
    std::vector<uint8_t> done(n_, 0);
    size_t next = 0;
    for (int i = 0; i < n_; ++i) {
      if (x_[i] >= 0) {
        done[i] = 1;
        for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
          tie[w.col[k]] += w.weight[k];
          heap.push({tie[w.col[k]], w.col[k]});
        }
      }
    }
    while (true) {
      int i = -1;
      while (!heap.empty()) {
        auto [t, c] = heap.top();
        heap.pop();
        if (!done[c] && t == tie[c]) {
          i = c;
          break;
        }
      }
      if (i < 0) {
        while (next < by_degree.size() && done[by_degree[next]]) ++next;
        if (next == by_degree.size()) break;
        i = by_degree[next];
      }
      done[i] = 1;
      order.push_back(i);
      for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
        int j = w.col[k];
        if (done[j]) continue;
        tie[j] += w.weight[k];
        heap.push({tie[j], j});
      }
    }
  } else {
    // Regret order (Martello & Toth): items whose best bin is much better
    // than their second best go first.
    std::vector<double> regret(n_, 0.0);
    std::vector<int> cand;
    for (int i = 0; i < n_; ++i) {
      if (x_[i] >= 0) continue;
      CandidateBins(i, &cand);
      double b1 = kInf, b2 = kInf;
      for (int b : cand) {
        bool fits = true;
        for (int d = 0; d < D_ && fits; ++d) fits = Q(i, b, d) <= Cap(b, d);
        if (!fits) continue;
        double c = Cost(i, b);
        if (c < b1) {
          b2 = b1;
          b1 = c;
        } else if (c < b2) {
          b2 = c;
        }
      }
      regret[i] = b1 == kInf ? kInf : (b2 == kInf ? 1e300 : b2 - b1);
      order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return regret[a] > regret[b]; });
  }
  std::vector<int> cand, fit;
  for (int i : order) {
    if (x_[i] >= 0) continue;
    CandidateBins(i, &cand);
    // Prefer bins where the item fits; if no sampled candidate does, look
    // for fitting bins among all allowed ones (from a random offset).
    fit.clear();
    for (int b : cand) {
      if (Fits(i, b)) fit.push_back(b);
    }
    const std::vector<int>& allowed = al_.Bins(i);
    if (fit.empty() && !allowed.empty()) {
      size_t off = rng_.Below(allowed.size());
      for (size_t k = 0; k < allowed.size() && fit.size() < 8; ++k) {
        int b = allowed[(off + k) % allowed.size()];
        if (Fits(i, b)) fit.push_back(b);
      }
    }
    const bool fits_somewhere = !fit.empty();
    std::vector<int>& pool = fits_somewhere ? fit : cand;
    TrimCandidates(i, &pool);
    if (fits_somewhere) {
      pool.erase(std::remove_if(pool.begin(), pool.end(),
                                [&](int b) { return !Fits(i, b); }),
                 pool.end());
    }
    double best = kInf, dc;
    int bb = -1;
    for (int b : pool) {
      double f = ShiftDelta(i, b, &dc);
      if (f < best) {
        best = f;
        bb = b;
      }
    }
    if (bb < 0 && !allowed.empty()) bb = allowed[0];
    if (bb >= 0) Place(i, bb);
  }
  alpha_ = save_alpha;
  beta_ = save_beta;
}

bool Engine::Descend() {
  std::vector<int>& cand = scratch_;
  size_t head = 0;
  const bool sample_swaps = n_ > kFullSwapLimit;
  while (head < queue_.size() && !stop_) {
    ++iterations_;
    if ((iterations_ & 127) == 0 && OutOfTime()) return true;
    if (budget_ > 0 && iterations_ >= budget_) return true;
    int i = queue_[head++];
    queued_[i] = 0;
    if (head > 4096 && head * 2 > queue_.size()) {
      queue_.erase(queue_.begin(), queue_.begin() + head);
      head = 0;
    }
    const int a = x_[i];
    if (a < 0) continue;
    CandidateBins(i, &cand);
    TrimCandidates(i, &cand);
    double best = -kEps, dc, best_dc = 0;
    int to = -1, partner = -1;
    for (int b : cand) {
      if (b == a) continue;
      double f = ShiftDelta(i, b, &dc);
      if (f < best) {
        best = f;
        best_dc = dc;
        to = b;
      }
    }
    if (to < 0) {
      for (int b : cand) {
        if (b == a) continue;
        const std::vector<int>& mem = members_[b];
        if (mem.empty()) continue;
        if (!sample_swaps) {
          // A crowded bin (more than kSwapWindow members, as where a few
          // racks hold hundreds of replicas) is scanned over a window of
          // kSwapWindow members at a random offset: the full scan made one
          // visit O(n) and a re-placement of 1,000 replicas O(n^2).
          const size_t len = mem.size();
          const size_t cnt = std::min<size_t>(len, kSwapWindow);
          const size_t off = len > kSwapWindow ? rng_.Below(len) : 0;
          for (size_t t = 0; t < cnt; ++t) {
            size_t pos = off + t;
            if (pos >= len) pos -= len;
            const int j = mem[pos];
            if (!al_.Contains(j, a)) continue;
            double f = SwapDelta(i, j, &dc);
            if (f < best) {
              best = f;
              best_dc = dc;
              to = b;
              partner = j;
            }
          }
        } else {
          for (int t = 0; t < 4; ++t) {
            int j = mem[rng_.Below(mem.size())];
            if (!al_.Contains(j, a)) continue;
            double f = SwapDelta(i, j, &dc);
            if (f < best) {
              best = f;
              best_dc = dc;
              to = b;
              partner = j;
            }
          }
        }
      }
    }
    if (to < 0) continue;
    // A move that trades violations for cost: keep the current assignment if
    // it is the best feasible one so far.
    if (best - best_dc > kEps) RecordIfBest();
    Move(i, to);
    if (partner >= 0) Move(partner, a);
    Push(i);
    if (partner >= 0) Push(partner);
    for (int bin : {a, to}) {
      const std::vector<int>& mem = members_[bin];
      if (mem.size() <= 64) {
        for (int j : mem) Push(j);
      } else {
        for (int t = 0; t < 16; ++t) Push(mem[rng_.Below(mem.size())]);
      }
    }
    if (pair_) {
      const SparseSymmetric& w = p_.pair_weight;
      for (int who : {i, partner}) {
        if (who < 0) continue;
        for (int64_t k = w.row_start[who]; k < w.row_start[who + 1]; ++k) {
          Push(w.col[k]);
        }
      }
    }
    if (spread_ && p_.GroupOf(i) >= 0) {
      // Other replicas of the group may now prefer another bin.
      // (Members are found through the bins touched above.)
    }
  }
  queue_.clear();
  RecordIfBest();
  return false;
}

void Engine::Perturb(int strength) {
  for (int s = 0; s < strength; ++s) {
    int i = static_cast<int>(rng_.Below(n_));
    const std::vector<int>& bins = al_.Bins(i);
    if (bins.size() < 2 || x_[i] < 0) continue;
    int a = x_[i];
    if (rng_.Below(2) == 0) {
      int b = bins[rng_.Below(bins.size())];
      if (b == a) continue;
      Move(i, b);
      Push(i);
      for (int j : members_[a]) Push(j);
      for (int j : members_[b]) Push(j);
    } else {
      // Swap with a random item of another bin.
      int j = static_cast<int>(rng_.Below(n_));
      int b = x_[j];
      if (b < 0 || b == a || !al_.Contains(i, b) || !al_.Contains(j, a))
        continue;
      Move(i, b);
      Move(j, a);
      Push(i);
      Push(j);
      for (int k : members_[a]) Push(k);
      for (int k : members_[b]) Push(k);
    }
  }
}

void Engine::Run() {
  start_ = std::chrono::steady_clock::now();
  Construct();
  Recompute();
  RecordIfBest();
  std::vector<int> order(n_);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n_ - 1; i > 0; --i)
    std::swap(order[i], order[rng_.Below(i + 1)]);
  for (int i : order) Push(i);
  if (Descend() || stop_) return;
  bool movable = false;
  for (int i = 0; i < n_ && !movable; ++i) movable = al_.Bins(i).size() >= 2;
  if (!movable) return;
  const std::vector<double> alpha0 = alpha_;
  const double beta0 = beta_;
  int64_t rounds = 0, since_best = 0;
  double last_best = best_cost_;
  const int max_strength = std::max(3, std::min(40, n_ / 8));
  const int64_t restart_after = 200 + n_ / 2;
  while (!stop_) {
    if ((rounds & 7) == 0 && OutOfTime()) break;
    if (budget_ > 0 && iterations_ >= budget_) break;
    ++rounds;
    // Strategic oscillation of the penalty weights, one per bin and
    // dimension (like Lagrangian multipliers): raised where capacity is
    // exceeded, decayed elsewhere.
    for (int b = 0; b < m_; ++b) {
      bool over = false;
      for (int d = 0; d < D_; ++d) {
        size_t k = static_cast<size_t>(b) * D_ + d;
        if (Excess(load_[k], Cap(b, d)) > 0) {
          alpha_[k] = std::min(alpha_[k] * 1.3, alpha0[k] * 1e4);
          over = true;
        } else {
          alpha_[k] = std::max(alpha_[k] / 1.1, alpha0[k] * 1e-2);
        }
      }
      if (over) {
        // Items of overloaded bins may now want to leave.
        for (int j : members_[b]) Push(j);
      }
    }
    if (spread_viol_ + limit_viol_ > 0) {
      beta_ = std::min(beta_ * 1.3, beta0 * 1e4);
    } else {
      beta_ = std::max(beta_ / 1.1, beta0 * 1e-2);
    }
    if (best_cost_ < last_best) {
      last_best = best_cost_;
      since_best = 0;
    } else if (++since_best > restart_after && found_feasible()) {
      // Intensify around the best assignment.
      for (int i = 0; i < n_; ++i) {
        if (x_[i] >= 0) Remove(i);
      }
      for (int i = 0; i < n_; ++i) Place(i, best_x_[i]);
      Recompute();
      since_best = 0;
    }
    if ((rounds & 63) == 0) Recompute();
    int strength = 2 + static_cast<int>(rng_.Below(max_strength - 1));
    Perturb(strength);
    if (queue_.empty()) ++iterations_;  // an empty perturbation still counts
    if (Descend()) break;
  }
}

}  // namespace ecotone::placement::internal
