// ReadScenario: the YAML scenario format of docs/simulate.md, with errors
// that name file:line:column and the field path.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <set>
#include <string>

#include <algorithm>

#include "ecotone/forecast/forecast.h"
#include "ecotone/history/history.h"
#include "ecotone/model/units.h"
#include "ecotone/sim/scenario.h"
#include "manifest/yaml_util.h"

namespace ecotone::sim {
namespace {

using manifest::At;
using manifest::Join;

class Reader {
 public:
  Reader(std::string file) : file_(std::move(file)) {
    dir_ = std::filesystem::path(file_).parent_path();
  }

  Status Fields(const YAML::Node& n, const std::string& path,
                std::initializer_list<std::string_view> known) {
    if (!n.IsMap()) return Bad(n, path, "expected a mapping");
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (auto k : known) ok = ok || k == key;
      if (!ok) {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        return Bad(kv.first, Join(path, key), "unknown field '" + key + "' (known: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Status Bad(const YAML::Node& n, const std::string& path, std::string msg) const {
    return Status::InvalidArgument(std::move(msg), At(file_, n, path));
  }

  Result<std::string> Str(const YAML::Node& n, const std::string& path) {
    return manifest::AsString(file_, n, path);
  }
  Result<double> Num(const YAML::Node& n, const std::string& path, double lo, double hi) {
    return manifest::AsDouble(file_, n, path, lo, hi);
  }
  Result<int64_t> Int(const YAML::Node& n, const std::string& path, int64_t lo, int64_t hi) {
    return manifest::AsInt(file_, n, path, lo, hi);
  }
  // A duration: "3d12h", "90s", "15m" or a number of seconds; never negative.
  Result<int64_t> Dur(const YAML::Node& n, const std::string& path) {
    ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(n, path));
    if (!s.empty() && s[0] == '-') return Bad(n, path, "negative duration '" + s + "'");
    auto d = model::ParseDurationMicros(s);
    if (!d.ok()) return Bad(n, path, d.status().message());
    return *d;
  }
  std::string Resolve(const std::string& p) const {
    std::filesystem::path x(p);
    if (x.is_absolute() || dir_.empty()) return x.lexically_normal().string();
    return (dir_ / x).lexically_normal().string();
  }

  Status Settings(const YAML::Node& n, const std::string& path, ComponentSettings* s) {
    ECOTONE_RETURN_IF_ERROR(Fields(n, path, {"capacity_rps", "latency_ms", "min_replicas",
                                             "max_replicas", "replicas", "startup"}));
    s->where = At(file_, n, path);
    if (auto v = n["capacity_rps"]) {
      ECOTONE_ASSIGN_OR_RETURN(double x, Num(v, Join(path, "capacity_rps"), 1e-9, 1e12));
      s->capacity_rps = x;
    }
    if (auto v = n["latency_ms"]) {
      ECOTONE_ASSIGN_OR_RETURN(double x, Num(v, Join(path, "latency_ms"), 0, 1e7));
      s->latency_ms = x;
    }
    if (auto v = n["min_replicas"]) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t x, Int(v, Join(path, "min_replicas"), 0, 100000));
      s->min_replicas = static_cast<int>(x);
    }
    if (auto v = n["max_replicas"]) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t x, Int(v, Join(path, "max_replicas"), 0, 100000));
      s->max_replicas = static_cast<int>(x);
    }
    if (auto v = n["replicas"]) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t x, Int(v, Join(path, "replicas"), 0, 100000));
      s->replicas = static_cast<int>(x);
    }
    if (auto v = n["startup"]) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t x, Dur(v, Join(path, "startup")));
      s->startup_us = x;
    }
    if (s->min_replicas && s->max_replicas && *s->min_replicas > *s->max_replicas)
      return Bad(n["max_replicas"], Join(path, "max_replicas"),
                 "max_replicas is below min_replicas");
    return Status::Ok();
  }

  // Reads `at` of list item i and checks order and range.
  Result<int64_t> At_(const YAML::Node& item, const std::string& path, int64_t duration,
                      int64_t* last) {
    if (!item["at"]) return Bad(item, path, "missing field 'at'");
    ECOTONE_ASSIGN_OR_RETURN(int64_t at, Dur(item["at"], Join(path, "at")));
    if (at < *last)
      return Bad(item["at"], Join(path, "at"),
                 "time out of order: " + model::FormatDuration(at) + " is before the previous entry's " +
                     model::FormatDuration(*last));
    if (at > duration)
      return Bad(item["at"], Join(path, "at"),
                 "time " + model::FormatDuration(at) + " is after the end of the scenario (" +
                     model::FormatDuration(duration) + ")");
    *last = at;
    return at;
  }

  Result<Scenario> Read(std::string_view text);

 private:
  std::string file_;
  std::filesystem::path dir_;
};

