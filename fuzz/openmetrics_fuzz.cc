// Fuzzes the OpenMetrics / Prometheus text reader and the resampler.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ecotone/history/history.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  using namespace ecotone::history;
  auto raw = ReadOpenMetrics("fuzz.om", s, {});
  if (raw.ok()) (void)Resample(*raw, {}, nullptr);
  (void)ParseTimestamp(s, {});
  (void)ParseTzif("fuzz", s);
  return 0;
}
