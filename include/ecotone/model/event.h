// Events: what the reconfiguration engine reacts to. Adapters (Prometheus,
// Alertmanager, Falco, CloudEvents), the HTTP API and the simulator produce
// them; engine::Policy::Decide consumes them. One flat struct with a kind and
// the fields of that kind, so events copy, compare and serialise simply (JSON
// codec: adapters/event_json.h, documented in docs/events.md).
// Plain structs, no I/O. Safe to share between threads when not mutated.
#ifndef ECOTONE_MODEL_EVENT_H_
#define ECOTONE_MODEL_EVENT_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/model/ecosystem.h"

namespace ecotone::model {

// Serialised by name (EventKindName); append new values at the end.
enum class EventKind {
  kMetrics = 0,      // metric samples per component / replica.
  kHardware,         // a zone, rack or host failed, degraded, recovered...
  kSecurityAlert,    // a component or replica is suspected compromised.
  kBugReport,        // a component version is reported broken.
  kNewVersion,       // a new version of a component is available.
  kForecastUpdated,  // a new replica schedule from the predictive scaler.
  kTick,             // time passed (periodic re-evaluation, no new facts).
};
std::string_view EventKindName(EventKind kind);  // "metrics", "hardware", ...
std::optional<EventKind> ParseEventKind(std::string_view name);

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();
inline bool HasValue(double v) { return !std::isnan(v); }

// One observation of a component (replica = -1: the whole component,
// aggregated over its replicas). Absent values are NaN (kNoValue).
struct MetricSample {
  std::string component;
  int replica = -1;
  double cpu_millicores = kNoValue;  // used, per replica (mean).
  double memory_bytes = kNoValue;    // used, per replica (mean).
  double requests_per_s = kNoValue;  // offered load, whole component.
  double latency_ms = kNoValue;      // p99 of the component's responses.
  double error_rate = kNoValue;      // fraction of failed requests, 0..1.
  bool operator==(const MetricSample& o) const;  // NaN == NaN here.
};

// Serialised by name; append new values at the end.
enum class HardwareChange {
  kFailed = 0,    // capacity gone; replicas on it are down.
  kDegraded,      // still serving, expected to fail: migrate ahead.
  kRecovered,     // back to healthy.
  kMaintenance,   // must be drained by `deadline_us`.
};
std::string_view HardwareChangeName(HardwareChange c);  // "failed", ...
std::optional<HardwareChange> ParseHardwareChange(std::string_view name);

// Target: a zone (rack and host empty), a rack of a zone (host empty) or a
// host of a rack of a zone.
struct HardwareEvent {
  std::string zone;
  std::string rack;
  std::string host;
  HardwareChange change = HardwareChange::kFailed;
  int64_t deadline_us = 0;  // kMaintenance: drained by then; 0 otherwise.
  bool operator==(const HardwareEvent&) const = default;
};

// Serialised by name; append new values at the end.
enum class AlertSeverity { kLow = 0, kMedium, kHigh, kCritical };
std::string_view AlertSeverityName(AlertSeverity s);  // "low", ...
// Also accepts common synonyms: "info"/"notice"/"informational" -> low,
// "warning" -> medium, "error" -> high, "emergency"/"alert" -> critical
// (Falco and Alertmanager use these).
std::optional<AlertSeverity> ParseAlertSeverity(std::string_view name);

struct SecurityAlert {
  std::string component;
  int replica = -1;          // -1: the alert names the component only.
  AlertSeverity severity = AlertSeverity::kHigh;
  std::string indicator;     // e.g. "shell spawned in container".
  std::string source;        // e.g. "falco", "alertmanager".
  bool operator==(const SecurityAlert&) const = default;
};

struct BugReport {
  std::string component;
  std::string version;       // the version reported broken.
  AlertSeverity severity = AlertSeverity::kHigh;
  std::string summary;
  bool operator==(const BugReport&) const = default;
};

struct NewVersion {
  std::string component;
  std::string version;
  std::string image;
  Resources requests;        // per replica; empty = unchanged.
  bool schema_change = false;  // the component owns a data schema that changes.
  bool operator==(const NewVersion&) const = default;
};

// Replicas wanted per future step: replicas[k] from start_us + k * step_us.
struct ForecastUpdate {
  std::string component;
  int64_t start_us = 0;
  int64_t step_us = 0;
  std::vector<int> replicas;
  bool operator==(const ForecastUpdate&) const = default;
};

struct Event {
  int64_t id = 0;          // store id once stored; 0 otherwise.
  int64_t time_us = 0;     // when it happened (unix microseconds).
  std::string ecosystem;   // may be empty when not tied to one.
  std::string source;      // "sim", "api", "prometheus", "alertmanager"...
  EventKind kind = EventKind::kTick;
  // The fields of `kind`; the others stay default.
  std::vector<MetricSample> metrics;  // kMetrics
  HardwareEvent hardware;             // kHardware
  SecurityAlert alert;                // kSecurityAlert
  BugReport bug;                      // kBugReport
  NewVersion release;                 // kNewVersion
  ForecastUpdate forecast;            // kForecastUpdated
  bool operator==(const Event&) const = default;

  // What the event is about, for logs and the store's `subject` column:
  // "zone/rack/host", the component, or "" (tick).
  std::string Subject() const;
  // One line for people, e.g. "hardware: zone eu-1 failed".
  std::string Describe() const;
};

}  // namespace ecotone::model

#endif  // ECOTONE_MODEL_EVENT_H_
