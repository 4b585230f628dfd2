// The Kubernetes actuator (include/ecotone/kubernetes/actuator.h).
#include "ecotone/kubernetes/actuator.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>
#include <tuple>
#include <utility>

namespace ecotone::kubernetes {
namespace {

bool IsWorkload(const Object& o) {
  return o.kind == "Deployment" || o.kind == "StatefulSet";
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A directory name part: [a-z0-9-] only.
std::string Slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-');
  }
  return out.empty() ? "x" : out.substr(0, 60);
}

}  // namespace

bool Actuation::ok() const {
  for (const auto& c : calls)
    if (!c.ok()) return false;
  return true;
}

nlohmann::ordered_json Actuation::ToJson() const {
  nlohmann::ordered_json j;
  j["action_id"] = action.id;
  j["kind"] = std::string(model::ActionKindName(action.kind));
  j["component"] = action.component;
  j["dir"] = dir;
  j["files"] = files;
  j["ok"] = ok();
  nlohmann::ordered_json calls_json = nlohmann::ordered_json::array();
  for (const auto& c : calls) calls_json.push_back(c.ToJson());
  j["calls"] = std::move(calls_json);
  j["notes"] = notes;
  return j;
}

Actuator::Actuator(const model::Ecosystem& ecosystem,
                   model::PlacementPlan current, ActuatorOptions options)
    : eco_(ecosystem),
      plan_(std::move(current)),
      opt_(std::move(options)),
      kubectl_(opt_.kubectl) {}

Result<Actuation> Actuator::Carry(const model::Action& action) {
  Actuation rec;
  rec.action = action;
  const std::string kind(model::ActionKindName(action.kind));
  ECOTONE_ASSIGN_OR_RETURN(Emission before, Emit(eco_, plan_, opt_.emit));
  model::PlacementPlan next = plan_;
  EmitOptions next_opt = opt_.emit;
  std::vector<model::Problem> problems;
  Location where{"action", 0, 0,
                 "action " + std::to_string(action.id) + " (" + kind + ")"};
  ECOTONE_RETURN_IF_ERROR(
      ApplyActions({{action, where}}, &next, &next_opt, &problems));
  for (const auto& p : problems) rec.notes.push_back(p.message);
  ECOTONE_ASSIGN_OR_RETURN(Emission after, Emit(eco_, next, next_opt));

  Emission mine;
  mine.plan_id = after.plan_id;
  for (const auto& o : after.objects)
    if (o.component == action.component) mine.objects.push_back(o);
  char seq[16];
  std::snprintf(seq, sizeof seq, "%04d", ++sequence_);
  rec.dir = (std::filesystem::path(opt_.work_dir) /
             (std::string(seq) + "-" + kind + "-" + Slug(action.component)))
                .string();
  std::error_code ec;
  std::filesystem::remove_all(rec.dir, ec);
  ECOTONE_RETURN_IF_ERROR(WriteEmission(mine, rec.dir));
  for (const auto& o : mine.objects) rec.files.push_back(o.FileName());

  // Workloads the cluster already runs for this component (previous plan).
  std::set<std::tuple<std::string, std::string, std::string>> existing;
  std::vector<const Object*> old_workloads;
  const Object* old_policy = nullptr;
  for (const auto& o : before.objects) {
    if (o.component != action.component) continue;
    if (IsWorkload(o)) {
      existing.insert({o.kind, o.namespace_name, o.name});
      old_workloads.push_back(&o);
    }
    if (o.kind == "NetworkPolicy") old_policy = &o;
  }
  const bool dry = opt_.dry_run == DryRun::kServer;
  auto apply = [&] {
    rec.calls.push_back(opt_.diff ? kubectl_.Diff(rec.dir)
                                  : kubectl_.Apply(rec.dir, opt_.dry_run));
    return rec.calls.back().ok();
  };
  auto wait_rollouts = [&](const std::vector<const Object*>& workloads) {
    if (dry || opt_.diff) {
      rec.notes.push_back("rollout status not awaited in a dry run or diff");
      return;
    }
    for (const Object* o : workloads)
      rec.calls.push_back(kubectl_.RolloutStatus(
          Lower(o->kind), o->name, o->namespace_name, opt_.rollout_timeout_ms));
  };
  std::vector<const Object*> new_workloads;
  for (const auto& o : mine.objects)
    if (IsWorkload(o)) new_workloads.push_back(&o);

  switch (action.kind) {
    case model::ActionKind::kMigrate:
    case model::ActionKind::kRecover:
    case model::ActionKind::kIsolate:
      apply();
      break;
    case model::ActionKind::kScale:
      if (!opt_.diff) {
        for (const Object* o : new_workloads) {
          if (!existing.count({o->kind, o->namespace_name, o->name})) continue;
          rec.calls.push_back(kubectl_.Scale(
              Lower(o->kind), o->name, o->namespace_name,
              o->body["spec"]["replicas"].get<int>(), opt_.dry_run));
        }
      }
      // New zone groups, HPA bounds and PDBs (replicas already equal).
      apply();
      break;
    case model::ActionKind::kRollingUpdate:
      if (apply()) wait_rollouts(new_workloads);
      break;
    case model::ActionKind::kRollback:
      if (opt_.diff) {
        rec.notes.push_back("diff mode: rollout undo cannot be previewed");
        break;
      }
      for (const Object* o : old_workloads)
        rec.calls.push_back(kubectl_.RolloutUndo(
            Lower(o->kind), o->name, o->namespace_name, 0, opt_.dry_run));
      if (rec.ok()) wait_rollouts(old_workloads);
      break;
    case model::ActionKind::kRelease:
      if (old_policy == nullptr) {
        rec.notes.push_back("no isolation of '" + action.component +
                            "' to release");
      } else if (dry || opt_.diff) {
        rec.notes.push_back("would delete NetworkPolicy " + old_policy->name);
      } else {
        rec.calls.push_back(kubectl_.Delete("networkpolicy", old_policy->name,
                                            old_policy->namespace_name));
      }
      break;
  }
  if (rec.ok() && !dry && !opt_.diff) {
    plan_ = std::move(next);
    opt_.emit = std::move(next_opt);
  }
  return rec;
}

}  // namespace ecotone::kubernetes
