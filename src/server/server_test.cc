// Unit tests of the server module's pure parts (token comparison, query
// template files) and of the API in process, against a real SQLite file and
// a real HTTP connection on 127.0.0.1.
#include "ecotone/server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

namespace ecotone::server {
namespace {

TEST(ConstantTimeEquals, ComparesWholeSecrets) {
  EXPECT_TRUE(ConstantTimeEquals("s3cret", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3cres", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret1", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3cre", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3crets3cret", "s3cret"));  // cycled prefix
}

TEST(ReadMetricQueries, ReadsYamlAndNamesBadFields) {
  auto q = ReadMetricQueries("q.yaml", R"(queries:
  - field: requests_per_s
    promql: 'sum by (service) (rate(x{ns="{ecosystem}"}[1m]))'
    label: service
  - {field: latency_ms, promql: 'max by (component) (lat_ms)'}
)");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].label, "service");
  EXPECT_EQ((*q)[1].label, "component");
  auto bad =
      ReadMetricQueries("q.yaml", "queries:\n  - field: cpu\n    promql: x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where().path, "queries[0].field");
  EXPECT_EQ(bad.status().where().line, 2);
  auto unknown = ReadMetricQueries(
      "q.yaml", "queries:\n  - {field: latency_ms, promql: x, lable: c}\n");
  EXPECT_EQ(unknown.status().where().path, "queries[0].lable");
  auto dup = ReadMetricQueries(
      "q.json",
      R"({"queries":[{"field":"latency_ms","promql":"a"},{"field":"latency_ms","promql":"b"}]})");
  EXPECT_EQ(dup.status().where().path, "queries[1].field");
  EXPECT_EQ(DefaultMetricQueries().size(), 5u);
}

class InProcessServer : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ecotone_server_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto st = store::OpenSqlite({}, (dir_ / "db.sqlite").string());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    ServerOptions o;
    o.port = 0;
    o.token = "t0ken";
    o.max_body_bytes = 4096;
    o.interval_us = 50'000;
    auto s = NewServer(o, store_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    thread_ = std::thread([this] { run_status_ = server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    // httplib's 5 s read timeout is short for a durable SQLite commit on a
    // machine loaded by parallel builds (a flake seen once under load 7).
    client_->set_read_timeout(60, 0);
    client_->set_write_timeout(60, 0);
    // Up to 20 s: the listening thread may start late on a loaded machine.
    bool up = false;
    for (int i = 0; i < 2000 && !up; ++i) {
      auto r = client_->Get("/healthz");
      up = r && r->status == 200;
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(up) << "the in-process server never answered /healthz";
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  httplib::Headers Auth() { return {{"Authorization", "Bearer t0ken"}}; }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  Status run_status_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(InProcessServer, PutGetAndAuth) {
  const std::string manifest =
      "services:\n  web:\n    image: nginx\n    depends_on: [api]\n  api:\n    "
      "image: api\n";
  auto no_auth =
      client_->Put("/v1/ecosystems/shop", manifest, "application/yaml");
  ASSERT_TRUE(no_auth);
  EXPECT_EQ(no_auth->status, 401);
  EXPECT_FALSE(store_->ListVersions("shop").ok());  // nothing stored

  auto put =
      client_->Put("/v1/ecosystems/shop", Auth(), manifest, "application/yaml");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 201) << put->body;
  auto j = nlohmann::json::parse(put->body);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["components"], 2);

  auto get = client_->Get("/v1/ecosystems/shop", Auth());
  ASSERT_TRUE(get);
  ASSERT_EQ(get->status, 200) << get->body;
  EXPECT_EQ(nlohmann::json::parse(get->body)["components"].size(), 2u);

  auto impact = client_->Get(
      "/v1/ecosystems/shop/components/api/impact?edges=all", Auth());
  ASSERT_TRUE(impact);
  ASSERT_EQ(impact->status, 200) << impact->body;
  EXPECT_EQ(nlohmann::json::parse(impact->body)["impact"],
            nlohmann::json({"web"}));

  auto big = client_->Put("/v1/ecosystems/shop", Auth(), std::string(5000, 'x'),
                          "text/plain");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(store_->ListVersions("shop")->size(), 1u);

  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(
                "ecotone_http_requests_total{code=\"201\",method=\"PUT\","
                "route=\"/v1/ecosystems/{name}\"} 1"),
            std::string::npos)
      << metrics->body;
}

}  // namespace
}  // namespace ecotone::server
