// Actions: what the reconfiguration engine decides (engine::Policy::Decide)
// and actuators carry out (simulator, dry run, Kubernetes). Every action
// carries its explanation: the trigger, the alternatives considered, the
// expected effect and the constraint that decided it. One flat struct with a
// kind and the fields of that kind (JSON codec: adapters/event_json.h,
// documented in docs/events.md; the audit log is JSON Lines of these).
// Plain structs, no I/O. Safe to share between threads when not mutated.
#ifndef ECOTONE_MODEL_ACTION_H_
#define ECOTONE_MODEL_ACTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/model/plan.h"

namespace ecotone::model {

// Serialised by name (ActionKindName); append new values at the end.
enum class ActionKind {
  kMigrate = 0,     // move one replica `from` -> `to`.
  kScale,           // component from_replicas -> to_replicas; new replicas
                    // go to `placements`, removed ones are the highest
                    // replica indexes unless `placements` says otherwise.
  kIsolate,         // network-deny a component or replica except `allow`.
  kRollingUpdate,   // replace from_version by to_version in batches.
  kRollback,        // back from from_version to to_version (known good).
  kRecover,         // move a replica back after capacity returned
                    // (a migrate whose reason is rebalancing).
  kRelease,         // lift an isolation.
};
std::string_view ActionKindName(ActionKind kind);  // "migrate", "scale"...
std::optional<ActionKind> ParseActionKind(std::string_view name);

// Serialised by name; append new values at the end.
enum class IsolationMode {
  kQuarantine = 0,   // keep it running, cut it off, keep evidence.
  kKillAndRebuild,   // stop it and start fresh replicas of rebuild_version.
};
std::string_view IsolationModeName(IsolationMode m);  // "quarantine", ...
std::optional<IsolationMode> ParseIsolationMode(std::string_view name);

// A place: zone, optionally rack and host (empty when not modelled).
struct Place {
  std::string zone;
  std::string rack;
  std::string host;
  bool operator==(const Place&) const = default;
  bool empty() const { return zone.empty(); }
  // "zone", "zone/rack" or "zone/rack/host" (as Assignment::PlaceString).
  std::string ToString() const;
};

struct Action {
  int64_t id = 0;          // store id once stored; 0 otherwise.
  int64_t time_us = 0;     // when it was decided.
  std::string ecosystem;
  ActionKind kind = ActionKind::kScale;
  std::string component;
  int replica = -1;        // -1: the whole component.

  // kMigrate / kRecover
  Place from;
  Place to;
  bool live = false;       // live migration (no restart) when possible.
  // kScale: replica counts; for scale-out, where the new replicas go.
  int from_replicas = 0;
  int to_replicas = 0;
  std::vector<Assignment> placements;
  // kIsolate / kRelease
  IsolationMode isolation = IsolationMode::kQuarantine;
  std::vector<std::string> allow;  // components still allowed to talk to it.
  bool cordon = false;             // also cordon/quarantine its host(s).
  // kRollingUpdate / kRollback (kIsolate kKillAndRebuild: to_version is the
  // known-good version rebuilt from).
  std::string from_version;
  std::string to_version;
  std::string image;
  int batch_size = 0;
  int max_surge = 0;
  int max_unavailable = 0;
  double gate_max_error_rate = 0;   // health gate; 0 = not gated on it.
  double gate_max_latency_ms = 0;

  // The explanation (every action).
  std::string trigger;                    // e.g. "host h3 failed".
  int64_t event_id = 0;                   // triggering event, 0 = none.
  std::vector<std::string> alternatives;  // considered and not taken, why.
  std::string expected_effect;            // e.g. "2 replicas serving in 45 s".
  std::string constraint;                 // what decided it, e.g. a cooldown.

  bool operator==(const Action&) const = default;
  // One line for people, e.g. "migrate cart#1 eu-1/r1 -> eu-2/r3 (host h3 failed)".
  std::string Describe() const;
};

}  // namespace ecotone::model

#endif  // ECOTONE_MODEL_ACTION_H_
