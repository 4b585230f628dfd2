#include "ecotone/adapters/event_json.h"

#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>

namespace ecotone::adapters {
namespace {

using nlohmann::json;
using model::Action;
using model::ActionKind;
using model::Event;
using model::EventKind;

// Reads the fields of one JSON object, checking types and unknown keys.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  Status Check(std::initializer_list<std::string_view> allowed) const {
    if (!j_.is_object()) return Status::InvalidArgument(path_ + ": expected an object");
    for (const auto& [k, v] : j_.items()) {
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k;
      if (!ok) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Status::InvalidArgument(path_ + "." + k + ": unknown field (allowed: " + list + ")");
      }
    }
    return Status::Ok();
  }
  bool Has(const char* key) const { return j_.contains(key); }
  std::string Path(const char* key) const { return path_ + "." + key; }
  const json& At(const char* key) const { return j_.at(key); }

  Status String(const char* key, std::string* out, bool required = false) const {
    if (!j_.contains(key))
      return required ? Status::InvalidArgument(Path(key) + ": required") : Status::Ok();
    const json& v = j_.at(key);
    if (!v.is_string()) return Status::InvalidArgument(Path(key) + ": expected a string");
    *out = v.get<std::string>();
    if (required && out->empty()) return Status::InvalidArgument(Path(key) + ": must not be empty");
    return Status::Ok();
  }
  template <typename T>
  Status Int(const char* key, T* out) const {
    if (!j_.contains(key)) return Status::Ok();
    const json& v = j_.at(key);
    if (!v.is_number_integer())
      return Status::InvalidArgument(Path(key) + ": expected an integer");
    if (v.is_number_unsigned() ? v.get<uint64_t>() > uint64_t{std::numeric_limits<T>::max()}
                               : v.get<int64_t>() < std::numeric_limits<T>::min() ||
                                     v.get<int64_t>() > std::numeric_limits<T>::max())
      return Status::InvalidArgument(Path(key) + ": integer out of range");
    *out = v.get<T>();
    return Status::Ok();
  }
  // An optional replica number: absent = -1 (the whole component).
  Status Replica(const char* key, int* out) const {
    ECOTONE_RETURN_IF_ERROR(Int(key, out));
    if (j_.contains(key) && *out < 0)
      return Status::InvalidArgument(Path(key) + ": must be a replica number >= 0");
    return Status::Ok();
  }
  Status Double(const char* key, double* out) const {
    if (!j_.contains(key)) return Status::Ok();
    const json& v = j_.at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      return Status::InvalidArgument(Path(key) + ": expected a finite number");
    *out = v.get<double>();
    return Status::Ok();
  }
  Status Bool(const char* key, bool* out) const {
    if (!j_.contains(key)) return Status::Ok();
    const json& v = j_.at(key);
    if (!v.is_boolean()) return Status::InvalidArgument(Path(key) + ": expected true or false");
    *out = v.get<bool>();
    return Status::Ok();
  }
  Status Strings(const char* key, std::vector<std::string>* out) const {
    if (!j_.contains(key)) return Status::Ok();
    const json& v = j_.at(key);
    if (!v.is_array()) return Status::InvalidArgument(Path(key) + ": expected an array of strings");
    out->clear();
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string())
        return Status::InvalidArgument(Path(key) + "[" + std::to_string(i) + "]: expected a string");
      out->push_back(v[i].get<std::string>());
    }
    return Status::Ok();
  }
  template <typename E, typename Parse>
  Status Enum(const char* key, E* out, Parse parse, bool required = false) const {
    std::string name;
    ECOTONE_RETURN_IF_ERROR(String(key, &name, required));
    if (!j_.contains(key)) return Status::Ok();
    auto e = parse(name);
    if (!e) return Status::InvalidArgument(Path(key) + ": unknown value '" + name + "'");
    *out = *e;
    return Status::Ok();
  }

 private:
  const json& j_;
  std::string path_;
};

