#include "ecotone/placement/plugin.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::placement {
namespace {

const std::string kExamples = std::string(ECOTONE_SOURCE_DIR) + "/examples/";
const std::string kManifests = std::string(ECOTONE_SHARED_DATA) + "/manifests/";

model::Topology Infra(const std::string& name) {
  auto t = manifest::LoadInfraFile(kExamples + name);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : model::Topology{};
}

model::Component Comp(const std::string& name, int replicas) {
  model::Component c;
  c.name = name;
  c.replicas.initial = c.replicas.max = replicas;
  c.requests.cpu_millicores = 500;
  c.requests.memory_bytes = 1LL << 30;
  return c;
}

// A custom constraint, the way a user adds one: replicas of component `a`
// and of component `b` never share a bin (rack here).
class AntiAffinity final : public ConstraintPlugin {
 public:
  AntiAffinity(std::string a, std::string b) : a_(a), b_(b) {}
  std::string_view Name() const override { return "anti-affinity"; }
  Status AddToModel(const PluginContext& ctx, ModelBuilder& b) const override {
    int ca = Index(ctx, a_), cb = Index(ctx, b_);
    if (ca < 0 || cb < 0) return Status::InvalidArgument("unknown component");
    const auto& first = b.ep.component_first_item;
    for (int i = first[ca]; i < first[ca + 1]; ++i)
      for (int j = first[cb]; j < first[cb + 1]; ++j)
        b.ep.problem.distance_limits.push_back(
            {i, j, std::numeric_limits<double>::max(), true});
    return Status::Ok();
  }
  void Check(const PluginContext& ctx, const EcosystemProblem& ep,
             const std::vector<int>& x,
             std::vector<Verdict>* out) const override {
    int ca = Index(ctx, a_), cb = Index(ctx, b_);
    const auto& first = ep.component_first_item;
    for (int i = first[ca]; i < first[ca + 1]; ++i)
      for (int j = first[cb]; j < first[cb + 1]; ++j)
        if (x[i] >= 0 && x[i] == x[j])
          out->push_back({"anti-affinity", ep.problem.item_names[i] + " and " +
                                               ep.problem.item_names[j] +
                                               " share a bin"});
  }

 private:
  static int Index(const PluginContext& ctx, const std::string& name) {
    for (size_t c = 0; c < ctx.ecosystem.components.size(); ++c)
      if (ctx.ecosystem.components[c].name == name) return static_cast<int>(c);
    return -1;
  }
  std::string a_, b_;
};

model::Ecosystem Chatty() {
  model::Ecosystem eco;
  eco.components = {Comp("api", 1), Comp("db", 1), Comp("cache", 2)};
  model::Dependency d;
  d.from = "api";
  d.to = "db";
  d.traffic_rps = 2000;
  d.traffic_bytes_per_s = 5e7;
  eco.dependencies = {d};
  return eco;
}

TEST(PluginRegistry, DefaultHasTheBuiltInsAndRejectsDuplicates) {
  PluginRegistry reg = DefaultPluginRegistry();
  EXPECT_EQ(
      reg.ConstraintNames(),
      (std::vector<std::string>{"allowed-zones", "capacity", "latency-budget",
                                "spread", "unusable-capacity"}));
  EXPECT_EQ(reg.ScorerNames(),
            (std::vector<std::string>{"egress", "migration", "proximity",
                                      "resource-price"}));
  Status dup = reg.RegisterConstraint(
      "spread", [] { return std::unique_ptr<ConstraintPlugin>(); });
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  Status cross = reg.RegisterScorer(
      "capacity", [] { return std::unique_ptr<ScorerPlugin>(); });
  EXPECT_EQ(cross.code(), StatusCode::kInvalidArgument);
  auto missing = reg.CreateScorer("carbon");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("resource-price"),
            std::string::npos);
}

TEST(Profiles, ExplicitDefaultProfileBuildsTheSameProblem) {
  auto lr = manifest::LoadFiles(
      {kManifests + "online-boutique/kubernetes-manifests.yaml"}, {});
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  const model::Ecosystem* eco = &lr->ecosystem;
  model::Topology topo = Infra("infra-3zones.yaml");
  EcosystemOptions def;
  EcosystemOptions explicit_profile;
  explicit_profile.constraints = DefaultConstraints();
  explicit_profile.scorers = DefaultScorers();
  auto a = BuildEcosystemProblem(*eco, topo, nullptr, def);
  auto b = BuildEcosystemProblem(*eco, topo, nullptr, explicit_profile);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(a->problem == b->problem);
  EXPECT_FALSE(a->problem.pair_weight.empty());
  EXPECT_FALSE(a->problem.bin_price.empty());
}

