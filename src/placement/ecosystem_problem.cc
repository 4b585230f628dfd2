// Ecosystem → placement::Problem and back. The model (sets, variables,
// objective terms with units, constraints, weights) is docs/placement.md.
#include "ecotone/placement/ecosystem_problem.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/model/units.h"
#include "ecotone/placement/plugin.h"
#include "plugins/common.h"

namespace ecotone::placement {
namespace {

using plugins::IsStateful;
using plugins::kDims;
using plugins::kGiB;
using plugins::ReplicaCount;
using plugins::Request;
using plugins::Units;
using plugins::ZoneAllowed;
const char* const kDimNames[kDims] = {"cpu", "memory", "bandwidth", "storage"};

std::string Pct(double f) {
  std::ostringstream os;
  os.precision(3);
  os << f * 100 << "%";
  return os.str();
}

}  // namespace

Result<EcosystemProblem> BuildEcosystemProblem(
    const model::Ecosystem& eco, const model::Topology& topo,
    const model::PlacementPlan* current, const EcosystemOptions& o) {
  EcosystemProblem ep;
  Problem& p = ep.problem;
  ModelBuilder builder{ep, {}, {}, {}, false, {}};
  p.num_dims = kDims;
  p.dim_names.assign(kDimNames, kDimNames + kDims);
  p.lambda = 1.0;  // λ is folded into the pair weights.

  // --- Bins: hosts, racks or zones. ---
  bool any_racks = false;
  for (const auto& z : topo.zones) any_racks = any_racks || !z.racks.empty();
  builder.any_racks = any_racks;
  for (size_t zi = 0; zi < topo.zones.size(); ++zi) {
    const model::Zone& z = topo.zones[zi];
    auto add_bin = [&](int rack, int host, const std::string& name,
                       const model::Resources& cap, bool usable,
                       bool degraded) {
      ep.bin_zone.push_back(static_cast<int>(zi));
      ep.bin_rack.push_back(rack);
      ep.bin_host.push_back(host);
      p.bin_names.push_back(name);
      // Capacity, usability and prices are the plugins' part.
      builder.bin_capacity.push_back(cap);
      builder.bin_usable.push_back(usable ? 1 : 0);
      builder.bin_degraded.push_back(degraded ? 1 : 0);
      if (any_racks) p.bin_domain.push_back(static_cast<int>(zi));
    };
    bool zone_ok = model::IsUsable(z.state);
    bool zone_deg = z.state == model::CapacityState::kDegraded;
    if (z.racks.empty()) {
      add_bin(-1, -1, z.name, z.capacity, zone_ok, zone_deg);
      continue;
    }
    for (size_t ri = 0; ri < z.racks.size(); ++ri) {
      const model::Rack& r = z.racks[ri];
      bool rack_ok = zone_ok && model::IsUsable(r.state);
      bool rack_deg = zone_deg || r.state == model::CapacityState::kDegraded;
      std::string rn = z.name + "/" + r.name;
      if (r.hosts.empty()) {
        add_bin(static_cast<int>(ri), -1, rn, r.capacity, rack_ok, rack_deg);
        continue;
      }
      for (size_t hi = 0; hi < r.hosts.size(); ++hi) {
        const model::Host& h = r.hosts[hi];
        add_bin(static_cast<int>(ri), static_cast<int>(hi), rn + "/" + h.name,
                h.capacity, rack_ok && model::IsUsable(h.state),
                rack_deg || h.state == model::CapacityState::kDegraded);
      }
    }
  }
  p.num_bins = static_cast<int>(ep.bin_zone.size());
  if (p.num_bins > o.max_bins) {
    return Status::InvalidArgument(
        "the infrastructure has " + std::to_string(p.num_bins) +
        " placement bins (hosts/racks/zones); the limit is " +
        std::to_string(o.max_bins));
  }
  // Distance = latency in ms between bins: zone latency across zones, rack
  // latency within a zone, 0 within a rack.
  const size_t m = static_cast<size_t>(p.num_bins);
  p.distance.assign(m * m, 0.0);
  for (size_t a = 0; a < m; ++a) {
    for (size_t b = 0; b < m; ++b) {
      int za = ep.bin_zone[a], zb = ep.bin_zone[b];
      double d;
      if (za != zb) {
        d = topo.LatencyMs(za, zb);
      } else if (ep.bin_rack[a] >= 0 && ep.bin_rack[b] >= 0) {
        d = topo.zones[za].RackLatencyMs(ep.bin_rack[a], ep.bin_rack[b]);
      } else {
        d = 0;
      }
      p.distance[a * m + b] = d;
    }
  }
  // Symmetrise defensively (rack matrices are symmetric by construction).
  for (size_t a = 0; a < m; ++a)
    for (size_t b = a + 1; b < m; ++b) {
      double v = std::max(p.distance[a * m + b], p.distance[b * m + a]);
      p.distance[a * m + b] = p.distance[b * m + a] = v;
    }

  // κ = mean egress price per GB / mean latency over distinct zone pairs.
  {
    double e = 0, l = 0;
    const size_t nz = topo.zones.size();
    for (size_t a = 0; a < nz; ++a)
      for (size_t b = 0; b < nz; ++b)
        if (a != b) {
          e += topo.EgressPerGb(a, b);
          l += topo.LatencyMs(a, b);
        }
    ep.egress_per_gb_per_ms = l > 0 ? e / l : 0;
  }

  // --- Items and groups. ---
  std::unordered_map<std::string_view, int> comp_index;
  ep.component_first_item.push_back(0);
  for (size_t ci = 0; ci < eco.components.size(); ++ci) {
    const model::Component& c = eco.components[ci];
    if (c.name.empty())
      return Status::InvalidArgument("component without a name", c.where);
    comp_index.emplace(c.name, static_cast<int>(ci));
    // Allowed bins and spread are the plugins' part ("allowed-zones",
    // "spread"); group ci is component ci.
    Group g;
    g.name = c.name;
    const int n = ReplicaCount(c);
    const int group = static_cast<int>(p.groups.size());
    p.groups.push_back(std::move(g));
    auto demand = Units(Request(c, o));
    for (int r = 0; r < n; ++r) {
      ++p.num_items;
      ep.item_component.push_back(static_cast<int>(ci));
      ep.item_replica.push_back(r);
      p.item_names.push_back(c.name + "#" + std::to_string(r));
      p.item_demand.insert(p.item_demand.end(), demand.begin(), demand.end());
      p.item_group.push_back(group);
    }
    ep.component_first_item.push_back(p.num_items);
  }

  // --- Pairs from the graph module's proximity. ---
  std::vector<model::Problem> graph_problems;
  graph::EcosystemMap map = graph::EcosystemMap::Build(eco, &graph_problems);
  graph::Proximity prox = graph::ComputeProximity(map);
  ep.pairs.resize(prox.pairs.size());
  for (size_t i = 0; i < prox.pairs.size(); ++i) {
    ep.pairs[i].a = prox.pairs[i].a;
    ep.pairs[i].b = prox.pairs[i].b;
    ep.pairs[i].proximity = prox.pairs[i].weight;
  }
  for (int e = 0; e < map.edge_count(); ++e) {
    int pi = prox.edge_pair[e];
    if (pi < 0) continue;
    const model::Dependency& d = map.dependency(e);
    auto& pr = ep.pairs[pi];
    pr.bytes_per_s += std::max(0.0, d.traffic_bytes_per_s);
    if (d.latency_budget_us > 0 && d.criticality == model::Criticality::kHard &&
        d.kind != model::DependencyKind::kStartOrder) {
      double ms = d.latency_budget_us / 1000.0;
      pr.budget_ms = pr.budget_ms == 0 ? ms : std::min(pr.budget_ms, ms);
    }
  }
  for (size_t pi = 0; pi < ep.pairs.size(); ++pi) {
    const auto& pr = ep.pairs[pi];
    int fa = ep.component_first_item[pr.a];
    int na = ep.component_first_item[pr.a + 1] - fa;
    int fb = ep.component_first_item[pr.b];
    int nb = ep.component_first_item[pr.b + 1] - fb;
    if (na == 0 || nb == 0) continue;
    int k = std::max(na, nb);
    double share = 1.0 / k;
    for (int r = 0; r < k; ++r) {
      int ia = fa + r % na, ib = fb + r % nb;
      ep.partners.push_back({static_cast<int>(pi), ia, ib, share});
    }
  }

  // --- Current plan: current bins and migration costs. ---
  if (current != nullptr) {
    p.current_bin.assign(p.num_items, -1);
    // (zone, rack, host) names → bin. A plan without racks maps to the first
    // available bin of its zone (moves are then reported per zone).
    std::map<std::string, int> bin_by_name;
    std::map<std::string, int> first_bin_of_zone;
    for (int b = 0; b < p.num_bins; ++b) {
      bin_by_name.emplace(p.bin_names[b], b);
      const std::string& zn = topo.zones[ep.bin_zone[b]].name;
      auto it = first_bin_of_zone.find(zn);
      if (it == first_bin_of_zone.end() ||
          (!p.BinAvailable(it->second) && p.BinAvailable(b)))
        first_bin_of_zone[zn] = b;
    }
    for (const auto& a : current->assignments) {
      auto ci = comp_index.find(a.component);
      if (ci == comp_index.end()) continue;
      int first = ep.component_first_item[ci->second];
      int n = ep.component_first_item[ci->second + 1] - first;
      if (a.replica < 0 || a.replica >= n) continue;  // scaled down.
      int bin = -1;
      std::string key = a.PlaceString();
      if (auto it = bin_by_name.find(key); it != bin_by_name.end()) {
        bin = it->second;
      } else if (!a.rack.empty() && a.host.empty()) {
        // Hosts modelled but the plan names the rack only: first host.
        for (int b = 0; b < p.num_bins && bin < 0; ++b)
          if (p.bin_names[b].rfind(key + "/", 0) == 0) bin = b;
      } else if (auto z = first_bin_of_zone.find(a.zone);
                 z != first_bin_of_zone.end()) {
        bin = z->second;
      }
      p.current_bin[first + a.replica] = bin;
    }
  }

  // --- Plugins: constraints, then scorers, in profile order. ---
  const PluginRegistry& reg = o.plugins ? *o.plugins : DefaultPluginRegistry();
  PluginContext ctx{eco, topo, current, o};
  builder.partner_coefficient.assign(ep.partners.size(), 0.0);
  for (const std::string& name :
       o.constraints.empty() ? DefaultConstraints() : o.constraints) {
    ECOTONE_ASSIGN_OR_RETURN(auto plugin, reg.CreateConstraint(name));
    ECOTONE_RETURN_IF_ERROR(plugin->AddToModel(ctx, builder));
  }
  const std::vector<std::string>& scorers =
      o.scorers.empty() ? DefaultScorers() : o.scorers;
  auto enabled = [&](std::string_view n) {
    return std::find(scorers.begin(), scorers.end(), n) != scorers.end();
  };
  ep.scores_resource = enabled("resource-price");
  ep.scores_proximity = enabled("proximity");
  ep.scores_egress = enabled("egress");
  const std::vector<std::string>& builtin = DefaultScorers();
  for (const std::string& name : scorers) {
    ECOTONE_ASSIGN_OR_RETURN(auto plugin, reg.CreateScorer(name));
    if (std::find(builtin.begin(), builtin.end(), name) != builtin.end()) {
      ECOTONE_RETURN_IF_ERROR(plugin->AddToModel(ctx, builder));
      continue;
    }
    // Not built in: keep what it adds, to report it as its own cost line.
    EcosystemProblem::ScorerContribution before{
        name, p.cost, p.bin_price, p.migration_cost,
        builder.partner_coefficient};
    ECOTONE_RETURN_IF_ERROR(plugin->AddToModel(ctx, builder));
    auto diff = [](const std::vector<double>& now, std::vector<double>* was) {
      if (now.empty() && was->empty()) return;
      if (now.size() == was->size()) {
        bool same = true;
        for (size_t k = 0; k < now.size(); ++k) {
          (*was)[k] = now[k] - (*was)[k];
          same = same && (*was)[k] == 0;
        }
        if (same) was->clear();
      } else if (was->empty()) {
        *was = now;  // newly written.
      } else if (now.empty()) {
        for (double& v : *was) v = -v;  // cleared.
      }
      // (A resize to another non-empty size is not a Problem primitive.)
    };
    diff(p.cost, &before.cost);
    diff(p.bin_price, &before.bin_price);
    diff(p.migration_cost, &before.migration_cost);
    diff(builder.partner_coefficient, &before.partner_coefficient);
    ep.custom_scorers.push_back(std::move(before));
  }
  if (p.bin_capacity.empty()) {
    return Status::InvalidArgument(
        "the placement profile must enable the \"capacity\" constraint");
  }
  std::vector<WeightedPair> weights;
  for (size_t k = 0; k < ep.partners.size(); ++k) {
    const auto& pp = ep.partners[k];
    double w = pp.share * builder.partner_coefficient[k];
    if (w > 0) weights.push_back({pp.item_a, pp.item_b, w});
  }
  ECOTONE_ASSIGN_OR_RETURN(p.pair_weight, BuildSymmetric(p.num_items, weights));
  return ep;
}

namespace {

struct Costs {
  CostTerms terms;
  double cross_zone_proximity = 0;
  std::vector<double> pair_cross_share;  // per component pair.
};

Costs ComputeCosts(const EcosystemProblem& ep, const std::vector<int>& asg,
                   const model::Ecosystem& eco, const model::Topology& topo,
                   const EcosystemOptions& o) {
  const Problem& p = ep.problem;
  Costs c;
  for (int i = 0; i < p.num_items; ++i) {
    int b = asg[i];
    if (b < 0) continue;
    const model::Component& comp = eco.components[ep.item_component[i]];
    double charged = p.LinearCost(i, b);
    if (ep.scores_resource) {
      double base = model::ResourceCostPerHour(
          Request(comp, o), topo.zones[ep.bin_zone[b]].prices);
      c.terms.resource += base;
      c.terms.penalties += charged - base;  // minus plugin terms below.
    } else {
      c.terms.penalties += charged;
    }
    c.terms.migration += p.MigrationCost(i, b);
  }
  // Scorer plugins that are not built in: each its own line, taken out of
  // the linear and migration sums above.
  for (const auto& sc : ep.custom_scorers) {
    double linear = 0, moved = 0, pairwise = 0;
    for (int i = 0; i < p.num_items; ++i) {
      int b = asg[i];
      if (b < 0) continue;
      if (!sc.cost.empty())
        linear += sc.cost[static_cast<size_t>(i) * p.num_bins + b];
      if (!sc.bin_price.empty())
        for (int d = 0; d < p.num_dims; ++d)
          linear += p.Demand(i, b, d) *
                    sc.bin_price[static_cast<size_t>(b) * p.num_dims + d];
      if (!sc.migration_cost.empty() && !p.current_bin.empty() &&
          p.current_bin[i] >= 0 && p.current_bin[i] != b)
        moved += sc.migration_cost[i];
    }
    if (!sc.partner_coefficient.empty())
      for (size_t k = 0; k < ep.partners.size(); ++k) {
        const auto& pp = ep.partners[k];
        int ba = asg[pp.item_a], bb = asg[pp.item_b];
        if (ba < 0 || bb < 0) continue;
        pairwise += p.lambda * pp.share * sc.partner_coefficient[k] *
                    p.Distance(ba, bb);
      }
    c.terms.penalties -= linear;
    c.terms.migration -= moved;
    c.terms.plugins.emplace_back(sc.name, linear + moved + pairwise);
  }
  if (std::abs(c.terms.penalties) < 1e-9) c.terms.penalties = 0;
  c.pair_cross_share.assign(ep.pairs.size(), 0.0);
  for (const auto& pp : ep.partners) {
    int ba = asg[pp.item_a], bb = asg[pp.item_b];
    if (ba < 0 || bb < 0) continue;
    const auto& pr = ep.pairs[pp.pair];
    int za = ep.bin_zone[ba], zb = ep.bin_zone[bb];
    if (ep.scores_proximity)
      c.terms.proximity +=
          o.lambda * pr.proximity * pp.share * p.Distance(ba, bb);
    if (za != zb) {
      c.pair_cross_share[pp.pair] += pp.share;
      double price =
          0.5 * (topo.EgressPerGb(za, zb) + topo.EgressPerGb(zb, za));
      if (ep.scores_egress)
        c.terms.egress += pr.bytes_per_s * pp.share * 3600.0 / 1e9 * price;
    }
  }
  for (size_t pi = 0; pi < ep.pairs.size(); ++pi)
    c.cross_zone_proximity += ep.pairs[pi].proximity * c.pair_cross_share[pi];
  return c;
}

}  // namespace

namespace {

// "12 GiB", "1.5 cores", "2 Gbit/s": an amount of dimension d in the
// problem's units.
std::string Amount(int d, double v) {
  std::ostringstream os;
  os.precision(v >= 100 ? 5 : 3);
  os << v;
  static const char* const kUnit[kDims] = {" cores", " GiB", " Gbit/s", " GiB"};
  return os.str() + kUnit[d];
}

std::string JoinNames(const std::vector<std::string>& v, size_t most) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < most; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > most) s += " and " + std::to_string(v.size() - most) + " more";
  return s;
}

}  // namespace

