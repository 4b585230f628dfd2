// Forecasting models and the forecasting pipeline (automatic selection and
// calibrated quantiles). Pure: no I/O, no clocks; deterministic.
//
// Models (see docs/forecast.md for formulas and citations):
//   snaive_d / snaive_w  seasonal naive with the daily / weekly period
//   snaive               weekly seasonal naive if two weeks of history,
//                        else daily
//   hw1                  single-season additive Holt-Winters, flat or damped
//                        trend chosen by AIC (ETS(A,N,A) / ETS(A,Ad,A))
//   hw2                  Taylor (2003) double-seasonal Holt-Winters with AR(1)
//                        error adjustment, parameters fitted by Nelder-Mead on
//                        the in-sample one-step SSE
//   mstl                 MSTL-style decomposition (moving-average trend,
//                        cycle-subseries seasonal), remainder+trend by simple
//                        exponential smoothing, seasonals by seasonal naive
//   regression           ridge regression on local-time Fourier terms, event
//                        indicators and lags >= horizon (direct multi-step)
//   auto                 rolling-origin backtest on the training history only,
//                        inverse-MAE weighted combination of the best models
#ifndef ECOTONE_FORECAST_FORECAST_H_
#define ECOTONE_FORECAST_FORECAST_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/forecast/series.h"