json ResourcesJson(const model::Resources& r) {
  return json{{"cpu_millicores", r.cpu_millicores},
              {"memory_bytes", r.memory_bytes},
              {"bandwidth_bps", r.bandwidth_bps},
              {"storage_bytes", r.storage_bytes}};
}

Status ReadResources(const json& j, const std::string& path, model::Resources* r) {
  ObjectReader o(j, path);
  ECOTONE_RETURN_IF_ERROR(
      o.Check({"cpu_millicores", "memory_bytes", "bandwidth_bps", "storage_bytes"}));
  ECOTONE_RETURN_IF_ERROR(o.Int("cpu_millicores", &r->cpu_millicores));
  ECOTONE_RETURN_IF_ERROR(o.Int("memory_bytes", &r->memory_bytes));
  ECOTONE_RETURN_IF_ERROR(o.Int("bandwidth_bps", &r->bandwidth_bps));
  ECOTONE_RETURN_IF_ERROR(o.Int("storage_bytes", &r->storage_bytes));
  if (r->cpu_millicores < 0 || r->memory_bytes < 0 || r->bandwidth_bps < 0 || r->storage_bytes < 0)
    return Status::InvalidArgument(path + ": resources must not be negative");
  return Status::Ok();
}

void PutValue(json& j, const char* key, double v) {
  if (model::HasValue(v)) j[key] = v;
}

json SampleJson(const model::MetricSample& m) {
  json j{{"component", m.component}};
  if (m.replica >= 0) j["replica"] = m.replica;
  PutValue(j, "cpu_millicores", m.cpu_millicores);
  PutValue(j, "memory_bytes", m.memory_bytes);
  PutValue(j, "requests_per_s", m.requests_per_s);
  PutValue(j, "latency_ms", m.latency_ms);
  PutValue(j, "error_rate", m.error_rate);
  return j;
}

Status ReadSample(const json& j, const std::string& path, model::MetricSample* m) {
  ObjectReader o(j, path);
  ECOTONE_RETURN_IF_ERROR(o.Check({"component", "replica", "cpu_millicores", "memory_bytes",
                                   "requests_per_s", "latency_ms", "error_rate"}));
  ECOTONE_RETURN_IF_ERROR(o.String("component", &m->component, true));
  ECOTONE_RETURN_IF_ERROR(o.Replica("replica", &m->replica));
  ECOTONE_RETURN_IF_ERROR(o.Double("cpu_millicores", &m->cpu_millicores));
  ECOTONE_RETURN_IF_ERROR(o.Double("memory_bytes", &m->memory_bytes));
  ECOTONE_RETURN_IF_ERROR(o.Double("requests_per_s", &m->requests_per_s));
  ECOTONE_RETURN_IF_ERROR(o.Double("latency_ms", &m->latency_ms));
  ECOTONE_RETURN_IF_ERROR(o.Double("error_rate", &m->error_rate));
  for (double v : {m->cpu_millicores, m->memory_bytes, m->requests_per_s, m->latency_ms,
                   m->error_rate})
    if (model::HasValue(v) && v < 0)
      return Status::InvalidArgument(path + ": metric values must not be negative");
  return Status::Ok();
}

json PlaceJson(const model::Place& p) {
  json j{{"zone", p.zone}};
  if (!p.rack.empty()) j["rack"] = p.rack;
  if (!p.host.empty()) j["host"] = p.host;
  return j;
}

Status ReadPlace(const json& j, const std::string& path, model::Place* p) {
  ObjectReader o(j, path);
  ECOTONE_RETURN_IF_ERROR(o.Check({"zone", "rack", "host"}));
  ECOTONE_RETURN_IF_ERROR(o.String("zone", &p->zone, true));
  ECOTONE_RETURN_IF_ERROR(o.String("rack", &p->rack));
  ECOTONE_RETURN_IF_ERROR(o.String("host", &p->host));
  if (!p->host.empty() && p->rack.empty())
    return Status::InvalidArgument(path + ".host: a host needs its rack");
  return Status::Ok();
}

}  // namespace

