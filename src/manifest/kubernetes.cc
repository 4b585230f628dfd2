// Kubernetes reader: multi-document YAML (several files concatenated) into
// an Ecosystem. Workloads become components, Services map DNS names to the
// workloads their selectors match (by labels), ConfigMap values referenced
// from env/envFrom/volumes join the container's configuration, HPAs set the
// replica range, and every value that names another workload's Service
// becomes an inferred dependency with evidence. See docs/import-kubernetes.md.
//
// Cost: one pass over the objects per stage. Pod labels are indexed by
// (namespace, key, value), and a Service checks its full selector only on the
// workloads carrying its rarest selector pair, so the read is linear in the
// number of objects unless many workloads share every selector pair.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecotone/manifest/infer.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/model/units.h"
#include "kubernetes_reader.h"
#include "yaml_util.h"

namespace ecotone::manifest {
namespace {

using model::Component;
using model::ComponentKind;
using model::Dependency;
using model::Evidence;
using model::Problem;
using model::Resources;
using model::Severity;
using model::SkippedObject;
using YAML::Node;

constexpr size_t kMaxEvidenceValue = 240;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// The value of `key` in a mapping, or an undefined node when `map` is not a
// mapping or has no such key. Never throws (yaml-cpp's const operator[]
// throws on scalars).
Node Get(const Node& map, std::string_view key) {
  if (map.IsDefined() && map.IsMap()) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
    }
  }
  return Node(YAML::NodeType::Undefined);
}

// Absent: undefined or an explicit null (`key:` / `key: null`).
bool Absent(const Node& n) { return !n.IsDefined() || n.IsNull(); }

// Kubernetes object names: DNS subdomain (RFC 1123), at most 253 characters.
bool ValidName(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      return false;
  }
  return std::isalnum(static_cast<unsigned char>(s.front())) &&
         std::isalnum(static_cast<unsigned char>(s.back()));
}

// The tag of an image reference ("redis:7.2" -> "7.2"); "" when none.
std::string ImageTag(std::string_view image) {
  std::string img(image);
  if (size_t at = img.find('@'); at != std::string::npos) img.resize(at);
  size_t slash = img.rfind('/');
  size_t colon = img.rfind(':');
  if (colon == std::string::npos ||
      (slash != std::string::npos && colon < slash))
    return "";
  return img.substr(colon + 1);
}

std::string Truncate(std::string_view s) {
  if (s.size() <= kMaxEvidenceValue) return std::string(s);
  return std::string(s.substr(0, kMaxEvidenceValue)) + "...";
}

// Kubernetes `$(VAR)` expansion as the kubelet does it for env values,
// command and args: defined variables are replaced, `$$` escapes a `$`,
// undefined references stay as written.
std::string Expand(std::string_view s,
                   const std::unordered_map<std::string, std::string>& env) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    if (s[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (s[i + 1] == '(') {
      size_t close = s.find(')', i + 2);
      if (close != std::string_view::npos) {
        std::string name(s.substr(i + 2, close - i - 2));
        auto it = env.find(name);
        if (it != env.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out += s[i];
  }
  return out;
}

// Walks `n` as a tree (aliases expanded, as ResolveMergeKeys does) and
// returns false once more than *budget nodes or nesting deeper than twice
// kMaxNesting were seen: a few aliases of aliases ("billion laughs") would
// otherwise make the merge-key pass exponential.
bool WithinExpansionBudget(const Node& n, size_t* budget, int depth) {
  if (*budget == 0 || depth > 2 * kMaxNesting) return false;
  --*budget;
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!WithinExpansionBudget(it->first, budget, depth + 1) ||
          !WithinExpansionBudget(it->second, budget, depth + 1))
        return false;
    }
  } else if (n.IsSequence()) {
    for (auto it = n.begin(); it != n.end(); ++it)
      if (!WithinExpansionBudget(*it, budget, depth + 1)) return false;
  }
  return true;
}

// Index key of one pod label in one namespace (NUL cannot occur in input:
// PrecheckText rejects it).
std::string LabelKey(std::string_view ns, std::string_view key,
                     std::string_view value) {
  std::string out;
  out.reserve(ns.size() + key.size() + value.size() + 2);
  out.append(ns).push_back('\0');
  out.append(key).push_back('\0');
  out.append(value);
  return out;
}


struct Object {
  const std::string* file = nullptr;
  Node node;
  std::string prefix;  // "" or "items[3]" for an item of a List.
  std::string api_version;
  std::string kind;
  std::string name;  // "" when metadata.name is missing.
  std::string ns;    // "default" when metadata.namespace is missing.
  bool ns_explicit = false;
  Location where;
};

struct ConfigValue {
  std::string value;
  Location where;
};

struct ConfigMap {
  const Object* obj = nullptr;
  std::vector<std::pair<std::string, ConfigValue>> data;  // in file order.
  const ConfigValue* Find(std::string_view key) const {
    for (const auto& [k, v] : data)
      if (k == key) return &v;
    return nullptr;
  }
};

struct Workload {
  const Object* obj = nullptr;
  size_t comp = 0;  // index in components_.
  std::map<std::string, std::string> pod_labels;
  Node pod_spec;
  std::string pod_path;  // field path of the pod spec, e.g. spec.template.spec
};

// A Service's DNS target: the workloads its selector matched.
struct ServiceTarget {
  std::string service;
  std::string ns;
  bool headless = false;
  std::vector<size_t> workloads;
};

class Reader {
 public:
  Reader(const std::vector<std::string>& names,
         const std::vector<std::string>& texts, const LoadOptions& options,
         const KubernetesReadOptions& k8s)
      : names_(names), texts_(texts), options_(options), k8s_(k8s) {}

  Result<LoadResult> Run();

 private:
  std::string P(const Object& o, std::string_view path) const {
    if (o.prefix.empty()) return std::string(path);
    if (path.empty()) return o.prefix;
    return o.prefix + "." + std::string(path);
  }
  Location At(const Object& o, const Node& n, std::string_view path) const {
    return manifest::At(*o.file, n, P(o, path));
  }
  Status Bad(const Object& o, const Node& n, std::string_view path,
             std::string message) const {
    return Status::InvalidArgument(std::move(message), At(o, n, path));
  }
  void AddProblem(Severity sev, Location where, std::string message,
                  std::string code) {
    result_.problems.push_back(
        Problem{sev, std::move(where), std::move(message), std::move(code)});
  }
  void Skip(const Object& o, std::string reason) {
    result_.skipped.push_back(
        SkippedObject{o.where, o.kind, o.name, std::move(reason)});
  }

