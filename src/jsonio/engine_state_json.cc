// The JSON form of the engine's memory (engine_state_json.h). Field names are
// the struct fields; enums by name; kNever clocks as null; absent metric
// values (NaN) left out, since JSON has no NaN. The reader checks every
// type and rejects unknown keys, naming the field path.
#include "ecotone/jsonio/engine_state_json.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace ecotone::jsonio {
namespace {

using engine::ComponentState;
using engine::ReplicaPhase;
using engine::ReplicaState;
using engine::State;
using nlohmann::json;

// ---------------------------------------------------------------- writing

json Clock(int64_t us) {
  return us == engine::kNever ? json(nullptr) : json(us);
}

json PlaceJson(const model::Place& p) {
  return json{{"zone", p.zone}, {"rack", p.rack}, {"host", p.host}};
}

json SampleJson(const model::MetricSample& m) {
  json j{{"component", m.component}, {"replica", m.replica}};
  auto put = [&](const char* key, double v) {
    if (model::HasValue(v)) j[key] = v;
  };
  put("cpu_millicores", m.cpu_millicores);
  put("memory_bytes", m.memory_bytes);
  put("requests_per_s", m.requests_per_s);
  put("latency_ms", m.latency_ms);
  put("error_rate", m.error_rate);
  return j;
}

json ReleaseJson(const model::NewVersion& v) {
  return json{{"component", v.component},
              {"version", v.version},
              {"image", v.image},
              {"requests",
               {{"cpu_millicores", v.requests.cpu_millicores},
                {"memory_bytes", v.requests.memory_bytes},
                {"bandwidth_bps", v.requests.bandwidth_bps},
                {"storage_bytes", v.requests.storage_bytes}}},
              {"schema_change", v.schema_change}};
}

json ComponentJson(const std::string& name, const ComponentState& c) {
  json replicas = json::array();
  for (const ReplicaState& r : c.replicas)
    replicas.push_back(json{{"replica", r.replica},
                            {"place", PlaceJson(r.place)},
                            {"version", r.version},
                            {"phase", std::string(ReplicaPhaseName(r.phase))},
                            {"ready_us", r.ready_us},
                            {"home", PlaceJson(r.home)}});
  json load = json::array();
  for (const auto& p : c.recent_load) {
    json q{{"time_us", p.time_us}};
    if (model::HasValue(p.requests_per_s))
      q["requests_per_s"] = p.requests_per_s;
    if (model::HasValue(p.cpu_millicores))
      q["cpu_millicores"] = p.cpu_millicores;
    load.push_back(std::move(q));
  }
  const engine::Rollout& ro = c.rollout;
  return json{{"name", name},
              {"version", c.version},
              {"known_good_version", c.known_good_version},
              {"bad_versions", c.bad_versions},
              {"previous_version", c.previous_version},
              {"last_scale_out_us", Clock(c.last_scale_out_us)},
              {"last_scale_in_us", Clock(c.last_scale_in_us)},
              {"last_update_us", Clock(c.last_update_us)},
              {"isolated", c.isolated},
              {"isolation_allow", c.isolation_allow},
              {"rollout",
               {{"active", ro.active},
                {"from_version", ro.from_version},
                {"to_version", ro.to_version},
                {"image", ro.image},
                {"batch_size", ro.batch_size},
                {"updated", ro.updated},
                {"batch_started_us", ro.batch_started_us},
                {"gate_max_error_rate", ro.gate_max_error_rate},
                {"gate_max_latency_ms", ro.gate_max_latency_ms}}},
              {"load", SampleJson(c.load)},
              {"recent_load", std::move(load)},
              {"forecast",
               {{"component", c.forecast.component},
                {"start_us", c.forecast.start_us},
                {"step_us", c.forecast.step_us},
                {"replicas", c.forecast.replicas}}},
              {"pending_release", ReleaseJson(c.pending_release)},
              {"pending_release_event_id", c.pending_release_event_id},
              {"replicas", std::move(replicas)}};
}

// ---------------------------------------------------------------- reading

std::string At(std::string_view path, std::string_view key) {
  return std::string(path) + "." + std::string(key);
}
std::string At(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Status Bad(const std::string& path, std::string_view what) {
  return Status::InvalidArgument(path + ": " + std::string(what));
}

Status Object(const json& j, const std::string& path,
              std::initializer_list<std::string_view> keys) {
  if (!j.is_object()) return Bad(path, "expected an object");
  for (const auto& [k, v] : j.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      return Bad(At(path, k), "unknown field");
  return Status::Ok();
}

const json* Find(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

Status Need(const json& obj, std::string_view key, const std::string& path,
            const json** out) {
  *out = Find(obj, key);
  if (*out == nullptr) return Bad(At(path, key), "missing");
  return Status::Ok();
}

Status GetString(const json& obj, std::string_view key, const std::string& path,
                 std::string* out) {
  const json* v;
  ECOTONE_RETURN_IF_ERROR(Need(obj, key, path, &v));
  if (!v->is_string()) return Bad(At(path, key), "expected a string");
  *out = v->get<std::string>();
  return Status::Ok();
}

Status GetBool(const json& obj, std::string_view key, const std::string& path,
               bool* out) {
  const json* v;
  ECOTONE_RETURN_IF_ERROR(Need(obj, key, path, &v));
  if (!v->is_boolean()) return Bad(At(path, key), "expected true or false");
  *out = v->get<bool>();
  return Status::Ok();
}

Status IntValue(const json& v, const std::string& path, int64_t* out) {
  if (!v.is_number_integer()) return Bad(path, "expected an integer");
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return Bad(path, "integer out of range");
  *out = v.get<int64_t>();
  return Status::Ok();
}

Status GetInt(const json& obj, std::string_view key, const std::string& path,
              int64_t* out) {
  const json* v;
  ECOTONE_RETURN_IF_ERROR(Need(obj, key, path, &v));
  return IntValue(*v, At(path, key), out);
}

Status GetInt32(const json& obj, std::string_view key, const std::string& path,
                int* out) {
  int64_t v;
  ECOTONE_RETURN_IF_ERROR(GetInt(obj, key, path, &v));
  if (v < INT32_MIN || v > INT32_MAX)
    return Bad(At(path, key), "integer out of range");
  *out = static_cast<int>(v);
  return Status::Ok();
}

// null = kNever.
Status GetClock(const json& obj, std::string_view key, const std::string& path,
                int64_t* out) {
  const json* v;
  ECOTONE_RETURN_IF_ERROR(Need(obj, key, path, &v));
  if (v->is_null()) {
    *out = engine::kNever;
    return Status::Ok();
  }
  return IntValue(*v, At(path, key), out);
}

Status GetDouble(const json& obj, std::string_view key, const std::string& path,
                 double* out) {
  const json* v;
  ECOTONE_RETURN_IF_ERROR(Need(obj, key, path, &v));
  if (!v->is_number()) return Bad(At(path, key), "expected a number");
  *out = v->get<double>();
  return Status::Ok();
}

// Absent = kNoValue.
Status GetOptionalDouble(const json& obj, std::string_view key,
                         const std::string& path, double* out) {
  if (Find(obj, key) == nullptr) {
    *out = model::kNoValue;
    return Status::Ok();
  }
  return GetDouble(obj, key, path, out);
}

Status GetArray(const json& obj, std::string_view key, const std::string& path,
                const json** out) {
  ECOTONE_RETURN_IF_ERROR(Need(obj, key, path, out));
  if (!(*out)->is_array()) return Bad(At(path, key), "expected an array");
  return Status::Ok();
}

Status GetStrings(const json& obj, std::string_view key,
                  const std::string& path, std::vector<std::string>* out) {
  const json* a;
  ECOTONE_RETURN_IF_ERROR(GetArray(obj, key, path, &a));
  out->clear();
  for (size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string())
      return Bad(At(At(path, key), i), "expected a string");
    out->push_back((*a)[i].get<std::string>());
  }
  return Status::Ok();
}

Status PlaceFrom(const json& j, const std::string& path, model::Place* p) {
  ECOTONE_RETURN_IF_ERROR(Object(j, path, {"zone", "rack", "host"}));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "zone", path, &p->zone));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "rack", path, &p->rack));
  return GetString(j, "host", path, &p->host);
}

