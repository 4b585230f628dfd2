// Reader of the infrastructure description (docs/infra.md).
//
// The YAML tree is walked once; every error carries the location of the node
// at fault. yaml-cpp exceptions (only possible on malformed trees) are caught
// at the public entry point and become kInvalidArgument.
#include "ecotone/manifest/infra.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "ecotone/model/units.h"
#include "yaml_util.h"

namespace ecotone::manifest {
namespace {

using model::Resources;

// Largest latency (ms) and price accepted: beyond are typos, not inputs.
constexpr double kMaxLatencyMs = 1e6;
constexpr double kMaxPrice = 1e9;

Status Err(const std::string& file, const YAML::Node& node,
           const std::string& path, const std::string& msg) {
  return Status::InvalidArgument(msg, At(file, node, path));
}

Status ExpectMap(const std::string& file, const YAML::Node& node,
                 const std::string& path) {
  if (!node.IsMap()) return Err(file, node, path, "expected a mapping");
  return Status::Ok();
}

Status ExpectSeq(const std::string& file, const YAML::Node& node,
                 const std::string& path) {
  if (!node.IsSequence()) return Err(file, node, path, "expected a list");
  return Status::Ok();
}

// Rejects keys outside `allowed` (typos must not be silently ignored) and
// non-scalar keys.
Status CheckKeys(const std::string& file, const YAML::Node& map,
                 const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar())
      return Err(file, kv.first, path, "keys must be strings");
    const std::string& k = kv.first.Scalar();
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      return Err(file, kv.first, Join(path, k),
                 "unknown field '" + k + "' (expected one of: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<double> NonNegative(const std::string& file, const YAML::Node& node,
                           const std::string& path, double max) {
  if (!node.IsScalar()) return Err(file, node, path, "expected a number");
  const std::string& s = node.Scalar();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
    return Err(file, node, path, "expected a number, got '" + s + "'");
  if (v < 0) return Err(file, node, path, "must be >= 0, got " + s);
  if (v > max)
    return Err(file, node, path, "value " + s + " is implausibly large");
  return v;
}

Result<std::string> Name(const std::string& file, const YAML::Node& map,
                         const std::string& path) {
  YAML::Node n = map["name"];
  if (!n) return Err(file, map, Join(path, "name"), "missing required field");
  ECOTONE_ASSIGN_OR_RETURN(std::string s,
                           AsString(file, n, Join(path, "name")));
  if (s.empty()) return Err(file, n, Join(path, "name"), "must not be empty");
  if (s.find('/') != std::string::npos)
    return Err(file, n, Join(path, "name"), "must not contain '/'");
  return s;
}

Result<std::map<std::string, std::string>> Labels(const std::string& file,
                                                  const YAML::Node& node,
                                                  const std::string& path) {
  std::map<std::string, std::string> out;
  if (!node) return out;
  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  for (const auto& kv : node) {
    if (!kv.first.IsScalar())
      return Err(file, kv.first, path, "label keys must be strings");
    std::string p = Join(path, kv.first.Scalar());
    ECOTONE_ASSIGN_OR_RETURN(std::string v, AsString(file, kv.second, p));
    out[kv.first.Scalar()] = v;
  }
  return out;
}

Result<model::CapacityState> State(const std::string& file,
                                   const YAML::Node& map,
                                   const std::string& path) {
  YAML::Node n = map["state"];
  if (!n) return model::CapacityState::kHealthy;
  std::string p = Join(path, "state");
  ECOTONE_ASSIGN_OR_RETURN(std::string s, AsString(file, n, p));
  auto st = model::ParseCapacityState(s);
  if (!st) {
    return Err(file, n, p,
               "unknown state '" + s +
                   "' (expected healthy, degraded, failed, draining or "
                   "quarantined)");
  }
  return *st;
}

// {cpu: 64, memory: 256Gi, bandwidth: 25Gbps, storage: 2Ti}
Result<Resources> Capacity(const std::string& file, const YAML::Node& node,
                           const std::string& path) {
  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  ECOTONE_RETURN_IF_ERROR(
      CheckKeys(file, node, path, {"cpu", "memory", "bandwidth", "storage"}));
  Resources r;
  for (const auto& kv : node) {
    const std::string& k = kv.first.Scalar();
    std::string p = Join(path, k);
    if (!kv.second.IsScalar())
      return Err(file, kv.second, p, "expected a quantity");
    std::string text = kv.second.Scalar();
    size_t i = text.find_first_not_of(" \t");
    if (i != std::string::npos && text[i] == '-')
      return Err(file, kv.second, p, "capacity must be >= 0, got " + text);
    Status st;
    if (k == "cpu") {
      auto v = model::ParseCpuMillicores(text);
      if (!v.ok())
        st = v.status();
      else
        r.cpu_millicores = *v;
    } else if (k == "memory") {
      auto v = model::ParseBytes(text);
      if (!v.ok())
        st = v.status();
      else
        r.memory_bytes = *v;
    } else if (k == "bandwidth") {
      auto v = model::ParseBandwidthBps(text);
      if (!v.ok())
        st = v.status();
      else
        r.bandwidth_bps = *v;
    } else {
      auto v = model::ParseBytes(text);
      if (!v.ok())
        st = v.status();
      else
        r.storage_bytes = *v;
    }
    if (!st.ok()) return Err(file, kv.second, p, st.message());
  }
  if (r.cpu_millicores < 0 || r.memory_bytes < 0 || r.bandwidth_bps < 0 ||
      r.storage_bytes < 0)
    return Err(file, node, path, "capacity must be >= 0");
  return r;
}

Result<model::Prices> ReadPrices(const std::string& file,
                                 const YAML::Node& node,
                                 const std::string& path) {
  model::Prices p;
  if (!node) return p;
  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  ECOTONE_RETURN_IF_ERROR(
      CheckKeys(file, node, path, {"cpu", "memory", "bandwidth", "storage"}));
  for (const auto& kv : node) {
    const std::string& k = kv.first.Scalar();
    ECOTONE_ASSIGN_OR_RETURN(
        double v, NonNegative(file, kv.second, Join(path, k), kMaxPrice));
    if (k == "cpu")
      p.cpu_per_core_hour = v;
    else if (k == "memory")
      p.memory_per_gib_hour = v;
    else if (k == "bandwidth")
      p.bandwidth_per_gbps_hour = v;
    else
      p.storage_per_gib_hour = v;
  }
  return p;
}

struct MatrixSpec {
  const char* what;  // "latency", "egress price"
  bool symmetric;    // a differing reverse entry is an error.
  bool require_all;  // a missing off-diagonal pair is an error.
  double fallback;   // value of missing pairs when !require_all.
  double max;
};

// Reads a matrix over `names` in one of two forms:
//   map of maps:  {a: {b: 1.2, c: 2}, b: {c: 1.5}}
//   list form:    {zones: [a, b, c], matrix: [[0, 1.2, 2], [1.2, 0, 1.5], ...]}
// (`order_key` is "zones" or "racks"). Symmetric matrices need one direction
// only. Diagonal entries, when given, must be 0. Returns names.size()²
// row-major.
Result<std::vector<double>> Matrix(const std::string& file,
                                   const YAML::Node& node,
                                   const std::string& path,
                                   const std::vector<std::string>& names,
                                   const std::string& order_key,
                                   const MatrixSpec& spec) {
  const size_t n = names.size();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index[names[i]] = i;
  const double kUnset = -1;
  std::vector<double> m(n * n, kUnset);
  for (size_t i = 0; i < n; ++i) m[i * n + i] = 0;
  std::string kind = order_key == "zones" ? "zone" : "rack";

  auto set = [&](size_t a, size_t b, double v, const YAML::Node& at,
                 const std::string& p) -> Status {
    if (a == b) {
      if (v != 0)
        return Err(file, at, p,
                   std::string(spec.what) + " from '" + names[a] +
                       "' to itself must be 0");
      return Status::Ok();
    }
    double& x = m[a * n + b];
    if (x != kUnset && x != v) {
      if (spec.symmetric)
        return Err(file, at, p,
                   std::string(spec.what) + " must be symmetric: " + names[a] +
                       "→" + names[b] + " differs from " + names[b] + "→" +
                       names[a]);
      return Err(file, at, p,
                 std::string(spec.what) + " " + names[a] + "→" + names[b] +
                     " given twice with different values");
    }
    x = v;
    if (spec.symmetric) {
      double& y = m[b * n + a];
      if (y != kUnset && y != v)
        return Err(file, at, p,
                   std::string(spec.what) + " must be symmetric: " + names[a] +
                       "→" + names[b] + " differs from " + names[b] + "→" +
                       names[a]);
      y = v;
    }
    return Status::Ok();
  };
  auto lookup = [&](const YAML::Node& key,
                    const std::string& p) -> Result<size_t> {
    if (!key.IsScalar())
      return Err(file, key, p, "expected a " + kind + " name");
    auto it = index.find(key.Scalar());
    if (it == index.end())
      return Err(file, key, p, "unknown " + kind + " '" + key.Scalar() + "'");
    return it->second;
  };

  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  if (node[order_key] || node["matrix"]) {
    ECOTONE_RETURN_IF_ERROR(CheckKeys(file, node, path, {order_key, "matrix"}));
    YAML::Node order = node[order_key];
    YAML::Node rows = node["matrix"];
    std::string op = Join(path, order_key), mp = Join(path, "matrix");
    if (!order) return Err(file, node, op, "missing required field");
    if (!rows) return Err(file, node, mp, "missing required field");
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, order, op));
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, rows, mp));
    std::vector<size_t> ids;
    std::set<size_t> seen;
    for (size_t i = 0; i < order.size(); ++i) {
      ECOTONE_ASSIGN_OR_RETURN(size_t id, lookup(order[i], Join(op, i)));
      if (!seen.insert(id).second)
        return Err(file, order[i], Join(op, i),
                   "duplicate " + kind + " '" + names[id] + "'");
      ids.push_back(id);
    }
    if (rows.size() != ids.size())
      return Err(file, rows, mp,
                 "matrix is not square: " + std::to_string(rows.size()) +
                     " rows for " + std::to_string(ids.size()) + " " + kind +
                     "s");
    for (size_t r = 0; r < rows.size(); ++r) {
      std::string rp = Join(mp, r);
      ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, rows[r], rp));
      if (rows[r].size() != ids.size())
        return Err(file, rows[r], rp,
                   "matrix is not square: row has " +
                       std::to_string(rows[r].size()) + " entries, expected " +
                       std::to_string(ids.size()));
      for (size_t c = 0; c < ids.size(); ++c) {
        std::string cp = Join(rp, c);
        ECOTONE_ASSIGN_OR_RETURN(double v,
                                 NonNegative(file, rows[r][c], cp, spec.max));
        ECOTONE_RETURN_IF_ERROR(set(ids[r], ids[c], v, rows[r][c], cp));
      }
    }
  } else {
    for (const auto& row : node) {
      std::string rp =
          Join(path, row.first.IsScalar() ? row.first.Scalar() : "?");
      ECOTONE_ASSIGN_OR_RETURN(size_t a, lookup(row.first, rp));
      ECOTONE_RETURN_IF_ERROR(ExpectMap(file, row.second, rp));
      for (const auto& cell : row.second) {
        std::string cp =
            Join(rp, cell.first.IsScalar() ? cell.first.Scalar() : "?");
        ECOTONE_ASSIGN_OR_RETURN(size_t b, lookup(cell.first, cp));
        ECOTONE_ASSIGN_OR_RETURN(double v,
                                 NonNegative(file, cell.second, cp, spec.max));
        ECOTONE_RETURN_IF_ERROR(set(a, b, v, cell.second, cp));
      }
    }
  }
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      if (m[a * n + b] != kUnset) continue;
      if (spec.require_all)
        return Err(file, node, path,
                   std::string(spec.what) + " between " + kind + "s '" +
                       names[a] + "' and '" + names[b] + "' is missing");
      m[a * n + b] = spec.fallback;
    }
  }
  return m;
}