json ToJson(const Event& e) {
  json j;
  if (e.id != 0) j["id"] = e.id;
  j["time_us"] = e.time_us;
  if (!e.ecosystem.empty()) j["ecosystem"] = e.ecosystem;
  if (!e.source.empty()) j["source"] = e.source;
  j["kind"] = model::EventKindName(e.kind);
  switch (e.kind) {
    case EventKind::kMetrics: {
      json a = json::array();
      for (const auto& m : e.metrics) a.push_back(SampleJson(m));
      j["metrics"] = std::move(a);
      break;
    }
    case EventKind::kHardware: {
      json h = PlaceJson({e.hardware.zone, e.hardware.rack, e.hardware.host});
      h["change"] = model::HardwareChangeName(e.hardware.change);
      if (e.hardware.deadline_us != 0) h["deadline_us"] = e.hardware.deadline_us;
      j["hardware"] = std::move(h);
      break;
    }
    case EventKind::kSecurityAlert: {
      json a{{"component", e.alert.component},
             {"severity", model::AlertSeverityName(e.alert.severity)}};
      if (e.alert.replica >= 0) a["replica"] = e.alert.replica;
      if (!e.alert.indicator.empty()) a["indicator"] = e.alert.indicator;
      if (!e.alert.source.empty()) a["source"] = e.alert.source;
      j["alert"] = std::move(a);
      break;
    }
    case EventKind::kBugReport: {
      json b{{"component", e.bug.component},
             {"version", e.bug.version},
             {"severity", model::AlertSeverityName(e.bug.severity)}};
      if (!e.bug.summary.empty()) b["summary"] = e.bug.summary;
      j["bug"] = std::move(b);
      break;
    }
    case EventKind::kNewVersion: {
      json r{{"component", e.release.component}, {"version", e.release.version}};
      if (!e.release.image.empty()) r["image"] = e.release.image;
      if (!e.release.requests.empty()) r["requests"] = ResourcesJson(e.release.requests);
      if (e.release.schema_change) r["schema_change"] = true;
      j["release"] = std::move(r);
      break;
    }
    case EventKind::kForecastUpdated:
      j["forecast"] = json{{"component", e.forecast.component},
                           {"start_us", e.forecast.start_us},
                           {"step_us", e.forecast.step_us},
                           {"replicas", e.forecast.replicas}};
      break;
    case EventKind::kTick:
      break;
  }
  return j;
}

