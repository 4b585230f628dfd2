// Runs the real `ecotone` binary ($ECOTONE_BIN) for `forecast`, `backtest`
// and `scale` on the shared traces and on bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_harness.h"

namespace {

const std::string kTraces = std::string(ECOTONE_SHARED_DATA) + "/traces/";

using ecotone::testing::CliRun;
class ForecastCli : public ecotone::testing::CliTest {};
class BacktestCli : public ecotone::testing::CliTest {};

TEST_F(ForecastCli, JsonHasOneKeyPerQuantileAndHorizonPoints) {
  CliRun r = Ecotone(
      "forecast --history " + kTraces +
      "nab_nyc_taxi.csv --horizon 48 --quantiles 0.9,0.95 --output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["step_seconds"], 1800);
  ASSERT_EQ(j["points"].size(), 48u);
  const auto& p = j["points"][0];
  EXPECT_EQ(p["timestamp"], "2015-02-01T00:00:00+00:00");
  EXPECT_TRUE(p.contains("q0.9") && p.contains("q0.95") && p.contains("mean"));
  EXPECT_LE(p["mean"].get<double>(), p["q0.95"].get<double>());
  EXPECT_FALSE(j["model"].get<std::string>().empty());
  // The factor on the inner-backtest error quantiles (default inflation 1.2
  // times the square root of the per-series factor, clamped to [0.5, 3]).
  ASSERT_TRUE(j.contains("quantile_factor"));
  EXPECT_GE(j["quantile_factor"].get<double>(), 1.2 * std::sqrt(0.5) - 1e-9);
  EXPECT_LE(j["quantile_factor"].get<double>(), 1.2 * std::sqrt(3.0) + 1e-9);
  EXPECT_NE(j["quantile_method"].get<std::string>().find("per-series factor"),
            std::string::npos);
}

TEST_F(ForecastCli, SvgAndCsvOutputs) {
  CliRun svg =
      Ecotone("forecast --history " + kTraces +
              "nab_ec2_cpu_utilization_53ea38.csv --horizon 24 --model "
              "mstl --output svg");
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  EXPECT_EQ(svg.out.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.out.find("<polygon"), std::string::npos);  // the band
  CliRun csv = Ecotone(
      "forecast --history " + kTraces +
      "google2019_instance_usage_grouped_300_seconds_month.csv --horizon 3 "
      "--model snaive --output csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("timestamp,mean,q0.9,q0.95\n", 0), 0u);
}

TEST_F(ForecastCli, BadInputExitsTwoWithAClearMessage) {
  std::string taxi = kTraces + "nab_nyc_taxi.csv";
  CliRun big = Ecotone("forecast --history " + taxi + " --horizon 1000000000");
  EXPECT_EQ(big.exit_code, 2);
  EXPECT_NE(big.err.find("horizon too large (max"), std::string::npos);
  EXPECT_EQ(Ecotone("forecast --history " + taxi + " --horizon 0").exit_code, 2);
  std::string empty = Write("empty.csv", "");
  EXPECT_EQ(Ecotone("forecast --history " + empty + " --horizon 3").exit_code, 2);
  std::string one =
      Write("one.csv", "timestamp,value\n2024-01-01T00:00:00Z,5\n");
  CliRun r1 = Ecotone("forecast --history " + one + " --horizon 3");
  EXPECT_EQ(r1.exit_code, 2);
  EXPECT_NE(r1.err.find("at least 2"), std::string::npos);
  std::string bad = Write(
      "bad.csv",
      "timestamp,value\n2024-01-01T00:00:00Z,5\n2024-01-01T00:05:00Z,x\n");
  CliRun rb = Ecotone("forecast --history " + bad + " --horizon 3");
  EXPECT_EQ(rb.exit_code, 2);
  EXPECT_NE(rb.err.find("bad.csv:3:22: value:"), std::string::npos) << rb.err;
  EXPECT_EQ(Ecotone("forecast --history /nonexistent.csv --horizon 3").exit_code, 2);
  EXPECT_EQ(
      Ecotone("forecast --history " + taxi + " --horizon 3 --tz Mars/Base")
          .exit_code,
      2);
}

TEST_F(ForecastCli, ConstantSeriesIsTheConstant) {
  std::string text = "timestamp,value\n";
  for (int i = 0; i < 100; ++i)
    text += std::to_string(1700000000 + 60 * i) + ",7\n";
  CliRun r = Ecotone("forecast --history " + Write("const.csv", text) +
                     " --horizon 2 --output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["points"][1]["mean"], 7.0);
}

TEST_F(BacktestCli, NycTaxiProtocolPrintsEveryModel) {
  CliRun r =
      Ecotone("backtest --history " + kTraces +
              "nab_nyc_taxi.csv --horizon 48 --origins 7 --origin-step 96 "
              "--first-origin 9696 --seasons 48,336 --models snaive_w,mstl "
              "--output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["scores"].size(), 2u);
  EXPECT_GT(j["scores"][0]["mase"].get<double>(), 0);
  EXPECT_TRUE(j["scores"][1].contains("coverage_q0.95"));
  // Each origin's scores, whose mean is the model's score.
  const auto& per = j["scores"][1]["per_origin"];
  ASSERT_EQ(per.size(), 7u);
  EXPECT_EQ(per[0]["origin"], 9696);
  EXPECT_EQ(per[6]["origin"], 9696 + 6 * 96);
  double mean = 0, cov = 0;
  for (const auto& e : per) {
    mean += e["mase"].get<double>() / 7;
    cov += e["coverage_q0.95"].get<double>() / 7;
    EXPECT_EQ(e["chosen"], "mstl");
  }
  EXPECT_NEAR(mean, j["scores"][1]["mase"].get<double>(), 1e-12);
  EXPECT_NEAR(cov, j["scores"][1]["coverage_q0.95"].get<double>(), 1e-12);
  CliRun past = Ecotone("backtest --history " + kTraces +
                        "nab_nyc_taxi.csv --first-origin 20000");
  EXPECT_EQ(past.exit_code, 2);
}

}  // namespace
