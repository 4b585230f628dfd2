// The placement problem as plain data, general enough for the generalised
// assignment problem (GAP), the generalised quadratic assignment problem
// (GQAP) and ecosystem placement (replicas of components into zones, racks or
// hosts).
//
// Items (replicas, jobs, facilities) are assigned to bins (zones, racks,
// hosts, agents, sites), exactly one bin per item. The objective is
//
//   Σ_i linear(i, bin_i)
// + λ · Σ_{i<j} w(i,j) · distance(bin_i, bin_j)        (pairwise / proximity)
// + Σ_i migration_cost[i] · [bin_i != current_bin[i]]  (migration)
//
// where linear(i,b) = cost[i·m+b] (when the dense matrix is given)
//                   + Σ_d demand(i,b,d) · bin_price[b·D+d] (when prices are
//                   given).
// Subject to: capacity of every bin in every dimension, allowed bins (per
// group allow-lists, per-item forbidden pairs, unavailable bins), group
// spread (at least K distinct bins/domains, at most N items per bin/domain)
// and hard distance limits between item pairs (latency budgets).
//
// A Problem is a value type with no behaviour beyond cheap accessors; it is
// safe to share between threads when not mutated. Nothing here does I/O.
#ifndef ECOTONE_PLACEMENT_PROBLEM_H_
#define ECOTONE_PLACEMENT_PROBLEM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::placement {

// Symmetric sparse matrix in compressed sparse row form, used for pairwise
// weights w(i,j) (traffic/proximity between items). Both (i,j) and (j,i) are
// stored with the same weight; the diagonal must be absent. row_start has
// num_items + 1 entries (or is empty: no pairwise weights).
struct SparseSymmetric {
  std::vector<int64_t> row_start;  // size n+1, or empty.
  std::vector<int> col;            // neighbour item index.
  std::vector<double> weight;      // w(i, col[k]) >= 0.

  bool empty() const { return col.empty(); }
  bool operator==(const SparseSymmetric&) const = default;
};

// One unordered pair with a weight, input to BuildSymmetric().
struct WeightedPair {
  int a = 0;
  int b = 0;
  double weight = 0;
};

// Builds the CSR form of `pairs` over `num_items` items. Pairs (a,b) and
// (b,a) given separately are summed into one unordered pair; a == b and zero
// weights are dropped. Returns InvalidArgument for an index out of range or a
// negative or non-finite weight.
Result<SparseSymmetric> BuildSymmetric(int num_items,
                                       const std::vector<WeightedPair>& pairs);

// Constraints shared by the items of one group (the replicas of a component).
// Items of the same group are interchangeable for these constraints.
struct Group {
  std::string name;
  // Allowed bins (sorted, unique). Empty = every bin is allowed.
  std::vector<int> allowed_bins;
  // Spread: the items of the group must occupy at least this many distinct
  // bins (0 = no constraint) and at most max_per_bin items in one bin
  // (0 = unlimited).
  int min_distinct_bins = 0;
  int max_per_bin = 0;
  // The same at the level of bin domains (Problem::bin_domain, e.g. zones
  // when bins are racks). Ignored when the problem has no domains.
  int min_distinct_domains = 0;
  int max_per_domain = 0;

  bool operator==(const Group&) const = default;
};

// A hard limit on the distance between the bins of two items (a latency
// budget of a hard dependency): distance(bin_a, bin_b) <= max_distance, and,
// when distinct_bins is set, bin_a != bin_b (anti-affinity; pair it with a
// max_distance no distance exceeds to express anti-affinity alone).
struct DistanceLimit {
  int item_a = 0;
  int item_b = 0;
  double max_distance = 0;
  bool distinct_bins = false;

  // True when the items placed in bins h and k break the limit.
  template <class P>
  bool Broken(const P& problem, int h, int k) const {
    return (distinct_bins && h == k) ||
           problem.Distance(h, k) > max_distance + 1e-9;
  }

  bool operator==(const DistanceLimit&) const = default;
};

// An (item, bin) pair that must not be used.
struct ForbiddenPair {
  int item = 0;
  int bin = 0;

  bool operator==(const ForbiddenPair&) const = default;
};

struct Problem {
  // Sizes. num_dims >= 1.
  int num_items = 0;
  int num_bins = 0;
  int num_dims = 1;

  // Optional names for reports and explanations (empty or full size).
  std::vector<std::string> item_names;
  std::vector<std::string> bin_names;
  std::vector<std::string> dim_names;

  // --- Demand: either uniform per item or per (item, bin). ---
  // item_demand[i·D + d]: demand of item i in dimension d, the same in every
  // bin. Used when item_bin_demand is empty.
  std::vector<double> item_demand;
  // item_bin_demand[(i·m + b)·D + d]: demand when the consumption depends on
  // the bin (GAP's a_ij). Empty for the uniform case (no O(n·m·D) memory).
  std::vector<double> item_bin_demand;

