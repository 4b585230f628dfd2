// Loading a scenario's inputs (the sim module's only I/O) and building the
// World: component settings applied, names checked, load per interval.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "ecotone/forecast/series.h"
#include "ecotone/history/history.h"
#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/sim/sim.h"
#include "manifest/yaml_util.h"

namespace ecotone::sim {
namespace {

constexpr double kDefaultCapacityRps = 100;
constexpr double kDefaultServiceMs = 2;

Status UnknownComponent(const std::string& name, const Location& where) {
  return Status::InvalidArgument("unknown component '" + name + "' (not in the manifests)", where);
}

Status CheckTarget(const model::Topology& t, const model::HardwareEvent& h, const Location& where) {
  int zi = t.ZoneIndex(h.zone);
  if (zi < 0) {
    Location w = where;
    w.path += ".zone";
    return Status::InvalidArgument("unknown zone '" + h.zone + "' (not in infra '" + t.name + "')", w);
  }
  if (h.rack.empty()) return Status::Ok();
  const auto& z = t.zones[zi];
  for (const auto& r : z.racks) {
    if (r.name != h.rack) continue;
    if (h.host.empty()) return Status::Ok();
    for (const auto& x : r.hosts)
      if (x.name == h.host) return Status::Ok();
    Location w = where;
    w.path += ".host";
    return Status::InvalidArgument("unknown host '" + h.host + "' in rack '" + h.zone + "/" + h.rack + "'", w);
  }
  Location w = where;
  w.path += ".rack";
  return Status::InvalidArgument("unknown rack '" + h.rack + "' in zone '" + h.zone + "'", w);
}

// Pattern value at unix second t (no noise).
double PatternAt(const Pattern& p, int64_t t) {
  auto cal = forecast::CalendarAt(forecast::TimeZone{}, t);
  double hour = cal.second_of_day / 3600.0;
  double v = p.base_rps *
             (1 + p.daily_amplitude * std::cos(2 * std::numbers::pi * (hour - p.peak_hour) / 24));
  if (cal.day_of_week >= 5) v *= p.weekend_factor;
  return std::max(0.0, v);
}

// A trace resampled at its native step, scaled to peak_rps, evaluated at
// offset `sec` from its start by linear interpolation, repeating
// (negative offsets wrap around too).
struct TraceFn {
  std::vector<double> v;
  int64_t step = 1;
  double At(int64_t sec) const {
    const int64_t n = static_cast<int64_t>(v.size());
    const int64_t period = n * step;
    int64_t s = ((sec % period) + period) % period;
    int64_t i = s / step;
    double f = static_cast<double>(s - i * step) / step;
    return v[i] * (1 - f) + v[(i + 1) % n] * f;
  }
};

Result<TraceFn> LoadTrace(const TraceLoad& t, const Location& where) {
  history::ReadOptions ro;
  ro.column = t.column;
  auto raw = history::ReadHistoryFile(t.file, ro);
  if (!raw.ok()) {
    Status s = raw.status();
    if (s.where().file.empty())
      return Status(s.code(), t.file + ": " + s.message(), where);
    return s;
  }
  history::ResampleOptions opt;
  opt.clip_outliers = false;  // the trace is the load: its peaks are real.
  auto series = history::Resample(*raw, opt, nullptr);
  if (!series.ok()) return Status(series.status().code(), t.file + ": " + series.status().message(), where);
  TraceFn f;
  f.v = series->values;
  f.step = series->step_seconds;
  double peak = 0;
  for (double x : f.v) peak = std::max(peak, x);
  if (peak <= 0) return Status::InvalidArgument(t.file + ": trace has no positive value", where);
  for (double& x : f.v) x = std::max(0.0, x) * t.peak_rps / peak;
  return f;
}

}  // namespace

Result<World> MakeWorld(Scenario sc, model::Ecosystem eco, model::Topology topo) {
  World w;
  // Settings: defaults, then the component's own.
  for (const auto& [name, s] : sc.components)
    if (eco.FindComponent(name) == nullptr) return UnknownComponent(name, s.where);
  w.service_ms.assign(eco.components.size(), kDefaultServiceMs);
  for (size_t i = 0; i < eco.components.size(); ++i) {
    auto& c = eco.components[i];
    auto apply = [&](const ComponentSettings& s) {
      if (s.capacity_rps) c.capacity_rps_per_replica = *s.capacity_rps;
      if (s.latency_ms) w.service_ms[i] = *s.latency_ms;
      if (s.replicas) c.replicas.initial = *s.replicas;
      if (s.min_replicas) c.replicas.min = *s.min_replicas;
      if (s.max_replicas) c.replicas.max = *s.max_replicas;
      if (s.startup_us) c.startup_us = *s.startup_us;
    };
    apply(sc.defaults);
    auto it = sc.components.find(c.name);
    if (it != sc.components.end()) apply(it->second);
    if (c.capacity_rps_per_replica <= 0) c.capacity_rps_per_replica = kDefaultCapacityRps;
    c.replicas.min = std::max(0, c.replicas.min);
    c.replicas.max = std::max(c.replicas.max, c.replicas.min);
    c.replicas.initial = std::clamp(c.replicas.initial, c.replicas.min, c.replicas.max);
  }
  for (const auto& e : sc.load)
    if (eco.FindComponent(e.component) == nullptr) return UnknownComponent(e.component, e.where);
  for (const auto& a : sc.alerts)
    if (eco.FindComponent(a.alert.component) == nullptr)
      return UnknownComponent(a.alert.component, a.where);
  for (const auto& r : sc.releases)
    if (eco.FindComponent(r.release.component) == nullptr)
      return UnknownComponent(r.release.component, r.where);
  for (const auto& b : sc.bug_reports)
    if (eco.FindComponent(b.bug.component) == nullptr)
      return UnknownComponent(b.bug.component, b.where);
  for (const auto& h : sc.hardware) ECOTONE_RETURN_IF_ERROR(CheckTarget(topo, h.target, h.where));

  w.steps = sc.duration_us / sc.interval_us;
  const int64_t step_s = sc.interval_us / 1'000'000;
  const int64_t fstep_s = sc.forecast.step_us / 1'000'000;
  const int64_t hist_n = sc.forecast.enabled ? sc.forecast.history_us / sc.forecast.step_us : 0;
  for (const auto& e : sc.load) {
    std::vector<double> load(static_cast<size_t>(w.steps));
    std::vector<double> hist(static_cast<size_t>(hist_n));
    if (e.pattern) {
      for (int64_t k = 0; k < w.steps; ++k) load[k] = PatternAt(*e.pattern, sc.start_unix + k * step_s);
      for (int64_t j = 0; j < hist_n; ++j)
        hist[j] = PatternAt(*e.pattern, sc.start_unix - (hist_n - j) * fstep_s);
    } else {
      ECOTONE_ASSIGN_OR_RETURN(TraceFn f, LoadTrace(*e.trace, e.where));
      for (int64_t k = 0; k < w.steps; ++k) load[k] = f.At(k * step_s);
      for (int64_t j = 0; j < hist_n; ++j) hist[j] = f.At(-(hist_n - j) * fstep_s);
    }
    for (const auto& fc : sc.flash_crowds) {
      int64_t k0 = fc.at_us / sc.interval_us;
      int64_t k1 = std::min(w.steps, (fc.at_us + fc.duration_us) / sc.interval_us);
      for (int64_t k = k0; k < k1; ++k) load[k] *= fc.multiplier;
    }
    w.load.push_back(std::move(load));
    w.history.push_back(std::move(hist));
  }
  w.scenario = std::move(sc);
  w.ecosystem = std::move(eco);
  w.topology = std::move(topo);
  return w;
}

Result<World> LoadScenario(const std::string& file, std::string_view text) {
  ECOTONE_ASSIGN_OR_RETURN(Scenario sc, ReadScenario(file, text));
  manifest::LoadOptions lo;
  ECOTONE_ASSIGN_OR_RETURN(manifest::LoadResult lr, manifest::LoadFiles(sc.manifests, lo));
  ECOTONE_ASSIGN_OR_RETURN(model::Topology topo, manifest::LoadInfraFile(sc.infra));
  return MakeWorld(std::move(sc), std::move(lr.ecosystem), std::move(topo));
}

Result<World> LoadScenarioFile(const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, manifest::ReadFileLimited(path));
  return LoadScenario(path, text);
}

}  // namespace ecotone::sim
