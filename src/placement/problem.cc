// Problem validation, evaluation and CSR construction.
#include "ecotone/placement/problem.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>

namespace ecotone::placement {
namespace {

Status Bad(std::string path, std::string message) {
  Location where;
  where.path = std::move(path);
  return Status::InvalidArgument(std::move(message), std::move(where));
}

std::string Idx(const char* name, size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

// Checks a vector has size `want` (or is empty when `may_be_empty`) and all
// values are finite and (when `non_negative`) >= 0.
Status CheckVector(const char* name, const std::vector<double>& v, size_t want,
                   bool may_be_empty, bool non_negative) {
  if (v.empty() && may_be_empty) return Status::Ok();
  if (v.size() != want) {
    return Bad(name, "expected " + std::to_string(want) + " values, got " +
                         std::to_string(v.size()));
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) return Bad(Idx(name, i), "not a finite number");
    if (non_negative && v[i] < 0) {
      return Bad(Idx(name, i), "must be >= 0, got " + std::to_string(v[i]));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SparseSymmetric> BuildSymmetric(int num_items,
                                       const std::vector<WeightedPair>& pairs) {
  if (num_items < 0) return Bad("num_items", "must be >= 0");
  std::vector<int64_t> degree(static_cast<size_t>(num_items) + 1, 0);
  std::vector<std::pair<int, int>> keys;
  keys.reserve(pairs.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    const WeightedPair& p = pairs[k];
    if (p.a < 0 || p.a >= num_items || p.b < 0 || p.b >= num_items) {
      return Bad(Idx("pairs", k), "item index out of range");
    }
    if (!std::isfinite(p.weight) || p.weight < 0) {
      return Bad(Idx("pairs", k), "weight must be finite and >= 0");
    }
  }
  // Sort unordered pairs, merge duplicates, then emit both directions.
  std::vector<WeightedPair> sorted;
  sorted.reserve(pairs.size());
  for (const WeightedPair& p : pairs) {
    if (p.a == p.b || p.weight == 0) continue;
    sorted.push_back({std::min(p.a, p.b), std::max(p.a, p.b), p.weight});
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  std::vector<WeightedPair> merged;
  for (const WeightedPair& p : sorted) {
    if (!merged.empty() && merged.back().a == p.a && merged.back().b == p.b) {
      merged.back().weight += p.weight;
    } else {
      merged.push_back(p);
    }
  }
  for (const WeightedPair& p : merged) {
    ++degree[p.a + 1];
    ++degree[p.b + 1];
  }
  SparseSymmetric s;
  if (merged.empty()) return s;
  for (int i = 0; i < num_items; ++i) degree[i + 1] += degree[i];
  s.row_start = degree;
  s.col.resize(merged.size() * 2);
  s.weight.resize(merged.size() * 2);
  std::vector<int64_t> fill(degree.begin(), degree.end() - 1);
  for (const WeightedPair& p : merged) {
    s.col[fill[p.a]] = p.b;
    s.weight[fill[p.a]++] = p.weight;
    s.col[fill[p.b]] = p.a;
    s.weight[fill[p.b]++] = p.weight;
  }
  // Rows come out sorted by column because `merged` is sorted by (a, b) and
  // every b-row entry (col = a) is appended in increasing a.
  return s;
}

Status Validate(const Problem& p) {
  if (p.num_items < 0) return Bad("num_items", "must be >= 0");
  if (p.num_bins < 1) return Bad("num_bins", "must be >= 1");
  if (p.num_dims < 1) return Bad("num_dims", "must be >= 1");
  const size_t n = p.num_items, m = p.num_bins, d = p.num_dims;
  if (n > (size_t{1} << 31) / 2 || m > 1000000) {
    return Bad("num_items", "problem too large");
  }
  if (!p.item_names.empty() && p.item_names.size() != n) {
    return Bad("item_names", "expected one name per item");
  }
  if (!p.bin_names.empty() && p.bin_names.size() != m) {
    return Bad("bin_names", "expected one name per bin");
  }
  if (!p.dim_names.empty() && p.dim_names.size() != d) {
    return Bad("dim_names", "expected one name per dimension");
  }
  if (p.item_bin_demand.empty()) {
    ECOTONE_RETURN_IF_ERROR(
        CheckVector("item_demand", p.item_demand, n * d, n == 0, true));
  } else {
    ECOTONE_RETURN_IF_ERROR(CheckVector("item_bin_demand", p.item_bin_demand,
                                        n * m * d, false, true));
  }
  ECOTONE_RETURN_IF_ERROR(
      CheckVector("bin_capacity", p.bin_capacity, m * d, false, true));
  if (!p.bin_domain.empty()) {
    if (p.bin_domain.size() != m) {
      return Bad("bin_domain", "expected one domain per bin");
    }
    for (size_t b = 0; b < m; ++b) {
      if (p.bin_domain[b] < 0) return Bad(Idx("bin_domain", b), "must be >= 0");
    }
  }
  if (!p.bin_available.empty() && p.bin_available.size() != m) {
    return Bad("bin_available", "expected one flag per bin");
  }
  ECOTONE_RETURN_IF_ERROR(CheckVector("cost", p.cost, n * m, true, false));
  ECOTONE_RETURN_IF_ERROR(
      CheckVector("bin_price", p.bin_price, m * d, true, false));
  ECOTONE_RETURN_IF_ERROR(
      CheckVector("distance", p.distance, m * m, true, true));
  if (!std::isfinite(p.lambda)) return Bad("lambda", "not a finite number");
  const SparseSymmetric& w = p.pair_weight;
  if (!w.row_start.empty() || !w.col.empty()) {
    if (w.row_start.size() != n + 1) {
      return Bad("pair_weight.row_start", "expected num_items + 1 entries");
    }
    if (w.row_start[0] != 0 ||
        static_cast<size_t>(w.row_start[n]) != w.col.size() ||
        w.col.size() != w.weight.size()) {
      return Bad("pair_weight", "inconsistent CSR sizes");
    }
    for (size_t i = 0; i < n; ++i) {
      if (w.row_start[i + 1] < w.row_start[i]) {
        return Bad(Idx("pair_weight.row_start", i + 1), "not monotone");
      }
      for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
        if (w.col[k] < 0 || static_cast<size_t>(w.col[k]) >= n ||
            static_cast<size_t>(w.col[k]) == i) {
          return Bad(Idx("pair_weight.col", k), "bad neighbour index");
        }
        if (!std::isfinite(w.weight[k]) || w.weight[k] < 0) {
          return Bad(Idx("pair_weight.weight", k), "must be finite and >= 0");
        }
      }
    }
  }
  if (!p.current_bin.empty()) {
    if (p.current_bin.size() != n) {
      return Bad("current_bin", "expected one entry per item");
    }
    for (size_t i = 0; i < n; ++i) {
      if (p.current_bin[i] < -1 || p.current_bin[i] >= static_cast<int>(m)) {
        return Bad(Idx("current_bin", i), "bin index out of range");
      }
    }
    ECOTONE_RETURN_IF_ERROR(
        CheckVector("migration_cost", p.migration_cost, n, true, true));
  }
  if (!p.item_group.empty()) {
    if (p.item_group.size() != n) {
      return Bad("item_group", "expected one entry per item");
    }
    for (size_t i = 0; i < n; ++i) {
      if (p.item_group[i] < -1 ||
          p.item_group[i] >= static_cast<int>(p.groups.size())) {
        return Bad(Idx("item_group", i), "group index out of range");
      }
    }
  }
  for (size_t g = 0; g < p.groups.size(); ++g) {
    const Group& gr = p.groups[g];
    std::string at = Idx("groups", g);
    for (size_t k = 0; k < gr.allowed_bins.size(); ++k) {
      int b = gr.allowed_bins[k];
      if (b < 0 || b >= static_cast<int>(m)) {
        return Bad(at + Idx(".allowed_bins", k), "bin index out of range");
      }
      if (k > 0 && b <= gr.allowed_bins[k - 1]) {
        return Bad(at + Idx(".allowed_bins", k), "must be sorted and unique");
      }
    }
    if (gr.min_distinct_bins < 0 || gr.max_per_bin < 0 ||
        gr.min_distinct_domains < 0 || gr.max_per_domain < 0) {
      return Bad(at, "spread limits must be >= 0");
    }
  }
  for (size_t k = 0; k < p.forbidden.size(); ++k) {
    const ForbiddenPair& f = p.forbidden[k];
    if (f.item < 0 || f.item >= static_cast<int>(n) || f.bin < 0 ||
        f.bin >= static_cast<int>(m)) {
      return Bad(Idx("forbidden", k), "index out of range");
    }
  }
  for (size_t k = 0; k < p.distance_limits.size(); ++k) {
    const DistanceLimit& l = p.distance_limits[k];
    if (l.item_a < 0 || l.item_a >= static_cast<int>(n) || l.item_b < 0 ||
        l.item_b >= static_cast<int>(n) || l.item_a == l.item_b) {
      return Bad(Idx("distance_limits", k), "bad item index");
    }
    if (!std::isfinite(l.max_distance)) {
      return Bad(Idx("distance_limits", k), "max_distance not finite");
    }
  }
  return Status::Ok();
}

Result<Evaluation> Evaluate(const Problem& p,
                            const std::vector<int>& assignment) {
  const int n = p.num_items, m = p.num_bins, D = p.num_dims;
  if (assignment.size() != static_cast<size_t>(n)) {
    return Bad("assignment", "expected " + std::to_string(n) + " entries");
  }
  for (int i = 0; i < n; ++i) {
    if (assignment[i] < -1 || assignment[i] >= m) {
      return Bad(Idx("assignment", i), "bin index out of range");
    }
  }
  Evaluation ev;
  ev.bin_load.assign(static_cast<size_t>(m) * D, 0.0);
  auto item_name = [&](int i) {
    return p.item_names.empty() ? "item " + std::to_string(i) : p.item_names[i];
  };
  auto bin_name = [&](int b) {
    return p.bin_names.empty() ? "bin " + std::to_string(b) : p.bin_names[b];
  };
  for (int i = 0; i < n; ++i) {
    int b = assignment[i];
    if (b < 0) {
      ev.violations.push_back(item_name(i) + " is not assigned");
      continue;
    }
    ev.cost.linear += p.LinearCost(i, b);
    ev.cost.migration += p.MigrationCost(i, b);
    for (int d = 0; d < D; ++d) {
      ev.bin_load[static_cast<size_t>(b) * D + d] += p.Demand(i, b, d);
    }
    if (!p.BinAvailable(b)) {
      ev.violations.push_back(item_name(i) + " on unavailable " + bin_name(b));
    }
    int g = p.GroupOf(i);
    if (g >= 0 && !p.groups[g].allowed_bins.empty() &&
        !std::binary_search(p.groups[g].allowed_bins.begin(),
                            p.groups[g].allowed_bins.end(), b)) {
      ev.violations.push_back(item_name(i) + " on " + bin_name(b) +
                              ", not allowed for group " + p.groups[g].name);
    }
  }
  for (const ForbiddenPair& f : p.forbidden) {
    if (assignment[f.item] == f.bin) {
      ev.violations.push_back(item_name(f.item) + " on forbidden " +
                              bin_name(f.bin));
    }
  }
  for (int b = 0; b < m; ++b) {
    for (int d = 0; d < D; ++d) {
      double load = ev.bin_load[static_cast<size_t>(b) * D + d];
      double cap = p.Capacity(b, d);
      if (load > cap + 1e-9 * std::max(1.0, std::abs(cap))) {
        ev.violations.push_back(
            "capacity of " + bin_name(b) + " dimension " + std::to_string(d) +
            ": load " + std::to_string(load) + " > " + std::to_string(cap));
      }
    }
  }
  if (p.HasPairwise()) {
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      if (assignment[i] < 0) continue;
      for (int64_t k = p.pair_weight.row_start[i];
           k < p.pair_weight.row_start[i + 1]; ++k) {
        int j = p.pair_weight.col[k];
        if (j <= i || assignment[j] < 0) continue;
        sum +=
            p.pair_weight.weight[k] * p.Distance(assignment[i], assignment[j]);
      }
    }
    ev.cost.pairwise = p.lambda * sum;
  }
  // Group spread.
  if (!p.groups.empty() && !p.item_group.empty()) {
    std::vector<std::vector<int>> members(p.groups.size());
    for (int i = 0; i < n; ++i) {
      if (p.item_group[i] >= 0 && assignment[i] >= 0) {
        members[p.item_group[i]].push_back(assignment[i]);
      }
    }
    for (size_t g = 0; g < p.groups.size(); ++g) {
      const Group& gr = p.groups[g];
      if (members[g].empty()) continue;  // nothing to spread
      std::unordered_map<int, int> per_bin, per_domain;
      for (int b : members[g]) {
        ++per_bin[b];
        if (!p.bin_domain.empty()) ++per_domain[p.bin_domain[b]];
      }
      if (gr.min_distinct_bins > 0 &&
          static_cast<int>(per_bin.size()) < gr.min_distinct_bins) {
        ev.violations.push_back("group " + gr.name + " spans " +
                                std::to_string(per_bin.size()) + " bins < " +
                                std::to_string(gr.min_distinct_bins));
      }
      if (gr.max_per_bin > 0) {
        for (auto [b, c] : per_bin) {
          if (c > gr.max_per_bin) {
            ev.violations.push_back("group " + gr.name + " has " +
                                    std::to_string(c) + " items on " +
                                    bin_name(b) + " > " +
                                    std::to_string(gr.max_per_bin));
          }
        }
      }
      if (!p.bin_domain.empty()) {
        if (gr.min_distinct_domains > 0 &&
            static_cast<int>(per_domain.size()) < gr.min_distinct_domains) {
          ev.violations.push_back("group " + gr.name + " spans " +
                                  std::to_string(per_domain.size()) +
                                  " domains < " +
                                  std::to_string(gr.min_distinct_domains));
        }
        if (gr.max_per_domain > 0) {
          for (auto [dm, c] : per_domain) {
            if (c > gr.max_per_domain) {
              ev.violations.push_back("group " + gr.name + " has " +
                                      std::to_string(c) + " items in domain " +
                                      std::to_string(dm) + " > " +
                                      std::to_string(gr.max_per_domain));
            }
          }
        }
      }
    }
  }
  for (const DistanceLimit& l : p.distance_limits) {
    int a = assignment[l.item_a], b = assignment[l.item_b];
    if (a < 0 || b < 0) continue;
    if (l.distinct_bins && a == b) {
      ev.violations.push_back(item_name(l.item_a) + " and " +
                              item_name(l.item_b) + " share bin " +
                              std::to_string(a) + " (must be apart)");
    } else if (l.Broken(p, a, b)) {
      ev.violations.push_back("distance " + item_name(l.item_a) + " - " +
                              item_name(l.item_b) + " is " +
                              std::to_string(p.Distance(a, b)) + " > limit " +
                              std::to_string(l.max_distance));
    }
  }
  return ev;
}

}  // namespace ecotone::placement
