#include "ecotone/model/action.h"

#include <array>
#include <utility>

#include "enum_names.h"

namespace ecotone::model {
namespace {

using internal::Lookup;
using internal::NameOf;

constexpr std::array<std::pair<std::string_view, ActionKind>, 7> kActionKinds{{
    {"migrate", ActionKind::kMigrate},
    {"scale", ActionKind::kScale},
    {"isolate", ActionKind::kIsolate},
    {"rolling-update", ActionKind::kRollingUpdate},
    {"rollback", ActionKind::kRollback},
    {"recover", ActionKind::kRecover},
    {"release", ActionKind::kRelease},
}};

constexpr std::array<std::pair<std::string_view, IsolationMode>, 2> kModes{{
    {"quarantine", IsolationMode::kQuarantine},
    {"kill-and-rebuild", IsolationMode::kKillAndRebuild},
}};

}  // namespace

std::string_view ActionKindName(ActionKind kind) {
  return NameOf(kActionKinds, kind);
}
std::optional<ActionKind> ParseActionKind(std::string_view name) {
  return Lookup(kActionKinds, name);
}
std::string_view IsolationModeName(IsolationMode m) { return NameOf(kModes, m); }
std::optional<IsolationMode> ParseIsolationMode(std::string_view name) {
  return Lookup(kModes, name);
}

std::string Place::ToString() const {
  std::string s = zone;
  if (!rack.empty()) s += "/" + rack;
  if (!host.empty()) s += "/" + host;
  return s;
}

std::string Action::Describe() const {
  std::string who = replica < 0 ? component : component + "#" + std::to_string(replica);
  std::string s(ActionKindName(kind));
  s += " " + who;
  switch (kind) {
    case ActionKind::kMigrate:
    case ActionKind::kRecover:
      s += " " + from.ToString() + " -> " + to.ToString();
      if (live) s += " (live)";
      break;
    case ActionKind::kScale:
      s += " " + std::to_string(from_replicas) + " -> " + std::to_string(to_replicas);
      break;
    case ActionKind::kIsolate:
      s += " (" + std::string(IsolationModeName(isolation)) + ")";
      break;
    case ActionKind::kRollingUpdate:
    case ActionKind::kRollback:
      s += " " + from_version + " -> " + to_version;
      break;
    case ActionKind::kRelease:
      break;
  }
  if (!trigger.empty()) s += ": " + trigger;
  return s;
}

}  // namespace ecotone::model