Result<model::Host> ReadHost(const std::string& file, const YAML::Node& node,
                             const std::string& path) {
  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  ECOTONE_RETURN_IF_ERROR(
      CheckKeys(file, node, path, {"name", "state", "labels", "capacity"}));
  model::Host h;
  h.where = At(file, node, path);
  ECOTONE_ASSIGN_OR_RETURN(h.name, Name(file, node, path));
  ECOTONE_ASSIGN_OR_RETURN(h.state, State(file, node, path));
  ECOTONE_ASSIGN_OR_RETURN(h.labels,
                           Labels(file, node["labels"], Join(path, "labels")));
  if (!node["capacity"])
    return Err(file, node, Join(path, "capacity"), "missing required field");
  ECOTONE_ASSIGN_OR_RETURN(
      h.capacity, Capacity(file, node["capacity"], Join(path, "capacity")));
  return h;
}

Result<model::Rack> ReadRack(const std::string& file, const YAML::Node& node,
                             const std::string& path, const std::string& zone) {
  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  ECOTONE_RETURN_IF_ERROR(CheckKeys(
      file, node, path,
      {"name", "state", "failure_domain", "labels", "capacity", "hosts"}));
  model::Rack r;
  r.where = At(file, node, path);
  ECOTONE_ASSIGN_OR_RETURN(r.name, Name(file, node, path));
  ECOTONE_ASSIGN_OR_RETURN(r.state, State(file, node, path));
  ECOTONE_ASSIGN_OR_RETURN(r.labels,
                           Labels(file, node["labels"], Join(path, "labels")));
  r.failure_domain = zone + "/" + r.name;
  if (node["failure_domain"]) {
    ECOTONE_ASSIGN_OR_RETURN(
        r.failure_domain,
        AsString(file, node["failure_domain"], Join(path, "failure_domain")));
  }
  YAML::Node hosts = node["hosts"];
  YAML::Node cap = node["capacity"];
  if (hosts && cap)
    return Err(file, cap, Join(path, "capacity"),
               "give capacity per rack or per host, not both");
  if (hosts) {
    std::string hp = Join(path, "hosts");
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, hosts, hp));
    if (hosts.size() == 0) return Err(file, hosts, hp, "must not be empty");
    std::set<std::string> names;
    for (size_t i = 0; i < hosts.size(); ++i) {
      ECOTONE_ASSIGN_OR_RETURN(model::Host h,
                               ReadHost(file, hosts[i], Join(hp, i)));
      if (!names.insert(h.name).second)
        return Err(
            file, hosts[i]["name"], Join(Join(hp, i), "name"),
            "duplicate host name '" + h.name + "' in rack '" + r.name + "'");
      r.capacity = model::Add(r.capacity, h.capacity);
      r.hosts.push_back(std::move(h));
    }
  } else {
    if (!cap)
      return Err(file, node, Join(path, "capacity"),
                 "missing required field (or list hosts)");
    ECOTONE_ASSIGN_OR_RETURN(r.capacity,
                             Capacity(file, cap, Join(path, "capacity")));
  }
  return r;
}

