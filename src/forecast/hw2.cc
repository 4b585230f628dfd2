// Double-seasonal Holt-Winters with AR(1) error adjustment, after
// J. W. Taylor, "Short-term electricity demand forecasting using double
// seasonal exponential smoothing", J. Oper. Res. Soc. 54 (2003) 799-805.
// Additive, no trend (the level adapts), error-correction form:
//   e_t   = y_t - (l_{t-1} + d_{t-m1} + w_{t-m2})
//   l_t   = l_{t-1} + alpha * e_t
//   d_t   = d_{t-m1} + delta * e_t
//   w_t   = w_{t-m2} + omega * e_t
//   yhat_t(k) = l_t + d_{t-m1+k} + w_{t-m2+k} + phi^k * e_t
// Parameters (alpha, delta, omega, phi) in (0,1) via a logistic transform,
// chosen by Nelder-Mead (budget kMaxEvals) on the in-sample one-step SSE.
// Robustness: errors fed to the updates are clipped at +-kClip robust
// standard deviations (1.4826 MAD of the seasonal differences), so isolated
// outliers do not corrupt the seasonal indices; kShiftRun such errors in a
// row with one sign are a level shift, which the level absorbs at once. With
// one season the weekly terms are dropped. Cost: O(n) per SSE evaluation.
#include <algorithm>
#include <cmath>
#include <span>
#include <string>

#include "models.h"

namespace ecotone::forecast::internal {
namespace {

constexpr int kMaxEvals = 140;
constexpr double kClip = 4.0;

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

class HoltWinters2 : public Model {
 public:
  std::string_view Name() const override { return "hw2"; }

  Status Fit(const TrainingData& data, int64_t n) override {
    ECOTONE_RETURN_IF_ERROR(Setup(data, n));
    auto sse = [&](const double* x) {
      double p[4] = {Logistic(x[0]), Logistic(x[1]), Logistic(x[2]),
                     Logistic(x[3])};
      return Run(data.y.data(), n, p, /*keep_state=*/false);
    };
    // Start near typical values for half-hourly demand (Taylor 2003 tab. 1).
    std::vector<double> x0 = {std::log(0.1 / 0.9), std::log(0.15 / 0.85),
                              std::log(0.15 / 0.85), std::log(0.7 / 0.3)};
    std::vector<double> best = NelderMead(sse, x0, 1.5, kMaxEvals);
    for (int i = 0; i < 4; ++i) params_[i] = Logistic(best[i]);
    Run(data.y.data(), n, params_, /*keep_state=*/true);
    return Status::Ok();
  }

  Status Refit(const TrainingData& data, int64_t n) override {
    ECOTONE_RETURN_IF_ERROR(Setup(data, n));
    Run(data.y.data(), n, params_, /*keep_state=*/true);
    return Status::Ok();
  }

  int64_t LastLevelShift() const override { return last_shift_; }

  std::vector<double> Forecast(int h) const override {
    return ForecastFrom(level_, last_error_, n_, h);
  }

  // One filter pass over y[0, last origin) with the fitted parameters and
  // the initial states and clipping bound of the first usable origin (so
  // nothing after any origin is used), forecasting at every origin.
  void InnerForecasts(const TrainingData& data,
                      std::span<const int64_t> origins, int h,
                      std::vector<std::vector<double>>* out) override {
    out->assign(origins.size(), {});
    size_t first = 0;
    while (first < origins.size() && !Setup(data, origins[first]).ok()) ++first;
    if (first == origins.size()) return;
    Run(data.y.data(), origins.back(), params_, /*keep_state=*/false,
        origins.subspan(first), h, out->data() + first);
  }

 private:
  // The h-step forecast from the state (level, last error, current d_ and
  // w_) after n observations.
  std::vector<double> ForecastFrom(double level, double error, int64_t n,
                                   int h) const {
    std::vector<double> f(static_cast<size_t>(h));
    double ar = error;
    for (int k = 1; k <= h; ++k) {
      int64_t t = n + k - 1;
      ar *= params_[3];
      double v = level + d_[static_cast<size_t>(t % m1_)];
      if (m2_ > 0) v += w_[static_cast<size_t>(t % m2_)];
      f[static_cast<size_t>(k - 1)] = v + ar;
    }
    return f;
  }

