#include "ecotone/forecast/forecast.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include "ecotone/forecast/replicas.h"
#include "models.h"

namespace ecotone::forecast {
namespace {

// Half-hourly synthetic demand: daily + weekly pattern + noise.
Series Synthetic(int n, double noise, uint32_t seed = 7) {
  Series s;
  s.start_unix = 1704067200;  // 2024-01-01 (Monday) UTC
  s.step_seconds = 1800;
  std::mt19937 rng(seed);
  std::normal_distribution<double> eps(0, noise);
  for (int i = 0; i < n; ++i) {
    double day = std::sin(2 * std::numbers::pi * (i % 48) / 48.0);
    double weekend = (i / 48) % 7 >= 5 ? -20 : 0;
    s.values.push_back(100 + 30 * day + weekend + eps(rng));
  }
  return s;
}

// KthSmallest must equal nth_element for every rank: small and large
// inputs, heavy ties, sorted and reversed inputs (where the fixed sample is
// unrepresentative and the fences can miss the rank: the fallback), and
// it must leave v a permutation of itself.
TEST(KthSmallest, EqualsNthElementOnEveryRank) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  for (size_t n : {1u, 7u, 511u, 512u, 1740u, 5000u}) {
    for (int kind = 0; kind < 4; ++kind) {
      std::vector<double> v(n);
      for (size_t i = 0; i < n; ++i) {
        double x = noise(rng);
        if (kind == 1) x = std::round(x * 2);  // heavy ties
        if (kind == 2) x = static_cast<double>(i);
        v[i] = x;
      }
      // kind 3: the values at the sampled positions (every n/128-th) are
      // the largest, so for most ranks the fences miss and the fallback runs.
      if (kind == 3)
        for (size_t i = 0; i < 128 && n >= 512; ++i) v[i * n / 128] = 1e6 + i;
      std::vector<double> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      const size_t step = std::max<size_t>(1, n / 97);
      for (size_t k = 1; k <= n; k += (k + step <= n || k == n) ? step : n - k) {
        std::vector<double> w = v;
        EXPECT_EQ(internal::KthSmallest(w.data(), w.size(), k), sorted[k - 1])
            << "n " << n << " kind " << kind << " k " << k;
        std::sort(w.begin(), w.end());
        EXPECT_EQ(w, sorted) << "n " << n << " kind " << kind << " k " << k;
        if (k == n) break;
      }
    }
  }
}

TEST(DefaultSeasons, DayAndWeekInSteps) {
  EXPECT_EQ(DefaultSeasons(1800), (std::vector<int>{48, 336}));
  EXPECT_EQ(DefaultSeasons(300), (std::vector<int>{288, 2016}));
  EXPECT_EQ(DefaultSeasons(86400), (std::vector<int>{7}));
  EXPECT_TRUE(DefaultSeasons(7000).empty());
}

TEST(Models, EveryModelLearnsACleanDoubleSeasonalPattern) {
  Series s = Synthetic(336 * 4 + 48, 0.0);
  TrainingData d;
  d.y = s.values;
  d.start_unix = s.start_unix;
  d.step_seconds = s.step_seconds;
  d.seasons = {48, 336};
  d.max_horizon = 48;
  const int64_t n = 336 * 4;
  for (const char* name : {"snaive_w", "hw1", "hw2", "mstl", "regression"}) {
    auto m = MakeModel(name);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->Fit(d, n).ok()) << name;
    std::vector<double> f = (*m)->Forecast(48);
    double mae = 0;
    for (int l = 0; l < 48; ++l) mae += std::fabs(f[l] - s.values[n + l]) / 48;
    EXPECT_LT(mae, 1.0) << name;  // amplitude 30: a pattern error would be >> 1
  }
  EXPECT_EQ(MakeModel("prophet").status().code(), StatusCode::kInvalidArgument);
}

