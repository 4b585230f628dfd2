// "resource-price": Σ replica requests × the zone's unit prices per hour,
// × degraded_cost_factor on degraded zones, racks or hosts.
#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class ResourcePrice final : public ScorerPlugin {
 public:
  std::string_view Name() const override { return "resource-price"; }
  Status AddToModel(const PluginContext& ctx, ModelBuilder& b) const override {
    Problem& p = b.ep.problem;
    p.bin_price.clear();
    p.bin_price.reserve(static_cast<size_t>(p.num_bins) * kDims);
    for (int bin = 0; bin < p.num_bins; ++bin) {
      const model::Zone& z = ctx.topology.zones[b.ep.bin_zone[bin]];
      double f = b.bin_degraded[bin] ? ctx.topology.degraded_cost_factor : 1.0;
      p.bin_price.push_back(z.prices.cpu_per_core_hour * f);
      p.bin_price.push_back(z.prices.memory_per_gib_hour * f);
      p.bin_price.push_back(z.prices.bandwidth_per_gbps_hour * f);
      p.bin_price.push_back(z.prices.storage_per_gib_hour * f);
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<ScorerPlugin> NewResourcePrice() {
  return std::make_unique<ResourcePrice>();
}

}  // namespace ecotone::placement::plugins
