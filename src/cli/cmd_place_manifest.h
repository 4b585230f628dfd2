// The `--manifest/--infra/--current` mode of `ecotone place`: places the
// replicas of an ecosystem on an infrastructure (docs/placement.md), or
// re-places them incrementally relative to a current plan. The `place` verb
// (cmd_place.cc) adds these options and calls RunPlaceManifest when
// --manifest is given.
#ifndef ECOTONE_CLI_CMD_PLACE_MANIFEST_H_
#define ECOTONE_CLI_CMD_PLACE_MANIFEST_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace ecotone::cli {

// Default deterministic iteration budget of the heuristic in this mode.
inline constexpr int64_t kDefaultIterations = 20000;

struct PlaceManifestFlags {
  std::vector<std::string> manifests;  // --manifest FILE...
  std::string infra;                   // --infra FILE
  std::string current;                 // --current PLAN.json
  std::string format = "auto";         // --format of the manifests
  double lambda = 0.01;                // --lambda
  bool full_replan = false;            // --full-replan
  // --constraints / --scorers: the placement profile (plugin names, in
  // order); empty = every built-in (docs/placement.md).
  std::vector<std::string> constraints;
  std::vector<std::string> scorers;
  // Heuristic iteration budget (the verb's --iterations); 0 = the default
  // budget kDefaultIterations, so that runs are deterministic and short.
  int64_t iterations = 0;
};

// Adds --manifest, --infra, --current, --format, --lambda, --full-replan,
// --constraints and --scorers
// to `place`. The values land in *flags (which must outlive parsing).
void AddPlaceManifestOptions(CLI::App* place, PlaceManifestFlags* flags);

// Runs the mode. `solver` is choose|heuristic|mip, `output` text|json.
// Prints the result on stdout and errors on stderr. Returns the exit code:
// 0 a plan was found, 1 infeasible (or no plan within the time limit),
// 2 bad input or usage.
int RunPlaceManifest(const PlaceManifestFlags& flags, const std::string& solver,
                     double time_limit_s, uint64_t seed,
                     const std::string& output);

}  // namespace ecotone::cli

#endif  // ECOTONE_CLI_CMD_PLACE_MANIFEST_H_