Status SampleFrom(const json& j, const std::string& path,
                  model::MetricSample* m) {
  ECOTONE_RETURN_IF_ERROR(
      Object(j, path,
             {"component", "replica", "cpu_millicores", "memory_bytes",
              "requests_per_s", "latency_ms", "error_rate"}));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "component", path, &m->component));
  ECOTONE_RETURN_IF_ERROR(GetInt32(j, "replica", path, &m->replica));
  ECOTONE_RETURN_IF_ERROR(
      GetOptionalDouble(j, "cpu_millicores", path, &m->cpu_millicores));
  ECOTONE_RETURN_IF_ERROR(
      GetOptionalDouble(j, "memory_bytes", path, &m->memory_bytes));
  ECOTONE_RETURN_IF_ERROR(
      GetOptionalDouble(j, "requests_per_s", path, &m->requests_per_s));
  ECOTONE_RETURN_IF_ERROR(
      GetOptionalDouble(j, "latency_ms", path, &m->latency_ms));
  return GetOptionalDouble(j, "error_rate", path, &m->error_rate);
}

Status ReleaseFrom(const json& j, const std::string& path,
                   model::NewVersion* v) {
  ECOTONE_RETURN_IF_ERROR(Object(
      j, path, {"component", "version", "image", "requests", "schema_change"}));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "component", path, &v->component));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "version", path, &v->version));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "image", path, &v->image));
  ECOTONE_RETURN_IF_ERROR(GetBool(j, "schema_change", path, &v->schema_change));
  const json* r;
  ECOTONE_RETURN_IF_ERROR(Need(j, "requests", path, &r));
  std::string rp = At(path, "requests");
  ECOTONE_RETURN_IF_ERROR(Object(
      *r, rp,
      {"cpu_millicores", "memory_bytes", "bandwidth_bps", "storage_bytes"}));
  ECOTONE_RETURN_IF_ERROR(
      GetInt(*r, "cpu_millicores", rp, &v->requests.cpu_millicores));
  ECOTONE_RETURN_IF_ERROR(
      GetInt(*r, "memory_bytes", rp, &v->requests.memory_bytes));
  ECOTONE_RETURN_IF_ERROR(
      GetInt(*r, "bandwidth_bps", rp, &v->requests.bandwidth_bps));
  return GetInt(*r, "storage_bytes", rp, &v->requests.storage_bytes);
}

