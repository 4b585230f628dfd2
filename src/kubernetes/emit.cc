// Emission of Kubernetes objects for a placement plan. The rules (zone
// groups, naming, which fields a partial object of a user's workload
// carries, HPA bound splitting, pod affinity) are in docs/kubernetes.md.
//
// Cost: O(A log A + C + P) for A assignments, C components and P proximity
// pairs, plus the size of the objects written.
#include "ecotone/kubernetes/emit.h"

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/manifest/infra.h"
#include "yaml_writer.h"

namespace ecotone::kubernetes {
namespace {

using model::Component;
using nlohmann::ordered_json;

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return std::string(buf + 16 - digits);
}

// A DNS-1123 label (<= 63, [a-z0-9-], alphanumeric ends) derived from `s`;
// long or altered names get a hash suffix so that distinct inputs stay
// distinct.
std::string DnsLabel(std::string_view s) {
  std::string out;
  bool altered = false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      char l = static_cast<char>(std::tolower(c));
      altered = altered || l != ch;
      out.push_back(l);
    } else {
      if (ch != '-') altered = true;
      if (!out.empty() && out.back() != '-') out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) {
    out = "x";
    altered = true;
  }
  if (altered || out.size() > 63) {
    std::string suffix = Hex(Fnv1a(s), 8);
    if (out.size() > 54) out.resize(54);
    while (!out.empty() && out.back() == '-') out.pop_back();
    out += "-" + suffix;
  }
  return out;
}

bool ValidLabelKeyName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return std::isalnum(static_cast<unsigned char>(s.front())) &&
         std::isalnum(static_cast<unsigned char>(s.back()));
}

// A qualified label key: [prefix/]name, prefix a DNS subdomain.
bool ValidLabelKey(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return ValidLabelKeyName(s);
  std::string_view prefix = s.substr(0, slash), name = s.substr(slash + 1);
  if (prefix.empty() || prefix.size() > 253) return false;
  for (char ch : prefix) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!(std::islower(c) || std::isdigit(c) || c == '-' || c == '.'))
      return false;
  }
  return ValidLabelKeyName(name);
}

// IANA_SVC_NAME: <= 15 of [a-z0-9-], at least one letter, no "--", no
// leading/trailing '-'.
bool ValidPortName(std::string_view s) {
  if (s.empty() || s.size() > 15 || s.front() == '-' || s.back() == '-')
    return false;
  bool letter = false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!(std::islower(c) || std::isdigit(c) || c == '-')) return false;
    if (std::islower(c)) letter = true;
    if (c == '-' && i > 0 && s[i - 1] == '-') return false;
  }
  return letter;
}

std::string CpuQuantity(int64_t millicores) {
  if (millicores % 1000 == 0) return std::to_string(millicores / 1000);
  return std::to_string(millicores) + "m";
}

std::string ByteQuantity(int64_t bytes) {
  static const struct {
    int64_t unit;
    const char* suffix;
  } kUnits[] = {{1LL << 40, "Ti"},
                {1LL << 30, "Gi"},
                {1LL << 20, "Mi"},
                {1LL << 10, "Ki"}};
  for (const auto& u : kUnits)
    if (bytes >= u.unit && bytes % u.unit == 0)
      return std::to_string(bytes / u.unit) + u.suffix;
  return std::to_string(bytes);
}

ordered_json ResourceMap(const model::Resources& r) {
  ordered_json j = ordered_json::object();
  if (r.cpu_millicores > 0) j["cpu"] = CpuQuantity(r.cpu_millicores);
  if (r.memory_bytes > 0) j["memory"] = ByteQuantity(r.memory_bytes);
  if (r.storage_bytes > 0)
    j["ephemeral-storage"] = ByteQuantity(r.storage_bytes);
  return j;
}

std::string JoinPath(const std::string& base, const std::string& field) {
  return base.empty() ? field : base + "." + field;
}

// One zone group: the replicas of a component with one zone, rack and host.
struct Group {
  std::string zone, rack, host;
  int count = 0;
  const model::Assignment* first = nullptr;  // for error locations.
  // Value of ecotone.io/zone-group: zone[-rack[-host]] (each part is a
  // valid label value, checked with the plan), hashed when too long.
  std::string LabelValue() const;
  std::string Key() const {
    std::string k = zone;
    if (!rack.empty()) k += "/" + rack;
    if (!host.empty()) k += "/" + host;
    return k;
  }
  bool operator<(const Group& o) const {
    return std::tie(zone, rack, host) < std::tie(o.zone, o.rack, o.host);
  }
};

std::string Group::LabelValue() const {
  std::string v = zone;
  if (!rack.empty()) v += "-" + rack;
  if (!host.empty()) v += "-" + host;
  return ValidLabelValue(v) ? v : DnsLabel(v);
}

// Everything emission knows about one component.
struct Unit {
  const Component* c = nullptr;
  int index = 0;
  std::string label;                     // value of ecotone.io/component.
  std::string base_name;                 // workload name of the main group.
  std::string ns;                        // namespace written ("" = none).
  std::string kind;                      // Deployment or StatefulSet.
  const SourceObject* source = nullptr;  // the user's workload, if any.
  ordered_json selector;                 // matchLabels selecting all its pods.
  std::vector<Group> groups;             // main group first.
  int total = 0;
  std::string action = "place";
  std::string reason;
  int64_t action_id = 0;
  std::string image;  // "" = the manifest's.
};

