// Emission of Kubernetes objects: for the plan of every shared manifest
// (placed with the placement library on examples/infra-3zones.yaml) the
// workloads' node affinity names the zone (and rack) of the plan's replicas
// and their replica counts sum to the plan's; partial objects of the user's
// Kubernetes workloads keep their names; NetworkPolicies carry the
// allow-list; bad plans fail with the file and field; output is
// deterministic. Schema validation of the same objects is the CTest
// k8s_validate (tests/k8s-validate/run.sh).
#include "ecotone/kubernetes/emit.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "yaml_writer.h"

namespace ecotone::kubernetes {
namespace {

using nlohmann::ordered_json;

const std::string kData = std::string(ECOTONE_SHARED_DATA) + "/manifests/";
const std::string kSrc = std::string(ECOTONE_SOURCE_DIR) + "/";

struct Case {
  std::string name;
  std::vector<std::string> files;
};

std::vector<Case> SharedManifests() {
  return {
      {"nginx_flask_mysql",
       {kData + "awesome-compose-nginx-flask-mysql/compose.yaml"}},
      {"react_express_mongodb",
       {kData + "awesome-compose-react-express-mongodb/compose.yaml"}},
      {"wasmedge_kafka_mysql",
       {kData + "awesome-compose-wasmedge-kafka-mysql/compose.yml"}},
      {"hotelreservation",
       {kData + "deathstarbench-hotelreservation/docker-compose.yml"}},
      {"socialnetwork",
       {kData + "deathstarbench-socialnetwork/docker-compose.yml"}},
      {"eshoponcontainers",
       {kData + "eshoponcontainers/docker-compose.yml",
        kData + "eshoponcontainers/docker-compose.override.yml"}},
      {"example_voting_app", {kData + "example-voting-app/docker-compose.yml"}},
      {"online_boutique",
       {kData + "online-boutique/kubernetes-manifests.yaml"}},
      {"teastore_compose", {kData + "teastore/docker-compose_default.yaml"}},
      {"teastore_k8s", {kData + "teastore/teastore-clusterip.yaml"}},
      {"train_ticket_compose", {kData + "train-ticket/docker-compose.yml"}},
      {"train_ticket_k8s",
       {kData + "train-ticket/quickstart-ts-deployment-part1.yml",
        kData + "train-ticket/quickstart-ts-deployment-part2.yml",
        kData + "train-ticket/quickstart-ts-deployment-part3.yml"}},
      // Several replicas per component: several zone groups.
      {"boutique_native", {kSrc + "examples/boutique.yaml"}},
      {"k8s_features", {kSrc + "testdata/kubernetes/features.yaml"}},
  };
}

// Everything one emission needs, kept alive together.
struct Fixture {
  model::Ecosystem eco;
  model::Topology topo;
  model::PlacementPlan plan;
  std::vector<SourceObject> sources;
  EmitOptions opt;
};

void Load(const std::vector<std::string>& files, Fixture* f) {
  auto loaded = manifest::LoadFiles(files, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  f->eco = loaded->ecosystem;
  auto topo = manifest::LoadInfraFile(kSrc + "examples/infra-3zones.yaml");
  ASSERT_TRUE(topo.ok()) << topo.status().ToString();
  f->topo = *topo;
  placement::SolveOptions so;
  so.seed = 3;
  so.max_iterations = 3000;
  auto placed =
      placement::PlaceEcosystem(f->eco, f->topo, nullptr, {}, so, "heuristic");
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  ASSERT_FALSE(placed->plan.assignments.empty());
  f->plan = placed->plan;
  auto sources = ReadSourceObjects(files);
  ASSERT_TRUE(sources.ok()) << sources.status().ToString();
  f->sources = *sources;
  f->opt.topology = &f->topo;
  f->opt.sources = &f->sources;
  f->opt.plan_file = "plan.json";
}

bool IsWorkload(const Object& o) {
  return o.kind == "Deployment" || o.kind == "StatefulSet";
}

// The zone/rack expressions of the first node selector term.
std::map<std::string, std::string> PinnedLabels(const Object& o) {
  std::map<std::string, std::string> out;
  const auto& terms =
      o.body["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]
            ["nodeSelectorTerms"];
  for (const auto& e : terms.at(0)["matchExpressions"]) {
    if (e["operator"] == "In" && e["values"].size() == 1)
      out[e["key"].get<std::string>()] = e["values"][0].get<std::string>();
  }
  return out;
}

class EveryManifest : public ::testing::TestWithParam<Case> {};

TEST_P(EveryManifest, AffinityAndReplicasFollowThePlan) {
  Fixture f;
  Load(GetParam().files, &f);
  if (HasFatalFailure()) return;
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  // Plan: replicas per (component, zone, rack).
  std::map<std::string, int> plan_total;
  std::map<std::tuple<std::string, std::string, std::string>, int> plan_group;
  for (const auto& a : f.plan.assignments) {
    ++plan_total[a.component];
    ++plan_group[{a.component, a.zone, a.rack}];
  }
  std::map<std::string, int> emitted_total;
  std::map<std::tuple<std::string, std::string, std::string>, int>
      emitted_group;
  int workloads = 0;
  for (const auto& o : em->objects) {
    EXPECT_EQ(o.body["metadata"]["annotations"]["ecotone.io/plan-id"],
              em->plan_id);
    EXPECT_FALSE(o.body["metadata"]["annotations"]["ecotone.io/action"]
                     .get<std::string>()
                     .empty());
    if (!IsWorkload(o)) continue;
    ++workloads;
    auto pinned = PinnedLabels(o);
    ASSERT_TRUE(pinned.count(std::string(kZoneLabel))) << o.name;
    ASSERT_TRUE(pinned.count(std::string(kDefaultRackLabel))) << o.name;
    int replicas = o.body["spec"]["replicas"].get<int>();
    emitted_total[o.component] += replicas;
    emitted_group[{o.component, pinned[std::string(kZoneLabel)],
                   pinned[std::string(kDefaultRackLabel)]}] += replicas;
    EXPECT_EQ(o.body["metadata"]["annotations"]["ecotone.io/zone-group"],
              pinned[std::string(kZoneLabel)] + "/" +
                  pinned[std::string(kDefaultRackLabel)]);
  }
  EXPECT_GT(workloads, 0);
  // Components the emission skips (Jobs, DaemonSets...) are in the notes.
  std::set<std::string> skipped;
  for (const auto& n : em->notes)
    if (n.code == "kind-not-actuated") skipped.insert(n.message);
  for (const auto& [comp, n] : plan_total) {
    if (!emitted_total.count(comp)) {
      EXPECT_FALSE(skipped.empty()) << comp << " has no workload";
      continue;
    }
    EXPECT_EQ(emitted_total[comp], n) << comp;
  }
  for (const auto& [key, n] : emitted_group)
    EXPECT_EQ(plan_group[key], n)
        << std::get<0>(key) << " in " << std::get<1>(key);
}

INSTANTIATE_TEST_SUITE_P(Shared, EveryManifest,
                         ::testing::ValuesIn(SharedManifests()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return i.param.name;
                         });

TEST(Emit, UserWorkloadsBecomePartialObjectsWithTheirOwnNames) {
  Fixture f;
  Load({kData + "online-boutique/kubernetes-manifests.yaml"}, &f);
  if (HasFatalFailure()) return;
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  int patches = 0;
  for (const auto& o : em->objects) {
    if (o.kind != "Deployment") continue;
    ASSERT_TRUE(o.patch) << o.name;  // one replica each: the main group.
    ++patches;
    EXPECT_EQ(o.FileName(), "patches/" + o.name + ".deployment.yaml");
    EXPECT_EQ(o.source.file, f.opt.sources->front().where.file);
    // Only Ecotone's fields: no selector (immutable), no image.
    EXPECT_FALSE(o.body["spec"].contains("selector"));
    EXPECT_FALSE(o.body["spec"]["template"].contains("metadata"));
    // Spread selects the user's pods by the user's selector.
    EXPECT_EQ(o.body["spec"]["template"]["spec"]["topologySpreadConstraints"][0]
                    ["labelSelector"]["matchLabels"]["app"],
              o.name);
  }
  EXPECT_EQ(patches, 12);
}

TEST(Emit, ExtraZoneGroupsOfAUserWorkloadAreCopiesWithTheirOwnSelector) {
  Fixture f;
  Load({kSrc + "testdata/kubernetes/features.yaml"}, &f);
  if (HasFatalFailure()) return;
  // api: 3 replicas, two in eu-west-1a/a1 and one in eu-west-1c/c2.
  f.plan.assignments.erase(
      std::remove_if(
          f.plan.assignments.begin(), f.plan.assignments.end(),
          [](const model::Assignment& a) { return a.component == "api"; }),
      f.plan.assignments.end());
  for (int r = 0; r < 3; ++r)
    f.plan.assignments.push_back({"api",
                                  r,
                                  r < 2 ? "eu-west-1a" : "eu-west-1c",
                                  r < 2 ? "a1" : "c2",
                                  "",
                                  {}});
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  const Object* main = nullptr;
  const Object* copy = nullptr;
  for (const auto& o : em->objects) {
    if (o.kind != "Deployment" || o.component != "api") continue;
    (o.patch ? main : copy) = &o;
  }
  ASSERT_NE(main, nullptr);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(main->name, "api");
  EXPECT_EQ(main->namespace_name, "shop");
  EXPECT_EQ(main->body["spec"]["replicas"], 2);
  EXPECT_EQ(PinnedLabels(*main)[std::string(kZoneLabel)], "eu-west-1a");
  EXPECT_EQ(copy->name, "api-eu-west-1c-c2");
  EXPECT_EQ(copy->body["spec"]["replicas"], 1);
  EXPECT_EQ(PinnedLabels(*copy)[std::string(kZoneLabel)], "eu-west-1c");
  // The copy keeps the user's fields and selects only its own pods.
  const auto& sel = copy->body["spec"]["selector"]["matchLabels"];
  EXPECT_EQ(sel["tier"], "backend");
  EXPECT_EQ(sel[std::string(kZoneGroupLabel)], "eu-west-1c-c2");
  EXPECT_EQ(copy->body["spec"]["template"]["metadata"]["labels"]
                      [std::string(kZoneGroupLabel)],
            "eu-west-1c-c2");
  EXPECT_EQ(copy->body["metadata"]["labels"]["team"], "core");
  EXPECT_TRUE(copy->body["spec"]["template"]["spec"]["containers"].size() >= 2);
  // The user's HPA on api is updated in place, the copy gets its own; the
  // bounds of the groups cover the component's range.
  int hpa_min = 0, hpa_max = 0, hpas = 0;
  for (const auto& o : em->objects) {
    if (o.kind != "HorizontalPodAutoscaler" || o.component != "api") continue;
    ++hpas;
    hpa_min += o.body["spec"]["minReplicas"].get<int>();
    hpa_max += o.body["spec"]["maxReplicas"].get<int>();
    if (o.patch) {
      EXPECT_FALSE(o.body["spec"].contains("scaleTargetRef"));
    } else {
      EXPECT_EQ(o.body["spec"]["scaleTargetRef"]["name"], copy->name);
    }
  }
  EXPECT_EQ(hpas, 2);
  const model::Component* api = f.eco.FindComponent("api");
  ASSERT_NE(api, nullptr);
  EXPECT_GE(hpa_max, api->replicas.max);
  EXPECT_GE(hpa_min, 2);
  // PDB over all of api's pods (the user's selector).
  bool pdb = false;
  for (const auto& o : em->objects)
    if (o.kind == "PodDisruptionBudget" && o.component == "api") {
      pdb = true;
      EXPECT_EQ(o.body["spec"]["selector"]["matchLabels"],
                ordered_json({{"tier", "backend"}}));
      EXPECT_EQ(o.body["spec"]["maxUnavailable"], 1);
    }
  EXPECT_TRUE(pdb);
}

TEST(Emit, PodAffinityTowardsChattyPartnersInTheSameZone) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  // Put every replica in eu-west-1b/b1 except currencyservice (1c/c1).
  for (auto& a : f.plan.assignments) {
    a.zone = a.component == "currencyservice" ? "eu-west-1c" : "eu-west-1b";
    a.rack = a.component == "currencyservice" ? "c1" : "b1";
  }
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  for (const auto& o : em->objects) {
    if (o.kind != "Deployment" || o.component != "cartservice") continue;
    const auto& pref =
        o.body["spec"]["template"]["spec"]["affinity"]["podAffinity"]
              ["preferredDuringSchedulingIgnoredDuringExecution"];
    std::set<std::string> partners;
    for (const auto& t : pref) {
      partners.insert(t["podAffinityTerm"]["labelSelector"]["matchLabels"]
                       [std::string(kComponentLabel)]);
      EXPECT_EQ(t["podAffinityTerm"]["topologyKey"], kDefaultRackLabel);
      EXPECT_GE(t["weight"].get<int>(), 1);
      EXPECT_LE(t["weight"].get<int>(), 100);
    }
    EXPECT_TRUE(partners.count("redis-cart"));
    EXPECT_TRUE(partners.count("frontend"));
  }
  for (const auto& o : em->objects) {
    if (o.kind != "Deployment" || o.component != "frontend") continue;
    const auto& aff = o.body["spec"]["template"]["spec"]["affinity"];
    if (!aff.contains("podAffinity")) continue;
    for (const auto& t :
         aff["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"])
      EXPECT_NE(t["podAffinityTerm"]["labelSelector"]["matchLabels"]
                 [std::string(kComponentLabel)],
                "currencyservice");  // split by the plan: no affinity.
  }
}

TEST(Emit, NetworkPolicyAllowsOnlyTheListAndDns) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  IsolateRequest r;
  r.component = "redis-cart";
  r.allow = {"cartservice", "frontend"};
  r.reason = "alert: unexpected outbound connections";
  IsolateRequest none;
  none.component = "emailservice";
  f.opt.isolate = {r, none};
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  std::map<std::string, const Object*> policies;
  for (const auto& o : em->objects)
    if (o.kind == "NetworkPolicy") policies[o.component] = &o;
  ASSERT_EQ(policies.size(), 2u);
  const Object& p = *policies["redis-cart"];
  EXPECT_EQ(p.name, "ecotone-isolate-redis-cart");
  EXPECT_EQ(p.action, "isolate");
  EXPECT_EQ(p.body["metadata"]["annotations"]["ecotone.io/reason"], r.reason);
  const auto& spec = p.body["spec"];
  EXPECT_EQ(spec["podSelector"]["matchLabels"][std::string(kComponentLabel)],
            "redis-cart");
  EXPECT_EQ(spec["policyTypes"], ordered_json::array({"Ingress", "Egress"}));
  std::set<std::string> from, to;
  ASSERT_EQ(spec["ingress"].size(), 1u);
  for (const auto& peer : spec["ingress"][0]["from"])
    from.insert(
        peer["podSelector"]["matchLabels"][std::string(kComponentLabel)]);
  EXPECT_EQ(from, (std::set<std::string>{"cartservice", "frontend"}));
  ASSERT_EQ(spec["egress"].size(), 2u);
  const auto& dns = spec["egress"][0];
  EXPECT_EQ(dns["to"][0]["podSelector"]["matchLabels"]["k8s-app"], "kube-dns");
  std::set<std::pair<std::string, int>> dns_ports;
  for (const auto& port : dns["ports"])
    dns_ports.insert(
        {port["protocol"].get<std::string>(), port["port"].get<int>()});
  EXPECT_EQ(dns_ports,
            (std::set<std::pair<std::string, int>>{{"UDP", 53}, {"TCP", 53}}));
  for (const auto& peer : spec["egress"][1]["to"])
    to.insert(peer["podSelector"]["matchLabels"][std::string(kComponentLabel)]);
  EXPECT_EQ(to, from);
  // An empty allow-list: no ingress rule at all, DNS egress only.
  const auto& s2 = policies["emailservice"]->body["spec"];
  EXPECT_TRUE(s2["ingress"].empty());
  ASSERT_EQ(s2["egress"].size(), 1u);
}

TEST(Emit, ScaleSplitsTheNewCountOverTheZoneGroups) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  for (auto& a : f.plan.assignments)
    if (a.component == "frontend") {
      a.zone = a.replica == 0 ? "eu-west-1a" : "eu-west-1b";
      a.rack = a.replica == 0 ? "a1" : "b1";
    }
  ScaleRequest s;
  s.component = "frontend";
  s.replicas = 7;
  s.reason = "forecast";
  f.opt.scale = {s};
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  int total = 0, groups = 0;
  for (const auto& o : em->objects) {
    if (o.kind != "Deployment" || o.component != "frontend") continue;
    ++groups;
    total += o.body["spec"]["replicas"].get<int>();
    EXPECT_EQ(o.action, "scale");
    EXPECT_EQ(o.body["metadata"]["annotations"]["ecotone.io/action"], "scale");
  }
  EXPECT_EQ(groups, 2);
  EXPECT_EQ(total, 7);
}

TEST(Emit, ReplicaScheduleSetsHpaBoundsAndAnnotation) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  for (auto& a : f.plan.assignments) {
    a.zone = "eu-west-1b";
    a.rack = "b1";
  }
  auto sched = ReadReplicaSchedules("sched.json", R"([
    {"component": "frontend", "model": "mstl", "schedule": [
      {"timestamp": "2026-11-30T00:00:00+00:00", "replicas": 3},
      {"timestamp": "2026-11-30T00:30:00+00:00", "replicas": 3},
      {"timestamp": "2026-11-30T01:00:00+00:00", "replicas": 9},
      {"timestamp": "2026-11-30T01:30:00+00:00", "replicas": 5}]}])");
  ASSERT_TRUE(sched.ok()) << sched.status().ToString();
  f.opt.schedules = *sched;
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  int hpas = 0;
  for (const auto& o : em->objects) {
    if (o.kind != "HorizontalPodAutoscaler" || o.component != "frontend")
      continue;
    ++hpas;
    EXPECT_EQ(o.body["spec"]["minReplicas"], 3);
    EXPECT_EQ(o.body["spec"]["maxReplicas"], 9);
    const auto& ann = o.body["metadata"]["annotations"];
    auto changes = ordered_json::parse(
        ann["ecotone.io/replica-schedule"].get<std::string>());
    ASSERT_EQ(changes.size(), 3u);  // 3, 9, 5: repeated steps dropped.
    EXPECT_EQ(changes[1]["at"], "2026-11-30T01:00:00+00:00");
    EXPECT_EQ(changes[1]["replicas"], 9);
    EXPECT_EQ(ann["ecotone.io/replica-schedule-share"], "3/3");
  }
  EXPECT_EQ(hpas, 1);
  // Bad schedules name the field.
  auto bad = ReadReplicaSchedules(
      "sched.json",
      R"([{"component": "frontend", "schedule": [{"timestamp": "t", "replicas": "many"}]}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where().path, "[0].schedule[0].replicas");
  // Found by replica_schedule_fuzz: a number JSON cannot hold threw.
  auto huge = ReadReplicaSchedules("sched.json", "[1e999]");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
  f.opt.schedules = {{"ghost", {{"t", 1}}}};
  EXPECT_FALSE(Emit(f.eco, f.plan, f.opt).ok());
}

