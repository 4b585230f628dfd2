// "allowed-zones": replicas of a component go only to zones its placement
// allows (zone names, regions, zone labels). Unknown zone names are input
// errors.
#include <string>

#include "common.h"

namespace ecotone::placement::plugins {
namespace {

class AllowedZones final : public ConstraintPlugin {
 public:
  std::string_view Name() const override { return "allowed-zones"; }
  Status AddToModel(const PluginContext& ctx, ModelBuilder& b) const override {
    EcosystemProblem& ep = b.ep;
    Problem& p = ep.problem;
    const model::Topology& topo = ctx.topology;
    for (size_t ci = 0; ci < ctx.ecosystem.components.size(); ++ci) {
      const model::Component& c = ctx.ecosystem.components[ci];
      for (const auto& zn : c.placement.allowed_zones) {
        if (topo.ZoneIndex(zn) < 0) {
          Location w = c.where;
          w.path =
              w.path.empty() ? "placement.zones" : w.path + ".placement.zones";
          return Status::InvalidArgument("component '" + c.name +
                                             "' allows zone '" + zn +
                                             "', which is not in the "
                                             "infrastructure",
                                         w);
        }
      }
      std::vector<char> zone_ok(topo.zones.size());
      bool restricted = false;
      for (size_t zi = 0; zi < topo.zones.size(); ++zi) {
        zone_ok[zi] = ZoneAllowed(c, topo.zones[zi]);
        restricted = restricted || !zone_ok[zi];
      }
      if (!restricted) continue;
      Group& g = p.groups[ci];
      g.allowed_bins.clear();
      for (int bin = 0; bin < p.num_bins; ++bin)
        if (zone_ok[ep.bin_zone[bin]]) g.allowed_bins.push_back(bin);
      if (g.allowed_bins.empty()) {  // empty allow-list means "all".
        for (int item = ep.component_first_item[ci];
             item < ep.component_first_item[ci + 1]; ++item)
          for (int bin = 0; bin < p.num_bins; ++bin)
            p.forbidden.push_back({item, bin});
      }
    }
    return Status::Ok();
  }
  void Check(const PluginContext& ctx, const EcosystemProblem& ep,
             const std::vector<int>& x,
             std::vector<Verdict>* out) const override {
    const Problem& p = ep.problem;
    for (int i = 0; i < p.num_items; ++i) {
      if (x[i] < 0) continue;
      const model::Component& c =
          ctx.ecosystem.components[ep.item_component[i]];
      const model::Zone& z = ctx.topology.zones[ep.bin_zone[x[i]]];
      if (!ZoneAllowed(c, z))
        out->push_back({std::string(Name()), p.item_names[i] + " in zone " +
                                                 z.name + ", which " + c.name +
                                                 " does not allow"});
    }
  }
};

}  // namespace

std::unique_ptr<ConstraintPlugin> NewAllowedZones() {
  return std::make_unique<AllowedZones>();
}

}  // namespace ecotone::placement::plugins
