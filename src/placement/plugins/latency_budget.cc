// "latency-budget": partner replicas of a hard dependency with a latency
// budget are at most the budget (ms) apart.
#include <string>

#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class LatencyBudget final : public ConstraintPlugin {
 public:
  std::string_view Name() const override { return "latency-budget"; }
  Status AddToModel(const PluginContext&, ModelBuilder& b) const override {
    EcosystemProblem& ep = b.ep;
    for (const auto& pp : ep.partners) {
      double budget = ep.pairs[pp.pair].budget_ms;
      if (budget > 0)
        ep.problem.distance_limits.push_back({pp.item_a, pp.item_b, budget});
    }
    return Status::Ok();
  }
  void Check(const PluginContext&, const EcosystemProblem& ep,
             const std::vector<int>& x,
             std::vector<Verdict>* out) const override {
    const Problem& p = ep.problem;
    for (const auto& pp : ep.partners) {
      double budget = ep.pairs[pp.pair].budget_ms;
      int h = x[pp.item_a], k = x[pp.item_b];
      if (budget <= 0 || h < 0 || k < 0) continue;
      if (p.Distance(h, k) > budget + 1e-9)
        out->push_back(
            {std::string(Name()),
             p.item_names[pp.item_a] + " - " + p.item_names[pp.item_b] +
                 " are " + std::to_string(p.Distance(h, k)) +
                 " ms apart, budget " + std::to_string(budget) + " ms"});
    }
  }
};

}  // namespace

std::unique_ptr<ConstraintPlugin> NewLatencyBudget() {
  return std::make_unique<LatencyBudget>();
}

}  // namespace ecotone::placement::plugins
