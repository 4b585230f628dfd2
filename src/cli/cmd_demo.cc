// `ecotone demo [--out DIR] [--examples DIR]`: the main job end to end with
// no setup, on the bundled examples: analyse the Online Boutique manifest,
// forecast a bundled trace, place the ecosystem into three zones, then
// simulate the bundled week with Ecotone and the baseline side by side and
// tell what happened, what Ecotone did and why (from the actions'
// explanations), with the comparison table and an SVG timeline
// (docs/simulate.md, "ecotone demo").
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include <unistd.h>

#include "cli.h"
#include "ecotone/forecast/forecast.h"
#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/history/history.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "ecotone/sim/sim.h"
#include "sim_report.h"

#ifndef ECOTONE_EXAMPLES_DIR
#define ECOTONE_EXAMPLES_DIR "examples"
#endif

namespace ecotone::cli {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
  std::string out = "ecotone-demo";
  std::string examples;
};

constexpr const char* kScenario = "scenarios/boutique-week.yaml";
constexpr const char* kTrace = "traces/nyc_taxi.csv";

// The examples directory: --examples, ./examples, <binary>/../examples, or
// the source tree the binary was built from.
std::string FindExamples(const std::string& given) {
  if (!given.empty()) return given;
  std::vector<fs::path> tries = {"examples"};
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) tries.push_back(self.parent_path().parent_path() / "examples");
  tries.push_back(ECOTONE_EXAMPLES_DIR);
  for (const auto& p : tries)
    if (fs::exists(p / kScenario)) return p.string();
  return ECOTONE_EXAMPLES_DIR;
}

std::string F(double v, int prec) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(prec) << v;
  return os.str();
}

// "day 2 10:00" for a time offset in seconds.
std::string When(double t_s) {
  int64_t s = static_cast<int64_t>(t_s);
  char buf[48];
  std::snprintf(buf, sizeof buf, "day %lld %02lld:%02lld", static_cast<long long>(s / 86400),
                static_cast<long long>(s % 86400 / 3600), static_cast<long long>(s % 3600 / 60));
  return buf;
}

void Explain(const model::Action& a, const std::string& indent, std::ostream& os) {
  os << indent << a.Describe() << "\n";
  if (!a.constraint.empty()) os << indent << "  decided by: " << a.constraint << "\n";
  if (!a.expected_effect.empty()) os << indent << "  expected: " << a.expected_effect << "\n";
  if (!a.alternatives.empty()) os << indent << "  not taken: " << a.alternatives.front() << "\n";
}

// Actions of a run that answer an event: those it triggered directly, else
// (for policies that act on a later tick, like the baseline) the non-scale
// actions within `window_s` after it.
std::vector<const model::Action*> Response(const sim::RunResult& r, const model::Event& e,
                                           double window_s) {
  std::vector<const model::Action*> out;
  for (const auto& a : r.actions)
    if (a.event_id == e.id) out.push_back(&a);
  if (!out.empty()) return out;
  for (const auto& a : r.actions)
    if (a.time_us > e.time_us && a.time_us <= e.time_us + window_s * 1e6 &&
        a.kind != model::ActionKind::kScale)
      out.push_back(&a);
  return out;
}

void Summarise(const std::string& who, const std::vector<const model::Action*>& as,
               const model::Event& e, std::ostream& os) {
  if (as.empty()) {
    os << "    " << who << ": no action\n";
    return;
  }
  std::map<std::string, int> kinds;
  for (const auto* a : as) ++kinds[std::string(model::ActionKindName(a->kind))];
  os << "    " << who << ": " << as.size() << " action(s) (";
  bool first = true;
  for (const auto& [k, n] : kinds) {
    os << (first ? "" : ", ") << n << " " << k;
    first = false;
  }
  double delay = (as.front()->time_us - e.time_us) / 1e6;
  os << ")" << (delay > 0 ? ", first " + F(delay, 0) + " s after the event" : ", at once") << "\n";
  for (size_t i = 0; i < as.size() && i < 2; ++i) Explain(*as[i], "      ", os);
}

// SLO-violating minutes of a run within [t0, t1) seconds, from its samples.
double ViolationMinutes(const sim::World& w, const sim::RunResult& r, double t0, double t1) {
  const auto& e = w.scenario.load.front();
  double slo_lat = e.slo_latency_ms > 0 ? e.slo_latency_ms : 500;
  double m = 0, step = w.scenario.interval_us / 1e6;
  for (const auto& s : r.samples)
    if (s.t_s >= t0 && s.t_s < t1 && (s.availability < e.slo_success || s.latency_ms > slo_lat))
      m += step / 60;
  return m;
}