  // Typed access with located errors. Absent nodes are OK for the optional
  // variants and keep the default.
  Status ExpectMap(const Object& o, const Node& n, std::string_view path) {
    if (Absent(n) || n.IsMap()) return Status::Ok();
    return Bad(o, n, path, "expected a mapping");
  }
  Status ExpectSeq(const Object& o, const Node& n, std::string_view path) {
    if (Absent(n) || n.IsSequence()) return Status::Ok();
    return Bad(o, n, path, "expected a list");
  }
  Result<std::string> Str(const Object& o, const Node& n,
                          std::string_view path) {
    return AsString(*o.file, n, P(o, path));
  }
  Result<std::string> OptStr(const Object& o, const Node& n,
                             std::string_view path) {
    if (Absent(n)) return std::string();
    return AsString(*o.file, n, P(o, path));
  }
  Result<int64_t> Int(const Object& o, const Node& n, std::string_view path,
                      int64_t min, int64_t max) {
    return AsInt(*o.file, n, P(o, path), min, max);
  }
  Result<std::map<std::string, std::string>> StringMap(const Object& o,
                                                       const Node& n,
                                                       std::string_view path);

  Status Collect(const std::string& file, const Node& doc, std::string prefix,
                 int depth);
  Status ReadConfigMap(const Object& o);
  Status ReadWorkload(const Object& o);
  Status ReadContainers(const Object& o, const Node& pod_spec,
                        const Node& pod_meta, const std::string& pod_path,
                        Component* c);
  Status ReadService(const Object& o);
  Status ReadHpa(const Object& o);
  void QualifyNames();
  void RefineKinds();
  Status InferWorkload(const Workload& w);
  void ScanValue(const Workload& w, std::string_view value,
                 const Location& where, const std::string& what);
  std::vector<std::pair<size_t, std::string>> Resolve(std::string_view host,
                                                      const std::string& ns,
                                                      bool bare);
  void AddEdge(size_t from, size_t to, const HostMention& m, Evidence ev);
  void InferByNamingConvention();

  const std::vector<std::string>& names_;
  const std::vector<std::string>& texts_;
  const LoadOptions& options_;
  const KubernetesReadOptions& k8s_;

  LoadResult result_;
  std::vector<Object> objects_;
  std::unordered_map<std::string, ConfigMap> config_maps_;  // "ns/name"
  std::set<std::string> secrets_;                           // "ns/name"
  std::vector<Workload> workloads_;  // workloads_[i].comp == i
  std::vector<Component> components_;
  std::unordered_map<std::string, size_t> workload_by_key_;  // "ns/name"
  // LabelKey(ns, key, value) -> workloads whose pod template has the label.
  std::unordered_map<std::string, std::vector<size_t>> workloads_by_label_;
  // "svc.ns" (lower case) -> the workloads the Service selects.
  std::unordered_map<std::string, ServiceTarget> services_;
  struct Edge {
    size_t from, to;
    Dependency dep;
  };
  std::vector<Edge> edges_;
  std::map<std::pair<size_t, size_t>, size_t> edge_index_;
  std::set<std::string> unresolved_reported_;
};

Result<std::map<std::string, std::string>> Reader::StringMap(
    const Object& o, const Node& n, std::string_view path) {
  std::map<std::string, std::string> out;
  if (Absent(n)) return out;
  if (!n.IsMap()) return Bad(o, n, path, "expected a mapping of strings");
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar())
      return Bad(o, it->first, path, "expected a string key");
    const std::string& key = it->first.Scalar();
    std::string p = Join(std::string(path), key);
    if (Absent(it->second)) {
      out[key] = "";
      continue;
    }
    ECOTONE_ASSIGN_OR_RETURN(std::string v, Str(o, it->second, p));
    out[key] = std::move(v);
  }
  return out;
}

Status Reader::Collect(const std::string& file, const Node& doc,
                       std::string prefix, int depth) {
  Object o;
  o.file = &file;
  o.prefix = prefix;
  o.node = doc;
  o.where = manifest::At(file, doc, prefix);
  if (!doc.IsMap()) {
    return Status::InvalidArgument(
        "expected a Kubernetes object (a mapping with apiVersion and kind)",
        o.where);
  }
  Node api = Get(doc, "apiVersion");
  Node kind = Get(doc, "kind");
  if (Absent(api)) return Bad(o, doc, "apiVersion", "missing apiVersion");
  if (Absent(kind)) return Bad(o, doc, "kind", "missing kind");
  ECOTONE_ASSIGN_OR_RETURN(o.api_version, Str(o, api, "apiVersion"));
  ECOTONE_ASSIGN_OR_RETURN(o.kind, Str(o, kind, "kind"));
  if (o.kind.empty()) return Bad(o, kind, "kind", "kind is empty");

  if (o.kind == "List" || (EndsWith(o.kind, "List") && o.kind.size() > 4 &&
                           Get(doc, "items").IsDefined())) {
    if (depth >= kMaxK8sListDepth)
      return Bad(o, doc, "",
                 "List nested deeper than " + std::to_string(kMaxK8sListDepth) +
                     " levels");
    Node items = Get(doc, "items");
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, items, "items"));
    if (Absent(items)) return Status::Ok();
    for (size_t i = 0; i < items.size(); ++i) {
      ECOTONE_RETURN_IF_ERROR(
          Collect(file, items[i], Join(P(o, "items"), i), depth + 1));
    }
    return Status::Ok();
  }

  Node meta = Get(doc, "metadata");
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, meta, "metadata"));
  Node name = Get(meta, "name");
  if (!Absent(name)) {
    ECOTONE_ASSIGN_OR_RETURN(o.name, Str(o, name, "metadata.name"));
    if (!ValidName(o.name, 253)) {
      return Bad(o, name, "metadata.name",
                 "'" + o.name +
                     "' is not a valid Kubernetes name (lower-case letters, "
                     "digits, '-' and '.', at most 253 characters)");
    }
  }
  Node ns = Get(meta, "namespace");
  o.ns = "default";
  if (!Absent(ns)) {
    ECOTONE_ASSIGN_OR_RETURN(o.ns, Str(o, ns, "metadata.namespace"));
    if (!ValidName(o.ns, 63) || o.ns.find('.') != std::string::npos) {
      return Bad(o, ns, "metadata.namespace",
                 "'" + o.ns +
                     "' is not a valid namespace (lower-case letters, digits "
                     "and '-', at most 63 characters)");
    }
    o.ns_explicit = true;
  }
  objects_.push_back(std::move(o));
  return Status::Ok();
}

bool IsWorkloadKind(std::string_view kind) {
  return kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
         kind == "Job" || kind == "CronJob" || kind == "Pod" ||
         kind == "ReplicaSet" || kind == "ReplicationController";
}

// Why other kinds are not imported (shown in LoadResult::skipped).
std::string SkipReason(std::string_view kind) {
  static const std::map<std::string, std::string, std::less<>> kReasons = {
      {"ServiceAccount", "identity for API access; no workload"},
      {"Role", "access control; no workload"},
      {"ClusterRole", "access control; no workload"},
      {"RoleBinding", "access control; no workload"},
      {"ClusterRoleBinding", "access control; no workload"},
      {"Ingress", "external HTTP routing; not a component"},
      {"IngressClass", "external HTTP routing; not a component"},
      {"Gateway", "external routing (Gateway API); not a component"},
      {"HTTPRoute", "external routing (Gateway API); not a component"},
      {"NetworkPolicy", "network policy; not a component"},
      {"PodDisruptionBudget", "disruption budget; not imported"},
      {"Namespace", "namespaces are kept on the objects that use them"},
      {"CustomResourceDefinition", "API extension; not a workload"},
      {"PersistentVolumeClaim", "storage claim; not a component"},
      {"PersistentVolume", "storage volume; not a component"},
      {"StorageClass", "storage class; not a component"},
      {"Secret", "Secret values are not read"},
      {"LimitRange", "namespace policy; not imported"},
      {"ResourceQuota", "namespace policy; not imported"},
      {"PriorityClass", "scheduling policy; not imported"},
      {"Endpoints", "endpoints are derived from Service selectors"},
      {"EndpointSlice", "endpoints are derived from Service selectors"},
      {"MutatingWebhookConfiguration", "admission webhook; not a workload"},
      {"ValidatingWebhookConfiguration", "admission webhook; not a workload"},
  };
  auto it = kReasons.find(kind);
  if (it != kReasons.end()) return it->second;
  return "kind '" + std::string(kind) + "' is not imported";
}

