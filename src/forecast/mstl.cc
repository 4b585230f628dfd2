// MSTL-style decomposition + smoothing, a simplified and fast relative of
// MSTL (Bandara, Hyndman & Bergmeir 2021) and R's forecast::stlf:
//   1. For each season m (shortest first), kPasses times (backfitting):
//        a_t   = y_t - sum of the other seasonal components (so far)
//        T_t   = centred moving average of a over m points (2xm when m even)
//        s_m(p)= robust recency-weighted mean over cycles of a_t - T_t at
//                phase p = t mod m: weights lambda^(cycles back), lambda =
//                kDecay; values beyond 3 robust SDs of their phase are
//                clipped first (so anomalies do not leak into the pattern);
//                then centred to mean zero over the cycle. The season is
//                dropped (s_m = 0) when the same estimate from the older
//                cycles predicts the newest cycle no better than zero
//                (L1; one cycle held out) and the older cycles show no
//                significant pattern themselves: a regime lasting about
//                one season is not a seasonal pattern.
//   2. The seasonally adjusted series (trend + remainder) z_t = y_t - sum s
//      is forecast by simple exponential smoothing with alpha chosen by a
//      zooming grid search on the one-step SSE (Hyndman et al. 2008,
//      ETS(A,N,N)).
//   3. Seasonal components are forecast by seasonal naive of their pattern.
// Not the loess-based STL: the seasonal pattern is static within the window
// (recency-weighted), which is what makes it O(n) and fast.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <utility>

#include "models.h"

