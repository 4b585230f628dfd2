// The value types of an ecosystem: components, dependencies, the evidence for
// each dependency, and problems found while reading or analysing.
// Plain structs, copied freely, no I/O. Safe to share between threads when
// not mutated.
#ifndef ECOTONE_MODEL_ECOSYSTEM_H_
#define ECOTONE_MODEL_ECOSYSTEM_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::model {

// What a component is. Serialised by name (see ComponentKindName); append new
// values at the end.
enum class ComponentKind {
  kContainer = 0,  // a stateless service container (the default).
  kVm,             // a virtual machine.
  kDatabase,       // relational or document store; stateful.
  kQueue,          // message broker / event log; stateful.
  kCache,          // in-memory cache; may lose data.
  kGateway,        // ingress, API gateway, proxy, load balancer.
  kFunction,       // serverless function.
  kStorage,        // object or block storage.
};
std::string_view ComponentKindName(ComponentKind kind);
// Accepts the names printed by ComponentKindName ("vm", "database", ...).
std::optional<ComponentKind> ParseComponentKind(std::string_view name);

// How a component depends on another. Append new values at the end.
enum class DependencyKind {
  kHttp = 0,
  kGrpc,
  kDatabase,
  kQueuePublish,
  kQueueConsume,
  kCache,
  kDataFlow,
  kStartOrder,  // only "start after" (Compose depends_on, no call evidence).
};
std::string_view DependencyKindName(DependencyKind kind);  // "queue-publish"
std::optional<DependencyKind> ParseDependencyKind(std::string_view name);

// hard: the caller fails without the callee; soft: the caller degrades.
enum class Criticality { kHard = 0, kSoft };
std::string_view CriticalityName(Criticality c);
std::optional<Criticality> ParseCriticality(std::string_view name);

// Per-replica resources. 0 means "not declared".
struct Resources {
  int64_t cpu_millicores = 0;
  int64_t memory_bytes = 0;
  int64_t bandwidth_bps = 0;  // network bandwidth, bits per second.
  int64_t storage_bytes = 0;

  bool operator==(const Resources&) const = default;
  bool empty() const {
    return cpu_millicores == 0 && memory_bytes == 0 && bandwidth_bps == 0 &&
           storage_bytes == 0;
  }
};

struct Replicas {
  int min = 1;
  int max = 1;
  int initial = 1;
  bool operator==(const Replicas&) const = default;
};

// Hard placement constraints of a component.
struct PlacementConstraints {
  std::vector<std::string> allowed_regions;  // empty = any.
  std::vector<std::string> allowed_zones;    // empty = any.
  // Zone labels that must match, e.g. {"data-residency": "eu"}.
  std::map<std::string, std::string> zone_labels;
  int spread_min_zones = 0;     // replicas span at least this many zones.
  int max_per_zone = 0;         // 0 = unlimited.
  bool operator==(const PlacementConstraints&) const = default;
};

struct Port {
  int number = 0;
  std::string protocol;  // "tcp", "udp", "http", "grpc"...
  std::string name;
  bool operator==(const Port&) const = default;
};

// Why a dependency or value exists: where it was read and what it said.
struct Evidence {
  Location where;         // file, line, column, field path.
  std::string value;      // the text that produced it, e.g. "cart:7070".
  std::string reason;     // e.g. "environment value names service 'cart'".
  bool operator==(const Evidence&) const = default;
};

struct Component {
  std::string name;
  ComponentKind kind = ComponentKind::kContainer;
  std::string version;
  std::string image;
  Replicas replicas;
  Resources requests;      // per replica (what placement reserves).
  Resources limits;        // per replica (0 = none).
  int64_t latency_slo_us = 0;  // end-to-end SLO when called; 0 = none.
  bool stateful = false;
  PlacementConstraints placement;
  std::map<std::string, std::string> labels;
  std::vector<Port> ports;
  // Scaling inputs (Predictive Scaler): requests/s one replica serves at its
  // target utilisation, and the time a new replica needs to serve. 0 = unset.
  double capacity_rps_per_replica = 0;
  int64_t startup_us = 0;
  // Optional: the profile(s) a Compose service belongs to, source workload
  // kind ("Deployment", "service"...), and where it was declared.
  std::vector<std::string> profiles;
  std::string source_kind;
  Location where;

  bool operator==(const Component&) const = default;
};

struct Dependency {
  std::string from;
  std::string to;
  DependencyKind kind = DependencyKind::kHttp;
  int port = 0;            // 0 = unknown.
  std::string protocol;
  double traffic_rps = 0;          // expected requests/s; 0 = unknown.
  double traffic_bytes_per_s = 0;  // expected data rate; 0 = unknown.
  int64_t latency_budget_us = 0;   // 0 = none.
  Criticality criticality = Criticality::kHard;
  bool inferred = false;           // false: declared explicitly.
  std::vector<Evidence> evidence;  // at least one for inferred edges.

  bool operator==(const Dependency&) const = default;
};

enum class Severity { kError = 0, kWarning, kInfo };
std::string_view SeverityName(Severity s);

// A problem found in the input or the ecosystem (not a failure to run).
struct Problem {
  Severity severity = Severity::kWarning;
  Location where;
  std::string message;
  std::string code;  // stable machine-readable id, e.g. "dangling-reference".
  bool operator==(const Problem&) const = default;
};

// An input object that a reader deliberately did not turn into a component
// (e.g. a Kubernetes ServiceAccount).
struct SkippedObject {
  Location where;
  std::string kind;
  std::string name;
  std::string reason;
  bool operator==(const SkippedObject&) const = default;
};

struct Ecosystem {
  std::string name;
  std::string version;
  std::string source_format;  // "ecotone", "compose", "kubernetes".
  std::vector<std::string> source_files;
  std::vector<Component> components;
  std::vector<Dependency> dependencies;

  bool operator==(const Ecosystem&) const = default;
  // Linear scan; build a graph::EcosystemMap for indexed access.
  const Component* FindComponent(std::string_view name) const;
};

}  // namespace ecotone::model

#endif  // ECOTONE_MODEL_ECOSYSTEM_H_