std::vector<std::string> ExplainEcosystemInfeasibility(
    const EcosystemProblem& ep, const model::Ecosystem& eco,
    const model::Topology& topo) {
  const Problem& p = ep.problem;
  const int nz = static_cast<int>(topo.zones.size());
  const int nc = static_cast<int>(eco.components.size());
  const bool racks = !p.bin_domain.empty();
  std::vector<std::string> why;
  // Usable zones: at least one available bin.
  std::vector<char> usable(nz, 0);
  for (int b = 0; b < p.num_bins; ++b)
    if (p.BinAvailable(b)) usable[ep.bin_zone[b]] = 1;
  std::vector<int> all_usable;
  for (int z = 0; z < nz; ++z)
    if (usable[z]) all_usable.push_back(z);
  auto name_of = [&](const std::vector<int>& zs) -> std::string {
    if (zs == all_usable) return "all usable zones";
    if (zs.size() == 1) return topo.zones[zs[0]].name;
    // One whole region?
    const std::string& r = topo.zones[zs[0]].region;
    bool one = !r.empty();
    for (int z : zs) one = one && topo.zones[z].region == r;
    if (one) {
      size_t in_region = 0;
      for (int z : all_usable) in_region += topo.zones[z].region == r;
      if (in_region == zs.size()) return r;
    }
    std::vector<std::string> names;
    for (int z : zs) names.push_back(topo.zones[z].name);
    return "zones " + JoinNames(names, 6);
  };
  auto state_list = [&](const std::vector<int>& zs) {
    std::vector<std::string> v;
    for (int z : zs)
      v.push_back(topo.zones[z].name + " " +
                  std::string(model::CapacityStateName(topo.zones[z].state)));
    return JoinNames(v, 6);
  };
  // Per component: allowed usable zones, replicas, demand per replica.
  std::vector<std::vector<int>> zones_of(nc);
  std::vector<int> replicas(nc, 0);
  for (int c = 0; c < nc; ++c) {
    replicas[c] = ep.component_first_item[c + 1] - ep.component_first_item[c];
    if (replicas[c] == 0) continue;
    const Group& g = p.groups[c];
    std::vector<char> allowed(nz, 0);
    if (g.allowed_bins.empty()) {
      allowed.assign(nz, 1);
    } else {
      for (int b : g.allowed_bins) allowed[ep.bin_zone[b]] = 1;
    }
    std::vector<int> any_allowed;
    for (int z = 0; z < nz; ++z) {
      if (!allowed[z]) continue;
      any_allowed.push_back(z);
      if (usable[z]) zones_of[c].push_back(z);
    }
    const std::string& name = eco.components[c].name;
    if (zones_of[c].empty()) {
      why.push_back(name + ": no usable zone allowed" +
                    (any_allowed.empty()
                         ? std::string(" (its placement rules match no zone)")
                         : " (" + state_list(any_allowed) + ")"));
      continue;
    }
    // One replica larger than every allowed bin.
    const int item = ep.component_first_item[c];
    for (int d = 0; d < kDims; ++d) {
      const double q = p.Demand(item, 0, d);
      double largest = 0;
      for (int b = 0; b < p.num_bins; ++b) {
        if (!p.BinAvailable(b) || !allowed[ep.bin_zone[b]]) continue;
        largest = std::max(largest, p.Capacity(b, d));
      }
      if (q > largest * (1 + 1e-12) + 1e-12) {
        const char* where =
            ep.bin_host.empty() || p.num_bins == 0
                ? "zone"
                : (ep.bin_host[0] >= 0
                       ? "host"
                       : (ep.bin_rack[0] >= 0 ? "rack" : "zone"));
        why.push_back("a replica of " + name + " needs " + kDimNames[d] + " " +
                      Amount(d, q) + "; the largest allowed " + where +
                      " has " + Amount(d, largest));
      }
    }
    // Spread.
    const int k = racks ? g.min_distinct_domains : g.min_distinct_bins;
    const int per_zone = racks ? g.max_per_domain : g.max_per_bin;
    const int allowed_zones = static_cast<int>(zones_of[c].size());
    if (k > allowed_zones) {
      why.push_back("replicas of " + name + " need " + std::to_string(k) +
                    " zones, " + std::to_string(allowed_zones) + " allowed (" +
                    name_of(zones_of[c]) + ")");
    } else if (k > replicas[c]) {
      why.push_back("replicas of " + name + " need " + std::to_string(k) +
                    " zones but " + name + " has " +
                    std::to_string(replicas[c]) + " replicas");
    }
    if (per_zone > 0 &&
        static_cast<int64_t>(per_zone) * allowed_zones < replicas[c]) {
      why.push_back(std::to_string(replicas[c]) + " replicas of " + name +
                    " need more than " + std::to_string(per_zone) +
                    " per zone in " + std::to_string(allowed_zones) +
                    " allowed zones");
    }
    if (racks && g.max_per_bin > 0) {
      int64_t bins = 0;
      for (int b = 0; b < p.num_bins; ++b)
        bins += p.BinAvailable(b) && allowed[ep.bin_zone[b]];
      if (g.max_per_bin * bins < replicas[c]) {
        why.push_back(std::to_string(replicas[c]) + " replicas of " + name +
                      " need more than " + std::to_string(g.max_per_bin) +
                      " per rack in " + std::to_string(bins) +
                      " allowed racks");
      }
    }
  }
  // Capacity: for every distinct allowed zone set S (and all usable zones),
  // the components confined to S must fit in S, per dimension.
  std::vector<std::vector<int>> sets = {all_usable};
  for (int c = 0; c < nc; ++c) {
    if (zones_of[c].empty()) continue;
    if (std::find(sets.begin(), sets.end(), zones_of[c]) == sets.end())
      sets.push_back(zones_of[c]);
  }
  std::vector<std::array<double, kDims>> zone_cap(nz,
                                                  std::array<double, kDims>{});
  for (int b = 0; b < p.num_bins; ++b) {
    if (!p.BinAvailable(b)) continue;
    for (int d = 0; d < kDims; ++d)
      zone_cap[ep.bin_zone[b]][d] += p.Capacity(b, d);
  }
  for (const auto& S : sets) {
    if (S.empty()) continue;
    std::vector<char> in(nz, 0);
    for (int z : S) in[z] = 1;
    std::array<double, kDims> demand{}, cap{};
    std::vector<std::vector<std::string>> who(kDims);
    for (int z : S)
      for (int d = 0; d < kDims; ++d) cap[d] += zone_cap[z][d];
    for (int c = 0; c < nc; ++c) {
      if (zones_of[c].empty()) continue;
      bool inside = true;
      for (int z : zones_of[c]) inside = inside && in[z];
      if (!inside) continue;
      const int item = ep.component_first_item[c];
      for (int d = 0; d < kDims; ++d) {
        const double q = p.Demand(item, 0, d) * replicas[c];
        if (q <= 0) continue;
        demand[d] += q;
        who[d].push_back(eco.components[c].name);
      }
    }
    for (int d = 0; d < kDims; ++d) {
      if (demand[d] > cap[d] * (1 + 1e-12) + 1e-9) {
        why.push_back(std::string(kDimNames[d]) + " short by " +
                      Amount(d, demand[d] - cap[d]) + " in " + name_of(S) +
                      " (demand " + Amount(d, demand[d]) +
                      " > usable capacity " + Amount(d, cap[d]) +
                      "; replicas of " + JoinNames(who[d], 5) + ")");
      }
    }
  }
  return why;
}

