// Differences between two versions of an ecosystem: components and
// dependencies added, removed and changed, field by field. Pure; the result
// is a value type, safe to share between threads.
#ifndef ECOTONE_GRAPH_DIFF_H_
#define ECOTONE_GRAPH_DIFF_H_

#include <string>
#include <vector>

#include "ecotone/model/ecosystem.h"

namespace ecotone::graph {

// One changed field, with both values printed in a human form ("500m",
// "512Mi", "2/2/5" for replicas min/initial/max, "a=b,c=d" for maps).
struct FieldChange {
  std::string field;  // e.g. "version", "requests.memory", "replicas".
  std::string old_value;
  std::string new_value;
  bool operator==(const FieldChange&) const = default;
};

struct ComponentChange {
  std::string name;
  std::vector<FieldChange> changes;
  bool operator==(const ComponentChange&) const = default;
};

// Dependencies are identified by (from, to, kind); a change of kind is a
// removal plus an addition.
struct EdgeKey {
  std::string from;
  std::string to;
  model::DependencyKind kind = model::DependencyKind::kHttp;
  bool operator==(const EdgeKey&) const = default;
};

struct EdgeChange {
  EdgeKey key;
  std::vector<FieldChange> changes;
  bool operator==(const EdgeChange&) const = default;
};

struct EcosystemDiff {
  std::string old_version, new_version;
  std::vector<FieldChange> ecosystem_changes;       // name, version.
  std::vector<std::string> added_components;        // in the new order.
  std::vector<std::string> removed_components;      // in the old order.
  std::vector<ComponentChange> changed_components;  // in the new order.
  std::vector<EdgeKey> added_edges;
  std::vector<EdgeKey> removed_edges;
  std::vector<EdgeChange> changed_edges;

  // True when nothing differs (ecosystem_changes included).
  bool empty() const;
  bool operator==(const EcosystemDiff&) const = default;
};

// Compares `old_eco` with `new_eco` in O(V + E) expected time. Components
// are matched by name, dependencies by (from, to, kind); duplicate keys
// compare their first occurrence. Compared component fields: kind, version,
// image, replicas, requests.*, limits.*, latency_slo, stateful, placement,
// labels, ports, capacity_rps_per_replica, startup, profiles; dependency
// fields: port, protocol, traffic_rps, traffic_bytes_per_s,
// latency_budget, criticality, inferred. Source locations and evidence are
// not compared (they move whenever a file is edited).
EcosystemDiff DiffEcosystems(const model::Ecosystem& old_eco,
                             const model::Ecosystem& new_eco);

}  // namespace ecotone::graph

#endif  // ECOTONE_GRAPH_DIFF_H_
