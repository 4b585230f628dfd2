// `ecotone analyze --output dot|svg`: a Graphviz digraph a person can read.
#include <cstdio>
#include <set>
#include <string>

#include "ecotone/model/units.h"
#include "output_analyze.h"

namespace ecotone::cli {
namespace {

// A dot double-quoted string.
std::string Quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q += c;
  }
  return q + "\"";
}

struct KindStyle {
  const char* fill;
  const char* shape;
};

KindStyle StyleOf(model::ComponentKind k) {
  switch (k) {
    case model::ComponentKind::kContainer:
      return {"#a6cee3", "box"};
    case model::ComponentKind::kVm:
      return {"#cab2d6", "box3d"};
    case model::ComponentKind::kDatabase:
      return {"#fdbf6f", "cylinder"};
    case model::ComponentKind::kQueue:
      return {"#b2df8a", "cds"};
    case model::ComponentKind::kCache:
      return {"#fb9a99", "cylinder"};
    case model::ComponentKind::kGateway:
      return {"#ffff99", "hexagon"};
    case model::ComponentKind::kFunction:
      return {"#e0e0e0", "ellipse"};
    case model::ComponentKind::kStorage:
      return {"#d9b38c", "folder"};
  }
  return {"#ffffff", "box"};
}

std::string Rate(double rps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g rps", rps);
  return buf;
}

}  // namespace

void WriteAnalyzeDot(std::ostream& out, const AnalyzeReport& r) {
  const auto& m = *r.map;
  const auto& eco = m.ecosystem();
  std::string title = eco.name.empty() ? "ecosystem" : eco.name;
  if (!eco.version.empty()) title += " " + eco.version;
  out << "digraph " << Quote(title) << " {\n"
      << "  graph [rankdir=LR, fontname=\"Helvetica\", label=" << Quote(title)
      << ", labelloc=t];\n"
      << "  node [style=filled, fontname=\"Helvetica\", fontsize=11];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::set<model::ComponentKind> used;
  for (graph::NodeId v = 0; v < m.component_count(); ++v) {
    const auto& c = m.component(v);
    used.insert(c.kind);
    KindStyle st = StyleOf(c.kind);
    std::string label =
        c.name + "\n" + std::string(model::ComponentKindName(c.kind));
    if (c.replicas.initial != 1)
      label += " x" + std::to_string(c.replicas.initial);
    if (!c.version.empty()) label += "\n" + c.version;
    out << "  " << Quote(c.name) << " [shape=" << st.shape << ", fillcolor=\""
        << st.fill << "\", label=" << Quote(label) << "];\n";
  }
  for (graph::EdgeId e = 0; e < m.edge_count(); ++e) {
    const auto& ed = m.edge(e);
    const auto& d = m.dependency(e);
    std::string label;
    if (d.kind != model::DependencyKind::kHttp)
      label = std::string(model::DependencyKindName(d.kind));
    auto add = [&](const std::string& s) {
      label += (label.empty() ? "" : "\n") + s;
    };
    if (d.traffic_rps > 0) add(Rate(d.traffic_rps));
    if (d.latency_budget_us > 0)
      add(model::FormatDuration(d.latency_budget_us));
    std::string style;
    if (d.kind == model::DependencyKind::kStartOrder)
      style = "style=dashed, color=\"#777777\"";
    else if (d.criticality == model::Criticality::kHard)
      style = "style=bold";
    else
      style = "style=dotted";
    out << "  " << Quote(m.component(ed.from).name) << " -> "
        << Quote(m.component(ed.to).name) << " [" << style;
    if (!label.empty()) out << ", label=" << Quote(label);
    out << "];\n";
  }
  // A legend of the kinds present.
  out << "  subgraph cluster_legend {\n    label=\"kinds\"; fontsize=10; "
         "color=\"#bbbbbb\";\n";
  for (model::ComponentKind k : used) {
    KindStyle st = StyleOf(k);
    std::string kn(model::ComponentKindName(k));
    out << "    " << Quote("legend:" + kn) << " [shape=" << st.shape
        << ", fillcolor=\"" << st.fill << "\", label=" << Quote(kn)
        << ", fontsize=9];\n";
  }
  out << "  }\n}\n";
}

}  // namespace ecotone::cli
