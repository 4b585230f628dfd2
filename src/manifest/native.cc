// Reader of the native Ecotone manifest format (YAML or JSON, one schema;
// docs/manifest.md and docs/manifest.schema.json describe it).
//
// The reader is strict: unknown keys, duplicate keys, wrong types, unknown
// units, negative and absurd values are input errors that name the file,
// line, column and field path. Facts about the ecosystem that are wrong but
// do not stop reading (a dependency naming an unknown component, a component
// depending on itself) become model::Problem entries instead, so `analyze`
// can report all of them at once.
//
// JSON goes through the same YAML parser (YAML 1.2 is a superset of JSON),
// so locations and messages are the same for both.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecotone/manifest/infer.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/model/units.h"
#include "native_precheck.h"
#include "yaml_util.h"

namespace ecotone::manifest {
namespace {

// Limits beyond which a value is considered a typo rather than a plan
// (documented in docs/manifest.md, "Limits").
constexpr int64_t kMaxReplicas = 100000;
constexpr int64_t kMaxCpuMillicores = 10000LL * 1000;       // 10000 cores.
constexpr int64_t kMaxMemoryBytes = 1LL << 50;              // 1 PiB.
constexpr int64_t kMaxStorageBytes = 1LL << 50;             // 1 PiB.
constexpr int64_t kMaxBandwidthBps = 10'000'000'000'000LL;  // 10 Tbps.
constexpr int64_t kMaxDurationUs = 86400LL * 1000 * 1000;   // 1 day.
constexpr double kMaxRps = 1e9;
constexpr double kMaxBytesPerSecond = 1e12;  // 1 TB/s.
constexpr size_t kMaxNameLength = 253;

constexpr std::string_view kStartHint =
    "an Ecotone manifest starts with 'ecotone: v1' followed by 'ecosystem:', "
    "'components:' and optionally 'dependencies:' (see docs/manifest.md)";

std::string TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return "a scalar '" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "something else";
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

// Levenshtein distance, for "did you mean" hints on short names.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The closest candidate within a small edit distance, or "".
std::string Closest(std::string_view word,
                    const std::vector<std::string_view>& candidates) {
  if (word.size() > 64) return "";
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    if (c.size() > 64) continue;
    size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

// The version part of an image reference: "redis:7.2" -> "7.2",
// "busybox:1.38.0@sha256:..." -> "1.38.0", "host:5000/app" -> "".
std::string ImageTag(std::string_view image) {
  size_t at = image.find('@');
  if (at != std::string_view::npos) image = image.substr(0, at);
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon == std::string_view::npos ||
      (slash != std::string_view::npos && colon < slash))
    return "";
  return std::string(image.substr(colon + 1));
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// One reading of one file. Holds the file name for locations and collects
// problems. Not thread-safe; one per call of ReadNative.
class NativeReader {
 public:
  NativeReader(const std::string& file, const LoadOptions& options)
      : file_(file), options_(options) {}

  Result<LoadResult> Read(std::string_view text);

 private:
  Location Loc(const YAML::Node& node, const std::string& path) const {
    return At(file_, node, path);
  }
  Status Error(const YAML::Node& node, const std::string& path,
               std::string message) const {
    return Status::InvalidArgument(std::move(message), Loc(node, path));
  }

  // Checks that `node` is a map whose keys are all scalars from `allowed`
  // (or begin with "x-"), without duplicates.
  Status CheckMap(const YAML::Node& node, const std::string& path,
                  const std::vector<std::string_view>& allowed) const;
  // The value of `key` in a map checked by CheckMap (undefined if absent).
  static YAML::Node Get(const YAML::Node& map, std::string_view key);

  Result<std::string> String(const YAML::Node& node,
                             const std::string& path) const;
  Result<std::string> Name(const YAML::Node& node,
                           const std::string& path) const;
  Result<int64_t> Int(const YAML::Node& node, const std::string& path,
                      int64_t min, int64_t max) const;
  Result<double> Number(const YAML::Node& node, const std::string& path,
                        double max) const;
  Result<bool> Bool(const YAML::Node& node, const std::string& path) const;
  Result<int64_t> Duration(const YAML::Node& node,
                           const std::string& path) const;
  Result<std::vector<std::string>> StringList(const YAML::Node& node,
                                              const std::string& path) const;
  Result<std::map<std::string, std::string>> StringMap(
      const YAML::Node& node, const std::string& path) const;

  Status ReadEcosystem(const YAML::Node& node, model::Ecosystem* eco) const;
  Status ReadComponent(const YAML::Node& node, const std::string& path,
                       model::Component* c) const;
  Status ReadReplicas(const YAML::Node& node, const std::string& path,
                      model::Replicas* r) const;
  Status ReadResources(const YAML::Node& node, const std::string& path,
                       model::Resources* r) const;
  Status CheckLimits(const YAML::Node& node, const std::string& path,
                     const model::Resources& requests,
                     const model::Resources& limits) const;
  Status ReadPlacement(const YAML::Node& node, const std::string& path,
                       const model::Replicas& replicas,
                       model::PlacementConstraints* p) const;
  Status ReadScaling(const YAML::Node& node, const std::string& path,
                     model::Component* c) const;
  Status ReadPorts(const YAML::Node& node, const std::string& path,
                   std::vector<model::Port>* ports) const;
  Status ReadDependencies(const YAML::Node& node, LoadResult* out);

  const std::string& file_;
  const LoadOptions& options_;
};

Status NativeReader::CheckMap(
    const YAML::Node& node, const std::string& path,
    const std::vector<std::string_view>& allowed) const {
  if (!node.IsMap()) {
    return Error(node, path,
                 "expected a map with keys " + JoinNames(allowed) + ", got " +
                     TypeName(node));
  }
  std::unordered_map<std::string, int> seen;  // key -> 1-based line.
  for (const auto& kv : node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) {
      return Error(key, path, "keys must be plain names, got " + TypeName(key));
    }
    const std::string& k = key.Scalar();
    std::string kpath = Join(path, k);
    auto [it, inserted] = seen.emplace(k, Loc(key, "").line);
    if (!inserted) {
      return Error(key, kpath,
                   "duplicate key '" + k + "' (first at line " +
                       std::to_string(it->second) + ")");
    }
    if (k.size() > 2 && k[0] == 'x' && k[1] == '-') continue;  // extension.
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    std::string msg = "unknown key '" + k + "'";
    std::string hint = Closest(k, allowed);
    if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
    msg += "; allowed keys: " + JoinNames(allowed);
    return Error(key, kpath, msg);
  }
  return Status::Ok();
}

YAML::Node NativeReader::Get(const YAML::Node& map, std::string_view key) {
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  return YAML::Node(YAML::NodeType::Undefined);
}

Result<std::string> NativeReader::String(const YAML::Node& node,
                                         const std::string& path) const {
  if (!node.IsScalar())
    return Error(node, path, "expected a string, got " + TypeName(node));
  return node.Scalar();
}

Result<std::string> NativeReader::Name(const YAML::Node& node,
                                       const std::string& path) const {
  ECOTONE_ASSIGN_OR_RETURN(std::string s, String(node, path));
  if (!ValidName(s)) {
    std::string shown = s.size() > 80 ? s.substr(0, 80) + "..." : s;
    return Error(node, path,
                 "invalid name '" + shown +
                     "': use 1 to 253 letters, digits, '-', '_' or '.', "
                     "starting with a letter or digit");
  }
  return s;
}

Result<int64_t> NativeReader::Int(const YAML::Node& node,
                                  const std::string& path, int64_t min,
                                  int64_t max) const {
  if (!node.IsScalar())
    return Error(node, path, "expected an integer, got " + TypeName(node));
  const std::string& s = node.Scalar();
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  bool digits = i < s.size();
  for (size_t j = i; j < s.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(s[j]))) digits = false;
  if (!digits) return Error(node, path, "expected an integer, got '" + s + "'");
  if (s[0] == '-' && min >= 0) {
    return Error(node, path, "must not be negative, got " + s);
  }
  // Compare by length first so huge digit strings do not overflow.
  std::string_view body(s.data() + i, s.size() - i);
  while (body.size() > 1 && body.front() == '0') body.remove_prefix(1);
  if (body.size() > 18) {
    return Error(node, path,
                 "value " + s + " is out of range [" + std::to_string(min) +
                     ", " + std::to_string(max) + "]");
  }
  int64_t v = std::stoll(std::string(body));
  if (s[0] == '-') v = -v;
  if (v < min || v > max) {
    return Error(node, path,
                 "value " + s + " is out of range [" + std::to_string(min) +
                     ", " + std::to_string(max) + "]");
  }
  return v;
}

Result<double> NativeReader::Number(const YAML::Node& node,
                                    const std::string& path, double max) const {
  if (!node.IsScalar())
    return Error(node, path, "expected a number, got " + TypeName(node));
  const std::string& s = node.Scalar();
  if (!s.empty() && s[0] == '-') {
    return Error(node, path, "must not be negative, got " + s);
  }
  auto v = AsDouble(file_, node, path, 0, max);
  if (!v.ok()) return v.status();
  return *v;
}

Result<bool> NativeReader::Bool(const YAML::Node& node,
                                const std::string& path) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  return Error(node, path, "expected true or false, got " + TypeName(node));
}

