// Tests of the Docker Compose reader: every Compose file in shared/data with
// the exact component and edge sets read off the files by hand, then one
// small fixture per feature and per class of bad input.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ecotone/manifest/manifest.h"
#include "ecotone/model/ecosystem.h"
#include "manifest/compose_util.h"

namespace ecotone::manifest {
namespace {

using model::ComponentKind;
using model::DependencyKind;
using model::Severity;
using Edge = std::tuple<std::string, std::string, std::string>;

const std::string kData = ECOTONE_SHARED_DATA "/manifests/";
const std::string kFixtures = ECOTONE_SOURCE_DIR "/testdata/compose/";
// In-memory inputs are named inside a directory that does not exist, so no
// .env, env_file or companion file is found by accident.
const std::string kMem = "/nonexistent-ecotone-test/compose.yaml";

LoadResult MustLoad(const std::vector<std::string>& files,
                    LoadOptions options = {}) {
  options.format = Format::kCompose;
  auto r = LoadFiles(files, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  return std::move(r).value();
}

Result<LoadResult> Read(const std::string& text, LoadOptions options = {}) {
  return ReadCompose({kMem}, {text}, options);
}

LoadResult MustRead(const std::string& text, LoadOptions options = {}) {
  auto r = Read(text, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  return std::move(r).value();
}

std::set<std::string> Names(const model::Ecosystem& e) {
  std::set<std::string> out;
  for (const auto& c : e.components) out.insert(c.name);
  return out;
}

std::set<Edge> Edges(const model::Ecosystem& e) {
  std::set<Edge> out;
  for (const auto& d : e.dependencies)
    out.emplace(d.from, d.to, std::string(model::DependencyKindName(d.kind)));
  return out;
}

const model::Dependency* FindEdge(const model::Ecosystem& e,
                                  const std::string& from,
                                  const std::string& to) {
  for (const auto& d : e.dependencies)
    if (d.from == from && d.to == to) return &d;
  return nullptr;
}

const model::Component& Comp(const model::Ecosystem& e, const std::string& n) {
  const model::Component* c = e.FindComponent(n);
  EXPECT_NE(c, nullptr) << n;
  static const model::Component kNone;
  return c ? *c : kNone;
}

int CountProblems(const LoadResult& r, const std::string& code) {
  int n = 0;
  for (const auto& p : r.problems)
    if (p.code == code) ++n;
  return n;
}

// The error of a bad input, which must carry a location.
Status MustFail(const std::string& text) {
  auto r = Read(text);
  EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
  if (r.ok()) return Status::Ok();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().where().file, kMem);
  return r.status();
}

std::set<std::string> SetOf(std::initializer_list<const char*> l) {
  return std::set<std::string>(l.begin(), l.end());
}

// ---------------------------------------------------------------------------
// shared/data/manifests

TEST(ComposeSharedData, HotelReservation) {
  LoadResult r =
      MustLoad({kData + "deathstarbench-hotelreservation/docker-compose.yml"});
  EXPECT_EQ(r.ecosystem.name, "deathstarbench-hotelreservation");
  EXPECT_EQ(Names(r.ecosystem), SetOf({"consul",
                                       "frontend",
                                       "profile",
                                       "search",
                                       "geo",
                                       "rate",
                                       "review",
                                       "attractions",
                                       "recommendation",
                                       "user",
                                       "reservation",
                                       "jaeger",
                                       "memcached-rate",
                                       "memcached-review",
                                       "memcached-profile",
                                       "memcached-reserve",
                                       "mongodb-geo",
                                       "mongodb-profile",
                                       "mongodb-rate",
                                       "mongodb-review",
                                       "mongodb-attractions",
                                       "mongodb-recommendation",
                                       "mongodb-reservation",
                                       "mongodb-user"}));
  // depends_on gives start-order edges; config.json (mounted through the
  // top-level `configs: server_config`) gives the datastore kinds for the
  // eight services that mount it, attributed by the key-prefix rule
  // (GeoMongoAddress -> geo, RecommendMongoAddress -> recommendation,
  // ReserveMemcAddress -> reservation).
  // Not inferable from the files: review and attractions do not mount
  // config.json, so their datastore edges stay start-order and the
  // Review*/Attractions* keys are reported as unattributed; consulAddress
  // and jaegerAddress name no caller; service-to-service calls (frontend ->
  // search -> geo/rate, ...) go through consul discovery at run time and
  // appear in no file.
  EXPECT_EQ(Edges(r.ecosystem),
            (std::set<Edge>{
                {"frontend", "consul", "start-order"},
                {"profile", "mongodb-profile", "database"},
                {"profile", "memcached-profile", "cache"},
                {"profile", "consul", "start-order"},
                {"search", "consul", "start-order"},
                {"geo", "mongodb-geo", "database"},
                {"geo", "consul", "start-order"},
                {"rate", "mongodb-rate", "database"},
                {"rate", "memcached-rate", "cache"},
                {"rate", "consul", "start-order"},
                {"review", "mongodb-review", "start-order"},
                {"review", "memcached-review", "start-order"},
                {"review", "consul", "start-order"},
                {"attractions", "mongodb-attractions", "start-order"},
                {"attractions", "consul", "start-order"},
                {"recommendation", "mongodb-recommendation", "database"},
                {"recommendation", "consul", "start-order"},
                {"user", "mongodb-user", "database"},
                {"user", "consul", "start-order"},
                {"reservation", "mongodb-reservation", "database"},
                {"reservation", "memcached-reserve", "cache"},
                {"reservation", "consul", "start-order"},
            }));
  const model::Dependency* geo = FindEdge(r.ecosystem, "geo", "mongodb-geo");
  ASSERT_NE(geo, nullptr);
  EXPECT_FALSE(geo->inferred);  // declared by depends_on.
  EXPECT_EQ(geo->port, 27017);
  ASSERT_EQ(geo->evidence.size(), 2u);
  EXPECT_EQ(geo->evidence[0].where.line, 94);
  EXPECT_EQ(geo->evidence[0].where.path, "services.geo.depends_on[0]");
  // Companion paths are normalised ("a/../b" -> "b").
  EXPECT_EQ(geo->evidence[1].where.file,
            std::filesystem::path(kData +
                                  "deathstarbench-hotelreservation/config.json")
                .lexically_normal()
                .string());
  EXPECT_EQ(geo->evidence[1].where.line, 6);
  EXPECT_EQ(geo->evidence[1].where.path, "GeoMongoAddress");
  EXPECT_EQ(geo->evidence[1].value, "mongodb-geo:27017");
  const model::Dependency* res =
      FindEdge(r.ecosystem, "reservation", "memcached-reserve");
  ASSERT_NE(res, nullptr);
  EXPECT_EQ(res->evidence.back().where.path, "ReserveMemcAddress");
  EXPECT_EQ(CountProblems(r, "companion-unattributed"), 5);
  EXPECT_EQ(CountProblems(r, "dangling-reference"), 0);
  // Kinds, versions, replicas, ports.
  EXPECT_EQ(Comp(r.ecosystem, "mongodb-geo").kind, ComponentKind::kDatabase);
  EXPECT_TRUE(Comp(r.ecosystem, "mongodb-geo").stateful);
  EXPECT_EQ(Comp(r.ecosystem, "mongodb-geo").version, "5.0");
  EXPECT_EQ(Comp(r.ecosystem, "memcached-rate").kind, ComponentKind::kCache);
  EXPECT_EQ(Comp(r.ecosystem, "frontend").replicas.initial, 1);
  ASSERT_EQ(Comp(r.ecosystem, "consul").ports.size(), 4u);
  EXPECT_EQ(Comp(r.ecosystem, "consul").ports[3], (model::Port{53, "udp", ""}));
  EXPECT_EQ(Comp(r.ecosystem, "jaeger").ports.size(), 8u);
}

TEST(ComposeSharedData, SocialNetwork) {
  LoadResult r =
      MustLoad({kData + "deathstarbench-socialnetwork/docker-compose.yml"});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"social-graph-service",
                                       "social-graph-mongodb",
                                       "social-graph-redis",
                                       "home-timeline-redis",
                                       "compose-post-service",
                                       "post-storage-service",
                                       "post-storage-memcached",
                                       "post-storage-mongodb",
                                       "user-timeline-service",
                                       "user-timeline-redis",
                                       "user-timeline-mongodb",
                                       "url-shorten-service",
                                       "url-shorten-memcached",
                                       "url-shorten-mongodb",
                                       "user-service",
                                       "user-memcached",
                                       "user-mongodb",
                                       "media-service",
                                       "media-memcached",
                                       "media-mongodb",
                                       "text-service",
                                       "unique-id-service",
                                       "user-mention-service",
                                       "home-timeline-service",
                                       "nginx-thrift",
                                       "media-frontend",
                                       "jaeger-agent"}));
  // Only depends_on (long form, condition service_started). The services
  // bind-mount `./config`, which is not in shared/data (service-config.json
  // sits beside docker-compose.yml instead), so it is reported missing and
  // not read. Even when present it is an address book keyed by the callee
  // ({"user-mongodb": {"addr": "user-mongodb"}}) without callers: the real
  // call graph (compose-post -> text/user/media/unique-id/url-shorten/
  // user-mention/post-storage/user-timeline/home-timeline, caches, ...) is
  // in the Thrift code and the nginx Lua scripts, not in these files.
  EXPECT_EQ(
      Edges(r.ecosystem),
      (std::set<Edge>{
          {"social-graph-service", "jaeger-agent", "start-order"},
          {"social-graph-service", "social-graph-mongodb", "start-order"},
          {"compose-post-service", "jaeger-agent", "start-order"},
          {"post-storage-service", "jaeger-agent", "start-order"},
          {"post-storage-service", "post-storage-mongodb", "start-order"},
          {"user-timeline-service", "jaeger-agent", "start-order"},
          {"user-timeline-service", "user-timeline-mongodb", "start-order"},
          {"url-shorten-service", "jaeger-agent", "start-order"},
          {"url-shorten-service", "url-shorten-mongodb", "start-order"},
          {"user-service", "jaeger-agent", "start-order"},
          {"user-service", "user-mongodb", "start-order"},
          {"media-service", "jaeger-agent", "start-order"},
          {"media-service", "media-mongodb", "start-order"},
          {"text-service", "jaeger-agent", "start-order"},
          {"unique-id-service", "jaeger-agent", "start-order"},
          {"user-mention-service", "jaeger-agent", "start-order"},
          {"home-timeline-service", "jaeger-agent", "start-order"},
          {"nginx-thrift", "jaeger-agent", "start-order"},
          {"media-frontend", "jaeger-agent", "start-order"},
      }));
  const model::Dependency* d =
      FindEdge(r.ecosystem, "user-service", "user-mongodb");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->evidence.size(), 1u);
  EXPECT_EQ(d->evidence[0].where.line, 148);
  EXPECT_EQ(d->evidence[0].reason, "depends_on (condition: service_started)");
  EXPECT_GE(CountProblems(r, "companion-config-missing"), 1);
  EXPECT_EQ(Comp(r.ecosystem, "nginx-thrift").kind, ComponentKind::kGateway);
  EXPECT_EQ(Comp(r.ecosystem, "social-graph-redis").kind,
            ComponentKind::kCache);
  EXPECT_EQ(Comp(r.ecosystem, "post-storage-service").ports,
            (std::vector<model::Port>{{9090, "tcp", ""}}));
}

