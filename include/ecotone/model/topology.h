// The infrastructure an ecosystem is placed on: regions › zones › racks ›
// hosts (racks and hosts optional), capacity per resource dimension, unit
// prices per zone, latency and egress prices between zones, latency between
// racks of a zone, failure domains, labels and the state of every piece of
// capacity. Read by manifest::ReadInfra (docs/infra.md), consumed by
// placement/. Plain structs, copied freely, no I/O. Safe to share between
// threads when not mutated.
#ifndef ECOTONE_MODEL_TOPOLOGY_H_
#define ECOTONE_MODEL_TOPOLOGY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"

namespace ecotone::model {

// The state of a zone, rack or host. Serialised by name; append new values at
// the end.
enum class CapacityState {
  kHealthy = 0,  // usable at its price.
  kDegraded,     // usable; placement pays Topology::degraded_cost_factor.
  kFailed,       // no usable capacity; replicas on it must move.
  kDraining,     // no new replicas; replicas on it must move.
  kQuarantined,  // isolated (e.g. security alert); replicas must move.
};
std::string_view CapacityStateName(CapacityState s);  // "healthy", ...
std::optional<CapacityState> ParseCapacityState(std::string_view name);
// True for healthy and degraded: the capacity may hold replicas.
inline bool IsUsable(CapacityState s) {
  return s == CapacityState::kHealthy || s == CapacityState::kDegraded;
}

// Unit prices of one zone, per hour. A replica's resource cost per hour is
// cpu cores × cpu_per_core_hour + memory GiB × memory_per_gib_hour +
// bandwidth Gbit/s × bandwidth_per_gbps_hour + storage GiB ×
// storage_per_gib_hour (see docs/placement.md).
struct Prices {
  double cpu_per_core_hour = 0;
  double memory_per_gib_hour = 0;
  double bandwidth_per_gbps_hour = 0;
  double storage_per_gib_hour = 0;
  bool operator==(const Prices&) const = default;
};

struct Host {
  std::string name;
  Resources capacity;
  CapacityState state = CapacityState::kHealthy;
  std::map<std::string, std::string> labels;
  Location where;
  bool operator==(const Host&) const = default;
};

struct Rack {
  std::string name;
  // Given capacity; when hosts are listed the rack's capacity is their sum
  // (the reader fills it in).
  Resources capacity;
  CapacityState state = CapacityState::kHealthy;
  std::string failure_domain;  // default: "<zone>/<rack>".
  std::map<std::string, std::string> labels;
  std::vector<Host> hosts;  // empty = hosts not modelled.
  Location where;
  bool operator==(const Rack&) const = default;
};

struct Zone {
  std::string name;
  std::string region;
  // Given capacity when no racks are modelled; otherwise the sum of racks
  // (the reader fills it in).
  Resources capacity;
  Prices prices;
  CapacityState state = CapacityState::kHealthy;
  std::string failure_domain;  // default: the zone name.
  // Region labels merged with the zone's own (the zone's win).
  std::map<std::string, std::string> labels;
  std::vector<Rack> racks;  // empty = racks not modelled.
  // Latency between racks of this zone in ms, racks.size()² row-major
  // (diagonal 0); empty when there are fewer than two racks.
  std::vector<double> rack_latency_ms;
  Location where;
  bool operator==(const Zone&) const = default;

  double RackLatencyMs(size_t a, size_t b) const {
    return a == b || rack_latency_ms.empty()
               ? 0.0
               : rack_latency_ms[a * racks.size() + b];
  }
};

struct Region {
  std::string name;
  std::map<std::string, std::string> labels;
  bool operator==(const Region&) const = default;
};

struct Topology {
  std::string name;
  std::vector<Region> regions;
  std::vector<Zone> zones;  // all zones, in file order.
  // zones.size()² row-major; latency symmetric with 0 diagonal, egress
  // price per GB sent from zone i to zone j (may be asymmetric, 0 diagonal).
  std::vector<double> latency_ms;
  std::vector<double> egress_per_gb;
  // Resource price multiplier on degraded capacity (>= 1).
  double degraded_cost_factor = 1.5;
  std::vector<std::string> source_files;

  bool operator==(const Topology&) const = default;

  // Index of the zone named `name`, or -1. Linear scan.
  int ZoneIndex(std::string_view name) const;
  double LatencyMs(size_t a, size_t b) const {
    return latency_ms[a * zones.size() + b];
  }
  double EgressPerGb(size_t a, size_t b) const {
    return egress_per_gb[a * zones.size() + b];
  }
};

// Component-wise sum and "fits": every dimension of `a` <= that of `b`.
Resources Add(const Resources& a, const Resources& b);
bool Fits(const Resources& demand, const Resources& capacity);

// Capacity a host/rack/zone can hold now: zero when its state is not usable;
// a rack with hosts is the sum of its usable hosts, a zone with racks the sum
// of its usable racks.
Resources UsableCapacity(const Host& h);
Resources UsableCapacity(const Rack& r);
Resources UsableCapacity(const Zone& z);

// Resource cost per hour of `demand` at `prices` (formula in Prices).
double ResourceCostPerHour(const Resources& demand, const Prices& prices);

}  // namespace ecotone::model

#endif  // ECOTONE_MODEL_TOPOLOGY_H_
