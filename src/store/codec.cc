#include "codec.h"

#include <exception>
#include <nlohmann/json.hpp>
#include <utility>

namespace ecotone::store {
namespace {

using nlohmann::json;

json LocationJson(const Location& l) {
  return json{{"file", l.file},
              {"line", l.line},
              {"column", l.column},
              {"path", l.path}};
}

Location LocationFrom(const json& j) {
  Location l;
  l.file = j.at("file").get<std::string>();
  l.line = j.at("line").get<int>();
  l.column = j.at("column").get<int>();
  l.path = j.at("path").get<std::string>();
  return l;
}

json ResourcesJson(const model::Resources& r) {
  return json{{"cpu_millicores", r.cpu_millicores},
              {"memory_bytes", r.memory_bytes},
              {"bandwidth_bps", r.bandwidth_bps},
              {"storage_bytes", r.storage_bytes}};
}

model::Resources ResourcesFrom(const json& j) {
  model::Resources r;
  r.cpu_millicores = j.at("cpu_millicores").get<int64_t>();
  r.memory_bytes = j.at("memory_bytes").get<int64_t>();
  r.bandwidth_bps = j.at("bandwidth_bps").get<int64_t>();
  r.storage_bytes = j.at("storage_bytes").get<int64_t>();
  return r;
}

// dump() throws type_error 316 on invalid UTF-8: that becomes
// kInvalidArgument, since the value came from the caller.
Result<std::string> Dump(const json& j, std::string_view what) {
  try {
    return j.dump();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string(what) +
                                   ": cannot store as JSON: " + e.what());
  }
}

template <typename F>
auto Parse(std::string_view text, std::string_view what, F&& f)
    -> Result<decltype(f(json()))> {
  try {
    return f(json::parse(text));
  } catch (const std::exception& e) {
    return Status::Corruption("stored " + std::string(what) +
                              " is malformed: " + e.what());
  }
}

}  // namespace

Result<std::string> EncodeComponentExtra(const model::Component& c) {
  json ports = json::array();
  for (const model::Port& p : c.ports) {
    ports.push_back(
        json{{"number", p.number}, {"protocol", p.protocol}, {"name", p.name}});
  }
  json j{
      {"limits", ResourcesJson(c.limits)},
      {"placement", json{{"allowed_regions", c.placement.allowed_regions},
                         {"allowed_zones", c.placement.allowed_zones},
                         {"zone_labels", c.placement.zone_labels},
                         {"spread_min_zones", c.placement.spread_min_zones},
                         {"max_per_zone", c.placement.max_per_zone}}},
      {"labels", c.labels},
      {"ports", std::move(ports)},
      {"startup_us", c.startup_us},
      {"profiles", c.profiles},
      {"source_kind", c.source_kind},
      {"where", LocationJson(c.where)},
  };
  return Dump(j, "component " + c.name);
}

Status DecodeComponentExtra(std::string_view text, model::Component* c) {
  auto r = Parse(text, "component extra", [&](const json& j) {
    c->limits = ResourcesFrom(j.at("limits"));
    const json& p = j.at("placement");
    c->placement.allowed_regions =
        p.at("allowed_regions").get<std::vector<std::string>>();
    c->placement.allowed_zones =
        p.at("allowed_zones").get<std::vector<std::string>>();
    c->placement.zone_labels =
        p.at("zone_labels").get<std::map<std::string, std::string>>();
    c->placement.spread_min_zones = p.at("spread_min_zones").get<int>();
    c->placement.max_per_zone = p.at("max_per_zone").get<int>();
    c->labels = j.at("labels").get<std::map<std::string, std::string>>();
    c->ports.clear();
    for (const json& pj : j.at("ports")) {
      model::Port port;
      port.number = pj.at("number").get<int>();
      port.protocol = pj.at("protocol").get<std::string>();
      port.name = pj.at("name").get<std::string>();
      c->ports.push_back(std::move(port));
    }
    c->startup_us = j.at("startup_us").get<int64_t>();
    c->profiles = j.at("profiles").get<std::vector<std::string>>();
    c->source_kind = j.at("source_kind").get<std::string>();
    c->where = LocationFrom(j.at("where"));
    return true;
  });
  return r.status();
}

Result<std::string> EncodeEvidence(const std::vector<model::Evidence>& ev) {
  json a = json::array();
  for (const model::Evidence& e : ev) {
    a.push_back(json{{"where", LocationJson(e.where)},
                     {"value", e.value},
                     {"reason", e.reason}});
  }
  return Dump(a, "dependency evidence");
}

Result<std::vector<model::Evidence>> DecodeEvidence(std::string_view text) {
  return Parse(text, "evidence", [](const json& a) {
    std::vector<model::Evidence> out;
    for (const json& j : a) {
      model::Evidence e;
      e.where = LocationFrom(j.at("where"));
      e.value = j.at("value").get<std::string>();
      e.reason = j.at("reason").get<std::string>();
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<std::string> EncodeStrings(const std::vector<std::string>& v) {
  return Dump(json(v), "string list");
}

Result<std::vector<std::string>> DecodeStrings(std::string_view text) {
  return Parse(text, "string list",
               [](const json& j) { return j.get<std::vector<std::string>>(); });
}

Result<std::string> EncodeStringMap(
    const std::map<std::string, std::string>& m) {
  return Dump(json(m), "string map");
}

Result<std::map<std::string, std::string>> DecodeStringMap(
    std::string_view text) {
  return Parse(text, "string map", [](const json& j) {
    return j.get<std::map<std::string, std::string>>();
  });
}

bool IsValidJson(std::string_view text) { return json::accept(text); }

}  // namespace ecotone::store
