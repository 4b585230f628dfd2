// The benchmark protocol on real data (NAB nyc_taxi, 30-minute steps): last
// 12 weeks, first origin 3360, step 96, 7 origins, horizon 48, MASE scaled
// by the weekly (336) seasonal-naive in-sample MAE.
#include "ecotone/forecast/backtest.h"

#include <gtest/gtest.h>

#include "ecotone/history/history.h"

namespace ecotone::forecast {
namespace {

// shared/data/traces/FILE on a 30-minute grid, outliers kept (the bench
// protocol's resampling).
Series HalfHourlyTrace(const std::string& file) {
  auto raw = history::ReadHistoryFile(
      std::string(ECOTONE_SHARED_DATA) + "/traces/" + file, {});
  EXPECT_TRUE(raw.ok()) << file;
  if (!raw.ok()) return {};
  history::ResampleOptions rs;
  rs.step_seconds = 1800;
  rs.clip_outliers = false;
  auto s = history::Resample(*raw, rs, nullptr);
  EXPECT_TRUE(s.ok()) << file;
  return s.ok() ? *s : Series{};
}

Series NycTaxiLast12Weeks() {
  Series s = HalfHourlyTrace("nab_nyc_taxi.csv");
  Series out = s;
  const size_t keep = 336 * 12;
  out.values.erase(out.values.begin(), out.values.end() - keep);
  out.start_unix = s.TimeAt(static_cast<int64_t>(s.values.size() - keep));
  return out;
}

TEST(Backtest, NycTaxiProtocolSeasonalNaiveMatchesPublishedValue) {
  Series s = NycTaxiLast12Weeks();
  BacktestOptions o;
  o.models = {"snaive_w"};
  auto r = Backtest(s, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // The issue reports MASE 0.815 for the weekly seasonal naive.
  EXPECT_NEAR(r->scores[0].mase, 0.815, 0.01);
}

TEST(Backtest, NycTaxiMstlAndAutoBeatSeasonalNaiveAndAutoBandIsCalibrated) {
  Series s = NycTaxiLast12Weeks();
  BacktestOptions o;
  o.models = {"snaive_w", "mstl", "auto"};
  auto r = Backtest(s, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ModelScore& snaive = r->scores[0];
  const ModelScore& mstl = r->scores[1];
  const ModelScore& automatic = r->scores[2];
  // Measured: snaive_w 0.815, mstl 0.807 (the holiday weeks in the training
  // window make every smoothing model struggle; R stlf reaches 1.456).
  EXPECT_LT(mstl.mase, snaive.mase);
  EXPECT_LT(mstl.pinball, snaive.pinball);
  // auto (measured 0.787) is no worse than the seasonal naive here either,
  // and its q0.95 band (measured 0.949 with the per-series calibration
  // factor) is within the 93-97%.
  EXPECT_LE(automatic.mase, snaive.mase);
  EXPECT_GE(automatic.coverage[1], 0.93);
  EXPECT_LE(automatic.coverage[1], 0.97);
  EXPECT_GE(automatic.coverage[0], 0.85);
  EXPECT_GT(mstl.coverage[1], 0.85);
  // The per-origin scores, whose means these are.
  ASSERT_EQ(automatic.per_origin.size(), 7u);
  double mase = 0, cov = 0;
  for (size_t k = 0; k < 7; ++k) {
    const OriginScore& os = automatic.per_origin[k];
    EXPECT_EQ(os.origin, 3360 + 96 * static_cast<int64_t>(k));
    EXPECT_GT(os.mase, 0);
    mase += os.mase / 7;
    cov += os.coverage[1] / 7;
  }
  EXPECT_NEAR(mase, automatic.mase, 1e-12);
  EXPECT_NEAR(cov, automatic.coverage[1], 1e-12);
}

// NAB rds_cpu_utilization: a level shift at point 529 lies a few steps
// before the second protocol origin (bench/forecast_bench.cc's protocol:
// 3 origins from 433 every 96). Before the structural-break rule auto
// reached MASE 1.92 there (every inner window ended before the jump);
// measured now 0.382, with mstl alone at 0.350.
TEST(Backtest, RdsLevelShiftAutoFollowsTheLevelAdaptiveModels) {
  const Series s = HalfHourlyTrace("nab_rds_cpu_utilization_cc0c53.csv");
  ASSERT_FALSE(s.values.empty());
  BacktestOptions o;
  o.models = {"snaive_d", "mstl", "auto"};
  o.origins = 3;
  o.first_origin = static_cast<int64_t>(s.values.size()) - 48 - 2 * 96;
  auto r = Backtest(s, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(r->scores[2].mase, r->scores[0].mase);
  EXPECT_LT(r->scores[2].mase, 1.2 * r->scores[1].mase);
  EXPECT_LT(r->scores[2].mase, 0.6);
  // auto's q0.95 band covers every point of these 3 origins (measured); a
  // fraction of counted points, exactly 1 — not 1 + rounding, as the sum
  // of 48 × 1/48 per origin was (1.0000000000000007).
  EXPECT_EQ(r->scores[2].coverage[1], 1.0);
  for (const OriginScore& os : r->scores[2].per_origin)
    EXPECT_EQ(os.coverage[1], 1.0) << os.origin;
}

// NAB asg_misconfiguration on the bench protocol (30-minute steps, all
// 3,009 points, 7 origins from 2385 every 96): snaive_d has the lowest
// inner MAE at most origins, with the regression (and mstl) within 25%.
// auto combines them; with the old fallback to the seasonal naive whenever
// the combination's inner MAE was higher than its, auto reached 2.111,
// above the weekly seasonal naive (2.084). Measured 2.036 after the
// change, 2.061 since mstl drops seasons that do not predict their newest
// cycle (`build/bench/forecast_bench --series 0`).
TEST(Backtest, AsgAutoCombinesInsteadOfFallingBackToSeasonalNaive) {
  const Series s =
      HalfHourlyTrace("nab_cpu_utilization_asg_misconfiguration.csv");
  ASSERT_EQ(s.values.size(), 3009u);
  BacktestOptions o;
  o.models = {"snaive_w", "auto"};
  o.first_origin = 2385;
  auto r = Backtest(s, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(r->scores[1].mase, r->scores[0].mase);
  // The first origin: a combination that holds snaive_d, not snaive_d alone.
  const std::string& first = r->scores[1].chosen[0];
  EXPECT_EQ(first.rfind("auto(", 0), 0u) << first;
  EXPECT_NE(first.find("snaive_d"), std::string::npos) << first;
}

TEST(Backtest, RejectsOriginsPastTheEnd) {
  Series s = NycTaxiLast12Weeks();
  BacktestOptions o;
  o.first_origin = 4000;
  auto r = Backtest(s, o, nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  o.first_origin = 100;  // before one MASE period
  EXPECT_EQ(Backtest(s, o, nullptr).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ecotone::forecast
