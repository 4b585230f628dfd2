#include "ecotone/placement/ecosystem_problem.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/placement/replace.h"

namespace ecotone::placement {
namespace {

const std::string kExamples = std::string(ECOTONE_SOURCE_DIR) + "/examples/";
const std::string kManifests = std::string(ECOTONE_SHARED_DATA) + "/manifests/";

model::Topology Infra(const std::string& name) {
  auto t = manifest::LoadInfraFile(kExamples + name);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : model::Topology{};
}

model::Component Comp(const std::string& name, int replicas, int64_t cpu_m,
                      int64_t mem) {
  model::Component c;
  c.name = name;
  c.replicas.initial = c.replicas.max = replicas;
  c.requests.cpu_millicores = cpu_m;
  c.requests.memory_bytes = mem;
  return c;
}

model::Dependency Dep(const std::string& from, const std::string& to,
                      double rps, double bytes_per_s) {
  model::Dependency d;
  d.from = from;
  d.to = to;
  d.traffic_rps = rps;
  d.traffic_bytes_per_s = bytes_per_s;
  return d;
}

SolveOptions Fast() {
  SolveOptions s;
  s.time_limit_s = 5;
  s.seed = 7;
  s.max_iterations = 5000;
  return s;
}

TEST(BuildEcosystemProblem, MapsReplicasRacksAndProximity) {
  model::Ecosystem eco;
  eco.components = {Comp("web", 3, 500, 1LL << 30),
                    Comp("db", 1, 2000, 8LL << 30)};
  eco.dependencies = {Dep("web", "db", 200, 1e6)};
  model::Topology topo = Infra("infra-3zones.yaml");
  auto ep = BuildEcosystemProblem(eco, topo, nullptr, EcosystemOptions{});
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->problem.num_items, 4);
  EXPECT_EQ(ep->problem.num_bins, 6);  // 3 zones × 2 racks
  EXPECT_EQ(ep->problem.bin_domain.size(), 6u);
  ASSERT_EQ(ep->pairs.size(), 1u);
  EXPECT_GT(ep->pairs[0].proximity, 0);
  EXPECT_EQ(ep->partners.size(), 3u);  // max(3, 1) partner pairs
  // web spreads over >= 2 zones by default; db has one replica.
  EXPECT_EQ(ep->problem.groups[0].min_distinct_domains, 2);
  EXPECT_EQ(ep->problem.groups[1].min_distinct_domains, 0);
  // Distance: same rack 0, racks of one zone 0.08 ms, zones 0.9 ms.
  EXPECT_DOUBLE_EQ(ep->problem.Distance(0, 1), 0.08);
  EXPECT_DOUBLE_EQ(ep->problem.Distance(0, 2), 0.9);
}

TEST(BuildEcosystemProblem, UnknownAllowedZoneIsAnError) {
  model::Ecosystem eco;
  eco.components = {Comp("db", 1, 100, 1 << 20)};
  eco.components[0].placement.allowed_zones = {"mars-1a"};
  auto ep = BuildEcosystemProblem(eco, Infra("infra-3zones.yaml"), nullptr, {});
  ASSERT_FALSE(ep.ok());
  EXPECT_NE(ep.status().message().find("mars-1a"), std::string::npos);
}

TEST(PlaceEcosystem, ChattyPairsShareAZoneWhenSpreadAllows) {
  model::Ecosystem eco;
  eco.components = {Comp("api", 1, 500, 1LL << 30),
                    Comp("cache", 1, 500, 1LL << 30),
                    Comp("db", 1, 500, 1LL << 30)};
  eco.dependencies = {Dep("api", "cache", 1000, 5e6),
                      Dep("api", "db", 500, 2e6)};
  auto r = PlaceEcosystem(eco, Infra("infra-3zones.yaml"), nullptr, {}, Fast(),
                          "heuristic");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->status == SolveOutcome::kOptimal ||
              r->status == SolveOutcome::kFeasible);
  std::set<std::string> zones;
  for (const auto& a : r->plan.assignments) zones.insert(a.zone);
  EXPECT_EQ(zones.size(), 1u);
  EXPECT_TRUE(r->split_dependencies.empty());
  EXPECT_DOUBLE_EQ(r->costs.egress, 0);
  EXPECT_GT(r->costs.resource, 0);
  EXPECT_NEAR(r->objective, r->costs.total(), 1e-9);
}

TEST(PlaceEcosystem, DataResidencyLabelRestrictsZones) {
  model::Ecosystem eco;
  eco.components = {Comp("db", 2, 1000, 4LL << 30)};
  eco.components[0].placement.zone_labels = {{"data-residency", "eu-strict"}};
  auto r = PlaceEcosystem(eco, Infra("infra-3zones.yaml"), nullptr, {}, Fast(),
                          "heuristic");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->plan.assignments.size(), 2u);
  for (const auto& a : r->plan.assignments) EXPECT_EQ(a.zone, "eu-west-1c");
}

