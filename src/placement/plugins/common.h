// Helpers shared by the built-in placement plugins and the problem builder.
#ifndef ECOTONE_PLACEMENT_PLUGINS_COMMON_H_
#define ECOTONE_PLACEMENT_PLUGINS_COMMON_H_

#include <algorithm>
#include <array>
#include <memory>

#include "ecotone/placement/plugin.h"

namespace ecotone::placement::plugins {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr int kDims = 4;

// Demand in the problem's units: cores, GiB, Gbit/s, GiB.
inline std::array<double, kDims> Units(const model::Resources& r) {
  return {r.cpu_millicores / 1000.0, r.memory_bytes / kGiB,
          r.bandwidth_bps / 1e9, r.storage_bytes / kGiB};
}

inline bool IsStateful(const model::Component& c) {
  return c.stateful || c.kind == model::ComponentKind::kDatabase ||
         c.kind == model::ComponentKind::kQueue ||
         c.kind == model::ComponentKind::kStorage;
}

inline int ReplicaCount(const model::Component& c) {
  return std::max(0, c.replicas.initial);
}

inline model::Resources Request(const model::Component& c,
                                const EcosystemOptions& o) {
  return c.requests.empty() ? o.default_request : c.requests;
}

// Whether zone `z` satisfies the component's allowed regions/zones/labels.
inline bool ZoneAllowed(const model::Component& c, const model::Zone& z) {
  const auto& p = c.placement;
  if (!p.allowed_zones.empty() &&
      std::find(p.allowed_zones.begin(), p.allowed_zones.end(), z.name) ==
          p.allowed_zones.end())
    return false;
  if (!p.allowed_regions.empty() &&
      std::find(p.allowed_regions.begin(), p.allowed_regions.end(), z.region) ==
          p.allowed_regions.end())
    return false;
  for (const auto& [k, v] : p.zone_labels) {
    auto it = z.labels.find(k);
    if (it == z.labels.end() || it->second != v) return false;
  }
  return true;
}

// Factories of the built-ins (one file each in this folder).
std::unique_ptr<ConstraintPlugin> NewCapacity();
std::unique_ptr<ConstraintPlugin> NewUnusableCapacity();
std::unique_ptr<ConstraintPlugin> NewAllowedZones();
std::unique_ptr<ConstraintPlugin> NewSpread();
std::unique_ptr<ConstraintPlugin> NewLatencyBudget();
std::unique_ptr<ScorerPlugin> NewResourcePrice();
std::unique_ptr<ScorerPlugin> NewProximity();
std::unique_ptr<ScorerPlugin> NewEgress();
std::unique_ptr<ScorerPlugin> NewMigration();

}  // namespace ecotone::placement::plugins

#endif  // ECOTONE_PLACEMENT_PLUGINS_COMMON_H_
