// The proximity score: how much two components gain from being placed close
// together. Formula and reasoning in docs/graph.md ("Proximity score").
#include <algorithm>
#include <cmath>

#include "ecotone/graph/ecosystem_map.h"

namespace ecotone::graph {
namespace {

// Traffic units: 100 requests/s or 1 MiB/s count as 1.
constexpr double kRpsUnit = 100.0;
constexpr double kBytesUnit = 1024.0 * 1024.0;
// Budget at which the latency factor is 2 (10 ms).
constexpr double kBudgetRefUs = 10000.0;
constexpr double kSoftFactor = 0.5;

// Traffic assumed when a dependency declares none (inferred edges): data
// stores are called on nearly every request, queues are asynchronous, and
// a start-order edge says nothing about traffic at all.
double DefaultTraffic(model::DependencyKind kind) {
  switch (kind) {
    case model::DependencyKind::kDatabase:
    case model::DependencyKind::kCache:
      return 1.0;
    case model::DependencyKind::kHttp:
    case model::DependencyKind::kGrpc:
    case model::DependencyKind::kDataFlow:
      return 0.5;
    case model::DependencyKind::kQueuePublish:
    case model::DependencyKind::kQueueConsume:
      return 0.3;
    case model::DependencyKind::kStartOrder:
      return 0.05;
  }
  return 0.5;
}

}  // namespace

double EdgeProximityRaw(const model::Dependency& d) {
  double x = d.traffic_rps / kRpsUnit + d.traffic_bytes_per_s / kBytesUnit;
  if (!(x > 0)) x = DefaultTraffic(d.kind);  // also catches NaN.
  const double traffic = std::log2(1.0 + x);
  const double latency =
      d.latency_budget_us > 0
          ? 1.0 + std::log2(1.0 + kBudgetRefUs /
                                      static_cast<double>(d.latency_budget_us))
          : 1.0;
  const double crit =
      d.criticality == model::Criticality::kHard ? 1.0 : kSoftFactor;
  return crit * traffic * latency;
}

Proximity ComputeProximity(const EcosystemMap& map) {
  // One pass per node a over both adjacency lists, accumulating into the
  // pair {a, b} for b > a; `slot[b]` remembers b's entry while a is current,
  // so no hash map or global sort is needed.
  const int n = map.component_count();
  Proximity p;
  p.edge_pair.assign(map.edge_count(), -1);
  std::vector<int32_t> owner(n, -1), slot(n, -1);
  std::vector<double> raw;
  for (NodeId a = 0; a < n; ++a) {
    const size_t first = p.pairs.size();
    auto visit = [&](EdgeId e, NodeId b) {
      if (b <= a) return;  // self-loops and pairs owned by b.
      if (owner[b] != a) {
        owner[b] = a;
        slot[b] = static_cast<int32_t>(p.pairs.size());
        p.pairs.push_back({a, b, 0});
        raw.push_back(0);
      }
      raw[slot[b]] += EdgeProximityRaw(map.dependency(e));
    };
    for (EdgeId e : map.OutEdges(a)) visit(e, map.edge(e).to);
    for (EdgeId e : map.InEdges(a)) visit(e, map.edge(e).from);
    // Sort a's pairs by b, carrying the raw sums along.
    const size_t last = p.pairs.size();
    if (last - first > 1) {
      std::vector<std::pair<NodeId, double>> tmp;
      tmp.reserve(last - first);
      for (size_t i = first; i < last; ++i)
        tmp.emplace_back(p.pairs[i].b, raw[i]);
      std::sort(tmp.begin(), tmp.end());
      for (size_t i = first; i < last; ++i) {
        p.pairs[i].b = tmp[i - first].first;
        raw[i] = tmp[i - first].second;
        slot[p.pairs[i].b] = static_cast<int32_t>(i);
      }
    }
    for (size_t i = first; i < last; ++i)
      p.pairs[i].weight = -std::expm1(-raw[i]);
    for (EdgeId e : map.OutEdges(a)) {
      NodeId b = map.edge(e).to;
      if (b > a) p.edge_pair[e] = slot[b];
    }
    for (EdgeId e : map.InEdges(a)) {
      NodeId b = map.edge(e).from;
      if (b > a) p.edge_pair[e] = slot[b];
    }
  }
  return p;
}

}  // namespace ecotone::graph
