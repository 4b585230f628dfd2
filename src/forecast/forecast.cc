// The forecasting pipeline: validation, candidate models, the inner
// rolling-origin backtest on the training history (selection and
// combination for "auto"), empirical quantiles per lead time, events.
#include "ecotone/forecast/forecast.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "models.h"

namespace ecotone::forecast {

using internal::kShiftRun;
using internal::Median;

Result<std::unique_ptr<Model>> MakeModel(std::string_view name) {
  std::unique_ptr<Model> m;
  if (name == "snaive")
    m = internal::NewSeasonalNaive(2);
  else if (name == "snaive_d")
    m = internal::NewSeasonalNaive(0);
  else if (name == "snaive_w")
    m = internal::NewSeasonalNaive(1);
  else if (name == "hw1")
    m = internal::NewHoltWinters1();
  else if (name == "hw2")
    m = internal::NewHoltWinters2();
  else if (name == "mstl")
    m = internal::NewMstl();
  else if (name == "regression")
    m = internal::NewRegression();
  else {
    std::string known;
    for (const std::string& n : ModelNames())
      known += (known.empty() ? "" : ", ") + n;
    return Status::InvalidArgument("unknown model '" + std::string(name) +
                                   "' (known: " + known + ")");
  }
  return m;
}

std::vector<std::string> ModelNames() {
  return {"auto", "snaive", "snaive_d", "snaive_w",  "hw1",
          "hw2",  "mstl",   "regression"};
}

std::vector<int> DefaultSeasons(int64_t step_seconds) {
  std::vector<int> s;
  if (step_seconds <= 0) return s;
  if (86400 % step_seconds == 0 && 86400 / step_seconds >= 2)
    s.push_back(static_cast<int>(86400 / step_seconds));
  if (604800 % step_seconds == 0 && 604800 / step_seconds >= 2)
    s.push_back(static_cast<int>(604800 / step_seconds));
  return s;
}

void ApplyEventEffects(const std::vector<Event>& events, int64_t first_unix,
                       int64_t step_seconds, std::vector<double>* values) {
  for (const Event& e : events) {
    if (e.expected_effect <= 0) continue;
    for (size_t i = 0; i < values->size(); ++i) {
      int64_t t = first_unix + static_cast<int64_t>(i) * step_seconds;
      if (e.start_unix < t + step_seconds && e.end_unix > t)
        (*values)[i] *= e.expected_effect;
    }
  }
}

namespace {

// Models whose inner-backtest MAE is within this factor of the best are
// combined (at most kMaxCombined).
constexpr double kCombineWithin = 1.25;
constexpr size_t kMaxCombined = 3;
// No seasonal-naive fallback: the combination stands even when the better
// seasonal naive alone had a lower inner-backtest MAE (the seasonal naives
// are candidates like the others, combined when within kCombineWithin of
// the best). The fallback that used to override it never helped on the
// benchmark and cost asg_misconfiguration 2.036 -> 2.111 (above the weekly
// seasonal naive, 2.084); a margin of 5% before leaving the seasonal naive
// had cost rds 1.92 -> 2.50 and bitbrains vm84 1.87 -> 4.21 right after
// level shifts, where all candidates tie on the inner windows. Choosing
// among the best single model and its sub-combinations by inner MAE (the
// same test generalised) was worse on 7 of 12 traces (docs/forecast.md).
// The inner backtest scores the candidates on the inner origins where every
// candidate forecasts. When fewer than this many remain, the candidate that
// forecasts from the fewest inner origins is left out of auto (repeatedly),
// instead of scoring on (almost) nothing: with a history just over one week,
// snaive_w forecasts from no inner origin (each is < 1 week), and dropping
// those origins for every candidate left auto with no inner origin at all,
// all MAEs 0 and the first candidate, snaive_d, chosen (elb_requests at its
// first protocol origin: MASE 1.77 where hw1 reaches 1.33).
constexpr size_t kMinInnerOrigins = 3;
// Series whose largest |value| is above 2^kScaleExponent or below
// 2^-kScaleExponent are fitted scaled by a power of two (see ForecastPrefix).
constexpr int kScaleExponent = 64;
// Bounds of the per-series calibration factor (see ForecastPrefix).
constexpr double kSeriesFactorMin = 0.5;
constexpr double kSeriesFactorMax = 3.0;

// Empirical quantile with the conformal rank rule: the ceil((N+1) q)-th
// smallest of N errors (clamped to [1, N]), which gives coverage >= q for
// exchangeable errors (Vovk et al. 2005; Lei et al. 2018).
double ConformalQuantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  double r = std::ceil((static_cast<double>(v.size()) + 1) * q);
  size_t k =
      static_cast<size_t>(std::clamp(r, 1.0, static_cast<double>(v.size())));
  return internal::KthSmallest(v.data(), v.size(), k);
}

// The same rank, at most the rank *limit of an earlier selection on the
// same v (so that quantiles selected highest first do not cross); sets
// *limit to the selected rank for the next, lower quantile.
double ConformalQuantile(std::vector<double>& v, size_t limit, double q,
                         size_t* next_limit) {
  if (v.empty()) return 0;
  double r = std::ceil((static_cast<double>(v.size()) + 1) * q);
  size_t k =
      static_cast<size_t>(std::clamp(r, 1.0, static_cast<double>(v.size())));
  if (k > limit) k = limit;  // quantiles are made non-crossing anyway
  *next_limit = k;
  return internal::KthSmallest(v.data(), v.size(), k);
}

// Collects err[j][k] for origins j in [j0, j1) and leads k in [k0, k1]
// where keep(j, k) (all of them when !filter, or when none is kept).
template <typename Keep>
void PoolErrors(const std::vector<std::vector<double>>& err, size_t j0,
                size_t j1, int k0, int k1, bool filter, const Keep& keep,
                std::vector<double>* pool) {
  pool->clear();
  if (filter)
    for (int k = k0; k <= k1; ++k)
      for (size_t j = j0; j < j1; ++j)
        if (keep(j, k)) pool->push_back(err[j][k]);
  if (!pool->empty()) return;
  for (int k = k0; k <= k1; ++k)
    for (size_t j = j0; j < j1; ++j) pool->push_back(err[j][k]);
}

// A forecast is numbers or an error, never inf/NaN ("never a silent wrong
// number"): a series whose forecast leaves the range of a double (e.g. a
// trend extrapolated from values near 1e308) is refused.
Status CheckFinite(const ForecastOutput& out) {
  for (size_t i = 0; i < out.points.size(); ++i) {
    bool ok = std::isfinite(out.points[i].mean);
    for (double q : out.points[i].quantiles) ok = ok && std::isfinite(q);
    if (!ok)
      return Status::InvalidArgument(
          "model " + out.model + ": forecast step " + std::to_string(i + 1) +
          " is not finite (the series' values are too large for the model)");
  }
  return Status::Ok();
}

struct Candidate {
  std::string name;
  std::unique_ptr<Model> model;
  std::vector<std::vector<double>> inner;  // forecasts per inner origin.
  double mae = 0;
};

}  // namespace

