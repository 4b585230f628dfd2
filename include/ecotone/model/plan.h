// A placement plan (where every replica of every component runs) and the
// difference between two plans (the moves). Written by `ecotone place`,
// read back as `--current` (manifest::ReadPlan), emitted by the engine as a
// PlanDelta. Plain structs, copied freely, no I/O. Safe to share between
// threads when not mutated.
#ifndef ECOTONE_MODEL_PLAN_H_
#define ECOTONE_MODEL_PLAN_H_

#include <map>
#include <string>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::model {

// One replica's place. rack and host are empty when not modelled.
struct Assignment {
  std::string component;
  int replica = 0;  // 0-based replica index within the component.
  std::string zone;
  std::string rack;
  std::string host;
  Location where;  // where it was read (plans read from files); not compared.

  bool operator==(const Assignment& o) const {
    return component == o.component && replica == o.replica && zone == o.zone &&
           rack == o.rack && host == o.host;
  }
  // "zone", "zone/rack" or "zone/rack/host".
  std::string PlaceString() const;
};

struct PlacementPlan {
  std::string ecosystem;  // name of the ecosystem placed.
  std::string infra;      // name of the topology.
  std::vector<Assignment> assignments;
  std::map<std::string, std::string> metadata;  // free-form, e.g. "solver".

  bool operator==(const PlacementPlan&) const = default;
};

// A replica that changes place between two plans.
struct Move {
  std::string component;
  int replica = 0;
  std::string from;  // PlaceString() of the old assignment.
  std::string to;    // PlaceString() of the new assignment.
  std::string from_zone;
  std::string to_zone;
  bool operator==(const Move&) const = default;
};

// Changes from one plan to another: moved replicas, replicas that only exist
// in the new plan (scale up / new component) and in the old one (scale down
// / removed component).
struct PlanDelta {
  std::vector<Move> moves;
  std::vector<Assignment> added;
  std::vector<Assignment> removed;
  bool operator==(const PlanDelta&) const = default;
  bool empty() const {
    return moves.empty() && added.empty() && removed.empty();
  }
};

// Compares plans replica by replica (key: component + replica index). The
// result lists moves, additions and removals sorted by component, replica.
// O((n + m) log(n + m)).
PlanDelta Diff(const PlacementPlan& from, const PlacementPlan& to);

}  // namespace ecotone::model

#endif  // ECOTONE_MODEL_PLAN_H_
