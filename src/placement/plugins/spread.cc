// "spread": replicas of a component occupy at least K zones (the
// component's spread_min_zones, else min(replicas, default_min_zones,
// allowed usable zones) for components with >= 2 replicas) and at most
// max_per_zone per zone; with racks modelled, at most default_max_per_rack
// per rack.
#include <map>
#include <set>
#include <string>

#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class Spread final : public ConstraintPlugin {
 public:
  std::string_view Name() const override { return "spread"; }
  Status AddToModel(const PluginContext& ctx, ModelBuilder& b) const override {
    const EcosystemOptions& o = ctx.options;
    const model::Topology& topo = ctx.topology;
    for (size_t ci = 0; ci < ctx.ecosystem.components.size(); ++ci) {
      const model::Component& c = ctx.ecosystem.components[ci];
      int allowed_usable_zones = 0;
      for (const model::Zone& z : topo.zones)
        if (ZoneAllowed(c, z) && model::IsUsable(z.state))
          ++allowed_usable_zones;
      const int n = ReplicaCount(c);
      int k = c.placement.spread_min_zones;
      if (k == 0 && o.default_min_zones > 0 && n >= 2)
        k = std::min(
            {n, o.default_min_zones, std::max(1, allowed_usable_zones)});
      Group& g = b.ep.problem.groups[ci];
      if (b.any_racks) {
        g.min_distinct_domains = k;
        g.max_per_domain = c.placement.max_per_zone;
        g.max_per_bin = o.default_max_per_rack;
      } else {
        g.min_distinct_bins = k;
        g.max_per_bin = c.placement.max_per_zone;
      }
    }
    return Status::Ok();
  }
  void Check(const PluginContext&, const EcosystemProblem& ep,
             const std::vector<int>& x,
             std::vector<Verdict>* out) const override {
    const Problem& p = ep.problem;
    const bool domains = !p.bin_domain.empty();
    for (size_t g = 0; g < p.groups.size(); ++g) {
      const Group& gr = p.groups[g];
      std::map<int, int> per_bin, per_dom;
      for (int i = ep.component_first_item[g];
           i < ep.component_first_item[g + 1]; ++i) {
        if (x[i] < 0) continue;
        ++per_bin[x[i]];
        if (domains) ++per_dom[p.bin_domain[x[i]]];
      }
      auto level = [&](const std::map<int, int>& count, int min_distinct,
                       int max_per, const char* what) {
        if (min_distinct > 0 && static_cast<int>(count.size()) < min_distinct)
          out->push_back({std::string(Name()),
                          "replicas of " + gr.name + " occupy " +
                              std::to_string(count.size()) + " " + what +
                              "s, need " + std::to_string(min_distinct)});
        for (const auto& [at, c] : count)
          if (max_per > 0 && c > max_per)
            out->push_back({std::string(Name()),
                            std::to_string(c) + " replicas of " + gr.name +
                                " in one " + what + ", at most " +
                                std::to_string(max_per)});
      };
      level(per_bin, gr.min_distinct_bins, gr.max_per_bin, "bin");
      if (domains)
        level(per_dom, gr.min_distinct_domains, gr.max_per_domain, "zone");
    }
  }
};

}  // namespace

std::unique_ptr<ConstraintPlugin> NewSpread() {
  return std::make_unique<Spread>();
}

}  // namespace ecotone::placement::plugins
