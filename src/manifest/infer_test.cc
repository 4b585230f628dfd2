#include "ecotone/manifest/infer.h"

#include <gtest/gtest.h>

namespace ecotone::manifest {
namespace {

using model::ComponentKind;
using model::DependencyKind;

std::vector<std::string> Hosts(std::string_view v) {
  std::vector<std::string> out;
  for (const auto& m : FindHostMentions(v)) out.push_back(m.host);
  return out;
}

TEST(FindHostMentions, HostPort) {
  auto m = FindHostMentions("cart:7070");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].host, "cart");
  EXPECT_EQ(m[0].port, 7070);
  EXPECT_FALSE(m[0].bare);
}

TEST(FindHostMentions, Urls) {
  auto m = FindHostMentions("http://api:8080/x");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].host, "api");
  EXPECT_EQ(m[0].port, 8080);
  EXPECT_EQ(m[0].scheme, "http");
  m = FindHostMentions("mongodb://user:secret@user-db:27017/users");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].host, "user-db");
  EXPECT_EQ(m[0].scheme, "mongodb");
  EXPECT_EQ(Hosts("amqp://rabbitmq"), std::vector<std::string>{"rabbitmq"});
  EXPECT_EQ(Hosts("mysql://root:pw@db:3306/mysql"), std::vector<std::string>{"db"});
  EXPECT_EQ(Hosts("kafka://redpanda:9092/order"), std::vector<std::string>{"redpanda"});
  EXPECT_EQ(Hosts("mongodb://a:1,b:2/x"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Hosts("http://identity-api"), std::vector<std::string>{"identity-api"});
}

TEST(FindHostMentions, ConnectionStrings) {
  EXPECT_EQ(Hosts("Server=sqldata;Database=Ordering;User Id=sa;Password=x"),
            std::vector<std::string>{"sqldata"});
  EXPECT_EQ(Hosts("Data Source=tcp:sqldata,1433;Initial Catalog=x"),
            std::vector<std::string>{"sqldata"});
  auto m = FindHostMentions("Host=pg;Port=5432;Username=u");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].host, "pg");
}

TEST(FindHostMentions, BareHostAndNonHosts) {
  auto m = FindHostMentions("registry");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].bare);
  EXPECT_TRUE(Hosts("localhost:8080").empty());
  EXPECT_TRUE(Hosts("10.0.0.1:80").empty());
  EXPECT_TRUE(Hosts("8080").empty());
  EXPECT_TRUE(Hosts("true").empty());
  EXPECT_TRUE(Hosts("-Xmx200m -Xms100m").empty());
  EXPECT_TRUE(Hosts("").empty());
}

TEST(HostIndex, KubernetesDnsForms) {
  HostIndex idx;
  idx.AddKubernetesService("cartservice", "default", "cartservice");
  EXPECT_EQ(idx.Resolve("cartservice").value(), "cartservice");
  EXPECT_EQ(idx.Resolve("cartservice.default").value(), "cartservice");
  EXPECT_EQ(idx.Resolve("CartService.default.svc.cluster.local").value(), "cartservice");
  EXPECT_EQ(idx.Resolve("cartservice.default.svc.cluster.local.").value(), "cartservice");
  EXPECT_FALSE(idx.Resolve("cartservice.other").has_value());
}

TEST(HostIndex, AmbiguousNamesResolveToNone) {
  HostIndex idx;
  idx.Add("db", "a");
  idx.Add("db", "b");
  EXPECT_FALSE(idx.Resolve("db").has_value());
  idx.Add("x", "a");
  idx.Add("x", "a");
  EXPECT_EQ(idx.Resolve("x").value(), "a");
}

TEST(KindInference, FromImage) {
  EXPECT_EQ(KindFromImage("postgres:15-alpine"), ComponentKind::kDatabase);
  EXPECT_EQ(KindFromImage("mcr.microsoft.com/mssql/server:2019-latest"),
            ComponentKind::kDatabase);
  EXPECT_EQ(KindFromImage("mongo:4.4.6"), ComponentKind::kDatabase);
  EXPECT_EQ(KindFromImage("redis:alpine"), ComponentKind::kCache);
  EXPECT_EQ(KindFromImage("memcached:1.6.7"), ComponentKind::kCache);
  EXPECT_EQ(KindFromImage("rabbitmq:3-management-alpine"), ComponentKind::kQueue);
  EXPECT_EQ(KindFromImage("docker.redpanda.com/redpandadata/redpanda:v22.2.2"),
            ComponentKind::kQueue);
  EXPECT_EQ(KindFromImage("nginx:1.25"), ComponentKind::kGateway);
  EXPECT_EQ(KindFromImage("descartesresearch/teastore-db"), ComponentKind::kDatabase);
  EXPECT_FALSE(KindFromImage("gcr.io/google-samples/microservices-demo/frontend:v0.10.1"));
}

TEST(FindHostMentions, CapsMentionsPerValue) {
  std::string v;
  for (int i = 0; i < 100000; ++i) v += "h" + std::to_string(i) + ":80 ";
  auto m = FindHostMentions(v);
  EXPECT_EQ(m.size(), 256u);
  EXPECT_EQ(m[0].host, "h0");
}

TEST(KindInference, ToolsNamedAfterASystemAreNotThatSystem) {
  // awesome-compose wasmedge-kafka-mysql: `etl` consumes from Kafka.
  EXPECT_FALSE(KindFromImage("etl-kafka"));
  EXPECT_FALSE(KindFromImage("oliver006/redis_exporter:v1.55.0"));
  EXPECT_FALSE(KindFromImage("provectuslabs/kafka-ui"));
  EXPECT_FALSE(KindFromImage("mongo-express:1.0"));
  // The image of the system itself still counts.
  EXPECT_EQ(KindFromImage("bitnami/kafka:3.6"), ComponentKind::kQueue);
}

TEST(KindInference, DependencyKinds) {
  EXPECT_EQ(DependencyKindFor(ComponentKind::kDatabase, "", 0), DependencyKind::kDatabase);
  EXPECT_EQ(DependencyKindFor(ComponentKind::kCache, "", 0), DependencyKind::kCache);
  EXPECT_EQ(DependencyKindFor(ComponentKind::kQueue, "", 0), DependencyKind::kQueuePublish);
  EXPECT_EQ(DependencyKindFor(ComponentKind::kContainer, "", 50051), DependencyKind::kGrpc);
  EXPECT_EQ(DependencyKindFor(ComponentKind::kContainer, "http", 80), DependencyKind::kHttp);
  EXPECT_EQ(DependencyKindFor(ComponentKind::kContainer, "", 6379), DependencyKind::kCache);
}

}  // namespace
}  // namespace ecotone::manifest