TEST(ComposeSharedData, TeaStore) {
  LoadResult r = MustLoad({kData + "teastore/docker-compose_default.yaml"});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"registry", "db", "persistence", "auth",
                                       "image", "recommender", "webui"}));
  // Bare host names in environment values. HOST_NAME names the service
  // itself (no self-edges). Not inferable: webui -> auth/image/persistence/
  // recommender and the other service-to-service calls, which the services
  // look up in the registry at run time.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{
                                    {"persistence", "registry", "http"},
                                    {"persistence", "db", "database"},
                                    {"auth", "registry", "http"},
                                    {"image", "registry", "http"},
                                    {"recommender", "registry", "http"},
                                    {"webui", "registry", "http"},
                                }));
  const model::Dependency* d = FindEdge(r.ecosystem, "persistence", "db");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->inferred);
  ASSERT_EQ(d->evidence.size(), 1u);
  EXPECT_EQ(d->evidence[0].where.line, 20);
  EXPECT_EQ(d->evidence[0].where.path,
            "services.persistence.environment.DB_HOST");
  EXPECT_EQ(d->evidence[0].value, "db");
  EXPECT_EQ(Comp(r.ecosystem, "db").kind, ComponentKind::kDatabase);
  EXPECT_EQ(Comp(r.ecosystem, "webui").ports.size(), 1u);
}

TEST(ComposeSharedData, TrainTicket) {
  LoadResult r = MustLoad({kData + "train-ticket/docker-compose.yml"});
  std::set<std::string> names = SetOf({"redis",
                                       "ts-ui-dashboard",
                                       "ts-auth-service",
                                       "ts-auth-mongo",
                                       "ts-user-service",
                                       "ts-user-mongo",
                                       "ts-verification-code-service",
                                       "ts-account-mongo",
                                       "ts-route-service",
                                       "ts-route-mongo",
                                       "ts-contacts-service",
                                       "ts-contacts-mongo",
                                       "ts-order-service",
                                       "ts-order-mongo",
                                       "ts-order-other-service",
                                       "ts-order-other-mongo",
                                       "ts-config-service",
                                       "ts-config-mongo",
                                       "ts-station-service",
                                       "ts-station-mongo",
                                       "ts-train-service",
                                       "ts-train-mongo",
                                       "ts-travel-service",
                                       "ts-travel-mongo",
                                       "ts-travel2-service",
                                       "ts-travel2-mongo",
                                       "ts-preserve-service",
                                       "ts-preserve-other-service",
                                       "ts-basic-service",
                                       "ts-ticketinfo-service",
                                       "ts-price-service",
                                       "ts-price-mongo",
                                       "ts-notification-service",
                                       "ts-security-service",
                                       "ts-security-mongo",
                                       "ts-inside-payment-service",
                                       "ts-inside-payment-mongo",
                                       "ts-execute-service",
                                       "ts-payment-service",
                                       "ts-payment-mongo",
                                       "ts-rebook-service",
                                       "ts-rebook-mongo",
                                       "ts-cancel-service",
                                       "ts-assurance-service",
                                       "ts-assurance-mongo",
                                       "ts-seat-service",
                                       "ts-travel-plan-service",
                                       "ts-ticket-office-service",
                                       "ts-ticket-office-mongo",
                                       "ts-news-service",
                                       "ts-news-mongo",
                                       "ts-voucher-mysql",
                                       "ts-voucher-service",
                                       "ts-food-map-service",
                                       "ts-food-map-mongo",
                                       "ts-route-plan-service",
                                       "ts-food-service",
                                       "ts-consign-service",
                                       "ts-consign-mongo",
                                       "ts-consign-price-service",
                                       "ts-consign-price-mongo",
                                       "ts-food-mongo",
                                       "ts-admin-basic-info-service",
                                       "ts-admin-order-service",
                                       "ts-admin-route-service",
                                       "ts-admin-travel-service",
                                       "ts-admin-user-service",
                                       "ts-avatar-service"});
  EXPECT_EQ(names.size(), 68u);
  EXPECT_EQ(Names(r.ecosystem), names);
  // The one depends_on. Every other call (ts-order-service -> ts-order-mongo,
  // ts-preserve-service -> ts-order/ts-seat/..., rabbitmq) is hard-coded in
  // the Java sources (Spring application.yml inside the images); the
  // manifest has no address variables, so no further edge is inferable.
  EXPECT_EQ(Edges(r.ecosystem),
            (std::set<Edge>{
                {"ts-voucher-service", "ts-voucher-mysql", "start-order"}}));
  EXPECT_EQ(FindEdge(r.ecosystem, "ts-voucher-service", "ts-voucher-mysql")
                ->evidence[0]
                .where.line,
            421);
  // ${NAMESPACE} and ${TAG} are unset: "" plus one warning per variable.
  EXPECT_EQ(CountProblems(r, "unset-variable"), 2);
  EXPECT_EQ(Comp(r.ecosystem, "ts-auth-service").image, "/ts-auth-service:");
  EXPECT_EQ(Comp(r.ecosystem, "ts-voucher-mysql").kind,
            ComponentKind::kDatabase);
  EXPECT_EQ(Comp(r.ecosystem, "ts-admin-route-service").replicas.initial, 1);
  // With the variables given, the image is complete.
  LoadOptions o;
  o.variables = {{"NAMESPACE", "codewisdom"}, {"TAG", "0.2.0"}};
  LoadResult r2 = MustLoad({kData + "train-ticket/docker-compose.yml"}, o);
  EXPECT_EQ(Comp(r2.ecosystem, "ts-auth-service").image,
            "codewisdom/ts-auth-service:0.2.0");
  EXPECT_EQ(Comp(r2.ecosystem, "ts-auth-service").version, "0.2.0");
  EXPECT_EQ(CountProblems(r2, "unset-variable"), 0);
}