Result<Event> EventFromJson(const json& j, std::string_view path_view) {
  std::string path(path_view);
  ObjectReader o(j, path);
  ECOTONE_RETURN_IF_ERROR(o.Check({"id", "time_us", "ecosystem", "source", "kind", "metrics",
                                   "hardware", "alert", "bug", "release", "forecast"}));
  Event e;
  ECOTONE_RETURN_IF_ERROR(o.Int("id", &e.id));
  ECOTONE_RETURN_IF_ERROR(o.Int("time_us", &e.time_us));
  ECOTONE_RETURN_IF_ERROR(o.String("ecosystem", &e.ecosystem));
  ECOTONE_RETURN_IF_ERROR(o.String("source", &e.source));
  ECOTONE_RETURN_IF_ERROR(o.Enum("kind", &e.kind, model::ParseEventKind, true));
  static constexpr std::pair<EventKind, const char*> kBodies[] = {
      {EventKind::kMetrics, "metrics"},     {EventKind::kHardware, "hardware"},
      {EventKind::kSecurityAlert, "alert"}, {EventKind::kBugReport, "bug"},
      {EventKind::kNewVersion, "release"},  {EventKind::kForecastUpdated, "forecast"}};
  for (const auto& [kind, key] : kBodies) {
    if (kind == e.kind && !o.Has(key))
      return Status::InvalidArgument(o.Path(key) + ": required for kind '" +
                                     std::string(model::EventKindName(e.kind)) + "'");
    if (kind != e.kind && o.Has(key))
      return Status::InvalidArgument(o.Path(key) + ": not allowed for kind '" +
                                     std::string(model::EventKindName(e.kind)) + "'");
  }
  switch (e.kind) {
    case EventKind::kMetrics: {
      const json& a = o.At("metrics");
      if (!a.is_array() || a.empty())
        return Status::InvalidArgument(o.Path("metrics") + ": expected a non-empty array");
      for (size_t i = 0; i < a.size(); ++i) {
        model::MetricSample m;
        ECOTONE_RETURN_IF_ERROR(
            ReadSample(a[i], o.Path("metrics") + "[" + std::to_string(i) + "]", &m));
        e.metrics.push_back(std::move(m));
      }
      break;
    }
    case EventKind::kHardware: {
      ObjectReader h(o.At("hardware"), o.Path("hardware"));
      ECOTONE_RETURN_IF_ERROR(h.Check({"zone", "rack", "host", "change", "deadline_us"}));
      model::Place p;
      json where = o.At("hardware");
      where.erase("change");
      where.erase("deadline_us");
      ECOTONE_RETURN_IF_ERROR(ReadPlace(where, o.Path("hardware"), &p));
      e.hardware.zone = p.zone;
      e.hardware.rack = p.rack;
      e.hardware.host = p.host;
      ECOTONE_RETURN_IF_ERROR(
          h.Enum("change", &e.hardware.change, model::ParseHardwareChange, true));
      ECOTONE_RETURN_IF_ERROR(h.Int("deadline_us", &e.hardware.deadline_us));
      break;
    }
    case EventKind::kSecurityAlert: {
      ObjectReader a(o.At("alert"), o.Path("alert"));
      ECOTONE_RETURN_IF_ERROR(a.Check({"component", "replica", "severity", "indicator", "source"}));
      ECOTONE_RETURN_IF_ERROR(a.String("component", &e.alert.component, true));
      ECOTONE_RETURN_IF_ERROR(a.Replica("replica", &e.alert.replica));
      ECOTONE_RETURN_IF_ERROR(a.Enum("severity", &e.alert.severity, model::ParseAlertSeverity));
      ECOTONE_RETURN_IF_ERROR(a.String("indicator", &e.alert.indicator));
      ECOTONE_RETURN_IF_ERROR(a.String("source", &e.alert.source));
      break;
    }
    case EventKind::kBugReport: {
      ObjectReader b(o.At("bug"), o.Path("bug"));
      ECOTONE_RETURN_IF_ERROR(b.Check({"component", "version", "severity", "summary"}));
      ECOTONE_RETURN_IF_ERROR(b.String("component", &e.bug.component, true));
      ECOTONE_RETURN_IF_ERROR(b.String("version", &e.bug.version, true));
      ECOTONE_RETURN_IF_ERROR(b.Enum("severity", &e.bug.severity, model::ParseAlertSeverity));
      ECOTONE_RETURN_IF_ERROR(b.String("summary", &e.bug.summary));
      break;
    }
    case EventKind::kNewVersion: {
      ObjectReader r(o.At("release"), o.Path("release"));
      ECOTONE_RETURN_IF_ERROR(
          r.Check({"component", "version", "image", "requests", "schema_change"}));
      ECOTONE_RETURN_IF_ERROR(r.String("component", &e.release.component, true));
      ECOTONE_RETURN_IF_ERROR(r.String("version", &e.release.version, true));
      ECOTONE_RETURN_IF_ERROR(r.String("image", &e.release.image));
      if (r.Has("requests"))
        ECOTONE_RETURN_IF_ERROR(
            ReadResources(r.At("requests"), r.Path("requests"), &e.release.requests));
      ECOTONE_RETURN_IF_ERROR(r.Bool("schema_change", &e.release.schema_change));
      break;
    }
    case EventKind::kForecastUpdated: {
      ObjectReader f(o.At("forecast"), o.Path("forecast"));
      ECOTONE_RETURN_IF_ERROR(f.Check({"component", "start_us", "step_us", "replicas"}));
      ECOTONE_RETURN_IF_ERROR(f.String("component", &e.forecast.component, true));
      ECOTONE_RETURN_IF_ERROR(f.Int("start_us", &e.forecast.start_us));
      ECOTONE_RETURN_IF_ERROR(f.Int("step_us", &e.forecast.step_us));
      if (e.forecast.step_us <= 0)
        return Status::InvalidArgument(f.Path("step_us") + ": must be a positive integer");
      if (f.Has("replicas")) {
        const json& a = f.At("replicas");
        if (!a.is_array())
          return Status::InvalidArgument(f.Path("replicas") + ": expected an array of integers");
        for (size_t i = 0; i < a.size(); ++i) {
          if (!a[i].is_number_integer() || a[i].get<int64_t>() < 0 ||
              a[i].get<int64_t>() > 1'000'000)
            return Status::InvalidArgument(f.Path("replicas") + "[" + std::to_string(i) +
                                           "]: expected an integer in 0..1000000");
          e.forecast.replicas.push_back(a[i].get<int>());
        }
      }
      break;
    }
    case EventKind::kTick:
      break;
  }
  return e;
}

