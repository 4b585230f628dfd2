// `ecotone analyze --output json`. The document is written element by
// element: building one nlohmann::json for 10^5 components would hold every
// string twice and cost several hundred MB.
#include <algorithm>

#include "ecotone/jsonio/ecosystem_json.h"
#include "output_analyze.h"

namespace ecotone::cli {

using jsonio::Dump;
using jsonio::ToJson;

using nlohmann::json;

int ErrorCount(const std::vector<model::Problem>& problems) {
  return static_cast<int>(std::count_if(
      problems.begin(), problems.end(), [](const model::Problem& p) {
        return p.severity == model::Severity::kError;
      }));
}

namespace {

json Names(const graph::EcosystemMap& m,
           const std::vector<graph::NodeId>& ids) {
  json a = json::array();
  for (graph::NodeId v : ids) a.push_back(m.component(v).name);
  return a;
}

// Writes `[` elements `]` with one element per call of `item(i)`.
template <typename F>
void WriteArray(std::ostream& out, size_t n, F item) {
  out << '[';
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out << ',';
    out << "\n  " << Dump(item(i));
  }
  out << (n > 0 ? "\n]" : "]");
}

json Extremes(const graph::EcosystemMap& m, bool fan_in, int top) {
  std::vector<graph::NodeId> ids(m.component_count());
  for (graph::NodeId v = 0; v < m.component_count(); ++v) ids[v] = v;
  auto deg = [&](graph::NodeId v) {
    return fan_in ? m.in_degree(v) : m.out_degree(v);
  };
  const size_t k = std::min<size_t>(ids.size(), top);
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                    [&](graph::NodeId a, graph::NodeId b) {
                      return deg(a) != deg(b) ? deg(a) > deg(b) : a < b;
                    });
  json a = json::array();
  for (size_t i = 0; i < k; ++i)
    a.push_back(
        {{"component", m.component(ids[i]).name}, {"degree", deg(ids[i])}});
  return a;
}

json AnalysisJson(const AnalyzeReport& r) {
  const auto& m = *r.map;
  const auto& a = *r.analysis;
  json j;
  j["start_order"] = Names(m, a.start_order.order);
  json waves = json::array();
  for (graph::NodeId v : a.start_order.order) {
    int w = a.start_order.wave[v];
    while (static_cast<int>(waves.size()) <= w) waves.push_back(json::array());
    waves[w].push_back(m.component(v).name);
  }
  j["start_waves"] = std::move(waves);
  j["start_blocked"] = Names(m, a.start_order.blocked);
  json cycles = json::array();
  for (const auto& c : a.cycles)
    cycles.push_back({{"kind", graph::CycleKindName(c.kind)},
                      {"members", Names(m, c.members)},
                      {"path", Names(m, c.path)}});
  j["cycles"] = std::move(cycles);
  j["orphans"] = Names(m, a.orphans);
  j["entry_points"] = Names(m, a.entry_points);
  // Critical paths: violations first, then by budget sum and length; at most
  // 100 (every violation is also a problem).
  std::vector<const graph::CriticalPath*> paths;
  for (const auto& p : a.critical_paths) paths.push_back(&p);
  std::stable_sort(paths.begin(), paths.end(), [](auto* x, auto* y) {
    if (x->ok != y->ok) return !x->ok;
    if (x->latency_budget_us != y->latency_budget_us)
      return x->latency_budget_us > y->latency_budget_us;
    return x->path.size() > y->path.size();
  });
  json cp = json::array();
  for (size_t i = 0; i < paths.size() && i < 100; ++i) {
    const auto& p = *paths[i];
    cp.push_back({{"entry", m.component(p.entry).name},
                  {"path", Names(m, p.path)},
                  {"latency_budget_us", p.latency_budget_us},
                  {"slo_us", p.slo_us},
                  {"ok", p.ok},
                  {"through_cycle", p.through_cycle}});
  }
  j["critical_paths"] = std::move(cp);
  j["critical_paths_total"] = a.critical_paths.size();
  json impact = json::array();
  for (const auto& t : a.top_impact)
    impact.push_back({{"component", m.component(t.id).name},
                      {"dependents", t.size},
                      {"hard_dependents", t.hard_size}});
  j["impact"] = std::move(impact);
  if (!r.impacts.empty()) {
    json sets = json::array();
    for (const auto& s : r.impacts)
      sets.push_back({{"component", m.component(s.id).name},
                      {"dependents", Names(m, s.all)},
                      {"hard_dependents", Names(m, s.hard)}});
    j["impact_sets"] = std::move(sets);
  }
  j["fan_in"] = Extremes(m, true, 10);
  j["fan_out"] = Extremes(m, false, 10);
  j["proximity_pairs"] = a.proximity.pairs.size();
  return j;
}

}  // namespace

void WriteAnalyzeJson(std::ostream& out, const AnalyzeReport& r) {
  const auto& eco = r.map->ecosystem();
  const auto& m = *r.map;
  json head = {{"name", eco.name},
               {"version", eco.version},
               {"format", eco.source_format},
               {"files", eco.source_files}};
  out << "{\"ecosystem\":" << Dump(head) << ",\n\"summary\":"
      << json{{"components", m.component_count()},
              {"dependencies", eco.dependencies.size()},
              {"edges", m.edge_count()},
              {"errors", ErrorCount(r.problems)},
              {"problems", r.problems.size()}}
             .dump()  // numbers only
      << ",\n\"components\":";
  WriteArray(out, m.component_count(), [&](size_t i) {
    json c = ToJson(eco.components[i]);
    c["in_degree"] = m.in_degree(static_cast<graph::NodeId>(i));
    c["out_degree"] = m.out_degree(static_cast<graph::NodeId>(i));
    return c;
  });
  // Proximity per dependency: dangling dependencies have no edge (null).
  std::vector<double> prox(eco.dependencies.size(), -1);
  for (graph::EdgeId e = 0; e < m.edge_count(); ++e) {
    int32_t pair = r.analysis->proximity.edge_pair[e];
    prox[m.edge(e).dependency] =
        pair >= 0 ? r.analysis->proximity.pairs[pair].weight : 0.0;
  }
  out << ",\n\"dependencies\":";
  WriteArray(out, eco.dependencies.size(), [&](size_t i) {
    json d = ToJson(eco.dependencies[i]);
    d["proximity"] = prox[i] < 0 ? json(nullptr) : json(prox[i]);
    return d;
  });
  out << ",\n\"problems\":";
  WriteArray(out, r.problems.size(),
             [&](size_t i) { return ToJson(r.problems[i]); });
  out << ",\n\"skipped\":";
  WriteArray(out, r.load->skipped.size(),
             [&](size_t i) { return ToJson(r.load->skipped[i]); });
  out << ",\n\"analysis\":" << Dump(AnalysisJson(r)) << "}\n";
}

}  // namespace ecotone::cli
