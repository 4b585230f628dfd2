// Graph analyses over an EcosystemMap: SCC (iterative Tarjan), cycles,
// orphans, entry points, start order (Kahn), critical latency paths (longest
// path on the SCC condensation) and impact sets (BFS on in-adjacency).
// Complexities are in ecosystem_map.h and docs/graph.md.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/model/units.h"

namespace ecotone::graph {

std::string_view CycleKindName(CycleKind kind) {
  switch (kind) {
    case CycleKind::kHard:
      return "hard";
    case CycleKind::kStartOrder:
      return "start-order";
    case CycleKind::kOther:
      return "other";
  }
  return "unknown";
}

std::vector<std::vector<NodeId>> StronglyConnectedComponents(
    const EcosystemMap& map, EdgeSet set) {
  // Tarjan (1972) with an explicit call stack: each frame is a node and the
  // position of the next out-edge to look at.
  const int n = map.component_count();
  std::vector<int32_t> index(n, -1), low(n, 0);
  std::vector<char> on_stack(n, 0);
  std::vector<NodeId> stack;
  std::vector<std::pair<NodeId, int32_t>> frames;
  std::vector<std::vector<NodeId>> out;
  int32_t counter = 0;
  for (NodeId s = 0; s < n; ++s) {
    if (index[s] != -1) continue;
    index[s] = low[s] = counter++;
    stack.push_back(s);
    on_stack[s] = 1;
    frames.emplace_back(s, 0);
    while (!frames.empty()) {
      NodeId v = frames.back().first;
      auto edges = map.OutEdges(v);
      int32_t pos = frames.back().second;
      if (pos < static_cast<int32_t>(edges.size())) {
        frames.back().second = pos + 1;
        EdgeId e = edges[pos];
        if (!map.EdgeIn(e, set)) continue;
        NodeId w = map.edge(e).to;
        if (index[w] == -1) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = 1;
          frames.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<NodeId> comp;
        NodeId w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          comp.push_back(w);
        } while (w != v);
        std::sort(comp.begin(), comp.end());
        out.push_back(std::move(comp));
      }
      frames.pop_back();
      if (!frames.empty()) {
        NodeId u = frames.back().first;
        low[u] = std::min(low[u], low[v]);
      }
    }
  }
  return out;
}

namespace {

bool HasSelfLoop(const EcosystemMap& map, NodeId v, EdgeSet set) {
  for (EdgeId e : map.OutEdges(v))
    if (map.edge(e).to == v && map.EdgeIn(e, set)) return true;
  return false;
}

// A closed walk from members[0] back to itself inside the component, by BFS
// (so it is a shortest such cycle). `scc_mark[v] == mark` for members.
std::vector<NodeId> CyclePath(const EcosystemMap& map,
                              const std::vector<NodeId>& members, EdgeSet set,
                              std::vector<int32_t>& scc_mark,
                              std::vector<NodeId>& parent, int32_t mark) {
  const NodeId s = members.front();
  for (NodeId v : members) {
    scc_mark[v] = mark;
    parent[v] = kNoNode;
  }
  std::deque<NodeId> queue{s};
  NodeId last = kNoNode;
  while (!queue.empty() && last == kNoNode) {
    NodeId v = queue.front();
    queue.pop_front();
    for (EdgeId e : map.OutEdges(v)) {
      if (!map.EdgeIn(e, set)) continue;
      NodeId w = map.edge(e).to;
      if (scc_mark[w] != mark) continue;
      if (w == s) {
        last = v;
        break;
      }
      if (parent[w] == kNoNode) {
        parent[w] = v;
        queue.push_back(w);
      }
    }
  }
  std::vector<NodeId> path;
  if (last == kNoNode) return path;  // not a cycle (cannot happen).
  for (NodeId v = last; v != s; v = parent[v]) path.push_back(v);
  path.push_back(s);
  std::reverse(path.begin(), path.end());
  path.push_back(s);
  return path;
}

std::string PathString(const EcosystemMap& map,
                       const std::vector<NodeId>& path) {
  std::string s;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) s += " -> ";
    s += map.component(path[i]).name;
  }
  return s;
}

}  // namespace

