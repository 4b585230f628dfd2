#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "ecotone/graph/ecosystem_map.h"

namespace ecotone::graph {
namespace {

using model::ComponentKind;
using model::Criticality;
using model::DependencyKind;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class Builder {
 public:
  Builder& Add(std::string name, ComponentKind kind = ComponentKind::kContainer,
               int64_t slo_us = 0) {
    model::Component c;
    c.name = std::move(name);
    c.kind = kind;
    c.latency_slo_us = slo_us;
    c.where = {"app.yaml", static_cast<int>(eco.components.size()) + 1, 3,
               "components." + c.name};
    eco.components.push_back(std::move(c));
    return *this;
  }
  Builder& Dep(std::string from, std::string to,
               DependencyKind kind = DependencyKind::kHttp,
               Criticality crit = Criticality::kHard, int64_t budget_us = 0) {
    model::Dependency d;
    d.from = std::move(from);
    d.to = std::move(to);
    d.kind = kind;
    d.criticality = crit;
    d.latency_budget_us = budget_us;
    d.evidence.push_back(
        {{"app.yaml", 40, 9, "components." + d.from + ".calls"},
         d.to,
         "declared"});
    eco.dependencies.push_back(std::move(d));
    return *this;
  }
  model::Ecosystem eco;
};

std::vector<std::string> Names(const EcosystemMap& m,
                               const std::vector<NodeId>& ids) {
  std::vector<std::string> out;
  for (NodeId v : ids) out.push_back(m.component(v).name);
  return out;
}

TEST(EcosystemMap, BuildsBothAdjacencies) {
  Builder b;
  b.Add("web").Add("api").Add("db", ComponentKind::kDatabase);
  b.Dep("web", "api").Dep("api", "db", DependencyKind::kDatabase);
  std::vector<model::Problem> problems;
  auto m = EcosystemMap::Build(b.eco, &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(m.component_count(), 3);
  ASSERT_EQ(m.edge_count(), 2);
  NodeId api = m.Find("api");
  ASSERT_NE(api, kNoNode);
  EXPECT_EQ(m.Find("nope"), kNoNode);
  EXPECT_EQ(m.in_degree(api), 1);
  EXPECT_EQ(m.out_degree(api), 1);
  EXPECT_EQ(m.edge(m.OutEdges(api)[0]).to, m.Find("db"));
  EXPECT_EQ(m.edge(m.InEdges(api)[0]).from, m.Find("web"));
  EXPECT_EQ(m.dependency(m.OutEdges(api)[0]).kind, DependencyKind::kDatabase);
}

TEST(EcosystemMap, ReportsDanglingReferenceWithLocation) {
  Builder b;
  b.Add("web").Dep("web", "ghost");
  std::vector<model::Problem> problems;
  auto m = EcosystemMap::Build(b.eco, &problems);
  EXPECT_EQ(m.edge_count(), 0);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].code, "dangling-reference");
  EXPECT_EQ(problems[0].severity, model::Severity::kError);
  EXPECT_EQ(problems[0].where.line, 40);
  EXPECT_EQ(problems[0].where.path, "components.web.calls");
  EXPECT_NE(problems[0].message.find("ghost"), std::string::npos);
}

TEST(EcosystemMap, ReportsDuplicateComponent) {
  Builder b;
  b.Add("web").Add("web");
  std::vector<model::Problem> problems;
  auto m = EcosystemMap::Build(b.eco, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].code, "duplicate-component");
  EXPECT_EQ(problems[0].where.line, 2);
  EXPECT_EQ(m.Find("web"), 0);
}

TEST(Scc, FindsCyclesInReverseTopologicalOrder) {
  Builder b;
  b.Add("a").Add("b").Add("c").Add("d");
  b.Dep("a", "b").Dep("b", "c").Dep("c", "b").Dep("c", "d");
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto sccs = StronglyConnectedComponents(m, EdgeSet::kAll);
  ASSERT_EQ(sccs.size(), 3u);
  EXPECT_THAT(Names(m, sccs[0]), ElementsAre("d"));
  EXPECT_THAT(Names(m, sccs[1]), ElementsAre("b", "c"));
  EXPECT_THAT(Names(m, sccs[2]), ElementsAre("a"));
}

