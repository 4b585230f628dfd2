// Fuzzes format detection and reading with Format::kAuto (LoadTexts): any
// input, native, Compose, Kubernetes or garbage, must give an ecosystem or a
// located error, never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ecotone/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ecotone::manifest::LoadOptions options;  // format auto.
  // A name that is not a path on disk, so Compose finds no .env beside it.
  auto r =
      ecotone::manifest::LoadTexts({"/nonexistent/fuzz.yaml"}, {text}, options);
  if (r.ok() && r->ecosystem.source_format.empty()) std::abort();
  return 0;
}