TEST(ComposeSharedData, EShopOnContainersMergedWithOverride) {
  LoadResult r =
      MustLoad({kData + "eshoponcontainers/docker-compose.yml",
                kData + "eshoponcontainers/docker-compose.override.yml"});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"seq",
                                       "sqldata",
                                       "nosqldata",
                                       "basketdata",
                                       "rabbitmq",
                                       "identity-api",
                                       "basket-api",
                                       "catalog-api",
                                       "ordering-api",
                                       "ordering-backgroundtasks",
                                       "payment-api",
                                       "webhooks-api",
                                       "mobileshoppingapigw",
                                       "mobileshoppingagg",
                                       "webshoppingagg",
                                       "ordering-signalrhub",
                                       "webstatus",
                                       "webspa",
                                       "webmvc",
                                       "webhooks-client",
                                       "webshoppingapigw"}));
  // depends_on (docker-compose.yml) merged with the override's environment:
  // Server=sqldata connection strings, ${ESHOP_AZURE_SERVICE_BUS:-rabbitmq},
  // ${ESHOP_AZURE_REDIS_BASKET_DB:-basketdata}, http://identity-api, the
  // aggregators' urls__* and the webstatus health-check URIs.
  // Remaining start-order edges have no call evidence in the files (e.g. the
  // aggregators' nosqldata/sqldata/rabbitmq depends_on). Not inferable: the
  // Envoy gateways' upstreams live in ./ApiGateways/Envoy/config (not in
  // shared/data); browser-side calls use ${ESHOP_EXTERNAL_DNS_NAME_OR_IP}.
  EXPECT_EQ(Edges(r.ecosystem),
            (std::set<Edge>{
                {"identity-api", "sqldata", "database"},
                {"basket-api", "basketdata", "cache"},
                {"basket-api", "identity-api", "http"},
                {"basket-api", "rabbitmq", "queue-publish"},
                {"catalog-api", "sqldata", "database"},
                {"catalog-api", "rabbitmq", "queue-publish"},
                {"ordering-api", "sqldata", "database"},
                {"ordering-api", "rabbitmq", "queue-publish"},
                {"ordering-api", "identity-api", "http"},
                {"ordering-backgroundtasks", "sqldata", "database"},
                {"ordering-backgroundtasks", "rabbitmq", "queue-publish"},
                {"payment-api", "rabbitmq", "queue-publish"},
                {"webhooks-api", "sqldata", "database"},
                {"webhooks-api", "rabbitmq", "queue-publish"},
                {"webhooks-api", "identity-api", "http"},
                {"mobileshoppingagg", "nosqldata", "start-order"},
                {"mobileshoppingagg", "sqldata", "start-order"},
                {"mobileshoppingagg", "identity-api", "http"},
                {"mobileshoppingagg", "rabbitmq", "start-order"},
                {"mobileshoppingagg", "ordering-api", "http"},
                {"mobileshoppingagg", "catalog-api", "http"},
                {"mobileshoppingagg", "basket-api", "http"},
                {"mobileshoppingagg", "payment-api", "http"},
                {"webshoppingagg", "nosqldata", "start-order"},
                {"webshoppingagg", "sqldata", "start-order"},
                {"webshoppingagg", "identity-api", "http"},
                {"webshoppingagg", "rabbitmq", "start-order"},
                {"webshoppingagg", "ordering-api", "http"},
                {"webshoppingagg", "catalog-api", "http"},
                {"webshoppingagg", "basket-api", "http"},
                {"webshoppingagg", "payment-api", "http"},
                {"ordering-signalrhub", "nosqldata", "start-order"},
                {"ordering-signalrhub", "sqldata", "start-order"},
                {"ordering-signalrhub", "identity-api", "http"},
                {"ordering-signalrhub", "rabbitmq", "queue-publish"},
                {"ordering-signalrhub", "ordering-api", "start-order"},
                {"ordering-signalrhub", "catalog-api", "start-order"},
                {"ordering-signalrhub", "basket-api", "start-order"},
                {"webstatus", "webmvc", "http"},
                {"webstatus", "webspa", "http"},
                {"webstatus", "webshoppingagg", "http"},
                {"webstatus", "mobileshoppingagg", "http"},
                {"webstatus", "ordering-api", "http"},
                {"webstatus", "basket-api", "http"},
                {"webstatus", "catalog-api", "http"},
                {"webstatus", "identity-api", "http"},
                {"webstatus", "payment-api", "http"},
                {"webstatus", "ordering-signalrhub", "http"},
                {"webstatus", "ordering-backgroundtasks", "http"},
                {"webspa", "webshoppingagg", "start-order"},
                {"webspa", "webshoppingapigw", "start-order"},
                {"webspa", "identity-api", "http"},
                {"webmvc", "webshoppingagg", "start-order"},
                {"webmvc", "webshoppingapigw", "http"},
                {"webmvc", "identity-api", "http"},
                {"webhooks-client", "webhooks-api", "http"},
            }));
  const std::string override_file =
      kData + "eshoponcontainers/docker-compose.override.yml";
  // A declared edge upgraded by implicit evidence keeps both.
  const model::Dependency* bi =
      FindEdge(r.ecosystem, "basket-api", "identity-api");
  ASSERT_NE(bi, nullptr);
  EXPECT_FALSE(bi->inferred);
  ASSERT_EQ(bi->evidence.size(), 2u);
  EXPECT_EQ(bi->evidence[1].where.file, override_file);
  EXPECT_EQ(bi->evidence[1].where.line, 66);
  EXPECT_EQ(bi->evidence[1].where.path,
            "services.basket-api.environment.identityUrl");
  EXPECT_EQ(bi->evidence[1].value, "http://identity-api");
  // ${VAR:-default} interpolation feeds inference.
  const model::Dependency* br = FindEdge(r.ecosystem, "basket-api", "rabbitmq");
  ASSERT_NE(br, nullptr);
  EXPECT_EQ(br->evidence.back().value, "rabbitmq");
  EXPECT_EQ(br->evidence.back().where.line, 68);
  const model::Dependency* is =
      FindEdge(r.ecosystem, "identity-api", "sqldata");
  ASSERT_NE(is, nullptr);
  EXPECT_EQ(is->evidence.back().where.line, 47);
  EXPECT_EQ(is->evidence.back().value.substr(0, 30),
            "Server=sqldata;Database=Micros");
  // Edge only from the environment: inferred.
  EXPECT_TRUE(FindEdge(r.ecosystem, "webhooks-api", "rabbitmq")->inferred);
  EXPECT_EQ(FindEdge(r.ecosystem, "mobileshoppingagg", "basket-api")->port, 81);
  // Ports merged from the override; the image from docker-compose.yml with
  // defaults substituted.
  EXPECT_EQ(Comp(r.ecosystem, "basket-api").ports,
            (std::vector<model::Port>{{80, "tcp", ""}, {81, "tcp", ""}}));
  EXPECT_EQ(Comp(r.ecosystem, "basket-api").image,
            "eshop/basket.api:linux-latest");
  EXPECT_EQ(Comp(r.ecosystem, "basket-api").version, "linux-latest");
  EXPECT_EQ(Comp(r.ecosystem, "sqldata").kind, ComponentKind::kDatabase);
  EXPECT_EQ(Comp(r.ecosystem, "rabbitmq").kind, ComponentKind::kQueue);
  EXPECT_EQ(Comp(r.ecosystem, "webshoppingapigw").kind,
            ComponentKind::kGateway);
  // The declaration location is the first file.
  EXPECT_EQ(Comp(r.ecosystem, "basket-api").where.line, 28);
  EXPECT_GT(CountProblems(r, "unset-variable"), 0);
}