int RunDemo(const DemoArgs& args) {
  const std::string ex = FindExamples(args.examples);
  const std::string scenario = (fs::path(ex) / kScenario).string();
  std::ostream& os = std::cout;
  auto world = sim::LoadScenarioFile(scenario);
  if (!world.ok()) return ReportError(world.status());
  const sim::World& w = *world;

  // 1. The map.
  os << "== 1. Map: " << w.scenario.manifests.front() << "\n";
  {
    std::vector<model::Problem> problems;
    auto map = graph::EcosystemMap::Build(w.ecosystem, &problems);
    auto an = graph::Analyze(map, 3);
    os << "  " << map.component_count() << " components, " << map.edge_count()
       << " dependencies (inferred from the manifests), " << an.cycles.size() << " cycles\n";
    os << "  entry points:";
    for (auto id : an.entry_points) os << " " << map.component(id).name;
    os << "; the simulated requests enter at " << w.scenario.load.front().component << "\n";
    os << "  largest impact if it fails:";
    for (const auto& r : an.top_impact)
      os << " " << map.component(r.id).name << " (" << r.size << " dependents)";
    os << "\n";
  }

  // 2. A forecast on a bundled trace.
  os << "\n== 2. Forecast: " << (fs::path(ex) / kTrace).string() << "\n";
  {
    auto raw = history::ReadHistoryFile((fs::path(ex) / kTrace).string(), {});
    if (!raw.ok()) return ReportError(raw.status());
    auto series = history::Resample(*raw, {}, nullptr);
    if (!series.ok()) return ReportError(series.status());
    forecast::ForecastOptions fo;
    fo.model = "auto";
    fo.horizon = 48;
    auto fc = forecast::Forecast(*series, fo);
    if (!fc.ok()) return ReportError(fc.status());
    double peak = 0, peak_q = 0;
    for (const auto& p : fc->points) {
      if (p.mean > peak) {
        peak = p.mean;
        peak_q = p.quantiles.empty() ? p.mean : p.quantiles.back();
      }
    }
    os << "  model " << fc->model << ", next " << fo.horizon << " steps of "
       << series->step_seconds / 60 << " min: peak " << F(peak, 0) << " (95% quantile "
       << F(peak_q, 0) << ")\n";
    os << "  in the simulated week the predictive scaler gets such forecasts of the shop's load ("
       << w.scenario.forecast.model << " on " << w.scenario.forecast.history_us / 86400'000'000LL
       << " days of history, refreshed daily and when an event is announced)\n";
  }

  // 3. Placement.
  os << "\n== 3. Place: " << w.scenario.infra << "\n";
  {
    placement::EcosystemOptions po;
    placement::SolveOptions so;
    so.max_iterations = 20000;
    auto pl = placement::PlaceEcosystem(w.ecosystem, w.topology, nullptr, po, so, "choose");
    auto ep = placement::BuildEcosystemProblem(w.ecosystem, w.topology, nullptr, po);
    if (pl.ok() && ep.ok()) {
      auto spread = placement::EvaluateAssignment(*ep, placement::SpreadAssignment(*ep),
                                                  w.ecosystem, w.topology, nullptr, po);
      os << "  proximity-aware plan (" << pl->solver << ", "
         << placement::SolveOutcomeName(pl->status) << "): " << pl->plan.assignments.size()
         << " replicas, " << F(pl->costs.total(), 4) << " per hour, cross-zone proximity "
         << F(pl->cross_zone_proximity, 3) << "\n";
      if (spread.ok())
        os << "  proximity-blind spread (the default scheduler): " << F(spread->costs.total(), 4)
           << " per hour, cross-zone proximity " << F(spread->cross_zone_proximity, 3) << "\n";
    }
  }

  // 4. The week, both policies.
  os << "\n== 4. Simulate: " << scenario << " (" << F(w.steps * w.scenario.interval_us / 3.6e9, 0)
     << " h, seed " << w.scenario.seed << "), ecotone vs baseline\n";
  std::vector<sim::RunResult> runs;
  for (const char* name : {"ecotone", "baseline"}) {
    auto policy = MakePolicy(name);
    if (!policy.ok()) return ReportError(policy.status());
    sim::SimOptions opt;
    opt.record_samples = true;
    auto r = sim::Simulate(w, **policy, opt);
    if (!r.ok()) return ReportError(r.status());
    runs.push_back(std::move(r).value());
  }
  const double T0 = w.scenario.start_unix * 1e6;
  os << "\nWhat happened, and what each policy did:\n";
  // The story in time order: flash crowds (load, not events) and the
  // events of the scenario (the same for every policy).
  std::vector<std::pair<double, int>> items;  // (time s, index: < 0 flash crowd)
  for (size_t i = 0; i < w.scenario.flash_crowds.size(); ++i)
    items.emplace_back(w.scenario.flash_crowds[i].at_us / 1e6, -1 - static_cast<int>(i));
  for (size_t i = 0; i < runs[0].events.size(); ++i) {
    const auto& e = runs[0].events[i];
    if (e.kind == model::EventKind::kForecastUpdated || e.kind == model::EventKind::kMetrics) continue;
    items.emplace_back((e.time_us - T0) / 1e6, static_cast<int>(i));
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [when, idx] : items) {
    if (idx < 0) {
      const auto& fcw = w.scenario.flash_crowds[-1 - idx];
      double at = fcw.at_us / 1e6, end = (fcw.at_us + fcw.duration_us) / 1e6;
      os << "  " << When(at) << "  flash crowd '" << fcw.name << "': load x" << F(fcw.multiplier, 1)
         << " for " << F(fcw.duration_us / 3.6e9, 1) << " h";
      if (fcw.announced_us >= 0) os << " (announced " << F(fcw.announced_us / 3.6e9, 0) << " h ahead)";
      os << "\n";
      for (const auto& r : runs) {
        int before = 0, during = 0;
        const model::Action* first = nullptr;
        for (const auto& a : r.actions) {
          if (a.kind != model::ActionKind::kScale || a.to_replicas <= a.from_replicas) continue;
          double t = (a.time_us - T0) / 1e6;
          if (t >= at - 3600 && t < at) {
            ++before;
            if (!first) first = &a;
          } else if (t >= at && t < end) {
            ++during;
            if (!first) first = &a;
          }
        }
        os << "    " << r.summary.policy << ": " << before << " scale-out(s) in the hour before, "
           << during << " during; SLO violation minutes in the crowd "
           << F(ViolationMinutes(w, r, at, end), 1) << "\n";
        if (first) Explain(*first, "      ", os);
      }
      continue;
    }
    const auto& e = runs[0].events[idx];
    os << "  " << When(when) << "  " << e.Describe() << "\n";
    if (e.kind == model::EventKind::kHardware && e.hardware.change == model::HardwareChange::kRecovered)
      continue;
    for (const auto& r : runs) {
      // The same event in this run (events are the same for every policy).
      const model::Event* same = &e;
      for (const auto& x : r.events)
        if (x.time_us == e.time_us && x.kind == e.kind) same = &x;
      Summarise(r.summary.policy, Response(r, *same, 900), *same, os);
      if (e.kind == model::EventKind::kHardware)
        for (const auto& rec : r.summary.recoveries)
          if (std::abs(rec.at_s - when) < 1)
            os << "      every replica serving again after "
               << (rec.recovery_s < 0 ? std::string("(never)") : F(rec.recovery_s, 0) + " s") << "\n";
      if (e.kind == model::EventKind::kNewVersion)
        for (const auto& a : r.actions)
          if (a.kind == model::ActionKind::kRollback && a.component == e.release.component &&
              a.time_us > e.time_us && a.time_us < e.time_us + 6 * 3600e6) {
            os << "      then, " << F((a.time_us - e.time_us) / 60e6, 1) << " min later:\n";
            Explain(a, "      ", os);
          }
    }
  }

  os << "\nThe week in numbers:\n";
  std::vector<const sim::Summary*> s;
  for (const auto& r : runs) s.push_back(&r.summary);
  PrintComparison(s, os);

  std::error_code ec;
  fs::create_directories(args.out, ec);
  const std::string svg = (fs::path(args.out) / "timeline.svg").string();
  const std::string json = (fs::path(args.out) / "summary.json").string();
  {
    std::ofstream f(svg);
    f << TimelineSvg(w, {{"ecotone", &runs[0]}, {"baseline", &runs[1]}});
    if (!f) return ReportError(Status::IOError("cannot write " + svg));
  }
  {
    nlohmann::ordered_json j;
    j["scenario"] = w.scenario.name;
    j["seed"] = w.scenario.seed;
    for (const auto& r : runs) j["policies"][r.summary.policy] = SummaryJson(r.summary);
    std::ofstream f(json);
    f << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!f) return ReportError(Status::IOError("cannot write " + json));
  }
  os << "\nwrote " << svg << " (load, replicas, availability, zone health, actions) and " << json
     << "\n";
  return kExitOk;
}

}  // namespace

void RegisterDemo(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Map, forecast, place and simulate the bundled Online Boutique week: Ecotone vs the baseline");
  cmd->add_option("--out", args->out, "Directory for timeline.svg and summary.json")
      ->capture_default_str();
  cmd->add_option("--examples", args->examples,
                  "The examples directory (default: ./examples, next to the binary, or the source tree)");
  cmd->callback([args, exit_code] { *exit_code = RunDemo(*args); });
}

}  // namespace ecotone::cli
