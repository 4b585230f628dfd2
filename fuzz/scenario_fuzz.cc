// Fuzzes the simulator's scenario reader (docs/simulate.md): any input must
// give a scenario or a located error, never a crash, hang or UB. A scenario
// that reads must satisfy the reader's invariants (positive duration and
// interval, timed lists in order and within the duration, no negative
// durations).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/sim/scenario.h"

namespace {

template <typename List>
void CheckOrder(const List& list, int64_t duration) {
  int64_t last = 0;
  for (const auto& x : list) {
    if (x.at_us < last || x.at_us > duration) std::abort();
    last = x.at_us;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace ecotone;
  auto s = sim::ReadScenario("fuzz.yaml", text);
  if (!s.ok()) {
    if (s.status().where().file != "fuzz.yaml") std::abort();
    return 0;
  }
  if (s->duration_us <= 0 || s->interval_us < 1'000'000 || s->load.empty() ||
      s->manifests.empty() || s->infra.empty())
    std::abort();
  CheckOrder(s->flash_crowds, s->duration_us);
  CheckOrder(s->hardware, s->duration_us);
  CheckOrder(s->alerts, s->duration_us);
  CheckOrder(s->releases, s->duration_us);
  CheckOrder(s->bug_reports, s->duration_us);
  for (const auto& f : s->flash_crowds)
    if (f.duration_us < 0 || f.multiplier < 0) std::abort();
  for (const auto& h : s->hardware)
    if (h.duration_us < 0 || h.target.deadline_us < 0) std::abort();
  for (const auto& e : s->load)
    if (e.pattern.has_value() == e.trace.has_value()) std::abort();
  if (s->forecast.step_us % s->interval_us != 0) std::abort();
  return 0;
}