// mstl drops a season whose older cycles do not predict the newest one
// (one cycle held out). The shape of bitbrains vm84 at origin 1296: a VM
// idle at ~1 with a small daily pattern, busy at ~58 for one week (points
// 888-1199), idle again for the last 96 points. The weekly moving average
// still holds the busy week at the end, so the weekly component would carry
// it (forecast ~16 without the check); the busy week is no weekly pattern,
// while the daily one (27 agreeing cycles) is kept, and so is a weekly one
// whose older cycles agree on it.
TEST(Models, MstlDropsASeasonThatDoesNotPredictItsNewestCycle) {
  const int64_t n = 1296;
  std::mt19937 rng(3);
  std::normal_distribution<double> eps(0, 0.05);
  auto daily = [](int64_t t) {
    return 0.5 * std::sin(2 * std::numbers::pi * (t % 48) / 48.0);
  };
  std::vector<double> y;
  for (int64_t t = 0; t < n + 48; ++t)
    y.push_back(1 + daily(t) + (t >= 888 && t < 1200 ? 57 : 0) + eps(rng));
  TrainingData d;
  d.y = y;
  d.start_unix = 1704067200;
  d.step_seconds = 1800;
  d.seasons = {48, 336};
  d.max_horizon = 48;
  auto m = MakeModel("mstl");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->Fit(d, n).ok());
  std::vector<double> f = (*m)->Forecast(48);
  double mae = 0;
  for (int l = 0; l < 48; ++l) mae += std::fabs(f[l] - (1 + daily(n + l))) / 48;
  EXPECT_LT(mae, 0.2);  // the daily pattern, at the idle level
  // A genuine weekly pattern (weekends -20, noise sd 3) is kept.
  Series s = Synthetic(336 * 4 + 48, 3.0);
  d.y = s.values;
  ASSERT_TRUE((*m)->Fit(d, 336 * 4).ok());
  f = (*m)->Forecast(48 * 3);  // Monday to Wednesday after 4 whole weeks
  std::vector<double> g;
  ASSERT_TRUE((*m)->Fit(d, 336 * 4 - 96).ok());
  g = (*m)->Forecast(96);  // Saturday and Sunday
  double weekday = 0, weekend = 0;
  for (int l = 0; l < 96; ++l) weekday += f[l] / 96;
  for (int l = 0; l < 96; ++l) weekend += g[l] / 96;
  EXPECT_NEAR(weekday - weekend, 20, 4);
  // So is a weekly pattern the older cycles agree on when a level jump
  // (+100, 100 points before the end) leaves the newest cycle's detrended
  // values off by the moving average's lag: the held-out cycle alone would
  // drop it.
  Series j = Synthetic(336 * 5, 3.0);
  for (int i = 336 * 5 - 100; i < 336 * 5; ++i) j.values[i] += 100;
  d.y = j.values;
  ASSERT_TRUE((*m)->Fit(d, 336 * 5).ok());
  f = (*m)->Forecast(336);  // Monday to Sunday
  weekday = weekend = 0;
  for (int l = 0; l < 240; ++l) weekday += f[l] / 240;
  for (int l = 240; l < 336; ++l) weekend += f[l] / 96;
  // Kept: 11 (the newest cycle, weighted most, carries part of the jump,
  // as before the check); dropped: 0.
  EXPECT_GT(weekday - weekend, 5);
  EXPECT_NEAR(weekday, 200, 10);
}

// The inner backtest may use nothing after each origin: with the fitted
// hyperparameters kept, changing y after the last origin must not change
// any inner forecast (the one-pass overrides of hw2 and mstl included).
TEST(Models, InnerForecastsUseOnlyDataBeforeEachOrigin) {
  Series s = Synthetic(336 * 5, 5.0);
  TrainingData d;
  d.y = s.values;
  d.start_unix = s.start_unix;
  d.step_seconds = s.step_seconds;
  d.seasons = {48, 336};
  d.max_horizon = 48;
  const int64_t n = static_cast<int64_t>(s.values.size());
  const std::vector<int64_t> origins = {n - 48 - 96, n - 48 - 48, n - 48};
  std::vector<double> changed = s.values;
  for (int64_t t = origins.back(); t < n; ++t)
    changed[t] = 3 * changed[t] + 500;
  TrainingData d2 = d;
  d2.y = changed;
  for (const char* name :
       {"snaive_d", "snaive_w", "hw1", "hw2", "mstl", "regression"}) {
    auto m = MakeModel(name);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->Fit(d, n).ok()) << name;
    std::vector<std::vector<double>> a, b;
    (*m)->InnerForecasts(d, origins, 48, &a);
    (*m)->InnerForecasts(d2, origins, 48, &b);
    ASSERT_EQ(a.size(), origins.size()) << name;
    for (size_t j = 0; j < origins.size(); ++j) {
      ASSERT_EQ(a[j].size(), 48u) << name << " origin " << origins[j];
      // (regression is the exception by design: its inner refits downdate
      // the full fit's normal equations, keeping that fit's feature scaling
      // and IRLS weights - docs/forecast.md "regression".)
      if (std::string(name) != "regression") {
        EXPECT_EQ(a[j], b[j]) << name << " origin " << origins[j];
      }
      // ... and each origin's forecast is a forecast from that origin: its
      // error on the clean continuation is small (noise 5, daily amplitude
      // 30, weekend -20, which the daily seasonal naive misses).
      double mae = 0;
      for (int l = 0; l < 48; ++l)
        mae += std::fabs(a[j][l] - s.values[origins[j] + l]) / 48;
      EXPECT_LT(mae, std::string(name) == "snaive_d" ? 25.0 : 12.0)
          << name << " origin " << origins[j];
    }
    // After Refit(n) the model forecasts from the end again.
    ASSERT_TRUE((*m)->Refit(d, n).ok());
    EXPECT_EQ((*m)->Forecast(48).size(), 48u);
  }
}