TEST(ComposeSharedData, AwesomeComposeNginxFlaskMysql) {
  LoadResult r =
      MustLoad({kData + "awesome-compose-nginx-flask-mysql/compose.yaml"});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"db", "backend", "proxy"}));
  // Both depends_on forms. backend reaches db through code (no address in
  // the file: the flask app hard-codes host "db"), so the edge stays
  // start-order.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{
                                    {"backend", "db", "start-order"},
                                    {"proxy", "backend", "start-order"},
                                }));
  EXPECT_EQ(FindEdge(r.ecosystem, "backend", "db")->evidence[0].reason,
            "depends_on (condition: service_healthy)");
  EXPECT_EQ(Comp(r.ecosystem, "db").kind, ComponentKind::kDatabase);
  EXPECT_EQ(Comp(r.ecosystem, "db").version, "10-focal");
  // start_period of the healthcheck is the startup time.
  EXPECT_EQ(Comp(r.ecosystem, "db").startup_us, 30'000'000);
  EXPECT_EQ(Comp(r.ecosystem, "db").ports.size(), 2u);  // expose 3306 33060
}

TEST(ComposeSharedData, AwesomeComposeReactExpressMongodb) {
  LoadResult r =
      MustLoad({kData + "awesome-compose-react-express-mongodb/compose.yaml"});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"frontend", "backend", "mongo"}));
  // Short depends_on only; the express app's mongo URL is in its source.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{
                                    {"frontend", "backend", "start-order"},
                                    {"backend", "mongo", "start-order"},
                                }));
  EXPECT_EQ(Comp(r.ecosystem, "mongo").kind, ComponentKind::kDatabase);
}

TEST(ComposeSharedData, AwesomeComposeWasmedgeKafkaMysql) {
  LoadResult r =
      MustLoad({kData + "awesome-compose-wasmedge-kafka-mysql/compose.yml"});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"redpanda", "etl", "db"}));
  // No depends_on: both edges come from URLs in etl's environment. The
  // redpanda command's advertise addresses name redpanda itself (no
  // self-edge). Whether etl publishes or consumes cannot be told from the
  // file (it consumes); the reader reports queue-publish for any queue.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{
                                    {"etl", "db", "database"},
                                    {"etl", "redpanda", "queue-publish"},
                                }));
  const model::Dependency* d = FindEdge(r.ecosystem, "etl", "redpanda");
  EXPECT_TRUE(d->inferred);
  EXPECT_EQ(d->port, 9092);
  EXPECT_EQ(d->protocol, "kafka");
  EXPECT_EQ(d->evidence[0].where.line, 28);
  EXPECT_EQ(d->evidence[0].value, "kafka://redpanda:9092/order");
  EXPECT_EQ(FindEdge(r.ecosystem, "etl", "db")->evidence[0].where.line, 27);
  EXPECT_EQ(Comp(r.ecosystem, "redpanda").kind, ComponentKind::kQueue);
  EXPECT_EQ(Comp(r.ecosystem, "redpanda").version, "v22.2.2");
  EXPECT_EQ(Comp(r.ecosystem, "etl").kind, ComponentKind::kContainer);
}

TEST(ComposeSharedData, ExampleVotingApp) {
  LoadResult r = MustLoad({kData + "example-voting-app/docker-compose.yml"});
  EXPECT_EQ(Names(r.ecosystem),
            SetOf({"vote", "result", "worker", "redis", "db", "seed"}));
  // Long-form depends_on with service_healthy. The apps hard-code the hosts
  // "redis" and "db" in their code, so no kind is inferable from the file.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{
                                    {"vote", "redis", "start-order"},
                                    {"result", "db", "start-order"},
                                    {"worker", "redis", "start-order"},
                                    {"worker", "db", "start-order"},
                                    {"seed", "vote", "start-order"},
                                }));
  EXPECT_EQ(Comp(r.ecosystem, "seed").profiles,
            std::vector<std::string>{"seed"});
  EXPECT_EQ(CountProblems(r, "inactive-profile"), 1);
  EXPECT_EQ(Comp(r.ecosystem, "result").ports,
            (std::vector<model::Port>{{80, "tcp", ""}, {9229, "tcp", ""}}));
  EXPECT_EQ(Comp(r.ecosystem, "db").kind, ComponentKind::kDatabase);
  EXPECT_EQ(Comp(r.ecosystem, "redis").kind, ComponentKind::kCache);
  EXPECT_EQ(Comp(r.ecosystem, "vote").startup_us, 10'000'000);
  LoadOptions o;
  o.profiles = {"seed"};
  LoadResult active =
      MustLoad({kData + "example-voting-app/docker-compose.yml"}, o);
  EXPECT_EQ(CountProblems(active, "inactive-profile"), 0);
}

// ---------------------------------------------------------------------------
// Features (small fixtures).

TEST(ComposeDependsOn, ShortAndLongFormsWithConditions) {
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    depends_on: [b]
  b:
    image: y
    depends_on:
      c:
        condition: service_completed_successfully
        required: false
        restart: true
  c:
    image: z
)");
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{{"a", "b", "start-order"},
                                                {"b", "c", "start-order"}}));
  const model::Dependency* bc = FindEdge(r.ecosystem, "b", "c");
  EXPECT_EQ(bc->criticality, model::Criticality::kSoft);
  EXPECT_FALSE(bc->inferred);
  EXPECT_EQ(bc->evidence[0].where.line, 8);
  EXPECT_EQ(bc->evidence[0].where.path, "services.b.depends_on.c");
  EXPECT_NE(bc->evidence[0].reason.find("service_completed_successfully"),
            std::string::npos);
  EXPECT_EQ(FindEdge(r.ecosystem, "a", "b")->criticality,
            model::Criticality::kHard);
}

TEST(ComposeDependsOn, DanglingReferencesAreProblemsNotErrors) {
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    depends_on: [ghost]
    links: [phantom:p]
)");
  EXPECT_TRUE(r.ecosystem.dependencies.empty());
  ASSERT_EQ(CountProblems(r, "dangling-reference"), 2);
  EXPECT_EQ(r.problems[0].severity, Severity::kError);
  EXPECT_EQ(r.problems[0].where.line, 4);
  EXPECT_NE(r.problems[0].message.find("ghost"), std::string::npos);
  EXPECT_EQ(r.problems[1].where.line, 5);
}

TEST(ComposeDependsOn, UnknownConditionIsAnError) {
  Status st = MustFail(R"(services:
  a:
    depends_on:
      b: {condition: service_ready}
  b: {image: x}
)");
  EXPECT_EQ(st.where().line, 4);
  EXPECT_EQ(st.where().path, "services.a.depends_on.b.condition");
}

