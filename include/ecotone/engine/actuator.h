// Actuators carry out the engine's actions in the world: the simulator, a
// dry run (records only), Kubernetes (kubectl). The engine never calls one;
// its drivers (the daemon's control loop, the simulator) do, and record the
// result in the audit log with the action.
#ifndef ECOTONE_ENGINE_ACTUATOR_H_
#define ECOTONE_ENGINE_ACTUATOR_H_

#include <string>
#include <string_view>

#include "ecotone/base/status.h"
#include "ecotone/model/action.h"

namespace ecotone::engine {

struct ActuationResult {
  bool applied = false;  // the world changed (false for a dry run).
  int attempts = 1;      // including retries.
  std::string detail;    // what was done, e.g. the kubectl command and its output.
};

class Actuator {
 public:
  virtual ~Actuator() = default;
  virtual std::string_view name() const = 0;  // "sim", "dry-run", "kubernetes".
  // Carries out `action`. An error names what failed (after any retries the
  // actuator judged safe); the caller records it and never drops it.
  virtual Result<ActuationResult> Carry(const model::Action& action) = 0;
};

}  // namespace ecotone::engine

#endif  // ECOTONE_ENGINE_ACTUATOR_H_
