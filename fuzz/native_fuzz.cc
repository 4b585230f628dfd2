// Fuzzes the native manifest reader (ReadNative): any input must give an
// ecosystem or a located error, never a crash, a hang or undefined behaviour.
// Also checks the reader's own invariants on success.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ecotone::manifest::LoadOptions options;
  auto r = ecotone::manifest::ReadNative("fuzz.yaml", text, options);
  if (!r.ok()) {
    // Every error names the file.
    if (r.status().where().file != "fuzz.yaml") std::abort();
    return 0;
  }
  const ecotone::model::Ecosystem& eco = r->ecosystem;
  if (eco.components.empty()) std::abort();
  for (const auto& c : eco.components) {
    if (c.replicas.min > c.replicas.initial ||
        c.replicas.initial > c.replicas.max || c.replicas.max < 1)
      std::abort();
  }
  for (const auto& d : eco.dependencies) {
    // Dangling and self edges are problems, never edges.
    if (d.from == d.to || eco.FindComponent(d.from) == nullptr ||
        eco.FindComponent(d.to) == nullptr)
      std::abort();
  }
  return 0;
}
