// Fuzzes the CSV history reader and the resampler: any input must give a
// series or an error, never a crash, a hang or UB.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ecotone/history/history.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  using namespace ecotone::history;
  ReadOptions ro;
  ro.step_seconds = 300;
  auto raw = ReadCsv("fuzz_300_seconds.csv", s, ro);
  if (raw.ok()) (void)Resample(*raw, {}, nullptr);
  (void)ReadEvents("fuzz.yaml", s, {});
  return 0;
}