Status HardwareFrom(const json& j, const std::string& path,
                    State::HardwareNotice* n) {
  ECOTONE_RETURN_IF_ERROR(Object(j, path,
                                 {"zone", "rack", "host", "change",
                                  "deadline_us", "since_us", "event_id"}));
  model::HardwareEvent& h = n->hardware;
  ECOTONE_RETURN_IF_ERROR(GetString(j, "zone", path, &h.zone));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "rack", path, &h.rack));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "host", path, &h.host));
  std::string change;
  ECOTONE_RETURN_IF_ERROR(GetString(j, "change", path, &change));
  auto c = model::ParseHardwareChange(change);
  if (!c)
    return Bad(At(path, "change"), "unknown hardware change '" + change + "'");
  h.change = *c;
  ECOTONE_RETURN_IF_ERROR(GetInt(j, "deadline_us", path, &h.deadline_us));
  ECOTONE_RETURN_IF_ERROR(GetInt(j, "since_us", path, &n->since_us));
  return GetInt(j, "event_id", path, &n->event_id);
}

std::optional<ReplicaPhase> ParsePhase(std::string_view name) {
  for (ReplicaPhase p : {ReplicaPhase::kStarting, ReplicaPhase::kServing,
                         ReplicaPhase::kDown, ReplicaPhase::kIsolated})
    if (engine::ReplicaPhaseName(p) == name) return p;
  return std::nullopt;
}

// The state field of a zone / rack / host; null when the topology has none.
model::CapacityState* FindCapacity(model::Topology* t, const model::Place& p) {
  for (auto& z : t->zones) {
    if (z.name != p.zone) continue;
    if (p.rack.empty()) return &z.state;
    for (auto& r : z.racks) {
      if (r.name != p.rack) continue;
      if (p.host.empty()) return &r.state;
      for (auto& h : r.hosts)
        if (h.name == p.host) return &h.state;
    }
  }
  return nullptr;
}

// Usable = the zone, rack and host of the place exist and are usable (as
// the engine's own PlaceUsable).
bool PlaceUsable(model::Topology* t, const model::Place& p) {
  model::CapacityState* zone = FindCapacity(t, {p.zone, "", ""});
  if (zone == nullptr || !model::IsUsable(*zone)) return false;
  if (p.rack.empty()) return true;
  model::CapacityState* rack = FindCapacity(t, {p.zone, p.rack, ""});
  if (rack == nullptr || !model::IsUsable(*rack)) return false;
  if (p.host.empty()) return true;
  model::CapacityState* host = FindCapacity(t, p);
  return host != nullptr && model::IsUsable(*host);
}