Status Reader::ReadConfigMap(const Object& o) {
  if (o.name.empty()) {
    Skip(o, "no metadata.name");
    AddProblem(Severity::kWarning, o.where, "ConfigMap without metadata.name",
               "missing-name");
    return Status::Ok();
  }
  std::string key = o.ns + "/" + o.name;
  if (config_maps_.count(key)) {
    return Bad(o, Get(Get(o.node, "metadata"), "name"), "metadata.name",
               "duplicate ConfigMap '" + o.name + "' in namespace '" + o.ns +
                   "' (first at " + config_maps_[key].obj->where.ToString() +
                   ")");
  }
  ConfigMap cm;
  cm.obj = &o;
  Node data = Get(o.node, "data");
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, data, "data"));
  if (!Absent(data)) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      if (!it->first.IsScalar())
        return Bad(o, it->first, "data", "expected a string key");
      std::string k = it->first.Scalar();
      std::string p = Join(std::string("data"), k);
      std::string v;
      if (!Absent(it->second)) {
        ECOTONE_ASSIGN_OR_RETURN(v, Str(o, it->second, p));
      }
      cm.data.push_back({k, ConfigValue{std::move(v), At(o, it->second, p)}});
    }
  }
  config_maps_.emplace(std::move(key), std::move(cm));
  return Status::Ok();
}

Status Reader::ReadWorkload(const Object& o) {
  Node meta = Get(o.node, "metadata");
  if (o.name.empty()) {
    return Bad(o, Absent(meta) ? o.node : meta, "metadata.name",
               o.kind + " has no metadata.name");
  }
  std::string key = o.ns + "/" + o.name;
  if (auto it = workload_by_key_.find(key); it != workload_by_key_.end()) {
    const Object& first = *workloads_[it->second].obj;
    return Bad(o, Get(meta, "name"), "metadata.name",
               "duplicate workload name '" + o.name + "' in namespace '" +
                   o.ns + "' (" + first.kind + " at " + first.where.ToString() +
                   ")");
  }
  Node spec = Get(o.node, "spec");
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, spec, "spec"));
  if (Absent(spec)) return Bad(o, o.node, "spec", o.kind + " has no spec");

  Workload w;
  w.obj = &o;
  Component c;
  c.name = o.name;
  c.source_kind = o.kind;
  c.where = o.where;
  ECOTONE_ASSIGN_OR_RETURN(
      c.labels, StringMap(o, Get(meta, "labels"), "metadata.labels"));
  if (o.ns_explicit) c.labels["ecotone.io/namespace"] = o.ns;

  // Where the pod template lives for each kind.
  Node tmpl;
  std::string tmpl_path;
  int64_t replicas = 1;
  if (o.kind == "Pod") {
    w.pod_spec = spec;
    w.pod_path = "spec";
    ECOTONE_ASSIGN_OR_RETURN(
        w.pod_labels, StringMap(o, Get(meta, "labels"), "metadata.labels"));
  } else {
    std::string base = "spec";
    Node job_spec = spec;
    if (o.kind == "CronJob") {
      Node jt = Get(spec, "jobTemplate");
      ECOTONE_RETURN_IF_ERROR(ExpectMap(o, jt, "spec.jobTemplate"));
      if (Absent(jt))
        return Bad(o, spec, "spec.jobTemplate", "CronJob has no jobTemplate");
      job_spec = Get(jt, "spec");
      base = "spec.jobTemplate.spec";
      ECOTONE_RETURN_IF_ERROR(ExpectMap(o, job_spec, base));
      if (Absent(job_spec))
        return Bad(o, jt, base, "CronJob jobTemplate has no spec");
      Node sched = Get(spec, "schedule");
      if (!Absent(sched)) {
        ECOTONE_RETURN_IF_ERROR(Str(o, sched, "spec.schedule").status());
      }
    }
    tmpl = Get(job_spec, "template");
    tmpl_path = base + ".template";
    ECOTONE_RETURN_IF_ERROR(ExpectMap(o, tmpl, tmpl_path));
    if (Absent(tmpl))
      return Bad(o, job_spec, tmpl_path, o.kind + " has no pod template");
    Node tmeta = Get(tmpl, "metadata");
    ECOTONE_RETURN_IF_ERROR(ExpectMap(o, tmeta, tmpl_path + ".metadata"));
    ECOTONE_ASSIGN_OR_RETURN(
        w.pod_labels,
        StringMap(o, Get(tmeta, "labels"), tmpl_path + ".metadata.labels"));
    w.pod_spec = Get(tmpl, "spec");
    w.pod_path = tmpl_path + ".spec";
    if (o.kind == "Job" || o.kind == "CronJob") {
      Node par = Get(job_spec, "parallelism");
      if (!Absent(par)) {
        ECOTONE_ASSIGN_OR_RETURN(
            replicas, Int(o, par, base + ".parallelism", 0, kMaxK8sReplicas));
      }
    } else if (o.kind != "DaemonSet") {
      Node r = Get(spec, "replicas");
      if (!Absent(r)) {
        ECOTONE_ASSIGN_OR_RETURN(
            replicas, Int(o, r, "spec.replicas", 0, kMaxK8sReplicas));
      }
    } else {
      AddProblem(Severity::kInfo, o.where,
                 "DaemonSet '" + o.name +
                     "' runs one replica per node; imported with 1 replica",
                 "daemonset-per-node");
    }
  }
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, w.pod_spec, w.pod_path));
  if (Absent(w.pod_spec))
    return Bad(o, Absent(tmpl) ? spec : tmpl, w.pod_path,
               o.kind + " has no pod spec");
  for (const auto& [k, v] : w.pod_labels) c.labels.emplace(k, v);
  c.replicas.min = c.replicas.max = c.replicas.initial =
      static_cast<int>(replicas);
  c.stateful = o.kind == "StatefulSet";
  ECOTONE_RETURN_IF_ERROR(ReadContainers(
      o, w.pod_spec, o.kind == "Pod" ? meta : Get(tmpl, "metadata"), w.pod_path,
      &c));
  if (KindIsStateful(c.kind)) c.stateful = true;

  w.comp = components_.size();
  workload_by_key_[key] = workloads_.size();
  for (const auto& [k, v] : w.pod_labels)
    workloads_by_label_[LabelKey(o.ns, k, v)].push_back(workloads_.size());
  components_.push_back(std::move(c));
  workloads_.push_back(std::move(w));
  return Status::Ok();
}