namespace ecotone::forecast::internal {
namespace {

constexpr double kDecay = 0.5;
// One pass: a second backfitting pass changed the benchmark MASE by less
// than 0.02 on every trace (docs/forecast.md) and doubled the cost.
constexpr int kPasses = 1;
// SES alpha: kGrid candidates per round, kGridRounds zooming rounds.
constexpr int kGrid = 6;
constexpr int kGridRounds = 3;
// The seasonal index of a phase uses its newest kMaxCycles values (weights
// 0.5^k: older ones weigh < 2e-5); the SES clipping bound is the robust
// scale of the newest kScaleWindow one-step differences.
constexpr int kMaxCycles = 16;
constexpr int64_t kScaleWindow = 1024;
// A season's pattern is significant when its mean size is more than twice
// its mean standard error (the conventional two standard errors).
constexpr double kSignificant = 2;

// kOlderSe[k]: sqrt(sum w^2) / sum w of the weights 1, kDecay, kDecay^2,
// ... of the k - 1 older cycles of a phase with k values (0 for k < 2):
// the standard error of their weighted mean per unit SD.
constexpr std::array<double, kMaxCycles + 1> OlderSeTable() {
  std::array<double, kMaxCycles + 1> out{};
  for (int k = 2; k <= kMaxCycles; ++k) {
    double w = 1, wsum = 0, w2sum = 0;
    for (int i = 1; i < k; ++i) {
      wsum += w;
      w2sum += w * w;
      w *= kDecay;
    }
    // sqrt by Newton's method (std::sqrt is not constexpr in C++20).
    double r = w2sum;
    for (int it = 0; it < 60; ++it) r = 0.5 * (r + w2sum / r);
    out[static_cast<size_t>(k)] = r / wsum;
  }
  return out;
}
constexpr std::array<double, kMaxCycles + 1> kOlderSe = OlderSeTable();

// Centred moving average of length m (2xm for even m); ends are held at the
// nearest full-window value.
void MovingAverage(const std::vector<double>& a, int m, std::vector<double>& cs,
                   std::vector<double>& out) {
  const int64_t n = static_cast<int64_t>(a.size());
  out.resize(a.size());  // every element is written below
  if (n < m + 1 || m < 2) {
    double mean = 0;
    for (double v : a) mean += v;
    mean /= std::max<int64_t>(1, n);
    std::fill(out.begin(), out.end(), mean);
    return;
  }
  cs.resize(a.size() + 1);
  cs[0] = 0;
  for (int64_t i = 0; i < n; ++i) cs[i + 1] = cs[i] + a[i];
  // Full windows exist for t in [first, last]; an even m averages two
  // neighbouring windows, each computed once (a multiply each: a division
  // per window had dominated).
  const int64_t half = m / 2;
  const double inv_m = 1.0 / m;  // a multiply per window, not a division
  const int64_t first = half;
  const int64_t last = (m % 2 == 1 ? n - m : n - m - 1) + half;
  if (m % 2 == 1) {
    for (int64_t t = first; t <= last; ++t)
      out[t] = (cs[t - half + m] - cs[t - half]) * inv_m;
  } else {
    double prev = (cs[m] - cs[0]) * inv_m;
    for (int64_t t = first; t <= last; ++t) {
      const int64_t lo = t - half;
      const double next = (cs[lo + 1 + m] - cs[lo + 1]) * inv_m;
      out[t] = 0.5 * (prev + next);
      prev = next;
    }
  }
  for (int64_t t = 0; t < first; ++t) out[t] = out[first];
  for (int64_t t = last + 1; t < n; ++t) out[t] = out[last];
}

constexpr size_t kSmall = 32;

// Sorting networks for the phase values (at most kNet of them): Batcher's
// odd-even merge sort on kNet inputs, restricted to the comparators whose
// two ends are below k, sorts k inputs (the missing inputs act as +inf at
// the top, which no comparator moves). Branch-free min/max, unrolled per k
// so the values stay in registers. Measured (perf, 3,000 then 2,000
// series of the throughput bench): the median of the phase values took
// 20.6 % of the run with an insertion sort (its inner-loop exits are
// mispredicted on noisy values), 11.2 % with the networks.
constexpr int kNet = 16;
struct Comparator {
  int lo, hi;
};
constexpr int kNetSize = 63;  // comparators of the 16-input network
constexpr std::array<Comparator, kNetSize> BatcherAll() {
  std::array<Comparator, kNetSize> out{};
  int c = 0;
  for (int p = 1; p < kNet; p <<= 1)
    for (int k = p; k >= 1; k >>= 1)
      for (int j = k % p; j + k < kNet; j += 2 * k)
        for (int i = 0; i < std::min(k, kNet - j - k); ++i)
          if ((i + j) / (2 * p) == (i + j + k) / (2 * p))
            out[c++] = {i + j, i + j + k};
  return out;
}
constexpr int NetCount(int k) {
  int c = 0;
  for (const Comparator& x : BatcherAll()) c += x.hi < k;
  return c;
}
template <int K>
constexpr std::array<Comparator, NetCount(K)> Network() {
  std::array<Comparator, NetCount(K)> out{};
  int c = 0;
  for (const Comparator& x : BatcherAll())
    if (x.hi < K) out[c++] = x;
  return out;
}
template <int K, size_t... I>
void SortNet(double* b, std::index_sequence<I...>) {
  static constexpr auto net = Network<K>();
  double v[K];
  for (int i = 0; i < K; ++i) v[i] = b[i];
  auto cmp = [&v](int lo, int hi) {
    const double x = v[lo], y = v[hi];
    v[lo] = std::min(x, y);
    v[hi] = std::max(x, y);
  };
  (cmp(net[I].lo, net[I].hi), ...);
  for (int i = 0; i < K; ++i) b[i] = v[i];
}
template <int K>
void SortNet(double* b) {
  SortNet<K>(b, std::make_index_sequence<NetCount(K)>());
}
template <size_t... K>
constexpr std::array<void (*)(double*), sizeof...(K)> NetTable(
    std::index_sequence<K...>) {
  return {&SortNet<static_cast<int>(K) + 2>...};
}
// Sorts b[0, k), 2 <= k <= kNet.
void SortSmall(double* b, size_t k) {
  static constexpr auto table = NetTable(std::make_index_sequence<kNet - 1>());
  table[k - 2](b);
}

// Median of b[0, k) (reorders b). Small k (the cycles of one phase): sorted
// by a network (k <= kNet) or an insertion sort (k <= kSmall), far cheaper
// than nth_element's set-up; b is then sorted.
double MedianInPlace(double* b, size_t k) {
  if (k == 0) return 0;
  if (k <= static_cast<size_t>(kNet)) {
    if (k > 1) SortSmall(b, k);
    return k % 2 ? b[k / 2] : 0.5 * (b[k / 2 - 1] + b[k / 2]);
  }
  if (k <= kSmall) {
    for (size_t i = 1; i < k; ++i) {
      double v = b[i];
      size_t j = i;
      for (; j > 0 && b[j - 1] > v; --j) b[j] = b[j - 1];
      b[j] = v;
    }
    return k % 2 ? b[k / 2] : 0.5 * (b[k / 2 - 1] + b[k / 2]);
  }
  size_t mid = k / 2;
  std::nth_element(b, b + mid, b + k);
  double m = b[mid];
  if (k % 2 == 0) m = 0.5 * (m + *std::max_element(b, b + mid));
  return m;
}

// Median absolute deviation from med of the sorted b[0, k), k >= 1: the
// deviations on either side of med are increasing, so a two-way merge from
// med outwards reaches the middle rank in O(k) without a second sort.
double MadOfSorted(const double* b, size_t k, double med) {
  const ptrdiff_t n = static_cast<ptrdiff_t>(k);
  ptrdiff_t j = std::lower_bound(b, b + k, med) - b;  // first >= med
  ptrdiff_t i = j - 1;
  double prev = 0, cur = 0;
  for (size_t r = 0; r <= k / 2; ++r) {
    double dl = i >= 0 ? med - b[i] : HUGE_VAL;
    double dr = j < n ? b[j] - med : HUGE_VAL;
    prev = cur;
    if (dl <= dr) {
      cur = dl;
      --i;
    } else {
      cur = dr;
      ++j;
    }
  }
  return k % 2 ? cur : 0.5 * (prev + cur);
}

class Mstl : public Model {
 public:
  std::string_view Name() const override { return "mstl"; }