TEST(ComposeLinks, LinksMakeEdgesAndAliases) {
  LoadResult r = MustRead(R"(services:
  web:
    image: example/web
    links:
      - "db:database"
      - cache
    environment:
      - DATABASE_URL=postgres://u:p@database:5432/app
  db:
    image: postgres:16
  cache:
    image: memcached
)");
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{{"web", "db", "database"},
                                                {"web", "cache", "cache"}}));
  const model::Dependency* d = FindEdge(r.ecosystem, "web", "db");
  EXPECT_FALSE(d->inferred);
  ASSERT_EQ(d->evidence.size(), 2u);
  EXPECT_EQ(d->evidence[0].value, "db:database");
  EXPECT_EQ(d->evidence[1].where.line, 8);
  EXPECT_NE(d->evidence[1].reason.find("host 'database' of service 'db'"),
            std::string::npos);
  EXPECT_EQ(d->port, 5432);
}

TEST(ComposeInference, HostAliasesResolveButNeverShadowServiceNames) {
  LoadResult r = MustRead(R"(services:
  app:
    image: example/app
    environment:
      A: http://api.internal:8080
      B: cachehost:6379
      C: "Server=sql-primary;Database=x"
      D: amqp://guest:guest@bus
      E: other:9000
  api:
    image: example/api
    networks:
      back:
        aliases: [api.internal]
  cache:
    image: redis
    hostname: cachehost
  sql:
    image: mcr.microsoft.com/mssql/server:2022-latest
    container_name: sql-primary
  mq:
    image: rabbitmq:3
    hostname: bus
  other:
    image: example/other
  imposter:
    image: example/imposter
    hostname: other
)");
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{
                                    {"app", "api", "http"},
                                    {"app", "cache", "cache"},
                                    {"app", "sql", "database"},
                                    {"app", "mq", "queue-publish"},
                                    {"app", "other", "http"},
                                }));
  for (const auto& d : r.ecosystem.dependencies) {
    EXPECT_TRUE(d.inferred);
    ASSERT_EQ(d.evidence.size(), 1u);
    EXPECT_EQ(d.evidence[0].where.file, kMem);
    EXPECT_GE(d.evidence[0].where.line, 5);
  }
  EXPECT_EQ(FindEdge(r.ecosystem, "app", "mq")->protocol, "amqp");
}

TEST(ComposeInference, ArgumentsAndNoSelfEdges) {
  LoadResult r = MustRead(R"(services:
  worker:
    image: example/worker
    entrypoint: worker
    command: ["--broker", "nats://queue:4222", "--peer=worker:7000", "api"]
    environment:
      SELF: http://worker:80
  queue:
    image: nats:2
  api:
    image: example/api
)");
  // "api" alone in an argument is a word, not an address; "worker" is self.
  EXPECT_EQ(Edges(r.ecosystem),
            (std::set<Edge>{{"worker", "queue", "queue-publish"}}));
  const auto& ev = FindEdge(r.ecosystem, "worker", "queue")->evidence[0];
  EXPECT_EQ(ev.where.path, "services.worker.command[1]");
  EXPECT_EQ(ev.value, "nats://queue:4222");
}

TEST(ComposeInference, KindFromPortWhenTheImageSaysNothing) {
  LoadResult r = MustRead(R"(services:
  app:
    image: example/app
    environment: ["STORE=store:5432"]
  store:
    build: ./store
    expose: ["5432"]
)");
  EXPECT_EQ(Comp(r.ecosystem, "store").kind, ComponentKind::kDatabase);
  EXPECT_TRUE(Comp(r.ecosystem, "store").stateful);
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{{"app", "store", "database"}}));
}

TEST(ComposeEnvironment, ListAndMapFormsAndInheritance) {
  setenv("ECOTONE_TEST_INHERITED", "http://b:1", 1);
  LoadOptions o;
  o.use_process_env = true;
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    environment:
      - ECOTONE_TEST_INHERITED
      - UNSET_AND_BARE
  c:
    image: x
    environment:
      ECOTONE_TEST_INHERITED:
      N: 5
  b:
    image: y
)",
                          o);
  unsetenv("ECOTONE_TEST_INHERITED");
  EXPECT_EQ(Edges(r.ecosystem),
            (std::set<Edge>{{"a", "b", "http"}, {"c", "b", "http"}}));
}

TEST(ComposeInterpolation, OperatorsAndEscapes) {
  std::vector<model::Problem> problems;
  compose::Interpolator in({{"SET", "v"}, {"EMPTY", ""}}, false, &problems);
  Location at{"f", 3, 4, "p"};
  auto X = [&](const char* s) {
    auto r = in.Expand(s, at);
    EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    return r.ok() ? *r : std::string("<error>");
  };
  EXPECT_EQ(X("${SET}"), "v");
  EXPECT_EQ(X("$SET/x"), "v/x");
  EXPECT_EQ(X("a$$b"), "a$b");
  EXPECT_EQ(X("$$SET"), "$SET");
  EXPECT_EQ(X("${EMPTY:-d}"), "d");
  EXPECT_EQ(X("${EMPTY-d}"), "");
  EXPECT_EQ(X("${NOPE-d}"), "d");
  EXPECT_EQ(X("${NOPE:-${SET}x}"), "vx");
  EXPECT_EQ(X("${SET:+alt}"), "alt");
  EXPECT_EQ(X("${EMPTY:+alt}"), "");
  EXPECT_EQ(X("${EMPTY+alt}"), "alt");
  EXPECT_EQ(X("${SET:?must}"), "v");
  EXPECT_EQ(X("cost: 5$"), "cost: 5$");
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(X("${NOPE}${NOPE}$NOPE"), "");
  ASSERT_EQ(problems.size(), 1u);  // one warning per variable.
  EXPECT_EQ(problems[0].code, "unset-variable");
  EXPECT_EQ(problems[0].where, at);
  auto err = in.Expand("${NOPE:?set NOPE first}", at);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().where(), at);
  EXPECT_NE(err.status().message().find("set NOPE first"), std::string::npos);
  EXPECT_FALSE(in.Expand("${EMPTY:?}", at).ok());
  EXPECT_TRUE(in.Expand("${EMPTY?}", at).ok());
  EXPECT_FALSE(in.Expand("${SET", at).ok());
  EXPECT_FALSE(in.Expand("${1X}", at).ok());
  EXPECT_FALSE(in.Expand("${SET:x}", at).ok());
}

TEST(ComposeInterpolation, RequiredVariableErrorHasTheValueLocation) {
  Status st = MustFail(R"(services:
  a:
    image: "app:${TAG:?TAG must be set}"
)");
  EXPECT_EQ(st.where().line, 3);
  EXPECT_EQ(st.where().column, 12);
  EXPECT_EQ(st.where().path, "services.a.image");
  EXPECT_NE(st.message().find("TAG must be set"), std::string::npos);
}

