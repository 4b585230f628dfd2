// Webhook translators on payloads shaped like the real tools' output
// (Alertmanager webhook v4, Falco json_output, CloudEvents 1.0 structured).
#include "ecotone/adapters/webhooks.h"

#include <gtest/gtest.h>

namespace ecotone::adapters {
namespace {

WebhookOptions Opts(std::string eco = "") {
  WebhookOptions o;
  o.ecosystem = std::move(eco);
  o.now_us = 1'000'000;
  return o;
}

TEST(ParseRfc3339, UtcOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:01Z").value(), 1'000'000);
  EXPECT_EQ(ParseRfc3339("2026-11-29T16:00:00.123456789Z").value(),
            1795968000LL * 1'000'000 + 123456);
  EXPECT_EQ(ParseRfc3339("2026-11-29T17:00:00+01:00").value(),
            ParseRfc3339("2026-11-29T16:00:00Z").value());
  EXPECT_FALSE(ParseRfc3339("2026-11-29").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-29T16:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-29T16:00:00").ok());
}

constexpr const char* kAlertmanager = R"({
  "version": "4", "groupKey": "{}:{alertname=\"NodeDown\"}", "status": "firing",
  "receiver": "ecotone", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
  "alerts": [
    {"status": "firing", "labels": {"alertname": "NodeDown", "zone": "eu-1", "rack": "r1", "host": "h3"},
     "annotations": {"summary": "node h3 unreachable"}, "startsAt": "2026-11-29T16:00:00Z",
     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph", "fingerprint": "a1"},
    {"status": "firing", "labels": {"alertname": "CryptoMiner", "ecotone_event": "security-alert",
      "component": "cart", "replica": "2", "severity": "critical", "ecosystem": "shop"},
     "annotations": {"summary": "mining pool traffic"}, "startsAt": "2026-11-29T16:00:01Z"},
    {"status": "firing", "labels": {"alertname": "HighLatency", "component": "cart"},
     "annotations": {}, "startsAt": "2026-11-29T16:00:02Z"},
    {"status": "resolved", "labels": {"alertname": "ZoneDown", "zone": "eu-2"},
     "startsAt": "2026-11-29T15:00:00Z", "endsAt": "2026-11-29T16:00:03Z"}
  ]})";

TEST(FromAlertmanager, MapsLabelsToHardwareAndSecurityEvents) {
  auto r = FromAlertmanager(kAlertmanager, Opts("default-eco"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 3u);
  const model::Event& hw = r->events[0];
  EXPECT_EQ(hw.kind, model::EventKind::kHardware);
  EXPECT_EQ(hw.ecosystem, "default-eco");
  EXPECT_EQ(hw.hardware.zone, "eu-1");
  EXPECT_EQ(hw.hardware.rack, "r1");
  EXPECT_EQ(hw.hardware.host, "h3");
  EXPECT_EQ(hw.hardware.change, model::HardwareChange::kFailed);
  EXPECT_EQ(hw.time_us, ParseRfc3339("2026-11-29T16:00:00Z").value());
  const model::Event& sec = r->events[1];
  EXPECT_EQ(sec.kind, model::EventKind::kSecurityAlert);
  EXPECT_EQ(sec.ecosystem, "shop");
  EXPECT_EQ(sec.alert.component, "cart");
  EXPECT_EQ(sec.alert.replica, 2);
  EXPECT_EQ(sec.alert.severity, model::AlertSeverity::kCritical);
  EXPECT_EQ(sec.alert.indicator, "mining pool traffic");
  const model::Event& rec = r->events[2];
  EXPECT_EQ(rec.hardware.zone, "eu-2");
  EXPECT_EQ(rec.hardware.change, model::HardwareChange::kRecovered);
  EXPECT_EQ(rec.time_us, ParseRfc3339("2026-11-29T16:00:03Z").value());
  ASSERT_EQ(r->ignored.size(), 1u);
  EXPECT_NE(r->ignored[0].find("HighLatency"), std::string::npos);
}

TEST(FromAlertmanager, NamesTheBadField) {
  auto r = FromAlertmanager(
      R"({"alerts":[{"status":"firing","labels":{"ecotone_event":"security-alert","component":"c","replica":"x"}}]})",
      Opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().path, "alerts[0].labels.replica");
  EXPECT_EQ(FromAlertmanager(R"({"alerts": 3})", Opts()).status().where().path,
            "alerts");
  EXPECT_FALSE(FromAlertmanager("{not json", Opts()).ok());
  // A number beyond double made the error path throw (found by fuzzing).
  auto huge = FromAlertmanager(R"({"alerts":[],"x":2222e22222222})", Opts());
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("malformed JSON"), std::string::npos)
      << huge.status().message();
  auto bad_kind = FromAlertmanager(
      R"({"alerts":[{"status":"firing","labels":{"ecotone_event":"party"}}]})",
      Opts());
  EXPECT_EQ(bad_kind.status().where().path, "alerts[0].labels.ecotone_event");
}

TEST(FromFalco, ShellInContainerBecomesASecurityAlert) {
  const char* falco =
      R"({"hostname":"node-1","output":"16:00:00.000: Notice A shell was spawned",
    "priority":"Notice","rule":"Terminal shell in container","source":"syscall",
    "tags":["container","shell"],"time":"2026-11-29T16:00:00.000000000Z",
    "output_fields":{"container.id":"abc","container.name":"cart-7d9f","k8s.ns.name":"shop",
      "k8s.pod.name":"cart-7d9f-x2","k8s.pod.label.app":"cart","proc.cmdline":"sh"}})";
  auto r = FromFalco(falco, Opts());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  const model::Event& e = r->events[0];
  EXPECT_EQ(e.kind, model::EventKind::kSecurityAlert);
  EXPECT_EQ(e.ecosystem, "shop");
  EXPECT_EQ(e.alert.component, "cart");
  EXPECT_EQ(e.alert.severity, model::AlertSeverity::kLow);
  EXPECT_EQ(e.alert.indicator, "Terminal shell in container");
  EXPECT_EQ(e.source, "falco");
  // ?ecosystem= wins over the namespace.
  EXPECT_EQ(FromFalco(falco, Opts("other"))->events[0].ecosystem, "other");
  auto nocomp = FromFalco(
      R"({"rule":"r","priority":"Critical","output_fields":{}})", Opts());
  ASSERT_FALSE(nocomp.ok());
  EXPECT_EQ(nocomp.status().where().path, "output_fields");
  EXPECT_EQ(
      FromFalco(
          R"({"rule":"r","priority":"loud","output_fields":{"container.name":"a"}})",
          Opts())
          .status()
          .where()
          .path,
      "priority");
}

