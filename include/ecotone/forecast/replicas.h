// Demand -> capacity: turns a demand forecast (at a chosen quantile) into a
// replica schedule. Pure and deterministic.
#ifndef ECOTONE_FORECAST_REPLICAS_H_
#define ECOTONE_FORECAST_REPLICAS_H_

#include <cstdint>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::forecast {

struct ScalingPolicy {
  // Demand one replica serves at its target utilisation (requests/s or cpu
  // cores, in the unit of the demand series). Must be > 0.
  double capacity_per_replica = 0;
  int min_replicas = 1;
  int max_replicas = 1000;
  // A new replica needs this long before it serves: the schedule provisions
  // for the demand up to ceil(startup / step) steps ahead.
  int64_t startup_seconds = 0;
  // At most this many replicas removed per step (scale-in rate limit).
  int max_scale_in_per_step = 1;
  // Replicas running now (the schedule starts from here); 0 = unknown.
  int current_replicas = 0;
};

struct ReplicaStep {
  int replicas = 0;
  int needed = 0;       // ceil(demand / capacity) at this step, clamped.
  bool capped = false;  // the need exceeded max_replicas.
  bool held = false;    // kept higher than needed by the scale-in limit.
};

// For each step t: need(t) = ceil(demand[t] / capacity) clamped to
// [min, max]; target(t) = max need over steps t .. t + ceil(startup/step)
// (scale out ahead of the load); replicas(t) = max(target(t), replicas(t-1)
// - max_scale_in_per_step). Errors (kInvalidArgument): capacity <= 0,
// min < 0, max < min, step <= 0, negative scale-in limit, non-finite demand.
Result<std::vector<ReplicaStep>> ScheduleReplicas(
    const std::vector<double>& demand, int64_t step_seconds,
    const ScalingPolicy& policy);

}  // namespace ecotone::forecast

#endif  // ECOTONE_FORECAST_REPLICAS_H_