EcosystemPlacement Interpret(const EcosystemProblem& ep, const Solution& s,
                             const model::Ecosystem& eco,
                             const model::Topology& topo,
                             const model::PlacementPlan* current,
                             const EcosystemOptions& o) {
  const Problem& p = ep.problem;
  EcosystemPlacement out;
  out.status = s.status;
  out.bound = s.bound;
  out.gap = s.gap;
  out.model_objective = s.objective;
  out.bound_method = s.bound_method;
  out.solver = s.solver;
  out.seconds = s.seconds;
  out.iterations = s.iterations;
  out.plan.ecosystem = eco.name;
  out.plan.infra = topo.name;
  out.plan.metadata["solver"] = s.solver;
  out.plan.metadata["status"] = std::string(SolveOutcomeName(s.status));

  // Zone usage (capacity even without a plan, for the explanation).
  out.zones.resize(topo.zones.size());
  for (size_t zi = 0; zi < topo.zones.size(); ++zi) {
    out.zones[zi].zone = topo.zones[zi].name;
    out.zones[zi].state =
        std::string(model::CapacityStateName(topo.zones[zi].state));
    out.zones[zi].capacity = model::UsableCapacity(topo.zones[zi]);
  }

  const bool has_plan = static_cast<int>(s.assignment.size()) == p.num_items &&
                        (s.status == SolveOutcome::kOptimal ||
                         s.status == SolveOutcome::kFeasible);
  if (!has_plan) {
    out.infeasible_reasons = ExplainEcosystemInfeasibility(ep, eco, topo);
    if (!out.infeasible_reasons.empty()) {
      // Each reason alone proves that no placement exists.
      out.status = SolveOutcome::kInfeasible;
      for (const auto& r : out.infeasible_reasons)
        out.infeasible += (out.infeasible.empty() ? "" : "; ") + r;
      out.objective = std::numeric_limits<double>::infinity();
      return out;
    }
    out.infeasible = s.infeasibility;
    if (out.infeasible.empty()) out.infeasible = ExplainInfeasibility(p);
    if (out.infeasible.empty())
      out.infeasible = s.status == SolveOutcome::kInfeasible
                           ? "the constraints admit no placement"
                           : "no feasible placement found within the limits";
    out.objective = std::numeric_limits<double>::infinity();
    // Still report how full each zone would be with every replica's demand
    // spread nowhere: capacity only.
    return out;
  }

  out.plan.assignments.reserve(p.num_items);
  for (int i = 0; i < p.num_items; ++i) {
    int b = s.assignment[i];
    model::Assignment a;
    a.component = eco.components[ep.item_component[i]].name;
    a.replica = ep.item_replica[i];
    const model::Zone& z = topo.zones[ep.bin_zone[b]];
    a.zone = z.name;
    if (ep.bin_rack[b] >= 0) {
      const model::Rack& r = z.racks[ep.bin_rack[b]];
      a.rack = r.name;
      if (ep.bin_host[b] >= 0) a.host = r.hosts[ep.bin_host[b]].name;
    }
    ZoneUsage& u = out.zones[ep.bin_zone[b]];
    u.used =
        model::Add(u.used, Request(eco.components[ep.item_component[i]], o));
    ++u.replicas;
    out.plan.assignments.push_back(std::move(a));
  }
  for (auto& u : out.zones) {
    auto used = Units(u.used), cap = Units(u.capacity);
    for (int d = 0; d < kDims; ++d)
      u.utilisation[d] = cap[d] > 0 ? used[d] / cap[d] : 0.0;
  }

  Costs c = ComputeCosts(ep, s.assignment, eco, topo, o);
  out.costs = c.terms;
  out.objective = c.terms.total();
  out.cross_zone_proximity = c.cross_zone_proximity;

  // Split dependency pairs, highest proximity first. Zones per component
  // as sorted zone indices (names only for the split pairs): O(n + pairs).
  std::vector<std::vector<int>> comp_zones(eco.components.size());
  for (int i = 0; i < p.num_items; ++i) {
    std::vector<int>& zs = comp_zones[ep.item_component[i]];
    const int z = ep.bin_zone[s.assignment[i]];
    if (std::find(zs.begin(), zs.end(), z) == zs.end()) zs.push_back(z);
  }
  for (size_t pi = 0; pi < ep.pairs.size(); ++pi) {
    if (c.pair_cross_share[pi] <= 0) continue;
    const auto& pr = ep.pairs[pi];
    std::set<std::string> zs;
    for (int z : comp_zones[pr.a]) zs.insert(topo.zones[z].name);
    for (int z : comp_zones[pr.b]) zs.insert(topo.zones[z].name);
    SplitDependency sd;
    sd.from = eco.components[pr.a].name;
    sd.to = eco.components[pr.b].name;
    sd.zones.assign(zs.begin(), zs.end());
    sd.proximity = pr.proximity;
    sd.cross_zone_share = std::min(1.0, c.pair_cross_share[pi]);
    out.split_dependencies.push_back(std::move(sd));
  }
  std::stable_sort(out.split_dependencies.begin(), out.split_dependencies.end(),
                   [](const SplitDependency& x, const SplitDependency& y) {
                     return x.proximity * x.cross_zone_share >
                            y.proximity * y.cross_zone_share;
                   });

  // Binding constraints: nearly full zones first, then the solver's list.
  for (const auto& u : out.zones) {
    for (int d = 0; d < kDims; ++d) {
      if (u.utilisation[d] >= 0.9) {
        out.binding_constraints.push_back("capacity of zone " + u.zone + " " +
                                          kDimNames[d] + " at " +
                                          Pct(u.utilisation[d]));
      }
    }
  }
  for (const auto& b : s.binding_constraints)
    out.binding_constraints.push_back(b);

  if (current != nullptr) {
    // Compare replica by replica at the granularity the current plan gives
    // (a plan without racks only sees zone moves); the same result as
    // model::Diff, in O(n) with one hash lookup per component name instead
    // of sorting both plans by name.
    std::unordered_map<std::string_view, int> comp_index;
    comp_index.reserve(eco.components.size() * 2);
    for (size_t ci = 0; ci < eco.components.size(); ++ci)
      comp_index.emplace(eco.components[ci].name, static_cast<int>(ci));
    std::vector<uint8_t> matched(p.num_items, 0);
    auto item_of = [&](const model::Assignment& a) {
      auto it = comp_index.find(a.component);
      if (it == comp_index.end() || a.replica < 0) return -1;
      const int ci = it->second;
      const int first = ep.component_first_item[ci];
      const int i = first + a.replica;
      if (i >= p.num_items || ep.item_component[i] != ci ||
          ep.item_replica[i] != a.replica)
        return -1;
      return i;
    };
    int kept = 0;
    for (const auto& a : current->assignments) {
      const int i = item_of(a);
      if (i < 0 || matched[i]) {
        out.delta.removed.push_back(a);
        continue;
      }
      matched[i] = 1;
      const model::Assignment& now = out.plan.assignments[i];
      const bool same = a.zone == now.zone &&
                        (a.rack.empty() || a.rack == now.rack) &&
                        (a.host.empty() || a.host == now.host);
      if (same) {
        ++kept;
        continue;
      }
      out.delta.moves.push_back({a.component, a.replica, a.PlaceString(),
                                 now.PlaceString(), a.zone, now.zone});
    }
    for (int i = 0; i < p.num_items; ++i) {
      if (!matched[i]) out.delta.added.push_back(out.plan.assignments[i]);
    }
    auto by_key = [](const auto& x, const auto& y) {
      return std::tie(x.component, x.replica) <
             std::tie(y.component, y.replica);
    };
    std::sort(out.delta.moves.begin(), out.delta.moves.end(), by_key);
    std::sort(out.delta.added.begin(), out.delta.added.end(), by_key);
    std::sort(out.delta.removed.begin(), out.delta.removed.end(), by_key);
    out.kept = kept;
  }
  return out;
}