Result<int64_t> NativeReader::Duration(const YAML::Node& node,
                                       const std::string& path) const {
  if (!node.IsScalar())
    return Error(node, path,
                 "expected a duration like '200ms', got " + TypeName(node));
  auto v = model::ParseDurationMicros(node.Scalar());
  if (!v.ok()) return Error(node, path, v.status().message());
  if (*v > kMaxDurationUs) {
    return Error(node, path,
                 "duration '" + node.Scalar() + "' is longer than 1 day");
  }
  return *v;
}

Result<std::vector<std::string>> NativeReader::StringList(
    const YAML::Node& node, const std::string& path) const {
  if (!node.IsSequence())
    return Error(node, path, "expected a list of names, got " + TypeName(node));
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i) {
    ECOTONE_ASSIGN_OR_RETURN(std::string s, Name(node[i], Join(path, i)));
    if (std::find(out.begin(), out.end(), s) != out.end())
      return Error(node[i], Join(path, i), "'" + s + "' is listed twice");
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::map<std::string, std::string>> NativeReader::StringMap(
    const YAML::Node& node, const std::string& path) const {
  if (!node.IsMap())
    return Error(node, path,
                 "expected a map of names to values, got " + TypeName(node));
  std::map<std::string, std::string> out;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar() || kv.first.Scalar().empty())
      return Error(kv.first, path, "keys must be non-empty strings");
    const std::string& k = kv.first.Scalar();
    std::string kpath = Join(path, k);
    ECOTONE_ASSIGN_OR_RETURN(std::string v, String(kv.second, kpath));
    if (!out.emplace(k, std::move(v)).second)
      return Error(kv.first, kpath, "duplicate key '" + k + "'");
  }
  return out;
}