TEST(ComposeEnvFiles, DotEnvEnvFileAndPrecedence) {
  const std::string file = kFixtures + "envfiles/compose.yaml";
  LoadResult r = MustLoad({file});
  EXPECT_EQ(Names(r.ecosystem), SetOf({"web", "api", "cache"}));
  const model::Component& web = Comp(r.ecosystem, "web");
  // .env: REGISTRY and WEB_REPLICAS (with `export`); WEB_TAG default.
  EXPECT_EQ(web.image, "registry.example/web:1.0");
  EXPECT_EQ(web.version, "1.0");
  EXPECT_EQ(web.replicas.initial, 3);
  // env_file gives CACHE_ADDR; its PEER=http://api:9999 is overridden by
  // `environment: PEER: none`, so api is reached only through API_URL.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{{"web", "cache", "cache"},
                                                {"web", "api", "http"}}));
  const model::Dependency* wc = FindEdge(r.ecosystem, "web", "cache");
  ASSERT_EQ(wc->evidence.size(), 1u);
  EXPECT_EQ(wc->evidence[0].where.file, kFixtures + "envfiles/web.env");
  EXPECT_EQ(wc->evidence[0].where.line, 1);
  const model::Dependency* wa = FindEdge(r.ecosystem, "web", "api");
  ASSERT_EQ(wa->evidence.size(), 1u);
  EXPECT_EQ(wa->evidence[0].value, "http://api:8080/v1");
  EXPECT_EQ(wa->port, 8080);
  EXPECT_EQ(CountProblems(r, "unset-variable"), 0);

  // LoadOptions::variables win over .env; the process env wins over both.
  LoadOptions o;
  o.variables = {{"WEB_REPLICAS", "5"}};
  EXPECT_EQ(Comp(MustLoad({file}, o).ecosystem, "web").replicas.initial, 5);
  setenv("WEB_REPLICAS", "7", 1);
  EXPECT_EQ(Comp(MustLoad({file}, o).ecosystem, "web").replicas.initial, 5);
  o.use_process_env = true;
  EXPECT_EQ(Comp(MustLoad({file}, o).ecosystem, "web").replicas.initial, 7);
  unsetenv("WEB_REPLICAS");
}

TEST(ComposeEnvFiles, ReadFilesFalseOpensNothingOnDisk) {
  // The same fixture with file access off (text received over the network):
  // neither .env nor env_file is read, so their variables and edges vanish.
  const std::string file = kFixtures + "envfiles/compose.yaml";
  LoadOptions o;
  o.read_files = false;
  LoadResult r = MustLoad({file}, o);
  EXPECT_EQ(Names(r.ecosystem), SetOf({"web", "api", "cache"}));
  EXPECT_EQ(FindEdge(r.ecosystem, "web", "cache"), nullptr);
  EXPECT_NE(Comp(r.ecosystem, "web").image, "registry.example/web:1.0");
  EXPECT_GE(CountProblems(r, "env-file-not-read"), 1);
  // A required env_file that is missing is no error either: it is not looked up.
  o.format = Format::kCompose;
  auto missing = LoadTexts({kMem}, {"services:\n  a:\n    image: x\n    env_file: /etc/passwd\n"}, o);
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_EQ(CountProblems(*missing, "env-file-not-read"), 1);
}

TEST(ComposeEnvFiles, MissingRequiredEnvFileIsAnErrorWithLocation) {
  Status st = MustFail(R"(services:
  a:
    image: x
    env_file:
      - path: ./missing.env
        required: false
      - ./also-missing.env
)");
  EXPECT_EQ(st.where().line, 7);
  EXPECT_NE(st.message().find("also-missing.env"), std::string::npos);
}

TEST(ComposeUnits, DockerMemorySizesAreBinary) {
  EXPECT_EQ(*compose::ParseDockerBytes("512M"), 512LL << 20);
  EXPECT_EQ(*compose::ParseDockerBytes("512m"), 512LL << 20);
  EXPECT_EQ(*compose::ParseDockerBytes("2GiB"), 2LL << 30);
  EXPECT_EQ(*compose::ParseDockerBytes("1.5g"), 3LL << 29);
  EXPECT_EQ(*compose::ParseDockerBytes("100kb"), 102400);
  EXPECT_EQ(*compose::ParseDockerBytes("4096"), 4096);
  EXPECT_EQ(*compose::ParseDockerBytes("10b"), 10);
  EXPECT_FALSE(compose::ParseDockerBytes("12XB").ok());
  EXPECT_FALSE(compose::ParseDockerBytes("-1m").ok());
  EXPECT_FALSE(compose::ParseDockerBytes("1..2m").ok());
  EXPECT_FALSE(compose::ParseDockerBytes("m").ok());
  EXPECT_FALSE(compose::ParseDockerBytes("1e30").ok());
  EXPECT_FALSE(compose::ParseDockerBytes("99999999999p").ok());
}

TEST(ComposeEnvFiles, ParseEnvFileFormat) {
  auto r = compose::ParseEnvFile(
      "# c\n\nA=1\nexport B = two words # note\nC='lit $X'\nD=\"x\\ny\"\nE\n",
      "e.env");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].key, "A");
  EXPECT_EQ((*r)[0].line, 3);
  EXPECT_EQ((*r)[1].value, "two words");
  EXPECT_EQ((*r)[2].value, "lit $X");
  EXPECT_EQ((*r)[3].value, "x\ny");
  EXPECT_FALSE((*r)[4].has_value);
  auto bad = compose::ParseEnvFile("A=1\n9X=2\n", "e.env");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where().line, 2);
  EXPECT_FALSE(compose::ParseEnvFile("A=\"open\n", "e.env").ok());
}

TEST(ComposeDeploy, ReplicasScaleAndResources) {
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    deploy:
      replicas: 4
      resources:
        limits: {cpus: "1.5", memory: 2G}
        reservations: {cpus: '0.25', memory: 512M}
  b:
    image: x
    scale: 3
    cpus: 0.5
    mem_limit: 1g
    mem_reservation: 256m
  c:
    image: x
    deploy: {replicas: 0}
)");
  const model::Component& a = Comp(r.ecosystem, "a");
  EXPECT_EQ(a.replicas, (model::Replicas{4, 4, 4}));
  EXPECT_EQ(a.limits.cpu_millicores, 1500);
  EXPECT_EQ(a.limits.memory_bytes, 2LL << 30);
  EXPECT_EQ(a.requests.cpu_millicores, 250);
  EXPECT_EQ(a.requests.memory_bytes, 512LL << 20);
  const model::Component& b = Comp(r.ecosystem, "b");
  EXPECT_EQ(b.replicas.initial, 3);
  EXPECT_EQ(b.limits.cpu_millicores, 500);
  EXPECT_EQ(b.limits.memory_bytes, 1LL << 30);
  EXPECT_EQ(b.requests.memory_bytes, 256LL << 20);
  EXPECT_EQ(Comp(r.ecosystem, "c").replicas.initial, 0);
}

TEST(ComposePorts, ShortLongRangesAndExpose) {
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    ports:
      - 3000
      - "8080:80"
      - "127.0.0.1:5353:53/udp"
      - "[::1]:9229:9229"
      - "9000-9002:9000-9002"
      - target: 443
        published: "8443"
        protocol: tcp
        name: https
      - "8081:80"
    expose: ["80", "7000-7001", 6000]
)");
  std::vector<model::Port> want = {
      {3000, "tcp", ""}, {80, "tcp", ""},       {53, "udp", ""},
      {9229, "tcp", ""}, {9000, "tcp", ""},     {9001, "tcp", ""},
      {9002, "tcp", ""}, {443, "tcp", "https"}, {7000, "tcp", ""},
      {7001, "tcp", ""}, {6000, "tcp", ""}};
  EXPECT_EQ(Comp(r.ecosystem, "a").ports, want);
}

TEST(ComposePorts, BadPortsAreErrorsWithLocation) {
  Status st = MustFail("services:\n  a:\n    ports:\n      - \"8080:99999\"\n");
  EXPECT_EQ(st.where().line, 4);
  EXPECT_EQ(st.where().path, "services.a.ports[0]");
  st = MustFail("services:\n  a:\n    ports: [\"90-80\"]\n");
  EXPECT_NE(st.message().find("range"), std::string::npos);
  st = MustFail("services:\n  a:\n    ports: [\"80/xtp\"]\n");
  EXPECT_NE(st.message().find("protocol"), std::string::npos);
  st = MustFail("services:\n  a:\n    ports:\n      - published: 80\n");
  EXPECT_NE(st.message().find("target"), std::string::npos);
  st = MustFail("services:\n  a:\n    ports: 80\n");
  EXPECT_EQ(st.where().path, "services.a.ports");
}