Result<EcosystemPlacement> EvaluateAssignment(
    const EcosystemProblem& ep, const std::vector<int>& assignment,
    const model::Ecosystem& eco, const model::Topology& topo,
    const model::PlacementPlan* current, const EcosystemOptions& o) {
  ECOTONE_ASSIGN_OR_RETURN(Evaluation ev, Evaluate(ep.problem, assignment));
  Solution s;
  s.assignment = assignment;
  s.cost = ev.cost;
  s.objective = ev.cost.total();
  s.bin_load = ev.bin_load;
  s.solver = "evaluate";
  s.status = SolveOutcome::kFeasible;
  EcosystemPlacement out = Interpret(ep, s, eco, topo, current, o);
  if (!ev.feasible()) {
    out.status = SolveOutcome::kInfeasible;
    std::string v;
    for (size_t i = 0; i < ev.violations.size() && i < 5; ++i)
      v += (i ? "; " : "") + ev.violations[i];
    if (ev.violations.size() > 5)
      v += "; and " + std::to_string(ev.violations.size() - 5) + " more";
    out.infeasible = v;
  }
  return out;
}

Result<EcosystemPlacement> PlaceEcosystem(const model::Ecosystem& eco,
                                          const model::Topology& topo,
                                          const model::PlacementPlan* current,
                                          const EcosystemOptions& o,
                                          const SolveOptions& solve,
                                          const std::string& solver) {
  ECOTONE_ASSIGN_OR_RETURN(EcosystemProblem ep,
                           BuildEcosystemProblem(eco, topo, current, o));
  SolveOptions so = solve;
  if (so.initial.empty() && !ep.problem.current_bin.empty()) {
    so.initial = ep.problem.current_bin;
    for (int& b : so.initial)
      if (b >= 0 && !ep.problem.BinAvailable(b)) b = -1;
  }
  ECOTONE_ASSIGN_OR_RETURN(Solution s, Solve(ep.problem, so, solver));
  return Interpret(ep, s, eco, topo, current, o);
}