ordered_json* Find(ordered_json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
const ordered_json* Find(const ordered_json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
// j[key] as an object, created (or replaced when not an object).
ordered_json& Obj(ordered_json& j, const char* key) {
  ordered_json& v = j[key];
  if (!v.is_object()) v = ordered_json::object();
  return v;
}

// The main container of a pod template's `containers`: the one named by the
// kubectl.kubernetes.io/default-container annotation, else the first (as the
// manifest reader decides). Null when there is none with a name.
const ordered_json* MainContainer(const ordered_json& containers,
                                  const ordered_json* tmpl) {
  std::string wanted;
  if (tmpl != nullptr) {
    const ordered_json* md = Find(*tmpl, "metadata");
    const ordered_json* ann = md ? Find(*md, "annotations") : nullptr;
    const ordered_json* dc =
        ann ? Find(*ann, "kubectl.kubernetes.io/default-container") : nullptr;
    if (dc != nullptr && dc->is_string()) wanted = dc->get<std::string>();
  }
  const ordered_json* first = nullptr;
  for (const auto& c : containers) {
    const ordered_json* n = Find(c, "name");
    if (n == nullptr || !n->is_string()) continue;
    if (first == nullptr) first = &c;
    if (!wanted.empty() && *n == wanted) return &c;
  }
  return first;
}

class Emitter {
 public:
  Emitter(const model::Ecosystem& eco, const model::PlacementPlan& plan,
          const EmitOptions& opt)
      : eco_(eco), plan_(plan), opt_(opt) {}

  Result<Emission> Run();

 private:
  Status CheckPlan();
  Status BuildUnits();
  Status ApplyScale();
  void ComputeChattyPairs();
  ordered_json Labels(const Unit& u) const;
  ordered_json Annotations(const Unit& u, const Group* g,
                           const std::string& action) const;
  ordered_json NodeAffinityTerms(const Group& g,
                                 const ordered_json* user_terms) const;
  ordered_json PodAffinity(const Unit& u, const Group& g,
                           const ordered_json* user_pref) const;
  ordered_json SpreadConstraints(const ordered_json& pod_labels) const;
  void EmitWorkloads(const Unit& u);
  void EmitGenerated(const Unit& u, size_t gi);
  void EmitUserPatch(const Unit& u);
  void EmitUserCopy(const Unit& u, size_t gi);
  void EmitHpa(const Unit& u, size_t gi, const std::string& workload);
  void EmitPdb(const Unit& u);
  void EmitService(const Unit& u);
  Status EmitIsolation(const IsolateRequest& r);
  std::string GroupName(const Unit& u, size_t gi) const;
  Object NewObject(const Unit& u, std::string api, std::string kind,
                   std::string name, std::string action) const;
  ordered_json Metadata(const Object& o, const Unit& u, const Group* g) const;
  void Note(model::Severity sev, const Location& where, std::string code,
            std::string message) {
    model::Problem p;
    p.severity = sev;
    p.where = where;
    p.code = std::move(code);
    p.message = std::move(message);
    notes_.push_back(std::move(p));
  }

  const model::Ecosystem& eco_;
  const model::PlacementPlan& plan_;
  const EmitOptions& opt_;
  std::string plan_id_;
  std::vector<Unit> units_;
  std::unordered_map<std::string, size_t> unit_of_;  // component -> unit.
  // Chatty partners of each unit: (partner unit, proximity), sorted.
  std::vector<std::vector<std::pair<size_t, double>>> partners_;
  std::vector<Object> objects_;
  std::vector<model::Problem> notes_;
};

Status Emitter::CheckPlan() {
  Location pl{opt_.plan_file, 0, 0, ""};
  if (!plan_.ecosystem.empty() && !eco_.name.empty() &&
      plan_.ecosystem != eco_.name) {
    pl.path = "ecosystem";
    return Status::InvalidArgument(
        "the plan is for ecosystem '" + plan_.ecosystem +
            "' but the manifest describes '" + eco_.name + "'",
        pl);
  }
  if (opt_.topology != nullptr) {
    if (!plan_.infra.empty() && !opt_.topology->name.empty() &&
        plan_.infra != opt_.topology->name) {
      pl.path = "infra";
      return Status::InvalidArgument(
          "the plan is for infrastructure '" + plan_.infra +
              "' but --infra describes '" + opt_.topology->name + "'",
          pl);
    }
    ECOTONE_RETURN_IF_ERROR(
        manifest::ValidatePlan(plan_, eco_, *opt_.topology));
  }
  if (plan_.assignments.empty()) {
    pl.path = "assignments";
    return Status::InvalidArgument("the plan has no assignments", pl);
  }
  std::set<std::string_view> names;
  for (const auto& c : eco_.components) names.insert(c.name);
  for (const auto& a : plan_.assignments) {
    auto at = [&](const char* f) {
      Location w = a.where;
      if (w.file.empty()) w.file = opt_.plan_file;
      w.path = JoinPath(w.path, f);
      return w;
    };
    if (!names.count(a.component))
      return Status::InvalidArgument("plan refers to component '" +
                                         a.component +
                                         "' which is not in the manifest",
                                     at("component"));
    if (!ValidLabelValue(a.zone))
      return Status::InvalidArgument(
          "zone '" + a.zone +
              "' is not a valid Kubernetes label value (at most 63 of "
              "[A-Za-z0-9._-], alphanumeric at both ends)",
          at("zone"));
    if (!ValidLabelValue(a.rack))
      return Status::InvalidArgument(
          "rack '" + a.rack + "' is not a valid Kubernetes label value",
          at("rack"));
    if (!ValidLabelValue(a.host))
      return Status::InvalidArgument(
          "host '" + a.host + "' is not a valid Kubernetes label value",
          at("host"));
  }
  if (!ValidLabelValue(plan_id_))
    return Status::InvalidArgument(
        "plan id '" + plan_id_ + "' is not a valid label value",
        {opt_.plan_file, 0, 0, "metadata.plan_id"});
  if (!ValidLabelKey(opt_.zone_label))
    return Status::InvalidArgument("invalid zone label key '" +
                                   opt_.zone_label + "'");
  if (!ValidLabelKey(opt_.rack_label))
    return Status::InvalidArgument("invalid rack label key '" +
                                   opt_.rack_label + "'");
  return Status::Ok();
}

Status Emitter::BuildUnits() {
  std::map<std::string, std::vector<const model::Assignment*>> by_comp;
  for (const auto& a : plan_.assignments) by_comp[a.component].push_back(&a);
  std::map<std::tuple<std::string, std::string, std::string>,
           const SourceObject*>
      sources;
  if (opt_.sources != nullptr)
    for (const auto& s : *opt_.sources)
      sources.emplace(std::make_tuple(s.kind, s.namespace_name, s.name), &s);
  std::set<std::string> labels_used;
  for (size_t i = 0; i < eco_.components.size(); ++i) {
    const Component& c = eco_.components[i];
    auto it = by_comp.find(c.name);
    if (it == by_comp.end()) {
      Note(model::Severity::kWarning, c.where, "not-in-plan",
           "component '" + c.name +
               "' has no replica in the plan; nothing is emitted for it");
      continue;
    }
    Unit u;
    u.c = &c;
    u.index = static_cast<int>(i);
    bool from_k8s = eco_.source_format == "kubernetes";
    if (from_k8s && c.source_kind != "Deployment" &&
        c.source_kind != "StatefulSet") {
      Note(model::Severity::kWarning, c.where, "kind-not-actuated",
           c.source_kind + " '" + c.name +
               "' is not placed by Ecotone (only Deployments and "
               "StatefulSets are); nothing is emitted for it");
      continue;
    }
    if (from_k8s) {
      std::string name = c.name;
      if (size_t slash = name.rfind('/'); slash != std::string::npos)
        name = name.substr(slash + 1);
      auto ns_it = c.labels.find("ecotone.io/namespace");
      std::string ns = ns_it == c.labels.end() ? "default" : ns_it->second;
      auto s = sources.find(std::make_tuple(c.source_kind, ns, name));
      if (s == sources.end()) {
        Location w = c.where;
        return Status::InvalidArgument(
            "the " + c.source_kind + " '" + name + "' (namespace " + ns +
                ") of component '" + c.name +
                "' was not found in the manifest files",
            w);
      }
      u.source = s->second;
      u.base_name = name;
      u.ns = ns_it == c.labels.end() ? "" : ns;
      u.kind = c.source_kind;
      const ordered_json& spec = s->second->body.contains("spec")
                                     ? s->second->body["spec"]
                                     : ordered_json::object();
      const ordered_json* sel = Find(spec, "selector");
      const ordered_json* ml = sel ? Find(*sel, "matchLabels") : nullptr;
      if (ml != nullptr && ml->is_object() && !ml->empty()) {
        u.selector = *ml;
      } else {
        const ordered_json* tmpl = Find(spec, "template");
        const ordered_json* md = tmpl ? Find(*tmpl, "metadata") : nullptr;
        const ordered_json* tl = md ? Find(*md, "labels") : nullptr;
        if (tl != nullptr && tl->is_object() && !tl->empty()) u.selector = *tl;
      }
    } else {
      u.base_name = DnsLabel(c.name);
      u.ns = opt_.namespace_name;
      u.kind = c.stateful ? "StatefulSet" : "Deployment";
    }
    if (auto act = opt_.actions.find(c.name); act != opt_.actions.end()) {
      u.action = act->second.action;
      u.reason = act->second.reason;
      u.action_id = act->second.action_id;
      u.image = act->second.image;
    }
    u.label = ValidLabelValue(c.name) ? c.name : DnsLabel(c.name);
    if (!labels_used.insert(u.ns + "/" + u.label).second)
      u.label = DnsLabel(c.name + "#" + std::to_string(i));
    if (u.selector.is_null() || u.selector.empty())
      u.selector = ordered_json{{std::string(kComponentLabel), u.label}};
    std::map<std::tuple<std::string, std::string, std::string>, Group> groups;
    for (const auto* a : it->second) {
      Group& g = groups[std::make_tuple(a->zone, a->rack, a->host)];
      if (g.first == nullptr) {
        g.zone = a->zone;
        g.rack = a->rack;
        g.host = a->host;
        g.first = a;
      }
      ++g.count;
      ++u.total;
    }
    for (auto& [k, g] : groups) u.groups.push_back(g);
    // Main group: the largest (ties: first in zone/rack/host order).
    std::stable_sort(
        u.groups.begin(), u.groups.end(),
        [](const Group& a, const Group& b) { return a.count > b.count; });
    std::sort(u.groups.begin() + 1, u.groups.end());
    unit_of_[c.name] = units_.size();
    units_.push_back(std::move(u));
  }
  return Status::Ok();
}

// Scale requests: the plan's zone groups get the new total by largest
// remainder (ties to the earlier group), keeping every group's place.
Status Emitter::ApplyScale() {
  for (const auto& r : opt_.scale) {
    auto it = unit_of_.find(r.component);
    if (it == unit_of_.end())
      return Status::InvalidArgument(
          "scale: component '" + r.component + "' is not in the plan", r.where);
    if (r.replicas < 0 || r.replicas > 100000)
      return Status::InvalidArgument("scale: replicas must be in [0, 100000]",
                                     r.where);
    Unit& u = units_[it->second];
    std::vector<int> next(u.groups.size(), 0);
    std::vector<std::pair<double, size_t>> rem;
    int assigned = 0;
    for (size_t g = 0; g < u.groups.size(); ++g) {
      double share = static_cast<double>(r.replicas) * u.groups[g].count /
                     std::max(1, u.total);
      next[g] = static_cast<int>(share);
      assigned += next[g];
      rem.push_back({share - next[g], g});
    }
    std::stable_sort(rem.begin(), rem.end(), [](const auto& a, const auto& b) {
      return a.first > b.first;
    });
    for (size_t k = 0; assigned < r.replicas; ++k, ++assigned)
      ++next[rem[k % rem.size()].second];
    for (size_t g = 0; g < u.groups.size(); ++g) u.groups[g].count = next[g];
    u.total = r.replicas;
    u.action = r.action;
    u.reason = r.reason;
  }
  return Status::Ok();
}

void Emitter::ComputeChattyPairs() {
  partners_.assign(units_.size(), {});
  graph::EcosystemMap map = graph::EcosystemMap::Build(eco_, nullptr);
  graph::Proximity prox = graph::ComputeProximity(map);
  for (const auto& p : prox.pairs) {
    if (p.weight < opt_.chatty_proximity) continue;
    auto a = unit_of_.find(eco_.components[p.a].name);
    auto b = unit_of_.find(eco_.components[p.b].name);
    if (a == unit_of_.end() || b == unit_of_.end()) continue;
    partners_[a->second].push_back({b->second, p.weight});
    partners_[b->second].push_back({a->second, p.weight});
  }
  for (auto& v : partners_) std::sort(v.begin(), v.end());
}

std::string Emitter::GroupName(const Unit& u, size_t gi) const {
  if (gi == 0) return u.base_name;
  const Group& g = u.groups[gi];
  std::string suffix = g.zone;
  if (!g.rack.empty()) suffix += "-" + g.rack;
  if (!g.host.empty()) suffix += "-" + g.host;
  std::string want = u.base_name + "-" + suffix;
  // Keep readable names when they are valid labels; else a hashed label.
  std::string lower = want;
  for (char& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == want && want.size() <= 63 && ValidLabelKeyName(want) &&
      want.find('.') == std::string::npos &&
      want.find('_') == std::string::npos)
    return want;
  return DnsLabel(want);
}

ordered_json Emitter::Labels(const Unit& u) const {
  ordered_json l = ordered_json::object();
  l[std::string(kManagedBy)] = "ecotone";
  l[std::string(kComponentLabel)] = u.label;
  l[std::string(kPlanLabel)] = plan_id_;
  return l;
}

ordered_json Emitter::Annotations(const Unit& u, const Group* g,
                                  const std::string& action) const {
  ordered_json a = ordered_json::object();
  a[std::string(kPlanIdAnnotation)] = plan_id_;
  a[std::string(kActionAnnotation)] = action;
  if (!eco_.name.empty()) a["ecotone.io/ecosystem"] = eco_.name;
  a["ecotone.io/component-name"] = u.c->name;
  if (g != nullptr) {
    a["ecotone.io/zone-group"] = g->Key();
    a["ecotone.io/replicas"] =
        std::to_string(g->count) + " of " + std::to_string(u.total);
  }
  if (action == u.action) {
    if (u.action_id != 0)
      a["ecotone.io/action-id"] = std::to_string(u.action_id);
    if (!u.reason.empty()) a["ecotone.io/reason"] = u.reason;
  }
  return a;
}

Object Emitter::NewObject(const Unit& u, std::string api, std::string kind,
                          std::string name, std::string action) const {
  Object o;
  o.api_version = std::move(api);
  o.kind = std::move(kind);
  o.name = std::move(name);
  o.namespace_name = u.ns;
  o.component = u.c->name;
  o.action = std::move(action);
  o.source = u.source != nullptr ? u.source->where : u.c->where;
  return o;
}

ordered_json Emitter::Metadata(const Object& o, const Unit& u,
                               const Group* g) const {
  ordered_json md = ordered_json::object();
  md["name"] = o.name;
  if (!o.namespace_name.empty()) md["namespace"] = o.namespace_name;
  md["labels"] = Labels(u);
  md["annotations"] = Annotations(u, g, o.action);
  return md;
}

ordered_json Emitter::NodeAffinityTerms(const Group& g,
                                        const ordered_json* user_terms) const {
  ordered_json ours = ordered_json::array();
  ours.push_back({{"key", opt_.zone_label},
                  {"operator", "In"},
                  {"values", ordered_json::array({g.zone})}});
  if (!g.rack.empty())
    ours.push_back({{"key", opt_.rack_label},
                    {"operator", "In"},
                    {"values", ordered_json::array({g.rack})}});
  if (!g.host.empty())
    ours.push_back({{"key", std::string(kHostLabel)},
                    {"operator", "In"},
                    {"values", ordered_json::array({g.host})}});
  ordered_json terms = ordered_json::array();
  // Terms are ORed, expressions within a term ANDed: our expressions join
  // every term of the user's so their constraints still hold.
  if (user_terms != nullptr && user_terms->is_array() && !user_terms->empty()) {
    for (ordered_json t : *user_terms) {
      if (!t.is_object()) continue;
      ordered_json& ex = t["matchExpressions"];
      if (!ex.is_array()) ex = ordered_json::array();
      ordered_json kept = ordered_json::array();
      for (const auto& e : ex) {
        const ordered_json* k = Find(e, "key");
        bool ecotone_key = k && k->is_string() &&
                           (*k == opt_.zone_label || *k == opt_.rack_label ||
                            (!g.host.empty() && *k == kHostLabel));
        if (!ecotone_key) kept.push_back(e);
      }
      for (const auto& e : ours) kept.push_back(e);
      ex = std::move(kept);
      terms.push_back(std::move(t));
    }
  }
  if (terms.empty()) terms.push_back({{"matchExpressions", ours}});
  return terms;
}

ordered_json Emitter::PodAffinity(const Unit& u, const Group& g,
                                  const ordered_json* user_pref) const {
  ordered_json pref = ordered_json::array();
  if (user_pref != nullptr && user_pref->is_array()) {
    // The user's terms come from their manifest, never from an earlier
    // emission, so they are kept as they are.
    for (const auto& t : *user_pref) pref.push_back(t);
  }
  const size_t ui = &u - units_.data();
  for (const auto& [pi, weight] : partners_[ui]) {
    const Unit& p = units_[pi];
    bool same_zone = false, same_rack = false;
    for (const auto& pg : p.groups) {
      if (pg.count <= 0 || pg.zone != g.zone) continue;
      same_zone = true;
      if (!g.rack.empty() && pg.rack == g.rack) same_rack = true;
    }
    if (!same_zone) continue;  // the plan splits them: no affinity.
    ordered_json term;
    term["labelSelector"] = {{"matchLabels", p.selector}};
    if (p.ns != u.ns)
      term["namespaces"] =
          ordered_json::array({p.ns.empty() ? std::string("default") : p.ns});
    term["topologyKey"] = same_rack ? opt_.rack_label : opt_.zone_label;
    int w = static_cast<int>(weight * 100 + 0.5);
    pref.push_back({{"weight", std::clamp(w, 1, 100)},
                    {"podAffinityTerm", std::move(term)}});
  }
  return pref;
}

ordered_json Emitter::SpreadConstraints(const ordered_json& pod_labels) const {
  ordered_json c;
  c["maxSkew"] = 1;
  c["topologyKey"] = std::string(kHostLabel);
  c["whenUnsatisfiable"] = "ScheduleAnyway";
  c["labelSelector"] = {{"matchLabels", pod_labels}};
  return ordered_json::array({c});
}

// The whole pod template and workload for a component not read from
// Kubernetes.
void Emitter::EmitGenerated(const Unit& u, size_t gi) {
  const Group& g = u.groups[gi];
  const Component& c = *u.c;
  Object o = NewObject(u, "apps/v1", u.kind, GroupName(u, gi), u.action);
  ordered_json pod_labels = u.selector;
  if (u.groups.size() > 1)
    pod_labels[std::string(kZoneGroupLabel)] = g.LabelValue();
  ordered_json container;
  container["name"] = DnsLabel(c.name).substr(0, 63);
  if (!u.image.empty()) {
    container["image"] = u.image;
  } else if (!c.image.empty()) {
    container["image"] = c.image;
  } else if (gi == 0) {
    Note(model::Severity::kWarning, c.where, "no-image",
         "component '" + c.name +
             "' names no image (e.g. a Compose service with only `build:`); "
             "its pods cannot start until one is set");
  }
  std::set<std::pair<int, std::string>> seen_ports;
  ordered_json ports = ordered_json::array();
  for (const auto& p : c.ports) {
    std::string proto = p.protocol == "udp"    ? "UDP"
                        : p.protocol == "sctp" ? "SCTP"
                                               : "TCP";
    if (p.number < 1 || p.number > 65535 ||
        !seen_ports.insert({p.number, proto}).second)
      continue;
    ordered_json pj;
    if (ValidPortName(p.name)) pj["name"] = p.name;
    pj["containerPort"] = p.number;
    pj["protocol"] = proto;
    ports.push_back(std::move(pj));
  }
  if (!ports.empty()) container["ports"] = std::move(ports);
  model::Resources req = c.requests;
  if (req.cpu_millicores == 0 && req.memory_bytes == 0) {
    req.cpu_millicores = opt_.default_request.cpu_millicores;
    req.memory_bytes = opt_.default_request.memory_bytes;
  }
  ordered_json res;
  res["requests"] = ResourceMap(req);
  ordered_json lim = ResourceMap(c.limits);
  if (!lim.empty()) res["limits"] = std::move(lim);
  container["resources"] = std::move(res);

  ordered_json pod_spec;
  ordered_json affinity;
  affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
          ["nodeSelectorTerms"] = NodeAffinityTerms(g, nullptr);
  ordered_json pa = PodAffinity(u, g, nullptr);
  if (!pa.empty())
    affinity["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] =
        std::move(pa);
  pod_spec["affinity"] = std::move(affinity);
  pod_spec["topologySpreadConstraints"] = SpreadConstraints(pod_labels);
  pod_spec["containers"] = ordered_json::array({std::move(container)});

  ordered_json spec;
  spec["replicas"] = g.count;
  if (u.kind == "StatefulSet") spec["serviceName"] = u.base_name;
  spec["selector"] = {{"matchLabels", pod_labels}};
  spec["template"]["metadata"]["labels"] = pod_labels;
  spec["template"]["spec"] = std::move(pod_spec);

  o.body["apiVersion"] = o.api_version;
  o.body["kind"] = o.kind;
  o.body["metadata"] = Metadata(o, u, &g);
  o.body["spec"] = std::move(spec);
  objects_.push_back(std::move(o));
}

// The main group of a user's workload: a partial object with only the fields
// Ecotone sets. Lists without a strategic merge key (node selector terms,
// preferred pod affinity) are written whole: the user's entries plus ours.
void Emitter::EmitUserPatch(const Unit& u) {
  const Group& g = u.groups[0];
  Object o = NewObject(u, u.source->api_version, u.kind, u.base_name, u.action);
  o.patch = true;
  const ordered_json& user = u.source->body;
  const ordered_json* spec = Find(user, "spec");
  const ordered_json* tmpl = spec ? Find(*spec, "template") : nullptr;
  const ordered_json* pspec = tmpl ? Find(*tmpl, "spec") : nullptr;
  const ordered_json* aff = pspec ? Find(*pspec, "affinity") : nullptr;
  const ordered_json* na = aff ? Find(*aff, "nodeAffinity") : nullptr;
  const ordered_json* req =
      na ? Find(*na, "requiredDuringSchedulingIgnoredDuringExecution")
         : nullptr;
  const ordered_json* terms = req ? Find(*req, "nodeSelectorTerms") : nullptr;
  const ordered_json* pa = aff ? Find(*aff, "podAffinity") : nullptr;
  const ordered_json* pref =
      pa ? Find(*pa, "preferredDuringSchedulingIgnoredDuringExecution")
         : nullptr;

  ordered_json pspec_out;
  ordered_json affinity;
  affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
          ["nodeSelectorTerms"] = NodeAffinityTerms(g, terms);
  ordered_json pod_aff = PodAffinity(u, g, pref);
  if (!pod_aff.empty())
    affinity["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] =
        std::move(pod_aff);
  pspec_out["affinity"] = std::move(affinity);
  // The main group keeps the user's selector (immutable); extra groups add
  // ecotone.io/zone-group to theirs, so this spreads all the pods.
  pspec_out["topologySpreadConstraints"] = SpreadConstraints(u.selector);
  // Sizing: placement assumed default requests where the user set none.
  // Rollouts: the main container's new image. Containers merge by name.
  const Component& c = *u.c;
  const ordered_json* cs = pspec ? Find(*pspec, "containers") : nullptr;
  const ordered_json* main_c = nullptr;
  if (cs != nullptr && cs->is_array()) main_c = MainContainer(*cs, tmpl);
  if (main_c != nullptr) {
    ordered_json entry = {{"name", (*main_c)["name"]}};
    if (!u.image.empty()) entry["image"] = u.image;
    if (c.requests.cpu_millicores == 0 && c.requests.memory_bytes == 0) {
      model::Resources d = opt_.default_request;
      d.bandwidth_bps = d.storage_bytes = 0;
      entry["resources"] = {{"requests", ResourceMap(d)}};
    }
    if (entry.size() > 1)
      pspec_out["containers"] = ordered_json::array({std::move(entry)});
  }
  ordered_json spec_out;
  spec_out["replicas"] = g.count;
  spec_out["template"]["spec"] = std::move(pspec_out);
  o.body["apiVersion"] = o.api_version;
  o.body["kind"] = o.kind;
  o.body["metadata"] = Metadata(o, u, &g);
  o.body["spec"] = std::move(spec_out);
  objects_.push_back(std::move(o));
}

// An extra zone group of a user's workload: a copy of the user's object
// with its own name, selector label, replicas and placement.
void Emitter::EmitUserCopy(const Unit& u, size_t gi) {
  const Group& g = u.groups[gi];
  Object o =
      NewObject(u, u.source->api_version, u.kind, GroupName(u, gi), u.action);
  ordered_json body = u.source->body;
  body.erase("status");
  ordered_json& md = Obj(body, "metadata");
  for (const char* k :
       {"uid", "resourceVersion", "generation", "creationTimestamp",
        "managedFields", "selfLink", "ownerReferences"})
    md.erase(k);
  md["name"] = o.name;
  ordered_json& labels = Obj(md, "labels");
  const ordered_json our_labels = Labels(u);
  for (auto& [k, v] : our_labels.items()) labels[k] = v;
  ordered_json& ann = Obj(md, "annotations");
  ann.erase("kubectl.kubernetes.io/last-applied-configuration");
  const ordered_json our_annotations = Annotations(u, &g, o.action);
  for (auto& [k, v] : our_annotations.items()) ann[k] = v;
  ordered_json& spec = Obj(body, "spec");
  spec["replicas"] = g.count;
  std::string group_value = g.LabelValue();
  ordered_json& sel = Obj(spec, "selector");
  Obj(sel, "matchLabels")[std::string(kZoneGroupLabel)] = group_value;
  ordered_json& tmpl = Obj(spec, "template");
  ordered_json& tmd = Obj(tmpl, "metadata");
  Obj(tmd, "labels")[std::string(kZoneGroupLabel)] = group_value;
  ordered_json& pspec = Obj(tmpl, "spec");
  ordered_json& aff = Obj(pspec, "affinity");
  ordered_json& na = Obj(aff, "nodeAffinity");
  ordered_json& req = Obj(na, "requiredDuringSchedulingIgnoredDuringExecution");
  ordered_json user_terms =
      req.contains("nodeSelectorTerms") ? req["nodeSelectorTerms"] : nullptr;
  req["nodeSelectorTerms"] = NodeAffinityTerms(g, &user_terms);
  ordered_json& pa = Obj(aff, "podAffinity");
  ordered_json user_pref =
      pa.contains("preferredDuringSchedulingIgnoredDuringExecution")
          ? pa["preferredDuringSchedulingIgnoredDuringExecution"]
          : nullptr;
  ordered_json pref = PodAffinity(u, g, &user_pref);
  if (pref.empty()) {
    pa.erase("preferredDuringSchedulingIgnoredDuringExecution");
    if (pa.empty()) aff.erase("podAffinity");
  } else {
    pa["preferredDuringSchedulingIgnoredDuringExecution"] = std::move(pref);
  }
  // Spread over nodes: replace a user constraint on the same key, keep others.
  ordered_json spread = ordered_json::array();
  if (const ordered_json* ts = Find(pspec, "topologySpreadConstraints");
      ts != nullptr && ts->is_array())
    for (const auto& t : *ts)
      if (!(t.is_object() && t.contains("topologyKey") &&
            t["topologyKey"] == kHostLabel))
        spread.push_back(t);
  const ordered_json ours = SpreadConstraints(u.selector);
  for (const auto& t : ours) spread.push_back(t);
  pspec["topologySpreadConstraints"] = std::move(spread);
  const Component& c = *u.c;
  ordered_json* cs = Find(pspec, "containers");
  const ordered_json* main_c =
      cs != nullptr && cs->is_array() ? MainContainer(*cs, &tmpl) : nullptr;
  if (main_c != nullptr) {
    ordered_json& mc = (*cs)[static_cast<size_t>(main_c - &(*cs)[0])];
    if (!u.image.empty()) mc["image"] = u.image;
    if (c.requests.cpu_millicores == 0 && c.requests.memory_bytes == 0) {
      model::Resources d = opt_.default_request;
      d.bandwidth_bps = d.storage_bytes = 0;
      Obj(Obj(mc, "resources"), "requests") = ResourceMap(d);
    }
  }
  o.body = std::move(body);
  objects_.push_back(std::move(o));
}

// HPA bounds of a zone group: the component's range split by the group's
// share of the replicas, always containing the group's count.
void Emitter::EmitHpa(const Unit& u, size_t gi, const std::string& workload) {
  const Component& c = *u.c;
  int cmin = c.replicas.min, cmax = c.replicas.max;
  auto sched = opt_.schedules.find(c.name);
  const std::vector<ScheduledReplicas>* steps =
      sched != opt_.schedules.end() && !sched->second.empty() ? &sched->second
                                                              : nullptr;
  if (steps != nullptr) {
    cmin = cmax = steps->front().replicas;
    for (const auto& st : *steps) {
      cmin = std::min(cmin, st.replicas);
      cmax = std::max(cmax, st.replicas);
    }
  } else if (cmax <= cmin) {
    return;
  }
  const Group& g = u.groups[gi];
  if (g.count <= 0) return;
  double share = static_cast<double>(g.count) / std::max(1, u.total);
  int lo = std::max(1, static_cast<int>(cmin * share + 0.5));
  // A replica range keeps the plan's count inside the bounds; a forecast's
  // schedule may ask for more than the plan runs now (the HPA scales up).
  if (steps == nullptr) lo = std::min(lo, g.count);
  int hi = std::max(g.count, static_cast<int>(std::ceil(cmax * share - 1e-9)));
  hi = std::max(hi, lo);
  // A user HPA on the main workload is updated in place (partial object).
  const SourceObject* user_hpa = nullptr;
  if (u.source != nullptr && gi == 0 && opt_.sources != nullptr) {
    for (const auto& s : *opt_.sources) {
      if (s.kind != "HorizontalPodAutoscaler" ||
          s.namespace_name != u.source->namespace_name)
        continue;
      const ordered_json* spec = Find(s.body, "spec");
      const ordered_json* ref = spec ? Find(*spec, "scaleTargetRef") : nullptr;
      if (ref && Find(*ref, "name") && (*ref)["name"] == u.base_name &&
          Find(*ref, "kind") && (*ref)["kind"] == u.kind) {
        user_hpa = &s;
        break;
      }
    }
  }
  Object o = NewObject(u, user_hpa ? user_hpa->api_version : "autoscaling/v2",
                       "HorizontalPodAutoscaler",
                       user_hpa ? user_hpa->name : workload, u.action);
  o.body["apiVersion"] = o.api_version;
  o.body["kind"] = o.kind;
  o.body["metadata"] = Metadata(o, u, &g);
  if (steps != nullptr) {
    // The schedule's changes (component totals) and this group's share:
    // the daemon sets minReplicas to ceil(total x share) at each change.
    ordered_json changes = ordered_json::array();
    int last = -1;
    size_t kept = 0;
    constexpr size_t kMaxChanges = 500;
    for (const auto& st : *steps) {
      if (st.replicas == last) continue;
      last = st.replicas;
      if (++kept > kMaxChanges) break;
      changes.push_back({{"at", st.at}, {"replicas", st.replicas}});
    }
    ordered_json& ann = o.body["metadata"]["annotations"];
    ann["ecotone.io/replica-schedule"] = changes.dump();
    ann["ecotone.io/replica-schedule-share"] =
        std::to_string(g.count) + "/" + std::to_string(u.total);
    if (kept > kMaxChanges)
      ann["ecotone.io/replica-schedule-truncated"] = "true";
  }
  ordered_json spec;
  if (user_hpa != nullptr) {
    o.patch = true;
    o.source = user_hpa->where;
    spec["minReplicas"] = lo;
    spec["maxReplicas"] = hi;
  } else {
    spec["scaleTargetRef"] = {
        {"apiVersion", "apps/v1"}, {"kind", u.kind}, {"name", workload}};
    spec["minReplicas"] = lo;
    spec["maxReplicas"] = hi;
    spec["metrics"] = ordered_json::array(
        {{{"type", "Resource"},
          {"resource",
           {{"name", "cpu"},
            {"target",
             {{"type", "Utilization"},
              {"averageUtilization", opt_.hpa_cpu_utilization}}}}}}});
  }
  o.body["spec"] = std::move(spec);
  objects_.push_back(std::move(o));
}

void Emitter::EmitPdb(const Unit& u) {
  if (u.total < 2) return;
  Object o =
      NewObject(u, "policy/v1", "PodDisruptionBudget", u.base_name, u.action);
  o.body["apiVersion"] = o.api_version;
  o.body["kind"] = o.kind;
  o.body["metadata"] = Metadata(o, u, nullptr);
  o.body["spec"]["maxUnavailable"] = std::max(1, opt_.max_unavailable);
  o.body["spec"]["selector"] = {{"matchLabels", u.selector}};
  objects_.push_back(std::move(o));
}

// Components not read from Kubernetes get a Service for their ports (DNS
// names of the other components resolve as in Compose); stateful ones a
// headless Service, which their StatefulSets name.
void Emitter::EmitService(const Unit& u) {
  if (u.source != nullptr) return;
  ordered_json ports = ordered_json::array();
  std::set<std::pair<int, std::string>> seen;
  for (const auto& p : u.c->ports) {
    std::string proto = p.protocol == "udp"    ? "UDP"
                        : p.protocol == "sctp" ? "SCTP"
                                               : "TCP";
    if (p.number < 1 || p.number > 65535 ||
        !seen.insert({p.number, proto}).second)
      continue;
    ports.push_back({{"name", std::string(proto == "TCP" ? "p" : "u") +
                                  std::to_string(p.number)},
                     {"port", p.number},
                     {"targetPort", p.number},
                     {"protocol", proto}});
  }
  if (ports.empty() && u.kind != "StatefulSet") return;
  Object o = NewObject(u, "v1", "Service", u.base_name, u.action);
  o.body["apiVersion"] = "v1";
  o.body["kind"] = "Service";
  o.body["metadata"] = Metadata(o, u, nullptr);
  ordered_json spec;
  if (u.kind == "StatefulSet") spec["clusterIP"] = "None";
  spec["selector"] = u.selector;
  if (!ports.empty()) spec["ports"] = std::move(ports);
  o.body["spec"] = std::move(spec);
  objects_.push_back(std::move(o));
}

void Emitter::EmitWorkloads(const Unit& u) {
  for (size_t gi = 0; gi < u.groups.size(); ++gi) {
    if (u.source != nullptr) {
      if (gi == 0)
        EmitUserPatch(u);
      else
        EmitUserCopy(u, gi);
    } else {
      EmitGenerated(u, gi);
    }
    EmitHpa(u, gi, GroupName(u, gi));
  }
  EmitService(u);
  EmitPdb(u);
}

Status Emitter::EmitIsolation(const IsolateRequest& r) {
  auto it = unit_of_.find(r.component);
  if (it == unit_of_.end())
    return Status::InvalidArgument(
        "isolate: component '" + r.component + "' is not in the plan", r.where);
  Unit& u = units_[it->second];
  std::string ns_u = u.ns.empty() ? std::string("default") : u.ns;
  ordered_json peers = ordered_json::array();
  std::set<std::string> seen;
  for (const auto& name : r.allow) {
    auto p = unit_of_.find(name);
    if (p == unit_of_.end())
      return Status::InvalidArgument(
          "isolate: allowed component '" + name + "' is not in the plan",
          r.where);
    if (!seen.insert(name).second) continue;
    const Unit& pu = units_[p->second];
    ordered_json peer;
    std::string ns_p = pu.ns.empty() ? std::string("default") : pu.ns;
    if (ns_p != ns_u)
      peer["namespaceSelector"] = {
          {"matchLabels", {{"kubernetes.io/metadata.name", ns_p}}}};
    peer["podSelector"] = {{"matchLabels", pu.selector}};
    peers.push_back(std::move(peer));
  }
  Object o = NewObject(u, "networking.k8s.io/v1", "NetworkPolicy",
                       DnsLabel("ecotone-isolate-" + u.base_name), r.action);
  // A readable name when the plain one is a valid label.
  std::string plain = "ecotone-isolate-" + u.base_name;
  if (plain.size() <= 63 && ValidLabelKeyName(plain) &&
      plain.find_first_of("._") == std::string::npos)
    o.name = plain;
  o.body["apiVersion"] = o.api_version;
  o.body["kind"] = o.kind;
  o.body["metadata"] = Metadata(o, u, nullptr);
  o.body["metadata"]["annotations"][std::string(kActionAnnotation)] = r.action;
  if (r.action_id != 0)
    o.body["metadata"]["annotations"]["ecotone.io/action-id"] =
        std::to_string(r.action_id);
  if (!r.reason.empty())
    o.body["metadata"]["annotations"]["ecotone.io/reason"] = r.reason;
  std::string allow_list;
  for (const auto& a : r.allow)
    allow_list += (allow_list.empty() ? "" : ",") + a;
  o.body["metadata"]["annotations"]["ecotone.io/allow"] = allow_list;
  ordered_json spec;
  spec["podSelector"] = {{"matchLabels", u.selector}};
  spec["policyTypes"] = ordered_json::array({"Ingress", "Egress"});
  ordered_json ingress = ordered_json::array();
  if (!peers.empty()) ingress.push_back({{"from", peers}});
  spec["ingress"] = std::move(ingress);
  ordered_json egress = ordered_json::array();
  ordered_json dns_peer;
  dns_peer["namespaceSelector"] = {
      {"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}};
  dns_peer["podSelector"] = {{"matchLabels", {{"k8s-app", "kube-dns"}}}};
  egress.push_back(
      {{"to", ordered_json::array({dns_peer})},
       {"ports", ordered_json::array({{{"protocol", "UDP"}, {"port", 53}},
                                      {{"protocol", "TCP"}, {"port", 53}}})}});
  if (!peers.empty()) egress.push_back({{"to", peers}});
  spec["egress"] = std::move(egress);
  o.body["spec"] = std::move(spec);
  objects_.push_back(std::move(o));
  return Status::Ok();
}

Result<Emission> Emitter::Run() {
  plan_id_ = opt_.plan_id;
  if (plan_id_.empty()) {
    auto it = plan_.metadata.find("plan_id");
    plan_id_ = it != plan_.metadata.end() ? it->second : PlanId(plan_);
  }
  ECOTONE_RETURN_IF_ERROR(CheckPlan());
  for (const auto& [comp, steps] : opt_.schedules)
    if (eco_.FindComponent(comp) == nullptr)
      return Status::InvalidArgument("replica schedule for component '" + comp +
                                         "', which is not in the manifest",
                                     {"", 0, 0, "schedules." + comp});
  ECOTONE_RETURN_IF_ERROR(BuildUnits());
  ECOTONE_RETURN_IF_ERROR(ApplyScale());
  ComputeChattyPairs();
  for (const auto& u : units_) EmitWorkloads(u);
  for (const auto& r : opt_.isolate) ECOTONE_RETURN_IF_ERROR(EmitIsolation(r));
  // Two objects of one kind, namespace and name would overwrite each other.
  std::map<std::tuple<std::string, std::string, std::string>, std::string> seen;
  for (const auto& o : objects_) {
    auto [it, fresh] = seen.emplace(
        std::make_tuple(o.kind, o.namespace_name, o.name), o.component);
    if (!fresh)
      return Status::InvalidArgument(o.kind + " '" + o.name +
                                     "' would be emitted for both '" +
                                     it->second + "' and '" + o.component +
                                     "'; rename one of the components");
  }
  Emission e;
  e.plan_id = plan_id_;
  e.objects = std::move(objects_);
  e.notes = std::move(notes_);
  return e;
}

}  // namespace

std::string Object::FileName() const {
  std::string kind_lower;
  for (char ch : kind)
    kind_lower.push_back(
        static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  std::string f;
  if (!namespace_name.empty()) f += namespace_name + ".";
  f += name + "." + kind_lower + ".yaml";
  return patch ? "patches/" + f : f;
}

std::string PlanId(const model::PlacementPlan& plan) {
  model::PlacementPlan p = plan;
  p.metadata.erase("plan_id");
  return "p" + Hex(Fnv1a(manifest::WritePlanJson(p)), 16);
}

bool ValidLabelValue(std::string_view s) {
  return s.empty() || ValidLabelKeyName(s);
}

Result<Emission> Emit(const model::Ecosystem& ecosystem,
                      const model::PlacementPlan& plan,
                      const EmitOptions& options) {
  Emitter e(ecosystem, plan, options);
  return e.Run();
}

std::string ToYaml(const Object& object) { return ToYaml(object.body); }

std::string ToYamlStream(const Emission& emission) {
  std::string out;
  for (const auto& o : emission.objects) {
    out += "---\n";
    if (o.patch)
      out += "# partial object of the user's " + o.kind + " (" +
             o.source.ToString() +
             "): apply with kubectl apply --server-side, or kubectl patch "
             "--type strategic\n";
    out += ToYaml(o);
  }
  return out;
}

Status WriteEmission(const Emission& emission, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "patches", ec);
  if (ec)
    return Status::IOError("cannot create directory: " + ec.message(),
                           {dir, 0, 0, ""});
  for (const auto& o : emission.objects) {
    fs::path p = fs::path(dir) / o.FileName();
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << ToYaml(o);
    out.close();
    if (!out)
      return Status::IOError("cannot write file", {p.string(), 0, 0, ""});
  }
  return Status::Ok();
}

}  // namespace ecotone::kubernetes
