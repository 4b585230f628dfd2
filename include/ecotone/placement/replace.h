// Incremental re-placement: given the current plan and a change (a zone,
// rack or host failed/drained/quarantined, capacity changed, a component
// scaled, a new version with other requests), find the least-disruptive good
// plan: every replica that can stay stays, only the affected replicas are
// re-placed (with the proximity to the replicas that stay), and the moves
// are reported. See docs/placement.md, "Incremental re-placement".
// Pure: no I/O. Thread-safe (no shared state).
#ifndef ECOTONE_PLACEMENT_REPLACE_H_
#define ECOTONE_PLACEMENT_REPLACE_H_

#include <string>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "ecotone/placement/solver.h"

namespace ecotone::placement {

// One change to the world. Serialised by name; append new kinds at the end.
struct Change {
  enum class Kind {
    kState = 0,   // zone / rack / host changes state (e.g. failed).
    kCapacity,    // zone (without racks) / rack (without hosts) / host gets
                  // a new capacity.
    kScale,       // component gets `replicas` replicas.
    kNewVersion,  // component gets `version` and, when non-empty, new
                  // per-replica `requests`.
  };
  Kind kind = Kind::kState;
  // Target of kState / kCapacity: zone, optionally rack and host names.
  std::string zone;
  std::string rack;
  std::string host;
  model::CapacityState state = model::CapacityState::kFailed;
  model::Resources capacity;
  // Target of kScale / kNewVersion.
  std::string component;
  int replicas = 0;
  std::string version;
  model::Resources requests;
};

// Applies `change` to the ecosystem and topology in place. Returns NotFound
// naming the missing zone/rack/host/component (both left unchanged), or
// InvalidArgument for a negative replica count or a capacity change on a
// zone/rack whose capacity is the sum of its racks/hosts.
Status ApplyChange(const Change& change, model::Ecosystem* ecosystem,
                   model::Topology* topology);

struct ReplaceStats {
  int kept = 0;           // replicas that stay where they are.
  int affected = 0;       // replicas re-placed (displaced or new).
  bool fallback = false;  // the restricted solve failed; a full solve ran.
  // Wall time of each phase in seconds: building the whole problem, keeping,
  // building the restricted problem, solving it, verifying and reporting.
  double build_s = 0, keep_s = 0, restrict_s = 0, solve_s = 0, finish_s = 0;
};

// Re-places after a change: `current` is the plan before the change (already
// checked with manifest::ValidatePlan against `ecosystem` and `topology`,
// which include the change). Keeps every replica whose place is still
// usable, allowed and within capacity (stateful replicas are kept first when
// capacity is short), solves the placement of the others only (solver
// `solver`, bins' remaining capacity, proximity to kept partners as a linear
// cost), and falls back to a full solve warm-started from the current plan
// when the restricted solution violates a constraint of the whole problem.
// Returns the placement with delta = moves relative to `current`;
// infeasible is a placement with status kInfeasible and an explanation.
// *stats (may be null) receives what happened.
Result<EcosystemPlacement> Replace(
    const model::Ecosystem& ecosystem, const model::Topology& topology,
    const model::PlacementPlan& current, const EcosystemOptions& options,
    const SolveOptions& solve, const std::string& solver, ReplaceStats* stats);

}  // namespace ecotone::placement

#endif  // ECOTONE_PLACEMENT_REPLACE_H_
