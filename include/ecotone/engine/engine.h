// The reconfiguration engine: the state it decides on, the Policy interface
// (`Decide(state, event, now) -> actions`) and the pure bookkeeping that
// keeps the state true as events arrive (Observe) and actions are carried out
// (Apply). The simulator, the daemon and the tests drive every policy the
// same way:
//
//   State s = MakeState(ecosystem, topology, plan, now).value();
//   for each event e at time t:
//     Observe(e, &s);
//     for (const Action& a : policy.Decide(s, e, t)) { actuate(a); Apply(a, t, &s); }
//
// Pure: no I/O, no clocks (time is passed in), no randomness. Deterministic:
// the same state, event and time give the same actions.
#ifndef ECOTONE_ENGINE_ENGINE_H_
#define ECOTONE_ENGINE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/action.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/event.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"

namespace ecotone::engine {

inline constexpr int64_t kNever = INT64_MIN / 4;
// Start-up time of a replica whose component declares none (startup_us 0).
inline constexpr int64_t kDefaultStartupUs = 30'000'000;
// How long Observe keeps component load samples (ComponentState::recent_load).
inline constexpr int64_t kLoadHistoryUs = 30LL * 60 * 1'000'000;

// Serialised by name; append new values at the end.
enum class ReplicaPhase {
  kStarting = 0,  // placed, not serving before ready_us.
  kServing,
  kDown,          // its capacity failed; serves nothing until moved.
  kIsolated,      // cut off by an isolate action.
};
std::string_view ReplicaPhaseName(ReplicaPhase p);

struct ReplicaState {
  int replica = 0;         // the replica number (stable; not the index).
  model::Place place;
  std::string version;
  ReplicaPhase phase = ReplicaPhase::kServing;
  int64_t ready_us = 0;    // kStarting: serving from then on; kDown: down since.
  // Where it ran before a migration moved it off lost capacity (down, or a
  // place not usable: failed, draining, quarantined); empty otherwise. Set by
  // Apply(kMigrate), cleared when it moves back (kRecover, or a migration to
  // that place). Rebalancing after a recovery starts from these.
  model::Place home;
  bool operator==(const ReplicaState&) const = default;
};

// An update in progress (kRollingUpdate applied, not finished or rolled back).
struct Rollout {
  bool active = false;
  std::string from_version;
  std::string to_version;
  std::string image;
  int batch_size = 1;
  int updated = 0;                 // replicas on to_version so far.
  int64_t batch_started_us = 0;
  double gate_max_error_rate = 0;
  double gate_max_latency_ms = 0;
  bool operator==(const Rollout&) const = default;
};

struct ComponentState {
  std::vector<ReplicaState> replicas;  // sorted by replica number.
  std::string version;                 // the version it runs (rollout target once done).
  std::string known_good_version;      // last version that ran without a bug report.
  std::vector<std::string> bad_versions;  // named by bug reports.
  model::MetricSample load;            // the latest component-level sample.
  model::ForecastUpdate forecast;      // the latest replica schedule (may be empty).
  int64_t last_scale_out_us = kNever;
  int64_t last_scale_in_us = kNever;
  int64_t last_update_us = kNever;
  bool isolated = false;
  std::vector<std::string> isolation_allow;
  Rollout rollout;
  // Added for the Ecotone policy (docs/engine.md):
  // Component-level load samples of the last kLoadHistoryUs (Observe keeps
  // them), oldest first; scale-in looks at their maximum (stabilisation).
  struct LoadPoint {
    int64_t time_us = 0;
    double requests_per_s = model::kNoValue;
    double cpu_millicores = model::kNoValue;
    bool operator==(const LoadPoint& o) const;  // NaN == NaN here.
  };
  std::vector<LoadPoint> recent_load;
  // The latest announced release not yet rolled out (Observe of kNewVersion;
  // cleared by Apply when a rolling update to it starts). Empty version = none.
  model::NewVersion pending_release;
  int64_t pending_release_event_id = 0;
  // The version before the last completed update or rollback (Apply).
  std::string previous_version;
  bool operator==(const ComponentState&) const = default;