TEST(Emit, OutputIsDeterministic) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  auto a = Emit(f.eco, f.plan, f.opt);
  auto b = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ToYamlStream(*a), ToYamlStream(*b));
  EXPECT_EQ(a->plan_id, PlanId(f.plan));
  // Another plan, another id.
  model::PlacementPlan other = f.plan;
  other.assignments[0].zone =
      other.assignments[0].zone == "eu-west-1a" ? "eu-west-1b" : "eu-west-1a";
  EXPECT_NE(PlanId(other), PlanId(f.plan));
}

TEST(Emit, PlanForAnotherEcosystemIsAnErrorAtItsField) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  f.plan.ecosystem = "train-ticket";
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_FALSE(em.ok());
  EXPECT_EQ(em.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(em.status().where().file, "plan.json");
  EXPECT_EQ(em.status().where().path, "ecosystem");
}

TEST(Emit, ZoneThatIsNotALabelValueIsAnErrorAtTheAssignment) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  f.opt.topology = nullptr;  // the zone is not in the infra either.
  f.plan.assignments[1].zone = "EU West (Paris)";
  f.plan.assignments[1].where = {"plan.json", 12, 5, "assignments[1]"};
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_FALSE(em.ok());
  EXPECT_EQ(em.status().where().path, "assignments[1].zone");
  EXPECT_EQ(em.status().where().line, 12);
  EXPECT_NE(em.status().message().find("label value"), std::string::npos);
}

