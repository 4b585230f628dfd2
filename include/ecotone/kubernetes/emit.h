// Kubernetes emission: turns a placement plan (and isolation requests) into
// ordinary Kubernetes objects that carry it out (docs/kubernetes.md):
//  - one Deployment/StatefulSet per zone group of a component's replicas
//    (replicas with the same zone, rack and host), pinned there by required
//    node affinity on topology.kubernetes.io/zone (plus the rack label and
//    kubernetes.io/hostname when the plan names racks and hosts);
//  - for components read from Kubernetes manifests, the largest zone group is
//    a partial object of the user's own workload (a server-side apply
//    configuration that is also a strategic-merge patch), so every field the
//    user wrote is kept; further zone groups are copies of the user's object;
//  - preferred pod affinity towards chatty partners the plan co-locates,
//    topologySpreadConstraints over nodes, resource requests from sizing,
//    HorizontalPodAutoscalers (bounds split over the zone groups),
//    PodDisruptionBudgets, Services for components not read from Kubernetes;
//  - NetworkPolicies isolating a component (deny all ingress and egress but
//    an allow-list and DNS).
// Every object carries labels and annotations naming the plan and action.
// Output is deterministic: same inputs, same bytes.
// Pure functions except ReadSourceObjects and WriteEmission (file I/O). All
// functions are thread-safe (no shared state).
#ifndef ECOTONE_KUBERNETES_EMIT_H_
#define ECOTONE_KUBERNETES_EMIT_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/action.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"

namespace ecotone::kubernetes {

inline constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";
inline constexpr std::string_view kHostLabel = "kubernetes.io/hostname";
// Kubernetes has no well-known rack label; this is the default of
// EmitOptions::rack_label (nodes must carry it when racks are modelled).
inline constexpr std::string_view kDefaultRackLabel =
    "topology.ecotone.io/rack";
// Labels and annotations Ecotone writes.
inline constexpr std::string_view kComponentLabel = "ecotone.io/component";
inline constexpr std::string_view kZoneGroupLabel = "ecotone.io/zone-group";
inline constexpr std::string_view kPlanLabel = "ecotone.io/plan";
inline constexpr std::string_view kPlanIdAnnotation = "ecotone.io/plan-id";
inline constexpr std::string_view kActionAnnotation = "ecotone.io/action";
inline constexpr std::string_view kManagedBy = "app.kubernetes.io/managed-by";

// One object of the user's Kubernetes manifests, as read back from its file
// (every field kept, typed per the YAML 1.2 core schema).
struct SourceObject {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_name;  // "default" when not given.
  Location where;              // file and line of the object.
  nlohmann::ordered_json body;
};

// Reads every object (List items expanded) of Kubernetes YAML files. Files
// that are not Kubernetes (Compose, native) yield nothing. kIOError when a
// file cannot be read, kInvalidArgument (with location) on malformed YAML.
Result<std::vector<SourceObject>> ReadSourceObjects(
    const std::vector<std::string>& files);

// Isolate a component: deny all ingress and egress of its pods except to
// and from the `allow` components and DNS egress (UDP/TCP 53 to kube-dns).
struct IsolateRequest {
  std::string component;
  std::vector<std::string> allow;
  std::string action = "isolate";  // value of ecotone.io/action.
  std::string reason;              // ecotone.io/reason when not empty.
  int64_t action_id = 0;           // ecotone.io/action-id when not 0.
  Location where;                  // where the request was read (errors).
};

// Set the replica count of a component (engine scale actions): the plan's
// zone groups are scaled proportionally (largest remainder).
struct ScaleRequest {
  std::string component;
  int replicas = 0;
  std::string action = "scale";
  std::string reason;
  Location where;
};

// What an engine action (the audit log) left on a component: written as
// ecotone.io/action, ecotone.io/action-id and ecotone.io/reason on its
// objects; `image` (rollouts) replaces the main container's image.
struct ComponentAction {
  std::string action;  // ActionKindName, e.g. "migrate".
  int64_t action_id = 0;
  std::string reason;  // the action's trigger.
  std::string image;   // "" = unchanged.
};

// One step of a component's replica schedule (`ecotone scale --output
// json`): from `at` (the timestamp as printed) the component needs
// `replicas` replicas in total.
struct ScheduledReplicas {
  std::string at;
  int replicas = 0;
  bool operator==(const ScheduledReplicas&) const = default;
};

// Reads the JSON of `ecotone scale --output json` (an array of
// {component, schedule: [{timestamp, replicas, ...}]}; other fields are
// ignored). kInvalidArgument naming `file` and the field path (e.g.
// "[0].schedule[3].replicas") for anything else; kIOError when unreadable.
Result<std::map<std::string, std::vector<ScheduledReplicas>>>
ReadReplicaSchedules(const std::string& file, std::string_view text);

struct EmitOptions {
  std::string zone_label = std::string(kZoneLabel);
  std::string rack_label = std::string(kDefaultRackLabel);
  // Namespace of objects for components not read from Kubernetes ("" = no
  // metadata.namespace, i.e. kubectl's current namespace).
  std::string namespace_name;
  // Plan id written in labels/annotations. "" = the plan's metadata
  // `plan_id`, else PlanId(plan).
  std::string plan_id;
  // Name of the plan file (locations of plan-level errors).
  std::string plan_file;
  // When set, the plan is checked against it (zones, racks, hosts exist).
  const model::Topology* topology = nullptr;
  // The user's objects (ReadSourceObjects of the manifest files); components
  // read from Kubernetes must find their workload here.
  const std::vector<SourceObject>* sources = nullptr;
  // Dependency pairs with graph proximity >= this get pod affinity.
  double chatty_proximity = 0.3;
  // PodDisruptionBudget maxUnavailable for components with >= 2 replicas.
  int max_unavailable = 1;
  // HPA target CPU utilisation (percent).
  int hpa_cpu_utilization = 70;
  // Requests written for components that declare none: what placement
  // assumed (placement::EcosystemOptions::default_request).
  model::Resources default_request{100, 128LL << 20, 0, 0};
  std::vector<IsolateRequest> isolate;
  std::vector<ScaleRequest> scale;
  // By component name (ApplyActions fills it).
  std::map<std::string, ComponentAction> actions;
  // Replica schedules by component: HPA bounds are the schedule's minimum
  // and maximum (split over the zone groups), and its changes are written
  // as the HPA annotation ecotone.io/replica-schedule.
  std::map<std::string, std::vector<ScheduledReplicas>> schedules;
};

// One action of an audit log and where it was read (file, line).
struct LoggedAction {
  model::Action action;
  Location where;
};

// Carries engine actions, in order, into a plan and emission options:
// migrate/recover move the replica's assignment; scale adds the action's
// placements, drops the highest replica indexes on scale-in, adds replicas
// to the zone groups by largest remainder on scale-out, and keeps the places
// of a component scaled to zero (a ScaleRequest to 0); isolate adds an
// IsolateRequest (a replica-level isolation isolates the whole component,
// with a note), release removes the component's earlier isolations;
// rolling-update/rollback set the image. Every touched component records its
// last action in options->actions. kInvalidArgument at the action's location
// for a component the plan lacks or a migrate of a replica the plan lacks.
Status ApplyActions(const std::vector<LoggedAction>& actions,
                    model::PlacementPlan* plan, EmitOptions* options,
                    std::vector<model::Problem>* notes);

// One emitted object.
struct Object {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_name;  // "" = none written.
  std::string component;       // the component it belongs to.
  std::string action;          // "place", "isolate", "scale".
  // A partial object of a user's object: a server-side apply configuration
  // (`kubectl apply --server-side`) and a strategic-merge patch (`kubectl
  // patch --type strategic`). Not a complete object on its own.
  bool patch = false;
  Location source;  // the user's object it derives from (file, line).
  nlohmann::ordered_json body;

