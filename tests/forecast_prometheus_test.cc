// `ecotone forecast|backtest|scale --prometheus URL --query ...` against a
// real Prometheus (Debian package) started on 127.0.0.1 with a free port and
// the last four weeks of the NYC taxi trace backfilled by promtool
// (src/testing/prometheus_server.h). The forecast from Prometheus must equal
// the forecast from the same points read from a CSV file; Prometheus down or
// rejecting the query must exit 2 with a clear message. Skipped only when
// the prometheus/promtool binaries are not installed.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "testing/prometheus_server.h"

namespace {

using ecotone::testing::CliRun;

struct Point {
  long long t;
  std::string
      v;  // as written in the trace, so both inputs carry the same text.
};

// The last `n` points of nab_nyc_taxi.csv ("2014-07-01 00:00:00,10844", UTC).
std::vector<Point> TaxiTail(size_t n) {
  std::ifstream in(std::string(ECOTONE_SHARED_DATA) +
                   "/traces/nab_nyc_taxi.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<Point> all;
  while (std::getline(in, line)) {
    std::tm tm{};
    std::istringstream ss(line);
    ss >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
    all.push_back(
        {static_cast<long long>(timegm(&tm)), line.substr(line.find(',') + 1)});
  }
  if (all.size() > n) all.erase(all.begin(), all.end() - static_cast<long>(n));
  return all;
}

class ForecastPrometheus : public ecotone::testing::CliTest {
 protected:
  static void SetUpTestSuite() {
    if (!ecotone::testing::PrometheusInstalled()) return;
    points_ = new std::vector<Point>(TaxiTail(4 * 336));
    std::ostringstream om;
    om << "# TYPE taxi_trips gauge\n";
    for (const Point& p : *points_)
      om << "taxi_trips{city=\"nyc\"} " << p.v << " " << p.t << "\n";
    // A second series, so that selecting one is part of the test.
    for (const Point& p : *points_)
      om << "taxi_trips{city=\"half\"} " << std::stod(p.v) / 2 << " " << p.t
         << "\n";
    om << "# EOF\n";
    std::string error;
    server_ =
        ecotone::testing::PrometheusServer::Start(om.str(), &error).release();
    if (server_ == nullptr) start_error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete points_;
    delete start_error_;
    server_ = nullptr;
    points_ = nullptr;
    start_error_ = nullptr;
  }
  void SetUp() override {
    if (!ecotone::testing::PrometheusInstalled())
      GTEST_SKIP() << "prometheus/promtool not installed "
                      "(scripts/install-deps.sh --test installs them)";
    ASSERT_NE(server_, nullptr) << *start_error_;
    CliTest::SetUp();
    std::ofstream csv(dir_ / "taxi.csv");
    csv << "timestamp,value\n";
    for (const Point& p : *points_) csv << p.t << "," << p.v << "\n";
  }
  // The --prometheus flags reading the nyc series over exactly the backfill.
  std::string Prom(const std::string& query = "taxi_trips",
                   const std::string& series = "--series city=nyc") const {
    return "--prometheus " + server_->url() + " --query '" + query +
           "' --range 28d --step 30m --end " +
           std::to_string(points_->back().t) + " " + series;
  }
  std::string Csv() const {
    return "--history '" + (dir_ / "taxi.csv").string() + "'";
  }

  static inline ecotone::testing::PrometheusServer* server_ = nullptr;
  static inline std::vector<Point>* points_ = nullptr;
  static inline std::string* start_error_ = nullptr;
};

TEST_F(ForecastPrometheus, ForecastEqualsTheForecastFromTheSameCsv) {
  CliRun p = Ecotone("forecast " + Prom() + " --horizon 48 --output json");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  CliRun c = Ecotone("forecast " + Csv() + " --horizon 48 --output json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto jp = nlohmann::json::parse(p.out), jc = nlohmann::json::parse(c.out);
  EXPECT_EQ(jp["history_points"], 1344);
  EXPECT_EQ(jp["history_points"], jc["history_points"]);
  EXPECT_EQ(jp["step_seconds"], 1800);
  EXPECT_EQ(jp["model"], jc["model"]);
  ASSERT_EQ(jp["points"].size(), 48u);
  EXPECT_EQ(jp["points"], jc["points"]);  // timestamps, mean, q0.9, q0.95
  EXPECT_EQ(jp["points"][0]["timestamp"], "2015-02-01T00:00:00+00:00");
  // The repairs say where the history came from.
  EXPECT_NE(jp["repairs"].dump().find("query_range"), std::string::npos)
      << jp["repairs"].dump();
}

TEST_F(ForecastPrometheus, BacktestReadsPrometheusToo) {
  std::string bt =
      " --horizon 48 --origins 3 --origin-step 96 --first-origin 1000 "
      "--models snaive,mstl --output json";
  CliRun p = Ecotone("backtest " + Prom() + bt);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  CliRun c = Ecotone("backtest " + Csv() + bt);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto jp = nlohmann::json::parse(p.out), jc = nlohmann::json::parse(c.out);
  ASSERT_EQ(jp["scores"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(jp["scores"][i]["mase"], jc["scores"][i]["mase"]);
    EXPECT_EQ(jp["scores"][i]["coverage_q0.95"],
              jc["scores"][i]["coverage_q0.95"]);
  }
}

// scale: each component reads the series whose label value is its name.
TEST_F(ForecastPrometheus, ScalePicksEachComponentsSeries) {
  std::ofstream(dir_ / "m.yaml")
      << "ecotone: v1\n"
         "components:\n"
         "  - name: nyc\n"
         "    replicas: {min: 1, max: 50}\n"
         "    scaling: {capacity_rps_per_replica: 1000, startup: 30m}\n"
         "  - name: half\n"
         "    replicas: {min: 1, max: 50}\n"
         "    scaling: {capacity_rps_per_replica: 1000, startup: 30m}\n";
  CliRun r = Ecotone("scale --manifest '" + (dir_ / "m.yaml").string() + "' " +
                     Prom("taxi_trips", "") + " --horizon 24 --output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["component"], "nyc");
  EXPECT_EQ(j[1]["component"], "half");
  // Same data at half the scale: the demand forecasts differ by 2x.
  double nyc = j[0]["schedule"][0]["demand"].get<double>();
  double half = j[1]["schedule"][0]["demand"].get<double>();
  EXPECT_NEAR(half, nyc / 2, 1e-6 * nyc);
  // And the nyc schedule equals the one from the CSV file.
  std::ofstream(dir_ / "one.yaml")
      << "ecotone: v1\n"
         "components:\n"
         "  - name: nyc\n"
         "    replicas: {min: 1, max: 50}\n"
         "    scaling: {capacity_rps_per_replica: 1000, startup: 30m}\n";
  CliRun c = Ecotone("scale --manifest '" + (dir_ / "one.yaml").string() +
                     "' " + Csv() + " --horizon 24 --output json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(nlohmann::json::parse(c.out)[0]["schedule"], j[0]["schedule"]);
}

TEST_F(ForecastPrometheus, SeveralSeriesNeedASelection) {
  CliRun r = Ecotone("forecast " + Prom("taxi_trips", "") + " --horizon 4");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("returned 2 series"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--series"), std::string::npos) << r.err;
  // Aggregated in PromQL instead: one series, forecasting 1.5x the demand.
  CliRun s = Ecotone("forecast " + Prom("sum(taxi_trips)", "") +
                     " --horizon 4 --output json");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["points"].size(), 4u);
}

TEST_F(ForecastPrometheus, RejectedQueryIsExitTwoWithPrometheusMessage) {
  CliRun r = Ecotone("forecast " + Prom("taxi_trips{", "") + " --horizon 4");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad_data"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(server_->url()), std::string::npos) << r.err;
  CliRun none =
      Ecotone("forecast " + Prom("no_such_metric", "") + " --horizon 4");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("returned 0 series"), std::string::npos) << none.err;
}

TEST_F(ForecastPrometheus, PrometheusDownIsExitTwo) {
  // A loopback port nobody listens on: Prometheus is down.
  std::string url = "http://127.0.0.1:" +
                    std::to_string(ecotone::testing::FreeLoopbackPort());
  CliRun r = Ecotone("forecast --prometheus " + url +
                     " --query taxi_trips --range 1d --step 30m --horizon 4");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unreachable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(url), std::string::npos) << r.err;
}

TEST_F(ForecastPrometheus, BadFlagsAreExitTwo) {
  CliRun both = Ecotone("forecast " + Csv() + " " + Prom() + " --horizon 4");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("exactly one of"), std::string::npos) << both.err;
  CliRun step = Ecotone("forecast --prometheus " + server_->url() +
                        " --query taxi_trips --step 30x --horizon 4");
  EXPECT_EQ(step.exit_code, 2);
  EXPECT_NE(step.err.find("bad duration"), std::string::npos) << step.err;
  CliRun noquery =
      Ecotone("forecast --prometheus " + server_->url() + " --horizon 4");
  EXPECT_EQ(noquery.exit_code, 2);
  EXPECT_NE(noquery.err.find("--query"), std::string::npos) << noquery.err;
}

}  // namespace
