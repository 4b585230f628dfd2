// `ecotone emit k8s --manifest FILE... --plan PLAN.json [--infra INFRA]
// [--out DIR] [--isolate COMPONENT[:ALLOW,...]]...`: writes the Kubernetes
// objects that carry out a plan (docs/kubernetes.md). The emission itself is
// ecotone_kubernetes (include/ecotone/kubernetes/emit.h).
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "ecotone/adapters/event_json.h"
#include "ecotone/kubernetes/emit.h"
#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::cli {
namespace {

struct EmitK8sFlags {
  std::vector<std::string> manifests;
  std::string plan;
  std::string infra;
  std::string out;
  std::string format = "auto";
  std::vector<std::string> isolate;
  std::string namespace_name;
  std::string zone_label = std::string(kubernetes::kZoneLabel);
  std::string rack_label = std::string(kubernetes::kDefaultRackLabel);
  std::string plan_id;
  double chatty = 0.3;
  int max_unavailable = 1;
  std::string output = "yaml";
  std::string actions;   // --actions FILE.jsonl
  std::string schedule;  // --schedule FILE.json
};

// The engine's audit log: one action (adapters/event_json.h) per line;
// blank lines are skipped. Each action keeps its file and line.
Result<std::vector<kubernetes::LoggedAction>> ReadActions(
    const std::string& file, const std::string& ecosystem) {
  std::ifstream in(file);
  if (!in) return Status::IOError("cannot read file", {file, 0, 0, ""});
  std::vector<kubernetes::LoggedAction> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Location where{file, n, 1, ""};
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      return Status::InvalidArgument(std::string("invalid JSON: ") + e.what(),
                                     where);
    }
    auto a = adapters::ActionFromJson(j, "action");
    if (!a.ok()) return Status::InvalidArgument(a.status().message(), where);
    if (!a->ecosystem.empty() && !ecosystem.empty() &&
        a->ecosystem != ecosystem) {
      where.path = "ecosystem";
      return Status::InvalidArgument(
          "the action is for ecosystem '" + a->ecosystem +
              "' but the manifest describes '" + ecosystem + "'",
          where);
    }
    out.push_back({std::move(*a), where});
  }
  return out;
}

// "COMPONENT[:ALLOW1,ALLOW2]".
Result<kubernetes::IsolateRequest> ParseIsolate(const std::string& text,
                                                size_t index) {
  kubernetes::IsolateRequest r;
  r.where = {"", 0, 0, "--isolate[" + std::to_string(index) + "]"};
  size_t colon = text.find(':');
  r.component = text.substr(0, colon);
  if (r.component.empty())
    return Status::InvalidArgument(
        "expected COMPONENT[:ALLOW1,ALLOW2], got '" + text + "'", r.where);
  if (colon != std::string::npos) {
    std::string rest = text.substr(colon + 1);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t comma = rest.find(',', start);
      std::string item =
          rest.substr(start, comma == std::string::npos ? std::string::npos
                                                        : comma - start);
      if (item.empty() && !rest.empty())
        return Status::InvalidArgument(
            "empty component name in the allow-list of '" + text + "'",
            r.where);
      if (!item.empty()) r.allow.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return r;
}

nlohmann::ordered_json ObjectJson(const kubernetes::Object& o) {
  nlohmann::ordered_json j;
  j["file"] = o.FileName();
  j["apiVersion"] = o.api_version;
  j["kind"] = o.kind;
  j["name"] = o.name;
  j["namespace"] = o.namespace_name;
  j["component"] = o.component;
  j["action"] = o.action;
  j["patch"] = o.patch;
  j["source"] = o.source.ToString();
  j["object"] = o.body;
  return j;
}

int RunEmitK8s(const EmitK8sFlags& f) {
  if (f.output != "yaml" && f.output != "json")
    return ReportError(
        Status::InvalidArgument("--output must be yaml or json"));
  auto loaded = LoadManifests(f.manifests, f.format);
  if (!loaded.ok()) return ReportError(loaded.status());
  const model::Ecosystem& eco = loaded->ecosystem;
  auto plan = manifest::LoadPlanFile(f.plan);
  if (!plan.ok()) return ReportError(plan.status());
  std::optional<model::Topology> topo;
  if (!f.infra.empty()) {
    auto t = manifest::LoadInfraFile(f.infra);
    if (!t.ok()) return ReportError(t.status());
    topo = std::move(*t);
  }
  std::vector<kubernetes::SourceObject> sources;
  if (eco.source_format == "kubernetes") {
    auto s = kubernetes::ReadSourceObjects(f.manifests);
    if (!s.ok()) return ReportError(s.status());
    sources = std::move(*s);
  }
  kubernetes::EmitOptions opt;
  opt.zone_label = f.zone_label;
  opt.rack_label = f.rack_label;
  opt.namespace_name = f.namespace_name;
  opt.plan_id = f.plan_id;
  opt.plan_file = f.plan;
  opt.topology = topo ? &*topo : nullptr;
  opt.sources = &sources;
  opt.chatty_proximity = f.chatty;
  opt.max_unavailable = f.max_unavailable;
  for (size_t i = 0; i < f.isolate.size(); ++i) {
    auto r = ParseIsolate(f.isolate[i], i);
    if (!r.ok()) return ReportError(r.status());
    opt.isolate.push_back(std::move(*r));
  }
  if (!f.schedule.empty()) {
    std::ifstream in(f.schedule, std::ios::binary);
    if (!in)
      return ReportError(
          Status::IOError("cannot read file", {f.schedule, 0, 0, ""}));
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    auto sched = kubernetes::ReadReplicaSchedules(f.schedule, text);
    if (!sched.ok()) return ReportError(sched.status());
    for (const auto& [comp, steps] : *sched)
      if (eco.FindComponent(comp) == nullptr)
        return ReportError(
            Status::InvalidArgument("schedule for component '" + comp +
                                        "', which is not in the manifest",
                                    {f.schedule, 0, 0, "component"}));
    opt.schedules = std::move(*sched);
  }
  std::vector<model::Problem> action_notes;
  if (!f.actions.empty()) {
    auto acts = ReadActions(f.actions, eco.name);
    if (!acts.ok()) return ReportError(acts.status());
    Status st = kubernetes::ApplyActions(*acts, &*plan, &opt, &action_notes);
    if (!st.ok()) return ReportError(st);
  }
  auto em = kubernetes::Emit(eco, *plan, opt);
  if (!em.ok()) return ReportError(em.status());
  em->notes.insert(em->notes.begin(), action_notes.begin(), action_notes.end());
  for (const auto& n : em->notes)
    std::cerr << "ecotone: warning: "
              << (n.where.ToString().empty() ? "" : n.where.ToString() + ": ")
              << n.message << " [" << n.code << "]\n";
  if (!f.out.empty()) {
    Status st = kubernetes::WriteEmission(*em, f.out);
    if (!st.ok()) return ReportError(st);
  }
  if (f.output == "json") {
    nlohmann::ordered_json j;
    j["plan_id"] = em->plan_id;
    if (!f.out.empty()) j["out"] = f.out;
    nlohmann::ordered_json objs = nlohmann::ordered_json::array();
    for (const auto& o : em->objects) objs.push_back(ObjectJson(o));
    j["objects"] = std::move(objs);
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const auto& n : em->notes)
      notes.push_back({{"code", n.code},
                       {"where", n.where.ToString()},
                       {"message", n.message}});
    j["notes"] = std::move(notes);
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (!f.out.empty()) {
    std::cout << "plan " << em->plan_id << ": " << em->objects.size()
              << " objects written to " << f.out << "\n";
    for (const auto& o : em->objects) std::cout << "  " << o.FileName() << "\n";
  } else {
    std::cout << kubernetes::ToYamlStream(*em);
  }
  return kExitOk;
}

}  // namespace

