// `ecotone analyze FILE...`: read manifests, build the Ecosystem Map, run the
// graph analyses and print them as text, JSON, Graphviz dot or SVG.
// Exit codes: 0 no error-severity problem, 1 problems of severity error,
// 2 unreadable or invalid input or bad usage (docs/analyze.md).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/manifest/manifest.h"
#include "output_analyze.h"

namespace ecotone::cli {
namespace {

struct AnalyzeFlags {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string output = "text";
  std::vector<std::string> impact;
  std::vector<std::string> profiles;
};

// Finds `name` in PATH; empty when absent.
std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string p = path == nullptr ? "/usr/bin:/bin" : path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string full = dir + "/" + name;
    if (access(full.c_str(), X_OK) == 0) return full;
    start = end + 1;
  }
  return "";
}

// Pipes `dot_text` through `dot -Tsvg`, whose output goes to our stdout.
Status RenderSvg(const std::string& dot_text) {
  std::string dot = FindInPath("dot");
  if (dot.empty())
    return Status::FailedPrecondition(
        "graphviz 'dot' was not found in PATH; install graphviz or use "
        "--output dot");
  std::cout.flush();
  std::fflush(stdout);
  std::string cmd = "'" + dot + "' -Tsvg";
  FILE* pipe = popen(cmd.c_str(), "w");
  if (pipe == nullptr) return Status::IOError("cannot start " + dot);
  size_t written = std::fwrite(dot_text.data(), 1, dot_text.size(), pipe);
  int rc = pclose(pipe);
  if (written != dot_text.size() || rc != 0)
    return Status::Internal("graphviz 'dot -Tsvg' failed (exit status " +
                            std::to_string(rc) + ")");
  return Status::Ok();
}

int RunAnalyze(const AnalyzeFlags& flags) {
  auto loaded = LoadManifests(flags.files, flags.format, flags.profiles);
  if (!loaded.ok()) return ReportError(loaded.status());
  const manifest::LoadResult& load = *loaded;

  AnalyzeReport report;
  report.problems = load.problems;
  auto map = graph::EcosystemMap::Build(load.ecosystem, &report.problems);
  graph::Analysis analysis = graph::Analyze(map);
  report.problems.insert(report.problems.end(), analysis.problems.begin(),
                         analysis.problems.end());
  report.load = &load;
  report.map = &map;
  report.analysis = &analysis;
  for (const auto& name : flags.impact) {
    graph::NodeId id = map.Find(name);
    if (id == graph::kNoNode)
      return ReportError(
          Status::NotFound("--impact: no component named '" + name + "'"));
    report.impacts.push_back(
        {id, graph::ImpactSet(map, id, graph::EdgeSet::kAll),
         graph::ImpactSet(map, id, graph::EdgeSet::kHard)});
  }

  if (flags.output == "text") {
    WriteAnalyzeText(std::cout, report);
  } else {
    // Machine outputs keep stdout clean; errors and warnings go to stderr.
    for (const auto& p : report.problems)
      if (p.severity != model::Severity::kInfo)
        std::cerr << "ecotone: " << model::SeverityName(p.severity) << ": "
                  << ProblemLine(p) << "\n";
    if (flags.output == "json") {
      WriteAnalyzeJson(std::cout, report);
    } else if (flags.output == "dot") {
      WriteAnalyzeDot(std::cout, report);
    } else {
      std::ostringstream dot;
      WriteAnalyzeDot(dot, report);
      Status st = RenderSvg(dot.str());
      if (!st.ok()) return ReportError(st);
    }
  }
  std::cout.flush();
  if (!std::cout)
    return ReportError(Status::IOError("cannot write the output"));
  return ErrorCount(report.problems) > 0 ? kExitProblems : kExitOk;
}

}  // namespace

void RegisterAnalyze(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<AnalyzeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Read manifests, build the dependency map and report cycles, orphans, "
      "dangling references, start order, critical latency paths and impact");
  cmd->add_option("files", flags->files,
                  "Manifest files (one native file, Compose files merged in "
                  "order, or Kubernetes YAML files)")
      ->required();
  cmd->add_option("--format", flags->format, "Input format")
      ->check(CLI::IsMember({"auto", "ecotone", "compose", "kubernetes", "k8s",
                             "docker-compose"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", flags->output, "Output format")
      ->check(CLI::IsMember({"text", "json", "dot", "svg"}))
      ->capture_default_str();
  cmd->add_option("--impact", flags->impact,
                  "Also list every transitive dependent of this component "
                  "(repeatable)");
  cmd->add_option("--profile", flags->profiles,
                  "Active Compose profile (repeatable)");
  cmd->callback([flags, exit_code] {
    try {
      *exit_code = RunAnalyze(*flags);
    } catch (const std::exception& e) {
      *exit_code =
          ReportError(Status::Internal(std::string("analyze: ") + e.what()));
    }
  });
}

}  // namespace ecotone::cli
