#include "ecotone/model/ecosystem.h"

#include <array>
#include <utility>

#include "enum_names.h"

namespace ecotone::model {
namespace {

using internal::Lookup;
using internal::NameOf;

constexpr std::array<std::pair<std::string_view, ComponentKind>, 8> kKinds{{
    {"container", ComponentKind::kContainer},
    {"vm", ComponentKind::kVm},
    {"database", ComponentKind::kDatabase},
    {"queue", ComponentKind::kQueue},
    {"cache", ComponentKind::kCache},
    {"gateway", ComponentKind::kGateway},
    {"function", ComponentKind::kFunction},
    {"storage", ComponentKind::kStorage},
}};

constexpr std::array<std::pair<std::string_view, DependencyKind>, 8> kDepKinds{{
    {"http", DependencyKind::kHttp},
    {"grpc", DependencyKind::kGrpc},
    {"database", DependencyKind::kDatabase},
    {"queue-publish", DependencyKind::kQueuePublish},
    {"queue-consume", DependencyKind::kQueueConsume},
    {"cache", DependencyKind::kCache},
    {"data-flow", DependencyKind::kDataFlow},
    {"start-order", DependencyKind::kStartOrder},
}};

constexpr std::array<std::pair<std::string_view, Criticality>, 2> kCrit{{
    {"hard", Criticality::kHard},
    {"soft", Criticality::kSoft},
}};

}  // namespace

std::string_view ComponentKindName(ComponentKind kind) {
  return NameOf(kKinds, kind);
}
std::optional<ComponentKind> ParseComponentKind(std::string_view name) {
  return Lookup(kKinds, name);
}
std::string_view DependencyKindName(DependencyKind kind) {
  return NameOf(kDepKinds, kind);
}
std::optional<DependencyKind> ParseDependencyKind(std::string_view name) {
  return Lookup(kDepKinds, name);
}
std::string_view CriticalityName(Criticality c) { return NameOf(kCrit, c); }
std::optional<Criticality> ParseCriticality(std::string_view name) {
  return Lookup(kCrit, name);
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "unknown";
}

const Component* Ecosystem::FindComponent(std::string_view name) const {
  for (const auto& c : components)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace ecotone::model
