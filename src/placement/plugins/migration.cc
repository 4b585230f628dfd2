// "migration": moving a replica away from its place in the current plan
// costs migration_cost, + stateful_per_gib per GiB of memory + storage of
// stateful components.
#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class Migration final : public ScorerPlugin {
 public:
  std::string_view Name() const override { return "migration"; }
  Status AddToModel(const PluginContext& ctx, ModelBuilder& b) const override {
    if (ctx.current == nullptr) return Status::Ok();
    const EcosystemOptions& o = ctx.options;
    Problem& p = b.ep.problem;
    p.migration_cost.assign(p.num_items, 0.0);
    for (int i = 0; i < p.num_items; ++i) {
      const model::Component& c =
          ctx.ecosystem.components[b.ep.item_component[i]];
      double cost = o.migration_cost;
      if (IsStateful(c)) {
        model::Resources r = Request(c, o);
        cost += o.stateful_per_gib * (r.memory_bytes + r.storage_bytes) / kGiB;
      }
      p.migration_cost[i] = cost;
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<ScorerPlugin> NewMigration() {
  return std::make_unique<Migration>();
}

}  // namespace ecotone::placement::plugins