// hw1: one season (the longest with two cycles in the history, here the
// day: fewer than two weeks of data). On a daily pattern whose level
// wanders (random walk) under noise it beats the seasonal naive, which
// copies yesterday's noise and yesterday's level.
TEST(Models, Hw1FitsOneSeasonAndBeatsSeasonalNaive) {
  Series s;
  s.start_unix = 1704067200;
  s.step_seconds = 1800;
  std::mt19937 rng(11);
  std::normal_distribution<double> eps(0, 3.0), walk(0, 0.3);
  const int total = 672 + 48;
  double level = 100;
  for (int i = 0; i < total; ++i) {
    level += walk(rng);
    s.values.push_back(
        level + 30 * std::sin(2 * std::numbers::pi * (i % 48) / 48.0) +
        eps(rng));
  }
  TrainingData d;
  d.y = s.values;
  d.start_unix = s.start_unix;
  d.step_seconds = s.step_seconds;
  d.seasons = {48, 336};
  d.max_horizon = 48;
  const int64_t n = 672 - 1;  // fewer than two weeks: the daily season
  auto hw1 = MakeModel("hw1");
  auto sn = MakeModel("snaive");
  ASSERT_TRUE(hw1.ok() && sn.ok());
  ASSERT_TRUE((*hw1)->Fit(d, n).ok());
  ASSERT_TRUE((*sn)->Fit(d, n).ok());
  std::vector<double> f = (*hw1)->Forecast(48), g = (*sn)->Forecast(48);
  double mae = 0, snaive_mae = 0;
  for (int l = 0; l < 48; ++l) {
    mae += std::fabs(f[l] - s.values[n + l]) / 48;
    snaive_mae += std::fabs(g[l] - s.values[n + l]) / 48;
  }
  EXPECT_LT(mae, 0.9 * snaive_mae);
  EXPECT_LT(mae, 4.0);  // noise SD 3 (mean abs 2.4), daily amplitude 30
  // Bad input: too short for two cycles of any season, no season.
  Status st = (*hw1)->Fit(d, 90);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("hw1 needs at least 96 points"),
            std::string::npos)
      << st.message();
  TrainingData none = d;
  none.seasons.clear();
  EXPECT_EQ((*hw1)->Fit(none, n).code(), StatusCode::kInvalidArgument);
  // auto takes hw1 as a candidate on such a (short) history.
  Series train = s;
  train.values.resize(static_cast<size_t>(n));
  ForecastOptions o;
  o.horizon = 48;
  auto r = Forecast(train, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  bool has_hw1 = false;
  for (const auto& [name, m] : r->candidate_mae) has_hw1 |= name == "hw1";
  EXPECT_TRUE(has_hw1);
}