  // Replicas in phase kServing, or kStarting with ready_us <= now_us.
  int Serving(int64_t now_us) const;
};

// Everything a policy decides on. Owned by the driver (simulator, daemon);
// changed only through Observe and Apply (and by the driver for facts it
// alone knows, e.g. marking kStarting replicas kServing when they are up).
struct State {
  model::Ecosystem ecosystem;
  model::Topology topology;              // with current capacity states.
  std::vector<ComponentState> components;  // parallel to ecosystem.components.
  std::vector<int64_t> migration_times_us;  // when migrations were applied, oldest first.
  // name -> index; looked up by string_view without a copy.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> component_index;
  // Added for the Ecotone policy: dependency adjacency by component index
  // (what each component depends on / what depends on it), built by
  // MakeState; sorted, unique, self-loops dropped.
  std::vector<std::vector<int>> depends_on;
  std::vector<std::vector<int>> dependents;
  // Hardware announced degraded or under maintenance and not yet recovered
  // or failed (Observe), in arrival order: what must be drained, by when.
  struct HardwareNotice {
    model::HardwareEvent hardware;
    int64_t since_us = 0;
    int64_t event_id = 0;
    bool operator==(const HardwareNotice&) const = default;
  };
  std::vector<HardwareNotice> notices;
  // The last hardware event of any kind (Observe).
  int64_t last_hardware_us = kNever;
  // The last kRecovered event (Observe): rebalancing back may pay after it.
  int64_t last_recovered_us = kNever;
  int64_t last_recovered_event_id = 0;

  // Index of `name` in ecosystem.components, or -1. O(1).
  int ComponentIndex(std::string_view name) const;

  // A cache of the Ecotone policy (docs/engine.md, "Quiet ticks"): the key
  // (a hash of every replica's place and phase, the capacity states and the
  // notices) of the last rebalancing solve that found nothing worth moving.
  // While the key is unchanged the same solve would find nothing again, so
  // it is skipped: Decide's result is the same with or without the cache.
  // Written by Decide (hence mutable): one State must not be decided on from
  // two threads at once.
  mutable uint64_t rebalance_no_gain_key = 0;
};

// The initial state: every component of `ecosystem` with the replicas and
// places of `plan` (replica numbers as in the plan), serving, on the
// component's version (known good). Errors: InvalidArgument naming a plan
// entry whose component or zone/rack/host is unknown.
Result<State> MakeState(model::Ecosystem ecosystem, model::Topology topology,
                        const model::PlacementPlan& plan, int64_t now_us);

// The plan the state describes (every replica that has a place), sorted by
// component, replica.
model::PlacementPlan CurrentPlan(const State& state);

// Records the facts an event carries: hardware state changes in the topology
// (and replicas on failed capacity become kDown), the latest component
// metrics, forecasts, bad versions from bug reports. Decides nothing.
// Errors: NotFound naming an unknown component, zone, rack or host (state
// unchanged).
Status Observe(const model::Event& event, State* state);

// Records that `action` was carried out at now_us: migrations move the
// replica (kStarting until now + the component's startup time, or serving at
// once when live), scale adds replicas at their placements (kStarting) or
// removes the highest-numbered ones, isolate/release mark the component or
// replica, rolling updates and rollbacks set versions and rollout progress.
// Errors: InvalidArgument / NotFound naming what does not match the state
// (state unchanged).
Status Apply(const model::Action& action, int64_t now_us, State* state);

// A reconfiguration policy. Implementations: Ecotone's own (MakeEcotonePolicy)
// and the baseline that behaves like today's default Kubernetes stack
// (MakeBaselinePolicy). Decide must be deterministic and free of I/O; a
// policy keeps no hidden state between calls other than its options (what it
// must remember lives in State).
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual std::vector<model::Action> Decide(const State& state,
                                            const model::Event& event,
                                            int64_t now_us) const = 0;
};

}  // namespace ecotone::engine

#endif  // ECOTONE_ENGINE_ENGINE_H_
