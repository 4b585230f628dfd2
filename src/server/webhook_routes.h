// Glue between the HTTP routes and the adapters library: request bodies to
// events (the event JSON codec, the webhook translators) and the Prometheus
// client for the control loop. Thread-safe (no shared state).
#ifndef ECOTONE_SERVER_WEBHOOK_ROUTES_H_
#define ECOTONE_SERVER_WEBHOOK_ROUTES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "control_loop.h"
#include "ecotone/base/status.h"
#include "ecotone/model/event.h"

namespace ecotone::server {

enum class WebhookFormat { kAlertmanager = 0, kFalco, kCloudEvents };

// POST /v1/events: one event object or a list of them (adapters/event_json.h).
// kInvalidArgument naming the field of the first bad event.
Result<std::vector<model::Event>> ParseEventsBody(std::string_view body);

// A webhook body to events; `ecosystem` ("" = none) for payloads naming
// none; `now_us` for payloads without time.
Result<std::vector<model::Event>> TranslateWebhook(WebhookFormat format,
                                                   std::string_view body,
                                                   const std::string& ecosystem,
                                                   int64_t now_us);

// Instant queries against the Prometheus at `base_url`.
InstantQueryFn MakePrometheusQuery(const std::string& base_url);

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_WEBHOOK_ROUTES_H_
