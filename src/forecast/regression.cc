// Regression on calendar features, events and lags, fitted by ridge
// (Tikhonov-regularised least squares) with two Huber IRLS re-weightings
// for robustness to outliers (Huber 1964; Hastie, Tibshirani & Friedman,
// ESL 3.4.1). Features of point i with local time (tz) position
// (second of day s, day of week d):
//   1; sin/cos(2 pi k s / 86400), k = 1..Kd; sin/cos(2 pi k (d*86400+s) /
//   604800), k = 1..Kw; weekend * sin/cos(2 pi k s / 86400), k = 1..Ke;
//   one 0/1 indicator per event name (the step overlaps an occurrence);
//   lags y(i - L) for L in {H, m1*ceil(H/m1), m2*ceil(H/m2)}, H = max horizon.
// All lags are >= H, so a forecast for any lead 1..H uses observed values
// only (direct multi-step strategy; Ben Taieb et al. 2012). Features are
// standardised; lambda = kLambda * rows on the standardised scale. Solved by
// Cholesky (Eigen LDLT) on X'WX + lambda I: O(rows * p^2).
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <string>

#include "models.h"

namespace ecotone::forecast::internal {
namespace {

constexpr double kLambda = 1e-3;
constexpr int kIrls = 2;

class Regression : public Model {
 public:
  std::string_view Name() const override { return "regression"; }

  Status Fit(const TrainingData& data, int64_t n) override {
    // Until this fit succeeds, Refit has no state to downdate: Setup may
    // already have changed the lags (they depend on n) and so the shape of
    // the design, while x_ still holds the previous fit's rows.
    fit_n_ = 0;
    ECOTONE_RETURN_IF_ERROR(Setup(data, n));
    ECOTONE_RETURN_IF_ERROR(Solve(data, n));
    fit_n_ = n;
    return Status::Ok();
  }

  // Re-solves on a prefix of the data of the last Fit with its feature
  // scaling and IRLS weights: the normal equations of the prefix are those of
  // the full fit minus the rows of the suffix, O(suffix * p^2 + p^3).
  Status Refit(const TrainingData& data, int64_t n) override {
    if (&data != data_ || n > fit_n_ || n - max_lag_ < 2 * p_)
      return Fit(data, n);
    const int64_t rows = n - max_lag_, all = fit_n_ - max_lag_;
    Eigen::MatrixXd xtx = xtx_;
    Eigen::VectorXd xty = xty_;
    if (all > rows) {
      Eigen::MatrixXd xs = x_.bottomRows(all - rows).array().colwise() *
                           w_.tail(all - rows).array().sqrt();
      xtx.noalias() -= xs.transpose() * xs;
      xty.noalias() -=
          x_.bottomRows(all - rows).transpose() *
          (w_.tail(all - rows).array() * y_.tail(all - rows).array()).matrix();
    }
    for (int k = 1; k < p_; ++k) xtx(k, k) += kLambda * rows;
    Eigen::VectorXd beta = xtx.ldlt().solve(xty);
    if (!beta.allFinite())
      return Status::InvalidArgument("regression: singular design");
    StoreCoefficients(beta);
    n_ = n;
    return Status::Ok();
  }

  std::vector<double> Forecast(int h) const override {
    std::vector<double> f(static_cast<size_t>(h));
    std::vector<double> row(static_cast<size_t>(p_));
    for (int l = 0; l < h; ++l) {
      Features(*data_, n_ + l, row.data());
      double v = 0;
      for (int k = 0; k < p_; ++k) v += coef_[k] * row[k];
      f[static_cast<size_t>(l)] = v;
    }
    return f;
  }

 private:
  Status Setup(const TrainingData& data, int64_t n) {
    data_ = &data;
    const int64_t step = data.step_seconds;
    kd_ =
        step > 0 && step < 86400 ? std::min<int64_t>(10, 86400 / step / 2) : 0;
    kw_ =
        step > 0 && step < 604800 ? std::min<int64_t>(5, 604800 / step / 2) : 0;
    ke_ = kd_ > 0 ? std::min<int64_t>(kd_, 4) : 0;
    event_names_.clear();
    for (const Event& e : data.events)
      if (e.expected_effect == 0 && !event_names_.count(e.name)) {
        int idx = static_cast<int>(event_names_.size());
        event_names_[e.name] = idx;
      }
    lags_.clear();
    const int64_t hz = std::max(1, data.max_horizon);
    lags_.push_back(hz);
    for (int m : data.seasons) lags_.push_back(m * ((hz + m - 1) / m));
    std::sort(lags_.begin(), lags_.end());
    lags_.erase(std::unique(lags_.begin(), lags_.end()), lags_.end());
    // Keep lags that leave at least half the data as rows.
    while (!lags_.empty() && lags_.back() > n / 2) lags_.pop_back();
    max_lag_ = lags_.empty() ? 0 : lags_.back();
    p_ = static_cast<int>(1 + 2 * kd_ + 2 * kw_ + 2 * ke_ +
                          event_names_.size() + lags_.size());
    if (n - max_lag_ < 2 * p_ || n < 8)
      return Status::InvalidArgument("regression needs at least " +
                                     std::to_string(max_lag_ + 2 * p_) +
                                     " points");
    n_ = n;
    return Status::Ok();
  }

