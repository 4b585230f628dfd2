// "unusable-capacity": nothing is placed on failed, draining or quarantined
// zones, racks or hosts (their bins are unavailable, with capacity 0).
#include <string>

#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class UnusableCapacity final : public ConstraintPlugin {
 public:
  std::string_view Name() const override { return "unusable-capacity"; }
  Status AddToModel(const PluginContext&, ModelBuilder& b) const override {
    Problem& p = b.ep.problem;
    p.bin_available.assign(b.bin_usable.begin(), b.bin_usable.end());
    // Works before or after "capacity": both copies are zeroed.
    for (size_t bin = 0; bin < b.bin_usable.size(); ++bin) {
      if (b.bin_usable[bin]) continue;
      b.bin_capacity[bin] = model::Resources{};
      if (p.bin_capacity.size() == b.bin_usable.size() * p.num_dims)
        for (int d = 0; d < p.num_dims; ++d)
          p.bin_capacity[bin * p.num_dims + d] = 0;
    }
    return Status::Ok();
  }
  void Check(const PluginContext&, const EcosystemProblem& ep,
             const std::vector<int>& x,
             std::vector<Verdict>* out) const override {
    const Problem& p = ep.problem;
    for (int i = 0; i < p.num_items; ++i)
      if (x[i] >= 0 && !p.BinAvailable(x[i]))
        out->push_back({std::string(Name()), p.item_names[i] + " on " +
                                                 p.bin_names[x[i]] +
                                                 ", which is not usable"});
  }
};

}  // namespace

std::unique_ptr<ConstraintPlugin> NewUnusableCapacity() {
  return std::make_unique<UnusableCapacity>();
}

}  // namespace ecotone::placement::plugins