// Long histories take the cheap candidate set (docs/forecast.md "auto").
TEST(Forecast, AutoOnALongHistoryUsesTheCheapCandidates) {
  Series s = Synthetic(7000, 5.0);
  ForecastOptions o;
  o.horizon = 48;
  auto r = Forecast(s, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> names;
  for (const auto& [name, mae] : r->candidate_mae) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"snaive_d", "snaive_w", "mstl"}));
  EXPECT_EQ(r->model.find("hw2"), std::string::npos);
  ASSERT_EQ(r->points.size(), 48u);
  for (const auto& p : r->points) {
    EXPECT_LE(p.mean, p.quantiles[0]);
    EXPECT_LE(p.quantiles[0], p.quantiles[1]);
  }
  // Shorter ones still consider all six.
  s.values.resize(3000);
  auto r2 = Forecast(s, o);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->candidate_mae.size(), 6u);
}

// A history just over one week: snaive_w fits on it but forecasts from no
// inner origin (each is shorter than a week). auto leaves snaive_w out and
// scores the others on the inner origins, instead of dropping every origin
// and picking the first candidate with all inner MAEs 0
// (docs/forecast.md "auto", kMinInnerOrigins).
TEST(Forecast, AutoLeavesOutACandidateWithoutInnerOrigins) {
  Series s = Synthetic(340, 3.0);
  ForecastOptions o;
  o.horizon = 48;
  auto r = Forecast(s, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> names;
  for (const auto& [name, mae] : r->candidate_mae) {
    names.push_back(name);
    EXPECT_GT(mae, 0) << name;  // scored on real inner origins
  }
  EXPECT_EQ(names, (std::vector<std::string>{"snaive_d", "hw1", "mstl",
                                             "regression"}));
  EXPECT_NE(r->quantile_method.find("empirical rolling-origin errors"),
            std::string::npos)
      << r->quantile_method;
  // The weekly seasonal naive alone still forecasts from this history.
  o.model = "snaive_w";
  EXPECT_TRUE(Forecast(s, o).ok());
}

TEST(Forecast, AutoQuantilesAreOrderedAndCoverNoise) {
  Series s = Synthetic(336 * 6, 5.0);
  Series train = s;
  train.values.resize(336 * 5);
  ForecastOptions o;
  o.horizon = 336;
  auto r = Forecast(train, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->points.size(), 336u);
  EXPECT_EQ(r->points[0].timestamp_unix, train.TimeAt(336 * 5));
  int covered95 = 0;
  for (int l = 0; l < 336; ++l) {
    const ForecastPoint& p = r->points[l];
    EXPECT_LE(p.mean, p.quantiles[0] + 1e-9);
    EXPECT_LE(p.quantiles[0], p.quantiles[1] + 1e-9);
    if (s.values[336 * 5 + l] <= p.quantiles[1]) ++covered95;
  }
  EXPECT_GT(covered95, 336 * 0.88);
  EXPECT_LT(covered95, 336 * 0.995);
  EXPECT_FALSE(r->quantile_method.empty());
}

// hw2 and mstl report where their level jumped (kShiftRun clipped errors
// in a row of one sign); the other models have no level.
TEST(Models, LevelAdaptiveModelsReportTheLastLevelShift) {
  Series s = Synthetic(336 * 3, 2.0);
  const int shift_at = 336 * 3 - 20;
  for (int i = shift_at; i < 336 * 3; ++i) s.values[i] += 80;
  TrainingData d;
  d.y = s.values;
  d.start_unix = s.start_unix;
  d.step_seconds = s.step_seconds;
  d.seasons = {48, 336};
  d.max_horizon = 48;
  const int64_t n = static_cast<int64_t>(s.values.size());
  for (const char* name : {"hw1", "hw2", "mstl"}) {
    auto m = MakeModel(name);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->Fit(d, n).ok());
    // Detected on the third point beyond the clip after the jump.
    EXPECT_GE((*m)->LastLevelShift(), shift_at) << name;
    EXPECT_LE((*m)->LastLevelShift(), shift_at + 4) << name;
    // The forecast follows the new level.
    EXPECT_GT((*m)->Forecast(1)[0], s.values[n - 48] + 40) << name;
    // Without the shift: none.
    ASSERT_TRUE((*m)->Fit(d, shift_at).ok());
    EXPECT_LT((*m)->LastLevelShift(), shift_at - 336) << name;
  }
  auto sn = MakeModel("snaive_d");
  ASSERT_TRUE((*sn)->Fit(d, n).ok());
  EXPECT_EQ((*sn)->LastLevelShift(), -1);
}