// Everything a component's memory holds, read into `c` (all fields).
Status ComponentFrom(const json& j, const std::string& path,
                     ComponentState* c) {
  ECOTONE_RETURN_IF_ERROR(
      Object(j, path,
             {"name", "version", "known_good_version", "bad_versions",
              "previous_version", "last_scale_out_us", "last_scale_in_us",
              "last_update_us", "isolated", "isolation_allow", "rollout",
              "load", "recent_load", "forecast", "pending_release",
              "pending_release_event_id", "replicas"}));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "version", path, &c->version));
  ECOTONE_RETURN_IF_ERROR(
      GetString(j, "known_good_version", path, &c->known_good_version));
  ECOTONE_RETURN_IF_ERROR(
      GetStrings(j, "bad_versions", path, &c->bad_versions));
  ECOTONE_RETURN_IF_ERROR(
      GetString(j, "previous_version", path, &c->previous_version));
  ECOTONE_RETURN_IF_ERROR(
      GetClock(j, "last_scale_out_us", path, &c->last_scale_out_us));
  ECOTONE_RETURN_IF_ERROR(
      GetClock(j, "last_scale_in_us", path, &c->last_scale_in_us));
  ECOTONE_RETURN_IF_ERROR(
      GetClock(j, "last_update_us", path, &c->last_update_us));
  ECOTONE_RETURN_IF_ERROR(GetBool(j, "isolated", path, &c->isolated));
  ECOTONE_RETURN_IF_ERROR(
      GetStrings(j, "isolation_allow", path, &c->isolation_allow));

  const json* ro;
  ECOTONE_RETURN_IF_ERROR(Need(j, "rollout", path, &ro));
  std::string rp = At(path, "rollout");
  ECOTONE_RETURN_IF_ERROR(Object(
      *ro, rp,
      {"active", "from_version", "to_version", "image", "batch_size", "updated",
       "batch_started_us", "gate_max_error_rate", "gate_max_latency_ms"}));
  engine::Rollout& r = c->rollout;
  ECOTONE_RETURN_IF_ERROR(GetBool(*ro, "active", rp, &r.active));
  ECOTONE_RETURN_IF_ERROR(GetString(*ro, "from_version", rp, &r.from_version));
  ECOTONE_RETURN_IF_ERROR(GetString(*ro, "to_version", rp, &r.to_version));
  ECOTONE_RETURN_IF_ERROR(GetString(*ro, "image", rp, &r.image));
  ECOTONE_RETURN_IF_ERROR(GetInt32(*ro, "batch_size", rp, &r.batch_size));
  ECOTONE_RETURN_IF_ERROR(GetInt32(*ro, "updated", rp, &r.updated));
  ECOTONE_RETURN_IF_ERROR(
      GetInt(*ro, "batch_started_us", rp, &r.batch_started_us));
  ECOTONE_RETURN_IF_ERROR(
      GetDouble(*ro, "gate_max_error_rate", rp, &r.gate_max_error_rate));
  ECOTONE_RETURN_IF_ERROR(
      GetDouble(*ro, "gate_max_latency_ms", rp, &r.gate_max_latency_ms));

  const json* load;
  ECOTONE_RETURN_IF_ERROR(Need(j, "load", path, &load));
  ECOTONE_RETURN_IF_ERROR(SampleFrom(*load, At(path, "load"), &c->load));

  const json* recent;
  ECOTONE_RETURN_IF_ERROR(GetArray(j, "recent_load", path, &recent));
  c->recent_load.clear();
  for (size_t i = 0; i < recent->size(); ++i) {
    std::string ip = At(At(path, "recent_load"), i);
    const json& p = (*recent)[i];
    ECOTONE_RETURN_IF_ERROR(
        Object(p, ip, {"time_us", "requests_per_s", "cpu_millicores"}));
    ComponentState::LoadPoint lp;
    ECOTONE_RETURN_IF_ERROR(GetInt(p, "time_us", ip, &lp.time_us));
    ECOTONE_RETURN_IF_ERROR(
        GetOptionalDouble(p, "requests_per_s", ip, &lp.requests_per_s));
    ECOTONE_RETURN_IF_ERROR(
        GetOptionalDouble(p, "cpu_millicores", ip, &lp.cpu_millicores));
    c->recent_load.push_back(lp);
  }

  const json* f;
  ECOTONE_RETURN_IF_ERROR(Need(j, "forecast", path, &f));
  std::string fp = At(path, "forecast");
  ECOTONE_RETURN_IF_ERROR(
      Object(*f, fp, {"component", "start_us", "step_us", "replicas"}));
  ECOTONE_RETURN_IF_ERROR(
      GetString(*f, "component", fp, &c->forecast.component));
  ECOTONE_RETURN_IF_ERROR(GetInt(*f, "start_us", fp, &c->forecast.start_us));
  ECOTONE_RETURN_IF_ERROR(GetInt(*f, "step_us", fp, &c->forecast.step_us));
  const json* fr;
  ECOTONE_RETURN_IF_ERROR(GetArray(*f, "replicas", fp, &fr));
  c->forecast.replicas.clear();
  for (size_t i = 0; i < fr->size(); ++i) {
    int64_t n;
    ECOTONE_RETURN_IF_ERROR(IntValue((*fr)[i], At(At(fp, "replicas"), i), &n));
    if (n < INT32_MIN || n > INT32_MAX)
      return Bad(At(At(fp, "replicas"), i), "integer out of range");
    c->forecast.replicas.push_back(static_cast<int>(n));
  }

  const json* pr;
  ECOTONE_RETURN_IF_ERROR(Need(j, "pending_release", path, &pr));
  ECOTONE_RETURN_IF_ERROR(
      ReleaseFrom(*pr, At(path, "pending_release"), &c->pending_release));
  ECOTONE_RETURN_IF_ERROR(GetInt(j, "pending_release_event_id", path,
                                 &c->pending_release_event_id));

  const json* reps;
  ECOTONE_RETURN_IF_ERROR(GetArray(j, "replicas", path, &reps));
  c->replicas.clear();
  for (size_t i = 0; i < reps->size(); ++i) {
    std::string ip = At(At(path, "replicas"), i);
    const json& rj = (*reps)[i];
    ECOTONE_RETURN_IF_ERROR(Object(
        rj, ip, {"replica", "place", "version", "phase", "ready_us", "home"}));
    ReplicaState rs;
    ECOTONE_RETURN_IF_ERROR(GetInt32(rj, "replica", ip, &rs.replica));
    const json* pl;
    ECOTONE_RETURN_IF_ERROR(Need(rj, "place", ip, &pl));
    ECOTONE_RETURN_IF_ERROR(PlaceFrom(*pl, At(ip, "place"), &rs.place));
    ECOTONE_RETURN_IF_ERROR(GetString(rj, "version", ip, &rs.version));
    std::string phase;
    ECOTONE_RETURN_IF_ERROR(GetString(rj, "phase", ip, &phase));
    auto ph = ParsePhase(phase);
    if (!ph)
      return Bad(At(ip, "phase"), "unknown replica phase '" + phase + "'");
    rs.phase = *ph;
    ECOTONE_RETURN_IF_ERROR(GetInt(rj, "ready_us", ip, &rs.ready_us));
    const json* home;
    ECOTONE_RETURN_IF_ERROR(Need(rj, "home", ip, &home));
    ECOTONE_RETURN_IF_ERROR(PlaceFrom(*home, At(ip, "home"), &rs.home));
    if (!c->replicas.empty() && c->replicas.back().replica >= rs.replica)
      return Bad(At(ip, "replica"), "replica numbers must increase");
    c->replicas.push_back(std::move(rs));
  }
  return Status::Ok();
}