TEST(Scc, LongChainDoesNotOverflowTheStack) {
  // 200k nodes in one chain plus a back edge: recursion would overflow.
  Builder b;
  const int n = 200000;
  for (int i = 0; i < n; ++i) b.Add("s" + std::to_string(i));
  for (int i = 0; i + 1 < n; ++i)
    b.Dep("s" + std::to_string(i), "s" + std::to_string(i + 1));
  b.Dep("s" + std::to_string(n - 1), "s0");
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto sccs = StronglyConnectedComponents(m, EdgeSet::kAll);
  ASSERT_EQ(sccs.size(), 1u);
  EXPECT_EQ(sccs[0].size(), static_cast<size_t>(n));
  auto order = ComputeStartOrder(m);
  EXPECT_TRUE(order.order.empty());
  EXPECT_EQ(order.blocked.size(), static_cast<size_t>(n));
}

TEST(FindCycles, SeparatesHardStartOrderAndSoft) {
  Builder b;
  b.Add("a").Add("b").Add("c").Add("d").Add("e").Add("f");
  b.Dep("a", "b").Dep("b", "a");  // hard cycle
  b.Dep("c", "d", DependencyKind::kStartOrder)
      .Dep("d", "c", DependencyKind::kStartOrder);  // start-order cycle
  b.Dep("e", "f", DependencyKind::kHttp, Criticality::kSoft)
      .Dep("f", "e");  // mixed: warning only
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto a = Analyze(m);
  ASSERT_EQ(a.cycles.size(), 3u);
  EXPECT_EQ(a.cycles[0].kind, CycleKind::kHard);
  EXPECT_THAT(Names(m, a.cycles[0].path), ElementsAre("a", "b", "a"));
  EXPECT_EQ(a.cycles[1].kind, CycleKind::kStartOrder);
  EXPECT_THAT(Names(m, a.cycles[1].members), ElementsAre("c", "d"));
  EXPECT_EQ(a.cycles[2].kind, CycleKind::kOther);
  EXPECT_THAT(Names(m, a.cycles[2].members), ElementsAre("e", "f"));
  std::vector<std::string> codes;
  for (const auto& p : a.problems) codes.push_back(p.code);
  EXPECT_THAT(codes, ElementsAre("hard-cycle", "start-order-cycle", "cycle"));
  EXPECT_EQ(a.problems[0].severity, model::Severity::kError);
  EXPECT_EQ(a.problems[0].where.path, "components.a");
  EXPECT_NE(a.problems[0].message.find("a -> b -> a"), std::string::npos);
  EXPECT_EQ(a.problems[2].severity, model::Severity::kWarning);
}

TEST(FindCycles, SelfLoopIsACycle) {
  Builder b;
  b.Add("a").Dep("a", "a");
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto cycles = FindCycles(m);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_THAT(Names(m, cycles[0].path), ElementsAre("a", "a"));
}

TEST(StartOrder, DependenciesFirstWithWaves) {
  Builder b;
  b.Add("web").Add("api").Add("db").Add("cache").Add("lonely");
  b.Dep("web", "api").Dep("api", "db").Dep("api", "cache").Dep("web", "db");
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto s = ComputeStartOrder(m);
  EXPECT_TRUE(s.blocked.empty());
  EXPECT_THAT(Names(m, s.order),
              ElementsAre("db", "cache", "lonely", "api", "web"));
  EXPECT_EQ(s.wave[m.Find("db")], 0);
  EXPECT_EQ(s.wave[m.Find("api")], 1);
  EXPECT_EQ(s.wave[m.Find("web")], 2);
}

TEST(StartOrder, CycleBlocksDependents) {
  Builder b;
  b.Add("web").Add("a").Add("b").Add("db");
  b.Dep("web", "a").Dep("a", "b").Dep("b", "a").Dep("a", "db");
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto s = ComputeStartOrder(m);
  EXPECT_THAT(Names(m, s.order), ElementsAre("db"));
  EXPECT_THAT(Names(m, s.blocked), ElementsAre("web", "a", "b"));
}

