// `ecotone analyze --output text`: summary, component table, analysis and
// problems, for people.
#include <algorithm>
#include <map>
#include <string>

#include "ecotone/model/units.h"
#include "output_analyze.h"

namespace ecotone::cli {
namespace {

std::string Names(const graph::EcosystemMap& m,
                  const std::vector<graph::NodeId>& ids, const char* sep,
                  size_t limit = 20) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < limit; ++i) {
    if (i > 0) s += sep;
    s += m.component(ids[i]).name;
  }
  if (ids.size() > limit)
    s += std::string(sep) + "... (" + std::to_string(ids.size() - limit) +
         " more)";
  return s;
}

std::string Pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::string Human(int64_t v, std::string (*fmt)(int64_t)) {
  return v == 0 ? "-" : fmt(v);
}

}  // namespace

std::string ProblemLine(const model::Problem& p) {
  std::string loc = p.where.ToString();
  std::string s = loc.empty() ? "" : loc + ": ";
  s += p.message;
  if (!p.code.empty()) s += " [" + p.code + "]";
  return s;
}

void WriteAnalyzeText(std::ostream& out, const AnalyzeReport& r) {
  const auto& m = *r.map;
  const auto& a = *r.analysis;
  const auto& eco = m.ecosystem();
  out << "Ecosystem " << (eco.name.empty() ? "(unnamed)" : eco.name);
  if (!eco.version.empty()) out << " version " << eco.version;
  out << " (" << eco.source_format;
  for (size_t i = 0; i < eco.source_files.size(); ++i)
    out << (i == 0 ? ": " : ", ") << eco.source_files[i];
  out << ")\n";
  int inferred = 0;
  for (const auto& d : eco.dependencies) inferred += d.inferred;
  std::map<std::string, int> kinds;
  for (const auto& c : eco.components)
    ++kinds[std::string(model::ComponentKindName(c.kind))];
  out << m.component_count() << " components";
  if (!kinds.empty()) {
    out << " (";
    bool first = true;
    for (const auto& [k, n] : kinds) {
      out << (first ? "" : ", ") << n << " " << k;
      first = false;
    }
    out << ")";
  }
  out << ", " << eco.dependencies.size() << " dependencies (" << inferred
      << " inferred), " << a.cycles.size() << " cycles, "
      << a.entry_points.size() << " entry points, " << a.orphans.size()
      << " orphans\n\n";

  // The table: widths from the content.
  const std::vector<std::string> head = {
      "NAME", "KIND", "REPLICAS", "CPU", "MEMORY", "IN", "OUT", "VERSION"};
  std::vector<std::vector<std::string>> rows;
  rows.reserve(m.component_count());
  for (graph::NodeId v = 0; v < m.component_count(); ++v) {
    const auto& c = m.component(v);
    std::string rep = std::to_string(c.replicas.initial);
    if (c.replicas.min != c.replicas.initial ||
        c.replicas.max != c.replicas.initial)
      rep += " (" + std::to_string(c.replicas.min) + "-" +
             std::to_string(c.replicas.max) + ")";
    rows.push_back({c.name, std::string(model::ComponentKindName(c.kind)), rep,
                    Human(c.requests.cpu_millicores, &model::FormatCpu),
                    Human(c.requests.memory_bytes, &model::FormatBytes),
                    std::to_string(m.in_degree(v)),
                    std::to_string(m.out_degree(v)),
                    c.version.empty() ? "-" : c.version});
  }
  std::vector<size_t> w(head.size());
  for (size_t k = 0; k < head.size(); ++k) w[k] = head[k].size();
  for (const auto& row : rows)
    for (size_t k = 0; k < row.size(); ++k)
      w[k] = std::max(w[k], row[k].size());
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t k = 0; k < row.size(); ++k)
      s += k + 1 == row.size() ? row[k] : Pad(row[k], w[k] + 2);
    out << s << "\n";
  };
  line(head);
  for (const auto& row : rows) line(row);

  out << "\nStart order (dependencies first):\n";
  int max_wave = -1;
  for (graph::NodeId v : a.start_order.order)
    max_wave = std::max(max_wave, a.start_order.wave[v]);
  std::vector<std::vector<graph::NodeId>> waves(max_wave + 1);
  for (graph::NodeId v : a.start_order.order)
    waves[a.start_order.wave[v]].push_back(v);
  for (size_t i = 0; i < waves.size() && i < 50; ++i)
    out << "  " << i + 1 << ": " << Names(m, waves[i], " ") << "\n";
  if (waves.size() > 50)
    out << "  ... (" << waves.size() - 50 << " more waves)\n";
  if (!a.start_order.blocked.empty())
    out << "  blocked by cycles: " << Names(m, a.start_order.blocked, " ")
        << "\n";

  if (!a.cycles.empty()) {
    out << "\nCycles:\n";
    for (const auto& c : a.cycles)
      out << "  " << graph::CycleKindName(c.kind) << ": "
          << Names(m, c.path, " -> ") << "\n";
  }
  bool any_budget = false;
  for (const auto& p : a.critical_paths)
    any_budget |= p.latency_budget_us > 0 || p.slo_us > 0;
  if (any_budget) {
    out << "\nCritical latency paths:\n";
    for (const auto& p : a.critical_paths) {
      if (p.latency_budget_us == 0 && p.slo_us == 0) continue;
      out << "  " << Names(m, p.path, " -> ") << "  "
          << model::FormatDuration(p.latency_budget_us);
      if (p.slo_us > 0)
        out << " / SLO " << model::FormatDuration(p.slo_us)
            << (p.ok ? " ok" : " EXCEEDED");
      out << "\n";
    }
  }
  if (!a.top_impact.empty() && a.top_impact[0].size > 0) {
    out << "\nLargest impact (what breaks if it fails):\n";
    for (const auto& t : a.top_impact) {
      if (t.size == 0) break;
      out << "  " << m.component(t.id).name << ": " << t.size << " dependents ("
          << t.hard_size << " hard)\n";
    }
  }
  for (const auto& s : r.impacts) {
    out << "\nImpact of " << m.component(s.id).name << " failing:\n"
        << "  all dependents (" << s.all.size()
        << "): " << Names(m, s.all, " ", 1000) << "\n  hard dependents ("
        << s.hard.size() << "): " << Names(m, s.hard, " ", 1000) << "\n";
  }
  if (!r.load->skipped.empty()) {
    out << "\nSkipped objects (" << r.load->skipped.size() << "):\n";
    for (const auto& s : r.load->skipped)
      out << "  " << s.where.ToString() << ": " << s.kind << " " << s.name
          << ": " << s.reason << "\n";
  }
  int counts[3] = {0, 0, 0};
  for (const auto& p : r.problems) ++counts[static_cast<int>(p.severity)];
  out << "\nProblems: " << counts[0] << " errors, " << counts[1]
      << " warnings, " << counts[2] << " notes\n";
  for (int sev = 0; sev < 3; ++sev)
    for (const auto& p : r.problems)
      if (static_cast<int>(p.severity) == sev)
        out << "  " << Pad(std::string(model::SeverityName(p.severity)), 8)
            << ProblemLine(p) << "\n";
}

}  // namespace ecotone::cli