Status NativeReader::ReadEcosystem(const YAML::Node& node,
                                   model::Ecosystem* eco) const {
  const std::string path = "ecosystem";
  ECOTONE_RETURN_IF_ERROR(
      CheckMap(node, path, {"name", "version", "description"}));
  if (YAML::Node n = Get(node, "name"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(eco->name, Name(n, Join(path, "name")));
  }
  if (YAML::Node n = Get(node, "version"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(eco->version, String(n, Join(path, "version")));
  }
  if (YAML::Node n = Get(node, "description"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(String(n, Join(path, "description")).status());
  }
  return Status::Ok();
}

Status NativeReader::ReadReplicas(const YAML::Node& node,
                                  const std::string& path,
                                  model::Replicas* r) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s.empty() || s.find_first_not_of("+-0123456789") != std::string::npos) {
      return Error(node, path,
                   "expected an integer or a map with keys min, max, initial, "
                   "got '" +
                       s + "'");
    }
    ECOTONE_ASSIGN_OR_RETURN(int64_t n, Int(node, path, 1, kMaxReplicas));
    r->min = r->max = r->initial = static_cast<int>(n);
    return Status::Ok();
  }
  if (!node.IsMap()) {
    return Error(node, path,
                 "expected an integer or a map with keys min, max, initial, "
                 "got " +
                     TypeName(node));
  }
  ECOTONE_RETURN_IF_ERROR(CheckMap(node, path, {"min", "max", "initial"}));
  YAML::Node nmin = Get(node, "min"), nmax = Get(node, "max"),
             ninit = Get(node, "initial");
  std::optional<int64_t> mn, mx, in;
  if (nmin.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(mn, Int(nmin, Join(path, "min"), 0, kMaxReplicas));
  }
  if (nmax.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(mx, Int(nmax, Join(path, "max"), 0, kMaxReplicas));
  }
  if (ninit.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(
        in, Int(ninit, Join(path, "initial"), 0, kMaxReplicas));
  }
  // Defaults: min 1 (0 when initial is 0), initial = min, max = the larger
  // of min and initial.
  int64_t min = mn ? *mn : (in ? std::min<int64_t>(1, *in) : 1);
  int64_t initial = in ? *in : min;
  int64_t max = mx ? *mx : std::max(min, initial);
  if (mx && min > max) {
    return Error(nmax, Join(path, "max"),
                 "max (" + std::to_string(max) + ") is below min (" +
                     std::to_string(min) + ")");
  }
  if (initial < min || initial > max) {
    const YAML::Node& at = ninit.IsDefined() ? ninit : (mx ? nmax : nmin);
    std::string at_path =
        Join(path, ninit.IsDefined() ? "initial" : (mx ? "max" : "min"));
    return Error(at, at_path,
                 "initial (" + std::to_string(initial) +
                     ") must be between min (" + std::to_string(min) +
                     ") and max (" + std::to_string(max) + ")");
  }
  if (max == 0) {
    return Error(mx ? nmax : node, Join(path, "max"), "max must be at least 1");
  }
  r->min = static_cast<int>(min);
  r->max = static_cast<int>(max);
  r->initial = static_cast<int>(initial);
  return Status::Ok();
}

