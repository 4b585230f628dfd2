#include "sim_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "ecotone/adapters/event_json.h"
#include "ecotone/engine/baseline_policy.h"
#include "ecotone/engine/ecotone_policy.h"

namespace ecotone::cli {

using nlohmann::ordered_json;

Result<std::unique_ptr<engine::Policy>> MakePolicy(std::string_view name) {
  if (name == "baseline") return engine::MakeBaselinePolicy();
  if (name == "ecotone") return engine::MakeEcotonePolicy();
  return Status::InvalidArgument("unknown policy '" + std::string(name) +
                                 "' (known: ecotone, baseline)");
}

namespace {

ordered_json Pct(const sim::Percentiles& p, bool p95 = true) {
  ordered_json j;
  j["p50"] = p.p50;
  if (p95) j["p95"] = p.p95;
  j["p99"] = p.p99;
  if (!p95) j["max"] = p.max;
  return j;
}

std::string F(double v, int prec) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(prec) << v;
  return os.str();
}

std::string Recovery(const sim::Summary& s) {
  if (s.recoveries.empty()) return "-";
  double worst = 0;
  for (const auto& r : s.recoveries) {
    if (r.recovery_s < 0) return "not recovered";
    worst = std::max(worst, r.recovery_s);
  }
  return F(worst, 0) + " s";
}

}  // namespace

ordered_json SummaryJson(const sim::Summary& s) {
  ordered_json j;
  j["scenario"] = s.scenario;
  j["policy"] = s.policy;
  j["seed"] = s.seed;
  j["simulated_hours"] = s.simulated_hours;
  j["availability"] = s.availability;
  j["slo_violation_minutes"] = s.slo_violation_minutes;
  j["latency_ms"] = Pct(s.latency_ms);
  j["cost"] = s.cost;
  j["migrations"] = s.migrations;
  j["scale_actions"] = s.scale_actions;
  j["isolations"] = s.isolations;
  j["rollbacks"] = s.rollbacks;
  j["rolling_updates"] = s.rolling_updates;
  j["recovers"] = s.recovers;
  j["actions"] = s.actions;
  j["rejected_actions"] = s.rejected_actions;
  j["events"] = s.events;
  j["releases"] = s.releases;
  j["compromised_minutes"] = s.compromised_minutes;
  j["bad_version_minutes"] = s.bad_version_minutes;
  ordered_json rec = ordered_json::array();
  for (const auto& r : s.recoveries) {
    ordered_json x;
    x["target"] = r.target;
    x["at_s"] = r.at_s;
    if (r.recovery_s >= 0) x["recovery_s"] = r.recovery_s;
    else x["recovery_s"] = nullptr;
    rec.push_back(std::move(x));
  }
  j["recoveries"] = std::move(rec);
  ordered_json entries = ordered_json::array();
  for (const auto& e : s.entries) {
    ordered_json x;
    x["entry"] = e.entry;
    x["availability"] = e.availability;
    x["slo_violation_minutes"] = e.slo_violation_minutes;
    x["latency_ms"] = Pct(e.latency_ms);
    entries.push_back(std::move(x));
  }
  j["entry_points"] = std::move(entries);
  j["decision_latency_ms"] = Pct(s.decision_latency_ms, false);
  j["wall_seconds"] = s.wall_seconds;
  return j;
}

void PrintSummaryText(const sim::Summary& s, std::ostream& os) {
  os << "scenario " << s.scenario << " (seed " << s.seed << ", " << F(s.simulated_hours, 1)
     << " h simulated), policy " << s.policy << "\n";
  os << "  availability          " << F(s.availability * 100, 4) << "%\n";
  os << "  SLO violation minutes " << F(s.slo_violation_minutes, 2) << "\n";
  os << "  latency ms            p50 " << F(s.latency_ms.p50, 1) << ", p95 "
     << F(s.latency_ms.p95, 1) << ", p99 " << F(s.latency_ms.p99, 1) << "\n";
  os << "  cost                  " << F(s.cost, 2) << "\n";
  os << "  actions               " << s.actions << " (migrations " << s.migrations << ", scale "
     << s.scale_actions << ", isolations " << s.isolations << ", rolling updates "
     << s.rolling_updates << ", rollbacks " << s.rollbacks << ", rejected "
     << s.rejected_actions << ")\n";
  os << "  compromised minutes   " << F(s.compromised_minutes, 1) << ", bad version minutes "
     << F(s.bad_version_minutes, 1) << "\n";
  for (const auto& r : s.recoveries)
    os << "  recovery              " << r.target << " failed at " << F(r.at_s / 3600, 2)
       << " h: " << (r.recovery_s < 0 ? "not recovered" : F(r.recovery_s, 0) + " s") << "\n";
  for (const auto& e : s.entries)
    os << "  entry " << e.entry << ": availability " << F(e.availability * 100, 4)
       << "%, SLO violation minutes " << F(e.slo_violation_minutes, 2) << ", p99 "
       << F(e.latency_ms.p99, 1) << " ms\n";
  os << "  decision latency ms   p50 " << F(s.decision_latency_ms.p50, 3) << ", p99 "
     << F(s.decision_latency_ms.p99, 3) << ", max "
     << F(s.decision_latency_ms.max, 3) << " (wall " << F(s.wall_seconds, 2) << " s)\n";
}

