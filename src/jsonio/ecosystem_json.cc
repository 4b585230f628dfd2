#include "ecotone/jsonio/ecosystem_json.h"

#include "ecotone/model/units.h"

namespace ecotone::jsonio {

using nlohmann::json;

std::string Dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json ToJson(const Location& w) {
  return json{{"file", w.file},
              {"line", w.line},
              {"column", w.column},
              {"path", w.path}};
}

json ToJson(const model::Resources& r) {
  auto human = [](int64_t v, std::string (*fmt)(int64_t)) {
    return v == 0 ? std::string() : fmt(v);
  };
  return json{{"cpu_millicores", r.cpu_millicores},
              {"memory_bytes", r.memory_bytes},
              {"bandwidth_bps", r.bandwidth_bps},
              {"storage_bytes", r.storage_bytes},
              {"cpu", human(r.cpu_millicores, &model::FormatCpu)},
              {"memory", human(r.memory_bytes, &model::FormatBytes)},
              {"bandwidth", human(r.bandwidth_bps, &model::FormatBandwidth)},
              {"storage", human(r.storage_bytes, &model::FormatBytes)}};
}

json ToJson(const model::Evidence& e) {
  json j = ToJson(e.where);
  j["value"] = e.value;
  j["reason"] = e.reason;
  return j;
}

json ToJson(const model::Component& c) {
  json ports = json::array();
  for (const auto& p : c.ports)
    ports.push_back(
        {{"number", p.number}, {"protocol", p.protocol}, {"name", p.name}});
  json placement = {{"allowed_regions", c.placement.allowed_regions},
                    {"allowed_zones", c.placement.allowed_zones},
                    {"zone_labels", c.placement.zone_labels},
                    {"spread_min_zones", c.placement.spread_min_zones},
                    {"max_per_zone", c.placement.max_per_zone}};
  return json{
      {"name", c.name},
      {"kind", model::ComponentKindName(c.kind)},
      {"version", c.version},
      {"image", c.image},
      {"replicas",
       {{"min", c.replicas.min},
        {"max", c.replicas.max},
        {"initial", c.replicas.initial}}},
      {"requests", ToJson(c.requests)},
      {"limits", ToJson(c.limits)},
      {"latency_slo_us", c.latency_slo_us},
      {"stateful", c.stateful},
      {"placement", std::move(placement)},
      {"labels", c.labels},
      {"ports", std::move(ports)},
      {"capacity_rps_per_replica", c.capacity_rps_per_replica},
      {"startup_us", c.startup_us},
      {"profiles", c.profiles},
      {"source_kind", c.source_kind},
      {"location", ToJson(c.where)},
  };
}

json ToJson(const model::Dependency& d) {
  json evidence = json::array();
  for (const auto& e : d.evidence) evidence.push_back(ToJson(e));
  return json{{"from", d.from},
              {"to", d.to},
              {"kind", model::DependencyKindName(d.kind)},
              {"port", d.port},
              {"protocol", d.protocol},
              {"traffic_rps", d.traffic_rps},
              {"traffic_bytes_per_s", d.traffic_bytes_per_s},
              {"latency_budget_us", d.latency_budget_us},
              {"criticality", model::CriticalityName(d.criticality)},
              {"inferred", d.inferred},
              {"evidence", std::move(evidence)}};
}

json ToJson(const model::Problem& p) {
  return json{{"severity", model::SeverityName(p.severity)},
              {"code", p.code},
              {"file", p.where.file},
              {"line", p.where.line},
              {"column", p.where.column},
              {"path", p.where.path},
              {"message", p.message}};
}

json ToJson(const model::SkippedObject& s) {
  return json{{"kind", s.kind},       {"name", s.name},
              {"reason", s.reason},   {"file", s.where.file},
              {"line", s.where.line}, {"column", s.where.column},
              {"path", s.where.path}};
}

}  // namespace ecotone::jsonio
