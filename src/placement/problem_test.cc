#include "ecotone/placement/problem.h"

#include <gtest/gtest.h>

namespace ecotone::placement {
namespace {

// Three items, two bins, one dimension; items 0-1 talk.
Problem Small() {
  Problem p;
  p.num_items = 3;
  p.num_bins = 2;
  p.num_dims = 1;
  p.item_demand = {2, 3, 4};
  p.bin_capacity = {5, 6};
  p.cost = {1, 2, 3, 1, 2, 2};
  p.distance = {0, 10, 10, 0};
  p.lambda = 0.5;
  p.pair_weight = BuildSymmetric(3, {{0, 1, 4.0}}).value();
  return p;
}

TEST(BuildSymmetric, MergesBothDirectionsAndDropsDiagonal) {
  Result<SparseSymmetric> s =
      BuildSymmetric(4, {{0, 2, 1.0}, {2, 0, 2.0}, {1, 1, 5.0}, {3, 1, 0.5}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->row_start, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(s->col, (std::vector<int>{2, 3, 0, 1}));
  EXPECT_EQ(s->weight, (std::vector<double>{3.0, 0.5, 3.0, 0.5}));
}

TEST(BuildSymmetric, RejectsOutOfRangeAndNegative) {
  EXPECT_FALSE(BuildSymmetric(2, {{0, 2, 1.0}}).ok());
  EXPECT_FALSE(BuildSymmetric(2, {{0, 1, -1.0}}).ok());
}

TEST(Validate, AcceptsSmallProblem) { EXPECT_TRUE(Validate(Small()).ok()); }

TEST(Validate, NamesTheBadField) {
  Problem p = Small();
  p.bin_capacity[1] = -1;
  Status st = Validate(p);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().path, "bin_capacity[1]");
  p = Small();
  p.cost.pop_back();
  st = Validate(p);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().path, "cost");
  p = Small();
  p.groups.push_back(Group{.name = "g", .allowed_bins = {1, 0}});
  p.item_group = {0, 0, -1};
  st = Validate(p);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().path, "groups[0].allowed_bins[1]");
}

TEST(Evaluate, CostTermsAndLoads) {
  Problem p = Small();
  Result<Evaluation> ev = Evaluate(p, {0, 1, 1});
  ASSERT_TRUE(ev.ok());
  EXPECT_DOUBLE_EQ(ev->cost.linear, 1 + 1 + 2);
  EXPECT_DOUBLE_EQ(ev->cost.pairwise, 0.5 * 4 * 10);
  EXPECT_DOUBLE_EQ(ev->cost.migration, 0);
  EXPECT_EQ(ev->bin_load, (std::vector<double>{2, 7}));
  ASSERT_EQ(ev->violations.size(), 1u);  // bin 1 holds 7 > 6
  EXPECT_NE(ev->violations[0].find("capacity"), std::string::npos);
}

TEST(Evaluate, MigrationSpreadAndLimits) {
  Problem p = Small();
  p.bin_capacity = {100, 100};
  p.current_bin = {1, 1, -1};
  p.migration_cost = {7, 9, 100};
  p.groups.push_back(
      Group{.name = "web", .allowed_bins = {}, .min_distinct_bins = 2});
  p.item_group = {0, 0, -1};
  p.distance_limits.push_back({0, 2, 5.0});
  Result<Evaluation> ev = Evaluate(p, {0, 0, 1});
  ASSERT_TRUE(ev.ok());
  EXPECT_DOUBLE_EQ(ev->cost.migration, 7 + 9);
  EXPECT_EQ(ev->violations.size(), 2u);  // spread and distance limit
  ev = Evaluate(p, {0, 1, 0});
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->feasible());
  EXPECT_DOUBLE_EQ(ev->cost.migration, 7);
}

TEST(Evaluate, RejectsWrongSize) {
  EXPECT_FALSE(Evaluate(Small(), {0, 1}).ok());
  EXPECT_FALSE(Evaluate(Small(), {0, 1, 2}).ok());
}

}  // namespace
}  // namespace ecotone::placement