std::vector<Cycle> FindCycles(const EcosystemMap& map) {
  const int n = map.component_count();
  std::vector<int32_t> scc_mark(n, -1);
  std::vector<NodeId> parent(n, kNoNode);
  int32_t mark = 0;
  std::vector<Cycle> cycles;
  // Reported member sets, keyed by first member, to skip repeats in kAll.
  std::multimap<NodeId, size_t> reported;
  auto collect = [&](EdgeSet set, CycleKind kind, bool skip_reported) {
    for (auto& comp : StronglyConnectedComponents(map, set)) {
      if (comp.size() == 1 && !HasSelfLoop(map, comp[0], set)) continue;
      if (skip_reported) {
        bool seen = false;
        auto [lo, hi] = reported.equal_range(comp[0]);
        for (auto it = lo; it != hi && !seen; ++it)
          seen = cycles[it->second].members == comp;
        if (seen) continue;
      }
      Cycle c;
      c.kind = kind;
      c.path = CyclePath(map, comp, set, scc_mark, parent, mark++);
      c.members = std::move(comp);
      reported.emplace(c.members[0], cycles.size());
      cycles.push_back(std::move(c));
    }
  };
  collect(EdgeSet::kHard, CycleKind::kHard, false);
  collect(EdgeSet::kStartOrder, CycleKind::kStartOrder, false);
  collect(EdgeSet::kAll, CycleKind::kOther, true);
  return cycles;
}

std::vector<NodeId> Orphans(const EcosystemMap& map) {
  std::vector<NodeId> out;
  for (NodeId v = 0; v < map.component_count(); ++v)
    if (map.in_degree(v) == 0 && map.out_degree(v) == 0) out.push_back(v);
  return out;
}

std::vector<NodeId> EntryPoints(const EcosystemMap& map) {
  std::vector<NodeId> out;
  for (NodeId v = 0; v < map.component_count(); ++v)
    if (map.in_degree(v) == 0 ||
        map.component(v).kind == model::ComponentKind::kGateway)
      out.push_back(v);
  return out;
}

StartOrder ComputeStartOrder(const EcosystemMap& map) {
  // Kahn (1962) on the reversed edges: a component becomes startable when
  // all of its dependencies have started.
  const int n = map.component_count();
  StartOrder r;
  r.wave.assign(n, -1);
  r.order.reserve(n);
  std::vector<int32_t> remaining(n);
  for (NodeId v = 0; v < n; ++v) {
    remaining[v] = map.out_degree(v);
    if (remaining[v] == 0) {
      r.order.push_back(v);
      r.wave[v] = 0;
    }
  }
  for (size_t head = 0; head < r.order.size(); ++head) {
    NodeId v = r.order[head];
    for (EdgeId e : map.InEdges(v)) {
      NodeId u = map.edge(e).from;
      r.wave[u] = std::max(r.wave[u], r.wave[v] + 1);
      if (--remaining[u] == 0) r.order.push_back(u);
    }
  }
  for (NodeId v = 0; v < n; ++v)
    if (remaining[v] > 0) {
      r.blocked.push_back(v);
      r.wave[v] = -1;
    }
  return r;
}

