// Single-season additive Holt-Winters (Holt 1957, Winters 1960; Hyndman et
// al. 2008, ETS(A,N,A) and ETS(A,Ad,A)) in error-correction form, the model
// statsmodels' ExponentialSmoothing(seasonal="add") fits:
//   yhat_t = l_{t-1} + phi b_{t-1} + s_{t-m}
//   e_t    = y_t - yhat_t
//   l_t    = l_{t-1} + phi b_{t-1} + alpha e_t
//   b_t    = phi b_{t-1} + alpha beta e_t
//   s_t    = s_{t-m} + gamma e_t
//   yhat_n(k) = l_n + (phi + ... + phi^k) b_n + s_{n-m+k}
// m = the longest season with two whole cycles in the history. Two forms are
// fitted by Nelder-Mead on the in-sample one-step SSE: no trend (alpha,
// gamma) and damped trend (alpha, beta, gamma, phi in [0.8, 0.98]); the one
// with the smaller AIC = n log(SSE/n) + 2k (k = parameters + initial
// states) is kept. Initial states from the first two cycles (statsmodels'
// "heuristic"-like). Robust like hw2: errors are clipped at +-kClip robust
// SDs of the seasonal differences before they update the states, and
// kShiftRun clipped errors in a row with one sign are a level shift that
// the level absorbs at once (LastLevelShift). O(n) per SSE evaluation.
#include <algorithm>
#include <cmath>
#include <span>
#include <string>

#include "models.h"

namespace ecotone::forecast::internal {
namespace {

constexpr int kEvalsFlat = 60;
constexpr int kEvalsDamped = 120;
constexpr double kClip = 4.0;
constexpr double kPhiLo = 0.8, kPhiHi = 0.98;

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double Logit(double p) { return std::log(p / (1 - p)); }

class HoltWinters1 : public Model {
 public:
  std::string_view Name() const override { return "hw1"; }

  Status Fit(const TrainingData& data, int64_t n) override {
    ECOTONE_RETURN_IF_ERROR(Setup(data, n));
    const double* y = data.y.data();
    // No trend: (alpha, gamma).
    auto flat = [&](const double* x) {
      double p[4] = {Logistic(x[0]), 0.0, Logistic(x[1]), 0.0};
      return Run(y, n, p, false);
    };
    std::vector<double> bf =
        NelderMead(flat, {Logit(0.3), Logit(0.1)}, 1.5, kEvalsFlat);
    double pf[4] = {Logistic(bf[0]), 0.0, Logistic(bf[1]), 0.0};
    double sse_f = Run(y, n, pf, false);
    // Damped trend: (alpha, beta, gamma, phi).
    auto damped = [&](const double* x) {
      double p[4] = {Logistic(x[0]), Logistic(x[1]), Logistic(x[2]),
                     kPhiLo + (kPhiHi - kPhiLo) * Logistic(x[3])};
      return Run(y, n, p, false);
    };
    std::vector<double> bd = NelderMead(
        damped, {bf[0], Logit(0.05), bf[1], 0.0}, 1.5, kEvalsDamped);
    double pd[4] = {Logistic(bd[0]), Logistic(bd[1]), Logistic(bd[2]),
                    kPhiLo + (kPhiHi - kPhiLo) * Logistic(bd[3])};
    double sse_d = Run(y, n, pd, false);
    const double nn = static_cast<double>(n);
    auto aic = [&](double sse, int k) {
      return nn * std::log(std::max(sse, 1e-300) / nn) + 2.0 * k;
    };
    // Parameters + initial states (level, trend, m seasonal indices).
    damped_ = aic(sse_d, 4 + 2 + m_) < aic(sse_f, 2 + 1 + m_);
    std::copy(damped_ ? pd : pf, (damped_ ? pd : pf) + 4, params_);
    Run(y, n, params_, true);
    return Status::Ok();
  }

  Status Refit(const TrainingData& data, int64_t n) override {
    ECOTONE_RETURN_IF_ERROR(Setup(data, n));
    Run(data.y.data(), n, params_, true);
    return Status::Ok();
  }

  int64_t LastLevelShift() const override { return last_shift_; }

  std::vector<double> Forecast(int h) const override {
    return ForecastFrom(level_, trend_, n_, h);
  }

  // One filter pass with the fitted parameters and the initial states and
  // clipping bound of the first usable origin, snapshotting every origin.
  void InnerForecasts(const TrainingData& data,
                      std::span<const int64_t> origins, int h,
                      std::vector<std::vector<double>>* out) override {
    out->assign(origins.size(), {});
    size_t first = 0;
    while (first < origins.size() && !Setup(data, origins[first]).ok())
      ++first;
    if (first == origins.size()) return;
    Run(data.y.data(), origins.back(), params_, false, origins.subspan(first),
        h, out->data() + first);
  }

