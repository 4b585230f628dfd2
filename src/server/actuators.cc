#include "actuators.h"

namespace ecotone::server {

Result<engine::ActuationResult> SimActuator::Carry(
    const model::Action& action) {
  Status st = engine::Apply(action, now_us_, state_);
  if (!st.ok()) return st;
  engine::ActuationResult r;
  r.applied = true;
  r.detail = "sim: " + action.Describe();
  return r;
}

Result<engine::ActuationResult> DryRunActuator::Carry(
    const model::Action& action) {
  engine::ActuationResult r;
  r.applied = false;
  r.detail = "dry run, not carried out: " + action.Describe();
  return r;
}

}  // namespace ecotone::server