json ToJson(const Action& a) {
  json j;
  if (a.id != 0) j["id"] = a.id;
  j["time_us"] = a.time_us;
  if (!a.ecosystem.empty()) j["ecosystem"] = a.ecosystem;
  j["kind"] = model::ActionKindName(a.kind);
  j["component"] = a.component;
  if (a.replica >= 0) j["replica"] = a.replica;
  switch (a.kind) {
    case ActionKind::kMigrate:
    case ActionKind::kRecover:
      j["from"] = PlaceJson(a.from);
      j["to"] = PlaceJson(a.to);
      j["live"] = a.live;
      break;
    case ActionKind::kScale: {
      j["from_replicas"] = a.from_replicas;
      j["to_replicas"] = a.to_replicas;
      json p = json::array();
      for (const auto& s : a.placements) {
        json one = PlaceJson({s.zone, s.rack, s.host});
        one["replica"] = s.replica;
        p.push_back(std::move(one));
      }
      if (!p.empty()) j["placements"] = std::move(p);
      break;
    }
    case ActionKind::kIsolate:
    case ActionKind::kRelease:
      j["isolation"] = model::IsolationModeName(a.isolation);
      j["allow"] = a.allow;
      j["cordon"] = a.cordon;
      if (!a.to_version.empty()) j["to_version"] = a.to_version;
      break;
    case ActionKind::kRollingUpdate:
    case ActionKind::kRollback:
      j["from_version"] = a.from_version;
      j["to_version"] = a.to_version;
      if (!a.image.empty()) j["image"] = a.image;
      j["batch_size"] = a.batch_size;
      j["max_surge"] = a.max_surge;
      j["max_unavailable"] = a.max_unavailable;
      if (a.gate_max_error_rate != 0) j["gate_max_error_rate"] = a.gate_max_error_rate;
      if (a.gate_max_latency_ms != 0) j["gate_max_latency_ms"] = a.gate_max_latency_ms;
      break;
  }
  j["trigger"] = a.trigger;
  if (a.event_id != 0) j["event_id"] = a.event_id;
  j["alternatives"] = a.alternatives;
  j["expected_effect"] = a.expected_effect;
  j["constraint"] = a.constraint;
  return j;
}

