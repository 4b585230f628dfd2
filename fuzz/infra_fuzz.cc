// Fuzzes the infrastructure reader and the plan reader (docs/infra.md): any
// input must give a topology/plan or a located error, never a crash, hang or
// UB. A topology that reads must also satisfy the reader's invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/manifest/infra.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace ecotone;
  auto t = manifest::ReadInfra("fuzz.yaml", text);
  if (t.ok()) {
    const size_t n = t->zones.size();
    if (n == 0 || t->latency_ms.size() != n * n ||
        t->egress_per_gb.size() != n * n)
      std::abort();
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = 0; b < n; ++b) {
        if (t->LatencyMs(a, b) != t->LatencyMs(b, a)) std::abort();
        if (t->LatencyMs(a, b) < 0 || t->EgressPerGb(a, b) < 0) std::abort();
      }
      const auto& z = t->zones[a];
      if (z.racks.size() >= 2 &&
          z.rack_latency_ms.size() != z.racks.size() * z.racks.size())
        std::abort();
      auto u = model::UsableCapacity(z);
      if (!model::Fits(u, z.capacity)) std::abort();
    }
  }
  auto p = manifest::ReadPlan("fuzz.json", text);
  if (p.ok()) (void)manifest::WritePlanJson(*p);
  return 0;
}
