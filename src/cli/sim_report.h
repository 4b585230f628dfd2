// Output of the simulator verbs (`simulate`, `demo`): policies by name, the
// JSON summary (docs/simulate.md, "JSON summary"), text reports, the
// comparison table, the timeline JSON Lines and the SVG timeline.
#ifndef ECOTONE_CLI_SIM_REPORT_H_
#define ECOTONE_CLI_SIM_REPORT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/engine/engine.h"
#include "ecotone/sim/sim.h"

namespace ecotone::cli {

// "ecotone" or "baseline"; InvalidArgument otherwise.
Result<std::unique_ptr<engine::Policy>> MakePolicy(std::string_view name);

nlohmann::ordered_json SummaryJson(const sim::Summary& s);
void PrintSummaryText(const sim::Summary& s, std::ostream& os);
// One column per run: availability, SLO minutes, cost, actions, recovery...
void PrintComparison(const std::vector<const sim::Summary*>& runs, std::ostream& os);

// Streams a run's events and actions to JSON Lines (one object per line:
// {"type":"event"|"action"|"sample","policy":...}).
class TimelineWriter {
 public:
  explicit TimelineWriter(std::ostream* os) : os_(os) {}
  // Hooks the writer into options (on_event, on_action) for `policy`.
  void Attach(const std::string& policy, sim::SimOptions* options);
  // Writes the samples of a finished run (one line per metrics interval).
  void WriteSamples(const std::string& policy, const std::vector<sim::Sample>& samples);

 private:
  std::ostream* os_;
};

// An SVG timeline of one or more runs of the same world: offered load,
// replicas per policy, availability per policy, zone health and actions.
std::string TimelineSvg(const sim::World& world,
                        const std::vector<std::pair<std::string, const sim::RunResult*>>& runs);

}  // namespace ecotone::cli

#endif  // ECOTONE_CLI_SIM_REPORT_H_
