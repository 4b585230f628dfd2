#include "ecotone/graph/diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ecotone::graph {
namespace {

model::Component C(std::string name, std::string version = "1.0") {
  model::Component c;
  c.name = std::move(name);
  c.version = std::move(version);
  c.image = "img/" + c.name + ":" + c.version;
  return c;
}

model::Dependency D(std::string from, std::string to,
                    model::DependencyKind kind = model::DependencyKind::kHttp) {
  model::Dependency d;
  d.from = std::move(from);
  d.to = std::move(to);
  d.kind = kind;
  return d;
}

model::Ecosystem Base() {
  model::Ecosystem e;
  e.name = "shop";
  e.version = "1";
  e.components = {C("web"), C("api"), C("db")};
  e.components[2].kind = model::ComponentKind::kDatabase;
  e.dependencies = {D("web", "api"),
                    D("api", "db", model::DependencyKind::kDatabase)};
  return e;
}

TEST(DiffEcosystems, IdenticalIsEmpty) {
  auto d = DiffEcosystems(Base(), Base());
  EXPECT_TRUE(d.empty());
}

TEST(DiffEcosystems, LocationsAndEvidenceAreIgnored) {
  auto a = Base();
  auto b = Base();
  b.components[0].where = {"other.yaml", 9, 9, "x"};
  b.dependencies[0].evidence.push_back({{"other.yaml", 1, 1, ""}, "api", "r"});
  EXPECT_TRUE(DiffEcosystems(a, b).empty());
}

TEST(DiffEcosystems, AddedRemovedChanged) {
  auto a = Base();
  auto b = Base();
  b.version = "2";
  b.components.erase(b.components.begin());  // web removed
  b.components.push_back(C("cache"));        // cache added
  b.components[0].version = "1.1";           // api changed
  b.components[0].image = "img/api:1.1";
  b.components[0].requests.memory_bytes = 512LL << 20;
  b.components[0].replicas = {2, 5, 3};
  b.dependencies = {D("api", "db", model::DependencyKind::kDatabase),
                    D("api", "cache", model::DependencyKind::kCache)};
  b.dependencies[0].latency_budget_us = 5000;
  auto d = DiffEcosystems(a, b);
  EXPECT_FALSE(d.empty());
  EXPECT_EQ(d.old_version, "1");
  EXPECT_EQ(d.new_version, "2");
  ASSERT_EQ(d.ecosystem_changes.size(), 1u);
  EXPECT_EQ(d.ecosystem_changes[0].field, "version");
  EXPECT_THAT(d.added_components, ::testing::ElementsAre("cache"));
  EXPECT_THAT(d.removed_components, ::testing::ElementsAre("web"));
  ASSERT_EQ(d.changed_components.size(), 1u);
  EXPECT_EQ(d.changed_components[0].name, "api");
  std::vector<std::string> fields;
  for (const auto& f : d.changed_components[0].changes)
    fields.push_back(f.field);
  EXPECT_THAT(fields, ::testing::ElementsAre("version", "image", "replicas",
                                             "requests.memory"));
  EXPECT_EQ(d.changed_components[0].changes[3].old_value, "0");
  EXPECT_EQ(d.changed_components[0].changes[3].new_value, "512Mi");
  ASSERT_EQ(d.added_edges.size(), 1u);
  EXPECT_EQ(d.added_edges[0].to, "cache");
  ASSERT_EQ(d.removed_edges.size(), 1u);
  EXPECT_EQ(d.removed_edges[0].from, "web");
  ASSERT_EQ(d.changed_edges.size(), 1u);
  EXPECT_EQ(d.changed_edges[0].key.to, "db");
  ASSERT_EQ(d.changed_edges[0].changes.size(), 1u);
  EXPECT_EQ(d.changed_edges[0].changes[0].field, "latency_budget");
  EXPECT_EQ(d.changed_edges[0].changes[0].new_value, "5ms");
}

TEST(DiffEcosystems, KindChangeIsRemovePlusAdd) {
  auto a = Base();
  auto b = Base();
  b.dependencies[0].kind = model::DependencyKind::kGrpc;
  auto d = DiffEcosystems(a, b);
  ASSERT_EQ(d.added_edges.size(), 1u);
  ASSERT_EQ(d.removed_edges.size(), 1u);
  EXPECT_EQ(d.added_edges[0].kind, model::DependencyKind::kGrpc);
  EXPECT_TRUE(d.changed_edges.empty());
}

}  // namespace
}  // namespace ecotone::graph
