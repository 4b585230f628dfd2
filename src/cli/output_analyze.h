// Output formats of `ecotone analyze`: text, JSON and Graphviz dot
// (docs/analyze.md). The writers only format; every number comes from
// graph::Analyze.
#ifndef ECOTONE_CLI_OUTPUT_ANALYZE_H_
#define ECOTONE_CLI_OUTPUT_ANALYZE_H_

#include <ostream>
#include <string>
#include <vector>

#include "ecotone/graph/ecosystem_map.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/model/ecosystem.h"

namespace ecotone::cli {

// What analyze prints: the loaded ecosystem, its map and analysis, every
// problem (reader, map build and analysis, in that order) and, when
// --impact was given, the impact sets asked for.
struct AnalyzeReport {
  const manifest::LoadResult* load = nullptr;
  const graph::EcosystemMap* map = nullptr;
  const graph::Analysis* analysis = nullptr;
  std::vector<model::Problem> problems;
  struct Impact {
    graph::NodeId id = graph::kNoNode;
    std::vector<graph::NodeId> all;
    std::vector<graph::NodeId> hard;
  };
  std::vector<Impact> impacts;
};

// Counts problems of severity error.
int ErrorCount(const std::vector<model::Problem>& problems);

// One JSON object (docs/analyze.md), written element by element so that
// memory stays proportional to one component at a time.
void WriteAnalyzeJson(std::ostream& out, const AnalyzeReport& r);
// A summary, an aligned table of components and the problems.
void WriteAnalyzeText(std::ostream& out, const AnalyzeReport& r);
// A Graphviz digraph: components coloured by kind, edges styled by kind and
// criticality, labelled with traffic and latency budgets.
void WriteAnalyzeDot(std::ostream& out, const AnalyzeReport& r);

// "file:line:col: path" or "" (for problem lines).
std::string ProblemLine(const model::Problem& p);

}  // namespace ecotone::cli

#endif  // ECOTONE_CLI_OUTPUT_ANALYZE_H_