TEST(Profiles, LeavingPluginsOutDropsTheirTerms) {
  auto lr = manifest::LoadFiles(
      {kManifests + "online-boutique/kubernetes-manifests.yaml"}, {});
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  const model::Ecosystem* eco = &lr->ecosystem;
  model::Topology topo = Infra("infra-3zones.yaml");
  EcosystemOptions o;
  o.constraints = {"capacity", "unusable-capacity"};
  o.scorers = {"resource-price"};
  auto ep = BuildEcosystemProblem(*eco, topo, nullptr, o);
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_TRUE(ep->problem.pair_weight.empty());
  for (const Group& g : ep->problem.groups) {
    EXPECT_EQ(g.min_distinct_domains, 0) << g.name;
    EXPECT_TRUE(g.allowed_bins.empty()) << g.name;
  }
  o.constraints = {"spread"};  // no capacity: refused.
  EXPECT_FALSE(BuildEcosystemProblem(*eco, topo, nullptr, o).ok());
  o.constraints = {"capacity", "no-such-plugin"};
  auto unknown = BuildEcosystemProblem(*eco, topo, nullptr, o);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

class CustomPlugin : public ::testing::TestWithParam<const char*> {};

TEST_P(CustomPlugin, AntiAffinityIsEnforcedByTheSolver) {
  model::Ecosystem eco = Chatty();
  model::Topology topo = Infra("infra-3zones.yaml");
  SolveOptions solve;
  solve.time_limit_s = 20;
  solve.seed = 3;
  solve.max_iterations = 20000;
  const std::string solver = GetParam();

  // Without the plugin the chatty pair shares a rack.
  EcosystemOptions plain;
  auto before = PlaceEcosystem(eco, topo, nullptr, plain, solve, solver);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_FALSE(before->plan.assignments.empty());
  auto ep = BuildEcosystemProblem(eco, topo, nullptr, plain);
  ASSERT_TRUE(ep.ok());

  PluginRegistry reg = DefaultPluginRegistry();
  ASSERT_TRUE(reg.RegisterConstraint(
                     "anti-affinity",
                     [] { return std::make_unique<AntiAffinity>("api", "db"); })
                  .ok());
  EcosystemOptions with = plain;
  with.plugins = &reg;
  with.constraints = DefaultConstraints();
  with.constraints.push_back("anti-affinity");

  auto place = [&](const EcosystemPlacement& pl) {
    std::string api, db;
    for (const auto& a : pl.plan.assignments) {
      if (a.component == "api") api = a.PlaceString();
      if (a.component == "db") db = a.PlaceString();
    }
    return std::make_pair(api, db);
  };
  auto [api0, db0] = place(*before);
  EXPECT_EQ(api0, db0) << "proximity should co-locate the pair";

  auto after = PlaceEcosystem(eco, topo, nullptr, with, solve, solver);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_NE(after->status, SolveOutcome::kInfeasible) << after->infeasible;
  ASSERT_FALSE(after->plan.assignments.empty());
  auto [api1, db1] = place(*after);
  EXPECT_NE(api1, db1);
  EXPECT_EQ(api1.substr(0, api1.find('/')), db1.substr(0, db1.find('/')))
      << "the pair should still share a zone (other racks of it)";

  // Check() explains the violation of the plain plan and passes the new one.
  auto ep_with = BuildEcosystemProblem(eco, topo, nullptr, with);
  ASSERT_TRUE(ep_with.ok());
  std::vector<int> x0(ep->problem.num_items, -1);
  for (const auto& a : before->plan.assignments) {
    int item = ep->component_first_item[a.component == "api"  ? 0
                                        : a.component == "db" ? 1
                                                              : 2] +
               a.replica;
    for (int b = 0; b < ep->problem.num_bins; ++b)
      if (ep->problem.bin_names[b] == a.PlaceString()) x0[item] = b;
  }
  auto verdicts = CheckConstraints(*ep_with, x0, eco, topo, nullptr, with);
  ASSERT_TRUE(verdicts.ok());
  ASSERT_EQ(verdicts->size(), 1u);
  EXPECT_EQ((*verdicts)[0].plugin, "anti-affinity");
  auto eval = Evaluate(ep_with->problem, x0);
  ASSERT_TRUE(eval.ok());
  EXPECT_FALSE(eval->feasible());
}

// A custom scorer with a linear part (a surcharge per replica in one zone)
// and a pairwise part (an extra weight on the api-db pair).
class ZoneSurcharge final : public ScorerPlugin {
 public:
  std::string_view Name() const override { return "zone-surcharge"; }
  Status AddToModel(const PluginContext&, ModelBuilder& b) const override {
    Problem& p = b.ep.problem;
    if (p.cost.empty())
      p.cost.assign(static_cast<size_t>(p.num_items) * p.num_bins, 0.0);
    for (int i = 0; i < p.num_items; ++i)
      for (int bin = 0; bin < p.num_bins; ++bin)
        if (b.ep.bin_zone[bin] == 1)
          p.cost[static_cast<size_t>(i) * p.num_bins + bin] += 0.25;
    for (size_t k = 0; k < b.ep.partners.size(); ++k)
      b.partner_coefficient[k] += 0.01;
    return Status::Ok();
  }
};

TEST(CustomScorer, IsReportedAsItsOwnCostLine) {
  model::Ecosystem eco = Chatty();
  model::Topology topo = Infra("infra-3zones.yaml");
  PluginRegistry reg = DefaultPluginRegistry();
  ASSERT_TRUE(reg.RegisterScorer("zone-surcharge", [] {
                   return std::make_unique<ZoneSurcharge>();
                 }).ok());
  EcosystemOptions plain;
  EcosystemOptions with = plain;
  with.plugins = &reg;
  with.scorers = DefaultScorers();
  with.scorers.push_back("zone-surcharge");
  auto ep0 = BuildEcosystemProblem(eco, topo, nullptr, plain);
  auto ep1 = BuildEcosystemProblem(eco, topo, nullptr, with);
  ASSERT_TRUE(ep0.ok() && ep1.ok());
  ASSERT_EQ(ep1->custom_scorers.size(), 1u);

  // api and cache#0 in zone 1 (surcharged), db and cache#1 in zone 0: the
  // api-db pair is split, so its pairwise term is paid too.
  auto first_bin_of_zone = [&](int z) {
    for (int b = 0; b < ep1->problem.num_bins; ++b)
      if (ep1->bin_zone[b] == z) return b;
    return -1;
  };
  const int z0 = first_bin_of_zone(0), z1 = first_bin_of_zone(1);
  std::vector<int> x = {z1, z0, z1, z0};  // api, db, cache#0, cache#1
  auto r0 = EvaluateAssignment(*ep0, x, eco, topo, nullptr, plain);
  auto r1 = EvaluateAssignment(*ep1, x, eco, topo, nullptr, with);
  ASSERT_TRUE(r0.ok() && r1.ok());
  EXPECT_TRUE(r0->costs.plugins.empty());
  ASSERT_EQ(r1->costs.plugins.size(), 1u);
  EXPECT_EQ(r1->costs.plugins[0].first, "zone-surcharge");
  double pairwise = 0;
  for (const auto& pp : ep1->partners)
    pairwise += pp.share * 0.01 * ep1->problem.Distance(x[pp.item_a], x[pp.item_b]);
  EXPECT_GT(pairwise, 0);
  EXPECT_NEAR(r1->costs.plugins[0].second, 2 * 0.25 + pairwise, 1e-9);
  // The built-in lines are unchanged and the total carries the new line.
  EXPECT_NEAR(r1->costs.resource, r0->costs.resource, 1e-12);
  EXPECT_NEAR(r1->costs.penalties, r0->costs.penalties, 1e-12);
  EXPECT_NEAR(r1->costs.proximity, r0->costs.proximity, 1e-12);
  EXPECT_NEAR(r1->objective, r0->objective + 0.5 + pairwise, 1e-9);
  // The solver's own objective agrees with the reported one on the
  // plugin's part.
  auto e0 = Evaluate(ep0->problem, x);
  auto e1 = Evaluate(ep1->problem, x);
  ASSERT_TRUE(e0.ok() && e1.ok());
  EXPECT_NEAR(e1->cost.total() - e0->cost.total(), 0.5 + pairwise, 1e-9);

  // Leaving a built-in scorer out drops its line.
  EcosystemOptions no_prox = plain;
  no_prox.scorers = {"resource-price", "egress", "migration"};
  auto ep2 = BuildEcosystemProblem(eco, topo, nullptr, no_prox);
  ASSERT_TRUE(ep2.ok());
  auto r2 = EvaluateAssignment(*ep2, x, eco, topo, nullptr, no_prox);
  ASSERT_TRUE(r2.ok());
  EXPECT_GT(r0->costs.proximity, 0);
  EXPECT_EQ(r2->costs.proximity, 0);
  EXPECT_GT(r2->cross_zone_proximity, 0) << "a metric, not a cost";
}

INSTANTIATE_TEST_SUITE_P(Solvers, CustomPlugin,
                         ::testing::Values("heuristic", "mip"));

}  // namespace
}  // namespace ecotone::placement
