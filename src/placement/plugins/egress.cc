// "egress": cross-zone traffic (GB/h) × egress price, folded into the
// pairwise term as κ (price per GB per ms of latency) × distance; exact when
// egress prices are proportional to latency (docs/placement.md).
#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class Egress final : public ScorerPlugin {
 public:
  std::string_view Name() const override { return "egress"; }
  Status AddToModel(const PluginContext&, ModelBuilder& b) const override {
    for (size_t k = 0; k < b.ep.partners.size(); ++k) {
      double gb_per_hour =
          b.ep.pairs[b.ep.partners[k].pair].bytes_per_s * 3600.0 / 1e9;
      b.partner_coefficient[k] += gb_per_hour * b.ep.egress_per_gb_per_ms;
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<ScorerPlugin> NewEgress() { return std::make_unique<Egress>(); }

}  // namespace ecotone::placement::plugins
