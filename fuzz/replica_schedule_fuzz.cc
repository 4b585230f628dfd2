// Fuzzes the replica schedule reader of `ecotone emit k8s --schedule` (the
// JSON of `ecotone scale --output json`): any input gives schedules or an
// error naming the field, never a crash; every step read is in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/kubernetes/emit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = ecotone::kubernetes::ReadReplicaSchedules("fuzz.json", text);
  if (!r.ok()) return 0;
  for (const auto& [component, steps] : *r) {
    if (component.empty() || steps.empty()) std::abort();
    for (const auto& s : steps)
      if (s.replicas < 0 || s.replicas > 100000) std::abort();
  }
  return 0;
}
