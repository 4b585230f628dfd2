// TEMPORARY placeholder (replaced by the analyze/diff work in this session).
#include "cli.h"
namespace ecotone::cli {
void RegisterAnalyze(CLI::App& app, int* exit_code) { app.add_subcommand("analyze", "Analyse manifests"); }
void RegisterDiff(CLI::App& app, int* exit_code) { app.add_subcommand("diff", "Compare versions"); }
}  // namespace ecotone::cli
