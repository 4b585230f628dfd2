// Tests of the native manifest reader: the bundled examples (against the real
// Online Boutique Kubernetes manifest they transcribe), JSON == YAML, every
// class of bad input with its exact `file:line:column: path: message`, and
// validation of the examples against docs/manifest.schema.json with a small
// test-only JSON Schema validator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "ecotone/manifest/manifest.h"
#include "ecotone/model/units.h"

namespace ecotone::manifest {
namespace {

using model::Component;
using model::ComponentKind;
using model::Dependency;
using model::DependencyKind;
using model::Ecosystem;

const std::string kSource = ECOTONE_SOURCE_DIR;
const std::string kData = ECOTONE_SHARED_DATA;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<LoadResult> LoadExample(const std::string& rel) {
  return LoadFiles({kSource + "/" + rel}, LoadOptions{});
}

// The error text of reading `text` as a native file named `name`.
std::string ErrorOf(const std::string& name, const std::string& text) {
  auto r = ReadNative(name, text, LoadOptions{});
  if (r.ok()) return "(no error)";
  return r.status().ToString();
}

const Component& Find(const Ecosystem& eco, const std::string& name) {
  const Component* c = eco.FindComponent(name);
  if (c == nullptr) {
    ADD_FAILURE() << "no component " << name;
    static const Component kEmpty;
    return kEmpty;
  }
  return *c;
}

std::set<std::tuple<std::string, std::string, DependencyKind>> Edges(
    const Ecosystem& eco) {
  std::set<std::tuple<std::string, std::string, DependencyKind>> out;
  for (const Dependency& d : eco.dependencies)
    out.emplace(d.from, d.to, d.kind);
  return out;
}

// Drops what legitimately differs between two files holding the same
// ecosystem: file names, lines and columns.
Ecosystem WithoutLocations(Ecosystem eco) {
  eco.source_files.clear();
  for (Component& c : eco.components) c.where = {};
  for (Dependency& d : eco.dependencies)
    for (auto& e : d.evidence) e.where = {};
  return eco;
}

// Equal apart from the location of the declaration.
bool SameComponent(Component a, Component b) {
  a.where = {};
  b.where = {};
  return a == b;
}

// --- the examples --------------------------------------------------------

TEST(NativeExamples, BoutiqueHasAllTwelveComponentsAndTheRealCallGraph) {
  auto r = LoadExample("examples/boutique.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Ecosystem& eco = r->ecosystem;
  EXPECT_EQ(eco.name, "online-boutique");
  EXPECT_EQ(eco.version, "0.10.6");
  EXPECT_EQ(eco.source_format, "ecotone");
  EXPECT_TRUE(r->problems.empty());
  std::set<std::string> names;
  for (const Component& c : eco.components) names.insert(c.name);
  EXPECT_EQ(names,
            (std::set<std::string>{
                "frontend", "productcatalogservice", "currencyservice",
                "cartservice", "recommendationservice", "shippingservice",
                "checkoutservice", "paymentservice", "emailservice",
                "adservice", "redis-cart", "loadgenerator"}));
  using K = DependencyKind;
  std::set<std::tuple<std::string, std::string, DependencyKind>> want = {
      {"frontend", "productcatalogservice", K::kGrpc},
      {"frontend", "currencyservice", K::kGrpc},
      {"frontend", "cartservice", K::kGrpc},
      {"frontend", "recommendationservice", K::kGrpc},
      {"frontend", "shippingservice", K::kGrpc},
      {"frontend", "checkoutservice", K::kGrpc},
      {"frontend", "adservice", K::kGrpc},
      {"checkoutservice", "productcatalogservice", K::kGrpc},
      {"checkoutservice", "shippingservice", K::kGrpc},
      {"checkoutservice", "paymentservice", K::kGrpc},
      {"checkoutservice", "emailservice", K::kGrpc},
      {"checkoutservice", "currencyservice", K::kGrpc},
      {"checkoutservice", "cartservice", K::kGrpc},
      {"cartservice", "redis-cart", K::kCache},
      {"recommendationservice", "productcatalogservice", K::kGrpc},
      {"loadgenerator", "frontend", K::kHttp},
  };
  EXPECT_EQ(Edges(eco), want);

  const Component& fe = Find(eco, "frontend");
  EXPECT_EQ(fe.kind, ComponentKind::kGateway);
  EXPECT_EQ(fe.version, "v0.10.6");  // defaulted from the image tag.
  EXPECT_EQ(fe.replicas, (model::Replicas{2, 12, 3}));
  EXPECT_EQ(fe.requests, (model::Resources{100, 64 << 20, 100'000'000, 0}));
  EXPECT_EQ(fe.limits, (model::Resources{200, 128 << 20, 0, 0}));
  EXPECT_EQ(fe.latency_slo_us, 300'000);
  EXPECT_FALSE(fe.stateful);
  EXPECT_EQ(fe.placement.spread_min_zones, 2);
  EXPECT_DOUBLE_EQ(fe.capacity_rps_per_replica, 120);
  EXPECT_EQ(fe.startup_us, 15'000'000);
  ASSERT_EQ(fe.ports.size(), 1u);
  EXPECT_EQ(fe.ports[0], (model::Port{8080, "http", "http"}));
  EXPECT_EQ(fe.labels.at("tier"), "web");
  EXPECT_EQ(fe.where.line, 24);
  EXPECT_EQ(fe.where.path, "components[0]");

  const Component& redis = Find(eco, "redis-cart");
  EXPECT_EQ(redis.kind, ComponentKind::kCache);
  EXPECT_TRUE(redis.stateful);
  EXPECT_EQ(redis.version, "7.2");
  EXPECT_EQ(redis.replicas, (model::Replicas{1, 1, 1}));
  EXPECT_EQ(redis.requests.storage_bytes, 1LL << 30);
  EXPECT_EQ(redis.placement.zone_labels,
            (std::map<std::string, std::string>{{"data-residency", "eu"}}));

  for (const Dependency& d : eco.dependencies) {
    EXPECT_GT(d.traffic_rps, 0) << d.from << "->" << d.to;
    EXPECT_GT(d.traffic_bytes_per_s, 0) << d.from << "->" << d.to;
    EXPECT_GT(d.latency_budget_us, 0) << d.from << "->" << d.to;
    EXPECT_GT(d.port, 0) << d.from << "->" << d.to;
    EXPECT_FALSE(d.inferred);
    ASSERT_EQ(d.evidence.size(), 1u);
    EXPECT_EQ(d.evidence[0].where.file, kSource + "/examples/boutique.yaml");
  }
  const Dependency* cart_redis = nullptr;
  for (const Dependency& d : eco.dependencies)
    if (d.from == "cartservice" && d.to == "redis-cart") cart_redis = &d;
  ASSERT_NE(cart_redis, nullptr);
  EXPECT_EQ(cart_redis->port, 6379);
  EXPECT_EQ(cart_redis->protocol, "redis");
  EXPECT_DOUBLE_EQ(cart_redis->traffic_bytes_per_s, 1e6);
  EXPECT_EQ(cart_redis->latency_budget_us, 3000);
}

// The example must transcribe the real Kubernetes manifest: images and
// resource requests/limits of every Deployment, and every *_ADDR edge.
TEST(NativeExamples, BoutiqueMatchesTheRealKubernetesManifest) {
  auto r = LoadExample("examples/boutique.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Ecosystem& eco = r->ecosystem;
  std::vector<YAML::Node> docs = YAML::LoadAllFromFile(
      kData + "/manifests/online-boutique/kubernetes-manifests.yaml");
  int deployments = 0;
  std::set<std::pair<std::string, std::string>> env_edges;
  for (const YAML::Node& doc : docs) {
    if (!doc.IsMap() || doc["kind"].as<std::string>() != "Deployment") continue;
    ++deployments;
    std::string name = doc["metadata"]["name"].as<std::string>();
    const Component& c = Find(eco, name);
    YAML::Node containers = doc["spec"]["template"]["spec"]["containers"];
    ASSERT_EQ(containers.size(), 1u) << name;
    YAML::Node ct = containers[0];
    if (name != "redis-cart") {
      EXPECT_EQ(c.image, ct["image"].as<std::string>()) << name;
    }
    YAML::Node res = ct["resources"];
    EXPECT_EQ(
        c.requests.cpu_millicores,
        *model::ParseCpuMillicores(res["requests"]["cpu"].as<std::string>()))
        << name;
    EXPECT_EQ(c.requests.memory_bytes,
              *model::ParseBytes(res["requests"]["memory"].as<std::string>()))
        << name;
    EXPECT_EQ(
        c.limits.cpu_millicores,
        *model::ParseCpuMillicores(res["limits"]["cpu"].as<std::string>()))
        << name;
    EXPECT_EQ(c.limits.memory_bytes,
              *model::ParseBytes(res["limits"]["memory"].as<std::string>()))
        << name;
    if (YAML::Node env = ct["env"]) {
      for (const YAML::Node& e : env) {
        std::string var = e["name"].as<std::string>();
        if (var.size() < 5 || var.substr(var.size() - 5) != "_ADDR") continue;
        std::string value = e["value"].as<std::string>();
        std::string host = value.substr(0, value.find(':'));
        // The assistant exists only in the optional kustomize component.
        if (host == "shoppingassistantservice") continue;
        env_edges.emplace(name, host);
      }
    }
  }
  EXPECT_EQ(deployments, 12);
  std::set<std::pair<std::string, std::string>> declared;
  for (const Dependency& d : eco.dependencies) declared.emplace(d.from, d.to);
  EXPECT_EQ(declared, env_edges);
}

TEST(NativeExamples, JsonLoadsToTheSameEcosystemAsYaml) {
  auto y = LoadExample("examples/boutique.yaml");
  auto j = LoadExample("examples/boutique.json");
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(WithoutLocations(y->ecosystem), WithoutLocations(j->ecosystem));
  EXPECT_EQ(j->ecosystem.components.size(), 12u);
  // Locations in JSON point into the JSON text.
  EXPECT_EQ(j->ecosystem.components[0].where.file,
            kSource + "/examples/boutique.json");
  EXPECT_GT(j->ecosystem.components[1].where.line,
            j->ecosystem.components[0].where.line);
}

TEST(NativeExamples, VersionTwoDiffersInExactlyTheDocumentedWays) {
  auto v1 = LoadExample("examples/boutique.yaml");
  auto v2 = LoadExample("examples/boutique-v2.yaml");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_TRUE(v2->problems.empty());
  EXPECT_EQ(v2->ecosystem.version, "0.10.7");
  std::vector<std::string> added, changed;
  for (const Component& c : v2->ecosystem.components) {
    const Component* old = v1->ecosystem.FindComponent(c.name);
    if (old == nullptr) {
      added.push_back(c.name);
    } else if (!SameComponent(*old, c)) {
      changed.push_back(c.name);
    }
  }
  EXPECT_EQ(added, std::vector<std::string>{"shoppingassistantservice"});
  EXPECT_EQ(changed, std::vector<std::string>{"cartservice"});
  EXPECT_EQ(v2->ecosystem.FindComponent("cartservice")->version, "v0.10.7");
  for (const Component& c : v1->ecosystem.components)
    EXPECT_NE(v2->ecosystem.FindComponent(c.name), nullptr) << c.name;
  auto e1 = Edges(v1->ecosystem), e2 = Edges(v2->ecosystem);
  std::vector<std::tuple<std::string, std::string, DependencyKind>> gone, fresh;
  for (const auto& e : e1)
    if (!e2.count(e)) gone.push_back(e);
  for (const auto& e : e2)
    if (!e1.count(e)) fresh.push_back(e);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0], std::make_tuple(std::string("frontend"),
                                     std::string("shippingservice"),
                                     DependencyKind::kGrpc));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0], std::make_tuple(std::string("frontend"),
                                      std::string("shoppingassistantservice"),
                                      DependencyKind::kHttp));
}

TEST(NativeExamples, MinimalUsesTheDefaults) {
  auto r = LoadExample("examples/minimal.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Ecosystem& eco = r->ecosystem;
  EXPECT_EQ(eco.name, "minimal");  // from the file name.
  ASSERT_EQ(eco.components.size(), 1u);
  const Component& c = eco.components[0];
  EXPECT_EQ(c.name, "app");
  EXPECT_EQ(c.kind, ComponentKind::kContainer);
  EXPECT_EQ(c.replicas, (model::Replicas{1, 1, 1}));
  EXPECT_TRUE(c.requests.empty());
  EXPECT_FALSE(c.stateful);
  EXPECT_TRUE(eco.dependencies.empty());
}

TEST(NativeExamples, AutoDetectionReadsNativeFiles) {
  std::string text = ReadText(kSource + "/examples/boutique.yaml");
  auto r = LoadTexts({"boutique.yaml"}, {text}, LoadOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->ecosystem.source_format, "ecotone");
  EXPECT_EQ(r->ecosystem.components.size(), 12u);
}

// --- defaults and derived values ----------------------------------------

TEST(NativeReader, DerivesDefaultsFromKindImageAndTarget) {
  const char* text = R"(ecotone: v1
ecosystem: {name: shop, version: 3}
components:
  - name: api
    image: registry.local:5000/team/api:2.1@sha256:abcdef
    replicas: {min: 2, max: 5}
  - name: db
    kind: database
    image: registry.local:5000/postgres
    ports: [5432]
  - name: jobs
    kind: queue
    stateful: false
    replicas: {initial: 0, max: 3}
  - name: fn
    kind: function
    replicas: {min: 0, max: 10}
dependencies:
  - {from: api, to: db}
  - {from: api, to: jobs, kind: queue-publish, criticality: soft}
)";
  auto r = ReadNative("shop.yaml", text, LoadOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Ecosystem& eco = r->ecosystem;
  EXPECT_EQ(eco.name, "shop");
  EXPECT_EQ(eco.version, "3");
  const Component& api = Find(eco, "api");
  EXPECT_EQ(api.version, "2.1");
  EXPECT_EQ(api.replicas, (model::Replicas{2, 5, 2}));
  const Component& db = Find(eco, "db");
  EXPECT_EQ(db.version, "");  // the port is not a tag.
  EXPECT_TRUE(db.stateful);
  EXPECT_EQ(Find(eco, "jobs").replicas, (model::Replicas{0, 3, 0}));
  EXPECT_FALSE(Find(eco, "jobs").stateful);
  EXPECT_EQ(Find(eco, "fn").replicas, (model::Replicas{0, 10, 0}));
  ASSERT_EQ(eco.dependencies.size(), 2u);
  EXPECT_EQ(eco.dependencies[0].kind, DependencyKind::kDatabase);
  EXPECT_EQ(eco.dependencies[0].port, 5432);
  EXPECT_EQ(eco.dependencies[0].criticality, model::Criticality::kHard);
  EXPECT_EQ(eco.dependencies[1].criticality, model::Criticality::kSoft);
}

TEST(NativeReader, ReplicasZeroMaxNeedsAtLeastOne) {
  // {initial: 0} alone means min 0, max 0: nothing can ever run.
  EXPECT_EQ(ErrorOf("a.yaml",
                    "ecotone: v1\ncomponents:\n  - name: q\n"
                    "    replicas: {initial: 0}\n"),
            "a.yaml:4:15: components[0].replicas.max: max must be at least 1");
}

TEST(NativeReader, ExtensionKeysAndAliasesAreAccepted) {
  const char* text = R"(ecotone: v1
x-defaults: &res {cpu: 250m, memory: 256Mi}
components:
  - name: a
    resources: *res
    x-team: payments
  - name: b
    resources: *res
)";
  auto r = ReadNative("x.yaml", text, LoadOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->ecosystem.components[1].requests.cpu_millicores, 250);
  EXPECT_EQ(r->ecosystem.components[1].requests.memory_bytes, 256 << 20);
}

TEST(NativeReader, NameComesFromOptionsThenFileName) {
  LoadOptions o;
  o.name = "given";
  auto r = ReadNative("dir/app.prod.yaml",
                      "ecotone: v1\ncomponents: [{name: a}]\n", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecosystem.name, "given");
  r = ReadNative("dir/app.prod.yaml", "ecotone: v1\ncomponents: [{name: a}]\n",
                 {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecosystem.name, "app");
}

// --- problems (reading succeeds) -----------------------------------------

TEST(NativeReader, DanglingAndSelfReferencesAreProblemsAtTheValue) {
  std::string path = kSource + "/testdata/native/dangling.yaml";
  auto r = LoadFiles({path}, LoadOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->problems.size(), 2u);
  EXPECT_EQ(r->problems[0].severity, model::Severity::kError);
  EXPECT_EQ(r->problems[0].code, "dangling-reference");
  EXPECT_EQ(r->problems[0].where, (Location{path, 9, 9, "dependencies[1].to"}));
  EXPECT_EQ(r->problems[0].message,
            "dependency target 'cartservise' is not a component of this "
            "ecosystem (did you mean 'cartservice'?)");
  EXPECT_EQ(r->problems[1].code, "self-dependency");
  EXPECT_EQ(r->problems[1].where,
            (Location{path, 11, 9, "dependencies[2].to"}));
  EXPECT_EQ(r->problems[1].message, "component 'web' depends on itself");
  // Only the valid edge is in the ecosystem.
  ASSERT_EQ(r->ecosystem.dependencies.size(), 1u);
  EXPECT_EQ(r->ecosystem.dependencies[0].to, "cartservice");
}

TEST(NativeReader, UnknownSourceIsDanglingToo) {
  auto r = ReadNative("d.yaml",
                      "ecotone: v1\ncomponents: [{name: a}]\n"
                      "dependencies:\n  - {from: ghost, to: a}\n",
                      {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0].where.ToString(),
            "d.yaml:4:12: dependencies[0].from");
  EXPECT_EQ(r->problems[0].message,
            "dependency source 'ghost' is not a component of this ecosystem");
}

// --- bad input: exact messages ---------------------------------------------

struct BadFile {
  const char* file;      // in testdata/native/
  const char* expected;  // after "<path>:"
};

class NativeBadFiles : public testing::TestWithParam<BadFile> {};

TEST_P(NativeBadFiles, GiveTheExactLocatedError) {
  std::string path = kSource + "/testdata/native/" + GetParam().file;
  LoadOptions options;
  options.format = Format::kEcotone;
  auto r = LoadFiles({path}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().ToString(), path + ":" + GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, NativeBadFiles,
    testing::Values(
        BadFile{"malformed.yaml",
                "5:9: malformed YAML: while parsing a flow mapping: did not find "
                "expected ',' or '}'"},
        BadFile{"unknown_key.yaml",
                "7:5: components[0].resorces: unknown key 'resorces' (did you "
                "mean 'resources'?); allowed keys: name, kind, image, version, "
                "description, replicas, resources, limits, latency_slo, "
                "stateful, placement, scaling, ports, labels"},
        BadFile{"bad_unit.yaml",
                "7:15: components[1].resources.memory: invalid size '512Mx' "
                "(expected bytes with an optional unit: k M G T P E, Ki Mi Gi "
                "Ti Pi Ei, or b kb mb gb)"},
        BadFile{"wrong_type.yaml",
                "4:15: components[0].replicas: expected an integer or a map "
                "with keys min, max, initial, got 'many'"},
        BadFile{"negative.yaml",
                "4:22: components[0].resources.cpu: cpu '-2' is negative"},
        BadFile{"absurd.yaml",
                "4:29: components[0].replicas.max: value 200000 is out of "
                "range [0, 100000]"},
        BadFile{"duplicate_name.yaml",
                "5:11: components[2].name: duplicate component name 'web' "
                "(first defined at line 3)"},
        BadFile{"duplicate_edge.yaml",
                "8:5: dependencies[2]: duplicate dependency web -> api (http); "
                "first declared at line 6"},
        BadFile{"no_version.yaml",
                "1:1: ecotone: missing 'ecotone: v1' (the format version); an "
                "Ecotone manifest starts with 'ecotone: v1' followed by "
                "'ecosystem:', 'components:' and optionally 'dependencies:' "
                "(see docs/manifest.md)"},
        BadFile{"empty.yaml",
                "1:1: file is empty; an Ecotone manifest starts with 'ecotone: "
                "v1' followed by 'ecosystem:', 'components:' and optionally "
                "'dependencies:' (see docs/manifest.md)"},
        BadFile{"binary.yaml",
                "1:8: binary data (NUL byte): not a YAML or JSON text"},
        BadFile{"bad.json",
                "4:51: components[0].replicas.max: max (2) is below min (3)"}),
    [](const testing::TestParamInfo<BadFile>& info) {
      // Stable names: CTest discovers tests by name in one process and runs
      // them in another, so a name must not depend on addresses.
      std::string n = info.param.file;
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

struct BadText {
  const char* name;
  const char* text;
  const char* expected;
};

class NativeBadTexts : public testing::TestWithParam<BadText> {};

TEST_P(NativeBadTexts, GiveTheExactLocatedError) {
  EXPECT_EQ(ErrorOf("m.yaml", GetParam().text), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Classes, NativeBadTexts,
    testing::Values(
        BadText{"WrongVersion", "ecotone: v2\ncomponents: [{name: a}]\n",
                "m.yaml:1:10: ecotone: unsupported format version 'v2'; this "
                "Ecotone reads 'v1'"},
        BadText{"TopLevelList", "- ecotone: v1\n",
                "m.yaml:1:1: expected a map at the top level, got a list; an "
                "Ecotone manifest starts with 'ecotone: v1' followed by "
                "'ecosystem:', 'components:' and optionally 'dependencies:' "
                "(see docs/manifest.md)"},
        BadText{"TwoDocuments",
                "ecotone: v1\ncomponents: [{name: a}]\n---\necotone: v1\n",
                "m.yaml:4:1: a native manifest holds one YAML document, this "
                "is the second; use one file per ecosystem"},
        BadText{"NoComponents", "ecotone: v1\necosystem: {name: x}\n",
                "m.yaml:1:1: components: no components: an ecosystem needs at "
                "least one component"},
        BadText{"EmptyComponents", "ecotone: v1\ncomponents: []\n",
                "m.yaml:2:13: components: no components: an ecosystem needs "
                "at least one component"},
        BadText{"ComponentsNotAList", "ecotone: v1\ncomponents: {a: 1}\n",
                "m.yaml:2:13: components: expected a list of components, got "
                "a map"},
        BadText{"UnknownTopLevelKey", "ecotone: v1\ncomponent: []\n",
                "m.yaml:2:1: component: unknown key 'component' (did you mean "
                "'components'?); allowed keys: ecotone, ecosystem, components, "
                "dependencies"},
        BadText{"DuplicateKey",
                "ecotone: v1\ncomponents:\n  - name: a\n    image: x\n"
                "    image: y\n",
                "m.yaml:5:5: components[0].image: duplicate key 'image' (first "
                "at line 4)"},
        BadText{"MissingName", "ecotone: v1\ncomponents:\n  - image: x\n",
                "m.yaml:3:5: components[0]: missing required key 'name'"},
        BadText{"BadName", "ecotone: v1\ncomponents:\n  - name: 'a b'\n",
                "m.yaml:3:11: components[0].name: invalid name 'a b': use 1 to "
                "253 letters, digits, '-', '_' or '.', starting with a letter "
                "or digit"},
        BadText{"UnknownKind",
                "ecotone: v1\ncomponents:\n  - {name: a, kind: lambda}\n",
                "m.yaml:3:21: components[0].kind: unknown kind 'lambda'; "
                "expected one of vm, container, database, queue, cache, "
                "gateway, function, storage"},
        BadText{"ResourcesWrongType",
                "ecotone: v1\ncomponents:\n  - name: a\n    resources: [1]\n",
                "m.yaml:4:16: components[0].resources: expected a map with "
                "keys cpu, memory, bandwidth, storage, got a list"},
        BadText{
            "UnknownCpuUnit",
            "ecotone: v1\ncomponents:\n  - {name: a, resources: {cpu: 2k}}\n",
            "m.yaml:3:32: components[0].resources.cpu: invalid cpu '2k' "
            "(expected cores like '2' or '0.5', or millicores like '500m')"},
        BadText{"UnknownBandwidthUnit",
                "ecotone: v1\ncomponents:\n"
                "  - {name: a, resources: {bandwidth: 100Mbs}}\n",
                "m.yaml:3:38: components[0].resources.bandwidth: invalid "
                "bandwidth '100Mbs' (expected a rate like '100Mbps', '1Gbps', "
                "'500kbps' or '10MB/s')"},
        BadText{"AbsurdCpu",
                "ecotone: v1\ncomponents:\n  - {name: a, resources: {cpu: "
                "20000}}\n",
                "m.yaml:3:32: components[0].resources.cpu: cpu '20000' is "
                "above the limit of 10000 cores"},
        BadText{"AbsurdMemory",
                "ecotone: v1\ncomponents:\n  - {name: a, resources: {memory: "
                "2Pi}}\n",
                "m.yaml:3:35: components[0].resources.memory: memory '2Pi' is "
                "above the limit of 1Pi"},
        BadText{"AbsurdLatency",
                "ecotone: v1\ncomponents:\n  - {name: a, latency_slo: 2d}\n",
                "m.yaml:3:28: components[0].latency_slo: duration '2d' is "
                "longer than 1 day"},
        BadText{"NegativeReplicas",
                "ecotone: v1\ncomponents:\n  - {name: a, replicas: -2}\n",
                "m.yaml:3:25: components[0].replicas: must not be negative, "
                "got -2"},
        BadText{"HugeInteger",
                "ecotone: v1\ncomponents:\n"
                "  - {name: a, replicas: 99999999999999999999999}\n",
                "m.yaml:3:25: components[0].replicas: value "
                "99999999999999999999999 is out of range [1, 100000]"},
        BadText{"InitialAboveMax",
                "ecotone: v1\ncomponents:\n"
                "  - {name: a, replicas: {min: 1, max: 3, initial: 4}}\n",
                "m.yaml:3:51: components[0].replicas.initial: initial (4) must "
                "be between min (1) and max (3)"},
        BadText{"LimitBelowRequest",
                "ecotone: v1\ncomponents:\n  - name: a\n"
                "    resources: {memory: 1Gi}\n    limits: {memory: 512Mi}\n",
                "m.yaml:5:22: components[0].limits.memory: limit 512Mi is "
                "below the request 1Gi (resources.memory)"},
        BadText{"SpreadNeedsReplicas",
                "ecotone: v1\ncomponents:\n  - name: a\n    replicas: 2\n"
                "    placement: {spread: {min_zones: 3}}\n",
                "m.yaml:5:37: components[0].placement.spread.min_zones: "
                "spreading over 3 zones needs at least that many replicas, but "
                "replicas.max is 2"},
        BadText{"SpreadNeedsZones",
                "ecotone: v1\ncomponents:\n  - name: a\n    replicas: 4\n"
                "    placement: {zones: [z1, z2], spread: {min_zones: 3}}\n",
                "m.yaml:5:54: components[0].placement.spread.min_zones: "
                "spreading over 3 zones, but only 2 zones are allowed "
                "(placement.zones)"},
        BadText{
            "StatefulNotBool",
            "ecotone: v1\ncomponents:\n  - {name: a, stateful: yes please}\n",
            "m.yaml:3:25: components[0].stateful: expected true or false, "
            "got a scalar 'yes please'"},
        BadText{
            "LabelNotScalar",
            "ecotone: v1\ncomponents:\n  - {name: a, labels: {tier: [x]}}\n",
            "m.yaml:3:30: components[0].labels.tier: expected a string, "
            "got a list"},
        BadText{"PortOutOfRange",
                "ecotone: v1\ncomponents:\n  - {name: a, ports: [70000]}\n",
                "m.yaml:3:23: components[0].ports[0]: value 70000 is out of "
                "range [1, 65535]"},
        BadText{"DuplicatePort",
                "ecotone: v1\ncomponents:\n"
                "  - {name: a, ports: [80, {port: 80, protocol: http}]}\n",
                "m.yaml:3:34: components[0].ports[1].port: port 80 is already "
                "declared at components[0].ports[0]"},
        BadText{"UnknownDependencyKind",
                "ecotone: v1\ncomponents: [{name: a}, {name: b}]\n"
                "dependencies:\n  - {from: a, to: b, kind: rest}\n",
                "m.yaml:4:28: dependencies[0].kind: unknown dependency kind "
                "'rest'; expected one of http, grpc, database, queue-publish, "
                "queue-consume, cache, data-flow"},
        BadText{"UnknownCriticality",
                "ecotone: v1\ncomponents: [{name: a}, {name: b}]\n"
                "dependencies:\n  - {from: a, to: b, criticality: high}\n",
                "m.yaml:4:35: dependencies[0].criticality: unknown criticality "
                "'high'; expected hard or soft"},
        BadText{"MissingTo",
                "ecotone: v1\ncomponents: [{name: a}]\n"
                "dependencies:\n  - {from: a}\n",
                "m.yaml:4:5: dependencies[0]: missing required key 'to'"},
        BadText{"NegativeRps",
                "ecotone: v1\ncomponents: [{name: a}, {name: b}]\n"
                "dependencies:\n  - {from: a, to: b, traffic: {rps: -5}}\n",
                "m.yaml:4:37: dependencies[0].traffic.rps: must not be "
                "negative, got -5"},
        BadText{"UnknownRateUnit",
                "ecotone: v1\ncomponents: [{name: a}, {name: b}]\n"
                "dependencies:\n  - {from: a, to: b, traffic: {rate: 5MB}}\n",
                "m.yaml:4:38: dependencies[0].traffic.rate: invalid data rate "
                "'5MB' (expected a data rate like '5MB/s', '200KB/s', "
                "'1.5MiB/s' (a plain number is MB/s))"},
        BadText{"DependenciesNotAList",
                "ecotone: v1\ncomponents: [{name: a}]\ndependencies: a\n",
                "m.yaml:3:15: dependencies: expected a list of dependencies, "
                "got a scalar 'a'"},
        BadText{"JsonTypo",
                "{\n  \"ecotone\": \"v1\",\n  \"components\": [\n"
                "    {\"name\": \"a\", \"replicas\": \"3\", \"imgae\": "
                "\"x\"}\n  ]\n}\n",
                "m.yaml:4:36: components[0].imgae: unknown key 'imgae' (did "
                "you mean 'image'?); allowed keys: name, kind, image, version, "
                "description, replicas, resources, limits, latency_slo, "
                "stateful, placement, scaling, ports, labels"},
        // yaml-cpp 0.7 loops forever on these; the precheck stops them.
        BadText{"FlowRootThenComma", "[a,],",
                "m.yaml:1:5: malformed YAML: unexpected ',' after the end of "
                "the document's top-level collection"},
        BadText{"TruncatedJsonThenComma",
                "{\n  \"ecotone\": \"v1\",\n  \"ecosystem\": {\n  },\n"
                "      },\n",
                "m.yaml:5:8: malformed YAML: unexpected ',' after the end of "
                "the document's top-level collection"},
        BadText{"SecondDocumentFlowRootThenComma",
                "%YAML 1.2\n---\n# c\n&x {a: \"},]\"} # ,\n---\n[b] \n ,",
                "m.yaml:7:2: malformed YAML: unexpected ',' after the end of "
                "the document's top-level collection"},
        BadText{"DocumentStartsWithComma", "# c\n  , images\n",
                "m.yaml:2:3: malformed YAML: a document cannot start with ','"},
        BadText{"DeepNesting",
                "ecotone: v1\ncomponents: [[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                "[[[[[[[[[[",
                "m.yaml:2:213: nesting deeper than 200 levels"}),
    [](const testing::TestParamInfo<BadText>& info) {
      return info.param.name;
    });

TEST(NativeReader, HundredMegabyteFileIsRejectedBeforeParsing) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("ecotone_native_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path big = dir / "big.yaml";
  {
    std::ofstream out(big, std::ios::binary);
    out << "ecotone: v1\ncomponents:\n";
  }
  std::filesystem::resize_file(big, 100u << 20);  // sparse: fast to make.
  auto r = LoadFiles({big.string()}, LoadOptions{});
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().ToString(),
            big.string() + ": file is 100 MiB; the limit is 64 MiB");
}

TEST(NativeReader, GarbageWithoutNulBytesIsAnErrorNotACrash) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    char c = static_cast<char>((x >> 16) & 0xff);
    garbage.push_back(c == 0 ? '\x01' : c);
  }
  auto r = ReadNative("g.yaml", garbage, LoadOptions{});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().where().file, "g.yaml");
}

// --- JSON Schema -----------------------------------------------------------

// A test-only validator for the subset of JSON Schema 2020-12 that
// docs/manifest.schema.json uses. An unsupported keyword fails the test, so
// the schema cannot silently say more than is checked.
class MiniSchema {
 public:
  explicit MiniSchema(nlohmann::json root) : root_(std::move(root)) {}

  // Appends "pointer: message" for every violation.
  void Validate(const nlohmann::json& v, const nlohmann::json& s,
                const std::string& at, std::vector<std::string>* errors) const {
    static const std::set<std::string> kKnown = {"$schema",
                                                 "$id",
                                                 "title",
                                                 "description",
                                                 "type",
                                                 "required",
                                                 "additionalProperties",
                                                 "patternProperties",
                                                 "properties",
                                                 "const",
                                                 "enum",
                                                 "items",
                                                 "minItems",
                                                 "uniqueItems",
                                                 "pattern",
                                                 "minimum",
                                                 "maximum",
                                                 "oneOf",
                                                 "$ref",
                                                 "$defs"};
    for (const auto& [k, unused] : s.items()) {
      if (!kKnown.count(k))
        errors->push_back(at + ": unsupported keyword " + k);
    }
    if (s.contains("$ref")) {
      std::string ref = s["$ref"];
      const std::string prefix = "#/$defs/";
      if (ref.rfind(prefix, 0) != 0) {
        errors->push_back(at + ": unsupported $ref " + ref);
        return;
      }
      Validate(v, root_["$defs"][ref.substr(prefix.size())], at, errors);
    }
    if (s.contains("type")) {
      std::vector<std::string> types;
      if (s["type"].is_array()) {
        for (const auto& t : s["type"]) types.push_back(t);
      } else {
        types.push_back(s["type"]);
      }
      bool match = false;
      for (const auto& t : types) match = match || IsType(v, t);
      if (!match) {
        errors->push_back(at + ": wrong type " + std::string(v.type_name()));
        return;
      }
    }
    if (s.contains("const") && v != s["const"])
      errors->push_back(at + ": not " + s["const"].dump());
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || e == v;
      if (!found) errors->push_back(at + ": not in enum: " + v.dump());
    }
    if (v.is_string() && s.contains("pattern")) {
      std::regex re(s["pattern"].get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(v.get<std::string>(), re))
        errors->push_back(at + ": does not match " + s["pattern"].dump());
    }
    if (v.is_number()) {
      if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>())
        errors->push_back(at + ": below minimum");
      if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>())
        errors->push_back(at + ": above maximum");
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>())
        errors->push_back(at + ": too few items");
      if (s.value("uniqueItems", false)) {
        for (size_t i = 0; i < v.size(); ++i)
          for (size_t j = i + 1; j < v.size(); ++j)
            if (v[i] == v[j]) errors->push_back(at + ": duplicate items");
      }
      if (s.contains("items"))
        for (size_t i = 0; i < v.size(); ++i)
          Validate(v[i], s["items"], at + "/" + std::to_string(i), errors);
    }
    if (v.is_object()) {
      if (s.contains("required"))
        for (const auto& k : s["required"])
          if (!v.contains(k.get<std::string>()))
            errors->push_back(at + ": missing " + k.get<std::string>());
      for (const auto& [k, child] : v.items()) {
        std::string cat = at + "/" + k;
        bool covered = false;
        if (s.contains("properties") && s["properties"].contains(k)) {
          covered = true;
          Validate(child, s["properties"][k], cat, errors);
        }
        if (s.contains("patternProperties")) {
          for (const auto& [pat, ps] : s["patternProperties"].items()) {
            if (std::regex_search(k, std::regex(pat))) {
              covered = true;
              Validate(child, ps, cat, errors);
            }
          }
        }
        if (!covered && s.contains("additionalProperties")) {
          const auto& ap = s["additionalProperties"];
          if (ap.is_boolean()) {
            if (!ap.get<bool>()) errors->push_back(cat + ": not allowed");
          } else {
            Validate(child, ap, cat, errors);
          }
        }
      }
    }
    if (s.contains("oneOf")) {
      int passing = 0;
      for (const auto& alt : s["oneOf"]) {
        std::vector<std::string> sub;
        Validate(v, alt, at, &sub);
        if (sub.empty()) ++passing;
      }
      if (passing != 1)
        errors->push_back(at + ": matches " + std::to_string(passing) +
                          " of oneOf");
    }
  }

  std::vector<std::string> Check(const nlohmann::json& v) const {
    std::vector<std::string> errors;
    Validate(v, root_, "", &errors);
    return errors;
  }

 private:
  static bool IsType(const nlohmann::json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "integer") return v.is_number_integer();
    if (t == "number") return v.is_number();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    return false;
  }
  nlohmann::json root_;
};

// YAML -> JSON with YAML 1.2 core-schema typing of plain scalars; quoted
// scalars stay strings.
nlohmann::json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : n) a.push_back(ToJson(item));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return s;
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      static const std::regex kInt("^-?[0-9]+$");
      static const std::regex kFloat(
          "^-?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?$");
      if (std::regex_match(s, kInt)) return std::stoll(s);
      if (std::regex_match(s, kFloat)) return std::stod(s);
      return s;
    }
    default:
      return nullptr;
  }
}

MiniSchema LoadSchema() {
  std::string text = ReadText(kSource + "/docs/manifest.schema.json");
  return MiniSchema(nlohmann::json::parse(text));
}

TEST(NativeSchema, EveryExampleIsValid) {
  MiniSchema schema = LoadSchema();
  for (const char* f : {"examples/boutique.yaml", "examples/boutique.json",
                        "examples/boutique-v2.yaml", "examples/minimal.yaml"}) {
    nlohmann::json doc = ToJson(YAML::LoadFile(kSource + "/" + f));
    EXPECT_THAT(schema.Check(doc), testing::IsEmpty()) << f;
  }
}

TEST(NativeSchema, RejectsWhatTheReaderRejects) {
  MiniSchema schema = LoadSchema();
  for (const char* f : {"unknown_key.yaml", "bad_unit.yaml", "wrong_type.yaml",
                        "negative.yaml", "absurd.yaml", "no_version.yaml"}) {
    nlohmann::json doc =
        ToJson(YAML::LoadFile(kSource + "/testdata/native/" + f));
    EXPECT_THAT(schema.Check(doc), testing::Not(testing::IsEmpty())) << f;
  }
  for (const char* text :
       {"ecotone: v1\ncomponents: []\n",
        "ecotone: v1\ncomponents: [{name: a, kind: lambda}]\n",
        "ecotone: v1\ncomponents: [{name: a, resources: {cpu: 2k}}]\n",
        "ecotone: v1\ncomponents: [{name: a, latency_slo: 5 parsecs}]\n",
        "ecotone: v1\ncomponents: [{name: a}]\ndependencies: [{from: a}]\n",
        "ecotone: v1\ncomponents: [{name: a}]\n"
        "dependencies: [{from: a, to: b, criticality: high}]\n"}) {
    ASSERT_FALSE(ReadNative("t.yaml", text, {}).ok()) << text;
    EXPECT_THAT(schema.Check(ToJson(YAML::Load(text))),
                testing::Not(testing::IsEmpty()))
        << text;
  }
}

}  // namespace
}  // namespace ecotone::manifest