// A level shift a few steps before the origin: every inner validation
// window ends before (or just after) it, so the inner MAEs cannot see it;
// auto must then combine only the level-adaptive models (docs/forecast.md
// "auto", structural break) instead of falling back to a seasonal naive
// that copies the pre-shift level.
TEST(Forecast, AutoAfterARecentLevelShiftUsesLevelAdaptiveModels) {
  Series s = Synthetic(336 * 4, 2.0);
  const int n = 336 * 4 - 48;
  const int shift_at = n - 10;
  for (size_t i = shift_at; i < s.values.size(); ++i) s.values[i] += 80;
  Series train = s;
  train.values.resize(n);
  ForecastOptions o;
  o.horizon = 48;
  auto r = Forecast(train, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model.find("snaive"), std::string::npos) << r->model;
  EXPECT_EQ(r->model.find("regression"), std::string::npos) << r->model;
  double mae = 0, snaive_mae = 0;
  for (int l = 0; l < 48; ++l) {
    mae += std::fabs(s.values[n + l] - r->points[l].mean);
    snaive_mae += std::fabs(s.values[n + l] - s.values[n + l - 48]);
  }
  EXPECT_LT(mae, 0.25 * snaive_mae);
  // A shift further back, which the inner windows do see, is left to the
  // inner backtest: the forecast still follows the new level.
  Series early = Synthetic(336 * 4, 2.0);
  for (size_t i = n - 300; i < early.values.size(); ++i) early.values[i] += 80;
  early.values.resize(n);
  auto r2 = Forecast(early, o);
  ASSERT_TRUE(r2.ok());
  EXPECT_GT(r2->points[0].mean, 150);
}

// Per-series calibration: the factor on the error quantiles grows when the
// newest inner-backtest errors are larger than the older ones and shrinks
// when they are smaller; without it the factor is quantile_inflation.
TEST(Forecast, AdaptiveCalibrationFollowsTheSeriesOwnRecentErrors) {
  const int n = 336 * 5;
  auto with_noise = [&](double recent_noise) {
    Series s = Synthetic(n, 3.0);
    std::mt19937 rng(11);
    std::normal_distribution<double> eps(0, recent_noise);
    // The newest 3 days (the newer inner origins' windows) get more or
    // less noise than the rest.
    for (int i = n - 144; i < n; ++i) {
      double day = std::sin(2 * std::numbers::pi * (i % 48) / 48.0);
      double weekend = (i / 48) % 7 >= 5 ? -20 : 0;
      s.values[i] = 100 + 30 * day + weekend + eps(rng);
    }
    return s;
  };
  ForecastOptions o;
  o.horizon = 48;
  o.model = "mstl";
  auto calm = Forecast(with_noise(3.0), o);
  auto noisy = Forecast(with_noise(12.0), o);
  auto quiet = Forecast(with_noise(0.5), o);
  ASSERT_TRUE(calm.ok() && noisy.ok() && quiet.ok());
  EXPECT_GT(noisy->quantile_factor, 1.3 * calm->quantile_factor);
  EXPECT_LT(quiet->quantile_factor, calm->quantile_factor);
  EXPECT_GE(quiet->quantile_factor, 0.5 * kDefaultQuantileInflation);
  EXPECT_LE(noisy->quantile_factor, 3.0 * kDefaultQuantileInflation);
  // The band is wider where the factor is larger.
  EXPECT_GT(noisy->points[0].quantiles[1] - noisy->points[0].mean,
            calm->points[0].quantiles[1] - calm->points[0].mean);
  o.adaptive_calibration = false;
  auto fixed = Forecast(with_noise(12.0), o);
  ASSERT_TRUE(fixed.ok());
  EXPECT_DOUBLE_EQ(fixed->quantile_factor, kDefaultQuantileInflation);
  o.quantile_inflation = 0;
  EXPECT_EQ(Forecast(with_noise(3.0), o).status().code(),
            StatusCode::kInvalidArgument);
}