// Copies into `to` (built from another plan) what does not depend on the
// plan (MemoryScope::kPlanIndependent).
void OverlayPlanIndependent(const ComponentState& m, ComponentState* to) {
  to->bad_versions = m.bad_versions;
  to->last_scale_out_us = m.last_scale_out_us;
  to->last_scale_in_us = m.last_scale_in_us;
  to->last_update_us = m.last_update_us;
  to->load = m.load;
  to->recent_load = m.recent_load;
  to->forecast = m.forecast;
  if (to->version == m.version) {
    to->known_good_version = m.known_good_version;
    to->previous_version = m.previous_version;
  }
  if (!m.pending_release.version.empty() &&
      m.pending_release.version != to->version) {
    to->pending_release = m.pending_release;
    to->pending_release_event_id = m.pending_release_event_id;
  }
  if (m.isolated) {
    // A quarantine is not lifted by a new plan: every replica stays cut off.
    to->isolated = true;
    to->isolation_allow = m.isolation_allow;
    for (ReplicaState& r : to->replicas) r.phase = ReplicaPhase::kIsolated;
  }
}

}  // namespace

json EngineMemoryToJson(const State& s) {
  json capacity = json::array();
  auto cap = [&](const model::Place& p, model::CapacityState st) {
    json j = PlaceJson(p);
    j["state"] = std::string(model::CapacityStateName(st));
    capacity.push_back(std::move(j));
  };
  for (const auto& z : s.topology.zones) {
    cap({z.name, "", ""}, z.state);
    for (const auto& r : z.racks) {
      cap({z.name, r.name, ""}, r.state);
      for (const auto& h : r.hosts) cap({z.name, r.name, h.name}, h.state);
    }
  }
  json notices = json::array();
  for (const auto& n : s.notices)
    notices.push_back(
        json{{"zone", n.hardware.zone},
             {"rack", n.hardware.rack},
             {"host", n.hardware.host},
             {"change", std::string(HardwareChangeName(n.hardware.change))},
             {"deadline_us", n.hardware.deadline_us},
             {"since_us", n.since_us},
             {"event_id", n.event_id}});
  json components = json::array();
  for (size_t i = 0;
       i < s.components.size() && i < s.ecosystem.components.size(); ++i)
    components.push_back(
        ComponentJson(s.ecosystem.components[i].name, s.components[i]));
  return json{{"format", kEngineMemoryFormat},
              {"ecosystem", s.ecosystem.name},
              {"topology", s.topology.name},
              {"capacity", std::move(capacity)},
              {"notices", std::move(notices)},
              {"last_hardware_us", Clock(s.last_hardware_us)},
              {"last_recovered_us", Clock(s.last_recovered_us)},
              {"last_recovered_event_id", s.last_recovered_event_id},
              {"migration_times_us", s.migration_times_us},
              {"components", std::move(components)}};
}

