// The daemon's actuators: `sim` carries actions out on the daemon's
// in-memory datacenter state (engine::Apply), `dry-run` records only.
// Not thread-safe: the control loop creates one per event and uses it from
// its own thread.
#ifndef ECOTONE_SERVER_ACTUATORS_H_
#define ECOTONE_SERVER_ACTUATORS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "ecotone/engine/actuator.h"
#include "ecotone/engine/engine.h"

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

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_ACTUATORS_H_