// mstl forecasts (h = 48) of a calm synthetic series (5 weeks, noise sd 3,
// noise seed `seed`) and of the same series with a +100 level jump 100
// points before its end, and the 48 values that follow the jump series
// (at the new level).
struct CalmAndJump {
  Result<ForecastOutput> calm, jump;
  std::vector<double> jump_next;
};
CalmAndJump CalmAndJumpMstl(uint32_t seed = 7) {
  const int n = 336 * 5;
  Series calm = Synthetic(n + 48, 3.0, seed);
  Series jump = calm;
  for (int i = n - 100; i < n + 48; ++i) jump.values[i] += 100;
  std::vector<double> jump_next(jump.values.begin() + n, jump.values.end());
  calm.values.resize(n);
  jump.values.resize(n);
  ForecastOptions o;
  o.horizon = 48;
  o.model = "mstl";
  return {Forecast(calm, o), Forecast(jump, o), std::move(jump_next)};
}

TEST(Forecast, BandAfterALevelJumpCoversWhatFollows) {
  // One level jump of +100 (noise sd 3) 100 points before the end. mstl
  // jumps its level with it, but its seasonal patterns see the jump too
  // (the moving-average trend lags it), so its forecasts after the jump
  // are worse than the calm series' (MAE ~2.3x over seeds). The inner
  // backtest re-decomposes at every inner origin, so the newer inner
  // errors show that and the per-series factor widens the band; the
  // pooled quantiles keep the errors that straddle the jump (the chance
  // of another). Over 10 noise seeds the q0.95 band covers at least 95 %
  // of the 48 values that follow (477 of 480; 450 when the inner forecasts
  // reused the patterns estimated before the first inner origin).
  int covered = 0, points = 0;
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    CalmAndJump r = CalmAndJumpMstl(seed);
    ASSERT_TRUE(r.calm.ok() && r.jump.ok());
    for (int l = 0; l < 48; ++l) {
      covered += r.jump_next[l] <= r.jump->points[l].quantiles[1];
      ++points;
    }
    // The forecast follows the new level, and the band at long leads is
    // wider than the calm series'.
    EXPECT_NEAR(r.jump->points[0].mean - r.calm->points[0].mean, 100, 15);
    EXPECT_GT(r.jump->points[47].quantiles[1] - r.jump->points[47].mean,
              r.calm->points[47].quantiles[1] - r.calm->points[47].mean);
  }
  EXPECT_GE(covered, 0.95 * points);
}

TEST(Forecast, InnerMaeLeavesOutErrorsThatStraddleALevelJump) {
  // The series of BandAfterALevelJumpCoversWhatFollows: a +100 jump 100
  // points before the end. The inner windows of the older origins
  // straddle it, and every candidate misses it there alike (no model
  // forecasts a jump): those errors would drown the differences between
  // the candidates (bitbrains vm84, docs/forecast.md). The inner MAE leaves
  // them out: mstl's is 1.73x the calm series' (3.7x with them; the rest
  // is mstl's own loss after the jump, see the test above).
  CalmAndJump r = CalmAndJumpMstl();
  const auto& c = r.calm;
  const auto& j = r.jump;
  ASSERT_TRUE(c.ok() && j.ok());
  ASSERT_EQ(c->candidate_mae.size(), 1u);
  ASSERT_EQ(j->candidate_mae.size(), 1u);
  EXPECT_LT(j->candidate_mae[0].second, 2.0 * c->candidate_mae[0].second);
  EXPECT_GT(j->candidate_mae[0].second, 0.5 * c->candidate_mae[0].second);
}

TEST(Forecast, BadInputIsAClearError) {
  Series s = Synthetic(1000, 1.0);
  ForecastOptions o;
  o.horizon = 1000000000;
  auto big = Forecast(s, o);
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(big.status().message().find("horizon too large (max"),
            std::string::npos);
  o.horizon = 0;
  EXPECT_EQ(Forecast(s, o).status().code(), StatusCode::kInvalidArgument);
  o.horizon = 4;
  o.quantiles = {1.5};
  EXPECT_EQ(Forecast(s, o).status().code(), StatusCode::kInvalidArgument);
  o.quantiles = {0.9};
  Series one = s;
  one.values = {3};
  EXPECT_EQ(Forecast(one, o).status().code(), StatusCode::kInvalidArgument);
  Series nan = s;
  nan.values[10] = std::nan("");
  EXPECT_EQ(Forecast(nan, o).status().code(), StatusCode::kInvalidArgument);
  o.model = "hw2";
  Series shortish = s;
  shortish.values.resize(300);  // < two weeks of half-hours
  auto r = Forecast(shortish, o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("hw2 needs at least 672"),
            std::string::npos);
}

