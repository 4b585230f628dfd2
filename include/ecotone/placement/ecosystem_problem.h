// Ecosystem placement: turns an ecosystem (components, replicas, dependencies,
// proximity from the graph module) and a topology (zones, racks, hosts,
// prices, latency, egress) plus an optional current plan into a general
// placement::Problem, solves it, and maps the Solution back to a
// PlacementPlan with cost terms, per-zone utilisation, split dependency
// pairs, binding constraints and moves. The model is written down in
// docs/placement.md. Pure: no I/O. Thread-safe (no shared state).
#ifndef ECOTONE_PLACEMENT_ECOSYSTEM_PROBLEM_H_
#define ECOTONE_PLACEMENT_ECOSYSTEM_PROBLEM_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"
#include "ecotone/placement/problem.h"
#include "ecotone/placement/solver.h"

namespace ecotone::placement {

class PluginRegistry;  // ecotone/placement/plugin.h

// Weights and defaults of the ecosystem model (docs/placement.md lists them
// with units). Costs are in currency per hour.
struct EcosystemOptions {
  // λ: cost per hour of one unit of proximity (graph proximity in [0, 1))
  // kept at 1 ms of latency apart.
  double lambda = 0.01;
  // Migration cost of moving one replica away from its current place, as a
  // per-hour equivalent; stateful components add stateful_per_gib for every
  // GiB of memory + storage they request.
  double migration_cost = 0.02;
  double stateful_per_gib = 0.02;
  // Spread default for components that declare none: replicas of a
  // component with >= 2 replicas occupy at least min(replicas,
  // default_min_zones) zones. 0 disables the default.
  int default_min_zones = 2;
  // At most this many replicas of one component per rack (0 = unlimited),
  // unless the component says otherwise. Only when racks are modelled.
  int default_max_per_rack = 0;
  // Requests assumed for replicas that declare none (Compose files rarely
  // do), so that capacity and price apply to every replica.
  model::Resources default_request{100, 128LL << 20, 0, 0};
  // Bins are hosts when hosts are modelled, else racks, else zones. More
  // bins than this is an error (the bin distance matrix is dense).
  int max_bins = 4096;
  // Plugins (ecotone/placement/plugin.h) enabled by name, run in this order;
  // empty = the default profile (every built-in). `plugins` (not owned,
  // may be null = DefaultPluginRegistry()) resolves the names.
  std::vector<std::string> constraints;
  std::vector<std::string> scorers;
  const PluginRegistry* plugins = nullptr;
};

// The general problem built from an ecosystem, with the maps back.
struct EcosystemProblem {
  Problem problem;
  // item → component index (in Ecosystem::components) and replica index.
  std::vector<int> item_component;
  std::vector<int> item_replica;
  // First item of each component (size components + 1, CSR-like).
  std::vector<int> component_first_item;
  // bin → zone index (Topology::zones), rack index (-1: not modelled) and
  // host index (-1).
  std::vector<int> bin_zone;
  std::vector<int> bin_rack;
  std::vector<int> bin_host;
  // The dependent component pairs (a < b) with their proximity and traffic.
  struct ComponentPair {
    int a = 0;
    int b = 0;
    double proximity = 0;
    double bytes_per_s = 0;  // both directions summed.
    double budget_ms = 0;    // tightest hard latency budget, 0 = none.
  };
  std::vector<ComponentPair> pairs;
  // Partner replica pairs of each component pair (see docs/placement.md):
  // item_a, item_b and the share of the pair's traffic they carry.
  struct PartnerPair {
    int pair = 0;  // index into pairs.
    int item_a = 0;
    int item_b = 0;
    double share = 0;
  };
  std::vector<PartnerPair> partners;
  // κ: egress price per GB per ms of latency, used to fold egress into the
  // pairwise term (exact when egress prices are proportional to latency).
  double egress_per_gb_per_ms = 0;
  // Which built-in scorers the profile enabled (their cost lines are
  // reported only then).
  bool scores_resource = true;
  bool scores_proximity = true;
  bool scores_egress = true;
  // The objective primitives each scorer that is not built in wrote (after
  // minus before its AddToModel; empty = untouched), so that a plan reports
  // it as its own cost line (CostTerms::plugins).
  struct ScorerContribution {
    std::string name;
    std::vector<double> cost;                 // [i·m + b]
    std::vector<double> bin_price;            // [b·D + d]
    std::vector<double> migration_cost;       // [i]
    std::vector<double> partner_coefficient;  // [partner]
  };
  std::vector<ScorerContribution> custom_scorers;
};

// Builds the problem. `current` (may be null) gives current bins and
// migration costs; it must have been checked with manifest::ValidatePlan.
// Returns InvalidArgument when the topology has more bins than
// options.max_bins, or the ecosystem has a component with no name.
Result<EcosystemProblem> BuildEcosystemProblem(
    const model::Ecosystem& ecosystem, const model::Topology& topology,
    const model::PlacementPlan* current, const EcosystemOptions& options);

// Per-zone utilisation of a plan.
struct ZoneUsage {
  std::string zone;
  std::string state;  // CapacityStateName of the zone.
  model::Resources used;
  model::Resources capacity;  // usable capacity.
  // used / capacity per dimension: cpu, memory, bandwidth, storage (0 when
  // the capacity is 0).
  std::array<double, 4> utilisation{};
  int replicas = 0;
};

// A dependency pair whose replicas are not all in one zone.
struct SplitDependency {
  std::string from;
  std::string to;
  std::vector<std::string> zones;  // zones of the pair's replicas, sorted.
  double proximity = 0;
  // Share of the pair's traffic (partner pairs) that crosses zones, [0, 1].
  double cross_zone_share = 0;
};

// Cost terms of a plan, currency per hour.
struct CostTerms {
  double resource = 0;   // Σ replica requests × zone prices.
  double proximity = 0;  // λ · Σ proximity × share × latency (ms).
  double egress = 0;     // Σ bytes/s × share × 3600 / 1e9 × egress price.
  double migration = 0;  // Σ migration costs of moved replicas.
  double penalties = 0;  // soft penalties: degraded capacity surcharge.
  // Terms of scorer plugins that are not built in, by plugin name, in
  // profile order.
  std::vector<std::pair<std::string, double>> plugins;
  double total() const {
    double t = resource + proximity + egress + migration + penalties;
    for (const auto& [name, v] : plugins) t += v;
    return t;
  }
};

// A placed ecosystem: everything `ecotone place` reports.
struct EcosystemPlacement {
  SolveOutcome status = SolveOutcome::kUnknown;
  double objective = 0;  // costs.total() when a plan exists.
  // Lower bound and gap of the solver's objective (see docs/placement.md on
  // how it relates to `objective`).
  double bound = 0;
  double gap = 0;
  // The solver's own objective, the one `bound` and `gap` refer to. It
  // differs from `objective` where the model approximates a cost term
  // (egress is folded into the pairwise term; docs/placement.md).
  double model_objective = 0;
  std::string bound_method;
  model::PlacementPlan plan;  // empty assignments when infeasible.
  CostTerms costs;
  std::vector<ZoneUsage> zones;
  std::vector<SplitDependency> split_dependencies;
  std::vector<std::string> binding_constraints;
  model::PlanDelta delta;  // relative to the current plan (if any).
  std::string infeasible;  // explanation when infeasible/unknown.
  // The same as separate reasons in ecosystem terms, when the necessary
  // conditions of ExplainEcosystemInfeasibility prove infeasibility (then
  // status is kInfeasible), e.g. "memory short by 12 GiB in eu-west-1".
  std::vector<std::string> infeasible_reasons;
  std::string solver;
  double seconds = 0;
  int64_t iterations = 0;
  // Proximity-weighted cross-zone traffic: Σ proximity × cross-zone share
  // over dependent pairs (the "proximity matters" metric).
  double cross_zone_proximity = 0;
  // Replicas that kept their place / had to move (when a current plan was
  // given).
  int kept = 0;
};

// Why no placement can exist, in ecosystem terms, aggregated per dimension
// and zone set and per spread constraint: every reason found by necessary
// conditions (each alone proves infeasibility), e.g.
//   "memory short by 12 GiB in eu-west-1 (demand 140 GiB > usable capacity
//    128 GiB; replicas of db, cache)",
//   "replicas of db need 3 zones, 2 allowed (eu-west-1a, eu-west-1b)",
//   "db: no usable zone allowed (eu-west-1a failed)",
//   "a replica of db needs memory 300 GiB; the largest allowed rack has
//    256 GiB".
// A zone set is named by its region when it is all usable zones of one
// region, by "all usable zones", or by its zone names. Empty when no
// condition fires (which does not prove feasibility). O(components ·
// (bins + zone sets) + zone sets² · components).
std::vector<std::string> ExplainEcosystemInfeasibility(
    const EcosystemProblem& ep, const model::Ecosystem& ecosystem,
    const model::Topology& topology);

// Maps a solution (of `ep.problem`) back: plan, costs, utilisation, split
// pairs, binding constraints, infeasibility explanation in zone/component
// terms and the delta to `current` (may be null).
EcosystemPlacement Interpret(const EcosystemProblem& ep,
                             const Solution& solution,
                             const model::Ecosystem& ecosystem,
                             const model::Topology& topology,
                             const model::PlacementPlan* current,
                             const EcosystemOptions& options);

// Evaluates an arbitrary assignment (bin per item of `ep.problem`) with the
// same cost terms and reports as Interpret (status kFeasible if it meets
// every constraint, else kInfeasible with the violations). Used to compare
// plans, e.g. against a proximity-blind spread plan.
Result<EcosystemPlacement> EvaluateAssignment(
    const EcosystemProblem& ep, const std::vector<int>& assignment,
    const model::Ecosystem& ecosystem, const model::Topology& topology,
    const model::PlacementPlan* current, const EcosystemOptions& options);

// Build + solve + interpret. `solver` is a registry name ("choose",
// "heuristic", "mip"). Returns the placement (infeasible is a placement with
// status kInfeasible), or the Status of a failure to run.
Result<EcosystemPlacement> PlaceEcosystem(const model::Ecosystem& ecosystem,
                                          const model::Topology& topology,
                                          const model::PlacementPlan* current,
                                          const EcosystemOptions& options,
                                          const SolveOptions& solve,
                                          const std::string& solver);

// A proximity-blind spread plan, the way the default Kubernetes scheduler
// spreads replicas (topology spread over zones, least-allocated first):
// replicas of each component go round-robin over the allowed usable bins of
// the least-loaded zones, ignoring dependencies. Respects capacity where it
// can; bins with no room are skipped. Returns a bin per item.
std::vector<int> SpreadAssignment(const EcosystemProblem& ep);

}  // namespace ecotone::placement

#endif  // ECOTONE_PLACEMENT_ECOSYSTEM_PROBLEM_H_
