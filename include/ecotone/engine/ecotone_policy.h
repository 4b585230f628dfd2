// Ecotone's reconfiguration policy: self-healing (re-placement after
// hardware failure, migration ahead of degraded or drained hardware,
// rebalancing after recovery), predictive and reactive scaling with
// hysteresis, security isolation, and dependency-aware, health-gated rolling
// updates with automatic rollback. Every rule, option and default, and how
// the explanations read: docs/engine.md.
// Pure: no I/O, no clocks, no randomness (the placement solver runs on a
// fixed seed and iteration budget). The policy object is immutable and safe
// to share between threads.
#ifndef ECOTONE_ENGINE_ECOTONE_POLICY_H_
#define ECOTONE_ENGINE_ECOTONE_POLICY_H_

#include <cstdint>
#include <memory>

#include "ecotone/engine/engine.h"
#include "ecotone/model/event.h"
#include "ecotone/placement/ecosystem_problem.h"

namespace ecotone::engine {

struct EcotoneOptions {
  // --- Hardware ---
  // Migration rate limit for planned moves (ahead of degraded / drained
  // hardware, rebalancing after recovery): at most
  // max_migrations_per_window migrations (of any kind, counted from
  // State::migration_times_us) within any migration_window_us. Re-placement
  // of replicas on failed capacity is never held back by it. A drain whose
  // deadline cannot be met at this rate moves faster (the deadline wins).
  int64_t migration_window_us = 60'000'000;  // 60 s
  int max_migrations_per_window = 5;
  // Replicas that could not be re-placed (no capacity, a spread that cannot
  // be met) are retried on ticks for this long after the last hardware
  // event; afterwards the next hardware event retries (a recovery restarts
  // them in place).
  int64_t heal_retry_window_us = 10LL * 60 * 1'000'000;  // 10 min
  // Degraded hardware carries no deadline; replicas on it are moved as if
  // it had to be empty this long after the degraded event.
  int64_t degraded_deadline_us = 10LL * 60 * 1'000'000;  // 10 min
  // Rebalancing back after a recovery: on the recovered event, and on ticks
  // within recover_window_us after it while it is settling (the first
  // recover_settle_us) or while migrations continue, the components whose
  // replicas were moved off lost capacity that is usable again
  // (ReplicaState::home) are re-optimised with their partners from the
  // current plan with migration costs; the moves are taken only when the
  // re-optimised plan saves at least recover_min_gain_per_hour (currency per
  // hour, migration costs included), and at most as many as the migration
  // rate limit allows.
  int64_t recover_window_us = 60LL * 60 * 1'000'000;  // 1 h
  int64_t recover_settle_us = 5LL * 60 * 1'000'000;   // 5 min
  double recover_min_gain_per_hour = 0.001;
  // A move back pays when what it saves per hour, over this many hours,
  // exceeds its migration cost (the placement model's migration_cost and
  // stateful_per_gib, which price one move): the re-optimisation charges
  // migration cost / recover_payback_hours per move.
  double recover_payback_hours = 24;

  // --- Scaling ---
  // Utilisation u = load / (active replicas × per-replica capacity), where
  // active = starting or serving, and
  // capacity is Component::capacity_rps_per_replica for requests/s, or the
  // cpu request × cpu_target_utilisation for cpu (per replica).
  // Scale out when u > scale_out_utilisation, to
  // ceil(load / (capacity × scale_out_target)) replicas.
  double scale_out_utilisation = 1.2;
  double scale_out_target = 1.0;
  // Scale in only when the highest load of the last scale_in_window_us would
  // still give u < scale_in_utilisation with fewer replicas (hysteresis
  // band between scale_in_utilisation and scale_out_utilisation).
  double scale_in_utilisation = 0.9;
  int64_t scale_in_window_us = 15LL * 60 * 1'000'000;  // 15 min
  double cpu_target_utilisation = 0.7;
  // Cooldowns: no scale-out within scale_out_cooldown_us of the last
  // scale-out (unless u > scale_out_emergency_utilisation); no scale-in
  // within scale_in_cooldown_us of any scale action.
  int64_t scale_out_cooldown_us = 3LL * 60 * 1'000'000;  // 3 min
  double scale_out_emergency_utilisation = 1.5;
  int64_t scale_in_cooldown_us = 10LL * 60 * 1'000'000;  // 10 min
  // Scale-in limit: at most max(max_scale_in_step, floor(replicas ×
  // max_scale_in_fraction)) replicas removed per action (a flash crowd's
  // extra replicas leave in a few steps, not one per cooldown).
  int max_scale_in_step = 1;
  double max_scale_in_fraction = 0.25;
  // Upper bound for components whose manifest gives no autoscaling range
  // (replicas.max <= replicas.initial); otherwise replicas.max.
  int default_max_replicas = 20;
  // Predictive: scale out to the forecast's replicas for the steps up to
  // startup time + forecast_lead_us ahead.
  int64_t forecast_lead_us = 60'000'000;  // 60 s
  // Scale-in holds what the forecast schedule wants within this look-ahead
  // (less the scale-out band), so a forecast that wobbles around a replica
  // boundary does not remove a replica it adds back soon after.
  int64_t forecast_hold_us = 60LL * 60 * 1'000'000;  // 1 h

  // --- Security ---
  // Alerts of at least this severity: kill and rebuild from the known-good
  // version; below: quarantine (keep running, cut off, keep evidence).
  model::AlertSeverity rebuild_min_severity = model::AlertSeverity::kHigh;
  // Alerts of at least this severity also cordon the host(s) of the named
  // replicas where hosts are modelled (the other replicas there are moved
  // off, and said so); without hosts nothing is cordoned.
  model::AlertSeverity cordon_min_severity = model::AlertSeverity::kCritical;

  // --- Updates ---
  // Disruption budget per component: at most
  // floor(replicas × max_unavailable_fraction) replicas unavailable, plus up
  // to max(1, ceil(replicas × max_surge_fraction)) surge replicas that cover
  // the batch while it starts.
  double max_unavailable_fraction = 0.25;
  double max_surge_fraction = 0.25;
  // Health gate of each batch: error rate <= gate_max_error_rate and p99
  // latency <= the component's latency SLO, or, without one, <=
  // gate_latency_factor × the latency seen when the rollout started. The
  // next batch starts gate_soak_us after the batch serves.
  double gate_max_error_rate = 0.01;
  double gate_latency_factor = 1.5;
  int64_t gate_soak_us = 60'000'000;  // 60 s

  // --- Placement (re-placement, scale-out, rebalancing) ---
  placement::EcosystemOptions placement;
  int64_t solver_iterations = 2000;  // heuristic iteration budget.
  double solver_time_limit_s = 2.0;  // safety cap only (iterations decide).
  uint64_t seed = 1;
};

// Ecotone's policy (name "ecotone"). Returns a policy that owns a copy of
// `options`.
std::unique_ptr<Policy> MakeEcotonePolicy(const EcotoneOptions& options = {});

}  // namespace ecotone::engine

#endif  // ECOTONE_ENGINE_ECOTONE_POLICY_H_