TEST(Forecast, ConstantSeriesGivesTheConstant) {
  Series s;
  s.step_seconds = 60;
  s.values.assign(50, 4.0);
  ForecastOptions o;
  o.horizon = 5;
  auto r = Forecast(s, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "constant");
  for (const auto& p : r->points) {
    EXPECT_EQ(p.mean, 4.0);
    EXPECT_EQ(p.quantiles[1], 4.0);
  }
}

TEST(Forecast, ConstantSeriesFollowsDeclaredEvents) {
  Series s;
  s.start_unix = 1'700'000'000;
  s.step_seconds = 60;
  s.values.assign(50, 4.0);
  ForecastOptions o;
  o.horizon = 5;
  const int64_t first = s.start_unix + 50 * 60;  // the first forecast step.
  o.events.push_back({"launch", first + 120, first + 240, 2.5});
  auto r = Forecast(s, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model, "constant");
  const double want[] = {4, 4, 10, 10, 4};
  for (int i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(r->points[i].mean, want[i]) << i;
    EXPECT_DOUBLE_EQ(r->points[i].quantiles.back(), want[i]) << i;
  }
}

TEST(Forecast, ShortSeriesUsesDocumentedFallbackQuantiles) {
  Series s = Synthetic(120, 2.0);  // 2.5 days: no weekly season, few origins
  ForecastOptions o;
  o.horizon = 100;
  o.model = "snaive";
  auto r = Forecast(s, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->quantile_method.find("fallback"), std::string::npos);
  EXPECT_GT(r->points[0].quantiles[1], r->points[0].mean);
}

TEST(Forecast, EventEffectsScaleTheForecast) {
  Series s = Synthetic(336 * 3, 0.0);
  ForecastOptions o;
  o.horizon = 48;
  o.model = "snaive_w";
  auto base = Forecast(s, o);
  Event e{"sale", s.TimeAt(336 * 3), s.TimeAt(336 * 3 + 10), 2.0};
  o.events = {e};
  auto boosted = Forecast(s, o);
  ASSERT_TRUE(base.ok() && boosted.ok());
  EXPECT_DOUBLE_EQ(boosted->points[5].mean, 2 * base->points[5].mean);
  EXPECT_DOUBLE_EQ(boosted->points[20].mean, base->points[20].mean);
}

TEST(Regression, LearnsEventIndicatorAndUsesLocalTime) {
  // Demand doubles every Wednesday 10:00-12:00 local time in +05:00, and an
  // event "promo" adds +50 during declared windows.
  Series s;
  s.start_unix = 1704067200;
  s.step_seconds = 3600;
  TimeZone tz = FixedOffset(5 * 3600, "+05:00");
  std::vector<Event> events;
  for (int i = 0; i < 24 * 7 * 8; ++i) {
    int64_t t = s.TimeAt(i);
    CalendarPosition p = CalendarAt(tz, t);
    double v =
        100 + 10 * std::sin(2 * std::numbers::pi * p.second_of_day / 86400.0);
    if (i % 200 == 50) events.push_back(Event{"promo", t, t + 3 * 3600, 0});
    s.values.push_back(v);
  }
  for (size_t i = 0; i < s.values.size(); ++i)
    for (const Event& e : events)
      if (s.TimeAt(i) >= e.start_unix && s.TimeAt(i) < e.end_unix)
        s.values[i] += 50;
  int64_t n = static_cast<int64_t>(s.values.size());
  events.push_back(Event{"promo", s.TimeAt(n + 5), s.TimeAt(n + 8), 0});
  TrainingData d;
  d.y = s.values;
  d.start_unix = s.start_unix;
  d.step_seconds = 3600;
  d.seasons = {24, 168};
  d.tz = tz;
  d.events = events;
  d.max_horizon = 24;
  auto m = MakeModel("regression");
  ASSERT_TRUE((*m)->Fit(d, n).ok());
  std::vector<double> f = (*m)->Forecast(24);
  EXPECT_GT(f[6] - f[3], 35);  // inside the future promo vs. just before
}

