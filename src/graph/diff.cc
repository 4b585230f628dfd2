// DiffEcosystems: hash join of components by name and dependencies by
// (from, to, kind), then a field-by-field comparison.
#include "ecotone/graph/diff.h"

#include <cstdio>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "ecotone/model/units.h"

namespace ecotone::graph {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Replicas(const model::Replicas& r) {
  return "min " + std::to_string(r.min) + ", initial " +
         std::to_string(r.initial) + ", max " + std::to_string(r.max);
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

std::string Map(const std::map<std::string, std::string>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += (s.empty() ? "" : ",") + k + "=" + v;
  return s;
}

std::string Ports(const std::vector<model::Port>& ports) {
  std::string s;
  for (const auto& p : ports) {
    if (!s.empty()) s += ",";
    s += std::to_string(p.number);
    if (!p.protocol.empty()) s += "/" + p.protocol;
    if (!p.name.empty()) s += "(" + p.name + ")";
  }
  return s;
}

std::string Placement(const model::PlacementConstraints& p) {
  return "regions=[" + Join(p.allowed_regions) + "] zones=[" +
         Join(p.allowed_zones) + "] zone_labels={" + Map(p.zone_labels) +
         "} spread_min_zones=" + std::to_string(p.spread_min_zones) +
         " max_per_zone=" + std::to_string(p.max_per_zone);
}

template <typename T>
void Compare(std::vector<FieldChange>& out, const char* field, const T& a,
             const T& b, const std::function<std::string(const T&)>& fmt) {
  if (!(a == b)) out.push_back({field, fmt(a), fmt(b)});
}

void CompareResources(std::vector<FieldChange>& out, const std::string& prefix,
                      const model::Resources& a, const model::Resources& b) {
  auto add = [&](const char* f, int64_t x, int64_t y,
                 std::string (*fmt)(int64_t)) {
    if (x != y) out.push_back({prefix + "." + f, fmt(x), fmt(y)});
  };
  add("cpu", a.cpu_millicores, b.cpu_millicores, &model::FormatCpu);
  add("memory", a.memory_bytes, b.memory_bytes, &model::FormatBytes);
  add("bandwidth", a.bandwidth_bps, b.bandwidth_bps, &model::FormatBandwidth);
  add("storage", a.storage_bytes, b.storage_bytes, &model::FormatBytes);
}

std::vector<FieldChange> CompareComponents(const model::Component& a,
                                           const model::Component& b) {
  std::vector<FieldChange> out;
  auto str = [](const std::string& s) { return s; };
  using S = std::string;
  Compare<model::ComponentKind>(out, "kind", a.kind, b.kind, [](const auto& k) {
    return S(model::ComponentKindName(k));
  });
  Compare<S>(out, "version", a.version, b.version, str);
  Compare<S>(out, "image", a.image, b.image, str);
  Compare<model::Replicas>(out, "replicas", a.replicas, b.replicas, Replicas);
  CompareResources(out, "requests", a.requests, b.requests);
  CompareResources(out, "limits", a.limits, b.limits);
  Compare<int64_t>(out, "latency_slo", a.latency_slo_us, b.latency_slo_us,
                   [](const int64_t& v) { return model::FormatDuration(v); });
  Compare<bool>(out, "stateful", a.stateful, b.stateful,
                [](const bool& v) { return S(v ? "true" : "false"); });
  Compare<model::PlacementConstraints>(out, "placement", a.placement,
                                       b.placement, Placement);
  Compare<std::map<S, S>>(out, "labels", a.labels, b.labels, Map);
  Compare<std::vector<model::Port>>(out, "ports", a.ports, b.ports, Ports);
  Compare<double>(out, "capacity_rps_per_replica", a.capacity_rps_per_replica,
                  b.capacity_rps_per_replica, Num);
  Compare<int64_t>(out, "startup", a.startup_us, b.startup_us,
                   [](const int64_t& v) { return model::FormatDuration(v); });
  Compare<std::vector<S>>(out, "profiles", a.profiles, b.profiles, Join);
  return out;
}

std::vector<FieldChange> CompareDependencies(const model::Dependency& a,
                                             const model::Dependency& b) {
  std::vector<FieldChange> out;
  using S = std::string;
  Compare<int>(out, "port", a.port, b.port,
               [](const int& v) { return std::to_string(v); });
  Compare<S>(out, "protocol", a.protocol, b.protocol,
             [](const S& s) { return s; });
  Compare<double>(out, "traffic_rps", a.traffic_rps, b.traffic_rps, Num);
  Compare<double>(out, "traffic_bytes_per_s", a.traffic_bytes_per_s,
                  b.traffic_bytes_per_s, Num);
  Compare<int64_t>(out, "latency_budget", a.latency_budget_us,
                   b.latency_budget_us,
                   [](const int64_t& v) { return model::FormatDuration(v); });
  Compare<model::Criticality>(
      out, "criticality", a.criticality, b.criticality,
      [](const model::Criticality& c) { return S(model::CriticalityName(c)); });
  Compare<bool>(out, "inferred", a.inferred, b.inferred,
                [](const bool& v) { return S(v ? "true" : "false"); });
  return out;
}

// "from\0to\0kind" as a hash key.
std::string KeyOf(const model::Dependency& d) {
  std::string k;
  k.reserve(d.from.size() + d.to.size() + 4);
  k += d.from;
  k += '\0';
  k += d.to;
  k += '\0';
  k += static_cast<char>('0' + static_cast<int>(d.kind));
  return k;
}

}  // namespace

bool EcosystemDiff::empty() const {
  return ecosystem_changes.empty() && added_components.empty() &&
         removed_components.empty() && changed_components.empty() &&
         added_edges.empty() && removed_edges.empty() && changed_edges.empty();
}

EcosystemDiff DiffEcosystems(const model::Ecosystem& old_eco,
                             const model::Ecosystem& new_eco) {
  EcosystemDiff d;
  d.old_version = old_eco.version;
  d.new_version = new_eco.version;
  if (old_eco.name != new_eco.name)
    d.ecosystem_changes.push_back({"name", old_eco.name, new_eco.name});
  if (old_eco.version != new_eco.version)
    d.ecosystem_changes.push_back(
        {"version", old_eco.version, new_eco.version});

  std::unordered_map<std::string_view, const model::Component*> old_c, new_c;
  old_c.reserve(old_eco.components.size() * 2);
  new_c.reserve(new_eco.components.size() * 2);
  for (const auto& c : old_eco.components) old_c.emplace(c.name, &c);
  for (const auto& c : new_eco.components) new_c.emplace(c.name, &c);
  for (const auto& c : new_eco.components) {
    if (new_c.at(c.name) != &c) continue;  // duplicate name: first wins.
    auto it = old_c.find(c.name);
    if (it == old_c.end()) {
      d.added_components.push_back(c.name);
      continue;
    }
    auto changes = CompareComponents(*it->second, c);
    if (!changes.empty())
      d.changed_components.push_back({c.name, std::move(changes)});
  }
  for (const auto& c : old_eco.components)
    if (old_c.at(c.name) == &c && !new_c.count(c.name))
      d.removed_components.push_back(c.name);

  std::unordered_map<std::string, const model::Dependency*> old_e, new_e;
  old_e.reserve(old_eco.dependencies.size() * 2);
  new_e.reserve(new_eco.dependencies.size() * 2);
  for (const auto& e : old_eco.dependencies) old_e.emplace(KeyOf(e), &e);
  for (const auto& e : new_eco.dependencies) {
    auto [it, inserted] = new_e.emplace(KeyOf(e), &e);
    if (!inserted) continue;
    auto o = old_e.find(it->first);
    if (o == old_e.end()) {
      d.added_edges.push_back({e.from, e.to, e.kind});
      continue;
    }
    auto changes = CompareDependencies(*o->second, e);
    if (!changes.empty())
      d.changed_edges.push_back({{e.from, e.to, e.kind}, std::move(changes)});
  }
  for (const auto& e : old_eco.dependencies) {
    std::string k = KeyOf(e);
    if (old_e.at(k) == &e && !new_e.count(k))
      d.removed_edges.push_back({e.from, e.to, e.kind});
  }
  return d;
}

}  // namespace ecotone::graph