TEST(OrphansAndEntries, Found) {
  Builder b;
  b.Add("gw", ComponentKind::kGateway).Add("api").Add("db").Add("alone");
  b.Dep("gw", "api")
      .Dep("api", "db")
      .Dep("api", "gw", DependencyKind::kHttp, Criticality::kSoft);
  auto m = EcosystemMap::Build(b.eco, nullptr);
  EXPECT_THAT(Names(m, Orphans(m)), ElementsAre("alone"));
  // gw has a caller but is a gateway; alone has no caller.
  EXPECT_THAT(Names(m, EntryPoints(m)), ElementsAre("gw", "alone"));
}

TEST(CriticalPaths, LongestBudgetChainAgainstSlo) {
  Builder b;
  b.Add("fe", ComponentKind::kContainer, 100000)  // 100ms SLO
      .Add("cart")
      .Add("checkout")
      .Add("pay")
      .Add("db");
  b.Dep("fe", "cart", DependencyKind::kHttp, Criticality::kHard, 20000)
      .Dep("fe", "checkout", DependencyKind::kHttp, Criticality::kHard, 50000)
      .Dep("checkout", "pay", DependencyKind::kGrpc, Criticality::kHard, 40000)
      .Dep("cart", "db", DependencyKind::kDatabase, Criticality::kHard, 5000)
      .Dep("pay", "db", DependencyKind::kDatabase, Criticality::kHard, 15000);
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto paths = CriticalPaths(m);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_THAT(Names(m, paths[0].path),
              ElementsAre("fe", "checkout", "pay", "db"));
  EXPECT_EQ(paths[0].latency_budget_us, 105000);
  EXPECT_EQ(paths[0].slo_us, 100000);
  EXPECT_FALSE(paths[0].ok);
  auto a = Analyze(m);
  ASSERT_EQ(a.problems.size(), 1u);
  EXPECT_EQ(a.problems[0].code, "slo-exceeded");
  EXPECT_EQ(a.problems[0].severity, model::Severity::kError);
}

TEST(CriticalPaths, SoftCallsAreOffTheCriticalPath) {
  Builder b;
  b.Add("fe", ComponentKind::kContainer, 10000).Add("mail").Add("db");
  b.Dep("fe", "mail", DependencyKind::kGrpc, Criticality::kSoft, 50000)
      .Dep("fe", "db", DependencyKind::kDatabase, Criticality::kHard, 2000);
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto paths = CriticalPaths(m);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].latency_budget_us, 2000);
  EXPECT_TRUE(paths[0].ok);
}

TEST(CriticalPaths, StartOrderEdgesAreNotCalls) {
  Builder b;
  b.Add("fe", ComponentKind::kContainer, 10000).Add("db");
  b.Dep("fe", "db", DependencyKind::kStartOrder, Criticality::kHard, 50000);
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto paths = CriticalPaths(m);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].latency_budget_us, 0);
  EXPECT_TRUE(paths[0].ok);
}

TEST(CriticalPaths, CycleIsSkippedAndFlagged) {
  Builder b;
  b.Add("fe", ComponentKind::kContainer, 10000).Add("a").Add("b");
  b.Dep("fe", "a", DependencyKind::kHttp, Criticality::kHard, 1000)
      .Dep("a", "b", DependencyKind::kHttp, Criticality::kHard, 1000)
      .Dep("b", "a", DependencyKind::kHttp, Criticality::kHard, 1000);
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto paths = CriticalPaths(m);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].latency_budget_us, 1000);
  EXPECT_TRUE(paths[0].through_cycle);
}

