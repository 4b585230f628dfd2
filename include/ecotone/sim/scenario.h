// A simulation scenario (docs/simulate.md): which ecosystem on which
// infrastructure, for how long, with what load, failures, alerts, bug
// reports and releases. Read from YAML by ReadScenario; every time is an
// offset from the start of the simulation. Plain data, no I/O. Safe to share
// between threads when not mutated.
#ifndef ECOTONE_SIM_SCENARIO_H_
#define ECOTONE_SIM_SCENARIO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/event.h"

namespace ecotone::sim {

// A synthetic load shape: base x daily shape x weekly shape x (1 + noise).
// daily: 1 + daily_amplitude x cos(2 pi (hour - peak_hour) / 24), so the
// peak is base x (1 + amplitude) at peak_hour (UTC) and the trough
// base x (1 - amplitude) twelve hours later. weekly: Saturday and Sunday
// are multiplied by weekend_factor. noise: relative standard deviation of an
// independent Gaussian factor per metrics interval.
struct Pattern {
  double base_rps = 100;
  double daily_amplitude = 0;
  double peak_hour = 20;
  double weekend_factor = 1;
  double noise = 0;
};

// A load taken from a history file (history::ReadHistoryFile): resampled to
// the metrics interval, scaled so that its largest value is peak_rps, and
// repeated over the simulated period when it is shorter.
struct TraceLoad {
  std::string file;    // resolved path.
  std::string column;  // value column of a multi-column CSV (optional).
  double peak_rps = 100;
  double noise = 0;
};

// Requests entering the ecosystem at `component` (an entry point).
struct EntryLoad {
  std::string component;
  std::optional<Pattern> pattern;  // exactly one of pattern / trace.
  std::optional<TraceLoad> trace;
  // End-to-end objectives of this entry point: a metrics interval violates
  // the SLO when the modelled latency exceeds latency_ms or the share of
  // successful requests is below success.
  double slo_latency_ms = 0;  // 0: the component's latency SLO, else 500 ms.
  double slo_success = 0.99;
  Location where;
};

// A flash crowd: load x multiplier on every entry point during
// [at, at + duration). `announced_us` >= 0: it is a declared event known
// that long before it starts (the forecast sees it from then on); < 0: a
// surprise.
struct FlashCrowd {
  std::string name;
  int64_t at_us = 0;
  int64_t duration_us = 0;
  double multiplier = 1;
  int64_t announced_us = -1;
  Location where;
};

// Per-component settings that the manifests rarely carry.
struct ComponentSettings {
  std::optional<double> capacity_rps;  // per replica at target utilisation.
  std::optional<double> latency_ms;    // own service time at low load.
  std::optional<int> min_replicas;
  std::optional<int> max_replicas;
  std::optional<int> replicas;          // initial.
  std::optional<int64_t> startup_us;
  Location where;
};

// A scripted hardware change of a zone, rack or host at `at`; for failures
// and degradations `duration_us` > 0 adds the recovery at at + duration.
struct ScriptedHardware {
  int64_t at_us = 0;
  model::HardwareEvent target;  // change and, for maintenance, deadline
                                // (an offset, made absolute when run).
  int64_t duration_us = 0;
  Location where;
};

// Random failures: exponential times between failures (MTBF) of each zone,
// rack and host, recovery after an exponential MTTR. 0 = none.
struct RandomFailures {
  int64_t zone_mtbf_us = 0, zone_mttr_us = 3600'000'000;
  int64_t rack_mtbf_us = 0, rack_mttr_us = 3600'000'000;
  int64_t host_mtbf_us = 0, host_mttr_us = 3600'000'000;
};

struct ScriptedAlert {
  int64_t at_us = 0;
  model::SecurityAlert alert;
  Location where;
};

struct ScriptedBug {
  int64_t at_us = 0;
  model::BugReport bug;
  Location where;
};

// A release: a new version becomes available at `at`. A bad release makes
// every replica on it fail `error_rate` of its requests and respond
// latency_factor times slower until it is rolled back.
struct Release {
  int64_t at_us = 0;
  model::NewVersion release;
  bool bad = false;
  double error_rate = 0.3;
  double latency_factor = 1;
  Location where;
};

// What the simulator forecasts for the predictive scaler (kForecastUpdated
// events, one per component, at the start, every `refresh_us` and when a
// flash crowd is announced).
struct ForecastSettings {
  bool enabled = true;
  std::string model = "snaive";
  int64_t step_us = 300'000'000;       // forecast resolution.
  int64_t history_us = 14 * 86400'000'000LL;  // history before the start.
  int64_t refresh_us = 86400'000'000LL;
  double quantile = 0.8;
  // Rolling origins of the forecast's inner backtest (quantile calibration);
  // fewer is faster (ForecastOptions::calibration_origins).
  int calibration_origins = 4;
};

struct Scenario {
  std::string name;
  std::string file;                   // where it was read.
  std::vector<std::string> manifests;  // resolved paths.
  std::string infra;                  // resolved path.
  int64_t start_unix = 1'767'225'600;  // 2026-01-01T00:00:00Z unless given.
  int64_t duration_us = 86400'000'000LL;
  int64_t interval_us = 15'000'000;    // metrics interval = HPA sync.
  uint64_t seed = 1;
  // "auto" (ecotone: proximity-aware solver, baseline: proximity-blind
  // spread), "optimized" or "spread" for both.
  std::string initial_placement = "auto";
  double target_utilisation = 0.7;
  // Defaults for components the scenario does not list.
  ComponentSettings defaults;
  std::map<std::string, ComponentSettings> components;
  std::vector<EntryLoad> load;
  std::vector<FlashCrowd> flash_crowds;
  std::vector<ScriptedHardware> hardware;
  RandomFailures random_failures;
  std::vector<ScriptedAlert> alerts;
  std::vector<ScriptedBug> bug_reports;
  std::vector<Release> releases;
  ForecastSettings forecast;
};

// Parses a scenario named `file` (paths inside are relative to its
// directory). Checks field names, types, durations (not negative), that
// each list of timed entries is in time order and within the duration.
// Names of components and zones are checked by CheckScenario once the
// manifests and infra are loaded. Errors: kInvalidArgument with
// file:line:column and field path.
Result<Scenario> ReadScenario(const std::string& file, std::string_view text);

}  // namespace ecotone::sim

#endif  // ECOTONE_SIM_SCENARIO_H_