Status Reader::ReadContainers(const Object& o, const Node& pod_spec,
                              const Node& pod_meta, const std::string& pod_path,
                              Component* c) {
  Resources sum_req, sum_lim, init_req, init_lim;
  // The default container (kubectl's annotation) decides kind and version.
  std::string default_container;
  Node ann = Get(Get(pod_meta, "annotations"),
                 "kubectl.kubernetes.io/default-container");
  if (!Absent(ann) && ann.IsScalar()) default_container = ann.Scalar();
  bool have_main = false;
  std::string main_image;
  std::vector<int> port_numbers;

  for (const char* list : {"containers", "initContainers"}) {
    bool init = std::string_view(list) == "initContainers";
    std::string lp = pod_path + "." + list;
    Node cs = Get(pod_spec, list);
    ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, cs, lp));
    if (!init && (Absent(cs) || cs.size() == 0)) {
      return Bad(o, Absent(cs) ? pod_spec : cs, lp,
                 "pod spec has no containers");
    }
    if (Absent(cs)) continue;
    for (size_t i = 0; i < cs.size(); ++i) {
      Node ct = cs[i];
      std::string cp = Join(lp, i);
      if (!ct.IsMap()) return Bad(o, ct, cp, "expected a container mapping");
      std::string cname, image;
      ECOTONE_ASSIGN_OR_RETURN(cname, OptStr(o, Get(ct, "name"), cp + ".name"));
      ECOTONE_ASSIGN_OR_RETURN(image,
                               OptStr(o, Get(ct, "image"), cp + ".image"));
      std::string restart;
      ECOTONE_ASSIGN_OR_RETURN(
          restart, OptStr(o, Get(ct, "restartPolicy"), cp + ".restartPolicy"));
      // Native sidecars (init containers with restartPolicy: Always) run
      // beside the app containers, so they add up like them.
      bool sidecar = init && restart == "Always";
      if (!init && !have_main &&
          (default_container.empty() || default_container == cname)) {
        have_main = true;
        main_image = image;
      }
      // Ports.
      Node ports = Get(ct, "ports");
      ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, ports, cp + ".ports"));
      if (!Absent(ports)) {
        for (size_t j = 0; j < ports.size(); ++j) {
          std::string pp = Join(cp + ".ports", j);
          Node pn = ports[j];
          if (!pn.IsMap()) return Bad(o, pn, pp, "expected a port mapping");
          Node num = Get(pn, "containerPort");
          if (Absent(num))
            return Bad(o, pn, pp + ".containerPort", "missing containerPort");
          ECOTONE_ASSIGN_OR_RETURN(
              int64_t n, Int(o, num, pp + ".containerPort", 1, 65535));
          std::string proto, pname;
          ECOTONE_ASSIGN_OR_RETURN(
              proto, OptStr(o, Get(pn, "protocol"), pp + ".protocol"));
          ECOTONE_ASSIGN_OR_RETURN(pname,
                                   OptStr(o, Get(pn, "name"), pp + ".name"));
          if (init && !sidecar) continue;  // not serving.
          proto = proto.empty() ? "tcp" : Lower(proto);
          bool dup = false;
          for (const auto& p : c->ports)
            if (p.number == n && p.protocol == proto) dup = true;
          if (!dup)
            c->ports.push_back(model::Port{static_cast<int>(n), proto, pname});
          port_numbers.push_back(static_cast<int>(n));
        }
      }
      // Resources: requests default to limits when only limits are given
      // (API server defaulting).
      Node res = Get(ct, "resources");
      std::string rp = cp + ".resources";
      ECOTONE_RETURN_IF_ERROR(ExpectMap(o, res, rp));
      Resources req, lim;
      for (const char* which : {"limits", "requests"}) {
        std::string wp = rp + "." + which;
        Node m = Get(res, which);
        ECOTONE_RETURN_IF_ERROR(ExpectMap(o, m, wp));
        if (Absent(m)) continue;
        Resources* r = std::string_view(which) == "limits" ? &lim : &req;
        for (auto it = m.begin(); it != m.end(); ++it) {
          if (!it->first.IsScalar())
            return Bad(o, it->first, wp, "expected a resource name");
          const std::string& rn = it->first.Scalar();
          std::string vp = wp + "." + rn;
          if (rn != "cpu" && rn != "memory" && rn != "ephemeral-storage")
            continue;  // extended resources (GPUs, hugepages) not modelled.
          ECOTONE_ASSIGN_OR_RETURN(std::string text, Str(o, it->second, vp));
          if (rn == "cpu") {
            auto v = model::ParseCpuMillicores(text);
            if (!v.ok()) return Bad(o, it->second, vp, v.status().message());
            if (*v > kMaxK8sCpuMillicores)
              return Bad(o, it->second, vp,
                         "cpu '" + text + "' is absurd (more than " +
                             std::to_string(kMaxK8sCpuMillicores / 1000) +
                             " cores)");
            r->cpu_millicores = *v;
          } else {
            auto v = model::ParseBytes(text);
            if (!v.ok()) return Bad(o, it->second, vp, v.status().message());
            if (*v > kMaxK8sBytes)
              return Bad(o, it->second, vp,
                         rn + " '" + text + "' is absurd (more than 1Pi)");
            (rn == "memory" ? r->memory_bytes : r->storage_bytes) = *v;
          }
        }
      }
      if (req.cpu_millicores == 0) req.cpu_millicores = lim.cpu_millicores;
      if (req.memory_bytes == 0) req.memory_bytes = lim.memory_bytes;
      if (req.storage_bytes == 0) req.storage_bytes = lim.storage_bytes;
      if (init && !sidecar) {
        // Init containers run one at a time before the app: the pod needs
        // the largest of them (the scheduler's effective request).
        init_req.cpu_millicores =
            std::max(init_req.cpu_millicores, req.cpu_millicores);
        init_req.memory_bytes =
            std::max(init_req.memory_bytes, req.memory_bytes);
        init_req.storage_bytes =
            std::max(init_req.storage_bytes, req.storage_bytes);
        init_lim.cpu_millicores =
            std::max(init_lim.cpu_millicores, lim.cpu_millicores);
        init_lim.memory_bytes =
            std::max(init_lim.memory_bytes, lim.memory_bytes);
        init_lim.storage_bytes =
            std::max(init_lim.storage_bytes, lim.storage_bytes);
      } else {
        sum_req.cpu_millicores += req.cpu_millicores;
        sum_req.memory_bytes += req.memory_bytes;
        sum_req.storage_bytes += req.storage_bytes;
        sum_lim.cpu_millicores += lim.cpu_millicores;
        sum_lim.memory_bytes += lim.memory_bytes;
        sum_lim.storage_bytes += lim.storage_bytes;
      }
      // Type-check the fields inference reads later, so errors surface with
      // their location even when nothing is inferred from them.
      ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, Get(ct, "env"), cp + ".env"));
      ECOTONE_RETURN_IF_ERROR(
          ExpectSeq(o, Get(ct, "envFrom"), cp + ".envFrom"));
      ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, Get(ct, "args"), cp + ".args"));
      ECOTONE_RETURN_IF_ERROR(
          ExpectSeq(o, Get(ct, "command"), cp + ".command"));
    }
  }
  auto max_of = [](Resources a, const Resources& b) {
    a.cpu_millicores = std::max(a.cpu_millicores, b.cpu_millicores);
    a.memory_bytes = std::max(a.memory_bytes, b.memory_bytes);
    a.storage_bytes = std::max(a.storage_bytes, b.storage_bytes);
    return a;
  };
  c->requests = max_of(sum_req, init_req);
  c->limits = max_of(sum_lim, init_lim);
  if (!have_main && !default_container.empty()) {
    // The annotation names no container: fall back to the first one.
    const Node cs = Get(pod_spec, "containers");
    const Node first = cs[0];
    if (first.IsMap() && Get(first, "image").IsScalar())
      main_image = Get(first, "image").Scalar();
  }
  c->image = main_image;
  c->version = ImageTag(main_image);
  if (auto k = KindFromImage(main_image)) {
    c->kind = *k;
  } else {
    for (int p : port_numbers) {
      if (auto kp = KindFromPort(p)) {
        c->kind = *kp;
        break;
      }
    }
  }
  return Status::Ok();
}

