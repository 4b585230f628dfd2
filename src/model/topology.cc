#include "ecotone/model/topology.h"

namespace ecotone::model {

std::string_view CapacityStateName(CapacityState s) {
  switch (s) {
    case CapacityState::kHealthy:
      return "healthy";
    case CapacityState::kDegraded:
      return "degraded";
    case CapacityState::kFailed:
      return "failed";
    case CapacityState::kDraining:
      return "draining";
    case CapacityState::kQuarantined:
      return "quarantined";
  }
  return "unknown";
}

std::optional<CapacityState> ParseCapacityState(std::string_view name) {
  for (CapacityState s : {CapacityState::kHealthy, CapacityState::kDegraded,
                          CapacityState::kFailed, CapacityState::kDraining,
                          CapacityState::kQuarantined}) {
    if (CapacityStateName(s) == name) return s;
  }
  return std::nullopt;
}

int Topology::ZoneIndex(std::string_view name) const {
  for (size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Resources Add(const Resources& a, const Resources& b) {
  return {a.cpu_millicores + b.cpu_millicores, a.memory_bytes + b.memory_bytes,
          a.bandwidth_bps + b.bandwidth_bps, a.storage_bytes + b.storage_bytes};
}

bool Fits(const Resources& d, const Resources& c) {
  return d.cpu_millicores <= c.cpu_millicores &&
         d.memory_bytes <= c.memory_bytes &&
         d.bandwidth_bps <= c.bandwidth_bps &&
         d.storage_bytes <= c.storage_bytes;
}

Resources UsableCapacity(const Host& h) {
  return IsUsable(h.state) ? h.capacity : Resources{};
}

Resources UsableCapacity(const Rack& r) {
  if (!IsUsable(r.state)) return {};
  if (r.hosts.empty()) return r.capacity;
  Resources sum;
  for (const Host& h : r.hosts) sum = Add(sum, UsableCapacity(h));
  return sum;
}

Resources UsableCapacity(const Zone& z) {
  if (!IsUsable(z.state)) return {};
  if (z.racks.empty()) return z.capacity;
  Resources sum;
  for (const Rack& r : z.racks) sum = Add(sum, UsableCapacity(r));
  return sum;
}

double ResourceCostPerHour(const Resources& d, const Prices& p) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  return d.cpu_millicores / 1000.0 * p.cpu_per_core_hour +
         d.memory_bytes / kGiB * p.memory_per_gib_hour +
         d.bandwidth_bps / 1e9 * p.bandwidth_per_gbps_hour +
         d.storage_bytes / kGiB * p.storage_per_gib_hour;
}

}  // namespace ecotone::model
