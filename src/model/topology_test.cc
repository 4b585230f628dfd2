#include "ecotone/model/topology.h"

#include <gtest/gtest.h>

#include "ecotone/model/plan.h"

namespace ecotone::model {
namespace {

Assignment A(const char* c, int r, const char* z, const char* rack = "") {
  Assignment a;
  a.component = c;
  a.replica = r;
  a.zone = z;
  a.rack = rack;
  return a;
}

TEST(CapacityState, NamesRoundTrip) {
  for (CapacityState s : {CapacityState::kHealthy, CapacityState::kDegraded,
                          CapacityState::kFailed, CapacityState::kDraining,
                          CapacityState::kQuarantined}) {
    EXPECT_EQ(ParseCapacityState(CapacityStateName(s)), s);
  }
  EXPECT_FALSE(ParseCapacityState("broken").has_value());
  EXPECT_TRUE(IsUsable(CapacityState::kDegraded));
  EXPECT_FALSE(IsUsable(CapacityState::kDraining));
}

TEST(UsableCapacity, SkipsUnusableRacksAndHosts) {
  Zone z;
  Rack r1, r2, r3;
  r1.capacity = {1000, 10, 0, 0};
  r2.capacity = {2000, 20, 0, 0};
  r2.state = CapacityState::kFailed;
  Host h1, h2;
  h1.capacity = {500, 5, 0, 0};
  h2.capacity = {700, 7, 0, 0};
  h2.state = CapacityState::kQuarantined;
  r3.hosts = {h1, h2};
  z.racks = {r1, r2, r3};
  Resources u = UsableCapacity(z);
  EXPECT_EQ(u.cpu_millicores, 1500);
  EXPECT_EQ(u.memory_bytes, 15);
  z.state = CapacityState::kDraining;
  EXPECT_TRUE(UsableCapacity(z).empty());
}

TEST(ResourceCost, PricesPerCoreAndGiB) {
  Prices p{.cpu_per_core_hour = 0.04, .memory_per_gib_hour = 0.005};
  Resources d{.cpu_millicores = 500, .memory_bytes = 2LL << 30};
  EXPECT_NEAR(ResourceCostPerHour(d, p), 0.02 + 0.01, 1e-12);
}

TEST(PlanDiff, ReportsMovesAdditionsRemovals) {
  PlacementPlan a, b;
  a.assignments = {A("db", 0, "z1", "r1"), A("db", 1, "z2", "r1"),
                   A("web", 0, "z1"), A("old", 0, "z3")};
  b.assignments = {A("web", 0, "z1"), A("db", 1, "z3", "r2"),
                   A("db", 0, "z1", "r1"), A("web", 1, "z2")};
  PlanDelta d = Diff(a, b);
  ASSERT_EQ(d.moves.size(), 1u);
  EXPECT_EQ(d.moves[0].component, "db");
  EXPECT_EQ(d.moves[0].replica, 1);
  EXPECT_EQ(d.moves[0].from, "z2/r1");
  EXPECT_EQ(d.moves[0].to, "z3/r2");
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0].component, "web");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0].component, "old");
  EXPECT_TRUE(Diff(a, a).empty());
}

}  // namespace
}  // namespace ecotone::model
