// `ecotone simulate SCENARIO [--policy ecotone|baseline] [--compare]
// [--seed N] [--output text|json] [--timeline FILE.jsonl]`: runs a policy
// (or both, --compare) over a scenario in the datacenter simulator and
// reports availability, SLO violations, cost and disruption
// (docs/simulate.md).
#include <fstream>
#include <iostream>
#include <optional>

#include "cli.h"
#include "ecotone/sim/sim.h"
#include "sim_report.h"

namespace ecotone::cli {
namespace {

struct SimulateArgs {
  std::string scenario;
  std::string policy = "ecotone";
  bool compare = false;
  std::optional<uint64_t> seed;
  std::string output = "text";
  std::string timeline;
};

int RunSimulate(const SimulateArgs& a) {
  auto world = sim::LoadScenarioFile(a.scenario);
  if (!world.ok()) return ReportError(world.status());
  std::vector<std::string> policies;
  if (a.compare) policies = {"ecotone", "baseline"};
  else policies = {a.policy};
  std::ofstream timeline;
  if (!a.timeline.empty()) {
    timeline.open(a.timeline);
    if (!timeline)
      return ReportError(Status::IOError("cannot write timeline '" + a.timeline + "'"));
  }
  TimelineWriter writer(&timeline);
  std::vector<sim::RunResult> runs;
  for (const auto& name : policies) {
    auto policy = MakePolicy(name);
    if (!policy.ok()) return ReportError(policy.status());
    sim::SimOptions opt;
    opt.seed = a.seed;
    opt.record_samples = !a.timeline.empty();
    if (!a.timeline.empty()) writer.Attach(name, &opt);
    auto r = [&] {
      StdoutToStderr quiet;  // Clp may printf to stdout (cli.h)
      return sim::Simulate(*world, **policy, opt);
    }();
    if (!r.ok()) return ReportError(r.status());
    if (!a.timeline.empty()) writer.WriteSamples(name, r->samples);
    runs.push_back(std::move(r).value());
  }
  if (!a.timeline.empty() && !timeline.flush())
    return ReportError(Status::IOError("cannot write timeline '" + a.timeline + "'"));
  if (a.output == "json") {
    nlohmann::ordered_json j;
    if (a.compare) {
      j["scenario"] = runs[0].summary.scenario;
      j["seed"] = runs[0].summary.seed;
      nlohmann::ordered_json p;
      for (const auto& r : runs) p[r.summary.policy] = SummaryJson(r.summary);
      j["policies"] = std::move(p);
    } else {
      j = SummaryJson(runs[0].summary);
    }
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const auto& r : runs) PrintSummaryText(r.summary, std::cout);
    if (a.compare) {
      std::cout << "\ncomparison (same scenario and seed):\n";
      std::vector<const sim::Summary*> s;
      for (const auto& r : runs) s.push_back(&r.summary);
      PrintComparison(s, std::cout);
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterSimulate(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Run a reconfiguration policy over a scenario in the datacenter simulator (docs/simulate.md)");
  cmd->add_option("scenario", args->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--policy", args->policy, "Policy to run")
      ->check(CLI::IsMember({"ecotone", "baseline"}))
      ->capture_default_str();
  cmd->add_flag("--compare", args->compare,
                "Run ecotone and baseline on the same scenario and seed and compare them");
  cmd->add_option("--seed", args->seed, "Seed (default: the scenario's)");
  cmd->add_option("--output,-o", args->output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--timeline", args->timeline,
                  "Write every event, action and metrics-interval sample as JSON Lines");
  cmd->callback([args, exit_code] { *exit_code = RunSimulate(*args); });
}

}  // namespace ecotone::cli
