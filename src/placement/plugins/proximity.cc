// "proximity": λ · proximity of a dependent pair per ms of distance between
// partner replicas (pairwise term).
#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class Proximity final : public ScorerPlugin {
 public:
  std::string_view Name() const override { return "proximity"; }
  Status AddToModel(const PluginContext& ctx, ModelBuilder& b) const override {
    for (size_t k = 0; k < b.ep.partners.size(); ++k)
      b.partner_coefficient[k] +=
          ctx.options.lambda * b.ep.pairs[b.ep.partners[k].pair].proximity;
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<ScorerPlugin> NewProximity() {
  return std::make_unique<Proximity>();
}

}  // namespace ecotone::placement::plugins