TEST(ComposeImage, VersionIsTheTag) {
  LoadResult r = MustRead(R"(services:
  a: {image: "localhost:5000/team/app:1.2.3"}
  b: {image: "localhost:5000/team/app"}
  c: {image: "nginx@sha256:0123abcd"}
  d: {image: "nginx:1.25@sha256:0123abcd"}
)");
  EXPECT_EQ(Comp(r.ecosystem, "a").version, "1.2.3");
  EXPECT_EQ(Comp(r.ecosystem, "b").version, "");
  EXPECT_EQ(Comp(r.ecosystem, "c").version, "");
  EXPECT_EQ(Comp(r.ecosystem, "d").version, "1.25");
  EXPECT_EQ(Comp(r.ecosystem, "d").kind, ComponentKind::kGateway);
}

TEST(ComposeHealthcheck, ParsedAndValidated) {
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    healthcheck:
      test: ["CMD-SHELL", "curl -f http://localhost"]
      interval: 1m30s
      timeout: 10s
      retries: 3
      start_period: 40s
)");
  EXPECT_EQ(Comp(r.ecosystem, "a").startup_us, 40'000'000);
  Status st =
      MustFail("services:\n  a:\n    healthcheck:\n      interval: soon\n");
  EXPECT_EQ(st.where().line, 4);
  EXPECT_EQ(st.where().path, "services.a.healthcheck.interval");
  st = MustFail("services:\n  a:\n    healthcheck:\n      retries: -1\n");
  EXPECT_EQ(st.where().path, "services.a.healthcheck.retries");
  st = MustFail("services:\n  a:\n    healthcheck:\n      test: [curl]\n");
  EXPECT_EQ(st.where().path, "services.a.healthcheck.test");
}

TEST(ComposeLabels, ListAndMap) {
  LoadResult r = MustRead(R"(services:
  a:
    image: x
    labels: ["tier=web", "public"]
  b:
    image: x
    labels: {team: payments, cost-center: "42"}
)");
  EXPECT_EQ(
      Comp(r.ecosystem, "a").labels,
      (std::map<std::string, std::string>{{"public", ""}, {"tier", "web"}}));
  EXPECT_EQ(Comp(r.ecosystem, "b").labels,
            (std::map<std::string, std::string>{{"cost-center", "42"},
                                                {"team", "payments"}}));
}

TEST(ComposeAnchors, MergeKeysAndErrorsInsideAnAnchor) {
  LoadResult r = MustRead(R"(x-common: &common
  image: example/base:3
  environment:
    UPSTREAM: http://b:80
  deploy:
    replicas: 2
services:
  a:
    <<: *common
    deploy: {replicas: 5}
  b:
    <<: *common
    environment: {}
)");
  EXPECT_EQ(Comp(r.ecosystem, "a").replicas.initial, 5);
  EXPECT_EQ(Comp(r.ecosystem, "b").replicas.initial, 2);
  EXPECT_EQ(Comp(r.ecosystem, "b").image, "example/base:3");
  // a's environment comes from the anchor: evidence points there.
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{{"a", "b", "http"}}));
  EXPECT_EQ(FindEdge(r.ecosystem, "a", "b")->evidence[0].where.line, 4);
  // A bad value inside the anchor is reported where it is written.
  Status st = MustFail(R"(x-common: &common
  deploy:
    replicas: many
services:
  a:
    <<: *common
)");
  EXPECT_EQ(st.where().line, 3);
  EXPECT_EQ(st.where().column, 15);
  EXPECT_EQ(st.where().path, "services.a.deploy.replicas");
}

TEST(ComposeMerge, SeveralFilesInOrder) {
  LoadResult r = MustLoad(
      {kFixtures + "merge/base.yml", kFixtures + "merge/override.yml"});
  EXPECT_EQ(r.ecosystem.name, "merge");
  EXPECT_EQ(r.ecosystem.source_format, "compose");
  EXPECT_EQ(r.ecosystem.source_files.size(), 2u);
  EXPECT_EQ(Names(r.ecosystem), SetOf({"api", "db", "cache"}));
  const model::Component& api = Comp(r.ecosystem, "api");
  EXPECT_EQ(api.image, "example/api:2.0");  // later file wins.
  EXPECT_EQ(api.ports,
            (std::vector<model::Port>{{80, "tcp", ""}, {90, "tcp", ""}}));
  EXPECT_EQ(api.limits.cpu_millicores, 1000);     // from base.yml
  EXPECT_EQ(api.limits.memory_bytes, 1LL << 30);  // override.yml wins
  EXPECT_EQ(api.requests.cpu_millicores, 250);    // only in override.yml
  EXPECT_EQ(api.where.file, kFixtures + "merge/base.yml");
  EXPECT_EQ(Edges(r.ecosystem), (std::set<Edge>{{"api", "db", "database"}}));
  const model::Dependency* d = FindEdge(r.ecosystem, "api", "db");
  EXPECT_FALSE(d->inferred);
  ASSERT_EQ(d->evidence.size(), 2u);
  EXPECT_EQ(d->evidence[0].where.file, kFixtures + "merge/base.yml");
  EXPECT_EQ(d->evidence[1].where.file, kFixtures + "merge/override.yml");
  EXPECT_EQ(d->evidence[1].where.line, 6);
}

