// The baseline policy: what today's default Kubernetes stack does, as a
// Policy, so the simulator can run it side by side with Ecotone's own
// (`ecotone simulate --compare`). Modelled behaviour (docs/simulate.md,
// "Baseline policy"):
//  - placement of new replicas: proximity-blind spreading (the zone with the
//    fewest replicas of the component, then the least-allocated zone; the
//    rack/host with the most free cpu), like the default scheduler's
//    topology spread + least-allocated scoring;
//  - Horizontal Pod Autoscaler: on every metrics event (the simulator sends
//    them every HPA sync period, 15 s), desired = ceil(replicas x
//    utilisation / target) clamped to the component's [min, max] replicas,
//    no change within the 10% tolerance, scale-up at most
//    max(2x, +4 replicas) per sync, scale-down only when no scale happened
//    in the last 300 s (the stabilisation window);
//  - node failure: the node controller marks the node NotReady after 40 s and
//    evicts its pods after the 300 s not-ready toleration: replicas that have
//    been down for 340 s are re-created elsewhere (a restart, spread);
//  - maintenance (`kubectl drain`): every replica on the drained capacity is
//    evicted at once and re-created elsewhere; degraded capacity: nothing;
//  - security alerts: nothing (no isolation);
//  - new versions: a rolling update with maxSurge/maxUnavailable 25%, next
//    batch as soon as the previous one is ready, no health gate and no
//    automatic rollback; optionally the operator's `kubectl rollout undo`
//    when a bug report names the running or rolling-out version.
// Pure and deterministic like every Policy; the policy object is immutable
// and safe to share between threads.
#ifndef ECOTONE_ENGINE_BASELINE_POLICY_H_
#define ECOTONE_ENGINE_BASELINE_POLICY_H_

#include <cstdint>
#include <memory>

#include "ecotone/engine/engine.h"

namespace ecotone::engine {

struct BaselineOptions {
  // HPA target utilisation: the fraction of a replica's capacity it aims
  // for. With Component::capacity_rps_per_replica (requests/s one replica
  // serves at the target) utilisation/target = (rps / replicas) / capacity;
  // without it, cpu used / (cpu request x target).
  double target_utilisation = 0.7;
  double tolerance = 0.1;                       // HPA --horizontal-pod-autoscaler-tolerance
  int64_t scale_down_stabilisation_us = 300'000'000;  // behavior.scaleDown.stabilizationWindowSeconds
  int scale_up_min_step = 4;                    // scale-up policy: max(100%, 4 pods)
  int64_t node_monitor_grace_us = 40'000'000;   // --node-monitor-grace-period
  int64_t not_ready_toleration_us = 300'000'000;  // default tolerationSeconds
  double max_surge = 0.25;                      // Deployment rollingUpdate defaults
  double max_unavailable = 0.25;
  // The operator rolls back by hand when a bug report names the version
  // (not automatic: nothing watches the error rate).
  bool rollback_on_bug_report = true;
};

// The baseline. Never fails; decides nothing for events it does not model.
std::unique_ptr<Policy> MakeBaselinePolicy(const BaselineOptions& options = {});

}  // namespace ecotone::engine

#endif  // ECOTONE_ENGINE_BASELINE_POLICY_H_
