// `ecotone place`: assign replicas/jobs to zones/agents. One function per
// input mode:
//   --gap FILE      OR-Library GAP instance (RunBenchmarkInstance)
//   --gqap FILE     Cordeau et al. GQAP instance (RunBenchmarkInstance)
//   --manifest ...  an ecosystem on an infrastructure (cmd_place_manifest.cc)
// Shared options: --solver choose|heuristic|mip, --time-limit SECONDS,
// --seed N, --output text|json. Exit codes: 0 a feasible assignment, 1
// infeasible or none found within the limit, 2 bad input or usage.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli.h"
#include "cmd_place_manifest.h"
#include "ecotone/instances/instances.h"
#include "ecotone/placement/solver.h"

namespace ecotone::cli {
namespace {

struct PlaceFlags {
  std::string gap_file;
  std::string gqap_file;
  std::string solver = "choose";
  double time_limit_s = 10.0;
  uint64_t seed = 1;
  int64_t iterations = 0;
  std::string output = "text";
  PlaceManifestFlags manifest;
};

nlohmann::ordered_json Number(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (std::abs(v) < 9e15 && v == std::floor(v)) {
    return static_cast<int64_t>(v);
  }
  return v;
}

void PrintSolution(const std::string& file, const std::string& format,
                   const placement::Solution& s, const std::string& output) {
  if (output == "json") {
    nlohmann::ordered_json j;
    j["instance"] = file;
    j["format"] = format;
    j["solver"] = s.solver;
    j["status"] = std::string(placement::SolveOutcomeName(s.status));
    j["objective"] = Number(s.objective);
    j["bound"] = Number(s.bound);
    j["bound_method"] = s.bound_method;
    j["gap"] = Number(s.gap);
    j["cost"] = {{"linear", Number(s.cost.linear)},
                 {"pairwise", Number(s.cost.pairwise)},
                 {"migration", Number(s.cost.migration)}};
    j["assignment"] = s.assignment;
    j["seconds"] = s.seconds;
    j["seconds_to_best"] = s.seconds_to_best;
    j["iterations"] = s.iterations;
    if (!s.infeasibility.empty()) j["infeasibility"] = s.infeasibility;
    j["binding_constraints"] = s.binding_constraints;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  auto num = [](double v) {
    if (!std::isfinite(v)) return std::string("-");
    char buf[64];
    std::snprintf(buf, sizeof buf, v == std::floor(v) ? "%.0f" : "%.6f", v);
    return std::string(buf);
  };
  std::cout << "instance:   " << file << " (" << format << ")\n"
            << "solver:     " << s.solver << "\n"
            << "status:     " << placement::SolveOutcomeName(s.status) << "\n"
            << "objective:  " << num(s.objective) << "\n"
            << "bound:      " << num(s.bound)
            << (s.bound_method.empty() ? "" : " (" + s.bound_method + ")")
            << "\n";
  if (std::isfinite(s.gap)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f%%", 100 * s.gap);
    std::cout << "gap:        " << buf << "\n";
  }
  std::cout << "time:       " << s.seconds << " s (best found at "
            << s.seconds_to_best << " s, " << s.iterations << " iterations)\n";
  if (!s.infeasibility.empty()) {
    std::cout << "why:        " << s.infeasibility << "\n";
  }
  if (!s.assignment.empty()) {
    std::cout << "assignment:";
    for (int b : s.assignment) std::cout << " " << b;
    std::cout << "\n";
  }
}

// --gap / --gqap: read a benchmark instance, solve, print.
int RunBenchmarkInstance(const PlaceFlags& f) {
  const bool gap = !f.gap_file.empty();
  const std::string& file = gap ? f.gap_file : f.gqap_file;
  Result<placement::Problem> problem =
      gap ? instances::ReadGap(file) : instances::ReadGqap(file);
  if (!problem.ok()) return ReportError(problem.status());
  placement::SolveOptions opt;
  opt.time_limit_s = f.time_limit_s;
  opt.seed = f.seed;
  opt.max_iterations = f.iterations;
  Result<placement::Solution> s = Status::Internal("not run");
  {
    StdoutToStderr quiet;  // Clp may printf to stdout (cli.h)
    s = placement::Solve(*problem, opt, f.solver);
  }
  if (!s.ok()) return ReportError(s.status());
  PrintSolution(file, gap ? "gap" : "gqap", *s, f.output);
  return s->assignment.empty() ? kExitProblems : kExitOk;
}

}  // namespace

void RegisterPlace(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PlaceFlags>();
  CLI::App* cmd = app.add_subcommand(
      "place",
      "Assign replicas to zones (or benchmark jobs to agents): "
      "--gap FILE | --gqap FILE | --manifest FILE... --infra FILE");
  auto* gap =
      cmd->add_option("--gap", flags->gap_file, "OR-Library GAP instance file");
  auto* gqap = cmd->add_option("--gqap", flags->gqap_file,
                               "Cordeau et al. GQAP instance file");
  gap->excludes(gqap);
  cmd->add_option("--solver", flags->solver, "choose | heuristic | mip")
      ->check(CLI::IsMember({"choose", "heuristic", "mip"}))
      ->capture_default_str();
  cmd->add_option("--time-limit", flags->time_limit_s,
                  "wall-clock limit in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "random seed")->capture_default_str();
  cmd->add_option("--iterations", flags->iterations,
                  "deterministic iteration budget of the heuristic (0 = until "
                  "the time limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--output", flags->output, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddPlaceManifestOptions(cmd, &flags->manifest);
  cmd->callback([flags, exit_code] {
    const PlaceFlags& f = *flags;
    int modes = !f.gap_file.empty() + !f.gqap_file.empty() +
                !f.manifest.manifests.empty();
    if (modes != 1) {
      *exit_code = ReportError(Status::InvalidArgument(
          "place: give exactly one of --gap FILE, --gqap FILE or "
          "--manifest FILE... --infra FILE"));
      return;
    }
    if (!f.manifest.manifests.empty()) {
      PlaceManifestFlags mf = f.manifest;
      mf.iterations = f.iterations;
      *exit_code =
          RunPlaceManifest(mf, f.solver, f.time_limit_s, f.seed, f.output);
      return;
    }
    *exit_code = RunBenchmarkInstance(f);
  });
}

}  // namespace ecotone::cli