  Status Fit(const TrainingData& data, int64_t n) override {
    ECOTONE_RETURN_IF_ERROR(Decompose(data, n));
    // Alpha by a zooming grid on the one-step SSE of SES: kGrid alphas
    // evaluated in one interleaved pass (independent recursions), then the
    // grid narrows around the best, kGridRounds times (resolution
    // 0.98 / 6^3 = 0.005).
    // The last round's lanes end in the states Ses() would leave, so the
    // chosen one is kept without another pass.
    double lo = 0.01, hi = 0.99;
    for (int round = 0; round < kGridRounds; ++round) {
      double alphas[kGrid], sse[kGrid], level[kGrid];
      int64_t shift[kGrid];
      const double w = (hi - lo) / kGrid;
      for (int k = 0; k < kGrid; ++k) alphas[k] = lo + (k + 0.5) * w;
      SesSse(alphas, sse, level, shift);
      int b = 0;
      for (int k = 1; k < kGrid; ++k)
        if (sse[k] < sse[b]) b = k;
      alpha_ = alphas[b];
      level_ = level[b];
      last_shift_ = shift[b];
      lo = std::max(0.01, alpha_ - w);
      hi = std::min(0.99, alpha_ + w);
    }
    fit_data_ = &data;
    fit_y_ = data.y.data();
    fit_n_ = n;
    fit_seasons_ = seasons_;
    fit_pattern_ = pattern_;
    fit_level_ = level_;
    fit_shift_ = last_shift_;
    return Status::Ok();
  }

  Status Refit(const TrainingData& data, int64_t n) override {
    if (&data == fit_data_ && data.y.data() == fit_y_ && n == fit_n_) {
      // Back to the state of the last Fit (after the inner backtest).
      seasons_ = fit_seasons_;
      pattern_ = fit_pattern_;
      level_ = fit_level_;
      last_shift_ = fit_shift_;
      n_ = n;
      return Status::Ok();
    }
    ECOTONE_RETURN_IF_ERROR(Decompose(data, n));
    Ses();
    return Status::Ok();
  }