Status Reader::ReadService(const Object& o) {
  if (o.name.empty()) {
    Skip(o, "Service without metadata.name cannot be addressed");
    AddProblem(Severity::kWarning, o.where,
               "Service without metadata.name is ignored", "missing-name");
    return Status::Ok();
  }
  Node spec = Get(o.node, "spec");
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, spec, "spec"));
  std::string type, cluster_ip;
  ECOTONE_ASSIGN_OR_RETURN(type, OptStr(o, Get(spec, "type"), "spec.type"));
  ECOTONE_ASSIGN_OR_RETURN(cluster_ip,
                           OptStr(o, Get(spec, "clusterIP"), "spec.clusterIP"));
  // Ports are validated for every Service, also the skipped ones.
  Node ports = Get(spec, "ports");
  ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, ports, "spec.ports"));
  std::vector<model::Port> svc_ports;
  if (!Absent(ports)) {
    for (size_t i = 0; i < ports.size(); ++i) {
      std::string pp = Join(std::string("spec.ports"), i);
      Node pn = ports[i];
      if (!pn.IsMap()) return Bad(o, pn, pp, "expected a port mapping");
      Node num = Get(pn, "port");
      if (Absent(num)) return Bad(o, pn, pp + ".port", "missing port");
      ECOTONE_ASSIGN_OR_RETURN(int64_t n, Int(o, num, pp + ".port", 1, 65535));
      std::string proto, pname;
      ECOTONE_ASSIGN_OR_RETURN(
          proto, OptStr(o, Get(pn, "protocol"), pp + ".protocol"));
      ECOTONE_ASSIGN_OR_RETURN(pname, OptStr(o, Get(pn, "name"), pp + ".name"));
      Node target = Get(pn, "targetPort");
      if (!Absent(target)) {
        if (!target.IsScalar())
          return Bad(o, target, pp + ".targetPort",
                     "expected a port number or name");
        const std::string& t = target.Scalar();
        if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) {
          ECOTONE_RETURN_IF_ERROR(
              Int(o, target, pp + ".targetPort", 1, 65535).status());
        }
      }
      Node node_port = Get(pn, "nodePort");
      if (!Absent(node_port)) {
        ECOTONE_RETURN_IF_ERROR(
            Int(o, node_port, pp + ".nodePort", 1, 65535).status());
      }
      svc_ports.push_back(model::Port{static_cast<int>(n),
                                      proto.empty() ? "tcp" : Lower(proto),
                                      pname.empty() ? o.name : pname});
    }
  }
  if (type == "ExternalName") {
    Skip(o, "ExternalName Service points outside the cluster (no workload)");
    return Status::Ok();
  }
  Node sel = Get(spec, "selector");
  ECOTONE_ASSIGN_OR_RETURN(auto selector, StringMap(o, sel, "spec.selector"));
  if (selector.empty()) {
    Skip(o, "Service without selector (endpoints managed elsewhere)");
    AddProblem(Severity::kInfo, o.where,
               "Service '" + o.name +
                   "' has no selector; its name does not resolve to a workload",
               "service-without-selector");
    return Status::Ok();
  }
  std::string key = Lower(o.name + "." + o.ns);
  if (services_.count(key)) {
    return Bad(
        o, Get(Get(o.node, "metadata"), "name"), "metadata.name",
        "duplicate Service '" + o.name + "' in namespace '" + o.ns + "'");
  }
  ServiceTarget st;
  st.service = o.name;
  st.ns = o.ns;
  st.headless = cluster_ip == "None";
  // Candidates: the workloads carrying the selector pair that the fewest
  // workloads of the namespace carry; then the whole selector is checked.
  const std::vector<size_t>* candidates = nullptr;
  for (const auto& [k, v] : selector) {
    auto it = workloads_by_label_.find(LabelKey(o.ns, k, v));
    if (it == workloads_by_label_.end()) {
      candidates = nullptr;
      break;
    }
    if (candidates == nullptr || it->second.size() < candidates->size())
      candidates = &it->second;
  }
  if (candidates != nullptr) {
    for (size_t wi : *candidates) {
      const auto& labels = workloads_[wi].pod_labels;
      bool match = true;
      for (const auto& [k, v] : selector) {
        auto l = labels.find(k);
        if (l == labels.end() || l->second != v) {
          match = false;
          break;
        }
      }
      if (match) st.workloads.push_back(wi);
    }
  }
  if (st.workloads.empty()) {
    AddProblem(Severity::kWarning, At(o, sel, "spec.selector"),
               "Service '" + o.name + "' selects no workload in namespace '" +
                   o.ns + "'",
               "service-selects-nothing");
  } else if (st.workloads.size() > 1) {
    std::string list;
    for (size_t wi : st.workloads)
      list += (list.empty() ? "" : ", ") + workloads_[wi].obj->name;
    AddProblem(Severity::kInfo, At(o, sel, "spec.selector"),
               "Service '" + o.name + "' selects several workloads (" + list +
                   "); a call to it becomes one edge to each",
               "service-multiple-targets");
  }
  for (size_t wi : st.workloads) {
    Component& c = components_[workloads_[wi].comp];
    for (const auto& sp : svc_ports) {
      bool dup = false;
      for (auto& p : c.ports) {
        if (p.number == sp.number && p.protocol == sp.protocol) {
          if (p.name.empty()) p.name = sp.name;
          dup = true;
        }
      }
      if (!dup) c.ports.push_back(sp);
    }
  }
  services_.emplace(std::move(key), std::move(st));
  return Status::Ok();
}