TEST(FromCloudEvents, CarriesEcotoneEventsAndIgnoresForeignTypes) {
  const char* batch = R"([
    {"specversion":"1.0","id":"1","source":"/ops","type":"io.ecotone.event.hardware",
     "time":"2026-11-29T16:00:00Z","datacontenttype":"application/json",
     "data":{"hardware":{"zone":"eu-1","change":"failed"}}},
    {"specversion":"1.0","id":"2","source":"/ci","type":"io.ecotone.event",
     "data":{"kind":"bug-report","ecosystem":"shop","bug":{"component":"cart","version":"1.2"}}},
    {"specversion":"1.0","id":"3","source":"/x","type":"com.example.other","data":{}}])";
  auto r = FromCloudEvents(batch, Opts("shop"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->events[0].kind, model::EventKind::kHardware);
  EXPECT_EQ(r->events[0].hardware.zone, "eu-1");
  EXPECT_EQ(r->events[0].time_us, ParseRfc3339("2026-11-29T16:00:00Z").value());
  EXPECT_EQ(r->events[0].source, "cloudevents:/ops");
  EXPECT_EQ(r->events[1].kind, model::EventKind::kBugReport);
  EXPECT_EQ(r->events[1].bug.version, "1.2");
  EXPECT_EQ(r->events[1].time_us, 1'000'000);
  EXPECT_EQ(r->ignored.size(), 1u);

  auto nospec = FromCloudEvents(
      R"({"id":"1","source":"s","type":"io.ecotone.event"})", Opts());
  EXPECT_EQ(nospec.status().where().path, "specversion");
  auto baddata = FromCloudEvents(
      R"({"specversion":"1.0","id":"1","source":"s","type":"io.ecotone.event.hardware","data":{"hardware":{"zone":5}}})",
      Opts());
  ASSERT_FALSE(baddata.ok());
  EXPECT_NE(baddata.status().message().find("data.hardware.zone"),
            std::string::npos)
      << baddata.status().message();
}

}  // namespace
}  // namespace ecotone::adapters