Status NativeReader::ReadResources(const YAML::Node& node,
                                   const std::string& path,
                                   model::Resources* r) const {
  ECOTONE_RETURN_IF_ERROR(
      CheckMap(node, path, {"cpu", "memory", "bandwidth", "storage"}));
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (key.size() > 2 && key[0] == 'x' && key[1] == '-') continue;
    const YAML::Node& v = kv.second;
    std::string kpath = Join(path, key);
    if (!v.IsScalar()) {
      return Error(v, kpath,
                   "expected a quantity like '500m', '512Mi' or "
                   "'100Mbps', got " +
                       TypeName(v));
    }
    const std::string& text = v.Scalar();
    if (key == "cpu") {
      auto q = model::ParseCpuMillicores(text);
      if (!q.ok()) return Error(v, kpath, q.status().message());
      if (*q > kMaxCpuMillicores)
        return Error(v, kpath,
                     "cpu '" + text + "' is above the limit of 10000 cores");
      r->cpu_millicores = *q;
    } else if (key == "memory" || key == "storage") {
      auto q = model::ParseBytes(text);
      if (!q.ok()) return Error(v, kpath, q.status().message());
      int64_t limit = key == "memory" ? kMaxMemoryBytes : kMaxStorageBytes;
      if (*q > limit)
        return Error(v, kpath,
                     key + " '" + text + "' is above the limit of 1Pi");
      (key == "memory" ? r->memory_bytes : r->storage_bytes) = *q;
    } else if (key == "bandwidth") {
      auto q = model::ParseBandwidthBps(text);
      if (!q.ok()) return Error(v, kpath, q.status().message());
      if (*q > kMaxBandwidthBps)
        return Error(v, kpath,
                     "bandwidth '" + text + "' is above the limit of 10Tbps");
      r->bandwidth_bps = *q;
    }
  }
  return Status::Ok();
}

Status NativeReader::CheckLimits(const YAML::Node& node,
                                 const std::string& path,
                                 const model::Resources& requests,
                                 const model::Resources& limits) const {
  struct Dim {
    const char* key;
    int64_t req, lim;
    std::string (*fmt)(int64_t);
  };
  const Dim dims[] = {
      {"cpu", requests.cpu_millicores, limits.cpu_millicores,
       &model::FormatCpu},
      {"memory", requests.memory_bytes, limits.memory_bytes,
       &model::FormatBytes},
      {"bandwidth", requests.bandwidth_bps, limits.bandwidth_bps,
       &model::FormatBandwidth},
      {"storage", requests.storage_bytes, limits.storage_bytes,
       &model::FormatBytes},
  };
  for (const Dim& d : dims) {
    if (d.lim == 0 || d.req <= d.lim) continue;
    return Error(Get(node, d.key), Join(path, d.key),
                 "limit " + d.fmt(d.lim) + " is below the request " +
                     d.fmt(d.req) + " (resources." + d.key + ")");
  }
  return Status::Ok();
}

