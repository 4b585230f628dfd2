// Fuzzes the webhook translators (Alertmanager, Falco, CloudEvents bodies of
// POST /v1/webhooks/*): any input must give events or an error, never a
// crash; every event produced must survive the event JSON round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ecotone/adapters/event_json.h"
#include "ecotone/adapters/webhooks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ecotone::adapters;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  WebhookOptions o;
  o.ecosystem = "fuzz";
  o.now_us = 1;
  for (auto* translate : {&FromAlertmanager, &FromFalco, &FromCloudEvents}) {
    auto r = translate(body, o);
    if (!r.ok()) continue;
    for (const auto& e : r->events) {
      auto back = EventFromJson(ToJson(e), "event");
      if (!back.ok() || !(*back == e)) std::abort();
    }
  }
  (void)ParseRfc3339(body);
  return 0;
}
