// Fuzzes the forecasting models and auto's selection and calibration on
// arbitrary series: any series, seasons, horizon, quantiles and model must
// give a forecast or a clear error (kInvalidArgument), never a crash, a
// hang or UB, and a forecast must be a number (finite mean and quantiles,
// quantiles in ascending order of level): "never a silent wrong number"
// (docs/forecast.md, "Bad input").
//
// Input layout: 8 header bytes (model, horizon, seasons, origins, quantiles,
// flags), then 3 bytes per point: a tag choosing the value's kind (plain,
// scaled up to 1e300, tiny, repeat, level step, NaN/inf rarely) and a
// 16-bit payload. At most 2,500 points, so that every run stays short.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "ecotone/forecast/forecast.h"

namespace {

constexpr size_t kMaxPoints = 2500;

void Fail(const char* what, const std::string& model, size_t i) {
  std::fprintf(stderr, "forecast_fuzz: %s (model %s, point %zu)\n", what,
               model.c_str(), i);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ecotone::forecast;
  if (size < 8) return 0;
  static const char* const kModels[] = {"auto", "snaive",   "snaive_d",
                                        "snaive_w", "hw1",  "hw2",
                                        "mstl", "regression"};
  ForecastOptions o;
  o.model = kModels[data[0] % 8];
  o.horizon = 1 + data[1] % 200;
  Series s;
  s.name = "fuzz";
  s.start_unix = 1'700'000'000;
  // Seasons: the defaults of a 30-minute step, or one or two small ones.
  s.step_seconds = 1800;
  switch (data[2] % 4) {
    case 0:
      break;
    case 1:
      o.seasons = {2 + data[3] % 60};
      break;
    case 2:
      o.seasons = {2 + data[3] % 24, 2 + data[3] % 24 * (1 + data[2] / 4 % 7)};
      break;
    default:
      s.step_seconds = 86400;  // daily: one weekly season
      break;
  }
  o.calibration_origins = data[4] % 16;
  o.quantiles.clear();
  for (int q = 0; q < 1 + data[5] % 3; ++q)
    o.quantiles.push_back((1 + (data[6] * (q + 1)) % 254) / 255.0);
  o.adaptive_calibration = data[7] & 1;
  const bool spikes = data[7] & 2;

  double prev = 0, level = 0;
  for (size_t i = 8; i + 3 <= size && s.values.size() < kMaxPoints; i += 3) {
    const uint8_t tag = data[i];
    const int16_t raw = static_cast<int16_t>(data[i + 1] | (data[i + 2] << 8));
    double v;
    switch (tag % 16) {
      case 0:
        v = std::ldexp(raw, (tag >> 4) * 64 - 512);  // 2^-512 .. 2^448
        break;
      case 1:
        v = raw * 1e300 / 32768;
        break;
      case 2:
        v = prev;
        break;
      case 3:
        level += raw;
        v = level;
        break;
      case 4:
        v = spikes && tag == 4 ? std::numeric_limits<double>::quiet_NaN()
            : spikes && tag == 20 ? HUGE_VAL
                                  : raw * 1e-300;
        break;
      default:
        v = level + raw / 100.0;
        break;
    }
    s.values.push_back(v);
    prev = v;
  }
  auto r = Forecast(s, o);
  if (!r.ok()) {
    if (r.status().code() != ecotone::StatusCode::kInvalidArgument)
      Fail("error other than kInvalidArgument", o.model, 0);
    return 0;
  }
  if (r->points.size() != static_cast<size_t>(o.horizon))
    Fail("wrong number of points", o.model, r->points.size());
  std::vector<size_t> order(o.quantiles.size());
  for (size_t q = 0; q < order.size(); ++q) order[q] = q;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return o.quantiles[a] < o.quantiles[b]; });
  for (size_t i = 0; i < r->points.size(); ++i) {
    const ForecastPoint& p = r->points[i];
    if (!std::isfinite(p.mean)) Fail("non-finite mean", r->model, i);
    if (p.quantiles.size() != o.quantiles.size())
      Fail("wrong number of quantiles", r->model, i);
    for (size_t k = 0; k < order.size(); ++k) {
      if (!std::isfinite(p.quantiles[order[k]]))
        Fail("non-finite quantile", r->model, i);
      if (k > 0 && p.quantiles[order[k]] < p.quantiles[order[k - 1]])
        Fail("quantiles cross", r->model, i);
    }
  }
  return 0;
}