Result<Scenario> Reader::Read(std::string_view text) {
  ECOTONE_ASSIGN_OR_RETURN(YAML::Node root, manifest::LoadSingleDocument(text, file_));
  ECOTONE_RETURN_IF_ERROR(
      Fields(root, "", {"name", "manifests", "manifest", "infra", "start", "duration", "interval",
                        "seed", "initial_placement", "target_utilisation", "defaults",
                        "components", "load", "flash_crowds", "hardware", "random_failures",
                        "alerts", "bug_reports", "releases", "forecast"}));
  Scenario sc;
  sc.file = file_;
  try {
    sc.name = std::filesystem::path(file_).stem().string();
    if (auto n = root["name"]) {
      ECOTONE_ASSIGN_OR_RETURN(sc.name, Str(n, "name"));
    }
    if (auto n = root["manifest"]) {
      ECOTONE_ASSIGN_OR_RETURN(std::string m, Str(n, "manifest"));
      sc.manifests.push_back(Resolve(m));
    }
    if (auto n = root["manifests"]) {
      if (!n.IsSequence()) return Bad(n, "manifests", "expected a list of files");
      for (size_t i = 0; i < n.size(); ++i) {
        ECOTONE_ASSIGN_OR_RETURN(std::string m, Str(n[i], Join("manifests", i)));
        sc.manifests.push_back(Resolve(m));
      }
    }
    if (sc.manifests.empty()) return Bad(root, "manifests", "missing field 'manifests'");
    if (!root["infra"]) return Bad(root, "infra", "missing field 'infra'");
    {
      ECOTONE_ASSIGN_OR_RETURN(std::string i, Str(root["infra"], "infra"));
      sc.infra = Resolve(i);
    }
    if (auto n = root["start"]) {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(n, "start"));
      auto t = history::ParseTimestamp(s, forecast::TimeZone{});
      if (!t.ok()) return Bad(n, "start", t.status().message());
      sc.start_unix = *t;
    }
    if (auto n = root["duration"]) {
      ECOTONE_ASSIGN_OR_RETURN(sc.duration_us, Dur(n, "duration"));
      if (sc.duration_us <= 0) return Bad(n, "duration", "duration must be positive");
    }
    if (auto n = root["interval"]) {
      ECOTONE_ASSIGN_OR_RETURN(sc.interval_us, Dur(n, "interval"));
      if (sc.interval_us < 1'000'000) return Bad(n, "interval", "interval must be at least 1s");
    }
    if (sc.duration_us / sc.interval_us > 50'000'000)
      return Bad(root, "interval", "more than 50,000,000 metrics intervals");
    if (auto n = root["seed"]) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t s, Int(n, "seed", 0, INT64_MAX));
      sc.seed = static_cast<uint64_t>(s);
    }
    if (auto n = root["initial_placement"]) {
      ECOTONE_ASSIGN_OR_RETURN(sc.initial_placement, Str(n, "initial_placement"));
      if (sc.initial_placement != "auto" && sc.initial_placement != "optimized" &&
          sc.initial_placement != "spread")
        return Bad(n, "initial_placement", "expected auto, optimized or spread");
    }
    if (auto n = root["target_utilisation"]) {
      ECOTONE_ASSIGN_OR_RETURN(sc.target_utilisation, Num(n, "target_utilisation", 0.05, 1));
    }
    if (auto n = root["defaults"]) ECOTONE_RETURN_IF_ERROR(Settings(n, "defaults", &sc.defaults));
    if (auto n = root["components"]) {
      if (!n.IsMap()) return Bad(n, "components", "expected a mapping of component names");
      for (const auto& kv : n) {
        std::string name = kv.first.Scalar();
        ComponentSettings s;
        ECOTONE_RETURN_IF_ERROR(Settings(kv.second, Join("components", name), &s));
        s.where = At(file_, kv.first, Join("components", name));
        sc.components[name] = s;
      }
    }
    if (auto n = root["load"]) {
      if (!n.IsSequence()) return Bad(n, "load", "expected a list of entry points");
      for (size_t i = 0; i < n.size(); ++i) {
        const auto& x = n[i];
        std::string p = Join("load", i);
        ECOTONE_RETURN_IF_ERROR(Fields(x, p, {"entry", "pattern", "trace", "slo"}));
        EntryLoad e;
        e.where = At(file_, x, p);
        if (!x["entry"]) return Bad(x, p, "missing field 'entry'");
        ECOTONE_ASSIGN_OR_RETURN(e.component, Str(x["entry"], Join(p, "entry")));
        e.where = At(file_, x["entry"], Join(p, "entry"));
        if (x["pattern"].IsDefined() == x["trace"].IsDefined())
          return Bad(x, p, "give exactly one of 'pattern' and 'trace'");
        if (auto t = x["pattern"]) {
          std::string q = Join(p, "pattern");
          ECOTONE_RETURN_IF_ERROR(Fields(t, q, {"base_rps", "daily_amplitude", "peak_hour",
                                                "weekend_factor", "noise"}));
          Pattern pt;
          if (auto v = t["base_rps"]) {
            ECOTONE_ASSIGN_OR_RETURN(pt.base_rps, Num(v, Join(q, "base_rps"), 0, 1e12));
          }
          if (auto v = t["daily_amplitude"]) {
            ECOTONE_ASSIGN_OR_RETURN(pt.daily_amplitude, Num(v, Join(q, "daily_amplitude"), 0, 1));
          }
          if (auto v = t["peak_hour"]) {
            ECOTONE_ASSIGN_OR_RETURN(pt.peak_hour, Num(v, Join(q, "peak_hour"), 0, 24));
          }
          if (auto v = t["weekend_factor"]) {
            ECOTONE_ASSIGN_OR_RETURN(pt.weekend_factor, Num(v, Join(q, "weekend_factor"), 0, 100));
          }
          if (auto v = t["noise"]) {
            ECOTONE_ASSIGN_OR_RETURN(pt.noise, Num(v, Join(q, "noise"), 0, 1));
          }
          e.pattern = pt;
        }
        if (auto t = x["trace"]) {
          std::string q = Join(p, "trace");
          ECOTONE_RETURN_IF_ERROR(Fields(t, q, {"file", "column", "peak_rps", "noise"}));
          TraceLoad tl;
          if (!t["file"]) return Bad(t, q, "missing field 'file'");
          ECOTONE_ASSIGN_OR_RETURN(std::string f, Str(t["file"], Join(q, "file")));
          tl.file = Resolve(f);
          if (auto v = t["column"]) {
            ECOTONE_ASSIGN_OR_RETURN(tl.column, Str(v, Join(q, "column")));
          }
          if (auto v = t["peak_rps"]) {
            ECOTONE_ASSIGN_OR_RETURN(tl.peak_rps, Num(v, Join(q, "peak_rps"), 0, 1e12));
          }
          if (auto v = t["noise"]) {
            ECOTONE_ASSIGN_OR_RETURN(tl.noise, Num(v, Join(q, "noise"), 0, 1));
          }
          e.trace = tl;
        }
        if (auto s = x["slo"]) {
          std::string q = Join(p, "slo");
          ECOTONE_RETURN_IF_ERROR(Fields(s, q, {"latency_ms", "success"}));
          if (auto v = s["latency_ms"]) {
            ECOTONE_ASSIGN_OR_RETURN(e.slo_latency_ms, Num(v, Join(q, "latency_ms"), 1e-6, 1e9));
          }
          if (auto v = s["success"]) {
            ECOTONE_ASSIGN_OR_RETURN(e.slo_success, Num(v, Join(q, "success"), 0, 1));
          }
        }
        sc.load.push_back(std::move(e));
      }
    }
    if (sc.load.empty()) return Bad(root, "load", "missing field 'load' (at least one entry point)");
    if (auto n = root["flash_crowds"]) {
      if (!n.IsSequence()) return Bad(n, "flash_crowds", "expected a list");
      int64_t last = 0;
      for (size_t i = 0; i < n.size(); ++i) {
        const auto& x = n[i];
        std::string p = Join("flash_crowds", i);
        ECOTONE_RETURN_IF_ERROR(Fields(x, p, {"name", "at", "duration", "multiplier", "announced"}));
        FlashCrowd f;
        f.where = At(file_, x, p);
        f.name = "flash-crowd-" + std::to_string(i + 1);
        if (auto v = x["name"]) {
          ECOTONE_ASSIGN_OR_RETURN(f.name, Str(v, Join(p, "name")));
        }
        ECOTONE_ASSIGN_OR_RETURN(f.at_us, At_(x, p, sc.duration_us, &last));
        if (!x["duration"]) return Bad(x, p, "missing field 'duration'");
        ECOTONE_ASSIGN_OR_RETURN(f.duration_us, Dur(x["duration"], Join(p, "duration")));
        if (!x["multiplier"]) return Bad(x, p, "missing field 'multiplier'");
        ECOTONE_ASSIGN_OR_RETURN(f.multiplier, Num(x["multiplier"], Join(p, "multiplier"), 0, 1000));
        if (auto v = x["announced"]) {
          ECOTONE_ASSIGN_OR_RETURN(f.announced_us, Dur(v, Join(p, "announced")));
        }
        sc.flash_crowds.push_back(std::move(f));
      }
    }
    if (auto n = root["hardware"]) {
      if (!n.IsSequence()) return Bad(n, "hardware", "expected a list");
      int64_t last = 0;
      for (size_t i = 0; i < n.size(); ++i) {
        const auto& x = n[i];
        std::string p = Join("hardware", i);
        ECOTONE_RETURN_IF_ERROR(
            Fields(x, p, {"at", "zone", "rack", "host", "change", "duration", "deadline"}));
        ScriptedHardware h;
        h.where = At(file_, x, p);
        ECOTONE_ASSIGN_OR_RETURN(h.at_us, At_(x, p, sc.duration_us, &last));
        if (!x["zone"]) return Bad(x, p, "missing field 'zone'");
        ECOTONE_ASSIGN_OR_RETURN(h.target.zone, Str(x["zone"], Join(p, "zone")));
        if (auto v = x["rack"]) {
          ECOTONE_ASSIGN_OR_RETURN(h.target.rack, Str(v, Join(p, "rack")));
        }
        if (auto v = x["host"]) {
          ECOTONE_ASSIGN_OR_RETURN(h.target.host, Str(v, Join(p, "host")));
          if (h.target.rack.empty()) return Bad(v, Join(p, "host"), "a host needs its 'rack'");
        }
        h.target.change = model::HardwareChange::kFailed;
        if (auto v = x["change"]) {
          ECOTONE_ASSIGN_OR_RETURN(std::string c, Str(v, Join(p, "change")));
          auto hc = model::ParseHardwareChange(c);
          if (!hc || *hc == model::HardwareChange::kRecovered)
            return Bad(v, Join(p, "change"),
                       "expected failed, degraded or maintenance, got '" + c + "'");
          h.target.change = *hc;
        }
        if (auto v = x["duration"]) {
          ECOTONE_ASSIGN_OR_RETURN(h.duration_us, Dur(v, Join(p, "duration")));
        }
        if (auto v = x["deadline"]) {
          if (h.target.change != model::HardwareChange::kMaintenance)
            return Bad(v, Join(p, "deadline"), "'deadline' applies to change: maintenance only");
          ECOTONE_ASSIGN_OR_RETURN(h.target.deadline_us, Dur(v, Join(p, "deadline")));
        } else if (h.target.change == model::HardwareChange::kMaintenance) {
          h.target.deadline_us = 3600'000'000;
        }
        sc.hardware.push_back(std::move(h));
      }
    }
    if (auto n = root["random_failures"]) {
      ECOTONE_RETURN_IF_ERROR(Fields(n, "random_failures",
                                     {"zone_mtbf", "zone_mttr", "rack_mtbf", "rack_mttr",
                                      "host_mtbf", "host_mttr"}));
      auto& r = sc.random_failures;
      const std::pair<const char*, int64_t*> fields[] = {
          {"zone_mtbf", &r.zone_mtbf_us}, {"zone_mttr", &r.zone_mttr_us},
          {"rack_mtbf", &r.rack_mtbf_us}, {"rack_mttr", &r.rack_mttr_us},
          {"host_mtbf", &r.host_mtbf_us}, {"host_mttr", &r.host_mttr_us}};
      for (const auto& [k, dst] : fields)
        if (auto v = n[k]) {
          ECOTONE_ASSIGN_OR_RETURN(*dst, Dur(v, Join("random_failures", k)));
        }
    }
    if (auto n = root["alerts"]) {
      if (!n.IsSequence()) return Bad(n, "alerts", "expected a list");
      int64_t last = 0;
      for (size_t i = 0; i < n.size(); ++i) {
        const auto& x = n[i];
        std::string p = Join("alerts", i);
        ECOTONE_RETURN_IF_ERROR(
            Fields(x, p, {"at", "component", "replica", "severity", "indicator", "source"}));
        ScriptedAlert a;
        a.where = At(file_, x, p);
        ECOTONE_ASSIGN_OR_RETURN(a.at_us, At_(x, p, sc.duration_us, &last));
        if (!x["component"]) return Bad(x, p, "missing field 'component'");
        ECOTONE_ASSIGN_OR_RETURN(a.alert.component, Str(x["component"], Join(p, "component")));
        a.where = At(file_, x["component"], Join(p, "component"));
        if (auto v = x["replica"]) {
          ECOTONE_ASSIGN_OR_RETURN(int64_t r, Int(v, Join(p, "replica"), 0, 100000));
          a.alert.replica = static_cast<int>(r);
        }
        if (auto v = x["severity"]) {
          ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(v, Join(p, "severity")));
          auto sev = model::ParseAlertSeverity(s);
          if (!sev) return Bad(v, Join(p, "severity"), "unknown severity '" + s + "'");
          a.alert.severity = *sev;
        }
        a.alert.indicator = "suspicious activity";
        if (auto v = x["indicator"]) {
          ECOTONE_ASSIGN_OR_RETURN(a.alert.indicator, Str(v, Join(p, "indicator")));
        }
        a.alert.source = "sim";
        if (auto v = x["source"]) {
          ECOTONE_ASSIGN_OR_RETURN(a.alert.source, Str(v, Join(p, "source")));
        }
        sc.alerts.push_back(std::move(a));
      }
    }
    if (auto n = root["releases"]) {
      if (!n.IsSequence()) return Bad(n, "releases", "expected a list");
      int64_t last = 0;
      for (size_t i = 0; i < n.size(); ++i) {
        const auto& x = n[i];
        std::string p = Join("releases", i);
        ECOTONE_RETURN_IF_ERROR(Fields(x, p, {"at", "component", "version", "image", "bad",
                                              "error_rate", "latency_factor", "schema_change"}));
        Release r;
        ECOTONE_ASSIGN_OR_RETURN(r.at_us, At_(x, p, sc.duration_us, &last));
        if (!x["component"]) return Bad(x, p, "missing field 'component'");
        ECOTONE_ASSIGN_OR_RETURN(r.release.component, Str(x["component"], Join(p, "component")));
        r.where = At(file_, x["component"], Join(p, "component"));
        if (!x["version"]) return Bad(x, p, "missing field 'version'");
        ECOTONE_ASSIGN_OR_RETURN(r.release.version, Str(x["version"], Join(p, "version")));
        if (auto v = x["image"]) {
          ECOTONE_ASSIGN_OR_RETURN(r.release.image, Str(v, Join(p, "image")));
        }
        if (auto v = x["bad"]) {
          ECOTONE_ASSIGN_OR_RETURN(r.bad, manifest::AsBool(file_, v, Join(p, "bad")));
        }
        if (auto v = x["error_rate"]) {
          ECOTONE_ASSIGN_OR_RETURN(r.error_rate, Num(v, Join(p, "error_rate"), 0, 1));
        }
        if (auto v = x["latency_factor"]) {
          ECOTONE_ASSIGN_OR_RETURN(r.latency_factor, Num(v, Join(p, "latency_factor"), 1, 1000));
        }
        if (auto v = x["schema_change"]) {
          ECOTONE_ASSIGN_OR_RETURN(r.release.schema_change,
                                   manifest::AsBool(file_, v, Join(p, "schema_change")));
        }
        sc.releases.push_back(std::move(r));
      }
    }
    if (auto n = root["bug_reports"]) {
      if (!n.IsSequence()) return Bad(n, "bug_reports", "expected a list");
      int64_t last = 0;
      for (size_t i = 0; i < n.size(); ++i) {
        const auto& x = n[i];
        std::string p = Join("bug_reports", i);
        ECOTONE_RETURN_IF_ERROR(Fields(x, p, {"at", "component", "version", "severity", "summary"}));
        ScriptedBug b;
        ECOTONE_ASSIGN_OR_RETURN(b.at_us, At_(x, p, sc.duration_us, &last));
        if (!x["component"]) return Bad(x, p, "missing field 'component'");
        ECOTONE_ASSIGN_OR_RETURN(b.bug.component, Str(x["component"], Join(p, "component")));
        b.where = At(file_, x["component"], Join(p, "component"));
        if (!x["version"]) return Bad(x, p, "missing field 'version'");
        ECOTONE_ASSIGN_OR_RETURN(b.bug.version, Str(x["version"], Join(p, "version")));
        if (auto v = x["severity"]) {
          ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(v, Join(p, "severity")));
          auto sev = model::ParseAlertSeverity(s);
          if (!sev) return Bad(v, Join(p, "severity"), "unknown severity '" + s + "'");
          b.bug.severity = *sev;
        }
        if (auto v = x["summary"]) {
          ECOTONE_ASSIGN_OR_RETURN(b.bug.summary, Str(v, Join(p, "summary")));
        }
        sc.bug_reports.push_back(std::move(b));
      }
    }
    if (auto n = root["forecast"]) {
      ECOTONE_RETURN_IF_ERROR(
          Fields(n, "forecast", {"enabled", "model", "step", "history", "refresh", "quantile",
                                 "calibration_origins"}));
      auto& f = sc.forecast;
      if (auto v = n["enabled"]) {
        ECOTONE_ASSIGN_OR_RETURN(f.enabled, manifest::AsBool(file_, v, "forecast.enabled"));
      }
      if (auto v = n["model"]) {
        ECOTONE_ASSIGN_OR_RETURN(f.model, Str(v, "forecast.model"));
        auto names = forecast::ModelNames();
        if (std::find(names.begin(), names.end(), f.model) == names.end()) {
          std::string list;
          for (const auto& x : names) list += (list.empty() ? "" : ", ") + x;
          return Bad(v, "forecast.model", "unknown forecast model '" + f.model + "' (known: " + list + ")");
        }
      }
      if (auto v = n["step"]) {
        ECOTONE_ASSIGN_OR_RETURN(f.step_us, Dur(v, "forecast.step"));
        if (f.step_us < sc.interval_us || f.step_us % sc.interval_us != 0)
          return Bad(v, "forecast.step", "the forecast step must be a multiple of the interval");
      }
      if (auto v = n["history"]) {
        ECOTONE_ASSIGN_OR_RETURN(f.history_us, Dur(v, "forecast.history"));
      }
      if (auto v = n["refresh"]) {
        ECOTONE_ASSIGN_OR_RETURN(f.refresh_us, Dur(v, "forecast.refresh"));
        if (f.refresh_us <= 0) return Bad(v, "forecast.refresh", "refresh must be positive");
      }
      if (auto v = n["quantile"]) {
        ECOTONE_ASSIGN_OR_RETURN(f.quantile, Num(v, "forecast.quantile", 0.01, 0.99));
      }
      if (auto v = n["calibration_origins"]) {
        ECOTONE_ASSIGN_OR_RETURN(int64_t o, Int(v, "forecast.calibration_origins", 1, 1000));
        f.calibration_origins = static_cast<int>(o);
      }
    }
    if (sc.forecast.step_us % sc.interval_us != 0) {
      // Default step (5 min) and an interval that does not divide it: use the interval.
      sc.forecast.step_us = sc.interval_us;
    }
  } catch (const YAML::Exception& e) {
    Location loc{file_, e.mark.line + 1, e.mark.column + 1, ""};
    return Status::InvalidArgument(e.msg, loc);
  }
  return sc;
}

}  // namespace

Result<Scenario> ReadScenario(const std::string& file, std::string_view text) {
  Reader r(file);
  return r.Read(text);
}

}  // namespace ecotone::sim
