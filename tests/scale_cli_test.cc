// `ecotone scale` on real manifests and real traces: the replica schedule
// respects min/max replicas, provisions one start-up time ahead of the
// forecast load and never scales in faster than --max-scale-in per step.
// Every rule is checked against the JSON schedule itself (demand -> needed
// -> replicas), independently of the implementation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_harness.h"

namespace {

using ecotone::testing::CliRun;
const std::string kTraces = std::string(ECOTONE_SHARED_DATA) + "/traces/";
const std::string kBoutique =
    std::string(ECOTONE_SOURCE_DIR) + "/examples/boutique.yaml";

class ScaleCli : public ecotone::testing::CliTest {
 protected:
  struct Expect {
    double capacity;
    int min, max, initial;
    int ahead;  // ceil(startup / step)
    int max_scale_in;
  };
  // Checks one component's schedule; returns counts of clamped/held steps.
  struct Seen {
    int at_min = 0, capped = 0, held = 0, scaled_in = 0, ahead_used = 0;
  };
  static Seen Check(const nlohmann::json& comp, const Expect& e) {
    Seen seen;
    const auto& s = comp["schedule"];
    const int n = static_cast<int>(s.size());
    std::vector<int> need(n), rep(n);
    for (int t = 0; t < n; ++t) {
      double demand = s[t]["demand"].get<double>();
      int raw = static_cast<int>(std::ceil(demand / e.capacity));
      need[t] = s[t]["needed"].get<int>();
      rep[t] = s[t]["replicas"].get<int>();
      EXPECT_EQ(need[t], std::clamp(raw, e.min, e.max)) << "step " << t;
      EXPECT_EQ(s[t]["capped_at_max"].get<bool>(), raw > e.max) << "step " << t;
      // min/max replicas.
      EXPECT_GE(rep[t], e.min) << "step " << t;
      EXPECT_LE(rep[t], e.max) << "step " << t;
      if (rep[t] == e.min) ++seen.at_min;
      if (raw > e.max) ++seen.capped;
    }
    for (int t = 0; t < n; ++t) {
      // Scale ahead: replicas at t cover the need up to t + ahead.
      int target = 0;
      for (int k = t; k <= std::min(n - 1, t + e.ahead); ++k)
        target = std::max(target, need[k]);
      EXPECT_GE(rep[t], target) << "step " << t;
      if (target > need[t] && rep[t] >= target) ++seen.ahead_used;
      // Bounded scale-in, from the initial replicas at the first step.
      int prev = t == 0 ? e.initial : rep[t - 1];
      if (t > 0 || e.initial > 0) {
        EXPECT_GE(rep[t], prev - e.max_scale_in) << "step " << t;
        // Exactly the documented recurrence: never more than needed either.
        EXPECT_EQ(rep[t], std::max(target, prev - e.max_scale_in))
            << "step " << t;
      }
      if (rep[t] < prev) ++seen.scaled_in;
      bool held = rep[t] > target;
      EXPECT_EQ(s[t]["held_by_scale_in_limit"].get<bool>(), held)
          << "step " << t;
      if (held) ++seen.held;
    }
    return seen;
  }
};

// Online Boutique's frontend (examples/boutique.yaml: 120 rps per replica,
// replicas 2..12, initial 3, start-up 15 s) on the real 5-minute AWS ELB
// request-count trace: 15 s ahead is one 5-minute step.
TEST_F(ScaleCli, BoutiqueFrontendOnElbTrace) {
  CliRun r = Ecotone("scale --manifest " + kBoutique +
                     " --component frontend --history " + kTraces +
                     "nab_elb_request_count_8c0756.csv --horizon 288 "
                     "--output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  const auto& c = j[0];
  EXPECT_EQ(c["component"], "frontend");
  EXPECT_EQ(c["capacity_per_replica"], 120.0);
  EXPECT_EQ(c["startup_seconds"], 15);
  EXPECT_EQ(c["quantile"], 0.95);
  ASSERT_EQ(c["schedule"].size(), 288u);
  EXPECT_EQ(c["schedule"][0]["timestamp"], "2014-04-24T00:44:00+00:00");
  Seen seen = Check(c, {120, 2, 12, 3, 1, 1});
  // Night-time demand is below one replica: the floor of 2 holds.
  EXPECT_GT(seen.at_min, 0);
}

// A component whose range the NYC taxi demand crosses every day: capacity
// 2000 trips per replica, replicas 4..10 (initial 10), start-up 50 min = two
// 30-minute steps ahead, at most 1 replica removed per step.
TEST_F(ScaleCli, TaxiDemandHitsBothBoundsScalesAheadAndIsRateLimited) {
  std::ofstream(dir_ / "taxi.yaml")
      << "ecotone: v1\n"
         "components:\n"
         "  - name: dispatch\n"
         "    replicas: {min: 4, max: 10, initial: 10}\n"
         "    scaling: {capacity_rps_per_replica: 2000, startup: 50m}\n";
  CliRun r = Ecotone("scale --manifest '" + (dir_ / "taxi.yaml").string() +
                     "' --history " + kTraces +
                     "nab_nyc_taxi.csv --horizon 96 --max-scale-in 1 "
                     "--output json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["startup_seconds"], 3000);
  ASSERT_EQ(j[0]["schedule"].size(), 96u);
  Seen seen = Check(j[0], {2000, 4, 10, 10, 2, 1});
  EXPECT_GT(seen.at_min, 0);      // the night reaches the floor
  EXPECT_GT(seen.capped, 0);      // the evening peak exceeds max
  EXPECT_GT(seen.held, 0);        // the fall after the peak is rate-limited
  EXPECT_GT(seen.scaled_in, 0);   // ... but it does scale in
  EXPECT_GT(seen.ahead_used, 0);  // the morning ramp is provisioned early

  // The text form flags the same steps.
  CliRun t = Ecotone("scale --manifest '" + (dir_ / "taxi.yaml").string() +
                     "' --history " + kTraces +
                     "nab_nyc_taxi.csv --horizon 96 --max-scale-in 1");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("component dispatch: capacity 2000/replica, replicas "
                       "4..10, start-up 3000 s"),
            std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("(held: scale-in limit)"), std::string::npos);
  EXPECT_NE(t.out.find("(capped at max)"), std::string::npos);
}

TEST_F(ScaleCli, BadInputIsExitTwo) {
  // A component without a capacity cannot be scaled.
  CliRun r = Ecotone("scale --manifest " + kBoutique +
                     " --component redis-cart --history " + kTraces +
                     "nab_nyc_taxi.csv --horizon 8");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no capacity per replica"), std::string::npos) << r.err;
  CliRun none = Ecotone("scale --manifest " + kBoutique +
                        " --component nosuch --history " + kTraces +
                        "nab_nyc_taxi.csv --horizon 8");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no component 'nosuch'"), std::string::npos)
      << none.err;
  CliRun q = Ecotone("scale --manifest " + kBoutique +
                     " --component frontend --history " + kTraces +
                     "nab_nyc_taxi.csv --horizon 8 --quantile 1.5");
  EXPECT_EQ(q.exit_code, 2);
  CliRun h = Ecotone("scale --manifest " + kBoutique +
                     " --component frontend --history " + kTraces +
                     "nab_nyc_taxi.csv --horizon 1000000000");
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_NE(h.err.find("horizon too large"), std::string::npos) << h.err;
}

}  // namespace