void PrintComparison(const std::vector<const sim::Summary*>& runs, std::ostream& os) {
  auto row = [&](const std::string& name, auto get) {
    os << "  " << std::left << std::setw(26) << name;
    for (const auto* s : runs) os << std::right << std::setw(16) << get(*s);
    os << "\n";
  };
  os << "  " << std::left << std::setw(26) << "";
  for (const auto* s : runs) os << std::right << std::setw(16) << s->policy;
  os << "\n";
  row("availability", [](const sim::Summary& s) { return F(s.availability * 100, 4) + "%"; });
  row("SLO violation minutes", [](const sim::Summary& s) { return F(s.slo_violation_minutes, 2); });
  row("latency p99 ms", [](const sim::Summary& s) { return F(s.latency_ms.p99, 1); });
  row("cost", [](const sim::Summary& s) { return F(s.cost, 2); });
  row("zone/host recovery (worst)", [](const sim::Summary& s) { return Recovery(s); });
  row("migrations", [](const sim::Summary& s) { return std::to_string(s.migrations); });
  row("scale actions", [](const sim::Summary& s) { return std::to_string(s.scale_actions); });
  row("isolations", [](const sim::Summary& s) { return std::to_string(s.isolations); });
  row("rollbacks", [](const sim::Summary& s) { return std::to_string(s.rollbacks); });
  row("compromised minutes", [](const sim::Summary& s) { return F(s.compromised_minutes, 1); });
  row("bad version minutes", [](const sim::Summary& s) { return F(s.bad_version_minutes, 1); });
  row("decision p50 ms", [](const sim::Summary& s) { return F(s.decision_latency_ms.p50, 3); });
  row("decision p99 ms", [](const sim::Summary& s) { return F(s.decision_latency_ms.p99, 3); });
  row("decision max ms", [](const sim::Summary& s) { return F(s.decision_latency_ms.max, 3); });
}

void TimelineWriter::Attach(const std::string& policy, sim::SimOptions* options) {
  std::ostream* os = os_;
  options->on_event = [os, policy](const model::Event& e) {
    ordered_json j;
    j["type"] = "event";
    j["policy"] = policy;
    j["event"] = adapters::ToJson(e);
    *os << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  };
  options->on_action = [os, policy](const model::Action& a, const Status& st) {
    ordered_json j;
    j["type"] = "action";
    j["policy"] = policy;
    j["applied"] = st.ok();
    if (!st.ok()) j["error"] = st.ToString();
    j["action"] = adapters::ToJson(a);
    *os << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  };
}