  // Histories of at most kRichAutoMaxPoints: the model itself at every
  // origin — the decomposition (patterns, dropped seasons, clip) and the
  // smoothing of the prefix y[0, o_j), as a forecast from o_j would be made.
  // Longer ones (the fleet path, where 12 decompositions would cost more
  // than the rest of auto): one decomposition on the prefix of the first
  // usable origin (the seasonal patterns are estimated before every
  // origin), then one smoothing pass of the seasonally adjusted series that
  // snapshots the level at every origin. The shared patterns are up to a
  // week and a half stale at the newest origin; measured in
  // docs/forecast.md ("mstl's inner forecasts").
  void InnerForecasts(const TrainingData& data,
                      std::span<const int64_t> origins, int h,
                      std::vector<std::vector<double>>* out) override {
    out->assign(origins.size(), {});
    if (origins.empty()) return;
    if (origins.back() + h <= kRichAutoMaxPoints) {
      for (size_t j = 0; j < origins.size(); ++j)
        if (Refit(data, origins[j]).ok()) (*out)[j] = Forecast(h);
      return;
    }
    size_t first = 0;
    while (first < origins.size() && !Decompose(data, origins[first]).ok())
      ++first;
    if (first == origins.size()) return;
    const int64_t end = origins.back();
    const double* y = data.y.data();
    adjusted_.resize(static_cast<size_t>(end));
    Deseason(y, origins[first], end, seasons_.size(), adjusted_.data());
    double level = adjusted_.front();
    int run = 0;
    size_t next = first;
    for (int64_t t = 0; t <= end && next < origins.size(); ++t) {
      while (next < origins.size() && origins[next] == t) {
        level_ = level;
        n_ = t;
        (*out)[next++] = Forecast(h);
      }
      if (t == end) break;
      SesStep(adjusted_[t], alpha_, clip_, level, run);
    }
  }

  int64_t LastLevelShift() const override { return last_shift_; }

  std::vector<double> Forecast(int h) const override {
    std::vector<double> f(static_cast<size_t>(h), level_);
    for (size_t s = 0; s < seasons_.size(); ++s) {
      const int m = seasons_[s];
      const double* pat = pattern_[s].data();
      // Phase of n_ + l by a counter (no division per lead).
      int64_t ph = n_ % m;
      for (int l = 0; l < h; ++l) {
        f[l] += pat[ph];
        if (++ph == m) ph = 0;
      }
    }
    return f;
  }

 private:
  // out[t] = y[t] - the seasonal patterns except season `skip`, for t in
  // [from, to) (phase counters instead of a modulo per point).
  void Deseason(const double* y, int64_t from, int64_t to, size_t skip,
                double* out) const {
    // The first pattern subtracted reads y (no separate copy pass).
    bool first = true;
    for (size_t o = 0; o < seasons_.size(); ++o) {
      if (o == skip) continue;
      const int m = seasons_[o];
      const double* pat = pattern_[o].data();
      // Runs of consecutive phases: a contiguous loop per cycle.
      int64_t ph = from % m;
      for (int64_t t = from; t < to;) {
        const int64_t len = std::min<int64_t>(m - ph, to - t);
        double* d = out + t;
        const double* p = pat + ph;
        const double* src = first ? y + t : d;
        for (int64_t i = 0; i < len; ++i) d[i] = src[i] - p[i];
        t += len;
        ph = 0;
      }
      first = false;
    }
    if (first) std::copy(y + from, y + to, out + from);
  }

