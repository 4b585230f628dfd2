// The Kubernetes actuator: carries the engine's actions out on a cluster.
// For each action it advances its plan (ApplyActions), emits the objects of
// the component concerned into a directory of their own and runs kubectl
// (kubectl.h):
//   migrate, recover, isolate, scale-out to new zone groups: apply
//       --server-side of the component's objects;
//   scale:             kubectl scale of every zone-group workload that
//       already existed, apply for new ones;
//   rolling-update:    apply (new image), then rollout status per workload;
//   rollback:          rollout undo per workload, then rollout status;
//   release:           delete the component's isolation NetworkPolicy.
// Modes: DryRun::kServer (every mutating call with --dry-run=server, no
// status waits) and diff (kubectl diff of the files; nothing changes).
// Every call's CallResult lands in the Actuation record, failures included.
//
// An Actuator holds the plan it has carried out so far; it is not
// thread-safe (one control loop drives it).
#ifndef ECOTONE_KUBERNETES_ACTUATOR_H_
#define ECOTONE_KUBERNETES_ACTUATOR_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/kubernetes/emit.h"
#include "ecotone/kubernetes/kubectl.h"
#include "ecotone/model/action.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"

namespace ecotone::kubernetes {

struct ActuatorOptions {
  KubectlOptions kubectl;
  // Base emission options (labels, namespace, sources, topology); the
  // actuator adds the actions' requests to its own copy.
  EmitOptions emit;
  // Objects of action N go to work_dir/NNNN-<kind>-<component>/.
  std::string work_dir;
  DryRun dry_run = DryRun::kNone;
  bool diff = false;  // kubectl diff instead of any change.
  int64_t rollout_timeout_ms = 300000;
};

// The audit record of one carried-out action.
struct Actuation {
  model::Action action;
  std::string dir;                 // the objects written for it.
  std::vector<std::string> files;  // relative to dir.
  std::vector<CallResult> calls;   // in order; failures included.
  std::vector<std::string> notes;  // e.g. calls a mode does not make.
  bool ok() const;                 // every call succeeded.
  // {"action_id","kind","component","dir","files","ok","calls":[...],
  //  "notes"}: one line of the actuation log.
  nlohmann::ordered_json ToJson() const;
};

class Actuator {
 public:
  // Borrows `ecosystem` (must outlive the actuator); `current` is the plan
  // the cluster runs now (what `ecotone emit k8s` last applied).
  Actuator(const model::Ecosystem& ecosystem, model::PlacementPlan current,
           ActuatorOptions options);
  Actuator(const Actuator&) = delete;
  Actuator& operator=(const Actuator&) = delete;

  // Carries out `action`. Returns the record whether or not the cluster
  // accepted it (see Actuation::ok); a non-OK Status only when it could not
  // run at all: kInvalidArgument for an action the plan cannot take
  // (unknown component or replica), kIOError when the objects cannot be
  // written. The plan advances only when every call succeeded (dry runs and
  // diffs never advance it).
  Result<Actuation> Carry(const model::Action& action);

  const model::PlacementPlan& plan() const { return plan_; }

 private:
  const model::Ecosystem& eco_;
  model::PlacementPlan plan_;
  ActuatorOptions opt_;
  Kubectl kubectl_;
  int sequence_ = 0;
};

}  // namespace ecotone::kubernetes

#endif  // ECOTONE_KUBERNETES_ACTUATOR_H_
