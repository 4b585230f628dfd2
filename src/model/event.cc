#include "ecotone/model/event.h"

#include <array>
#include <utility>

#include "enum_names.h"

namespace ecotone::model {
namespace {

using internal::Lookup;
using internal::NameOf;

constexpr std::array<std::pair<std::string_view, EventKind>, 7> kEventKinds{{
    {"metrics", EventKind::kMetrics},
    {"hardware", EventKind::kHardware},
    {"security-alert", EventKind::kSecurityAlert},
    {"bug-report", EventKind::kBugReport},
    {"new-version", EventKind::kNewVersion},
    {"forecast-updated", EventKind::kForecastUpdated},
    {"tick", EventKind::kTick},
}};

constexpr std::array<std::pair<std::string_view, HardwareChange>, 4> kChanges{{
    {"failed", HardwareChange::kFailed},
    {"degraded", HardwareChange::kDegraded},
    {"recovered", HardwareChange::kRecovered},
    {"maintenance", HardwareChange::kMaintenance},
}};

constexpr std::array<std::pair<std::string_view, AlertSeverity>, 12> kSeverities{{
    {"low", AlertSeverity::kLow},
    {"medium", AlertSeverity::kMedium},
    {"high", AlertSeverity::kHigh},
    {"critical", AlertSeverity::kCritical},
    // Synonyms used by Falco (syslog priorities) and Alertmanager labels.
    {"info", AlertSeverity::kLow},
    {"informational", AlertSeverity::kLow},
    {"notice", AlertSeverity::kLow},
    {"debug", AlertSeverity::kLow},
    {"warning", AlertSeverity::kMedium},
    {"error", AlertSeverity::kHigh},
    {"alert", AlertSeverity::kCritical},
    {"emergency", AlertSeverity::kCritical},
}};

bool SameValue(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string ReplicaName(const std::string& component, int replica) {
  return replica < 0 ? component : component + "#" + std::to_string(replica);
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
  return NameOf(kEventKinds, kind);
}
std::optional<EventKind> ParseEventKind(std::string_view name) {
  return Lookup(kEventKinds, name);
}
std::string_view HardwareChangeName(HardwareChange c) {
  return NameOf(kChanges, c);
}
std::optional<HardwareChange> ParseHardwareChange(std::string_view name) {
  return Lookup(kChanges, name);
}
std::string_view AlertSeverityName(AlertSeverity s) {
  return NameOf(kSeverities, s);
}
std::optional<AlertSeverity> ParseAlertSeverity(std::string_view name) {
  return Lookup(kSeverities, Lower(name));
}

bool MetricSample::operator==(const MetricSample& o) const {
  return component == o.component && replica == o.replica &&
         SameValue(cpu_millicores, o.cpu_millicores) &&
         SameValue(memory_bytes, o.memory_bytes) &&
         SameValue(requests_per_s, o.requests_per_s) &&
         SameValue(latency_ms, o.latency_ms) &&
         SameValue(error_rate, o.error_rate);
}

std::string Event::Subject() const {
  switch (kind) {
    case EventKind::kMetrics:
      return metrics.size() == 1 ? metrics[0].component : std::string();
    case EventKind::kHardware: {
      std::string s = hardware.zone;
      if (!hardware.rack.empty()) s += "/" + hardware.rack;
      if (!hardware.host.empty()) s += "/" + hardware.host;
      return s;
    }
    case EventKind::kSecurityAlert: return alert.component;
    case EventKind::kBugReport: return bug.component;
    case EventKind::kNewVersion: return release.component;
    case EventKind::kForecastUpdated: return forecast.component;
    case EventKind::kTick: return "";
  }
  return "";
}

std::string Event::Describe() const {
  std::string s(EventKindName(kind));
  switch (kind) {
    case EventKind::kMetrics:
      s += ": " + std::to_string(metrics.size()) + " sample(s)";
      if (metrics.size() == 1) s += " of " + ReplicaName(metrics[0].component, metrics[0].replica);
      break;
    case EventKind::kHardware: {
      std::string what = !hardware.host.empty() ? "host " : !hardware.rack.empty() ? "rack " : "zone ";
      s += ": " + what + Subject() + " " + std::string(HardwareChangeName(hardware.change));
      break;
    }
    case EventKind::kSecurityAlert:
      s += ": " + std::string(AlertSeverityName(alert.severity)) + " on " +
           ReplicaName(alert.component, alert.replica);
      if (!alert.indicator.empty()) s += " (" + alert.indicator + ")";
      break;
    case EventKind::kBugReport:
      s += ": " + std::string(AlertSeverityName(bug.severity)) + " in " + bug.component + " " +
           bug.version;
      break;
    case EventKind::kNewVersion:
      s += ": " + release.component + " " + release.version;
      break;
    case EventKind::kForecastUpdated:
      s += ": " + forecast.component + " (" + std::to_string(forecast.replicas.size()) + " steps)";
      break;
    case EventKind::kTick:
      break;
  }
  return s;
}

}  // namespace ecotone::model