Status Reader::ReadHpa(const Object& o) {
  Node spec = Get(o.node, "spec");
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, spec, "spec"));
  if (Absent(spec))
    return Bad(o, o.node, "spec", "HorizontalPodAutoscaler has no spec");
  Node ref = Get(spec, "scaleTargetRef");
  ECOTONE_RETURN_IF_ERROR(ExpectMap(o, ref, "spec.scaleTargetRef"));
  if (Absent(ref))
    return Bad(o, spec, "spec.scaleTargetRef", "missing scaleTargetRef");
  std::string tkind, tname;
  ECOTONE_ASSIGN_OR_RETURN(
      tkind, OptStr(o, Get(ref, "kind"), "spec.scaleTargetRef.kind"));
  ECOTONE_ASSIGN_OR_RETURN(
      tname, Str(o, Get(ref, "name"), "spec.scaleTargetRef.name"));
  int64_t min = 1;
  Node mn = Get(spec, "minReplicas");
  if (!Absent(mn)) {
    ECOTONE_ASSIGN_OR_RETURN(
        min, Int(o, mn, "spec.minReplicas", 1, kMaxK8sReplicas));
  }
  Node mx = Get(spec, "maxReplicas");
  if (Absent(mx))
    return Bad(o, spec, "spec.maxReplicas", "missing maxReplicas");
  ECOTONE_ASSIGN_OR_RETURN(int64_t max,
                           Int(o, mx, "spec.maxReplicas", 1, kMaxK8sReplicas));
  if (max < min) {
    return Bad(o, mx, "spec.maxReplicas",
               "maxReplicas " + std::to_string(max) + " is below minReplicas " +
                   std::to_string(min));
  }
  if (!Absent(Get(spec, "behavior"))) {
    AddProblem(Severity::kInfo, At(o, Get(spec, "behavior"), "spec.behavior"),
               "HorizontalPodAutoscaler '" + o.name +
                   "': scaling behavior is kept in the manifest but not "
                   "modelled (Ecotone's guard rails apply instead)",
               "hpa-behavior-ignored");
  }
  auto it = workload_by_key_.find(o.ns + "/" + tname);
  if (it == workload_by_key_.end() ||
      (!tkind.empty() && workloads_[it->second].obj->kind != tkind)) {
    AddProblem(Severity::kWarning, At(o, ref, "spec.scaleTargetRef"),
               "HorizontalPodAutoscaler '" + o.name + "' targets " +
                   (tkind.empty() ? "" : tkind + " ") + "'" + tname +
                   "', which is not in the input",
               "hpa-target-missing");
    Skip(o, "scale target not found");
    return Status::Ok();
  }
  Component& c = components_[workloads_[it->second].comp];
  c.replicas.min = static_cast<int>(min);
  c.replicas.max = static_cast<int>(max);
  c.replicas.initial =
      std::clamp(c.replicas.initial, c.replicas.min, c.replicas.max);
  return Status::Ok();
}

// A name used in two namespaces is qualified as "ns/name" everywhere so that
// component names stay unique.
void Reader::QualifyNames() {
  std::unordered_map<std::string, std::set<std::string>> namespaces;
  for (const auto& w : workloads_) namespaces[w.obj->name].insert(w.obj->ns);
  for (const auto& w : workloads_) {
    if (namespaces[w.obj->name].size() > 1)
      components_[w.comp].name = w.obj->ns + "/" + w.obj->name;
  }
}

// Workloads whose image said nothing take the kind suggested by a
// well-known Service port (e.g. 5432 -> database).
void Reader::RefineKinds() {
  for (auto& c : components_) {
    if (c.kind != ComponentKind::kContainer) continue;
    for (const auto& p : c.ports) {
      if (auto k = KindFromPort(p.number)) {
        c.kind = *k;
        if (KindIsStateful(*k)) c.stateful = true;
        break;
      }
    }
  }
}

// Targets of a host name seen from namespace `ns`, with a description of
// the route for the evidence.
std::vector<std::pair<size_t, std::string>> Reader::Resolve(
    std::string_view host, const std::string& ns, bool bare) {
  std::vector<std::pair<size_t, std::string>> out;
  std::string h = Lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (EndsWith(h, ".svc.cluster.local")) {
    h.resize(h.size() - std::string_view(".svc.cluster.local").size());
  } else if (EndsWith(h, ".svc")) {
    h.resize(h.size() - 4);
  }
  if (h.empty()) return out;
  std::string key = h.find('.') == std::string::npos ? h + "." + ns : h;
  auto describe = [&](const ServiceTarget& st) {
    return "Service '" + st.service + "' (namespace " + st.ns + ")";
  };
  if (auto it = services_.find(key); it != services_.end()) {
    for (size_t wi : it->second.workloads)
      out.push_back({wi, describe(it->second)});
    return out;
  }
  // pod-0.db(.ns): a pod of a headless Service (StatefulSet pods).
  if (size_t dot = key.find('.'); dot != std::string::npos) {
    std::string rest = key.substr(dot + 1);
    if (rest.find('.') == std::string::npos) rest += "." + ns;
    if (auto it = services_.find(rest);
        it != services_.end() && it->second.headless) {
      for (size_t wi : it->second.workloads)
        out.push_back({wi, "a pod of headless " + describe(it->second)});
      return out;
    }
  }
  // No Service of that name: a workload of that name in the namespace (the
  // Service may live in another file the user did not pass). Only for
  // host:port and URL mentions: a bare word like "debug" in LOG_LEVEL must
  // not hit a Pod named debug, and without a Service it is no DNS name.
  if (bare) return out;
  size_t dot = key.find('.');
  std::string wkey = key.substr(dot + 1) + "/" + key.substr(0, dot);
  if (auto it = workload_by_key_.find(wkey); it != workload_by_key_.end()) {
    out.push_back({it->second, "workload '" + workloads_[it->second].obj->name +
                                   "' (no Service of that name)"});
  }
  return out;
}

void Reader::AddEdge(size_t from, size_t to, const HostMention& m,
                     Evidence ev) {
  auto key = std::make_pair(from, to);
  auto it = edge_index_.find(key);
  if (it != edge_index_.end()) {
    Dependency& d = edges_[it->second].dep;
    if (d.port == 0) d.port = m.port;
    if (d.protocol.empty()) d.protocol = m.scheme;
    for (const auto& e : d.evidence)
      if (e == ev) return;
    d.evidence.push_back(std::move(ev));
    return;
  }
  Dependency d;
  d.kind = DependencyKindFor(components_[to].kind, m.scheme, m.port);
  d.port = m.port;
  d.protocol = m.scheme;
  d.inferred = true;
  d.evidence.push_back(std::move(ev));
  edge_index_[key] = edges_.size();
  edges_.push_back(Edge{from, to, std::move(d)});
}