void RegisterEmit(CLI::App& app, int* exit_code) {
  CLI::App* emit = app.add_subcommand(
      "emit", "Write a plan and actions as objects of a target platform");
  emit->require_subcommand(1);
  auto f = std::make_shared<EmitK8sFlags>();
  CLI::App* k8s = emit->add_subcommand(
      "k8s",
      "Kubernetes objects for a plan: workloads per zone group with node "
      "affinity, pod affinity, spread, requests, HPAs, PDBs, NetworkPolicies "
      "(docs/kubernetes.md)");
  k8s->add_option("--manifest", f->manifests,
                  "Manifest file(s) of the ecosystem (native, Compose or "
                  "Kubernetes)")
      ->required();
  k8s->add_option("--plan", f->plan,
                  "Plan file (the JSON of `ecotone place --output json`)")
      ->required();
  k8s->add_option("--infra", f->infra,
                  "Infrastructure description: the plan's zones, racks and "
                  "hosts are checked against it");
  k8s->add_option("--out", f->out,
                  "Write one file per object into this directory (partial "
                  "objects of the user's workloads under patches/) instead "
                  "of printing a YAML stream");
  k8s->add_option("--isolate", f->isolate,
                  "COMPONENT[:ALLOW1,ALLOW2]: a NetworkPolicy denying all "
                  "ingress and egress of COMPONENT except to/from the listed "
                  "components and DNS (repeatable)");
  k8s->add_option("--actions", f->actions,
                  "The engine's audit log (JSON Lines of actions, "
                  "docs/events.md): migrate/recover, scale, isolate/release "
                  "and rollouts are carried into the objects, in order");
  k8s->add_option("--schedule", f->schedule,
                  "Replica schedule (the JSON of `ecotone scale --output "
                  "json`): HPA bounds from its minimum and maximum, its "
                  "changes in the annotation ecotone.io/replica-schedule");
  k8s->add_option("--format", f->format,
                  "Manifest format: auto|ecotone|compose|kubernetes");
  k8s->add_option("--namespace", f->namespace_name,
                  "Namespace of objects for components not read from "
                  "Kubernetes (default: none written)");
  k8s->add_option("--zone-label", f->zone_label, "Node label holding the zone")
      ->capture_default_str();
  k8s->add_option("--rack-label", f->rack_label,
                  "Node label holding the rack (used when the plan names "
                  "racks)")
      ->capture_default_str();
  k8s->add_option("--plan-id", f->plan_id,
                  "Plan id for labels and annotations (default: the plan's "
                  "metadata.plan_id, else a hash of the plan)");
  k8s->add_option("--chatty", f->chatty,
                  "Pod affinity for dependency pairs with proximity >= this")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  k8s->add_option("--max-unavailable", f->max_unavailable,
                  "PodDisruptionBudget maxUnavailable")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  k8s->add_option("--output", f->output, "yaml|json")->capture_default_str();
  k8s->callback([f, exit_code] { *exit_code = RunEmitK8s(*f); });
}

}  // namespace ecotone::cli
