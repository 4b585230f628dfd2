// The daemon's actuators: `sim` carries actions out on the daemon's
// in-memory datacenter state (engine::Apply), `dry-run` records only,
// `kubernetes` runs kubectl through kubernetes::Actuator (which knows
// nothing of the engine) and, when the cluster took the action, applies it
// to the in-memory state too.
// Not thread-safe: the control loop creates one per event and uses it from
// its own thread.
#ifndef ECOTONE_SERVER_ACTUATORS_H_
#define ECOTONE_SERVER_ACTUATORS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "ecotone/engine/actuator.h"
#include "ecotone/engine/engine.h"
#include "ecotone/kubernetes/actuator.h"

namespace ecotone::server {

// Applies each action to *state (not owned) at `now_us`; an action that does
// not match the state is an error and leaves the state unchanged.
class SimActuator : public engine::Actuator {
 public:
  SimActuator(engine::State* state, int64_t now_us)
      : state_(state), now_us_(now_us) {}
  std::string_view name() const override { return "sim"; }
  Result<engine::ActuationResult> Carry(const model::Action& action) override;

 private:
  engine::State* const state_;
  const int64_t now_us_;
};

// Changes nothing; the result says what would have been done.
class DryRunActuator : public engine::Actuator {
 public:
  std::string_view name() const override { return "dry-run"; }
  Result<engine::ActuationResult> Carry(const model::Action& action) override;
};

// Carries actions out on a cluster with kubectl (docs/kubernetes.md,
// "Actuator"; docs/serve.md, "Kubernetes"). Built per event over the
// engine state's ecosystem and current plan; *state must outlive it.
// Carry returns:
//   ok, applied=true   every kubectl call succeeded and it was a real run
//                      (the action is then applied to *state as well);
//   ok, applied=false  a --dry-run=server or diff run whose calls succeeded;
//   kUnavailable       some call failed after the retries kubectl.h judged
//                      safe (message: "kubectl failed: " + the record);
//   other errors       the action could not be run at all (see
//                      kubernetes::Actuator::Carry).
// In every case the Actuation record (each call: argv, exit code, error
// class, attempts, backoff, stdout, stderr) is kept: last_record() gives its
// JSON, which the control loop stores in the action's result.
class KubernetesActuator : public engine::Actuator {
 public:
  KubernetesActuator(engine::State* state, int64_t now_us,
                     kubernetes::ActuatorOptions options);
  std::string_view name() const override { return "kubernetes"; }
  Result<engine::ActuationResult> Carry(const model::Action& action) override;
  // The JSON of the last Carry's Actuation ("" when it could not run).
  const std::string& last_record() const { return last_record_; }

 private:
  engine::State* const state_;
  const int64_t now_us_;
  const bool real_run_;
  kubernetes::Actuator actuator_;
  std::string last_record_;
};

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_ACTUATORS_H_