Result<Action> ActionFromJson(const json& j, std::string_view path_view) {
  std::string path(path_view);
  ObjectReader o(j, path);
  ECOTONE_RETURN_IF_ERROR(o.Check(
      {"id", "time_us", "ecosystem", "kind", "component", "replica", "from", "to", "live",
       "from_replicas", "to_replicas", "placements", "isolation", "allow", "cordon",
       "from_version", "to_version", "image", "batch_size", "max_surge", "max_unavailable",
       "gate_max_error_rate", "gate_max_latency_ms", "trigger", "event_id", "alternatives",
       "expected_effect", "constraint"}));
  Action a;
  ECOTONE_RETURN_IF_ERROR(o.Int("id", &a.id));
  ECOTONE_RETURN_IF_ERROR(o.Int("time_us", &a.time_us));
  ECOTONE_RETURN_IF_ERROR(o.String("ecosystem", &a.ecosystem));
  ECOTONE_RETURN_IF_ERROR(o.Enum("kind", &a.kind, model::ParseActionKind, true));
  ECOTONE_RETURN_IF_ERROR(o.String("component", &a.component, true));
  ECOTONE_RETURN_IF_ERROR(o.Replica("replica", &a.replica));
  if (o.Has("from")) ECOTONE_RETURN_IF_ERROR(ReadPlace(o.At("from"), o.Path("from"), &a.from));
  if (o.Has("to")) ECOTONE_RETURN_IF_ERROR(ReadPlace(o.At("to"), o.Path("to"), &a.to));
  if ((a.kind == ActionKind::kMigrate || a.kind == ActionKind::kRecover) &&
      (a.to.empty() || a.replica < 0))
    return Status::InvalidArgument(path + ": a " + std::string(model::ActionKindName(a.kind)) +
                                   " needs replica and to");
  ECOTONE_RETURN_IF_ERROR(o.Bool("live", &a.live));
  ECOTONE_RETURN_IF_ERROR(o.Int("from_replicas", &a.from_replicas));
  ECOTONE_RETURN_IF_ERROR(o.Int("to_replicas", &a.to_replicas));
  if (a.from_replicas < 0 || a.to_replicas < 0)
    return Status::InvalidArgument(path + ": replica counts must not be negative");
  if (o.Has("placements")) {
    const json& p = o.At("placements");
    if (!p.is_array()) return Status::InvalidArgument(o.Path("placements") + ": expected an array");
    for (size_t i = 0; i < p.size(); ++i) {
      std::string ip = o.Path("placements") + "[" + std::to_string(i) + "]";
      if (!p[i].is_object()) return Status::InvalidArgument(ip + ": expected an object");
      json where = p[i];
      model::Assignment s;
      s.component = a.component;
      ObjectReader r(p[i], ip);
      ECOTONE_RETURN_IF_ERROR(r.Check({"zone", "rack", "host", "replica"}));
      ECOTONE_RETURN_IF_ERROR(r.Replica("replica", &s.replica));
      where.erase("replica");
      model::Place pl;
      ECOTONE_RETURN_IF_ERROR(ReadPlace(where, ip, &pl));
      s.zone = pl.zone;
      s.rack = pl.rack;
      s.host = pl.host;
      a.placements.push_back(std::move(s));
    }
  }
  ECOTONE_RETURN_IF_ERROR(o.Enum("isolation", &a.isolation, model::ParseIsolationMode));
  ECOTONE_RETURN_IF_ERROR(o.Strings("allow", &a.allow));
  ECOTONE_RETURN_IF_ERROR(o.Bool("cordon", &a.cordon));
  ECOTONE_RETURN_IF_ERROR(o.String("from_version", &a.from_version));
  ECOTONE_RETURN_IF_ERROR(o.String("to_version", &a.to_version));
  ECOTONE_RETURN_IF_ERROR(o.String("image", &a.image));
  ECOTONE_RETURN_IF_ERROR(o.Int("batch_size", &a.batch_size));
  ECOTONE_RETURN_IF_ERROR(o.Int("max_surge", &a.max_surge));
  ECOTONE_RETURN_IF_ERROR(o.Int("max_unavailable", &a.max_unavailable));
  ECOTONE_RETURN_IF_ERROR(o.Double("gate_max_error_rate", &a.gate_max_error_rate));
  ECOTONE_RETURN_IF_ERROR(o.Double("gate_max_latency_ms", &a.gate_max_latency_ms));
  ECOTONE_RETURN_IF_ERROR(o.String("trigger", &a.trigger));
  ECOTONE_RETURN_IF_ERROR(o.Int("event_id", &a.event_id));
  ECOTONE_RETURN_IF_ERROR(o.Strings("alternatives", &a.alternatives));
  ECOTONE_RETURN_IF_ERROR(o.String("expected_effect", &a.expected_effect));
  ECOTONE_RETURN_IF_ERROR(o.String("constraint", &a.constraint));
  return a;
}

}  // namespace ecotone::adapters
