// The Prometheus client against a real Prometheus (Debian package) started on
// 127.0.0.1 with two weeks of the NYC taxi trace backfilled.
#include "ecotone/adapters/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

#include "testing/prometheus_server.h"

namespace ecotone::adapters {
namespace {

PrometheusOptions Opts(std::string url, double timeout_s = 10) {
  PrometheusOptions o;
  o.url = std::move(url);
  o.timeout_s = timeout_s;
  return o;
}

struct Point {
  double t;
  double v;
};

// The first `n` points of nab_nyc_taxi.csv ("2014-07-01 00:00:00,10844", UTC).
std::vector<Point> Taxi(size_t n) {
  std::ifstream in(std::string(ECOTONE_SHARED_DATA) + "/traces/nab_nyc_taxi.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<Point> out;
  while (out.size() < n && std::getline(in, line)) {
    std::tm tm{};
    std::istringstream ss(line);
    ss >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
    double v = std::stod(line.substr(line.find(',') + 1));
    out.push_back({static_cast<double>(timegm(&tm)), v});
  }
  return out;
}

std::string OpenMetrics(const std::vector<Point>& pts) {
  std::ostringstream om;
  om << "# TYPE taxi_trips gauge\n";
  for (const auto& p : pts)
    om << "taxi_trips{city=\"nyc\"} " << p.v << " " << static_cast<long long>(p.t) << "\n";
  om << "# EOF\n";
  return om.str();
}

class PrometheusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::PrometheusInstalled()) return;
    points_ = new std::vector<Point>(Taxi(672));
    std::string error;
    server_ = testing::PrometheusServer::Start(OpenMetrics(*points_), &error).release();
    if (server_ == nullptr) start_error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete points_;
    delete start_error_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!testing::PrometheusInstalled())
      GTEST_SKIP() << "prometheus/promtool not installed (scripts/install-deps.sh --test)";
    ASSERT_NE(server_, nullptr) << *start_error_;
  }
  static inline testing::PrometheusServer* server_ = nullptr;
  static inline std::vector<Point>* points_ = nullptr;
  static inline std::string* start_error_ = nullptr;
};

TEST_F(PrometheusTest, QueryRangeReturnsTheBackfilledSeries) {
  PrometheusClient client(Opts(server_->url()));
  const auto& pts = *points_;
  auto r = client.QueryRange("taxi_trips", pts.front().t, pts.back().t, 1800);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const PromSeries& s = (*r)[0];
  EXPECT_EQ(s.labels.at("__name__"), "taxi_trips");
  EXPECT_EQ(s.labels.at("city"), "nyc");
  ASSERT_EQ(s.points.size(), pts.size());
  for (size_t i = 0; i < pts.size(); ++i) {
    EXPECT_DOUBLE_EQ(s.points[i].first, pts[i].t) << i;
    EXPECT_DOUBLE_EQ(s.points[i].second, pts[i].v) << i;
  }
}

TEST_F(PrometheusTest, LongRangesAreFetchedInChunksAndJoined) {
  PrometheusClient client(Opts(server_->url()));
  const auto& pts = *points_;
  // 60 s steps over two weeks: 20,160 steps, more than one request holds.
  auto r = client.QueryRange("taxi_trips", pts.front().t, pts.back().t, 60);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const auto& p = (*r)[0].points;
  // Each 30-minute sample is visible for the 5-minute lookback: 6 steps each
  // (t, t+60, ..., t+300), except the last sample at the range end.
  EXPECT_EQ(p.size(), (pts.size() - 1) * 6 + 1);
  for (size_t i = 1; i < p.size(); ++i) ASSERT_LT(p[i - 1].first, p[i].first) << i;
}

TEST_F(PrometheusTest, InstantQueryAtATime) {
  PrometheusClient client(Opts(server_->url()));
  const auto& pts = *points_;
  auto r = client.Query("sum(taxi_trips)", pts[100].t);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  ASSERT_EQ((*r)[0].points.size(), 1u);
  EXPECT_DOUBLE_EQ((*r)[0].points[0].second, pts[100].v);
  auto scalar = client.Query("scalar(sum(taxi_trips)) * 2", pts[100].t);
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_DOUBLE_EQ((*scalar)[0].points[0].second, 2 * pts[100].v);
}

TEST_F(PrometheusTest, BadQueryIsInvalidArgumentWithPrometheusMessage) {
  PrometheusClient client(Opts(server_->url()));
  auto r = client.Query("rate(taxi_trips[", std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bad_data"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("rate(taxi_trips["), std::string::npos);
}

TEST(PrometheusDownTest, UnreachableServerIsUnavailable) {
  int port = testing::FreeLoopbackPort();
  PrometheusClient client(Opts("http://127.0.0.1:" + std::to_string(port), 2));
  auto r = client.QueryRange("up", 0, 3600, 60);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST(PrometheusDownTest, RejectsBadRanges) {
  PrometheusClient client(Opts("http://127.0.0.1:1"));
  EXPECT_EQ(client.QueryRange("up", 10, 0, 60).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.QueryRange("up", 0, 10, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.QueryRange("up", 0, 10, NAN).status().code(), StatusCode::kInvalidArgument);
}

TEST(PrometheusReplyTest, ParsesVectorsMatricesAndSpecialValues) {
  auto r = ParsePrometheusReply(
      R"({"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"job":"a"},"values":[[1,"1.5"],[2,"NaN"],[3,"+Inf"]]}]}})",
      "q");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)[0].points.size(), 3u);
  EXPECT_TRUE(std::isnan((*r)[0].points[1].second));
  EXPECT_TRUE(std::isinf((*r)[0].points[2].second));
  for (const char* bad : {"", "[]", R"({"status":"success"})",
                          R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"x"]]}]}})",
                          R"({"status":"success","data":{"resultType":"string","result":[1,"a"]}})"}) {
    auto b = ParsePrometheusReply(bad, "q");
    EXPECT_EQ(b.status().code(), StatusCode::kCorruption) << bad;
  }
  auto err = ParsePrometheusReply(
      R"({"status":"error","errorType":"timeout","error":"query timed out"})", "q");
  EXPECT_EQ(err.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(err.status().message().find("timeout: query timed out"), std::string::npos);
}

}  // namespace
}  // namespace ecotone::adapters