  Status Decompose(const TrainingData& data, int64_t n) {
    if (data.seasons.empty())
      return Status::InvalidArgument("mstl needs at least one season");
    seasons_.clear();
    for (int m : data.seasons)
      if (n >= 2 * static_cast<int64_t>(m)) seasons_.push_back(m);
    if (seasons_.empty())
      return Status::InvalidArgument("mstl needs at least " +
                                     std::to_string(2 * data.seasons.front()) +
                                     " points (two shortest seasons)");
    n_ = n;
    const double* y = data.y.data();
    pattern_.resize(seasons_.size());  // keeps the patterns' storage
    for (size_t s = 0; s < seasons_.size(); ++s)
      pattern_[s].assign(static_cast<size_t>(seasons_[s]), 0.0);
    std::vector<double>& a = work_;
    a.resize(static_cast<size_t>(n));
    for (int pass = 0; pass < kPasses; ++pass) {
      for (size_t s = 0; s < seasons_.size(); ++s) {
        const int m = seasons_[s];
        Deseason(y, 0, n, s, a.data());
        MovingAverage(a, m, cs_, trend_);
        for (int64_t t = 0; t < n; ++t) a[t] -= trend_[t];
        std::vector<double>& pat = pattern_[s];
        older_.resize(static_cast<size_t>(m));
        newest_.resize(static_cast<size_t>(m));
        double* older = older_.data();
        double* newest = newest_.data();
        double older_se = 0;  // sum over phases of older[p]'s standard error
        double mean = 0, mean_old = 0;  // of pat and older
        static_assert(kMaxCycles <= kSmall, "phase values are sorted in place");
        double vals[kMaxCycles], tmp[kMaxCycles];
        for (int p = 0; p < m; ++p) {
          // Phase p values, newest first.
          size_t k = 0;
          int64_t last = n - 1 - ((n - 1 - p) % m + m) % m;
          for (int64_t t = last; t >= 0 && k < kMaxCycles; t -= m)
            vals[k++] = a[t];
          std::copy(vals, vals + k, tmp);
          const double med = MedianInPlace(tmp, k);
          const double mad = k ? MadOfSorted(tmp, k, med) : 0;  // tmp sorted
          double sd = 1.4826 * mad;
          double lim = sd > 0 ? 3 * sd : 0;
          // older[p]: the same clipped weighted mean without the newest
          // cycle (weights 1, kDecay, ... from the second newest), the
          // prediction of the newest cycle from the older ones.
          double wsum = 0, acc = 0, w = 1;
          double c0 = vals[0];
          if (lim > 0) c0 = std::clamp(c0, med - lim, med + lim);
          for (size_t i = 1; i < k; ++i) {
            const double v = vals[i];
            double c = lim > 0 ? std::clamp(v, med - lim, med + lim) : v;
            acc += w * c;
            wsum += w;
            w *= kDecay;
          }
          older[static_cast<size_t>(p)] = wsum > 0 ? acc / wsum : 0;
          newest[static_cast<size_t>(p)] = vals[0];
          // Standard error of older[p] for independent values of the
          // phase's robust SD.
          older_se += sd * kOlderSe[k];
          // Adding the newest cycle with weight 1 and halving the older
          // weights gives the full estimate.
          pat[static_cast<size_t>(p)] =
              (c0 + kDecay * acc) / (1 + kDecay * wsum);
          mean += pat[static_cast<size_t>(p)];
          mean_old += older[static_cast<size_t>(p)];
        }
        mean /= m;
        mean_old /= m;
        for (double& v : pat) v -= mean;
        // Out-of-sample check, one cycle held out: the pattern of the older
        // cycles (centred) against no pattern, as predictions of the newest
        // cycle's detrended values (L1 over the cycle). A season whose
        // older cycles predict the newest no better than no pattern at all
        // explains nothing out of sample, and its component is dropped (a
        // regime of about one season, e.g. a VM busy for one week, would
        // otherwise be carried forward as a weekly pattern) — unless the
        // older cycles agree on a pattern well above their noise (mean
        // |older[p]| > kSignificant x its mean standard error): then the
        // newest cycle is the odd one out (a level jump inside it leaves
        // its detrended values off by the moving average's lag, which no
        // pattern predicts), and the pattern is kept.
        double with = 0, without = 0, size = 0;
        for (int p = 0; p < m; ++p) {
          const double v = newest[static_cast<size_t>(p)];
          const double o = older[static_cast<size_t>(p)] - mean_old;
          with += std::fabs(v - o);
          without += std::fabs(v);
          size += std::fabs(o);
        }
        if (!(with < without) && !(size > kSignificant * older_se))
          std::fill(pat.begin(), pat.end(), 0.0);
      }
    }
    adjusted_.resize(static_cast<size_t>(n));
    Deseason(y, 0, n, seasons_.size(), adjusted_.data());
    // Robust scale of the most recent kScaleWindow one-step differences.
    std::vector<double>& diffs = diffs_;
    const int64_t from = std::max<int64_t>(1, n - kScaleWindow);
    diffs.clear();
    for (int64_t i = from; i < n; ++i)
      diffs.push_back(adjusted_[i] - adjusted_[i - 1]);
    double med = MedianInPlace(diffs.data(), diffs.size());
    for (double& v : diffs) v = std::fabs(v - med);
    clip_ = 4 * 1.4826 * MedianInPlace(diffs.data(), diffs.size());
    return Status::Ok();
  }

