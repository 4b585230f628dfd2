// The JSON form of the engine's memory: the part of engine::State that
// engine::MakeState does not derive from the ecosystem, the topology file and
// the plan, i.e. what the engine learnt from events (Observe) and actions
// (Apply): capacity states of zones, racks and hosts, hardware notices, last
// hardware / recovery times, migration times, and per component its
// versions (running, known good, bad, previous), cooldown clocks, isolation,
// rollout, latest load, load history, forecast, pending release and
// replicas (place, version, phase, ready time, home).
//
// `ecotone serve` stores it per ecosystem (store::MemoryRecord, docs/serve.md
// "Restart") so a restarted daemon decides on the same state as the one that
// stopped. Format documented in docs/serve.md; "format": 1. Pure functions,
// thread-safe.
#ifndef ECOTONE_JSONIO_ENGINE_STATE_JSON_H_
#define ECOTONE_JSONIO_ENGINE_STATE_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "ecotone/base/status.h"
#include "ecotone/engine/engine.h"

namespace ecotone::jsonio {

inline constexpr int kEngineMemoryFormat = 1;

nlohmann::json EngineMemoryToJson(const engine::State& state);

// What EngineMemoryFromJson restores.
enum class MemoryScope {
  // Everything: `state` was built by MakeState from the same ecosystem
  // version, topology file and plan as the state the memory was taken from.
  // Afterwards it equals that state (operator==).
  kAll = 0,
  // Only what does not depend on the plan, for a state built from another
  // plan or ecosystem version (a plan committed over the API since, or an
  // edited infrastructure file): capacity states (replicas of the new plan
  // on capacity that is not usable become down), notices, hardware /
  // recovery / migration times, and per component found by name: bad
  // versions, cooldown clocks, latest load, load history, forecast,
  // component-level isolation (every replica of the new plan isolated: a
  // new plan does not lift a quarantine); the known-good and previous
  // versions when the component still runs the same version; the pending
  // release when it is not the version running. Replicas, replica-level
  // isolation and rollouts come from the new plan. Places and components
  // the state no longer has are skipped.
  kPlanIndependent,
};

// Overlays the memory `j` (as written by EngineMemoryToJson) onto `state`.
// kAll: the memory's ecosystem and topology names must be the state's,
// every component of the memory must exist in `state` and vice versa, every
// place must exist in the topology. Errors: kInvalidArgument naming the
// field path (`path` is its root, e.g. "memory": "memory.components[1].
// rollout.updated: expected an integer") for a wrong type, a missing or
// unknown field, an unknown enum name, an unknown component / zone / rack /
// host (kAll), or another format; `state` is then unchanged.
Status EngineMemoryFromJson(const nlohmann::json& j, MemoryScope scope,
                            std::string_view path, engine::State* state);

}  // namespace ecotone::jsonio

#endif  // ECOTONE_JSONIO_ENGINE_STATE_JSON_H_
