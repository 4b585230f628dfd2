// The datacenter simulator: a discrete-event twin of a multi-zone
// datacenter that runs a reconfiguration Policy in the loop with a
// simulated clock and accounts availability, SLO violations, latency, cost
// and disruption (docs/simulate.md).
//
//   auto world = LoadScenarioFile("examples/scenarios/boutique-week.yaml");
//   auto policy = engine::MakeBaselinePolicy();
//   RunResult r = Simulate(*world, *policy, {}).value();
//
// LoadScenarioFile is the module's only I/O (scenario, manifests, infra,
// traces). Simulate is deterministic for a scenario and seed except for
// decision latency, the wall time of each Decide call measured with a
// steady clock (the only clock read).
#ifndef ECOTONE_SIM_SIM_H_
#define ECOTONE_SIM_SIM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/engine/engine.h"
#include "ecotone/model/action.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/event.h"
#include "ecotone/model/topology.h"
#include "ecotone/sim/scenario.h"

namespace ecotone::sim {

// A scenario with its inputs loaded and checked: the ecosystem with the
// scenario's component settings applied, the topology, and the load of each
// entry point per metrics interval before noise (flash crowds included).
struct World {
  Scenario scenario;
  model::Ecosystem ecosystem;
  model::Topology topology;
  // load[e][k]: requests/s entering at scenario.load[e] in interval k
  // (k = 0 .. steps-1), flash crowds applied, noise not yet applied.
  std::vector<std::vector<double>> load;
  // history[e]: the load of entry e before the start (at the forecast
  // step, oldest first), used as forecast history.
  std::vector<std::vector<double>> history;
  // Own service time of each component at low load (ms), parallel to
  // ecosystem.components (scenario latency_ms, default 2 ms).
  std::vector<double> service_ms;
  int64_t steps = 0;
};

// Reads the scenario file, its manifests, infra and traces, applies the
// component settings and checks every name (components, zones, racks,
// hosts) against them. Errors: kIOError for unreadable files,
// kInvalidArgument with file:line:column and field path otherwise.
Result<World> LoadScenarioFile(const std::string& path);
// The same from scenario text (paths relative to `file`'s directory).
Result<World> LoadScenario(const std::string& file, std::string_view text);
// Builds a World from an already-built ecosystem and topology (benchmarks,
// tests): applies settings, checks names, computes the load.
Result<World> MakeWorld(Scenario scenario, model::Ecosystem ecosystem,
                        model::Topology topology);

struct SimOptions {
  // Overrides the scenario's seed when set.
  std::optional<uint64_t> seed;
  // Keep one Sample per metrics interval (for timelines and the SVG).
  bool record_samples = false;
  // Called for every event and action in time order (timeline JSONL).
  std::function<void(const model::Event&)> on_event;
  std::function<void(const model::Action&, const Status& applied)> on_action;
};

struct Percentiles {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

struct EntryStats {
  std::string entry;
  double availability = 1;  // request-weighted share of successful requests.
  double slo_violation_minutes = 0;
  Percentiles latency_ms;   // over intervals, request-weighted.
};

// Time from a hardware failure until every component serves at least as
// many replicas as just before it (capped by its replica count).
struct Recovery {
  std::string target;  // "zone/rack/host".
  double at_s = 0;     // simulated seconds since the start.
  double recovery_s = -1;  // -1: not recovered before the end.
};

// One metrics interval, for timelines.
struct Sample {
  double t_s = 0;
  double load_rps = 0;           // sum over entry points.
  int replicas = 0;              // placed replicas (any phase).
  int serving = 0;
  double availability = 1;       // request-weighted over entry points.
  double latency_ms = 0;         // worst entry point.
  std::vector<int> zone_state;   // CapacityState per zone.
};

struct Summary {
  std::string policy;
  std::string scenario;
  uint64_t seed = 0;
  double simulated_hours = 0;
  double availability = 1;
  double slo_violation_minutes = 0;
  Percentiles latency_ms;
  double cost = 0;  // resource cost of placed replicas over the run.
  int migrations = 0;
  int scale_actions = 0;
  int isolations = 0;
  int rollbacks = 0;
  int rolling_updates = 0;
  int recovers = 0;
  int releases = 0;
  int actions = 0;
  int rejected_actions = 0;  // Apply refused them.
  int events = 0;
  double compromised_minutes = 0;   // alerted component neither isolated nor rebuilt.
  double bad_version_minutes = 0;   // a bad release served requests.
  std::vector<Recovery> recoveries;
  Percentiles decision_latency_ms;  // wall time of Decide (not deterministic).
  double wall_seconds = 0;          // whole run (not deterministic).
  std::vector<EntryStats> entries;
};

struct RunResult {
  Summary summary;
  std::vector<Sample> samples;  // when SimOptions::record_samples.
  std::vector<model::Event> events;    // every event delivered.
  std::vector<model::Action> actions;  // every action decided.
};

// Runs `policy` over the world. Errors: InvalidArgument when the initial
// placement is impossible; the policy's rejected actions are counted, not
// errors.
Result<RunResult> Simulate(const World& world, const engine::Policy& policy,
                           const SimOptions& options);

}  // namespace ecotone::sim

#endif  // ECOTONE_SIM_SIM_H_
