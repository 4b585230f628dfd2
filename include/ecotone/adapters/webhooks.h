// Translators from the webhook payloads real tools send to model::Event:
// Prometheus Alertmanager (webhook_config payload, version 4), Falco (JSON
// output, one alert or a list) and CloudEvents 1.0 (structured JSON mode,
// one event or a batch). Labels and fields map to components, hosts and
// zones as documented in docs/webhooks.md. Adapters decide nothing: they
// translate, or say precisely why they cannot.
// Pure functions of their input; thread-safe.
#ifndef ECOTONE_ADAPTERS_WEBHOOKS_H_
#define ECOTONE_ADAPTERS_WEBHOOKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/event.h"

namespace ecotone::adapters {

// The result of a translation: the events, and the items of the payload
// that carry nothing the engine acts on (e.g. a resolved security alert, a
// CloudEvent of a foreign type), each with the reason.
struct WebhookEvents {
  std::vector<model::Event> events;
  std::vector<std::string> ignored;
};

// Options common to the translators.
struct WebhookOptions {
  // Ecosystem for events whose payload names none ("" = not tied to one).
  std::string ecosystem;
  // Time for events whose payload has no time, unix microseconds.
  int64_t now_us = 0;
};

// Alertmanager: {"version":"4","status",...,"alerts":[{"status","labels",
// "annotations","startsAt","endsAt",...}]}. Per alert: label `ecotone_event`
// (hardware | security-alert | bug-report) says what it is; without it an
// alert naming a zone/rack/host and no component is a hardware event, and
// any other alert is ignored. kInvalidArgument naming the JSON path (e.g.
// "alerts[2].labels.replica") when the payload is malformed.
Result<WebhookEvents> FromAlertmanager(std::string_view body,
                                       const WebhookOptions& options);

// Falco JSON output: {"output","priority","rule","time","output_fields",
// "hostname",...} or a list of them: security alerts on the component named
// by output_fields (k8s.pod.label.app.kubernetes.io/name, k8s.pod.label.app,
// k8s.deployment.name, container.name, in that order); the ecosystem is
// options.ecosystem or else output_fields k8s.ns.name.
Result<WebhookEvents> FromFalco(std::string_view body,
                                const WebhookOptions& options);

// CloudEvents 1.0, structured mode: {"specversion":"1.0","id","source",
// "type","time"?,"data"} or a batch (a list). Types "io.ecotone.event" and
// "io.ecotone.event.<kind>" carry an Ecotone event in `data` (the JSON of
// adapters/event_json.h; `kind` may come from the type suffix); other types
// are ignored.
Result<WebhookEvents> FromCloudEvents(std::string_view body,
                                      const WebhookOptions& options);

// Parses an RFC 3339 timestamp ("2026-11-29T16:00:00.123Z", offsets
// allowed) to unix microseconds.
Result<int64_t> ParseRfc3339(std::string_view text);

}  // namespace ecotone::adapters

#endif  // ECOTONE_ADAPTERS_WEBHOOKS_H_
