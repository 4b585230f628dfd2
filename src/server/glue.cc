// Request bodies -> events and the Prometheus client, through the adapters
// library.
#include <nlohmann/json.hpp>

#include "ecotone/adapters/event_json.h"
#include "ecotone/adapters/prometheus.h"
#include "ecotone/adapters/webhooks.h"
#include "webhook_routes.h"

namespace ecotone::server {

std::string EventPayloadJson(const model::Event& event) {
  return adapters::ToJson(event).dump(-1, ' ', false,
                                      nlohmann::json::error_handler_t::replace);
}

std::string ActionPayloadJson(const model::Action& action) {
  return adapters::ToJson(action).dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<model::Event> EventFromRecord(const store::EventRecord& record) {
  nlohmann::json j = nlohmann::json::parse(record.payload_json, nullptr, false);
  if (j.is_discarded())
    return Status::Corruption("event " + std::to_string(record.id) +
                              ": stored payload is not JSON");
  auto e = adapters::EventFromJson(j, "event " + std::to_string(record.id));
  if (!e.ok()) return e.status();
  e->id = record.id;
  return e;
}

Result<std::vector<model::Event>> ParseEventsBody(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    return Status::InvalidArgument("malformed JSON",
                                   Location{"", 0, 0, "body"});
  std::vector<model::Event> out;
  if (j.is_array()) {
    if (j.empty())
      return Status::InvalidArgument("an empty list of events",
                                     Location{"", 0, 0, "body"});
    for (size_t i = 0; i < j.size(); ++i) {
      auto e = adapters::EventFromJson(j[i], "body[" + std::to_string(i) + "]");
      if (!e.ok()) return e.status();
      out.push_back(std::move(*e));
    }
    return out;
  }
  auto e = adapters::EventFromJson(j, "body");
  if (!e.ok()) return e.status();
  out.push_back(std::move(*e));
  return out;
}

Result<std::vector<model::Event>> TranslateWebhook(WebhookFormat format,
                                                   std::string_view body,
                                                   const std::string& ecosystem,
                                                   int64_t now_us) {
  adapters::WebhookOptions o;
  o.ecosystem = ecosystem;
  o.now_us = now_us;
  Result<adapters::WebhookEvents> r = Status::Internal("unknown format");
  switch (format) {
    case WebhookFormat::kAlertmanager:
      r = adapters::FromAlertmanager(body, o);
      break;
    case WebhookFormat::kFalco:
      r = adapters::FromFalco(body, o);
      break;
    case WebhookFormat::kCloudEvents:
      r = adapters::FromCloudEvents(body, o);
      break;
  }
  if (!r.ok()) return r.status();
  return std::move(r->events);
}

InstantQueryFn MakePrometheusQuery(const std::string& base_url) {
  adapters::PrometheusOptions o;
  o.url = base_url;
  o.timeout_s = 10;
  auto client = std::make_shared<adapters::PrometheusClient>(o);
  return [client](const std::string& promql,
                  int64_t time_us) -> Result<std::vector<LabeledValue>> {
    auto r = client->Query(promql, static_cast<double>(time_us) / 1e6);
    if (!r.ok()) return r.status();
    std::vector<LabeledValue> out;
    for (auto& s : *r) {
      if (s.points.empty()) continue;
      out.push_back({std::move(s.labels), s.points.back().second});
    }
    return out;
  };
}

}  // namespace ecotone::server