TEST(ComposeMerge, EnvironmentMergedByKeyAcrossFiles) {
  auto r = ReadCompose(
      {kMem, "/nonexistent-ecotone-test/b.yaml"},
      {"services:\n  a:\n    environment: [X=http://b:1, Y=http://c:1]\n"
       "  b: {image: i}\n  c: {image: i}\n",
       "services:\n  a:\n    environment:\n      Y: none\n"},
      {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Edges(r->ecosystem), (std::set<Edge>{{"a", "b", "http"}}));
}

TEST(ComposeCompanion, KeyPrefixRuleAndAddressBooks) {
  LoadResult r = MustLoad({kFixtures + "companion/compose.yaml"});
  // server.json is mounted by geo and profile: GeoMongoAddress -> geo,
  // ProfileMemcAddress -> profile, tracerAddress -> nobody (info).
  // config/ is mounted by reporter only: its "upstream" entry names geo;
  // the "mongodb-geo" entry is an address-book entry (no caller).
  EXPECT_EQ(Edges(r.ecosystem),
            (std::set<Edge>{{"geo", "mongodb-geo", "database"},
                            {"profile", "memcached-profile", "cache"},
                            {"reporter", "geo", "http"}}));
  const model::Dependency* d = FindEdge(r.ecosystem, "geo", "mongodb-geo");
  EXPECT_TRUE(d->inferred);
  EXPECT_EQ(d->evidence[0].where.file,
            std::filesystem::path(kFixtures + "companion/server.json")
                .lexically_normal()
                .string());
  EXPECT_EQ(d->evidence[0].where.line, 2);
  EXPECT_NE(d->evidence[0].reason.find("key-prefix rule"), std::string::npos);
  EXPECT_EQ(CountProblems(r, "companion-unattributed"), 1);
  EXPECT_EQ(CountProblems(r, "companion-address-book"), 1);
}

TEST(ComposeCompanion, UndefinedConfigIsADanglingReference) {
  LoadResult r = MustRead("services:\n  a:\n    configs: [nope]\n");
  EXPECT_EQ(CountProblems(r, "dangling-reference"), 1);
}

TEST(ComposeProfiles, InactiveProfileIsAnInfoProblem) {
  LoadResult r = MustRead(
      "services:\n  a: {image: x}\n  dbg:\n    image: x\n"
      "    profiles: [debug, tools]\n");
  ASSERT_EQ(CountProblems(r, "inactive-profile"), 1);
  EXPECT_EQ(r.problems[0].severity, Severity::kInfo);
  EXPECT_EQ(r.problems[0].where.line, 3);
  EXPECT_EQ(Comp(r.ecosystem, "dbg").profiles,
            (std::vector<std::string>{"debug", "tools"}));
  LoadOptions o;
  o.profiles = {"tools"};
  EXPECT_EQ(
      CountProblems(MustRead("services:\n  dbg:\n    profiles: [tools]\n", o),
                    "inactive-profile"),
      0);
}

TEST(ComposeGenerated, ManyServicesLinearEdges) {
  // The shape of the 10,000-service benchmark, smaller: every service has
  // two depends_on and three URLs in its environment.
  const int n = 2000;
  std::string text = "services:\n";
  for (int i = 0; i < n; ++i) {
    std::string s = "svc" + std::to_string(i);
    text += "  " + s + ":\n    image: example/" + s + ":1\n    depends_on:\n";
    for (int k = 1; k <= 2; ++k)
      text += "      - svc" + std::to_string((i + k) % n) + "\n";
    text += "    environment:\n";
    for (int k = 3; k <= 5; ++k)
      text += "      U" + std::to_string(k) + ": http://svc" +
              std::to_string((i + k) % n) + ":8080/api\n";
  }
  LoadResult r = MustRead(text);
  EXPECT_EQ(r.ecosystem.components.size(), static_cast<size_t>(n));
  EXPECT_EQ(r.ecosystem.dependencies.size(), static_cast<size_t>(5 * n));
}

// ---------------------------------------------------------------------------
// Bad input: a clear error with a location, never a crash or a hang.

TEST(ComposeBadInput, MalformedYaml) {
  Status st = MustFail("services:\n  a:\n    image: [unclosed\n  b: {}\n");
  EXPECT_GE(st.where().line, 3);
  EXPECT_NE(st.message().find("malformed YAML"), std::string::npos);
}

TEST(ComposeBadInput, WrongShapes) {
  Status st = MustFail("services:\n  - a\n  - b\n");
  EXPECT_EQ(st.where().line, 2);
  EXPECT_EQ(st.where().path, "services");
  st = MustFail("services:\n  a: just-a-string\n");
  EXPECT_EQ(st.where().path, "services.a");
  st = MustFail("services:\n  a:\n");
  EXPECT_EQ(st.where().line, 2);
  st = MustFail("- 1\n- 2\n");
  EXPECT_EQ(st.where().line, 1);
  st = MustFail("version: '3'\nvolumes: {}\n");
  EXPECT_NE(st.message().find("services"), std::string::npos);
  st = MustFail("services:\n  a:\n    environment: 5\n");
  EXPECT_EQ(st.where().path, "services.a.environment");
  st = MustFail("services:\n  a:\n    image: {name: x}\n");
  EXPECT_EQ(st.where().path, "services.a.image");
  st = MustFail("services:\n  'bad name!':\n    image: x\n");
  EXPECT_NE(st.message().find("invalid service name"), std::string::npos);
  st = MustFail("services:\n  a: {image: x}\n---\nservices: {}\n");
  EXPECT_EQ(st.where().line, 4);
}

TEST(ComposeBadInput, WrongTypesUnitsAndAbsurdNumbers) {
  Status st = MustFail("services:\n  api:\n    deploy:\n      replicas: abc\n");
  EXPECT_EQ(st.ToString(), kMem +
                               ":4:17: services.api.deploy.replicas: expected "
                               "an integer, got 'abc'");
  st = MustFail("services:\n  a:\n    deploy:\n      replicas: 100001\n");
  EXPECT_NE(st.message().find("out of range"), std::string::npos);
  st = MustFail("services:\n  a:\n    deploy:\n      replicas: -1\n");
  EXPECT_EQ(st.where().line, 4);
  st = MustFail(
      "services:\n  a:\n    deploy:\n      resources:\n        limits:\n"
      "          cpus: '-0.5'\n");
  EXPECT_EQ(st.where().line, 6);
  EXPECT_EQ(st.where().path, "services.a.deploy.resources.limits.cpus");
  st = MustFail(
      "services:\n  a:\n    deploy:\n      resources:\n        reservations:\n"
      "          memory: 12XB\n");
  EXPECT_EQ(st.where().path, "services.a.deploy.resources.reservations.memory");
  st = MustFail(
      "services:\n  a:\n    deploy:\n      resources:\n        limits:\n"
      "          memory: 2PiB\n");
  EXPECT_NE(st.message().find("1 PiB"), std::string::npos);
  st = MustFail(
      "services:\n  a:\n    deploy:\n      resources:\n        limits:\n"
      "          cpus: '1000000'\n");
  EXPECT_EQ(st.where().line, 6);
  st = MustFail("services:\n  a:\n    scale: lots\n");
  EXPECT_EQ(st.where().path, "services.a.scale");
}

TEST(ComposeBadInput, DuplicateNamesAndKeys) {
  Status st = MustFail(
      "services:\n  a: {image: x}\n  b: {image: y}\n  a: {image: z}\n");
  EXPECT_EQ(st.where().line, 4);
  EXPECT_NE(st.message().find("duplicate service name 'a' (first at line 2)"),
            std::string::npos);
  st = MustFail("services:\n  a:\n    image: x\n    image: y\n");
  EXPECT_EQ(st.where().line, 4);
  EXPECT_EQ(st.where().path, "services.a.image");
  st = MustFail("services:\n  a:\n    environment:\n      K: 1\n      K: 2\n");
  EXPECT_EQ(st.where().line, 5);
}

TEST(ComposeBadInput, EmptyFiles) {
  for (const char* text : {"", "   \n\n", "# only a comment\n", "---\n"}) {
    Status st = MustFail(text);
    EXPECT_NE(st.message().find("empty"), std::string::npos) << text;
    EXPECT_EQ(st.where().line, 1);
  }
}

TEST(ComposeBadInput, BinaryGarbage) {
  std::string garbage = "services:\n  a:\n    image: ";
  for (int i = 0; i < 256; ++i) garbage += static_cast<char>((i * 37) & 0xff);
  Status st = MustFail(garbage);
  EXPECT_GE(st.where().line, 1);
  std::string pure;
  for (int i = 0; i < 4096; ++i)
    pure += static_cast<char>((i * 131 + 7) & 0xff);
  MustFail(pure);
}

TEST(ComposeBadInput, DeepNestingAndAliasBombs) {
  Status st =
      MustFail("services:\n  a:\n    image: " + std::string(5000, '[') + "\n");
  EXPECT_NE(st.message().find("nesting"), std::string::npos);
  // 12 levels of 10x aliases: expanding would take 10^12 steps.
  std::string bomb = "x0: &x0 [http://a:1]\n";
  for (int i = 1; i <= 12; ++i) {
    std::string p = "*x" + std::to_string(i - 1);
    bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + p;
    bomb += "]\n";
  }
  bomb += "services:\n  a:\n    command: *x12\n";
  auto r = Read(bomb);  // must return (an error here: arguments are scalars).
  EXPECT_FALSE(r.ok());
  std::string env_bomb =
      "x0: &x0 {image: i, environment: {A: 'http://b:1'}}\n"
      "services:\n";
  for (int i = 0; i < 3000; ++i)
    env_bomb += "  s" + std::to_string(i) + ": *x0\n";
  env_bomb += "  b: {image: j}\n";
  LoadResult ok = MustRead(env_bomb);  // legitimate reuse still works.
  EXPECT_EQ(ok.ecosystem.components.size(), 3001u);
}

TEST(ComposeBadInput, HundredMegabyteFileIsRejectedBeforeParsing) {
  std::string dir = ::testing::TempDir() + "ecotone-compose-big";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/big.yml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "services:\n";
  }
  std::filesystem::resize_file(path, 100u << 20);  // sparse, 100 MiB.
  LoadOptions o;
  o.format = Format::kCompose;
  auto r = LoadFiles({path}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().where().file, path);
  EXPECT_NE(r.status().message().find("limit"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ComposeBadInput, UnsupportedExtendsIsAWarning) {
  LoadResult r = MustRead(
      "services:\n  a:\n    extends: {file: common.yml, service: base}\n");
  ASSERT_EQ(CountProblems(r, "unsupported-field"), 1);
  EXPECT_EQ(r.problems[0].where.line, 3);
}

}  // namespace
}  // namespace ecotone::manifest
