// The Ecosystem Map: an indexed, directed graph over an ecosystem's
// components (nodes) and dependencies (edges), with adjacency in both
// directions, and the analyses built on it: cycles (strongly connected
// components), orphans, entry points, start order, critical latency paths,
// impact sets, fan-in/fan-out and the proximity score. See docs/graph.md for
// the algorithms, their complexity and the proximity formula.
//
// Everything here is pure (no I/O) and deterministic. An EcosystemMap is
// immutable after Build and safe to share between threads.
#ifndef ECOTONE_GRAPH_ECOSYSTEM_MAP_H_
#define ECOTONE_GRAPH_ECOSYSTEM_MAP_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecotone/model/ecosystem.h"

namespace ecotone::graph {

// Dense ids: components are 0..component_count()-1 in the order of
// Ecosystem::components, edges 0..edge_count()-1.
using NodeId = int32_t;
using EdgeId = int32_t;
inline constexpr NodeId kNoNode = -1;

// One edge of the map: a dependency whose two ends name known components.
struct Edge {
  NodeId from = kNoNode;   // the caller / the component that starts later.
  NodeId to = kNoNode;     // the callee / the component started first.
  int32_t dependency = 0;  // index into Ecosystem::dependencies.
  // Copies of the dependency's kind and criticality, so that traversals do
  // not touch the (large) Dependency values.
  model::DependencyKind kind = model::DependencyKind::kHttp;
  model::Criticality criticality = model::Criticality::kHard;
};

// Which edges an analysis follows.
enum class EdgeSet {
  kAll = 0,    // every edge.
  kHard,       // criticality hard, start-order edges excluded: the caller
               // fails at run time without the callee.
  kCalls,      // every edge except start-order: runtime calls of any
               // criticality.
  kStartOrder  // start-order edges only (Compose depends_on).
};

// Whether a dependency of this kind and criticality belongs to `set`.
bool InEdgeSet(model::DependencyKind kind, model::Criticality criticality,
               EdgeSet set);
inline bool InEdgeSet(const model::Dependency& d, EdgeSet set) {
  return InEdgeSet(d.kind, d.criticality, set);
}

class EcosystemMap {
 public:
  // Builds the map in O(V + E). Never fails: what cannot become an edge is
  // reported in *problems (appended; may be null to discard):
  //  - "duplicate-component" (error): a second component with a name already
  //    used; it keeps its id but no dependency resolves to it.
  //  - "dangling-reference" (error): a dependency naming an unknown
  //    component; the dependency gets no edge.
  // The map borrows `ecosystem`, which must outlive it and stay unchanged.
  static EcosystemMap Build(const model::Ecosystem& ecosystem,
                            std::vector<model::Problem>* problems);

  EcosystemMap(EcosystemMap&&) = default;
  EcosystemMap& operator=(EcosystemMap&&) = default;
  EcosystemMap(const EcosystemMap&) = delete;
  EcosystemMap& operator=(const EcosystemMap&) = delete;

  const model::Ecosystem& ecosystem() const { return *eco_; }
  int component_count() const {
    return static_cast<int>(out_begin_.size()) - 1;
  }
  int edge_count() const { return static_cast<int>(edges_.size()); }

  // The id of the component called `name`, or kNoNode.
  NodeId Find(std::string_view name) const;
  const model::Component& component(NodeId id) const {
    return eco_->components[id];
  }
  const Edge& edge(EdgeId e) const { return edges_[e]; }
  bool EdgeIn(EdgeId e, EdgeSet set) const {
    return InEdgeSet(edges_[e].kind, edges_[e].criticality, set);
  }
  const model::Dependency& dependency(EdgeId e) const {
    return eco_->dependencies[edges_[e].dependency];
  }
  // Edges leaving / entering `id`, in dependency order.
  std::span<const EdgeId> OutEdges(NodeId id) const {
    return {out_edges_.data() + out_begin_[id],
            out_edges_.data() + out_begin_[id + 1]};
  }
  std::span<const EdgeId> InEdges(NodeId id) const {
    return {in_edges_.data() + in_begin_[id],
            in_edges_.data() + in_begin_[id + 1]};
  }
  // Fan-out (dependencies) and fan-in (dependents), counted in edges.
  int out_degree(NodeId id) const {
    return out_begin_[id + 1] - out_begin_[id];
  }
  int in_degree(NodeId id) const { return in_begin_[id + 1] - in_begin_[id]; }

 private:
  EcosystemMap() = default;