std::vector<CriticalPath> CriticalPaths(const EcosystemMap& map) {
  const int n = map.component_count();
  auto sccs = StronglyConnectedComponents(map, EdgeSet::kHard);
  std::vector<int32_t> comp_of(n);
  for (size_t c = 0; c < sccs.size(); ++c)
    for (NodeId v : sccs[c]) comp_of[v] = static_cast<int32_t>(c);
  // best[v]: largest budget sum of a chain starting at v; ties go to the
  // chain with more hops. Components arrive dependencies first, so every
  // successor outside v's component is final when v is visited.
  std::vector<int64_t> best(n, 0);
  std::vector<int32_t> hops(n, 0);
  std::vector<EdgeId> next(n, -1);
  std::vector<char> in_cycle(n, 0);
  for (const auto& comp : sccs) {
    for (NodeId v : comp) {
      for (EdgeId e : map.OutEdges(v)) {
        if (!map.EdgeIn(e, EdgeSet::kHard)) continue;
        NodeId w = map.edge(e).to;
        if (comp_of[w] == comp_of[v]) {
          in_cycle[v] = 1;
          continue;
        }
        int64_t cand = map.dependency(e).latency_budget_us + best[w];
        int32_t cand_hops = hops[w] + 1;
        if (cand > best[v] || (cand == best[v] && cand_hops > hops[v])) {
          best[v] = cand;
          hops[v] = cand_hops;
          next[v] = e;
        }
      }
    }
  }
  std::vector<CriticalPath> out;
  for (NodeId entry : EntryPoints(map)) {
    CriticalPath p;
    p.entry = entry;
    p.latency_budget_us = best[entry];
    p.slo_us = map.component(entry).latency_slo_us;
    p.ok = p.slo_us == 0 || p.latency_budget_us <= p.slo_us;
    p.path.reserve(hops[entry] + 1);
    for (NodeId v = entry;;) {
      p.path.push_back(v);
      p.through_cycle = p.through_cycle || in_cycle[v];
      if (next[v] < 0) break;
      v = map.edge(next[v]).to;
    }
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// BFS over incoming edges in `set`; marks visited nodes with `stamp`.
// Returns the visited nodes except `id`.
void ImpactBfs(const EcosystemMap& map, NodeId id, EdgeSet set,
               std::vector<int32_t>& seen, int32_t stamp,
               std::vector<NodeId>& out) {
  out.clear();
  seen[id] = stamp;
  size_t head = 0;
  NodeId v = id;
  while (true) {
    for (EdgeId e : map.InEdges(v)) {
      if (!map.EdgeIn(e, set)) continue;
      NodeId u = map.edge(e).from;
      if (seen[u] == stamp) continue;
      seen[u] = stamp;
      out.push_back(u);
    }
    if (head == out.size()) break;
    v = out[head++];
  }
}

}  // namespace

std::vector<NodeId> ImpactSet(const EcosystemMap& map, NodeId id, EdgeSet set) {
  std::vector<int32_t> seen(map.component_count(), -1);
  std::vector<NodeId> out;
  ImpactBfs(map, id, set, seen, 0, out);
  return out;
}

std::vector<ImpactRank> TopImpact(const EcosystemMap& map, int top) {
  const int n = map.component_count();
  if (top <= 0 || n == 0) return {};
  std::vector<NodeId> candidates;
  if (n <= 4096) {
    candidates.resize(n);
    for (NodeId v = 0; v < n; ++v) candidates[v] = v;
  } else {
    // If v depends on u then ImpactSet(u) contains ImpactSet(v) and v, so
    // walking dependencies never lowers the impact: from each of the
    // 2*top components with the largest fan-in, walk to a component with no
    // further dependency (choosing the largest fan-in at each step) and take
    // both ends as candidates.
    std::vector<NodeId> by_fan_in(n);
    for (NodeId v = 0; v < n; ++v) by_fan_in[v] = v;
    const int k = std::min(n, 2 * top);
    std::partial_sort(by_fan_in.begin(), by_fan_in.begin() + k, by_fan_in.end(),
                      [&](NodeId a, NodeId b) {
                        return map.in_degree(a) != map.in_degree(b)
                                   ? map.in_degree(a) > map.in_degree(b)
                                   : a < b;
                      });
    std::vector<int32_t> walked(n, -1);
    for (int i = 0; i < k; ++i) {
      NodeId v = by_fan_in[i];
      candidates.push_back(v);
      walked[v] = i;
      while (true) {
        NodeId next = kNoNode;
        for (EdgeId e : map.OutEdges(v)) {
          NodeId w = map.edge(e).to;
          if (walked[w] == i) continue;
          if (next == kNoNode || map.in_degree(w) > map.in_degree(next))
            next = w;
        }
        if (next == kNoNode) break;
        walked[next] = i;
        v = next;
      }
      if (v != by_fan_in[i]) candidates.push_back(v);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()),
                     candidates.end());
  }
  std::vector<ImpactRank> ranks;
  ranks.reserve(candidates.size());
  std::vector<int32_t> seen(n, -1);
  std::vector<NodeId> buf;
  int32_t stamp = 0;
  for (NodeId v : candidates) {
    ImpactRank r;
    r.id = v;
    ImpactBfs(map, v, EdgeSet::kAll, seen, stamp++, buf);
    r.size = static_cast<int>(buf.size());
    ranks.push_back(r);
  }
  auto by_size = [](const ImpactRank& a, const ImpactRank& b) {
    return a.size != b.size ? a.size > b.size : a.id < b.id;
  };
  const size_t keep = std::min<size_t>(ranks.size(), top);
  std::partial_sort(ranks.begin(), ranks.begin() + keep, ranks.end(), by_size);
  ranks.resize(keep);
  for (auto& r : ranks) {
    ImpactBfs(map, r.id, EdgeSet::kHard, seen, stamp++, buf);
    r.hard_size = static_cast<int>(buf.size());
  }
  return ranks;
}