TEST(Emit, ComponentMissingFromTheManifestIsAnError) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  f.opt.topology = nullptr;
  f.plan.assignments[0].component = "ghost";
  f.plan.assignments[0].where = {"plan.json", 7, 5, "assignments[0]"};
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_FALSE(em.ok());
  EXPECT_EQ(em.status().where().path, "assignments[0].component");
  EXPECT_NE(em.status().message().find("ghost"), std::string::npos);
}

TEST(Emit, IsolatingAnUnknownComponentIsAnError) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  IsolateRequest r;
  r.component = "redis-cart";
  r.allow = {"nobody"};
  r.where = {"", 0, 0, "--isolate[0]"};
  f.opt.isolate = {r};
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_FALSE(em.ok());
  EXPECT_EQ(em.status().where().path, "--isolate[0]");
  EXPECT_NE(em.status().message().find("nobody"), std::string::npos);
}

TEST(Emit, UserWorkloadMissingFromTheSourcesIsAnError) {
  Fixture f;
  Load({kData + "online-boutique/kubernetes-manifests.yaml"}, &f);
  if (HasFatalFailure()) return;
  std::vector<SourceObject> none;
  f.opt.sources = &none;
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_FALSE(em.ok());
  EXPECT_NE(em.status().where().file.find("kubernetes-manifests.yaml"),
            std::string::npos);
}

