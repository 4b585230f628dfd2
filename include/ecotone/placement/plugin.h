// Constraints and scorers of ecosystem placement as named plugins.
//
// BuildEcosystemProblem() builds the core of the problem (bins, items,
// groups, bin distances, dependent pairs and their partner replicas, the
// current plan's bins) and then runs the enabled plugins in profile order:
// every constraint plugin writes its rows (allowed bins, forbidden pairs,
// spread, distance limits, capacities) into the Problem, every scorer adds
// its cost term (linear prices, pairwise coefficients, migration costs). The
// solvers see only the Problem, so one plugin serves the heuristic (whose
// incremental O(degree) deltas cover every Problem primitive) and the MIP
// (which writes a row or column per primitive) alike. A constraint also
// checks an assignment and explains each violation as a Verdict naming it.
//
// Adding a plugin is one file: a class implementing ConstraintPlugin or
// ScorerPlugin, registered by name in a PluginRegistry, enabled by name in
// EcosystemOptions::constraints / scorers (docs/placement.md).
#ifndef ECOTONE_PLACEMENT_PLUGIN_H_
#define ECOTONE_PLACEMENT_PLUGIN_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"
#include "ecotone/placement/ecosystem_problem.h"

namespace ecotone::placement {

// What every plugin reads; built once per BuildEcosystemProblem() call.
struct PluginContext {
  const model::Ecosystem& ecosystem;
  const model::Topology& topology;
  const model::PlacementPlan* current;  // may be null.
  const EcosystemOptions& options;
};

// The problem under construction, handed to each plugin in turn.
struct ModelBuilder {
  EcosystemProblem& ep;
  // Per bin: the infrastructure capacity (whatever its state), whether the
  // bin and every parent (rack, zone) are usable, whether any is degraded.
  std::vector<model::Resources> bin_capacity;
  std::vector<uint8_t> bin_usable;
  std::vector<uint8_t> bin_degraded;
  bool any_racks = false;
  // Per partner pair (ep.partners): pairwise cost coefficient before the
  // partner's traffic share. After all scorers ran, the framework sets
  // Problem::pair_weight to share × coefficient (pairs at 0 are dropped).
  std::vector<double> partner_coefficient;
};

// A violation found by a constraint plugin.
struct Verdict {
  std::string plugin;  // Name() of the plugin.
  std::string reason;  // e.g. "api#0 and db#0 share bin eu-west-1a".
  bool operator==(const Verdict&) const = default;
};

// A hard constraint. Stateless: per-solve data lives in the problem.
class ConstraintPlugin {
 public:
  virtual ~ConstraintPlugin() = default;
  virtual std::string_view Name() const = 0;
  // Writes the plugin's part of the problem. InvalidArgument (with the
  // input's Location) for input the plugin cannot accept.
  virtual Status AddToModel(const PluginContext& ctx,
                            ModelBuilder& b) const = 0;
  // Appends a Verdict per violation of this constraint by `assignment` (a
  // bin per item of ep.problem, -1 = unassigned, which is skipped).
  virtual void Check(const PluginContext& ctx, const EcosystemProblem& ep,
                     const std::vector<int>& assignment,
                     std::vector<Verdict>* out) const = 0;
};

// A cost term. Stateless.
class ScorerPlugin {
 public:
  virtual ~ScorerPlugin() = default;
  virtual std::string_view Name() const = 0;
  // Adds the plugin's term to the objective: Problem::cost / bin_price
  // (linear), ModelBuilder::partner_coefficient (pairwise),
  // Problem::migration_cost (migration).
  virtual Status AddToModel(const PluginContext& ctx,
                            ModelBuilder& b) const = 0;
};

using ConstraintFactory = std::function<std::unique_ptr<ConstraintPlugin>()>;
using ScorerFactory = std::function<std::unique_ptr<ScorerPlugin>()>;

// Name → factory for constraints and scorers. A value type: copy the
// default registry and register more plugins into the copy.
class PluginRegistry {
 public:
  // InvalidArgument if the name is empty or already registered (of either
  // kind); the registry is unchanged then.
  Status RegisterConstraint(std::string name, ConstraintFactory factory);
  Status RegisterScorer(std::string name, ScorerFactory factory);
  // A new plugin owned by the caller, or NotFound listing the known names.
  Result<std::unique_ptr<ConstraintPlugin>> CreateConstraint(
      std::string_view name) const;
  Result<std::unique_ptr<ScorerPlugin>> CreateScorer(
      std::string_view name) const;
  std::vector<std::string> ConstraintNames() const;  // sorted.
  std::vector<std::string> ScorerNames() const;      // sorted.

 private:
  std::map<std::string, ConstraintFactory, std::less<>> constraints_;
  std::map<std::string, ScorerFactory, std::less<>> scorers_;
};

// The built-in plugins: constraints "capacity", "unusable-capacity",
// "allowed-zones", "spread", "latency-budget"; scorers "resource-price",
// "proximity", "egress", "migration". Lives for the program.
const PluginRegistry& DefaultPluginRegistry();

// The default profile: every built-in, in the order above.
const std::vector<std::string>& DefaultConstraints();
const std::vector<std::string>& DefaultScorers();

// Runs Check() of every constraint enabled by `options` (from
// options.plugins or the default registry) on `assignment`.
Result<std::vector<Verdict>> CheckConstraints(
    const EcosystemProblem& ep, const std::vector<int>& assignment,
    const model::Ecosystem& ecosystem, const model::Topology& topology,
    const model::PlacementPlan* current, const EcosystemOptions& options);

}  // namespace ecotone::placement

#endif  // ECOTONE_PLACEMENT_PLUGIN_H_
