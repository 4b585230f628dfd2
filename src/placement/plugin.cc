// The plugin registry, the default profile and CheckConstraints().
#include "ecotone/placement/plugin.h"

#include <utility>

#include "plugins/common.h"

namespace ecotone::placement {
namespace {

template <class Map>
std::string KnownNames(const Map& m) {
  std::string s;
  for (const auto& [name, f] : m) s += (s.empty() ? "" : ", ") + name;
  return s;
}

}  // namespace

Status PluginRegistry::RegisterConstraint(std::string name,
                                          ConstraintFactory factory) {
  if (name.empty() || !factory)
    return Status::InvalidArgument("plugin name and factory are required");
  if (constraints_.count(name) || scorers_.count(name))
    return Status::InvalidArgument("plugin '" + name +
                                   "' is already registered");
  constraints_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

Status PluginRegistry::RegisterScorer(std::string name, ScorerFactory factory) {
  if (name.empty() || !factory)
    return Status::InvalidArgument("plugin name and factory are required");
  if (constraints_.count(name) || scorers_.count(name))
    return Status::InvalidArgument("plugin '" + name +
                                   "' is already registered");
  scorers_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

Result<std::unique_ptr<ConstraintPlugin>> PluginRegistry::CreateConstraint(
    std::string_view name) const {
  auto it = constraints_.find(name);
  if (it == constraints_.end())
    return Status::NotFound("unknown placement constraint '" +
                            std::string(name) +
                            "'; known: " + KnownNames(constraints_));
  return it->second();
}

Result<std::unique_ptr<ScorerPlugin>> PluginRegistry::CreateScorer(
    std::string_view name) const {
  auto it = scorers_.find(name);
  if (it == scorers_.end())
    return Status::NotFound("unknown placement scorer '" + std::string(name) +
                            "'; known: " + KnownNames(scorers_));
  return it->second();
}

std::vector<std::string> PluginRegistry::ConstraintNames() const {
  std::vector<std::string> v;
  for (const auto& [name, f] : constraints_) v.push_back(name);
  return v;
}

std::vector<std::string> PluginRegistry::ScorerNames() const {
  std::vector<std::string> v;
  for (const auto& [name, f] : scorers_) v.push_back(name);
  return v;
}

const PluginRegistry& DefaultPluginRegistry() {
  static const PluginRegistry* const registry = [] {
    auto* r = new PluginRegistry;
    using namespace plugins;
    (void)r->RegisterConstraint("capacity", NewCapacity);
    (void)r->RegisterConstraint("unusable-capacity", NewUnusableCapacity);
    (void)r->RegisterConstraint("allowed-zones", NewAllowedZones);
    (void)r->RegisterConstraint("spread", NewSpread);
    (void)r->RegisterConstraint("latency-budget", NewLatencyBudget);
    (void)r->RegisterScorer("resource-price", NewResourcePrice);
    (void)r->RegisterScorer("proximity", NewProximity);
    (void)r->RegisterScorer("egress", NewEgress);
    (void)r->RegisterScorer("migration", NewMigration);
    return r;
  }();
  return *registry;
}

const std::vector<std::string>& DefaultConstraints() {
  static const std::vector<std::string> names = {
      "capacity", "unusable-capacity", "allowed-zones", "spread",
      "latency-budget"};
  return names;
}

const std::vector<std::string>& DefaultScorers() {
  static const std::vector<std::string> names = {"resource-price", "proximity",
                                                 "egress", "migration"};
  return names;
}

Result<std::vector<Verdict>> CheckConstraints(
    const EcosystemProblem& ep, const std::vector<int>& assignment,
    const model::Ecosystem& ecosystem, const model::Topology& topology,
    const model::PlacementPlan* current, const EcosystemOptions& options) {
  if (assignment.size() != static_cast<size_t>(ep.problem.num_items))
    return Status::InvalidArgument(
        "assignment has " + std::to_string(assignment.size()) +
        " entries, expected " + std::to_string(ep.problem.num_items));
  for (int b : assignment)
    if (b < -1 || b >= ep.problem.num_bins)
      return Status::InvalidArgument("assignment bin " + std::to_string(b) +
                                     " out of range");
  const PluginRegistry& reg =
      options.plugins ? *options.plugins : DefaultPluginRegistry();
  const auto& names =
      options.constraints.empty() ? DefaultConstraints() : options.constraints;
  PluginContext ctx{ecosystem, topology, current, options};
  std::vector<Verdict> out;
  for (const std::string& name : names) {
    ECOTONE_ASSIGN_OR_RETURN(auto plugin, reg.CreateConstraint(name));
    plugin->Check(ctx, ep, assignment, &out);
  }
  return out;
}

}  // namespace ecotone::placement