LoggedAction Logged(model::Action a, int line) {
  return {std::move(a), {"audit.jsonl", line, 1, ""}};
}

TEST(Actions, MigrateScaleIsolateReleaseAndRolloutBecomeObjects) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  for (auto& a : f.plan.assignments) {
    a.zone = "eu-west-1b";
    a.rack = "b1";
  }
  std::vector<LoggedAction> log;
  model::Action m;
  m.kind = model::ActionKind::kMigrate;
  m.id = 41;
  m.component = "cartservice";
  m.replica = 0;
  m.to = {"eu-west-1a", "a2", ""};
  m.trigger = "rack b1 degraded";
  log.push_back(Logged(m, 1));
  model::Action in;  // frontend 3 -> 1: replicas 1 and 2 go.
  in.kind = model::ActionKind::kScale;
  in.component = "frontend";
  in.from_replicas = 3;
  in.to_replicas = 1;
  log.push_back(Logged(in, 2));
  model::Action iso;
  iso.kind = model::ActionKind::kIsolate;
  iso.component = "redis-cart";
  iso.allow = {"cartservice"};
  log.push_back(Logged(iso, 3));
  model::Action iso2 = iso;
  iso2.component = "emailservice";
  iso2.allow = {};
  log.push_back(Logged(iso2, 4));
  model::Action rel;
  rel.kind = model::ActionKind::kRelease;
  rel.component = "emailservice";
  log.push_back(Logged(rel, 5));
  model::Action up;
  up.kind = model::ActionKind::kRollingUpdate;
  up.component = "adservice";
  up.image = "example/adservice:v2";
  log.push_back(Logged(up, 6));
  std::vector<model::Problem> notes;
  ASSERT_TRUE(ApplyActions(log, &f.plan, &f.opt, &notes).ok());
  auto em = Emit(f.eco, f.plan, f.opt);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  std::set<std::string> policies;
  for (const auto& o : em->objects) {
    if (o.kind == "NetworkPolicy") policies.insert(o.component);
    if (!IsWorkload(o)) continue;
    if (o.component == "cartservice") {
      // cartservice had 2 replicas in b1; replica 0 moved to 1a/a2.
      auto pinned = PinnedLabels(o);
      EXPECT_EQ(o.body["spec"]["replicas"], 1);
      EXPECT_EQ(o.body["metadata"]["annotations"]["ecotone.io/action"],
                "migrate");
      EXPECT_EQ(o.body["metadata"]["annotations"]["ecotone.io/action-id"],
                "41");
      EXPECT_EQ(o.body["metadata"]["annotations"]["ecotone.io/reason"],
                "rack b1 degraded");
      EXPECT_TRUE(pinned[std::string(kZoneLabel)] == "eu-west-1a" ||
                  pinned[std::string(kZoneLabel)] == "eu-west-1b");
    }
    if (o.component == "frontend") {
      EXPECT_EQ(o.body["spec"]["replicas"], 1);
      EXPECT_EQ(o.action, "scale");
    }
    if (o.component == "adservice") {
      EXPECT_EQ(o.body["spec"]["template"]["spec"]["containers"][0]["image"],
                "example/adservice:v2");
    }
  }
  EXPECT_EQ(policies, (std::set<std::string>{"redis-cart"}));
}