void Reader::ScanValue(const Workload& w, std::string_view value,
                       const Location& where, const std::string& what) {
  for (const HostMention& m : FindHostMentions(value)) {
    auto targets = Resolve(m.host, w.obj->ns, m.bare);
    if (targets.empty()) {
      // Only host:port pairs and URLs are worth a note; a bare word such as
      // "root" is usually not a host at all.
      if (m.bare || (m.port == 0 && m.scheme.empty())) continue;
      std::string key = w.obj->name + "|" + m.host;
      if (!unresolved_reported_.insert(key).second) continue;
      bool local = m.host.find('.') == std::string::npos ||
                   EndsWith(m.host, ".svc") ||
                   EndsWith(m.host, ".svc.cluster.local");
      AddProblem(local ? Severity::kWarning : Severity::kInfo, where,
                 what + " of '" + components_[w.comp].name + "' names host '" +
                     m.host +
                     "', which no Service or workload in the input provides",
                 "unresolved-host");
      continue;
    }
    for (const auto& [wi, route] : targets) {
      size_t to = workloads_[wi].comp;
      if (to == w.comp) continue;  // a workload naming itself (HOST_NAME).
      Evidence ev;
      ev.where = where;
      ev.value = Truncate(value);
      ev.reason = what + " names host '" + m.host + "': " + route +
                  " selects workload '" + components_[to].name + "'";
      if (route.rfind("workload", 0) == 0) {
        ev.reason = what + " names host '" + m.host + "': " + route;
      }
      AddEdge(w.comp, to, m, std::move(ev));
    }
  }
}

Status Reader::InferWorkload(const Workload& w) {
  const Object& o = *w.obj;
  const std::string& ns = o.ns;
  auto config_map = [&](const std::string& name) -> const ConfigMap* {
    auto it = config_maps_.find(ns + "/" + name);
    return it == config_maps_.end() ? nullptr : &it->second;
  };
  auto missing_cm = [&](const Node& at, const std::string& path,
                        const std::string& name, bool optional) {
    if (optional) return;
    AddProblem(
        Severity::kWarning, At(o, at, path),
        "ConfigMap '" + name + "' is not in the input (namespace " + ns + ")",
        "configmap-missing");
  };

  // ConfigMaps mounted as volumes: the application reads every key.
  Node vols = Get(w.pod_spec, "volumes");
  ECOTONE_RETURN_IF_ERROR(ExpectSeq(o, vols, w.pod_path + ".volumes"));
  if (!Absent(vols)) {
    for (size_t i = 0; i < vols.size(); ++i) {
      std::string vp = Join(w.pod_path + ".volumes", i);
      Node cmv = Get(vols[i], "configMap");
      if (Absent(cmv)) continue;
      ECOTONE_RETURN_IF_ERROR(ExpectMap(o, cmv, vp + ".configMap"));
      ECOTONE_ASSIGN_OR_RETURN(
          std::string name, Str(o, Get(cmv, "name"), vp + ".configMap.name"));
      const ConfigMap* cm = config_map(name);
      if (!cm) {
        bool optional = Get(cmv, "optional").IsScalar() &&
                        Get(cmv, "optional").Scalar() == "true";
        missing_cm(cmv, vp + ".configMap.name", name, optional);
        continue;
      }
      for (const auto& [k, v] : cm->data) {
        ScanValue(w, v.value, v.where,
                  "ConfigMap '" + name + "' key '" + k +
                      "' (mounted as volume " + vp + ")");
      }
    }
  }

  for (const char* list : {"initContainers", "containers"}) {
    std::string lp = w.pod_path + "." + list;
    Node cs = Get(w.pod_spec, list);
    if (Absent(cs)) continue;
    for (size_t i = 0; i < cs.size(); ++i) {
      Node ct = cs[i];
      std::string cp = Join(lp, i);
      std::unordered_map<std::string, std::string> env;
      // envFrom first: explicit env entries override it.
      Node ef = Get(ct, "envFrom");
      if (!Absent(ef)) {
        for (size_t j = 0; j < ef.size(); ++j) {
          std::string ep = Join(cp + ".envFrom", j);
          Node src = ef[j];
          if (!src.IsMap()) return Bad(o, src, ep, "expected a mapping");
          std::string prefix;
          ECOTONE_ASSIGN_OR_RETURN(
              prefix, OptStr(o, Get(src, "prefix"), ep + ".prefix"));
          Node ref = Get(src, "configMapRef");
          if (Absent(ref)) continue;  // secretRef: values are not read.
          ECOTONE_RETURN_IF_ERROR(ExpectMap(o, ref, ep + ".configMapRef"));
          ECOTONE_ASSIGN_OR_RETURN(
              std::string name,
              Str(o, Get(ref, "name"), ep + ".configMapRef.name"));
          const ConfigMap* cm = config_map(name);
          if (!cm) {
            bool optional = Get(ref, "optional").IsScalar() &&
                            Get(ref, "optional").Scalar() == "true";
            missing_cm(ref, ep + ".configMapRef.name", name, optional);
            continue;
          }
          for (const auto& [k, v] : cm->data) {
            env[prefix + k] = v.value;
            ScanValue(w, v.value, v.where,
                      "env " + prefix + k + " (envFrom ConfigMap '" + name +
                          "' key '" + k + "', " + ep + ")");
          }
        }
      }
      Node envs = Get(ct, "env");
      if (!Absent(envs)) {
        for (size_t j = 0; j < envs.size(); ++j) {
          std::string ep = Join(cp + ".env", j);
          Node e = envs[j];
          if (!e.IsMap()) return Bad(o, e, ep, "expected a mapping");
          ECOTONE_ASSIGN_OR_RETURN(std::string name,
                                   Str(o, Get(e, "name"), ep + ".name"));
          Node val = Get(e, "value");
          Node from = Get(e, "valueFrom");
          if (!Absent(val)) {
            ECOTONE_ASSIGN_OR_RETURN(std::string v, Str(o, val, ep + ".value"));
            std::string expanded = Expand(v, env);
            env[name] = expanded;
            ScanValue(w, expanded, At(o, val, ep + ".value"), "env " + name);
            continue;
          }
          if (Absent(from)) {
            env[name] = "";
            continue;
          }
          ECOTONE_RETURN_IF_ERROR(ExpectMap(o, from, ep + ".valueFrom"));
          Node ref = Get(from, "configMapKeyRef");
          if (Absent(ref)) continue;  // secretKeyRef, fieldRef, ...
          std::string rp = ep + ".valueFrom.configMapKeyRef";
          ECOTONE_RETURN_IF_ERROR(ExpectMap(o, ref, rp));
          ECOTONE_ASSIGN_OR_RETURN(std::string cm_name,
                                   Str(o, Get(ref, "name"), rp + ".name"));
          ECOTONE_ASSIGN_OR_RETURN(std::string cm_key,
                                   Str(o, Get(ref, "key"), rp + ".key"));
          bool optional = Get(ref, "optional").IsScalar() &&
                          Get(ref, "optional").Scalar() == "true";
          const ConfigMap* cm = config_map(cm_name);
          if (!cm) {
            missing_cm(ref, rp + ".name", cm_name, optional);
            continue;
          }
          const ConfigValue* cv = cm->Find(cm_key);
          if (!cv) {
            if (!optional) {
              AddProblem(
                  Severity::kWarning, At(o, ref, rp + ".key"),
                  "ConfigMap '" + cm_name + "' has no key '" + cm_key + "'",
                  "configmap-key-missing");
            }
            continue;
          }
          env[name] = cv->value;
          ScanValue(w, cv->value, cv->where,
                    "env " + name + " (ConfigMap '" + cm_name + "' key '" +
                        cm_key + "', " + ep + ")");
        }
      }
      for (const char* field : {"command", "args"}) {
        Node seq = Get(ct, field);
        if (Absent(seq)) continue;
        for (size_t j = 0; j < seq.size(); ++j) {
          std::string ap = Join(cp + "." + field, j);
          if (Absent(seq[j])) continue;
          ECOTONE_ASSIGN_OR_RETURN(std::string v, Str(o, seq[j], ap));
          ScanValue(w, Expand(v, env), At(o, seq[j], ap),
                    std::string(field) + "[" + std::to_string(j) + "]");
        }
      }
    }
  }
  return Status::Ok();
}

