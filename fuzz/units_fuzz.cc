// Fuzzes the unit parsers (cpu, bytes, bandwidth, durations, data rates):
// any input must give a value or an error, never a crash or UB.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ecotone/model/units.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  using namespace ecotone::model;
  (void)ParseCpuMillicores(s);
  (void)ParseBytes(s);
  (void)ParseBandwidthBps(s);
  (void)ParseDurationMicros(s);
  (void)ParseByteRate(s);
  return 0;
}
