#include "ecotone/instances/instances.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace ecotone::instances {
namespace {

const std::string kData = std::string(ECOTONE_SHARED_DATA) + "/placement";

TEST(ParseGap, ReadsOrLibraryFile) {
  Result<placement::Problem> p = ReadGap(kData + "/gap/cattrysse1994/gap1-0");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->num_bins, 5);
  EXPECT_EQ(p->num_items, 15);
  EXPECT_TRUE(placement::Validate(*p).ok());
  // First numbers of the file: c[0][0] = 17, c[1][0] = 23 (cost of job 0).
  EXPECT_EQ(p->cost[0], 17);
  EXPECT_EQ(p->cost[1], 23);
}

TEST(ParseGap, AllSharedInstancesLoad) {
  for (const char* f :
       {"chu1997/d20200", "yagiura2004/e801600", "yagiura2004/c10400"}) {
    Result<placement::Problem> p = ReadGap(kData + "/gap/" + f);
    ASSERT_TRUE(p.ok()) << f << ": " << p.status().ToString();
    EXPECT_TRUE(placement::Validate(*p).ok());
  }
}

TEST(ParseGap, TruncatedFileNamesTheMissingField) {
  Status st = ParseGap("2 3\n1 2 3\n4 5 6\n1 1 1\n1 1", "t.gap").status();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.where().file, "t.gap");
  EXPECT_EQ(st.where().path, "a[1][2]");
  EXPECT_EQ(st.where().line, 5);
  EXPECT_EQ(st.where().column, 4);
  EXPECT_NE(st.message().find("end of file"), std::string::npos);
}

TEST(ParseGap, BadTokenHasLineAndColumn) {
  Status st = ParseGap("1 2\n5 x7\n1 1\n3\n", "t.gap").status();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().line, 2);
  EXPECT_EQ(st.where().column, 3);
  EXPECT_EQ(st.where().path, "c[0][1]");
  EXPECT_EQ(st.ToString(), "t.gap:2:3: c[0][1]: expected a number, got 'x7'");
}

TEST(ParseGap, RejectsBadSizesAndValues) {
  EXPECT_FALSE(ParseGap("0 3", "t").ok());
  EXPECT_FALSE(ParseGap("-2 3", "t").ok());
  EXPECT_FALSE(ParseGap("2.5 3", "t").ok());
  Status big = ParseGap("100000 100000", "t").status();
  EXPECT_NE(big.message().find("exceeds"), std::string::npos);
  EXPECT_EQ(big.where().path, "n");
  Status neg = ParseGap("1 1\n1\n-1\n1\n", "t").status();
  EXPECT_EQ(neg.where().path, "a[0][0]");
  Status extra = ParseGap("1 1\n1\n1\n1\n9\n", "t").status();
  EXPECT_EQ(extra.where().line, 5);
  EXPECT_FALSE(ParseGap("1 1 nan 1 1", "t").ok());
  EXPECT_TRUE(ParseGap("1 1 1 1 1", "t").ok());
}

TEST(ParseGqap, ReadsCordeauFile) {
  Result<placement::Problem> p =
      ReadGqap(kData + "/gqap/cordeau2006/20-15-35.txt");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->num_items, 20);
  EXPECT_EQ(p->num_bins, 15);
  EXPECT_EQ(p->lambda, 2);
  EXPECT_TRUE(placement::Validate(*p).ok());
  EXPECT_TRUE(p->HasPairwise());
}

TEST(ParseGqap, ObjectiveMatchesFormatDefinition) {
  // n=2, m=2, v=3; t01=1, t10=2 (asymmetric), d symmetric 4.
  const char* text = "2 2 3\n0 1\n2 0\n0 4\n4 0\n10 20\n30 40\n1 1\n1 1\n";
  Result<placement::Problem> p = ParseGqap(text, "t");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Result<placement::Evaluation> ev = placement::Evaluate(*p, {0, 1});
  // a: 10 + 40; quadratic over ordered pairs: 3*(1*4 + 2*4) = 36.
  EXPECT_DOUBLE_EQ(ev->cost.total(), 86);
}

TEST(ParseGqap, TruncatedAndAsymmetric) {
  Status st = ParseGqap("2 2 3\n0 1\n2 0\n0 4\n", "t").status();
  EXPECT_EQ(st.where().path, "d[1][0]");
  st = ParseGqap("2 2 3\n0 1\n2 0\n0 4\n5 0\n1 1\n1 1\n1 1\n1 1\n", "t")
           .status();
  EXPECT_NE(st.message().find("symmetric"), std::string::npos);
}

TEST(KnownValues, FontanfAndReadmeTables) {
  auto f = ReadFontanfBounds(kData + "/gap/bounds_fontanf_data.csv");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->at("chu1997/d05100").optimum, 6353);
  EXPECT_TRUE(std::isnan(f->at("chu1997/d20200").optimum));
  EXPECT_EQ(f->at("chu1997/d20200").best_known, 12244);
  auto g = ReadGqapBestKnown(kData + "/README.md");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->size(), 20u);
  EXPECT_EQ(g->at("50-10-95").best_known, 12845598);
  Status bad = ParseFontanfBounds("h\na,b,c,d,e,1,x,3\n", "b.csv").status();
  EXPECT_EQ(bad.where().line, 2);
  EXPECT_EQ(bad.where().column, 13);
}

}  // namespace
}  // namespace ecotone::instances
