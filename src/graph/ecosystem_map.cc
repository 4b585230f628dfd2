// EcosystemMap construction: name index and CSR adjacency in both
// directions, O(V + E).
#include "ecotone/graph/ecosystem_map.h"

#include <string>

namespace ecotone::graph {

bool InEdgeSet(model::DependencyKind kind, model::Criticality criticality,
               EdgeSet set) {
  const bool start_order = kind == model::DependencyKind::kStartOrder;
  switch (set) {
    case EdgeSet::kAll:
      return true;
    case EdgeSet::kHard:
      return !start_order && criticality == model::Criticality::kHard;
    case EdgeSet::kCalls:
      return !start_order;
    case EdgeSet::kStartOrder:
      return start_order;
  }
  return false;
}

namespace {

// Where to point at for a dependency: its first evidence, else the
// declaring component.
Location DependencyLocation(const model::Dependency& d,
                            const model::Component* from) {
  if (!d.evidence.empty()) return d.evidence.front().where;
  if (from != nullptr) return from->where;
  return {};
}

}  // namespace

EcosystemMap EcosystemMap::Build(const model::Ecosystem& ecosystem,
                                 std::vector<model::Problem>* problems) {
  EcosystemMap m;
  m.eco_ = &ecosystem;
  const auto& comps = ecosystem.components;
  const auto& deps = ecosystem.dependencies;
  const int n = static_cast<int>(comps.size());
  auto report = [&](model::Problem p) {
    if (problems != nullptr) problems->push_back(std::move(p));
  };

  m.ids_.reserve(comps.size() * 2);
  for (int i = 0; i < n; ++i) {
    auto [it, inserted] = m.ids_.emplace(comps[i].name, i);
    if (!inserted) {
      report({model::Severity::kError, comps[i].where,
              "component '" + comps[i].name + "' is declared twice (first at " +
                  comps[it->second].where.ToString() + ")",
              "duplicate-component"});
    }
  }

  // Resolve the ends of every dependency; count degrees.
  m.edges_.reserve(deps.size());
  std::vector<int32_t> out_count(n + 1, 0), in_count(n + 1, 0);
  for (size_t k = 0; k < deps.size(); ++k) {
    const model::Dependency& d = deps[k];
    NodeId from = m.Find(d.from);
    NodeId to = m.Find(d.to);
    if (from == kNoNode || to == kNoNode) {
      const model::Component* fc = from == kNoNode ? nullptr : &comps[from];
      std::string missing = from == kNoNode ? d.from : d.to;
      std::string msg =
          from == kNoNode ? "dependency from unknown component '" + missing +
                                "' to '" + d.to + "'"
                          : "'" + d.from + "' depends on unknown component '" +
                                missing + "'";
      report({model::Severity::kError, DependencyLocation(d, fc), msg,
              "dangling-reference"});
      continue;
    }
    m.edges_.push_back(
        {from, to, static_cast<int32_t>(k), d.kind, d.criticality});
    ++out_count[from];
    ++in_count[to];
  }

  // Prefix sums, then fill (counting sort keeps dependency order per node).
  m.out_begin_.assign(n + 1, 0);
  m.in_begin_.assign(n + 1, 0);
  for (int i = 0; i < n; ++i) {
    m.out_begin_[i + 1] = m.out_begin_[i] + out_count[i];
    m.in_begin_[i + 1] = m.in_begin_[i] + in_count[i];
  }
  m.out_edges_.resize(m.edges_.size());
  m.in_edges_.resize(m.edges_.size());
  std::vector<int32_t> out_pos(m.out_begin_.begin(), m.out_begin_.end() - 1);
  std::vector<int32_t> in_pos(m.in_begin_.begin(), m.in_begin_.end() - 1);
  for (EdgeId e = 0; e < static_cast<EdgeId>(m.edges_.size()); ++e) {
    m.out_edges_[out_pos[m.edges_[e].from]++] = e;
    m.in_edges_[in_pos[m.edges_[e].to]++] = e;
  }
  return m;
}

NodeId EcosystemMap::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? kNoNode : it->second;
}

}  // namespace ecotone::graph