TEST(Actions, ComponentThePlanLacksIsAnErrorAtItsLine) {
  Fixture f;
  Load({kSrc + "examples/boutique.yaml"}, &f);
  if (HasFatalFailure()) return;
  model::Action a;
  a.kind = model::ActionKind::kScale;
  a.component = "ghost";
  a.to_replicas = 2;
  Status st = ApplyActions({Logged(a, 9)}, &f.plan, &f.opt, nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().file, "audit.jsonl");
  EXPECT_EQ(st.where().line, 9);
  EXPECT_EQ(st.where().path, "component");
}

TEST(YamlWriter, QuotesWhatAResolverWouldRetype) {
  for (const char* s :
       {"true", "Yes",  "no",    "on",  "OFF",        "null", "~",
        "1.25", "0x1F", "12:30", "-1",  ".5",         "",     "a b",
        "a: b", "#x",   "- x",   "'q'", "nginx:1.25", "1e3"})
    EXPECT_FALSE(IsSafePlainScalar(s)) << s;
  for (const char* s : {"nginx", "eu-west-1a", "app.kubernetes.io/name",
                        "topology.kubernetes.io/zone", "Deployment"})
    EXPECT_TRUE(IsSafePlainScalar(s)) << s;
  ordered_json j = {
      {"a", "true"},
      {"b", true},
      {"c", 53},
      {"d", ordered_json::array({"x", "1.0", ordered_json::object()})},
      {"e", {{"f", "line\nbreak \"q\""}}},
      {"g", ordered_json::array()}};
  YAML::Node n = YAML::Load(ToYaml(j));
  EXPECT_EQ(n["a"].Scalar(), "true");
  EXPECT_EQ(n["a"].Tag(), "!");  // quoted: a string, not a boolean.
  EXPECT_EQ(n["b"].Tag(), "?");
  EXPECT_EQ(n["c"].as<int>(), 53);
  EXPECT_EQ(n["d"][1].Scalar(), "1.0");
  EXPECT_EQ(n["d"][1].Tag(), "!");
  EXPECT_TRUE(n["d"][2].IsMap());
  EXPECT_EQ(n["e"]["f"].Scalar(), "line\nbreak \"q\"");
  EXPECT_TRUE(n["g"].IsSequence());
  EXPECT_EQ(n["g"].size(), 0u);
}

TEST(Labels, ValidLabelValues) {
  EXPECT_TRUE(ValidLabelValue("eu-west-1a"));
  EXPECT_TRUE(ValidLabelValue("A.b_c-1"));
  EXPECT_TRUE(ValidLabelValue(""));
  EXPECT_FALSE(ValidLabelValue("-a"));
  EXPECT_FALSE(ValidLabelValue("a/b"));
  EXPECT_FALSE(ValidLabelValue("eu west"));
  EXPECT_FALSE(ValidLabelValue(std::string(64, 'a')));
}

}  // namespace
}  // namespace ecotone::kubernetes
