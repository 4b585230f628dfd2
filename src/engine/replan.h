// Neighbourhood re-placement for the Ecotone policy: runs the placement
// module (placement::Replace, or a warm-started re-optimisation for
// rebalancing) on the components that must move or grow plus their direct
// dependency partners, with every other replica's requests taken off the
// capacity of the bins it occupies. The solve is then proportional to the
// neighbourhood, not to the ecosystem (docs/engine.md, "Re-placement").
// Pure: no I/O. Thread-safe (no shared state).
#ifndef ECOTONE_SRC_ENGINE_REPLAN_H_
#define ECOTONE_SRC_ENGINE_REPLAN_H_

#include <map>
#include <string>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/engine/ecotone_policy.h"
#include "ecotone/engine/engine.h"
#include "ecotone/model/action.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"

namespace ecotone::engine::internal {

struct ReplicaMove {
  int component = 0;  // index in State::components.
  int replica = 0;    // replica number.
  model::Place from;
  model::Place to;
};

struct Replan {
  bool feasible = false;
  std::string infeasible;  // why, when !feasible.
  std::vector<ReplicaMove> moves;
  // New replicas (scale-out): component index -> placements with replica
  // numbers after the component's highest.
  std::map<int, std::vector<model::Assignment>> added;
  int neighbourhood_components = 0;
  int kept = 0;
  double objective_before = 0;  // per hour (re-optimisation only).
  double objective_after = 0;   // per hour, incl. migration costs.
  double cross_zone_proximity = 0;
  std::string solver;
};

struct ReplanRequest {
  std::vector<int> focus;       // components whose replicas may move or grow.
  std::map<int, int> scale_to;  // component -> more replicas than it has.
  // Topology to place on (e.g. with degraded hardware marked draining);
  // null = state.topology.
  const model::Topology* topology = nullptr;
  // false: placement::Replace (only displaced / new replicas move);
  // true: re-optimise the neighbourhood from the current plan with
  // migration costs (rebalancing), focus = every component if empty.
  bool reoptimise = false;
};

Result<Replan> ReplanAround(const State& state, const ReplanRequest& request,
                            const EcotoneOptions& options);

}  // namespace ecotone::engine::internal

#endif  // ECOTONE_SRC_ENGINE_REPLAN_H_
