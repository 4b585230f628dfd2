// Fuzzes the JSON readers of events and actions (POST /v1/events bodies,
// audit logs, timelines): any input must give a value or an error, never a
// crash; a value read must survive a round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/adapters/event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nlohmann::json;
  json j = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr,
                       /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  if (auto e = ecotone::adapters::EventFromJson(j, "body"); e.ok()) {
    auto back = ecotone::adapters::EventFromJson(ecotone::adapters::ToJson(*e), "body");
    if (!back.ok() || !(*back == *e)) std::abort();
  }
  if (auto a = ecotone::adapters::ActionFromJson(j, "body"); a.ok()) {
    auto back = ecotone::adapters::ActionFromJson(ecotone::adapters::ToJson(*a), "body");
    if (!back.ok() || !(*back == *a)) std::abort();
  }
  return 0;
}
