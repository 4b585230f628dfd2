#include "ecotone/forecast/replicas.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ecotone::forecast {

Result<std::vector<ReplicaStep>> ScheduleReplicas(
    const std::vector<double>& demand, int64_t step_seconds,
    const ScalingPolicy& policy) {
  if (!(policy.capacity_per_replica > 0) ||
      !std::isfinite(policy.capacity_per_replica))
    return Status::InvalidArgument("capacity per replica must be > 0");
  if (policy.min_replicas < 0 || policy.max_replicas < policy.min_replicas)
    return Status::InvalidArgument("need 0 <= min_replicas <= max_replicas");
  if (step_seconds <= 0) return Status::InvalidArgument("step must be > 0");
  if (policy.max_scale_in_per_step < 0)
    return Status::InvalidArgument("scale-in limit must be >= 0");
  const size_t n = demand.size();
  std::vector<ReplicaStep> out(n);
  for (size_t t = 0; t < n; ++t) {
    double d = demand[t];
    if (!std::isfinite(d))
      return Status::InvalidArgument("demand at step " + std::to_string(t) +
                                     " is not finite");
    double need =
        std::ceil(std::max(0.0, d) / policy.capacity_per_replica - 1e-9);
    out[t].capped = need > policy.max_replicas;
    out[t].needed = static_cast<int>(
        std::clamp(need, static_cast<double>(policy.min_replicas),
                   static_cast<double>(policy.max_replicas)));
  }
  const size_t lead = static_cast<size_t>(
      (std::max<int64_t>(0, policy.startup_seconds) + step_seconds - 1) /
      step_seconds);
  int prev = policy.current_replicas > 0 ? policy.current_replicas : -1;
  for (size_t t = 0; t < n; ++t) {
    int target = 0;
    for (size_t k = t; k <= std::min(n - 1, t + lead); ++k)
      target = std::max(target, out[k].needed);
    int r = target;
    if (prev >= 0 && prev - policy.max_scale_in_per_step > r) {
      r = prev - policy.max_scale_in_per_step;
      out[t].held = true;
    }
    r = std::clamp(r, policy.min_replicas, policy.max_replicas);
    out[t].replicas = r;
    prev = r;
  }
  return out;
}

}  // namespace ecotone::forecast
