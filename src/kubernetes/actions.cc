// Engine actions (the audit log) carried into a plan and emission options,
// so that `ecotone emit k8s --actions FILE.jsonl` writes the objects that
// carry them out. Rules in docs/kubernetes.md, "Actions".
#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ecotone/kubernetes/emit.h"

namespace ecotone::kubernetes {
namespace {

using model::Action;
using model::ActionKind;

Location At(const Location& where, const char* field) {
  Location w = where;
  w.path = w.path.empty() ? field : w.path + "." + field;
  return w;
}

void Note(std::vector<model::Problem>* notes, const Location& where,
          std::string code, std::string message) {
  if (notes == nullptr) return;
  model::Problem p;
  p.severity = model::Severity::kWarning;
  p.where = where;
  p.code = std::move(code);
  p.message = std::move(message);
  notes->push_back(std::move(p));
}

// Scale-out without places: the new replicas join the component's zone
// groups so that each group gets its largest-remainder share of `to` (a
// group's share never falls below its current count when `to` grows).
// New replicas take the indexes after the highest one.
void AddReplicas(const std::string& component, int to,
                 model::PlacementPlan* plan) {
  std::map<std::tuple<std::string, std::string, std::string>, int> groups;
  int count = 0, next_index = 0;
  for (const auto& x : plan->assignments) {
    if (x.component != component) continue;
    ++groups[{x.zone, x.rack, x.host}];
    ++count;
    next_index = std::max(next_index, x.replica + 1);
  }
  if (count == 0) return;
  std::vector<std::pair<std::tuple<std::string, std::string, std::string>, int>>
      target;
  std::vector<std::pair<double, size_t>> rem;
  int assigned = 0;
  for (const auto& [key, n] : groups) {
    double share = static_cast<double>(to) * n / count;
    int t = static_cast<int>(share);
    rem.push_back({share - t, target.size()});
    target.push_back({key, t});
    assigned += t;
  }
  std::stable_sort(rem.begin(), rem.end(), [](const auto& x, const auto& y) {
    return x.first > y.first;
  });
  for (size_t k = 0; assigned < to; ++k, ++assigned)
    ++target[rem[k % rem.size()].second].second;
  for (const auto& [key, t] : target) {
    for (int i = groups[key]; i < t; ++i) {
      model::Assignment na;
      na.component = component;
      na.replica = next_index++;
      std::tie(na.zone, na.rack, na.host) = key;
      plan->assignments.push_back(std::move(na));
    }
  }
}

}  // namespace

Status ApplyActions(const std::vector<LoggedAction>& actions,
                    model::PlacementPlan* plan, EmitOptions* options,
                    std::vector<model::Problem>* notes) {
  for (const auto& la : actions) {
    const Action& a = la.action;
    const std::string kind(model::ActionKindName(a.kind));
    auto in_plan = [&](const std::string& comp) {
      return std::any_of(
          plan->assignments.begin(), plan->assignments.end(),
          [&](const model::Assignment& x) { return x.component == comp; });
    };
    if (!in_plan(a.component))
      return Status::InvalidArgument(kind + " action names component '" +
                                         a.component +
                                         "', which the plan does not place",
                                     At(la.where, "component"));
    ComponentAction rec{kind, a.id, a.trigger, ""};
    switch (a.kind) {
      case ActionKind::kMigrate:
      case ActionKind::kRecover: {
        auto it = std::find_if(
            plan->assignments.begin(), plan->assignments.end(),
            [&](const model::Assignment& x) {
              return x.component == a.component && x.replica == a.replica;
            });
        if (it == plan->assignments.end())
          return Status::InvalidArgument(
              kind + " of replica " + std::to_string(a.replica) + " of '" +
                  a.component + "', which the plan does not place",
              At(la.where, "replica"));
        if (a.to.zone.empty())
          return Status::InvalidArgument(kind + " without a destination",
                                         At(la.where, "to"));
        it->zone = a.to.zone;
        it->rack = a.to.rack;
        it->host = a.to.host;
        break;
      }
      case ActionKind::kScale: {
        // A later scale replaces an earlier scale-to-zero.
        auto& sc = options->scale;
        sc.erase(std::remove_if(sc.begin(), sc.end(),
                                [&](const ScaleRequest& r) {
                                  return r.component == a.component;
                                }),
                 sc.end());
        // New replicas' places first, then drop the highest indexes.
        for (const auto& p : a.placements) {
          auto it = std::find_if(
              plan->assignments.begin(), plan->assignments.end(),
              [&](const model::Assignment& x) {
                return x.component == a.component && x.replica == p.replica;
              });
          model::Assignment na = p;
          na.component = a.component;
          if (it != plan->assignments.end())
            *it = na;
          else
            plan->assignments.push_back(na);
        }
        std::vector<int> replicas;
        for (const auto& x : plan->assignments)
          if (x.component == a.component) replicas.push_back(x.replica);
        std::sort(replicas.begin(), replicas.end());
        int count = static_cast<int>(replicas.size());
        if (a.to_replicas < count) {
          int keep_below = replicas[static_cast<size_t>(a.to_replicas)];
          if (a.to_replicas == 0) {
            // A component scaled to zero keeps its places with 0 replicas.
            ScaleRequest s{a.component, 0, kind, a.trigger, la.where};
            options->scale.push_back(s);
          } else {
            plan->assignments.erase(
                std::remove_if(plan->assignments.begin(),
                               plan->assignments.end(),
                               [&](const model::Assignment& x) {
                                 return x.component == a.component &&
                                        x.replica >= keep_below;
                               }),
                plan->assignments.end());
          }
        } else if (a.to_replicas > count) {
          AddReplicas(a.component, a.to_replicas, plan);
        }
        break;
      }
      case ActionKind::kIsolate: {
        IsolateRequest r;
        r.component = a.component;
        r.allow = a.allow;
        r.action = kind;
        r.reason = a.trigger;
        r.action_id = a.id;
        r.where = la.where;
        if (a.replica >= 0)
          Note(notes, At(la.where, "replica"), "replica-isolation",
               "isolation of replica " + std::to_string(a.replica) + " of '" +
                   a.component +
                   "' is emitted as a NetworkPolicy over all its pods "
                   "(pods carry no replica label)");
        if (a.isolation == model::IsolationMode::kKillAndRebuild &&
            !a.to_version.empty())
          Note(notes, At(la.where, "to_version"), "rebuild-not-emitted",
               "kill-and-rebuild of '" + a.component +
                   "': the rebuild from version " + a.to_version +
                   " is the actuator's (kubectl rollout), not an object");
        options->isolate.push_back(std::move(r));
        break;
      }
      case ActionKind::kRelease: {
        auto& iso = options->isolate;
        iso.erase(std::remove_if(iso.begin(), iso.end(),
                                 [&](const IsolateRequest& r) {
                                   return r.component == a.component;
                                 }),
                  iso.end());
        break;
      }
      case ActionKind::kRollingUpdate:
      case ActionKind::kRollback:
        rec.image = a.image;
        if (a.image.empty())
          Note(notes, At(la.where, "image"), "rollout-without-image",
               kind + " of '" + a.component +
                   "' names no image; only its annotations change");
        break;
    }
    // A rollout's image stays when later actions touch the component.
    if (auto prev = options->actions.find(a.component);
        prev != options->actions.end() && rec.image.empty())
      rec.image = prev->second.image;
    options->actions[a.component] = rec;
  }
  return Status::Ok();
}

}  // namespace ecotone::kubernetes