  bool damped() const { return damped_; }

 private:
  std::vector<double> ForecastFrom(double level, double trend, int64_t n,
                                   int h) const {
    std::vector<double> f(static_cast<size_t>(h));
    const double phi = params_[3];
    double damp = 0, pk = 1;
    int64_t j = n % m_;
    for (int k = 1; k <= h; ++k) {
      pk *= phi;
      damp += pk;
      f[static_cast<size_t>(k - 1)] = level + damp * trend + s_[j];
      if (++j == m_) j = 0;
    }
    return f;
  }

  Status Setup(const TrainingData& data, int64_t n) {
    m_ = 0;
    for (int m : data.seasons)
      if (m >= 2 && n >= 2 * static_cast<int64_t>(m)) m_ = std::max(m_, m);
    if (m_ == 0) {
      int shortest = data.seasons.empty() ? 2 : data.seasons.front();
      return Status::InvalidArgument("hw1 needs at least " +
                                     std::to_string(2 * shortest) +
                                     " points (two cycles of a season)");
    }
    const double* y = data.y.data();
    double c1 = 0, c2 = 0;
    for (int i = 0; i < m_; ++i) {
      c1 += y[i];
      c2 += y[i + m_];
    }
    c1 /= m_;
    c2 /= m_;
    init_level_ = c1;
    init_trend_ = (c2 - c1) / m_;
    init_s_.assign(static_cast<size_t>(m_), 0.0);
    for (int j = 0; j < m_; ++j)
      init_s_[j] = 0.5 * ((y[j] - c1) + (y[j + m_] - c2));
    std::vector<double> diffs;
    diffs.reserve(static_cast<size_t>(n - m_));
    for (int64_t i = m_; i < n; ++i) diffs.push_back(y[i] - y[i - m_]);
    clip_ = kClip * RobustScale(diffs);
    if (!(clip_ > 0)) clip_ = 0;
    n_ = n;
    return Status::Ok();
  }

  // The filter over y[0, n) with parameters p = (alpha, beta, gamma, phi);
  // beta = 0 and phi = 0 is the no-trend form. Returns the one-step SSE of
  // the clipped errors. keep stores the final state; snap/out as in hw2.
  double Run(const double* y, int64_t n, const double* p, bool keep,
             std::span<const int64_t> snap = {}, int h = 0,
             std::vector<double>* out = nullptr) {
    s_ = init_s_;
    double* s = s_.data();
    const double alpha = p[0], beta = p[1], gamma = p[2], phi = p[3];
    const bool trend = beta > 0;
    double level = init_level_, b = trend ? init_trend_ : 0.0, sse = 0;
    int run = 0;
    int64_t shift_at = -1;
    int64_t j = 0;
    size_t next = 0;
    const double save_phi = params_[3];
    if (!snap.empty()) params_[3] = phi;  // ForecastFrom reads params_
    for (int64_t t = 0; t < n; ++t) {
      while (next < snap.size() && snap[next] == t)
        out[next++] = ForecastFrom(level, b, t, h);
      const double pb = phi * b;
      double e = y[t] - (level + pb + s[j]);
      if (clip_ > 0) {
        if (std::fabs(e) > clip_) {
          run = e > 0 ? std::max(run, 0) + 1 : std::min(run, 0) - 1;
          if (std::abs(run) >= kShiftRun) {
            shift_at = t;
            level += e;
            e = 0;
            run = 0;
          } else {
            e = e > 0 ? clip_ : -clip_;
          }
        } else {
          run = 0;
        }
      }
      sse += e * e;
      level += pb + alpha * e;
      b = pb + alpha * beta * e;
      s[j] += gamma * e;
      if (++j == m_) j = 0;
    }
    while (next < snap.size() && snap[next] == n)
      out[next++] = ForecastFrom(level, b, n, h);
    if (!snap.empty()) params_[3] = save_phi;
    if (keep) {
      level_ = level;
      trend_ = b;
      n_ = n;
      last_shift_ = shift_at;
    }
    return sse;
  }

  int m_ = 0;
  int64_t n_ = 0;
  bool damped_ = false;
  double params_[4] = {0.3, 0.0, 0.1, 0.0};
  double init_level_ = 0, init_trend_ = 0, clip_ = 0;
  std::vector<double> init_s_, s_;
  double level_ = 0, trend_ = 0;
  int64_t last_shift_ = -1;
};

}  // namespace

std::unique_ptr<Model> NewHoltWinters1() {
  return std::make_unique<HoltWinters1>();
}

}  // namespace ecotone::forecast::internal