Result<model::Zone> ReadZone(const std::string& file, const YAML::Node& node,
                             const std::string& path,
                             const model::Region& region,
                             double default_rack_latency_ms) {
  ECOTONE_RETURN_IF_ERROR(ExpectMap(file, node, path));
  ECOTONE_RETURN_IF_ERROR(
      CheckKeys(file, node, path,
                {"name", "state", "failure_domain", "labels", "prices",
                 "capacity", "racks", "rack_latency_ms"}));
  model::Zone z;
  z.where = At(file, node, path);
  z.region = region.name;
  ECOTONE_ASSIGN_OR_RETURN(z.name, Name(file, node, path));
  ECOTONE_ASSIGN_OR_RETURN(z.state, State(file, node, path));
  ECOTONE_ASSIGN_OR_RETURN(auto own,
                           Labels(file, node["labels"], Join(path, "labels")));
  z.labels = region.labels;
  for (auto& [k, v] : own) z.labels[k] = v;
  z.failure_domain = z.name;
  if (node["failure_domain"]) {
    ECOTONE_ASSIGN_OR_RETURN(
        z.failure_domain,
        AsString(file, node["failure_domain"], Join(path, "failure_domain")));
  }
  if (!node["prices"])
    return Err(file, node, Join(path, "prices"), "missing required field");
  ECOTONE_ASSIGN_OR_RETURN(
      z.prices, ReadPrices(file, node["prices"], Join(path, "prices")));
  YAML::Node racks = node["racks"];
  YAML::Node cap = node["capacity"];
  if (racks && cap)
    return Err(file, cap, Join(path, "capacity"),
               "give capacity per zone or per rack, not both");
  if (racks) {
    std::string rp = Join(path, "racks");
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, racks, rp));
    if (racks.size() == 0) return Err(file, racks, rp, "must not be empty");
    std::set<std::string> names;
    for (size_t i = 0; i < racks.size(); ++i) {
      ECOTONE_ASSIGN_OR_RETURN(model::Rack r,
                               ReadRack(file, racks[i], Join(rp, i), z.name));
      if (!names.insert(r.name).second)
        return Err(
            file, racks[i]["name"], Join(Join(rp, i), "name"),
            "duplicate rack name '" + r.name + "' in zone '" + z.name + "'");
      z.capacity = model::Add(z.capacity, r.capacity);
      z.racks.push_back(std::move(r));
    }
  } else {
    if (!cap)
      return Err(file, node, Join(path, "capacity"),
                 "missing required field (or list racks)");
    ECOTONE_ASSIGN_OR_RETURN(z.capacity,
                             Capacity(file, cap, Join(path, "capacity")));
  }
  YAML::Node rl = node["rack_latency_ms"];
  std::string rlp = Join(path, "rack_latency_ms");
  if (rl && z.racks.empty())
    return Err(file, rl, rlp, "rack latency given but no racks are listed");
  if (z.racks.size() >= 2) {
    std::vector<std::string> names;
    for (const auto& r : z.racks) names.push_back(r.name);
    double uniform = default_rack_latency_ms;
    if (rl && rl.IsScalar()) {
      ECOTONE_ASSIGN_OR_RETURN(uniform,
                               NonNegative(file, rl, rlp, kMaxLatencyMs));
    }
    if (rl && !rl.IsScalar()) {
      ECOTONE_ASSIGN_OR_RETURN(
          z.rack_latency_ms,
          Matrix(file, rl, rlp, names, "racks",
                 {"rack latency", true, false, uniform, kMaxLatencyMs}));
    } else {
      size_t n = names.size();
      z.rack_latency_ms.assign(n * n, uniform);
      for (size_t i = 0; i < n; ++i) z.rack_latency_ms[i * n + i] = 0;
    }
  }
  return z;
}

