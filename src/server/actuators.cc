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

namespace {

model::PlacementPlan PlanOf(const engine::State& state) {
  model::PlacementPlan plan = engine::CurrentPlan(state);
  plan.ecosystem = state.ecosystem.name;
  plan.infra = state.topology.name;
  return plan;
}

}  // namespace

KubernetesActuator::KubernetesActuator(engine::State* state, int64_t now_us,
                                       kubernetes::ActuatorOptions options)
    : state_(state),
      now_us_(now_us),
      real_run_(options.dry_run == kubernetes::DryRun::kNone && !options.diff),
      actuator_(state->ecosystem, PlanOf(*state), std::move(options)) {}

Result<engine::ActuationResult> KubernetesActuator::Carry(
    const model::Action& action) {
  last_record_.clear();
  auto rec = actuator_.Carry(action);
  if (!rec.ok()) return rec.status();
  last_record_ = rec->ToJson().dump(-1, ' ', false,
                                    nlohmann::json::error_handler_t::replace);
  engine::ActuationResult r;
  r.attempts = 0;
  for (const auto& c : rec->calls) r.attempts += c.attempts;
  if (!rec->ok()) {
    return Status::Unavailable("kubectl failed: " + last_record_);
  }
  if (real_run_) {
    // The cluster took it: keep the daemon's model of the world in step.
    Status st = engine::Apply(action, now_us_, state_);
    if (!st.ok()) {
      return Status::Internal("applied on the cluster but not to the "
                              "engine state: " + st.ToString() + " " +
                              last_record_);
    }
  }
  r.applied = real_run_;
  r.detail = "kubernetes " + last_record_;
  return r;
}

}  // namespace ecotone::server