  const model::Ecosystem* eco_ = nullptr;
  std::unordered_map<std::string_view, NodeId> ids_;  // views into eco_.
  std::vector<Edge> edges_;
  std::vector<int32_t> out_begin_{0}, in_begin_{0};  // CSR offsets, size V+1.
  std::vector<EdgeId> out_edges_, in_edges_;
};

// Strongly connected components over the edges in `set`, by Tarjan's
// algorithm run iteratively (no recursion, so 10^5-node chains are fine).
// O(V + E). Components come in reverse topological order: a component
// appears before every component that has an edge into it (dependencies
// first). Each component lists its nodes in ascending id order.
std::vector<std::vector<NodeId>> StronglyConnectedComponents(
    const EcosystemMap& map, EdgeSet set);

enum class CycleKind {
  kHard = 0,    // hard runtime dependencies: error (nothing can start).
  kStartOrder,  // start-order edges: error (docker compose refuses them).
  kOther,       // involves soft calls only: warning.
};
std::string_view CycleKindName(CycleKind kind);  // "hard", "start-order"...

struct Cycle {
  CycleKind kind = CycleKind::kHard;
  std::vector<NodeId> members;  // the whole strongly connected component.
  // One closed walk through the component's first member, first == last,
  // e.g. a -> b -> c -> a (a self-loop is {a, a}).
  std::vector<NodeId> path;
};

// The cycles of the map: one per non-trivial strongly connected component of
// the hard edges, of the start-order edges, and of all edges when that
// component is not already reported as hard or start-order. O(V + E).
std::vector<Cycle> FindCycles(const EcosystemMap& map);

// Components with no edge at all. O(V).
std::vector<NodeId> Orphans(const EcosystemMap& map);

// Components nothing depends on (no incoming edge) plus every gateway, in id
// order: where requests enter the ecosystem. O(V).
std::vector<NodeId> EntryPoints(const EcosystemMap& map);

struct StartOrder {
  // Components that can start, dependencies first (Kahn's algorithm on all
  // edges, FIFO in id order, so the order is deterministic).
  std::vector<NodeId> order;
  // wave[id]: 0 for components without dependencies, else 1 + the largest
  // wave of its dependencies; components of one wave may start together.
  // -1 for blocked components.
  std::vector<int> wave;
  // Components that never become startable: on a cycle or depending on one.
  std::vector<NodeId> blocked;
};
// O(V + E).
StartOrder ComputeStartOrder(const EcosystemMap& map);

struct CriticalPath {
  NodeId entry = kNoNode;
  std::vector<NodeId> path;       // entry first; the chain with the largest
                                  // sum of latency budgets.
  int64_t latency_budget_us = 0;  // that sum.
  int64_t slo_us = 0;             // the entry's latency SLO; 0 = none.
  bool ok = true;                 // slo_us == 0 || latency_budget_us <= slo_us
  bool through_cycle = false;     // the chain met a call cycle, whose inner
                                  // edges were not followed.
};
// For every entry point, the chain of hard calls (EdgeSet::kHard: soft calls
// are off the critical path by definition) with the largest
// sum of Dependency::latency_budget_us (unknown budgets count 0): the
// longest path in the DAG of strongly connected components, O(V + E) for all
// entry points together plus the length of the paths returned. Edges inside
// a call cycle are not followed (a cycle has no longest path).
std::vector<CriticalPath> CriticalPaths(const EcosystemMap& map);

// The transitive dependents of `id` ("what breaks if it fails"): every
// component with a chain of edges in `set` to `id`, excluding `id` itself,
// in BFS order over the incoming adjacency. O(V + E) worst case.
std::vector<NodeId> ImpactSet(const EcosystemMap& map, NodeId id, EdgeSet set);

struct ImpactRank {
  NodeId id = kNoNode;
  int size = 0;       // |ImpactSet(id, kAll)|
  int hard_size = 0;  // |ImpactSet(id, kHard)|
};
// The `top` components with the largest impact sets, largest first (ties by
// id). Exact over all components when V <= 4096. Above that the candidates
// are the 2 * `top` components with the largest fan-in plus, for each, the
// end of a walk along its dependencies (a dependency's impact set contains
// its dependent's, so the walk can only gain); cost O(top * (V + E)).
std::vector<ImpactRank> TopImpact(const EcosystemMap& map, int top);

// One undirected pair of the proximity matrix, a < b.
struct ProximityEntry {
  NodeId a = kNoNode;
  NodeId b = kNoNode;
  double weight = 0;  // in [0, 1).
};

struct Proximity {
  // Sorted by (a, b); one entry per pair of components joined by at least
  // one edge in either direction (self-loops excluded).
  std::vector<ProximityEntry> pairs;
  // edge_pair[e]: index into pairs of edge e's pair, -1 for self-loops.
  std::vector<int32_t> edge_pair;
};

// The raw (unsquashed) proximity contribution of one dependency; see
// docs/graph.md: criticality × log2(1 + traffic) × latency factor.
double EdgeProximityRaw(const model::Dependency& d);

// The proximity score: for each pair {i, j} joined by edges, weight =
// 1 - exp(-Σ EdgeProximityRaw over the edges between them, both directions).
// O(V + E + Σ deg log deg). The placement cost uses
// λ · Σ weight · distance(zone_i, zone_j).
Proximity ComputeProximity(const EcosystemMap& map);

// Everything `ecotone analyze` reports, computed once.
struct Analysis {
  std::vector<Cycle> cycles;
  std::vector<NodeId> orphans;
  std::vector<NodeId> entry_points;
  StartOrder start_order;
  std::vector<CriticalPath> critical_paths;
  std::vector<ImpactRank> top_impact;
  Proximity proximity;
  // Problems found by the analyses (codes: "hard-cycle", "start-order-cycle"
  // (errors), "cycle" (warning), "slo-exceeded" (error), "path-through-cycle"
  // (warning), "orphan" (info)), located at the component concerned.
  std::vector<model::Problem> problems;
};

// Runs every analysis above. `top_impact` bounds Analysis::top_impact.
Analysis Analyze(const EcosystemMap& map, int top_impact = 10);

}  // namespace ecotone::graph

#endif  // ECOTONE_GRAPH_ECOSYSTEM_MAP_H_