std::vector<int> SpreadAssignment(const EcosystemProblem& ep) {
  const Problem& p = ep.problem;
  const int m = p.num_bins, D = p.num_dims;
  std::vector<double> load(static_cast<size_t>(m) * D, 0.0);
  int nz = 0;
  for (int z : ep.bin_zone) nz = std::max(nz, z + 1);
  std::vector<double> zone_alloc(nz, 0.0), zone_cap(nz, 0.0);
  for (int b = 0; b < m; ++b)
    if (p.BinAvailable(b))
      for (int d = 0; d < D; ++d) zone_cap[ep.bin_zone[b]] += p.Capacity(b, d);
  std::vector<int> asg(p.num_items, -1);
  std::vector<std::vector<int>> group_bins(p.groups.size());
  std::vector<char> forbidden_item(p.num_items, 0);
  for (const auto& f : p.forbidden) forbidden_item[f.item] = 1;
  auto fits = [&](int i, int b) {
    for (int d = 0; d < D; ++d)
      if (load[static_cast<size_t>(b) * D + d] + p.Demand(i, b, d) >
          p.Capacity(b, d) + 1e-9)
        return false;
    return true;
  };
  const size_t ncomp = ep.component_first_item.size() - 1;
  for (size_t c = 0; c < ncomp; ++c) {
    int first = ep.component_first_item[c],
        last = ep.component_first_item[c + 1];
    if (first == last) continue;
    const Group& g = p.groups[p.GroupOf(first)];
    std::vector<int> bins;
    if (g.allowed_bins.empty()) {
      for (int b = 0; b < m; ++b) bins.push_back(b);
    } else {
      bins = g.allowed_bins;
    }
    bins.erase(std::remove_if(bins.begin(), bins.end(),
                              [&](int b) { return !p.BinAvailable(b); }),
               bins.end());
    if (forbidden_item[first]) bins.clear();
    std::vector<int> per_zone(nz, 0);
    std::vector<int> per_bin(m, 0);
    for (int i = first; i < last; ++i) {
      // Topology spread: the zone with the fewest replicas of this
      // component, then the least allocated zone; within it, the least
      // allocated bin that fits (NodeResourcesFit LeastAllocated).
      int best = -1;
      auto score = [&](int b) {
        double used = 0, cap = 0;
        for (int d = 0; d < D; ++d) {
          used += load[static_cast<size_t>(b) * D + d];
          cap += p.Capacity(b, d);
        }
        int z = ep.bin_zone[b];
        return std::make_tuple(
            per_zone[z], zone_cap[z] > 0 ? zone_alloc[z] / zone_cap[z] : 1.0,
            per_bin[b], cap > 0 ? used / cap : 1.0, b);
      };
      for (int b : bins)
        if (fits(i, b) && (best < 0 || score(b) < score(best))) best = b;
      if (best < 0)
        for (int b : bins)
          if (best < 0 || score(b) < score(best)) best = b;
      if (best < 0) continue;
      asg[i] = best;
      ++per_zone[ep.bin_zone[best]];
      ++per_bin[best];
      for (int d = 0; d < D; ++d) {
        load[static_cast<size_t>(best) * D + d] += p.Demand(i, best, d);
        zone_alloc[ep.bin_zone[best]] += p.Demand(i, best, d);
      }
    }
  }
  return asg;
}

}  // namespace ecotone::placement