void TimelineWriter::WriteSamples(const std::string& policy,
                                  const std::vector<sim::Sample>& samples) {
  for (const auto& s : samples) {
    ordered_json j;
    j["type"] = "sample";
    j["policy"] = policy;
    j["t_s"] = s.t_s;
    j["load_rps"] = s.load_rps;
    j["replicas"] = s.replicas;
    j["serving"] = s.serving;
    j["availability"] = s.availability;
    j["latency_ms"] = s.latency_ms;
    j["zone_state"] = s.zone_state;
    *os_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

// ---------------------------------------------------------------- SVG
namespace {

const char* kPolicyColour[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

std::string Esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

const char* StateColour(int st) {
  switch (static_cast<model::CapacityState>(st)) {
    case model::CapacityState::kHealthy: return "#8fd18f";
    case model::CapacityState::kDegraded: return "#f2c14e";
    case model::CapacityState::kFailed: return "#d62728";
    case model::CapacityState::kDraining: return "#ff9f40";
    case model::CapacityState::kQuarantined: return "#9467bd";
  }
  return "#cccccc";
}

}  // namespace

std::string TimelineSvg(const sim::World& world,
                        const std::vector<std::pair<std::string, const sim::RunResult*>>& runs) {
  const double W = 1200, left = 150, right = 20, plot_w = W - left - right;
  const size_t Z = world.topology.zones.size();
  const double panel_h = 110, gap = 30;
  const double zone_h = 16;
  const double action_row_h = 18;
  const double H = 40 + 3 * (panel_h + gap) + Z * zone_h + gap + runs.size() * action_row_h + 60;
  const double total_s = world.steps * (world.scenario.interval_us / 1e6);
  std::ostringstream o;
  o << std::fixed << std::setprecision(1);
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << left << "\" y=\"22\" font-size=\"16\">" << Esc(world.scenario.name)
    << ": load, replicas, availability, zone health and actions</text>\n";
  auto X = [&](double t_s) { return left + plot_w * (total_s > 0 ? t_s / total_s : 0); };
  // Day grid.
  const double top_all = 40, bottom_all = H - 50;
  for (double d = 0; d < total_s; d += 86400) {
    o << "<line x1=\"" << X(d) << "\" y1=\"" << top_all << "\" x2=\"" << X(d) << "\" y2=\""
      << bottom_all << "\" stroke=\"#eeeeee\"/>\n";
    o << "<text x=\"" << X(d) + 2 << "\" y=\"" << bottom_all + 14 << "\" fill=\"#666\">day "
      << static_cast<int>(d / 86400) << "</text>\n";
  }
  // Downsampled polyline of one value per sample; `agg` picks within a bucket.
  const size_t buckets = static_cast<size_t>(plot_w);
  auto series = [&](const std::vector<sim::Sample>& ss, auto value, bool take_min) {
    std::vector<std::pair<double, double>> pts;
    if (ss.empty()) return pts;
    size_t per = std::max<size_t>(1, ss.size() / buckets);
    for (size_t i = 0; i < ss.size(); i += per) {
      double v = value(ss[i]);
      for (size_t j = i; j < std::min(ss.size(), i + per); ++j)
        v = take_min ? std::min(v, value(ss[j])) : std::max(v, value(ss[j]));
      pts.emplace_back(ss[i].t_s, v);
    }
    return pts;
  };
  auto panel = [&](double top, const std::string& title, double lo, double hi,
                   const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& lines,
                   const std::string& fmt_lo, const std::string& fmt_hi) {
    o << "<text x=\"10\" y=\"" << top + 14 << "\">" << Esc(title) << "</text>\n";
    o << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\""
      << panel_h << "\" fill=\"none\" stroke=\"#999\"/>\n";
    o << "<text x=\"" << left - 4 << "\" y=\"" << top + 10 << "\" text-anchor=\"end\" fill=\"#666\">"
      << fmt_hi << "</text>\n";
    o << "<text x=\"" << left - 4 << "\" y=\"" << top + panel_h << "\" text-anchor=\"end\" fill=\"#666\">"
      << fmt_lo << "</text>\n";
    int li = 0;
    for (const auto& [name, pts] : lines) {
      o << "<polyline fill=\"none\" stroke-width=\"1.2\" stroke=\"" << kPolicyColour[li % 4]
        << "\" points=\"";
      for (const auto& [t, v] : pts) {
        double y = top + panel_h - panel_h * std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
        o << X(t) << "," << y << " ";
      }
      o << "\"><title>" << Esc(name) << "</title></polyline>\n";
      o << "<text x=\"" << left + 10 + 240 * li << "\" y=\"" << top + panel_h + 14 << "\" fill=\""
        << kPolicyColour[li % 4] << "\">" << Esc(name) << "</text>\n";
      ++li;
    }
  };
  double top = 40;
  // Load.
  {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> lines;
    double hi = 1;
    if (!runs.empty()) {
      auto pts = series(runs[0].second->samples, [](const sim::Sample& s) { return s.load_rps; }, false);
      for (const auto& p : pts) hi = std::max(hi, p.second);
      lines.emplace_back("offered load (requests/s)", std::move(pts));
    }
    panel(top, "load (req/s)", 0, hi * 1.05, lines, "0", F(hi, 0));
    top += panel_h + gap;
  }
  // Replicas.
  {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> lines;
    double hi = 1;
    for (const auto& [name, r] : runs) {
      auto pts = series(r->samples, [](const sim::Sample& s) { return double(s.serving); }, false);
      for (const auto& p : pts) hi = std::max(hi, p.second);
      lines.emplace_back(name + " serving replicas", std::move(pts));
    }
    panel(top, "serving replicas", 0, hi * 1.05, lines, "0", F(hi, 0));
    top += panel_h + gap;
  }
  // Availability (worst in each bucket), 90%..100%.
  {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> lines;
    for (const auto& [name, r] : runs)
      lines.emplace_back(name + " availability",
                         series(r->samples, [](const sim::Sample& s) { return s.availability; }, true));
    panel(top, "availability", 0.9, 1.0, lines, "90%", "100%");
    top += panel_h + gap;
  }
  // Zone health (from the first run; hardware events are the same for all).
  if (!runs.empty()) {
    const auto& ss = runs[0].second->samples;
    for (size_t z = 0; z < Z; ++z) {
      double y = top + z * zone_h;
      o << "<text x=\"10\" y=\"" << y + 12 << "\">zone " << Esc(world.topology.zones[z].name)
        << "</text>\n";
      size_t i = 0;
      while (i < ss.size()) {
        int st = z < ss[i].zone_state.size() ? ss[i].zone_state[z] : 0;
        size_t j = i;
        while (j < ss.size() && (z < ss[j].zone_state.size() ? ss[j].zone_state[z] : 0) == st) ++j;
        double t1 = j < ss.size() ? ss[j].t_s : total_s;
        o << "<rect x=\"" << X(ss[i].t_s) << "\" y=\"" << y << "\" width=\""
          << std::max(0.5, X(t1) - X(ss[i].t_s)) << "\" height=\"" << zone_h - 3 << "\" fill=\""
          << StateColour(st) << "\"><title>"
          << model::CapacityStateName(static_cast<model::CapacityState>(st)) << "</title></rect>\n";
        i = j;
      }
    }
    top += Z * zone_h + gap;
  }
  // Actions: one tick per action (not scale: those are the replica line).
  const double T0 = world.scenario.start_unix * 1e6;
  int li = 0;
  for (const auto& [name, r] : runs) {
    double y = top + li * action_row_h;
    o << "<text x=\"10\" y=\"" << y + 12 << "\" fill=\"" << kPolicyColour[li % 4] << "\">"
      << Esc(name) << " actions</text>\n";
    for (const auto& a : r->actions) {
      double t = (a.time_us - T0) / 1e6;
      const char* c = "#444";
      switch (a.kind) {
        case model::ActionKind::kMigrate: case model::ActionKind::kRecover: c = "#1f77b4"; break;
        case model::ActionKind::kScale: c = "#bbbbbb"; break;
        case model::ActionKind::kIsolate: case model::ActionKind::kRelease: c = "#9467bd"; break;
        case model::ActionKind::kRollingUpdate: c = "#ff7f0e"; break;
        case model::ActionKind::kRollback: c = "#d62728"; break;
      }
      o << "<line x1=\"" << X(t) << "\" y1=\"" << y << "\" x2=\"" << X(t) << "\" y2=\""
        << y + action_row_h - 4 << "\" stroke=\"" << c << "\"><title>" << Esc(a.Describe())
        << "</title></line>\n";
    }
    ++li;
  }
  o << "<text x=\"" << left << "\" y=\"" << H - 12 << "\" fill=\"#666\">actions: "
    << "<tspan fill=\"#1f77b4\">migrate</tspan> <tspan fill=\"#bbbbbb\">scale</tspan> "
    << "<tspan fill=\"#9467bd\">isolate</tspan> <tspan fill=\"#ff7f0e\">rolling update</tspan> "
    << "<tspan fill=\"#d62728\">rollback</tspan>; zones: <tspan fill=\"#8fd18f\">healthy</tspan> "
    << "<tspan fill=\"#d62728\">failed</tspan> <tspan fill=\"#f2c14e\">degraded</tspan> "
    << "<tspan fill=\"#ff9f40\">draining</tspan></text>\n";
  o << "</svg>\n";
  return o.str();
}

}  // namespace ecotone::cli