Result<ForecastOutput> ForecastPrefix(const TrainingData& data, int64_t n,
                                      const ForecastOptions& options) {
  const int h = options.horizon;
  if (h < 1)
    return Status::InvalidArgument("horizon must be >= 1 (got " +
                                   std::to_string(h) + ")");
  if (h > kMaxHorizon)
    return Status::InvalidArgument("horizon too large (max " +
                                   std::to_string(kMaxHorizon) + ")");
  if (n < 3 || n > static_cast<int64_t>(data.y.size()))
    return Status::InvalidArgument("series needs at least 3 points (got " +
                                   std::to_string(n) + ")");
  if (data.step_seconds <= 0)
    return Status::InvalidArgument("step must be positive");
  for (double q : options.quantiles)
    if (!(q > 0 && q < 1))
      return Status::InvalidArgument("quantile " + std::to_string(q) +
                                     " outside (0, 1)");
  if (!(options.quantile_inflation > 0 && options.quantile_inflation <= 10))
    return Status::InvalidArgument("quantile inflation must be in (0, 10]");
  // Range and finiteness in four independent lanes (one pass, no branch
  // per value); the first non-finite value is looked up only on error.
  double lo4[4], hi4[4];
  bool finite = true;
  for (int k = 0; k < 4; ++k) lo4[k] = hi4[k] = data.y[0];
  const double* y = data.y.data();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) {
      const double v = y[i + k];
      finite &= v - v == 0;  // false for NaN and +-inf
      lo4[k] = std::min(lo4[k], v);
      hi4[k] = std::max(hi4[k], v);
    }
  for (; i < n; ++i) {
    finite &= y[i] - y[i] == 0;
    lo4[0] = std::min(lo4[0], y[i]);
    hi4[0] = std::max(hi4[0], y[i]);
  }
  if (!finite)
    for (i = 0; i < n; ++i)
      if (!std::isfinite(y[i]))
        return Status::InvalidArgument("value " + std::to_string(i) +
                                       " is not finite");
  const double lo = std::min({lo4[0], lo4[1], lo4[2], lo4[3]});
  const double hi = std::max({hi4[0], hi4[1], hi4[2], hi4[3]});
  ForecastOutput out;
  out.step_seconds = data.step_seconds;
  out.seasons = data.seasons;
  const int64_t first_t = data.start_unix + n * data.step_seconds;
  auto fill_points = [&](const std::vector<double>& mean,
                         const std::vector<std::vector<double>>& qs) {
    out.points.resize(static_cast<size_t>(h));
    for (int l = 0; l < h; ++l) {
      ForecastPoint& p = out.points[static_cast<size_t>(l)];
      p.timestamp_unix = first_t + l * data.step_seconds;
      p.mean = mean[static_cast<size_t>(l)];
      p.quantiles.clear();
      for (const auto& q : qs) p.quantiles.push_back(q[static_cast<size_t>(l)]);
    }
  };
  if (hi == lo) {  // constant: the constant, with a zero-width band.
    out.model = "constant";
    out.quantile_method = "constant series: zero-width band";
    std::vector<double> mean(static_cast<size_t>(h), lo);
    // Declared events still move a constant series (e.g. a flash crowd on
    // a flat load); the band stays zero-width around the moved mean.
    ApplyEventEffects(data.events, first_t, data.step_seconds, &mean);
    std::vector<std::vector<double>> qs(options.quantiles.size(), mean);
    fill_points(mean, qs);
    return out;
  }
  // Extreme magnitudes (beyond 2^+-kScaleExponent): the models fit y scaled
  // by a power of two, which is exact, and the output is scaled back. Sums
  // of squares of values near 1e300 overflow (the regression's normal
  // equations, the Holt-Winters SSE) and values near 1e-300 fall under the
  // models' absolute tolerances; ordinary series are not touched.
  {
    const double amax = std::max(std::fabs(lo), std::fabs(hi));
    int e = 0;
    std::frexp(amax, &e);
    if (e > kScaleExponent || e < -kScaleExponent) {
      std::vector<double> ys(data.y.begin(), data.y.begin() + n);
      for (double& v : ys) v = std::ldexp(v, -e);
      TrainingData scaled = data;
      scaled.y = ys;
      ECOTONE_ASSIGN_OR_RETURN(ForecastOutput r,
                               ForecastPrefix(scaled, n, options));
      for (ForecastPoint& p : r.points) {
        p.mean = std::ldexp(p.mean, e);
        for (double& q : p.quantiles) q = std::ldexp(q, e);
      }
      for (auto& [name, mae] : r.candidate_mae) mae = std::ldexp(mae, e);
      ECOTONE_RETURN_IF_ERROR(CheckFinite(r));
      return r;
    }
  }
  if (data.seasons.empty())
    return Status::InvalidArgument(
        "no seasons: the step does not divide a day or a week; pass seasons");

  std::vector<std::string> names;
  if (options.model == "auto") {
    // Long histories: only the candidates that cost O(n) with a small
    // constant (see kRichAutoMaxPoints).
    if (n <= internal::kRichAutoMaxPoints)
      names = {"snaive_d", "snaive_w", "hw1", "hw2", "mstl", "regression"};
    else
      names = {"snaive_d", "snaive_w", "mstl"};
  } else {
    names = {options.model};
  }
  // Inner origins (prefix lengths) whose h-step validation window lies in
  // the training data: o_j = n - h - j * s.
  const int64_t s = std::max<int64_t>(1, data.seasons.front() / 2);
  std::vector<int64_t> origins;
  for (int j = 0; j < options.calibration_origins; ++j) {
    int64_t o = n - h - j * s;
    if (o < 3) break;
    origins.push_back(o);
  }
  std::vector<Candidate> cands;
  Status first_error;
  for (const std::string& name : names) {
    ECOTONE_ASSIGN_OR_RETURN(std::unique_ptr<Model> m, MakeModel(name));
    Status st = m->Fit(data, n);
    if (!st.ok()) {
      if (first_error.ok()) first_error = st;
      continue;
    }
    Candidate c;
    c.name = name;
    c.model = std::move(m);
    cands.push_back(std::move(c));
  }
  if (cands.empty()) return first_error;
  // Inner backtest: the state is re-estimated at each inner origin, the
  // hyperparameters of the fit on y[0, n) are kept. Origins where some
  // candidate cannot forecast are dropped for all.
  std::sort(origins.begin(), origins.end());
  std::vector<std::vector<std::vector<double>>> inner(cands.size());
  for (size_t i = 0; i < cands.size(); ++i)
    cands[i].model->InnerForecasts(data, origins, h, &inner[i]);
  // Too few common inner origins: leave out the candidate with the fewest
  // usable ones (see kMinInnerOrigins), while another covers more.
  if (cands.size() > 1) {
    auto usable = [&](size_t i, size_t j) {
      return inner[i][j].size() == static_cast<size_t>(h);
    };
    std::vector<size_t> cover(cands.size(), 0);
    for (size_t i = 0; i < cands.size(); ++i)
      for (size_t j = 0; j < origins.size(); ++j) cover[i] += usable(i, j);
    for (;;) {
      size_t common = 0;
      for (size_t j = 0; j < origins.size(); ++j) {
        bool ok = true;
        for (size_t i = 0; i < cands.size(); ++i) ok = ok && usable(i, j);
        common += ok;
      }
      if (common >= kMinInnerOrigins) break;
      const auto [lo_it, hi_it] =
          std::minmax_element(cover.begin(), cover.end());
      if (*lo_it == *hi_it) break;
      // The first of the least-covered candidates (list order).
      const size_t drop = static_cast<size_t>(lo_it - cover.begin());
      cands.erase(cands.begin() + static_cast<std::ptrdiff_t>(drop));
      inner.erase(inner.begin() + static_cast<std::ptrdiff_t>(drop));
      cover.erase(cover.begin() + static_cast<std::ptrdiff_t>(drop));
    }
  }
  std::vector<int64_t> used;
  for (size_t j = 0; j < origins.size(); ++j) {
    bool ok = true;
    for (size_t i = 0; i < cands.size(); ++i)
      ok = ok && inner[i][j].size() == static_cast<size_t>(h);
    if (!ok) continue;
    used.push_back(origins[j]);
    for (size_t i = 0; i < cands.size(); ++i)
      cands[i].inner.push_back(std::move(inner[i][j]));
  }
  // Restore the state fitted on the whole prefix.
  for (Candidate& c : cands) ECOTONE_RETURN_IF_ERROR(c.model->Refit(data, n));
  // Level shifts inside the inner validation span: the latest jump of any
  // level-adaptive candidate (hw1, hw2, mstl; Model::LastLevelShift) after
  // the first inner origin starts kShiftRun - 1 points before the
  // observation that completed it (the earliest among the candidates
  // counts). An inner error whose forecast was made before the jump and
  // whose target lies at or after it measures the jump, which no candidate
  // forecasts: such errors are left out of the candidates' inner MAEs (see
  // below) and of the per-series factor, but kept in the pooled quantiles
  // (their share of the pool at lead l estimates how often a jump precedes
  // lead l).
  int64_t break_start = -1;
  if (!used.empty())
    for (const Candidate& c : cands) {
      if (c.name != "hw1" && c.name != "hw2" && c.name != "mstl") continue;
      int64_t t = c.model->LastLevelShift();
      if (t < 0) continue;
      t -= kShiftRun - 1;
      if (t > used.front())
        break_start = break_start < 0 ? t : std::min(break_start, t);
    }
  // keep(j, l): err[j][l] does not straddle the jump, i.e. l < cut[j].
  std::vector<int64_t> cut(used.size(), h);
  if (break_start >= 0)
    for (size_t j = 0; j < used.size(); ++j)
      if (used[j] < break_start) cut[j] = break_start - used[j];
  auto keep = [&](size_t j, int l) { return l < cut[j]; };
  // Inner MAE per candidate, over the errors that do not straddle the jump
  // (all of them when none is left): every candidate misses a jump it
  // forecasts across alike, and those large common errors drown the
  // differences between the candidates (bitbrains vm84 at its first
  // protocol origin: the jump 52 steps before it, the inner MAEs of hw2,
  // snaive_w and the regression within 25% of each other).
  for (Candidate& c : cands) {
    double sum = 0;
    size_t cnt = 0;
    for (int all = 0; all < 2 && cnt == 0; ++all)
      for (size_t j = 0; j < used.size(); ++j) {
        const int64_t end = all ? h : std::min<int64_t>(h, cut[j]);
        const double* y_j = data.y.data() + used[j];
        for (int64_t l = 0; l < end; ++l)
          sum += std::fabs(y_j[l] - c.inner[j][static_cast<size_t>(l)]);
        cnt += static_cast<size_t>(end);
      }
    c.mae = cnt ? sum / cnt : 0;
    out.candidate_mae.emplace_back(c.name, c.mae);
  }
  // Combination weights: inverse MAE over the models within 25% of the best
  // (at most 3); a single model when no inner origin was usable.
  std::vector<size_t> order(cands.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return cands[a].mae < cands[b].mae;
  });
  std::vector<std::pair<size_t, double>> weights;
  // Structural break: a level-adaptive candidate jumped its level within
  // the last h/2 points, so fewer than half of the newest inner validation
  // window (the last h points) and none of the older ones see the new
  // level (measured jumps: rds 14, bitbrains vm84 4-12 steps before an
  // origin; the nyc_taxi blizzard trips mstl 27 and 33 steps before two
  // origins, where the inner backtest is left to decide). The inner MAEs
  // rank the candidates on the old regime, where a seasonal naive or the
  // regression looks as good as anything but copies the pre-shift level
  // into the forecast. Then only the level-adaptive models are combined
  // (by the same rule among them).
  bool level_break = false;
  for (const Candidate& c : cands)
    level_break = level_break || c.model->LastLevelShift() >= n - h / 2;
  if (level_break && options.model == "auto") {
    std::vector<size_t> adaptive;
    for (size_t i : order)
      if (cands[i].name == "mstl" || cands[i].name == "hw2" ||
          cands[i].name == "hw1")
        adaptive.push_back(i);
    if (!adaptive.empty()) order = std::move(adaptive);
  }
  if (used.empty() || cands.size() == 1) {
    weights.emplace_back(order[0], 1.0);
  } else {
    double best = cands[order[0]].mae;
    double wsum = 0;
    for (size_t k = 0; k < order.size() && weights.size() < kMaxCombined; ++k) {
      double mae = cands[order[k]].mae;
      if (k > 0 && mae > kCombineWithin * best) break;
      double w = 1.0 / std::max(mae, 1e-12);
      weights.emplace_back(order[k], w);
      wsum += w;
    }
    for (auto& [i, w] : weights) w /= wsum;
  }
  std::ostringstream label;
  if (weights.size() == 1) {
    label << cands[weights[0].first].name;
  } else {
    label << "auto(";
    for (size_t k = 0; k < weights.size(); ++k) {
      label << (k ? "," : "") << cands[weights[k].first].name << ":";
      label.precision(2);
      label << std::fixed << weights[k].second;
    }
    label << ")";
  }
  out.model = label.str();
  auto combine = [&](auto get) {
    std::vector<double> f(static_cast<size_t>(h), 0.0);
    for (auto& [i, w] : weights) {
      const std::vector<double>& g = get(cands[i]);
      for (int l = 0; l < h; ++l) f[l] += w * g[l];
    }
    return f;
  };
  std::vector<std::vector<double>> finals(cands.size());
  for (size_t i = 0; i < cands.size(); ++i)
    finals[i] = cands[i].model->Forecast(h);
  std::vector<double> mean =
      combine([&](const Candidate& c) -> const std::vector<double>& {
        return finals[static_cast<size_t>(&c - cands.data())];
      });
  ApplyEventEffects(data.events, first_t, data.step_seconds, &mean);

  // Errors of the combined forecast at the inner origins, per lead time.
  std::vector<std::vector<double>> err(used.size(), std::vector<double>(h));
  for (size_t j = 0; j < used.size(); ++j) {
    std::vector<double> f =
        combine([&](const Candidate& c) -> const std::vector<double>& {
          return c.inner[j];
        });
    for (int l = 0; l < h; ++l)
      err[j][l] = data.y[static_cast<size_t>(used[j] + l)] - f[l];
  }
  std::vector<std::vector<double>> qs(
      options.quantiles.size(), std::vector<double>(static_cast<size_t>(h)));
  if (!used.empty()) {
    // Pool leads within +-w of each lead: enough errors for a 0.95 quantile.
    const int w = std::max(2, h / 4);
    std::ostringstream method;
    method << "empirical rolling-origin errors on the training history ("
           << used.size() << " origins, leads pooled +-" << w << ")";
    out.quantile_method = method.str();
    // Neighbouring leads share all but 2 of their 2w+1 pooled leads, so the
    // error quantile is computed at every stride-th lead (stride = w/2) and
    // at the last, and interpolated linearly in between.
    const int stride = std::max(1, w / 2);
    std::vector<int> at;
    for (int l = 0; l < h; l += stride) at.push_back(l);
    if (at.back() != h - 1) at.push_back(h - 1);
    std::vector<std::vector<double>> eq(options.quantiles.size(),
                                        std::vector<double>(at.size()));
    std::vector<size_t> qdesc(options.quantiles.size());
    for (size_t q = 0; q < qdesc.size(); ++q) qdesc[q] = q;
    std::sort(qdesc.begin(), qdesc.end(), [&](size_t x, size_t y) {
      return options.quantiles[x] > options.quantiles[y];
    });
    std::vector<double> pool;
    // Per-series factor (adaptive, out of sample within the training
    // history): the error quantile of the highest level tau estimated on the
    // older half of the inner origins only is checked against the errors of
    // the newer half; the factor is the split-conformal rank-tau quantile of
    // the ratios error / that quantile (0 for covered non-positive errors),
    // i.e. the smallest stretch under which the older half's band would
    // have covered tau of the newer half. Clamped to [kSeriesFactorMin,
    // kSeriesFactorMax] and multiplied into quantile_inflation.
    double factor = options.quantile_inflation;
    const bool per_series = options.adaptive_calibration &&
                            used.size() >= 6 && !options.quantiles.empty();
    if (per_series) {
      const size_t half = used.size() / 2;
      const double tau = *std::max_element(options.quantiles.begin(),
                                            options.quantiles.end());
      std::vector<double> qold(at.size()), ratios;
      ratios.reserve((used.size() - half) * static_cast<size_t>(h));
      for (size_t a = 0; a < at.size(); ++a) {
        const int l = at[a];
        PoolErrors(err, 0, half, std::max(0, l - w), std::min(h - 1, l + w),
                   break_start >= 0, keep, &pool);
        qold[a] = ConformalQuantile(pool, tau);
      }
      for (size_t a = 0; a < at.size(); ++a) {
        const int l0 = at[a];
        const int l1 = a + 1 < at.size() ? at[a + 1] : h;
        for (int l = l0; l < l1; ++l) {
          double f = a + 1 < at.size()
                         ? static_cast<double>(l - l0) / (l1 - l0)
                         : 0.0;
          double q = a + 1 < at.size() ? (1 - f) * qold[a] + f * qold[a + 1]
                                       : qold[a];
          for (size_t j = half; j < used.size(); ++j) {
            if (!keep(j, l)) continue;
            double e = err[j][l];
            if (q > 0)
              ratios.push_back(e <= 0 ? 0.0 : e / q);
            else
              ratios.push_back(e <= q ? 0.0 : kSeriesFactorMax);
          }
        }
      }
      double fs = ratios.empty() ? 1.0
                                 : std::clamp(ConformalQuantile(ratios, tau),
                                              kSeriesFactorMin,
                                              kSeriesFactorMax);
      factor *= std::sqrt(fs);
    }
    out.quantile_factor = factor;
    std::ostringstream fm;
    fm.precision(3);
    fm << "; factor " << factor;
    if (per_series)
      fm << " = " << options.quantile_inflation << " x per-series factor "
         << factor / options.quantile_inflation;
    out.quantile_method += fm.str();
    for (size_t a = 0; a < at.size(); ++a) {
      const int l = at[a];
      pool.clear();
      for (int k = std::max(0, l - w); k <= std::min(h - 1, l + w); ++k)
        for (size_t j = 0; j < used.size(); ++j) pool.push_back(err[j][k]);
      // Highest quantile first, each rank at most the previous one.
      size_t limit = pool.size();
      for (size_t q : qdesc)
        eq[q][a] = factor *
                   ConformalQuantile(pool, limit, options.quantiles[q], &limit);
    }
    for (size_t q = 0; q < options.quantiles.size(); ++q)
      for (size_t a = 0; a < at.size(); ++a) {
        const int l0 = at[a];
        const int l1 = a + 1 < at.size() ? at[a + 1] : l0 + 1;
        for (int l = l0; l < std::min(l1, h); ++l) {
          double f =
              a + 1 < at.size() ? static_cast<double>(l - l0) / (l1 - l0) : 0.0;
          double e = a + 1 < at.size() ? (1 - f) * eq[q][a] + f * eq[q][a + 1]
                                       : eq[q][a];
          qs[q][l] = mean[l] + e;
        }
      }
  } else {
    // Fallback for short series: seasonal-naive one-season-ahead errors of
    // the history, the same for every lead (documented in docs/forecast.md).
    out.quantile_method =
        "fallback (history too short for a backtest): seasonal-naive errors";
    int m = data.seasons.front();
    if (n <= m) m = 1;
    std::vector<double> pool;
    for (int64_t i = m; i < n; ++i)
      pool.push_back(data.y[static_cast<size_t>(i)] -
                     data.y[static_cast<size_t>(i - m)]);
    for (size_t q = 0; q < options.quantiles.size(); ++q) {
      double e = ConformalQuantile(pool, options.quantiles[q]);
      for (int l = 0; l < h; ++l) qs[q][l] = mean[l] + e;
    }
  }
  // Quantiles must not cross each other.
  std::vector<size_t> qorder(options.quantiles.size());
  for (size_t i = 0; i < qorder.size(); ++i) qorder[i] = i;
  std::sort(qorder.begin(), qorder.end(), [&](size_t a, size_t b) {
    return options.quantiles[a] < options.quantiles[b];
  });
  for (int l = 0; l < h; ++l)
    for (size_t k = 1; k < qorder.size(); ++k)
      qs[qorder[k]][l] = std::max(qs[qorder[k]][l], qs[qorder[k - 1]][l]);
  fill_points(mean, qs);
  ECOTONE_RETURN_IF_ERROR(CheckFinite(out));
  return out;
}

Result<ForecastOutput> Forecast(const Series& series,
                                const ForecastOptions& options) {
  if (options.horizon > kMaxHorizon)
    return Status::InvalidArgument("horizon too large (max " +
                                   std::to_string(kMaxHorizon) + ")");
  if (static_cast<int64_t>(series.values.size()) > kMaxSeriesLength)
    return Status::InvalidArgument("series too long (max " +
                                   std::to_string(kMaxSeriesLength) +
                                   " points)");
  TrainingData data;
  data.y = series.values;
  data.start_unix = series.start_unix;
  data.step_seconds = series.step_seconds;
  data.seasons = options.seasons.empty() ? DefaultSeasons(series.step_seconds)
                                         : options.seasons;
  std::sort(data.seasons.begin(), data.seasons.end());
  data.tz = options.tz;
  data.events = options.events;
  data.max_horizon = std::max(1, options.horizon);
  return ForecastPrefix(data, static_cast<int64_t>(series.values.size()),
                        options);
}

}  // namespace ecotone::forecast