Result<model::Topology> ReadTopology(const std::string& file,
                                     const YAML::Node& root) {
  model::Topology t;
  t.source_files.push_back(file);
  if (!root.IsMap())
    return Err(file, root, "",
               "an infrastructure description must be a mapping");
  ECOTONE_RETURN_IF_ERROR(CheckKeys(
      file, root, "",
      {"name", "defaults", "regions", "latency_ms", "egress_per_gb"}));
  if (root["name"]) {
    ECOTONE_ASSIGN_OR_RETURN(t.name, AsString(file, root["name"], "name"));
  }
  double rack_latency = 0.1;
  double egress_default = 0;
  if (YAML::Node d = root["defaults"]) {
    ECOTONE_RETURN_IF_ERROR(ExpectMap(file, d, "defaults"));
    ECOTONE_RETURN_IF_ERROR(CheckKeys(
        file, d, "defaults",
        {"rack_latency_ms", "egress_per_gb", "degraded_cost_factor"}));
    if (d["rack_latency_ms"]) {
      ECOTONE_ASSIGN_OR_RETURN(
          rack_latency, NonNegative(file, d["rack_latency_ms"],
                                    "defaults.rack_latency_ms", kMaxLatencyMs));
    }
    if (d["egress_per_gb"]) {
      ECOTONE_ASSIGN_OR_RETURN(
          egress_default, NonNegative(file, d["egress_per_gb"],
                                      "defaults.egress_per_gb", kMaxPrice));
    }
    if (d["degraded_cost_factor"]) {
      ECOTONE_ASSIGN_OR_RETURN(
          t.degraded_cost_factor,
          AsDouble(file, d["degraded_cost_factor"],
                   "defaults.degraded_cost_factor", 1.0, 1000.0));
    }
  }
  YAML::Node regions = root["regions"];
  if (!regions) return Err(file, root, "regions", "missing required field");
  ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, regions, "regions"));
  std::set<std::string> region_names;
  std::map<std::string, Location> zone_names;
  for (size_t i = 0; i < regions.size(); ++i) {
    std::string rp = Join("regions", i);
    const YAML::Node& rn = regions[i];
    ECOTONE_RETURN_IF_ERROR(ExpectMap(file, rn, rp));
    ECOTONE_RETURN_IF_ERROR(
        CheckKeys(file, rn, rp, {"name", "labels", "zones"}));
    model::Region region;
    ECOTONE_ASSIGN_OR_RETURN(region.name, Name(file, rn, rp));
    if (!region_names.insert(region.name).second)
      return Err(file, rn["name"], Join(rp, "name"),
                 "duplicate region name '" + region.name + "'");
    ECOTONE_ASSIGN_OR_RETURN(region.labels,
                             Labels(file, rn["labels"], Join(rp, "labels")));
    YAML::Node zones = rn["zones"];
    std::string zp = Join(rp, "zones");
    if (!zones) return Err(file, rn, zp, "missing required field");
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(file, zones, zp));
    if (zones.size() == 0) return Err(file, zones, zp, "must not be empty");
    for (size_t j = 0; j < zones.size(); ++j) {
      ECOTONE_ASSIGN_OR_RETURN(
          model::Zone z,
          ReadZone(file, zones[j], Join(zp, j), region, rack_latency));
      auto [it, fresh] = zone_names.emplace(z.name, z.where);
      if (!fresh)
        return Err(file, zones[j]["name"], Join(Join(zp, j), "name"),
                   "duplicate zone name '" + z.name + "' (first at line " +
                       std::to_string(it->second.line) + ")");
      t.zones.push_back(std::move(z));
    }
    t.regions.push_back(std::move(region));
  }
  if (t.zones.empty())
    return Err(file, regions, "regions", "at least one zone is required");
  std::vector<std::string> names;
  for (const auto& z : t.zones) names.push_back(z.name);
  const size_t n = names.size();
  if (YAML::Node lat = root["latency_ms"]) {
    ECOTONE_ASSIGN_OR_RETURN(t.latency_ms,
                             Matrix(file, lat, "latency_ms", names, "zones",
                                    {"latency", true, true, 0, kMaxLatencyMs}));
  } else if (n > 1) {
    return Err(file, root, "latency_ms",
               "missing required field (latency between zones)");
  } else {
    t.latency_ms.assign(1, 0.0);
  }
  if (YAML::Node eg = root["egress_per_gb"]) {
    ECOTONE_ASSIGN_OR_RETURN(
        t.egress_per_gb,
        Matrix(file, eg, "egress_per_gb", names, "zones",
               {"egress price", false, false, egress_default, kMaxPrice}));
  } else {
    t.egress_per_gb.assign(n * n, egress_default);
    for (size_t i = 0; i < n; ++i) t.egress_per_gb[i * n + i] = 0;
  }
  return t;
}

}  // namespace

Result<model::Topology> ReadInfra(const std::string& file,
                                  std::string_view text) {
  ECOTONE_ASSIGN_OR_RETURN(YAML::Node doc, LoadSingleDocument(text, file));
  try {
    YAML::Node root = ResolveMergeKeys(doc);
    return ReadTopology(file, root);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        "invalid infrastructure description: " + e.msg,
        {file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
         e.mark.column >= 0 ? e.mark.column + 1 : 0, ""});
  }
}

Result<model::Topology> LoadInfraFile(const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path));
  return ReadInfra(path, text);
}

}  // namespace ecotone::manifest