TEST(Impact, TransitiveDependentsHardOrAll) {
  Builder b;
  b.Add("web").Add("api").Add("worker").Add("db").Add("other");
  b.Dep("web", "api")
      .Dep("api", "db")
      .Dep("worker", "db", DependencyKind::kDatabase, Criticality::kSoft);
  auto m = EcosystemMap::Build(b.eco, nullptr);
  EXPECT_THAT(Names(m, ImpactSet(m, m.Find("db"), EdgeSet::kAll)),
              UnorderedElementsAre("api", "worker", "web"));
  EXPECT_THAT(Names(m, ImpactSet(m, m.Find("db"), EdgeSet::kHard)),
              UnorderedElementsAre("api", "web"));
  auto top = TopImpact(m, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(m.component(top[0].id).name, "db");
  EXPECT_EQ(top[0].size, 3);
  EXPECT_EQ(top[0].hard_size, 2);
  EXPECT_EQ(m.component(top[1].id).name, "api");
}

TEST(Impact, LargeMapCandidatesFindTheSink) {
  // 6000 services each calling the next two; the last one is the most
  // depended-on (everything reaches it), though its fan-in is only 2.
  Builder b;
  const int n = 6000;
  for (int i = 0; i < n; ++i) b.Add("s" + std::to_string(i));
  for (int i = 0; i + 1 < n; ++i) {
    b.Dep("s" + std::to_string(i), "s" + std::to_string(i + 1));
    if (i + 2 < n) b.Dep("s" + std::to_string(i), "s" + std::to_string(i + 2));
  }
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto top = TopImpact(m, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(m.component(top[0].id).name, "s5999");
  EXPECT_EQ(top[0].size, n - 1);
}

TEST(Proximity, SymmetricSumsAndOrdering) {
  Builder b;
  b.Add("api").Add("db").Add("cache").Add("web");
  b.Dep("api", "db", DependencyKind::kDatabase)
      .Dep("db", "api", DependencyKind::kHttp, Criticality::kSoft)
      .Dep("api", "cache", DependencyKind::kCache, Criticality::kSoft)
      .Dep("web", "api", DependencyKind::kStartOrder);
  b.eco.dependencies[0].traffic_rps = 900;  // heavy database traffic
  auto m = EcosystemMap::Build(b.eco, nullptr);
  auto p = ComputeProximity(m);
  ASSERT_EQ(p.pairs.size(), 3u);
  for (size_t i = 1; i < p.pairs.size(); ++i)
    EXPECT_TRUE(std::make_pair(p.pairs[i - 1].a, p.pairs[i - 1].b) <
                std::make_pair(p.pairs[i].a, p.pairs[i].b));
  auto weight = [&](const char* x, const char* y) {
    NodeId a = m.Find(x), c = m.Find(y);
    for (const auto& e : p.pairs)
      if (e.a == std::min(a, c) && e.b == std::max(a, c)) return e.weight;
    return -1.0;
  };
  const double api_db = weight("api", "db");
  const double expect =
      -std::expm1(-(std::log2(1 + 9.0) + 0.5 * std::log2(1 + 0.5)));
  EXPECT_NEAR(api_db, expect, 1e-12);
  EXPECT_GT(api_db, weight("api", "cache"));
  EXPECT_GT(weight("api", "cache"), weight("web", "api"));
  EXPECT_GT(weight("web", "api"), 0);
  EXPECT_LT(api_db, 1.0);
  // Both directed edges between api and db map to the same pair.
  EXPECT_EQ(p.edge_pair[0], p.edge_pair[1]);
  EXPECT_EQ(p.pairs[p.edge_pair[3]].weight, weight("web", "api"));
}

TEST(Proximity, TighterBudgetWeighsMore) {
  model::Dependency loose, tight;
  loose.latency_budget_us = 100000;
  tight.latency_budget_us = 1000;
  EXPECT_GT(EdgeProximityRaw(tight), EdgeProximityRaw(loose));
  model::Dependency none;
  EXPECT_LT(EdgeProximityRaw(none), EdgeProximityRaw(loose));
  model::Dependency soft = none;
  soft.criticality = Criticality::kSoft;
  EXPECT_DOUBLE_EQ(EdgeProximityRaw(soft), 0.5 * EdgeProximityRaw(none));
}

}  // namespace
}  // namespace ecotone::graph