void Reader::InferByNamingConvention() {
  static constexpr std::string_view kStores[] = {
      "mongo", "mongodb",  "mysql", "mariadb", "postgres", "postgresql",
      "db",    "database", "redis", "cache",   "memcached"};
  for (const auto& w : workloads_) {
    const std::string& name = w.obj->name;
    std::string base;
    for (std::string_view suffix : {"-service", "-svc"}) {
      if (EndsWith(name, suffix) && name.size() > suffix.size()) {
        base = name.substr(0, name.size() - suffix.size());
        break;
      }
    }
    if (base.empty()) continue;
    for (std::string_view store : kStores) {
      auto it = workload_by_key_.find(w.obj->ns + "/" + base + "-" +
                                      std::string(store));
      if (it == workload_by_key_.end()) continue;
      size_t to = workloads_[it->second].comp;
      ComponentKind k = components_[to].kind;
      if (k != ComponentKind::kDatabase && k != ComponentKind::kCache) continue;
      if (edge_index_.count({w.comp, to})) continue;
      Evidence ev;
      ev.where =
          manifest::At(*w.obj->file, Get(Get(w.obj->node, "metadata"), "name"),
                       P(*w.obj, "metadata.name"));
      ev.value = name + " -> " + workloads_[it->second].obj->name;
      ev.reason = "naming convention: '" + name + "' and its store '" +
                  workloads_[it->second].obj->name + "' share the prefix '" +
                  base + "' (no configuration names the store; heuristic)";
      HostMention m;
      AddEdge(w.comp, to, m, std::move(ev));
    }
  }
}

Result<LoadResult> Reader::Run() {
  if (names_.empty()) return Status::InvalidArgument("no input files");
  if (names_.size() != texts_.size())
    return Status::Internal("ReadKubernetes: names and texts differ in length");
  // Parse everything first; yaml-cpp nodes stay alive in `docs`.
  std::vector<std::vector<Node>> docs(names_.size());
  for (size_t f = 0; f < names_.size(); ++f) {
    ECOTONE_RETURN_IF_ERROR(PrecheckText(texts_[f], names_[f]));
    ECOTONE_ASSIGN_OR_RETURN(docs[f], LoadAllDocuments(texts_[f], names_[f]));
    for (auto& d : docs[f]) {
      if (Absent(d)) continue;
      // Merge keys are rare in Kubernetes YAML; resolving rebuilds
      // sequences (losing their marks), so only do it when one is present.
      if (texts_[f].find("<<") != std::string::npos) {
        size_t budget = texts_[f].size() + (1u << 20);
        if (!WithinExpansionBudget(d, &budget, 0)) {
          return Status::InvalidArgument(
              "too many alias expansions or too deep nesting (a YAML "
              "'billion laughs'?)",
              manifest::At(names_[f], d));
        }
        d = ResolveMergeKeys(d);
      }
      ECOTONE_RETURN_IF_ERROR(Collect(names_[f], d, "", 0));
    }
    if (std::all_of(docs[f].begin(), docs[f].end(),
                    [](const Node& d) { return Absent(d); })) {
      return Status::InvalidArgument(
          "no Kubernetes objects: the file is empty or has only comments",
          {names_[f], 0, 0, ""});
    }
  }

  // Stage order matters: ConfigMaps and workloads before the Services that
  // select them, HPAs after their targets, inference last.
  for (const auto& o : objects_) {
    if (o.kind == "ConfigMap") {
      ECOTONE_RETURN_IF_ERROR(ReadConfigMap(o));
    } else if (o.kind == "Secret") {
      if (!o.name.empty()) secrets_.insert(o.ns + "/" + o.name);
      Skip(o, SkipReason(o.kind));
    } else if (IsWorkloadKind(o.kind)) {
      ECOTONE_RETURN_IF_ERROR(ReadWorkload(o));
    } else if (o.kind != "Service" && o.kind != "HorizontalPodAutoscaler") {
      Skip(o, SkipReason(o.kind));
    }
  }
  for (const auto& o : objects_)
    if (o.kind == "Service") ECOTONE_RETURN_IF_ERROR(ReadService(o));
  for (const auto& o : objects_)
    if (o.kind == "HorizontalPodAutoscaler")
      ECOTONE_RETURN_IF_ERROR(ReadHpa(o));
  QualifyNames();
  RefineKinds();
  for (const auto& w : workloads_) ECOTONE_RETURN_IF_ERROR(InferWorkload(w));
  if (k8s_.naming_convention) InferByNamingConvention();

  model::Ecosystem& eco = result_.ecosystem;
  eco.source_format = "kubernetes";
  eco.source_files = names_;
  eco.name = options_.name;
  if (eco.name.empty()) {
    std::string n = names_[0];
    if (size_t s = n.find_last_of('/'); s != std::string::npos)
      n = n.substr(s + 1);
    if (size_t d = n.find('.'); d != std::string::npos && d > 0) n.resize(d);
    eco.name = n.empty() ? "kubernetes" : n;
  }
  eco.components = std::move(components_);
  eco.dependencies.reserve(edges_.size());
  for (auto& e : edges_) {
    e.dep.from = eco.components[e.from].name;
    e.dep.to = eco.components[e.to].name;
    eco.dependencies.push_back(std::move(e.dep));
  }
  if (eco.components.empty()) {
    AddProblem(Severity::kWarning, {names_[0], 0, 0, ""},
               "no workloads (Deployment, StatefulSet, DaemonSet, Job, "
               "CronJob, Pod, ReplicaSet) in the input",
               "no-workloads");
  }
  return std::move(result_);
}

}  // namespace

Result<LoadResult> ReadKubernetesWith(const std::vector<std::string>& names,
                                      const std::vector<std::string>& texts,
                                      const LoadOptions& options,
                                      const KubernetesReadOptions& k8s) {
  try {
    Reader reader(names, texts, options, k8s);
    return reader.Run();
  } catch (const YAML::Exception& e) {
    Location where{names.empty() ? "" : names[0],
                   e.mark.line >= 0 ? e.mark.line + 1 : 0,
                   e.mark.column >= 0 ? e.mark.column + 1 : 0, ""};
    return Status::InvalidArgument("invalid Kubernetes YAML: " + e.msg, where);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("kubernetes reader: ") + e.what());
  }
}

Result<LoadResult> ReadKubernetes(const std::vector<std::string>& names,
                                  const std::vector<std::string>& texts,
                                  const LoadOptions& options) {
  return ReadKubernetesWith(names, texts, options, KubernetesReadOptions{});
}

}  // namespace ecotone::manifest