TEST(PlaceEcosystem, InfeasibleIsAnAnswerWithAnExplanation) {
  model::Ecosystem eco;
  // 3 × 200 GiB of memory; the infra has 256 + 256 + 512 GiB but spread
  // needs 3 zones and only eu-west-1c may hold it.
  eco.components = {Comp("db", 3, 1000, 200LL << 30)};
  eco.components[0].placement.spread_min_zones = 3;
  eco.components[0].placement.allowed_zones = {"eu-west-1a", "eu-west-1b"};
  auto r = PlaceEcosystem(eco, Infra("infra-3zones.yaml"), nullptr, {}, Fast(),
                          "heuristic");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->status, SolveOutcome::kOptimal);
  EXPECT_NE(r->status, SolveOutcome::kFeasible);
  EXPECT_FALSE(r->infeasible.empty());
  EXPECT_TRUE(r->plan.assignments.empty());
}

// Infeasibility explained in ecosystem terms (issue 3): aggregated per
// dimension and zone set, and per spread constraint.
TEST(ExplainInfeasibility, SpreadNeedsMoreZonesThanAllowed) {
  model::Ecosystem eco;
  eco.components = {Comp("db", 3, 1000, 4LL << 30)};
  eco.components[0].placement.spread_min_zones = 3;
  eco.components[0].placement.allowed_zones = {"eu-west-1a", "eu-west-1b"};
  auto r = PlaceEcosystem(eco, Infra("infra-3zones.yaml"), nullptr, {}, Fast(),
                          "heuristic");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, SolveOutcome::kInfeasible);
  ASSERT_EQ(r->infeasible_reasons.size(), 1u) << r->infeasible;
  EXPECT_EQ(r->infeasible_reasons[0],
            "replicas of db need 3 zones, 2 allowed (zones eu-west-1a, "
            "eu-west-1b)");
}

TEST(ExplainInfeasibility, MemoryShortInAllZonesOnRealManifest) {
  // online-boutique on the 3-zone example with every rack cut to 64 MiB of
  // memory: the shortfall is reported once, for the whole usable set, in
  // GiB, naming the components.
  auto lr = manifest::LoadFiles(
      {kManifests + "online-boutique/kubernetes-manifests.yaml"}, {});
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  model::Topology topo = Infra("infra-3zones.yaml");
  for (auto& z : topo.zones) {
    z.capacity.memory_bytes = 0;
    for (auto& rack : z.racks) {
      rack.capacity.memory_bytes = 64LL << 20;
      z.capacity.memory_bytes += rack.capacity.memory_bytes;
    }
  }
  auto r =
      PlaceEcosystem(lr->ecosystem, topo, nullptr, {}, Fast(), "heuristic");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, SolveOutcome::kInfeasible);
  int found = 0;
  for (const auto& why : r->infeasible_reasons) {
    if (why.rfind("memory short by ", 0) == 0) {
      ++found;
      EXPECT_NE(why.find(" GiB in all usable zones (demand "),
                std::string::npos)
          << why;
      EXPECT_NE(why.find("replicas of frontend"), std::string::npos) << why;
    }
  }
  EXPECT_EQ(found, 1) << r->infeasible;
}

TEST(ExplainInfeasibility, ShortfallNamesTheRegion) {
  // Region eu-central-1 of the two-region example has 4 usable 64 GiB
  // hosts (one is quarantined) and a 256 GiB zone: 512 GiB for 6 × 100 GiB.
  model::Ecosystem eco;
  eco.components = {Comp("db", 6, 1000, 100LL << 30)};
  eco.components[0].placement.allowed_regions = {"eu-central-1"};
  auto r = PlaceEcosystem(eco, Infra("infra-2regions-hosts.yaml"), nullptr, {},
                          Fast(), "heuristic");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, SolveOutcome::kInfeasible);
  ASSERT_EQ(r->infeasible_reasons.size(), 1u) << r->infeasible;
  EXPECT_EQ(r->infeasible_reasons[0],
            "memory short by 88 GiB in eu-central-1 (demand 600 GiB > usable "
            "capacity 512 GiB; replicas of db)");
}

TEST(ExplainInfeasibility, FailedZoneAndTotalShortfall) {
  model::Ecosystem eco;
  eco.components = {Comp("db", 2, 1000, 100LL << 30),
                    Comp("cache", 1, 500, 1LL << 30)};
  eco.components[1].placement.allowed_zones = {"eu-west-1a"};
  model::Topology topo = Infra("infra-3zones.yaml");
  // Only eu-west-1a fails: cache has nowhere to go; db (2 × 100 GiB) still
  // fits in the rest.
  Change ch;
  ch.zone = "eu-west-1a";
  ch.state = model::CapacityState::kFailed;
  ASSERT_TRUE(ApplyChange(ch, &eco, &topo).ok());
  auto r = PlaceEcosystem(eco, topo, nullptr, {}, Fast(), "heuristic");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, SolveOutcome::kInfeasible);
  ASSERT_EQ(r->infeasible_reasons.size(), 1u) << r->infeasible;
  EXPECT_EQ(r->infeasible_reasons[0],
            "cache: no usable zone allowed (eu-west-1a failed)");
  // Every usable zone together is too small for 6 × 200 GiB.
  model::Topology t2 = Infra("infra-3zones.yaml");
  model::Ecosystem e2;
  e2.components = {Comp("db", 6, 1000, 200LL << 30)};
  e2.components[0].placement.spread_min_zones = 1;
  auto r2 = PlaceEcosystem(e2, t2, nullptr, {}, Fast(), "heuristic");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->status, SolveOutcome::kInfeasible);
  ASSERT_FALSE(r2->infeasible_reasons.empty());
  EXPECT_EQ(r2->infeasible_reasons.back(),
            "memory short by 176 GiB in all usable zones (demand 1200 GiB > "
            "usable capacity 1024 GiB; replicas of db)");
}