Status NativeReader::ReadPlacement(const YAML::Node& node,
                                   const std::string& path,
                                   const model::Replicas& replicas,
                                   model::PlacementConstraints* p) const {
  ECOTONE_RETURN_IF_ERROR(
      CheckMap(node, path, {"regions", "zones", "zone_labels", "spread"}));
  if (YAML::Node n = Get(node, "regions"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(p->allowed_regions,
                             StringList(n, Join(path, "regions")));
  }
  YAML::Node zones = Get(node, "zones");
  if (zones.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(p->allowed_zones,
                             StringList(zones, Join(path, "zones")));
  }
  if (YAML::Node n = Get(node, "zone_labels"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(p->zone_labels,
                             StringMap(n, Join(path, "zone_labels")));
  }
  YAML::Node spread = Get(node, "spread");
  if (spread.IsDefined()) {
    std::string spath = Join(path, "spread");
    ECOTONE_RETURN_IF_ERROR(
        CheckMap(spread, spath, {"min_zones", "max_per_zone"}));
    YAML::Node mz = Get(spread, "min_zones");
    if (mz.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t v,
                               Int(mz, Join(spath, "min_zones"), 0, 10000));
      p->spread_min_zones = static_cast<int>(v);
      if (v > replicas.max) {
        return Error(mz, Join(spath, "min_zones"),
                     "spreading over " + std::to_string(v) +
                         " zones needs at least that many replicas, but "
                         "replicas.max is " +
                         std::to_string(replicas.max));
      }
      if (!p->allowed_zones.empty() &&
          v > static_cast<int64_t>(p->allowed_zones.size())) {
        return Error(mz, Join(spath, "min_zones"),
                     "spreading over " + std::to_string(v) +
                         " zones, but only " +
                         std::to_string(p->allowed_zones.size()) +
                         " zones are allowed (placement.zones)");
      }
    }
    if (YAML::Node n = Get(spread, "max_per_zone"); n.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(
          int64_t v, Int(n, Join(spath, "max_per_zone"), 0, kMaxReplicas));
      p->max_per_zone = static_cast<int>(v);
    }
  }
  return Status::Ok();
}

Status NativeReader::ReadScaling(const YAML::Node& node,
                                 const std::string& path,
                                 model::Component* c) const {
  ECOTONE_RETURN_IF_ERROR(
      CheckMap(node, path, {"capacity_rps_per_replica", "startup"}));
  if (YAML::Node n = Get(node, "capacity_rps_per_replica"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(
        c->capacity_rps_per_replica,
        Number(n, Join(path, "capacity_rps_per_replica"), kMaxRps));
  }
  if (YAML::Node n = Get(node, "startup"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(c->startup_us, Duration(n, Join(path, "startup")));
  }
  return Status::Ok();
}

Status NativeReader::ReadPorts(const YAML::Node& node, const std::string& path,
                               std::vector<model::Port>* ports) const {
  if (!node.IsSequence())
    return Error(node, path, "expected a list of ports, got " + TypeName(node));
  std::map<int, size_t> seen;  // port number -> index.
  for (size_t i = 0; i < node.size(); ++i) {
    YAML::Node item = node[i];
    std::string ipath = Join(path, i);
    model::Port port;
    // Note: never assign to an existing YAML::Node; assignment writes
    // through to the document. Bind each node once.
    const bool short_form = item.IsScalar();
    if (!short_form) {
      ECOTONE_RETURN_IF_ERROR(
          CheckMap(item, ipath, {"port", "protocol", "name"}));
    }
    const YAML::Node number_node = short_form ? item : Get(item, "port");
    const std::string number_path = short_form ? ipath : Join(ipath, "port");
    if (!number_node.IsDefined())
      return Error(item, ipath, "missing required key 'port'");
    ECOTONE_ASSIGN_OR_RETURN(int64_t n,
                             Int(number_node, number_path, 1, 65535));
    port.number = static_cast<int>(n);
    if (!short_form) {
      if (YAML::Node p = Get(item, "protocol"); p.IsDefined()) {
        ECOTONE_ASSIGN_OR_RETURN(port.protocol,
                                 Name(p, Join(ipath, "protocol")));
      }
      if (YAML::Node p = Get(item, "name"); p.IsDefined()) {
        ECOTONE_ASSIGN_OR_RETURN(port.name, Name(p, Join(ipath, "name")));
      }
    }
    auto [it, inserted] = seen.emplace(port.number, i);
    if (!inserted) {
      return Error(number_node, number_path,
                   "port " + std::to_string(port.number) +
                       " is already declared at " + Join(path, it->second));
    }
    ports->push_back(std::move(port));
  }
  return Status::Ok();
}

Status NativeReader::ReadComponent(const YAML::Node& node,
                                   const std::string& path,
                                   model::Component* c) const {
  ECOTONE_RETURN_IF_ERROR(
      CheckMap(node, path,
               {"name", "kind", "image", "version", "description", "replicas",
                "resources", "limits", "latency_slo", "stateful", "placement",
                "scaling", "ports", "labels"}));
  c->where = Loc(node, path);
  c->source_kind = "component";
  YAML::Node name = Get(node, "name");
  if (!name.IsDefined()) {
    return Error(node, path, "missing required key 'name'");
  }
  ECOTONE_ASSIGN_OR_RETURN(c->name, Name(name, Join(path, "name")));
  if (YAML::Node n = Get(node, "kind"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(std::string k, String(n, Join(path, "kind")));
    auto kind = model::ParseComponentKind(k);
    if (!kind) {
      return Error(n, Join(path, "kind"),
                   "unknown kind '" + k +
                       "'; expected one of vm, container, database, queue, "
                       "cache, gateway, function, storage");
    }
    c->kind = *kind;
  }
  if (YAML::Node n = Get(node, "image"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(c->image, String(n, Join(path, "image")));
  }
  if (YAML::Node n = Get(node, "version"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(c->version, String(n, Join(path, "version")));
  } else {
    c->version = ImageTag(c->image);
  }
  if (YAML::Node n = Get(node, "description"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(String(n, Join(path, "description")).status());
  }
  if (YAML::Node n = Get(node, "replicas"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(
        ReadReplicas(n, Join(path, "replicas"), &c->replicas));
  }
  if (YAML::Node n = Get(node, "resources"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(
        ReadResources(n, Join(path, "resources"), &c->requests));
  }
  if (YAML::Node n = Get(node, "limits"); n.IsDefined()) {
    std::string lpath = Join(path, "limits");
    ECOTONE_RETURN_IF_ERROR(ReadResources(n, lpath, &c->limits));
    ECOTONE_RETURN_IF_ERROR(CheckLimits(n, lpath, c->requests, c->limits));
  }
  if (YAML::Node n = Get(node, "latency_slo"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(c->latency_slo_us,
                             Duration(n, Join(path, "latency_slo")));
  }
  c->stateful = KindIsStateful(c->kind);
  if (YAML::Node n = Get(node, "stateful"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(c->stateful, Bool(n, Join(path, "stateful")));
  }
  if (YAML::Node n = Get(node, "placement"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(
        ReadPlacement(n, Join(path, "placement"), c->replicas, &c->placement));
  }
  if (YAML::Node n = Get(node, "scaling"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(ReadScaling(n, Join(path, "scaling"), c));
  }
  if (YAML::Node n = Get(node, "ports"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(ReadPorts(n, Join(path, "ports"), &c->ports));
  }
  if (YAML::Node n = Get(node, "labels"); n.IsDefined()) {
    ECOTONE_ASSIGN_OR_RETURN(c->labels, StringMap(n, Join(path, "labels")));
  }
  return Status::Ok();
}

Status NativeReader::ReadDependencies(const YAML::Node& node, LoadResult* out) {
  const std::string path = "dependencies";
  if (node.IsNull()) return Status::Ok();  // `dependencies:` with no items.
  if (!node.IsSequence()) {
    return Error(node, path,
                 "expected a list of dependencies, got " + TypeName(node));
  }
  model::Ecosystem& eco = out->ecosystem;
  std::unordered_map<std::string, size_t> index;  // name -> component index.
  std::vector<std::string_view> names;
  for (size_t i = 0; i < eco.components.size(); ++i) {
    index.emplace(eco.components[i].name, i);
    names.push_back(eco.components[i].name);
  }
  // (from, to, kind) -> 1-based line of the first declaration.
  std::map<std::tuple<std::string, std::string, model::DependencyKind>, int>
      seen;
  for (size_t i = 0; i < node.size(); ++i) {
    YAML::Node item = node[i];
    std::string ipath = Join(path, i);
    ECOTONE_RETURN_IF_ERROR(
        CheckMap(item, ipath,
                 {"from", "to", "kind", "port", "protocol", "traffic",
                  "latency_budget", "criticality", "description"}));
    model::Dependency d;
    YAML::Node from = Get(item, "from"), to = Get(item, "to");
    if (!from.IsDefined())
      return Error(item, ipath, "missing required key 'from'");
    if (!to.IsDefined()) return Error(item, ipath, "missing required key 'to'");
    ECOTONE_ASSIGN_OR_RETURN(d.from, Name(from, Join(ipath, "from")));
    ECOTONE_ASSIGN_OR_RETURN(d.to, Name(to, Join(ipath, "to")));
    YAML::Node kind = Get(item, "kind");
    if (kind.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(std::string k,
                               String(kind, Join(ipath, "kind")));
      auto parsed = model::ParseDependencyKind(k);
      if (!parsed || *parsed == model::DependencyKind::kStartOrder) {
        return Error(kind, Join(ipath, "kind"),
                     "unknown dependency kind '" + k +
                         "'; expected one of http, grpc, database, "
                         "queue-publish, queue-consume, cache, data-flow");
      }
      d.kind = *parsed;
    }
    YAML::Node port = Get(item, "port");
    if (port.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t p,
                               Int(port, Join(ipath, "port"), 1, 65535));
      d.port = static_cast<int>(p);
    }
    if (YAML::Node n = Get(item, "protocol"); n.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(d.protocol, Name(n, Join(ipath, "protocol")));
    }
    if (YAML::Node n = Get(item, "traffic"); n.IsDefined()) {
      std::string tpath = Join(ipath, "traffic");
      ECOTONE_RETURN_IF_ERROR(CheckMap(n, tpath, {"rps", "rate"}));
      if (YAML::Node r = Get(n, "rps"); r.IsDefined()) {
        ECOTONE_ASSIGN_OR_RETURN(d.traffic_rps,
                                 Number(r, Join(tpath, "rps"), kMaxRps));
      }
      if (YAML::Node r = Get(n, "rate"); r.IsDefined()) {
        std::string rpath = Join(tpath, "rate");
        if (!r.IsScalar())
          return Error(r, rpath,
                       "expected a data rate like '2MB/s', got " + TypeName(r));
        auto rate = model::ParseByteRate(r.Scalar());
        if (!rate.ok()) return Error(r, rpath, rate.status().message());
        if (*rate > kMaxBytesPerSecond)
          return Error(
              r, rpath,
              "data rate '" + r.Scalar() + "' is above the limit of 1TB/s");
        d.traffic_bytes_per_s = *rate;
      }
    }
    if (YAML::Node n = Get(item, "latency_budget"); n.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(d.latency_budget_us,
                               Duration(n, Join(ipath, "latency_budget")));
    }
    if (YAML::Node n = Get(item, "criticality"); n.IsDefined()) {
      ECOTONE_ASSIGN_OR_RETURN(std::string c,
                               String(n, Join(ipath, "criticality")));
      auto parsed = model::ParseCriticality(c);
      if (!parsed) {
        return Error(n, Join(ipath, "criticality"),
                     "unknown criticality '" + c + "'; expected hard or soft");
      }
      d.criticality = *parsed;
    }
    if (YAML::Node n = Get(item, "description"); n.IsDefined()) {
      ECOTONE_RETURN_IF_ERROR(String(n, Join(ipath, "description")).status());
    }

    // Defaults that depend on the target: the kind from the target's kind,
    // the port and protocol from the target's only port.
    auto target = index.find(d.to);
    if (target != index.end()) {
      const model::Component& t = eco.components[target->second];
      if (!port.IsDefined() && t.ports.size() == 1) d.port = t.ports[0].number;
      if (!kind.IsDefined()) d.kind = DependencyKindFor(t.kind, "", d.port);
      if (d.protocol.empty()) {
        for (const model::Port& p : t.ports)
          if (p.number == d.port) d.protocol = p.protocol;
      }
    }

    auto key = std::make_tuple(d.from, d.to, d.kind);
    int line = Loc(item, "").line;
    if (auto [it, inserted] = seen.emplace(key, line); !inserted) {
      return Error(item, ipath,
                   "duplicate dependency " + d.from + " -> " + d.to + " (" +
                       std::string(model::DependencyKindName(d.kind)) +
                       "); first declared at line " +
                       std::to_string(it->second));
    }

    // Facts about the ecosystem, not about the syntax: problems.
    bool keep = true;
    for (auto [end, end_node, end_key] :
         {std::make_tuple(&d.from, &from, "from"),
          std::make_tuple(&d.to, &to, "to")}) {
      if (index.count(*end)) continue;
      std::string msg =
          std::string("dependency ") +
          (end_key == std::string_view("from") ? "source" : "target") + " '" +
          *end + "' is not a component of this ecosystem";
      std::string hint = Closest(*end, names);
      if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
      out->problems.push_back({model::Severity::kError,
                               Loc(*end_node, Join(ipath, end_key)), msg,
                               "dangling-reference"});
      keep = false;
    }
    if (d.from == d.to) {
      out->problems.push_back(
          {model::Severity::kError, Loc(to, Join(ipath, "to")),
           "component '" + d.from + "' depends on itself", "self-dependency"});
      keep = false;
    }
    if (!keep) continue;
    d.inferred = false;
    d.evidence.push_back(
        {Loc(item, ipath), d.from + " -> " + d.to, "declared in the manifest"});
    eco.dependencies.push_back(std::move(d));
  }
  return Status::Ok();
}

Result<LoadResult> NativeReader::Read(std::string_view text) {
  // Size, NUL bytes and nesting first (cheap), then the shape that would
  // hang yaml-cpp, then the parse.
  ECOTONE_RETURN_IF_ERROR(PrecheckText(text, file_));
  ECOTONE_RETURN_IF_ERROR(CheckFlowRootFollowedByComma(text, file_));
  ECOTONE_ASSIGN_OR_RETURN(std::vector<YAML::Node> docs,
                           LoadAllDocuments(text, file_));
  // Drop empty documents (a leading or trailing `---`).
  std::vector<YAML::Node> real;
  for (const auto& d : docs)
    if (d.IsDefined() && !d.IsNull()) real.push_back(d);
  if (real.empty()) {
    return Status::InvalidArgument("file is empty; " + std::string(kStartHint),
                                   {file_, 1, 1, ""});
  }
  if (real.size() > 1) {
    return Error(real[1], "",
                 "a native manifest holds one YAML document, this is the "
                 "second; use one file per ecosystem");
  }
  const YAML::Node& root = real[0];
  if (!root.IsMap()) {
    return Error(root, "",
                 "expected a map at the top level, got " + TypeName(root) +
                     "; " + std::string(kStartHint));
  }
  YAML::Node version = Get(root, "ecotone");
  if (!version.IsDefined()) {
    return Error(root, "ecotone",
                 "missing 'ecotone: v1' (the format version); " +
                     std::string(kStartHint));
  }
  ECOTONE_RETURN_IF_ERROR(CheckMap(
      root, "", {"ecotone", "ecosystem", "components", "dependencies"}));
  if (!version.IsScalar() || version.Scalar() != "v1") {
    return Error(version, "ecotone",
                 "unsupported format version " +
                     (version.IsScalar() ? "'" + version.Scalar() + "'"
                                         : TypeName(version)) +
                     "; this Ecotone reads 'v1'");
  }

  LoadResult out;
  model::Ecosystem& eco = out.ecosystem;
  eco.source_format = "ecotone";
  eco.source_files.push_back(file_);
  if (YAML::Node n = Get(root, "ecosystem"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(ReadEcosystem(n, &eco));
  }
  if (eco.name.empty()) eco.name = options_.name;
  if (eco.name.empty()) {
    // The file's base name without extension.
    std::string base = file_;
    if (size_t s = base.find_last_of("/\\"); s != std::string::npos)
      base = base.substr(s + 1);
    if (size_t dot = base.find('.'); dot != std::string::npos && dot > 0)
      base = base.substr(0, dot);
    eco.name = base.empty() ? "ecosystem" : base;
  }

  YAML::Node components = Get(root, "components");
  if (!components.IsDefined() || components.IsNull() ||
      (components.IsSequence() && components.size() == 0)) {
    return Error(components.IsDefined() ? components : root, "components",
                 "no components: an ecosystem needs at least one component");
  }
  if (!components.IsSequence()) {
    return Error(components, "components",
                 "expected a list of components, got " + TypeName(components));
  }
  std::unordered_map<std::string, int> lines;  // name -> line of first.
  eco.components.reserve(components.size());
  for (size_t i = 0; i < components.size(); ++i) {
    std::string ipath = Join(std::string("components"), i);
    model::Component c;
    YAML::Node item = components[i];
    ECOTONE_RETURN_IF_ERROR(ReadComponent(item, ipath, &c));
    YAML::Node name = Get(item, "name");
    auto [it, inserted] = lines.emplace(c.name, Loc(name, "").line);
    if (!inserted) {
      return Error(name, Join(ipath, "name"),
                   "duplicate component name '" + c.name +
                       "' (first defined at line " +
                       std::to_string(it->second) + ")");
    }
    eco.components.push_back(std::move(c));
  }
  if (YAML::Node n = Get(root, "dependencies"); n.IsDefined()) {
    ECOTONE_RETURN_IF_ERROR(ReadDependencies(n, &out));
  }
  return out;
}

}  // namespace

Result<LoadResult> ReadNative(const std::string& name, std::string_view text,
                              const LoadOptions& options) {
  // yaml-cpp throws from accessors on malformed trees (e.g. InvalidNode);
  // nothing thrown may leave the module.
  try {
    NativeReader reader(name, options);
    return reader.Read(text);
  } catch (const YAML::Exception& e) {
    Location where{name, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                   e.mark.column >= 0 ? e.mark.column + 1 : 0, ""};
    return Status::InvalidArgument("malformed YAML: " + e.msg, where);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(
        std::string("cannot read manifest: ") + e.what(), {name, 0, 0, ""});
  }
}

}  // namespace ecotone::manifest