namespace ecotone::forecast {

// Largest horizon accepted anywhere (steps); larger requests fail with
// kInvalidArgument "horizon too large (max 100000)" before allocating.
inline constexpr int kMaxHorizon = 100000;
// Default factor on the inner-backtest error quantiles: the inner origins
// cover only about a week before the forecast origin and reuse
// hyperparameters fitted on the whole prefix, so their errors understate
// out-of-sample errors. Chosen on half of the benchmark traces and checked
// on the other half (docs/forecast.md "Measured").
inline constexpr double kDefaultQuantileInflation = 1.2;
// Largest training series accepted (points).
inline constexpr int64_t kMaxSeriesLength = 5'000'000;

// What a model is fitted on. y is the training series (only y[0, n) is used
// by Fit/Refit with prefix length n); the calendar of point i is
// tz.LocalSeconds(start_unix + i * step_seconds). seasons are periods in
// steps, ascending (e.g. {48, 336} for half-hourly data); events may extend
// past the training data (future events feed the forecast).
struct TrainingData {
  std::span<const double> y;
  int64_t start_unix = 0;
  int64_t step_seconds = 0;
  std::vector<int> seasons;
  TimeZone tz;
  std::vector<Event> events;
  int max_horizon = 1;  // the longest horizon Forecast will be asked for.
};

// A forecasting model. Not thread-safe; one instance per thread.
class Model {
 public:
  virtual ~Model() = default;
  // Stable name ("hw2", ...).
  virtual std::string_view Name() const = 0;
  // Fits everything (hyperparameters and state) on data.y[0, n). Returns
  // kInvalidArgument if n is too short for the model (message says the
  // minimum), OK otherwise.
  virtual Status Fit(const TrainingData& data, int64_t n) = 0;
  // Re-estimates the state on data.y[0, n), keeping hyperparameters chosen by
  // the last Fit (cheap; used by the inner backtest). Default: Fit.
  virtual Status Refit(const TrainingData& data, int64_t n) {
    return Fit(data, n);
  }
  // Point forecasts for the h steps after the fitted prefix. Requires a
  // successful Fit/Refit and 1 <= h <= data.max_horizon; `data` passed to the
  // last Fit/Refit must still be alive (models may read it).
  virtual std::vector<double> Forecast(int h) const = 0;
  // Level-adaptive models (hw2, mstl) jump their level when kShiftRun
  // one-step errors in a row lie beyond the robust clipping bound: the index
  // t (0-based) of the observation that completed the most recent such jump
  // in the state of the last Fit/Refit, or -1 (none, or a model without a
  // level). Used by auto to detect a structural break near the origin.
  virtual int64_t LastLevelShift() const { return -1; }
  // Inner-backtest forecasts: for each prefix length origins[j] (ascending,
  // all <= the n of the last Fit), the h-step forecast made with the
  // hyperparameters of the last Fit and a state estimated on
  // data.y[0, origins[j]) only; (*out)[j] is left empty where the model
  // cannot forecast from that origin. Leaves the model in an unspecified
  // state: call Refit before Forecast. Default: Refit + Forecast per origin;
  // recursive models override it with one filter pass that snapshots the
  // state at every origin (O(n + origins * h) instead of O(origins * n)).
  virtual void InnerForecasts(const TrainingData& data,
                              std::span<const int64_t> origins, int h,
                              std::vector<std::vector<double>>* out) {
    out->assign(origins.size(), {});
    for (size_t j = 0; j < origins.size(); ++j)
      if (Refit(data, origins[j]).ok()) (*out)[j] = Forecast(h);
  }
};

// Creates a model by name (one of the list above except "auto"). Returns
// kInvalidArgument naming the known models for an unknown name.
Result<std::unique_ptr<Model>> MakeModel(std::string_view name);
// Names accepted by MakeModel, plus "auto".
std::vector<std::string> ModelNames();

// Default seasons (in steps) for a step: daily and weekly when each is a whole
// number of steps >= 2 (e.g. 1800 s -> {48, 336}; 86400 s -> {7}).
std::vector<int> DefaultSeasons(int64_t step_seconds);

struct ForecastOptions {
  std::string model = "auto";
  int horizon = 48;
  std::vector<double> quantiles = {0.9, 0.95};  // each in (0, 1).
  std::vector<int> seasons;                     // empty: DefaultSeasons.
  TimeZone tz;
  std::vector<Event> events;
  // Inner rolling-origin backtest used for selection and quantiles.
  int calibration_origins = 12;
  // Factor applied to the empirical error quantiles of the inner backtest
  // (kDefaultQuantileInflation: see docs/forecast.md "Quantiles").
  double quantile_inflation = kDefaultQuantileInflation;
  // Per-series calibration: the inflation is multiplied by a factor chosen
  // from the series' own newest inner-backtest errors (docs/forecast.md).
  bool adaptive_calibration = true;
};

struct ForecastPoint {
  int64_t timestamp_unix = 0;
  double mean = 0;
  std::vector<double> quantiles;  // parallel to ForecastOptions::quantiles.
};

struct ForecastOutput {
  std::string model;  // the model used, "auto(hw2:0.61,mstl:0.39)" for mixes.
  int64_t step_seconds = 0;
  std::vector<int> seasons;
  std::vector<ForecastPoint> points;
  // How quantiles were obtained ("empirical backtest errors, 12 origins").
  std::string quantile_method;
  // The factor applied to the inner-backtest error quantiles (inflation x
  // per-series factor); 0 when no inner backtest was used.
  double quantile_factor = 0;
  // Inner-backtest MAE per candidate model (auto) or of the chosen model.
  std::vector<std::pair<std::string, double>> candidate_mae;
};

// Fits the requested model on all of `series` and forecasts `horizon` steps
// after the last observation, with quantiles from the empirical distribution
// of the model's own rolling-origin errors per lead time on the training
// history. Errors (kInvalidArgument): horizon < 1 or > kMaxHorizon, fewer
// than 3 points, a non-finite value, a quantile outside (0,1), an unknown
// model, or too little history for the model. A constant series is valid
// (forecast = the constant, zero-width band).
Result<ForecastOutput> Forecast(const Series& series,
                                const ForecastOptions& options);

// The same on a raw prefix: fits on y[0, n) of `data` and forecasts
// options.horizon steps. Used by Forecast and the backtest.
Result<ForecastOutput> ForecastPrefix(const TrainingData& data, int64_t n,
                                      const ForecastOptions& options);

// Applies declared expected effects (multipliers) of future events to a
// point forecast starting at first_unix with step seconds (in place).
void ApplyEventEffects(const std::vector<Event>& events, int64_t first_unix,
                       int64_t step_seconds, std::vector<double>* values);

}  // namespace ecotone::forecast

#endif  // ECOTONE_FORECAST_FORECAST_H_