  // Relative path it is written to: "<name>.<kind>.yaml" (with a
  // "<namespace>." prefix when namespaced), under "patches/" for patches.
  std::string FileName() const;
};

struct Emission {
  std::string plan_id;
  std::vector<Object> objects;        // deterministic order.
  std::vector<model::Problem> notes;  // warnings, e.g. components skipped.
};

// "p" + 16 hex digits of the FNV-1a 64 hash of the plan's JSON
// (manifest::WritePlanJson): equal plans, equal ids; a valid label value.
std::string PlanId(const model::PlacementPlan& plan);

// True when `s` is a valid label value (<= 63 of [A-Za-z0-9._-], alphanumeric
// at both ends, or empty).
bool ValidLabelValue(std::string_view s);

// Emits the objects for `plan` of `ecosystem`. kInvalidArgument (location of
// the offending plan entry or option) when: the plan names another
// ecosystem, a component the manifest lacks, a zone/rack/host that is not a
// valid label value (or not in options.topology), a component read from
// Kubernetes whose workload is not in options.sources, an isolate/scale
// request naming an unknown component.
Result<Emission> Emit(const model::Ecosystem& ecosystem,
                      const model::PlacementPlan& plan,
                      const EmitOptions& options);

// One object as a YAML document (no leading `---`).
std::string ToYaml(const Object& object);
// All objects as one multi-document YAML stream (patches marked by a
// comment).
std::string ToYamlStream(const Emission& emission);

// Writes each object to dir/FileName() (creating dir and dir/patches).
// kIOError when a file cannot be written.
Status WriteEmission(const Emission& emission, const std::string& dir);

}  // namespace ecotone::kubernetes

#endif  // ECOTONE_KUBERNETES_EMIT_H_