  // --- Bins. ---
  // bin_capacity[b·D + d] >= 0.
  std::vector<double> bin_capacity;
  // Optional parent / failure domain of each bin (zone of a rack), >= 0; empty
  // = no domains. Used by the group domain constraints.
  std::vector<int> bin_domain;
  // Optional: 0 marks a bin that must not receive items (failed, draining,
  // quarantined). Empty = all available.
  std::vector<uint8_t> bin_available;

  // --- Linear cost. ---
  // Dense cost[i·m + b] (may be empty).
  std::vector<double> cost;
  // Price per unit of demand: bin_price[b·D + d] (may be empty). Lets large
  // instances (10^5 items × 10^3 bins) avoid a dense n×m matrix.
  std::vector<double> bin_price;

  // --- Pairwise (proximity) term: λ · Σ_{i<j} w(i,j) · distance(b_i, b_j). ---
  SparseSymmetric pair_weight;
  // Dense bin distance matrix distance[h·m + k], symmetric, zero diagonal,
  // >= 0. Empty = all distances 0 (pairwise term vanishes).
  std::vector<double> distance;
  double lambda = 1.0;

  // --- Migration from a current plan. ---
  // current_bin[i] = bin of item i in the current plan, -1 = new item. Empty
  // = no current plan. Moving item i away costs migration_cost[i] (stateful
  // components are given a higher cost by whoever builds the problem).
  std::vector<int> current_bin;
  std::vector<double> migration_cost;

  // --- Groups and other constraints. ---
  // item_group[i] = index into groups, or -1. Empty = no groups.
  std::vector<int> item_group;
  std::vector<Group> groups;
  std::vector<ForbiddenPair> forbidden;
  std::vector<DistanceLimit> distance_limits;

  bool operator==(const Problem&) const = default;

  // Cheap accessors (no bounds checks beyond asserts in debug builds).
  double Demand(int item, int bin, int dim) const {
    return item_bin_demand.empty()
               ? item_demand[static_cast<size_t>(item) * num_dims + dim]
               : item_bin_demand[(static_cast<size_t>(item) * num_bins + bin) *
                                     num_dims +
                                 dim];
  }
  double Capacity(int bin, int dim) const {
    return bin_capacity[static_cast<size_t>(bin) * num_dims + dim];
  }
  // linear(i, b) without migration.
  double LinearCost(int item, int bin) const {
    double c =
        cost.empty() ? 0.0 : cost[static_cast<size_t>(item) * num_bins + bin];
    if (!bin_price.empty()) {
      for (int d = 0; d < num_dims; ++d) {
        c += Demand(item, bin, d) *
             bin_price[static_cast<size_t>(bin) * num_dims + d];
      }
    }
    return c;
  }
  double MigrationCost(int item, int bin) const {
    if (current_bin.empty() || migration_cost.empty()) return 0.0;
    int cur = current_bin[item];
    return (cur >= 0 && cur != bin) ? migration_cost[item] : 0.0;
  }
  double Distance(int h, int k) const {
    return distance.empty() ? 0.0
                            : distance[static_cast<size_t>(h) * num_bins + k];
  }
  bool BinAvailable(int bin) const {
    return bin_available.empty() || bin_available[bin] != 0;
  }
  int GroupOf(int item) const {
    return item_group.empty() ? -1 : item_group[item];
  }
  bool HasPairwise() const {
    return !pair_weight.empty() && !distance.empty() && lambda != 0.0;
  }
};

// Checks sizes and values: every vector has its documented size (or is
// empty where allowed), values are finite, demands/capacities/weights/
// distances/costs of migration are >= 0, indices are in range. Returns OK or
// InvalidArgument naming the field (Location::path, e.g.
// "bin_capacity[12]"). Does not check feasibility.
Status Validate(const Problem& problem);

// The cost terms of an assignment.
struct CostBreakdown {
  double linear = 0;     // Σ linear(i, b_i)
  double pairwise = 0;   // λ · Σ_{i<j} w · distance
  double migration = 0;  // Σ migration costs paid
  double total() const { return linear + pairwise + migration; }
  bool operator==(const CostBreakdown&) const = default;
};

// The full evaluation of an assignment: cost terms, loads and every violated
// constraint (empty violations = feasible).
struct Evaluation {
  CostBreakdown cost;
  std::vector<double> bin_load;         // [b·D + d]
  std::vector<std::string> violations;  // human-readable, one per violation
  bool feasible() const { return violations.empty(); }
};

// Evaluates `assignment` (bin per item) against `problem`, which must be
// valid. Returns InvalidArgument if the assignment has the wrong size or a
// bin index out of range (-1 = unassigned is reported as a violation, not an
// error). O(n·D + nnz(w) + groups + limits).
Result<Evaluation> Evaluate(const Problem& problem,
                            const std::vector<int>& assignment);

}  // namespace ecotone::placement

#endif  // ECOTONE_PLACEMENT_PROBLEM_H_