  void Features(const TrainingData& data, int64_t i, double* row) const {
    const int64_t t = data.start_unix + i * data.step_seconds;
    CalendarPosition pos = CalendarAt(data.tz, t);
    const double two_pi = 2 * std::numbers::pi;
    double xd = two_pi * static_cast<double>(pos.second_of_day) / 86400.0;
    double xw =
        two_pi *
        static_cast<double>(pos.day_of_week * 86400 + pos.second_of_day) /
        604800.0;
    int k = 0;
    row[k++] = 1.0;
    for (int64_t j = 1; j <= kd_; ++j) {
      row[k++] = std::sin(j * xd);
      row[k++] = std::cos(j * xd);
    }
    for (int64_t j = 1; j <= kw_; ++j) {
      row[k++] = std::sin(j * xw);
      row[k++] = std::cos(j * xw);
    }
    double weekend = pos.day_of_week >= 5 ? 1.0 : 0.0;
    for (int64_t j = 1; j <= ke_; ++j) {
      row[k++] = weekend * std::sin(j * xd);
      row[k++] = weekend * std::cos(j * xd);
    }
    int base = k;
    for (size_t e = 0; e < event_names_.size(); ++e) row[k++] = 0;
    for (const Event& e : data.events) {
      auto it = event_names_.find(e.name);
      if (it == event_names_.end()) continue;
      if (e.start_unix < t + data.step_seconds && e.end_unix > t)
        row[base + it->second] = 1.0;
    }
    k = base + static_cast<int>(event_names_.size());
    for (int64_t lag : lags_) row[k++] = data.y[static_cast<size_t>(i - lag)];
  }

  Status Solve(const TrainingData& data, int64_t n) {
    const int64_t rows = n - max_lag_;
    Eigen::MatrixXd x(rows, p_);
    Eigen::VectorXd y(rows);
    std::vector<double> row(static_cast<size_t>(p_));
    for (int64_t r = 0; r < rows; ++r) {
      Features(data, r + max_lag_, row.data());
      for (int k = 0; k < p_; ++k) x(r, k) = row[k];
      y(r) = data.y[static_cast<size_t>(r + max_lag_)];
    }
    // Standardise every column except the intercept.
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(p_),
                    sd = Eigen::VectorXd::Ones(p_);
    for (int k = 1; k < p_; ++k) {
      mean(k) = x.col(k).mean();
      double s = std::sqrt((x.col(k).array() - mean(k)).square().mean());
      sd(k) = s > 1e-12 ? s : 1.0;
      x.col(k) = (x.col(k).array() - mean(k)) / sd(k);
    }
    Eigen::VectorXd w = Eigen::VectorXd::Ones(rows);
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(p_);
    for (int it = 0; it <= kIrls; ++it) {
      Eigen::MatrixXd xw = x.array().colwise() * w.array().sqrt();
      xtx_.noalias() = xw.transpose() * xw;
      xty_.noalias() = x.transpose() * (w.array() * y.array()).matrix();
      Eigen::MatrixXd xtx = xtx_;
      for (int k = 1; k < p_; ++k) xtx(k, k) += kLambda * rows;
      beta = xtx.ldlt().solve(xty_);
      if (it == kIrls) break;
      Eigen::VectorXd res = y - x * beta;
      std::vector<double> r(res.data(), res.data() + rows);
      double c = 1.345 * RobustScale(r);
      for (int64_t i = 0; i < rows; ++i) {
        double a = std::fabs(res(i));
        w(i) = (c > 0 && a > c) ? c / a : 1.0;
      }
    }
    if (!beta.allFinite())
      return Status::InvalidArgument("regression: singular design");
    x_ = std::move(x);
    y_ = std::move(y);
    w_ = std::move(w);
    mean_ = mean;
    sd_ = sd;
    StoreCoefficients(beta);
    return Status::Ok();
  }

  // Back to the raw feature scale.
  void StoreCoefficients(const Eigen::VectorXd& beta) {
    coef_.assign(static_cast<size_t>(p_), 0.0);
    double intercept = beta(0);
    for (int k = 1; k < p_; ++k) {
      coef_[k] = beta(k) / sd_(k);
      intercept -= coef_[k] * mean_(k);
    }
    coef_[0] = intercept;
  }

  const TrainingData* data_ = nullptr;  // not owned; valid until next Fit.
  int64_t kd_ = 0, kw_ = 0, ke_ = 0, max_lag_ = 0, n_ = 0;
  int p_ = 0;
  std::map<std::string, int> event_names_;
  std::vector<int64_t> lags_;
  std::vector<double> coef_;
  // State of the last Fit, reused by Refit.
  int64_t fit_n_ = 0;
  Eigen::MatrixXd x_, xtx_;
  Eigen::VectorXd y_, w_, xty_, mean_, sd_;
};

}  // namespace

std::unique_ptr<Model> NewRegression() {
  return std::make_unique<Regression>();
}

}  // namespace ecotone::forecast::internal
