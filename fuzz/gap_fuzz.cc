// Fuzzes the OR-Library GAP reader: any input must give a Problem that
// passes Validate() or an InvalidArgument with a location, never a crash,
// UB or an allocation driven by the header rather than the input size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/instances/instances.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto p = ecotone::instances::ParseGap(s, "fuzz.gap");
  if (p.ok()) {
    if (!ecotone::placement::Validate(*p).ok()) std::abort();
  } else if (p.status().where().line < 1) {
    std::abort();  // every reader error names a line
  }
  return 0;
}
