// The rolling-origin backtest protocol (docs/forecast.md "Backtest"):
// origins o_k = first + k * origin_step (k = 0..origins-1), o = 1-based index
// of the last training point; train on y[1..o_k] only (refit at every
// origin), forecast horizon steps, score against y[o_k+1 .. o_k+horizon].
// Pure; CPU time is measured with a clock passed in.
#ifndef ECOTONE_FORECAST_BACKTEST_H_
#define ECOTONE_FORECAST_BACKTEST_H_

#include <functional>
#include <string>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/forecast/forecast.h"
#include "ecotone/forecast/series.h"

namespace ecotone::forecast {

struct BacktestOptions {
  int horizon = 48;
  int origins = 7;
  int64_t origin_step = 96;
  int64_t first_origin = 3360;  // 1-based index of the last training point.
  int mase_period = 336;        // seasonal-naive period of the MASE scale.
  std::vector<std::string> models = {"snaive", "hw2", "mstl", "regression",
                                     "auto"};
  std::vector<double> quantiles = {0.9, 0.95};
  std::vector<int> seasons;  // empty: DefaultSeasons(step).
  TimeZone tz;
  std::vector<Event> events;
  // ForecastOptions::quantile_inflation of every fit.
  double quantile_inflation = kDefaultQuantileInflation;
  bool adaptive_calibration = true;  // ForecastOptions::adaptive_calibration
};

// One model's metrics at one origin (the same definitions as ModelScore's
// means).
struct OriginScore {
  int64_t origin = 0;  // 1-based index of the last training point.
  double mase = 0;
  double smape = 0;
  std::vector<double> coverage;  // per quantile: fraction of the h points.
  double pinball = 0;
};

// Mean over origins of each metric for one model.
struct ModelScore {
  std::string model;
  double mase = 0;   // MAE / in-sample seasonal-naive(mase_period) MAE.
  double smape = 0;  // percent, 200 |y - f| / (|y| + |f|), 0/0 = 0.
  std::vector<double> coverage;  // fraction of y <= q_tau, per quantile.
  double pinball = 0;  // mean pinball loss over quantiles and steps / scale.
  double cpu_seconds_per_fit = 0;   // fit + forecast, per origin (clock given).
  std::vector<std::string> chosen;  // model label chosen at each origin.
  // Each origin's metrics, in origin order; a paired test of two models
  // (bench/forecast_compare.py) needs them, not only the means.
  std::vector<OriginScore> per_origin;
};

struct BacktestReport {
  int origins_used = 0;
  std::vector<ModelScore> scores;  // in options.models order.
};

// Runs the protocol. cpu_seconds (may be empty) returns the process CPU time
// and brackets each fit+forecast. Errors (kInvalidArgument): an origin
// before 3 points or with origin+horizon past the end of the series, a
// training window shorter than mase_period + 1, a zero MASE scale, or any
// model error (the message names the model and origin).
Result<BacktestReport> Backtest(const Series& series,
                                const BacktestOptions& options,
                                const std::function<double()>& cpu_seconds);

}  // namespace ecotone::forecast

#endif  // ECOTONE_FORECAST_BACKTEST_H_
