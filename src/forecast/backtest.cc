#include "ecotone/forecast/backtest.h"

#include <algorithm>
#include <cmath>

namespace ecotone::forecast {

Result<BacktestReport> Backtest(const Series& series,
                                const BacktestOptions& options,
                                const std::function<double()>& cpu_seconds) {
  const int64_t len = static_cast<int64_t>(series.values.size());
  const int h = options.horizon;
  if (h < 1 || h > kMaxHorizon)
    return Status::InvalidArgument(
        h < 1 ? "horizon must be >= 1"
              : "horizon too large (max " + std::to_string(kMaxHorizon) + ")");
  if (options.origins < 1 || options.origin_step < 1)
    return Status::InvalidArgument("origins and origin step must be >= 1");
  if (options.mase_period < 1)
    return Status::InvalidArgument("MASE period must be >= 1");
  const int64_t last_origin =
      options.first_origin + (options.origins - 1) * options.origin_step;
  if (options.first_origin < 3)
    return Status::InvalidArgument("first origin must be >= 3");
  if (options.first_origin <= options.mase_period)
    return Status::InvalidArgument(
        "first origin " + std::to_string(options.first_origin) +
        " leaves no seasonal-naive MASE scale (period " +
        std::to_string(options.mase_period) + ")");
  if (last_origin + h > len)
    return Status::InvalidArgument(
        "last origin " + std::to_string(last_origin) + " + horizon " +
        std::to_string(h) + " is past the end of the series (" +
        std::to_string(len) + " points)");
  TrainingData data;
  data.y = series.values;
  data.start_unix = series.start_unix;
  data.step_seconds = series.step_seconds;
  data.seasons = options.seasons.empty() ? DefaultSeasons(series.step_seconds)
                                         : options.seasons;
  std::sort(data.seasons.begin(), data.seasons.end());
  data.tz = options.tz;
  data.events = options.events;
  data.max_horizon = h;
  const std::vector<double>& y = series.values;

  BacktestReport report;
  report.origins_used = options.origins;
  for (const std::string& name : options.models) {
    ModelScore sc;
    sc.model = name;
    sc.coverage.assign(options.quantiles.size(), 0.0);
    // Covered points are counted, so that a fraction is exact (all covered
    // is 1, not 1 + rounding).
    std::vector<int64_t> covered_total(options.quantiles.size(), 0);
    double cpu = 0;
    for (int k = 0; k < options.origins; ++k) {
      const int64_t o = options.first_origin + k * options.origin_step;
      // MASE scale: in-sample seasonal-naive MAE of y[1..o].
      double scale = 0;
      for (int64_t t = options.mase_period; t < o; ++t)
        scale += std::fabs(y[t] - y[t - options.mase_period]);
      scale /= static_cast<double>(o - options.mase_period);
      if (!(scale > 0))
        return Status::InvalidArgument("MASE scale is zero at origin " +
                                       std::to_string(o) +
                                       " (constant training data)");
      ForecastOptions fo;
      fo.model = name;
      fo.horizon = h;
      fo.quantiles = options.quantiles;
      fo.seasons = data.seasons;
      fo.tz = options.tz;
      fo.events = options.events;
      fo.quantile_inflation = options.quantile_inflation;
      fo.adaptive_calibration = options.adaptive_calibration;
      double t0 = cpu_seconds ? cpu_seconds() : 0;
      Result<ForecastOutput> fc = ForecastPrefix(data, o, fo);
      double t1 = cpu_seconds ? cpu_seconds() : 0;
      if (!fc.ok())
        return Status(fc.status().code(), "model " + name + " at origin " +
                                              std::to_string(o) + ": " +
                                              fc.status().message());
      cpu += t1 - t0;
      sc.chosen.push_back(fc->model);
      double abs_err = 0, smape = 0, pin = 0;
      OriginScore os;
      os.origin = o;
      os.coverage.assign(options.quantiles.size(), 0.0);
      std::vector<int> covered(options.quantiles.size(), 0);
      for (int l = 0; l < h; ++l) {
        double a = y[o + l];
        const ForecastPoint& p = fc->points[l];
        abs_err += std::fabs(a - p.mean);
        double den = std::fabs(a) + std::fabs(p.mean);
        smape += den > 0 ? 200.0 * std::fabs(a - p.mean) / den : 0.0;
        for (size_t q = 0; q < options.quantiles.size(); ++q) {
          double tau = options.quantiles[q];
          double qv = p.quantiles[q];
          if (a <= qv) ++covered[q];
          pin += a >= qv ? tau * (a - qv) : (1 - tau) * (qv - a);
        }
      }
      os.mase = abs_err / h / scale;
      os.smape = smape / h;
      if (!options.quantiles.empty())
        os.pinball = pin / (h * options.quantiles.size()) / scale;
      sc.mase += os.mase / options.origins;
      sc.smape += os.smape / options.origins;
      sc.pinball += os.pinball / options.origins;
      for (size_t q = 0; q < covered.size(); ++q) {
        os.coverage[q] = static_cast<double>(covered[q]) / h;
        covered_total[q] += covered[q];
      }
      sc.per_origin.push_back(std::move(os));
    }
    for (size_t q = 0; q < covered_total.size(); ++q)
      sc.coverage[q] = static_cast<double>(covered_total[q]) /
                       (static_cast<double>(h) * options.origins);
    sc.cpu_seconds_per_fit = cpu / options.origins;
    report.scores.push_back(std::move(sc));
  }
  return report;
}

}  // namespace ecotone::forecast