Analysis Analyze(const EcosystemMap& map, int top_impact) {
  Analysis a;
  a.cycles = FindCycles(map);
  a.orphans = Orphans(map);
  a.entry_points = EntryPoints(map);
  a.start_order = ComputeStartOrder(map);
  a.critical_paths = CriticalPaths(map);
  a.top_impact = TopImpact(map, top_impact);
  a.proximity = ComputeProximity(map);

  for (const Cycle& c : a.cycles) {
    const model::Component& first = map.component(c.members.front());
    std::string path = PathString(map, c.path);
    switch (c.kind) {
      case CycleKind::kHard:
        a.problems.push_back({model::Severity::kError, first.where,
                              "hard dependency cycle: " + path +
                                  " (none of these can work without the next)",
                              "hard-cycle"});
        break;
      case CycleKind::kStartOrder:
        a.problems.push_back(
            {model::Severity::kError, first.where,
             "start-order cycle: " + path +
                 " (docker compose refuses circular depends_on)",
             "start-order-cycle"});
        break;
      case CycleKind::kOther:
        a.problems.push_back(
            {model::Severity::kWarning, first.where,
             "dependency cycle through soft or mixed edges: " + path, "cycle"});
        break;
    }
  }
  for (const CriticalPath& p : a.critical_paths) {
    const model::Component& entry = map.component(p.entry);
    if (!p.ok) {
      a.problems.push_back(
          {model::Severity::kError, entry.where,
           "critical path " + PathString(map, p.path) +
               " sums latency budgets of " +
               model::FormatDuration(p.latency_budget_us) + ", over the " +
               model::FormatDuration(p.slo_us) + " SLO of '" + entry.name + "'",
           "slo-exceeded"});
    }
    if (p.through_cycle && p.slo_us > 0) {
      a.problems.push_back(
          {model::Severity::kWarning, entry.where,
           "the call chains from '" + entry.name +
               "' run through a call cycle; the critical path leaves out "
               "the edges inside the cycle",
           "path-through-cycle"});
    }
  }
  for (NodeId v : a.orphans) {
    const model::Component& c = map.component(v);
    a.problems.push_back(
        {model::Severity::kInfo, c.where,
         "'" + c.name + "' has no dependencies and nothing depends on it",
         "orphan"});
  }
  return a;
}

}  // namespace ecotone::graph