Status EngineMemoryFromJson(const json& j, MemoryScope scope,
                            std::string_view path_in, State* state) {
  const std::string path(path_in);
  ECOTONE_RETURN_IF_ERROR(
      Object(j, path,
             {"format", "ecosystem", "topology", "capacity", "notices",
              "last_hardware_us", "last_recovered_us",
              "last_recovered_event_id", "migration_times_us", "components"}));
  int64_t format;
  ECOTONE_RETURN_IF_ERROR(GetInt(j, "format", path, &format));
  if (format != kEngineMemoryFormat)
    return Bad(At(path, "format"), "format " + std::to_string(format) +
                                       " is not supported (this build reads " +
                                       std::to_string(kEngineMemoryFormat) +
                                       ")");
  std::string eco_name, topo_name;
  ECOTONE_RETURN_IF_ERROR(GetString(j, "ecosystem", path, &eco_name));
  ECOTONE_RETURN_IF_ERROR(GetString(j, "topology", path, &topo_name));
  if (eco_name != state->ecosystem.name)
    return Bad(At(path, "ecosystem"), "memory of '" + eco_name +
                                          "', state of '" +
                                          state->ecosystem.name + "'");
  const bool all = scope == MemoryScope::kAll;
  if (all && topo_name != state->topology.name)
    return Bad(At(path, "topology"), "memory on '" + topo_name +
                                         "', state on '" +
                                         state->topology.name + "'");

  State s = *state;  // written to `state` only when everything was read.

  const json* capacity;
  ECOTONE_RETURN_IF_ERROR(GetArray(j, "capacity", path, &capacity));
  for (size_t i = 0; i < capacity->size(); ++i) {
    std::string ip = At(At(path, "capacity"), i);
    const json& c = (*capacity)[i];
    ECOTONE_RETURN_IF_ERROR(Object(c, ip, {"zone", "rack", "host", "state"}));
    model::Place p;
    ECOTONE_RETURN_IF_ERROR(GetString(c, "zone", ip, &p.zone));
    ECOTONE_RETURN_IF_ERROR(GetString(c, "rack", ip, &p.rack));
    ECOTONE_RETURN_IF_ERROR(GetString(c, "host", ip, &p.host));
    std::string name;
    ECOTONE_RETURN_IF_ERROR(GetString(c, "state", ip, &name));
    auto st = model::ParseCapacityState(name);
    if (!st)
      return Bad(At(ip, "state"), "unknown capacity state '" + name + "'");
    model::CapacityState* field = FindCapacity(&s.topology, p);
    if (field == nullptr) {
      if (all) return Bad(ip, "'" + p.ToString() + "' is not in the topology");
      continue;  // capacity the infrastructure no longer has.
    }
    *field = *st;
  }

  const json* notices;
  ECOTONE_RETURN_IF_ERROR(GetArray(j, "notices", path, &notices));
  s.notices.clear();
  for (size_t i = 0; i < notices->size(); ++i) {
    std::string ip = At(At(path, "notices"), i);
    State::HardwareNotice n;
    ECOTONE_RETURN_IF_ERROR(HardwareFrom((*notices)[i], ip, &n));
    model::Place p{n.hardware.zone, n.hardware.rack, n.hardware.host};
    if (FindCapacity(&s.topology, p) == nullptr) {
      if (all) return Bad(ip, "'" + p.ToString() + "' is not in the topology");
      continue;
    }
    s.notices.push_back(std::move(n));
  }
  ECOTONE_RETURN_IF_ERROR(
      GetClock(j, "last_hardware_us", path, &s.last_hardware_us));
  ECOTONE_RETURN_IF_ERROR(
      GetClock(j, "last_recovered_us", path, &s.last_recovered_us));
  ECOTONE_RETURN_IF_ERROR(
      GetInt(j, "last_recovered_event_id", path, &s.last_recovered_event_id));
  const json* mig;
  ECOTONE_RETURN_IF_ERROR(GetArray(j, "migration_times_us", path, &mig));
  s.migration_times_us.clear();
  for (size_t i = 0; i < mig->size(); ++i) {
    int64_t t;
    ECOTONE_RETURN_IF_ERROR(
        IntValue((*mig)[i], At(At(path, "migration_times_us"), i), &t));
    s.migration_times_us.push_back(t);
  }

  const json* comps;
  ECOTONE_RETURN_IF_ERROR(GetArray(j, "components", path, &comps));
  std::vector<bool> seen(s.components.size(), false);
  for (size_t i = 0; i < comps->size(); ++i) {
    std::string ip = At(At(path, "components"), i);
    const json& cj = (*comps)[i];
    if (!cj.is_object()) return Bad(ip, "expected an object");
    std::string name;
    ECOTONE_RETURN_IF_ERROR(GetString(cj, "name", ip, &name));
    ComponentState m;
    ECOTONE_RETURN_IF_ERROR(ComponentFrom(cj, ip, &m));
    int k = s.ComponentIndex(name);
    if (k < 0) {
      if (all) return Bad(At(ip, "name"), "unknown component '" + name + "'");
      continue;  // removed from the ecosystem since.
    }
    if (seen[k])
      return Bad(At(ip, "name"), "component '" + name + "' listed twice");
    seen[k] = true;
    if (!all) {
      OverlayPlanIndependent(m, &s.components[k]);
      continue;
    }
    for (size_t r = 0; r < m.replicas.size(); ++r)
      for (const model::Place* p : {&m.replicas[r].place, &m.replicas[r].home})
        if (!p->empty() && FindCapacity(&s.topology, *p) == nullptr)
          return Bad(At(At(ip, "replicas"), r),
                     "'" + p->ToString() + "' is not in the topology");
    s.components[k] = std::move(m);
  }
  if (all)
    for (size_t k = 0; k < seen.size(); ++k)
      if (!seen[k])
        return Bad(
            At(path, "components"),
            "component '" + s.ecosystem.components[k].name + "' is missing");
  if (!all) {
    // The new plan's replicas on capacity the memory knows failed are down.
    for (auto& c : s.components)
      for (ReplicaState& r : c.replicas)
        if ((r.phase == ReplicaPhase::kServing ||
             r.phase == ReplicaPhase::kStarting) &&
            !PlaceUsable(&s.topology, r.place))
          r.phase = ReplicaPhase::kDown;
  }
  s.rebalance_no_gain_key = 0;
  *state = std::move(s);
  return Status::Ok();
}

}  // namespace ecotone::jsonio
