// "capacity": the load of every bin stays within its capacity in every
// dimension (cpu, memory, bandwidth, storage).
#include <string>

#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class Capacity final : public ConstraintPlugin {
 public:
  std::string_view Name() const override { return "capacity"; }
  Status AddToModel(const PluginContext&, ModelBuilder& b) const override {
    Problem& p = b.ep.problem;
    p.bin_capacity.clear();
    p.bin_capacity.reserve(b.bin_capacity.size() * kDims);
    for (const model::Resources& r : b.bin_capacity) {
      auto u = Units(r);
      p.bin_capacity.insert(p.bin_capacity.end(), u.begin(), u.end());
    }
    return Status::Ok();
  }
  void Check(const PluginContext&, const EcosystemProblem& ep,
             const std::vector<int>& x,
             std::vector<Verdict>* out) const override {
    const Problem& p = ep.problem;
    std::vector<double> load(static_cast<size_t>(p.num_bins) * p.num_dims);
    for (int i = 0; i < p.num_items; ++i)
      if (x[i] >= 0)
        for (int d = 0; d < p.num_dims; ++d)
          load[static_cast<size_t>(x[i]) * p.num_dims + d] +=
              p.Demand(i, x[i], d);
    for (int bin = 0; bin < p.num_bins; ++bin)
      for (int d = 0; d < p.num_dims; ++d) {
        double l = load[static_cast<size_t>(bin) * p.num_dims + d];
        if (l > p.Capacity(bin, d) + 1e-9)
          out->push_back({std::string(Name()),
                          p.dim_names[d] + " " + std::to_string(l) + " > " +
                              std::to_string(p.Capacity(bin, d)) + " in " +
                              p.bin_names[bin]});
      }
  }
};

}  // namespace

std::unique_ptr<ConstraintPlugin> NewCapacity() {
  return std::make_unique<Capacity>();
}

}  // namespace ecotone::placement::plugins