TEST(ScheduleReplicas, LeadTimeMinMaxAndScaleInLimit) {
  ScalingPolicy p;
  p.capacity_per_replica = 10;
  p.min_replicas = 2;
  p.max_replicas = 8;
  p.startup_seconds = 120;  // two 60 s steps ahead
  p.max_scale_in_per_step = 1;
  p.current_replicas = 2;
  std::vector<double> demand = {5, 5, 5, 45, 95, 10, 10, 10, 10, 10};
  auto r = ScheduleReplicas(demand, 60, p);
  ASSERT_TRUE(r.ok());
  std::vector<int> got;
  for (const auto& s : *r) got.push_back(s.replicas);
  // Scales out 2 steps before the 45 and the 95 (capped at 8), then steps
  // down one replica per step.
  EXPECT_EQ(got, (std::vector<int>{2, 5, 8, 8, 8, 7, 6, 5, 4, 3}));
  EXPECT_TRUE((*r)[4].capped);
  EXPECT_TRUE((*r)[6].held);
  p.capacity_per_replica = 0;
  EXPECT_FALSE(ScheduleReplicas(demand, 60, p).ok());
}

}  // namespace
}  // namespace ecotone::forecast

namespace ecotone::forecast {
namespace {

// A regression Fit that fails after its Setup changed the lags (they depend
// on n) must not leave a Refit downdating the previous fit's design: found
// by forecast_fuzz as an Eigen bottomRows assertion in the inner backtest.
// Fit(1000) uses lags {48, 336}; Fit(100) keeps lag 48 only and fails (too
// few rows); Refit(200) must then equal a fresh Fit(200).
TEST(Models, RegressionRefitAfterAFailedFitRefitsFromScratch) {
  Series s = Synthetic(1000, 2.0);
  TrainingData d;
  d.y = s.values;
  d.start_unix = s.start_unix;
  d.step_seconds = s.step_seconds;
  d.seasons = {48, 336};
  d.max_horizon = 48;
  auto m = MakeModel("regression");
  auto fresh = MakeModel("regression");
  ASSERT_TRUE(m.ok() && fresh.ok());
  ASSERT_TRUE((*m)->Fit(d, 1000).ok());
  EXPECT_EQ((*m)->Refit(d, 100).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE((*m)->Refit(d, 200).ok());
  ASSERT_TRUE((*fresh)->Fit(d, 200).ok());
  EXPECT_EQ((*m)->Forecast(48), (*fresh)->Forecast(48));
}

// Values near the ends of the double range: every model gives finite
// numbers (the series is fitted scaled by a power of two), equal to the
// forecast of the unscaled series times the scale, or a clear error.
TEST(Forecast, ExtremeMagnitudesAreScaledExactly) {
  Series s = Synthetic(336 * 3, 3.0);
  for (double scale : {0x1p900, 0x1p-900, 0x1p1000}) {
    Series big = s;
    for (double& v : big.values) v *= scale;
    for (const char* model :
         {"auto", "snaive", "hw1", "hw2", "mstl", "regression"}) {
      ForecastOptions o;
      o.model = model;
      o.horizon = 48;
      auto a = Forecast(s, o);
      auto b = Forecast(big, o);
      ASSERT_TRUE(a.ok()) << model;
      ASSERT_TRUE(b.ok()) << model << " x" << scale << ": "
                          << b.status().message();
      EXPECT_EQ(a->model, b->model);
      for (size_t l = 0; l < a->points.size(); ++l) {
        EXPECT_DOUBLE_EQ(a->points[l].mean * scale, b->points[l].mean)
            << model << " x" << scale << " step " << l;
        for (size_t q = 0; q < a->points[l].quantiles.size(); ++q)
          EXPECT_DOUBLE_EQ(a->points[l].quantiles[q] * scale,
                           b->points[l].quantiles[q])
              << model << " x" << scale << " step " << l;
      }
    }
  }
  // A band that leaves the range of a double is an error, not inf: random
  // signs at +-1.7e308 give seasonal-naive errors of +-3.4e308, so the
  // q0.95 above a +1.7e308 forecast is beyond DBL_MAX.
  Series wild;
  wild.start_unix = s.start_unix;
  wild.step_seconds = 1800;
  std::mt19937 rng(5);
  for (int i = 0; i < 336 * 3; ++i)
    wild.values.push_back(rng() % 2 ? 1.7e308 : -1.7e308);
  ForecastOptions o;
  o.model = "snaive";
  auto r = Forecast(wild, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is not finite"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace ecotone::forecast
