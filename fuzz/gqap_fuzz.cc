// Fuzzes the Cordeau GQAP reader: a valid Problem (which then evaluates
// without error) or an InvalidArgument with a location, never a crash or UB.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ecotone/instances/instances.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto p = ecotone::instances::ParseGqap(s, "fuzz.txt");
  if (p.ok()) {
    if (!ecotone::placement::Validate(*p).ok()) std::abort();
    std::vector<int> all_first(p->num_items, 0);
    if (!ecotone::placement::Evaluate(*p, all_first).ok()) std::abort();
  } else if (p.status().where().file.empty()) {
    std::abort();
  }
  return 0;
}