  // SES on the adjusted series with errors clipped at clip_ (robust).
  // One step of the robust SES on z: the error is clipped at clip (an
  // isolated outlier moves the level by at most alpha * clip), but
  // kShiftRun consecutive errors beyond the clip with the same sign are a
  // level shift, not outliers: the level jumps to z. run counts the
  // consecutive clipped errors (signed); *jumped (if given) is set when
  // the level jumps. Returns the clipped error. The
  // unclipped update is written (1 − alpha)·level + alpha·z, not level +
  // alpha·e: the same level up to rounding, and its dependency chain from
  // one level to the next is a multiply and an add (8 cycles), not a
  // subtraction, a multiply and an add (12) — SES is latency-bound.
  static double SesStep(double z, double alpha, double clip, double& level,
                        int& run, bool* jumped = nullptr) {
    double e = z - level;
    if (!(clip > 0) || std::fabs(e) <= clip) [[likely]] {
      run = 0;
      level = (1 - alpha) * level + alpha * z;
      return e;
    }
    run = e > 0 ? std::max(run, 0) + 1 : std::min(run, 0) - 1;
    e = e > 0 ? clip : -clip;
    if (std::abs(run) >= kShiftRun) {
      level = z;
      run = 0;
      if (jumped) *jumped = true;
    } else {
      level += alpha * e;
    }
    return e;
  }

