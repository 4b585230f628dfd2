// Reading, checking and writing placement plan files (docs/placement.md,
// "Plan files"). A plan file is the JSON written by `ecotone place --output
// json` (or any JSON/YAML object with an `assignments` list).
#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "ecotone/manifest/infra.h"
#include "yaml_util.h"

namespace ecotone::manifest {
namespace {

Result<std::string> OptString(const std::string& file, const YAML::Node& map,
                              const std::string& key, const std::string& path) {
  YAML::Node n = map[key];
  if (!n || n.IsNull()) return std::string();
  return AsString(file, n, Join(path, key));
}

Result<model::PlacementPlan> ReadPlanTree(const std::string& file,
                                          const YAML::Node& root) {
  if (!root.IsMap())
    return Status::InvalidArgument(
        "a plan must be a mapping with 'assignments'", At(file, root, ""));
  model::PlacementPlan plan;
  ECOTONE_ASSIGN_OR_RETURN(plan.ecosystem,
                           OptString(file, root, "ecosystem", ""));
  ECOTONE_ASSIGN_OR_RETURN(plan.infra, OptString(file, root, "infra", ""));
  if (YAML::Node md = root["metadata"]; md && md.IsMap()) {
    for (const auto& kv : md) {
      if (kv.first.IsScalar() && kv.second.IsScalar())
        plan.metadata[kv.first.Scalar()] = kv.second.Scalar();
    }
  }
  YAML::Node list = root["assignments"];
  if (!list)
    return Status::InvalidArgument("missing required field",
                                   At(file, root, "assignments"));
  if (!list.IsSequence())
    return Status::InvalidArgument("expected a list",
                                   At(file, list, "assignments"));
  std::map<std::pair<std::string, int>, int> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string p = Join("assignments", i);
    const YAML::Node& n = list[i];
    if (!n.IsMap())
      return Status::InvalidArgument("expected a mapping", At(file, n, p));
    model::Assignment a;
    a.where = At(file, n, p);
    if (!n["component"])
      return Status::InvalidArgument("missing required field",
                                     At(file, n, Join(p, "component")));
    ECOTONE_ASSIGN_OR_RETURN(
        a.component, AsString(file, n["component"], Join(p, "component")));
    if (!n["replica"])
      return Status::InvalidArgument("missing required field",
                                     At(file, n, Join(p, "replica")));
    ECOTONE_ASSIGN_OR_RETURN(
        int64_t r, AsInt(file, n["replica"], Join(p, "replica"), 0, 1 << 24));
    a.replica = static_cast<int>(r);
    if (!n["zone"])
      return Status::InvalidArgument("missing required field",
                                     At(file, n, Join(p, "zone")));
    ECOTONE_ASSIGN_OR_RETURN(a.zone,
                             AsString(file, n["zone"], Join(p, "zone")));
    ECOTONE_ASSIGN_OR_RETURN(a.rack, OptString(file, n, "rack", p));
    ECOTONE_ASSIGN_OR_RETURN(a.host, OptString(file, n, "host", p));
    if (a.component.empty() || a.zone.empty())
      return Status::InvalidArgument("component and zone must not be empty",
                                     a.where);
    if (!a.host.empty() && a.rack.empty())
      return Status::InvalidArgument("a host needs its rack",
                                     At(file, n["host"], Join(p, "host")));
    auto [it, fresh] =
        seen.emplace(std::make_pair(a.component, a.replica), a.where.line);
    if (!fresh)
      return Status::InvalidArgument("replica " + std::to_string(a.replica) +
                                         " of '" + a.component +
                                         "' is assigned twice (first at line " +
                                         std::to_string(it->second) + ")",
                                     a.where);
    plan.assignments.push_back(std::move(a));
  }
  return plan;
}

}  // namespace

Result<model::PlacementPlan> ReadPlan(const std::string& file,
                                      std::string_view text) {
  ECOTONE_ASSIGN_OR_RETURN(YAML::Node doc, LoadSingleDocument(text, file));
  try {
    return ReadPlanTree(file, doc);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        "invalid plan: " + e.msg,
        {file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
         e.mark.column >= 0 ? e.mark.column + 1 : 0, ""});
  }
}

Result<model::PlacementPlan> LoadPlanFile(const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path));
  return ReadPlan(path, text);
}

Status ValidatePlan(const model::PlacementPlan& plan,
                    const model::Ecosystem& eco, const model::Topology& topo) {
  std::set<std::string_view> components;
  for (const auto& c : eco.components) components.insert(c.name);
  std::map<std::string_view, const model::Zone*> zones;
  for (const auto& z : topo.zones) zones[z.name] = &z;
  for (const auto& a : plan.assignments) {
    Location w = a.where;
    if (!components.count(a.component)) {
      w.path = Join(w.path, "component");
      return Status::InvalidArgument("plan refers to component '" +
                                         a.component +
                                         "' which is not in the ecosystem",
                                     w);
    }
    auto zit = zones.find(a.zone);
    if (zit == zones.end()) {
      w.path = Join(w.path, "zone");
      return Status::InvalidArgument(
          "plan refers to unknown zone '" + a.zone + "'", w);
    }
    if (a.rack.empty()) continue;
    const model::Rack* rack = nullptr;
    for (const auto& r : zit->second->racks)
      if (r.name == a.rack) rack = &r;
    if (!rack) {
      w.path = Join(w.path, "rack");
      return Status::InvalidArgument("plan refers to unknown rack '" + a.rack +
                                         "' in zone '" + a.zone + "'",
                                     w);
    }
    if (a.host.empty()) continue;
    bool found = false;
    for (const auto& h : rack->hosts) found = found || h.name == a.host;
    if (!found) {
      w.path = Join(w.path, "host");
      return Status::InvalidArgument("plan refers to unknown host '" + a.host +
                                         "' in rack '" + a.rack + "'",
                                     w);
    }
  }
  return Status::Ok();
}

std::string WritePlanJson(const model::PlacementPlan& plan) {
  nlohmann::ordered_json j;
  j["ecosystem"] = plan.ecosystem;
  j["infra"] = plan.infra;
  j["metadata"] = plan.metadata;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& a : plan.assignments) {
    nlohmann::ordered_json e;
    e["component"] = a.component;
    e["replica"] = a.replica;
    e["zone"] = a.zone;
    if (!a.rack.empty()) e["rack"] = a.rack;
    if (!a.host.empty()) e["host"] = a.host;
    list.push_back(std::move(e));
  }
  j["assignments"] = std::move(list);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ecotone::manifest