TEST(PlaceEcosystem, RealManifestOnlineBoutique) {
  auto lr = manifest::LoadFiles(
      {kManifests + "online-boutique/kubernetes-manifests.yaml"}, {});
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  const model::Ecosystem& eco = lr->ecosystem;
  model::Topology topo = Infra("infra-3zones.yaml");
  auto r = PlaceEcosystem(eco, topo, nullptr, {}, Fast(), "heuristic");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->status == SolveOutcome::kOptimal ||
              r->status == SolveOutcome::kFeasible)
      << r->infeasible;
  int replicas = 0;
  for (const auto& c : eco.components) replicas += c.replicas.initial;
  EXPECT_EQ(static_cast<int>(r->plan.assignments.size()), replicas);
  // Proximity-aware placement keeps no more cross-zone proximity than the
  // proximity-blind spread plan (same replicas, same requests).
  auto ep = BuildEcosystemProblem(eco, topo, nullptr, {});
  ASSERT_TRUE(ep.ok());
  auto spread =
      EvaluateAssignment(*ep, SpreadAssignment(*ep), eco, topo, nullptr, {});
  ASSERT_TRUE(spread.ok());
  EXPECT_LE(r->cross_zone_proximity, spread->cross_zone_proximity + 1e-9);
  EXPECT_LE(r->objective, spread->objective + 1e-9);
}

TEST(Replace, ZoneFailureMovesOnlyItsReplicas) {
  model::Ecosystem eco;
  for (int i = 0; i < 12; ++i)
    eco.components.push_back(
        Comp("svc" + std::to_string(i), 3, 500, 1LL << 30));
  for (int i = 0; i + 1 < 12; ++i)
    eco.dependencies.push_back(Dep("svc" + std::to_string(i),
                                   "svc" + std::to_string(i + 1), 100, 1e5));
  model::Topology topo = Infra("infra-3zones.yaml");
  auto first = PlaceEcosystem(eco, topo, nullptr, {}, Fast(), "heuristic");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->plan.assignments.size(), 36u);
  int in_a = 0;
  for (const auto& a : first->plan.assignments) in_a += a.zone == "eu-west-1a";

  Change ch;
  ch.kind = Change::Kind::kState;
  ch.zone = "eu-west-1a";
  ch.state = model::CapacityState::kFailed;
  ASSERT_TRUE(ApplyChange(ch, &eco, &topo).ok());
  ReplaceStats stats;
  auto r = Replace(eco, topo, first->plan, {}, Fast(), "heuristic", &stats);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->status == SolveOutcome::kOptimal ||
              r->status == SolveOutcome::kFeasible)
      << r->infeasible;
  for (const auto& a : r->plan.assignments) EXPECT_NE(a.zone, "eu-west-1a");
  EXPECT_EQ(stats.affected, in_a);
  EXPECT_EQ(stats.kept, 36 - in_a);
  EXPECT_EQ(static_cast<int>(r->delta.moves.size()), in_a);
  for (const auto& mv : r->delta.moves) EXPECT_EQ(mv.from_zone, "eu-west-1a");
  EXPECT_GT(r->costs.migration, 0);
}

TEST(Replace, ScaleUpAddsReplicasWithoutMovingOthers) {
  model::Ecosystem eco;
  eco.components = {Comp("web", 2, 500, 1LL << 30),
                    Comp("db", 1, 1000, 4LL << 30)};
  eco.dependencies = {Dep("web", "db", 100, 1e5)};
  model::Topology topo = Infra("infra-3zones.yaml");
  auto first = PlaceEcosystem(eco, topo, nullptr, {}, Fast(), "heuristic");
  ASSERT_TRUE(first.ok());
  Change ch;
  ch.kind = Change::Kind::kScale;
  ch.component = "web";
  ch.replicas = 4;
  ASSERT_TRUE(ApplyChange(ch, &eco, &topo).ok());
  ReplaceStats stats;
  auto r = Replace(eco, topo, first->plan, {}, Fast(), "heuristic", &stats);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plan.assignments.size(), 5u);
  EXPECT_TRUE(r->delta.moves.empty());
  EXPECT_EQ(r->delta.added.size(), 2u);
  EXPECT_EQ(stats.kept, 3);

  Change bad;
  bad.kind = Change::Kind::kState;
  bad.zone = "nowhere";
  EXPECT_EQ(ApplyChange(bad, &eco, &topo).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ecotone::placement