  // The one-step SSEs of SES (as Ses) for kGrid alphas in one pass, with
  // the final level and the index of the last level jump of each (what
  // Ses() keeps). Fast path (almost every step): no error beyond
  // the clip, where SesStep only resets the run and moves the level. The
  // kGrid recursions are kept in registers as pairs (GCC/Clang vector
  // extensions: plain IEEE arithmetic per lane, the same results as the
  // scalar SesStep); a step with any error beyond the clip runs SesStep on
  // each of them, on copies of the lanes (so that the fast path's lanes
  // are not indexed, and stay in registers). A branch-free version that
  // computes both updates on every step and blends them was slower (10.5
  // against 9.8 s for 10,000 series).
  void SesSse(const double* alpha, double* sse, double* level_out,
              int64_t* shift_out) const {
    static_assert(kGrid == 6, "three pairs");
    typedef double V2 __attribute__((vector_size(16)));
    typedef long long M2 __attribute__((vector_size(16)));
    const double l0 = adjusted_.front();
    // Lanes as plain locals (never indexed or address-taken: they stay in
    // registers); the slow path unpacks them into arrays and back.
    V2 lv0 = {l0, l0}, lv1 = lv0, lv2 = lv0;
    V2 ac0 = {0, 0}, ac1 = ac0, ac2 = ac0;
    const V2 al0 = {alpha[0], alpha[1]}, al1 = {alpha[2], alpha[3]},
             al2 = {alpha[4], alpha[5]};
    const V2 one = {1, 1};
    const V2 bl0 = one - al0, bl1 = one - al1, bl2 = one - al2;
    const double c = clip_ > 0 ? clip_ : HUGE_VAL;
    const V2 cv = {c, c};
    const M2 kAbs = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL};
    int run[kGrid] = {0, 0, 0, 0, 0, 0};
    int64_t shift[kGrid] = {-1, -1, -1, -1, -1, -1};
    bool runs = false;  // some run[k] != 0
    const int64_t size = static_cast<int64_t>(adjusted_.size());
    for (int64_t t = 0; t < size; ++t) {
      const double z = adjusted_[static_cast<size_t>(t)];
      const V2 zv = {z, z};
      const V2 e0 = zv - lv0, e1 = zv - lv1, e2 = zv - lv2;
      // |e| <= clip, |e| by clearing the sign bit.
      const M2 in = ((V2)((M2)e0 & kAbs) <= cv) & ((V2)((M2)e1 & kAbs) <= cv) &
                    ((V2)((M2)e2 & kAbs) <= cv);
#if defined(__SSE2__)
      const bool all_in = __builtin_ia32_movmskpd((V2)in) == 3;
#else
      const bool all_in = in[0] && in[1];
#endif
      if (all_in) [[likely]] {
        lv0 = bl0 * lv0 + al0 * zv;  // as SesStep
        lv1 = bl1 * lv1 + al1 * zv;
        lv2 = bl2 * lv2 + al2 * zv;
        ac0 += e0 * e0;
        ac1 += e1 * e1;
        ac2 += e2 * e2;
        if (runs) [[unlikely]] {
          std::fill(run, run + kGrid, 0);
          runs = false;
        }
        continue;
      }
      double lvs[kGrid] = {lv0[0], lv0[1], lv1[0], lv1[1], lv2[0], lv2[1]};
      double accs[kGrid] = {ac0[0], ac0[1], ac1[0], ac1[1], ac2[0], ac2[1]};
      for (int k = 0; k < kGrid; ++k) {
        bool jumped = false;
        const double e = SesStep(z, alpha[k], clip_, lvs[k], run[k], &jumped);
        if (jumped) shift[k] = t;
        accs[k] += e * e;
        runs |= run[k] != 0;
      }
      lv0 = V2{lvs[0], lvs[1]};
      lv1 = V2{lvs[2], lvs[3]};
      lv2 = V2{lvs[4], lvs[5]};
      ac0 = V2{accs[0], accs[1]};
      ac1 = V2{accs[2], accs[3]};
      ac2 = V2{accs[4], accs[5]};
    }
    const double lv_out[kGrid] = {lv0[0], lv0[1], lv1[0],
                                  lv1[1], lv2[0], lv2[1]};
    const double acc_out[kGrid] = {ac0[0], ac0[1], ac1[0],
                                   ac1[1], ac2[0], ac2[1]};
    for (int k = 0; k < kGrid; ++k) {
      sse[k] = acc_out[k];
      level_out[k] = lv_out[k];
      shift_out[k] = shift[k];
    }
  }

  // SES on the adjusted series at alpha_ (robust: SesStep): the final
  // level and the index of the last level jump.
  void Ses() {
    double level = adjusted_.front();
    int run = 0;
    int64_t shift_at = -1;
    const int64_t size = static_cast<int64_t>(adjusted_.size());
    for (int64_t t = 0; t < size; ++t) {
      bool jumped = false;
      SesStep(adjusted_[t], alpha_, clip_, level, run, &jumped);
      if (jumped) shift_at = t;
    }
    level_ = level;
    last_shift_ = shift_at;
  }

  std::vector<int> seasons_;
  std::vector<std::vector<double>> pattern_;
  std::vector<double> work_, cs_, trend_, older_, newest_, diffs_;  // scratch
  // State of the last Fit, restored by Refit on the same data and n.
  const TrainingData* fit_data_ = nullptr;
  const double* fit_y_ = nullptr;
  int64_t fit_n_ = -1;
  std::vector<int> fit_seasons_;
  std::vector<std::vector<double>> fit_pattern_;
  double fit_level_ = 0;
  std::vector<double> adjusted_;
  int64_t n_ = 0;
  double alpha_ = 0.5, level_ = 0, clip_ = 0;
  int64_t last_shift_ = -1, fit_shift_ = -1;
};

}  // namespace

std::unique_ptr<Model> NewMstl() { return std::make_unique<Mstl>(); }

}  // namespace ecotone::forecast::internal