  // Chooses the seasons and the initial states from the first cycles.
  Status Setup(const TrainingData& data, int64_t n) {
    if (data.seasons.empty())
      return Status::InvalidArgument("hw2 needs at least one season");
    m1_ = data.seasons.front();
    m2_ = data.seasons.size() > 1 ? data.seasons.back() : 0;
    int64_t longest = m2_ > 0 ? m2_ : m1_;
    if (n < 2 * longest)
      return Status::InvalidArgument("hw2 needs at least " +
                                     std::to_string(2 * longest) +
                                     " points (two longest seasons)");
    const double* y = data.y.data();
    double level = 0;
    for (int64_t i = 0; i < longest; ++i) level += y[i];
    level /= static_cast<double>(longest);
    init_d_.assign(static_cast<size_t>(m1_), 0.0);
    std::vector<int> cnt(static_cast<size_t>(m1_), 0);
    for (int64_t i = 0; i < 2 * longest; ++i) {
      init_d_[static_cast<size_t>(i % m1_)] += y[i] - level;
      cnt[static_cast<size_t>(i % m1_)]++;
    }
    for (int j = 0; j < m1_; ++j) init_d_[j] /= std::max(1, cnt[j]);
    init_w_.assign(static_cast<size_t>(std::max(m2_, 1)), 0.0);
    if (m2_ > 0) {
      for (int j = 0; j < m2_; ++j)
        init_w_[j] = 0.5 * (y[j] + y[j + m2_]) - level - init_d_[j % m1_];
    }
    init_level_ = level;
    std::vector<double> diffs;
    diffs.reserve(static_cast<size_t>(n - longest));
    for (int64_t i = longest; i < n; ++i)
      diffs.push_back(y[i] - y[i - longest]);
    clip_ = kClip * RobustScale(diffs);
    if (!(clip_ > 0)) clip_ = 0;  // constant-ish: no clipping
    n_ = n;
    return Status::Ok();
  }

  // Runs the filter; returns the one-step SSE. keep_state stores the final
  // states for Forecast. snap (ascending, each <= n): forecast h steps from
  // the state after y[0, snap[j]) into out[j].
  double Run(const double* y, int64_t n, const double* p, bool keep_state,
             std::span<const int64_t> snap = {}, int h = 0,
             std::vector<double>* out = nullptr) {
    d_ = init_d_;
    w_ = init_w_;
    double level = init_level_;
    const double alpha = p[0], delta = p[1], omega = p[2], phi = p[3];
    double prev_e = 0, sse = 0;
    int run = 0;
    int64_t shift_at = -1;
    int64_t j1 = 0, j2 = 0;
    double* d = d_.data();
    double* w = w_.data();
    const bool two = m2_ > 0;
    size_t next = 0;
    for (int64_t t = 0; t < n; ++t) {
      while (next < snap.size() && snap[next] == t)
        out[next++] = ForecastFrom(level, prev_e, t, h);
      double base = level + d[j1] + (two ? w[j2] : 0.0);
      double one_step = base + phi * prev_e;
      double eps = y[t] - one_step;
      double e = y[t] - base;
      if (clip_ > 0) {
        eps = std::clamp(eps, -clip_, clip_);
        if (std::fabs(e) > clip_) {
          // kShiftRun errors beyond the clip with one sign in a row: a level
          // shift, not outliers; the level jumps by the error.
          run = e > 0 ? std::max(run, 0) + 1 : std::min(run, 0) - 1;
          if (std::abs(run) >= kShiftRun) {
            shift_at = t;
            level += e;
            e = 0;
            run = 0;
          } else {
            e = std::clamp(e, -clip_, clip_);
          }
        } else {
          run = 0;
        }
      }
      sse += eps * eps;
      level += alpha * e;
      d[j1] += delta * e;
      if (two) w[j2] += omega * e;
      prev_e = e;
      if (++j1 == m1_) j1 = 0;
      if (two && ++j2 == m2_) j2 = 0;
    }
    while (next < snap.size() && snap[next] == n)
      out[next++] = ForecastFrom(level, prev_e, n, h);
    if (keep_state) {
      level_ = level;
      last_error_ = prev_e;
      n_ = n;
      last_shift_ = shift_at;
    }
    return sse;
  }

  int m1_ = 1, m2_ = 0;
  int64_t n_ = 0;
  double params_[4] = {0.1, 0.1, 0.1, 0.5};
  double init_level_ = 0, clip_ = 0;
  std::vector<double> init_d_, init_w_, d_, w_;
  double level_ = 0, last_error_ = 0;
  int64_t last_shift_ = -1;
};

}  // namespace

std::unique_ptr<Model> NewHoltWinters2() {
  return std::make_unique<HoltWinters2>();
}

}  // namespace ecotone::forecast::internal
