// Webhook payloads -> model::Event (docs/webhooks.md).
#include "ecotone/adapters/webhooks.h"

#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "ecotone/adapters/event_json.h"

namespace ecotone::adapters {
namespace {

using nlohmann::json;

Status Bad(const std::string& path, const std::string& msg) {
  return Status::InvalidArgument(msg, Location{"body", 0, 0, path});
}

Result<json> Parse(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions for the byte offset of the error.
    try {
      json unused = json::parse(body);
      (void)unused;
    } catch (const json::parse_error& e) {
      return Status::InvalidArgument(
          "malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what(),
          Location{"body", 0, 0, ""});
    } catch (const json::exception& e) {
      // out_of_range 406: a number literal beyond double (found by fuzzing).
      return Status::InvalidArgument(std::string("malformed JSON: ") + e.what(),
                                     Location{"body", 0, 0, ""});
    }
    return Status::InvalidArgument("malformed JSON",
                                   Location{"body", 0, 0, ""});
  }
  return j;
}

// The string at j[key], "" when absent; an error when present and not a
// string.
Result<std::string> Str(const json& j, const std::string& key,
                        const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Bad(path + key, "expected a string");
  return it->get<std::string>();
}

Result<int64_t> TimeOr(const std::string& text, int64_t fallback,
                       const std::string& path) {
  if (text.empty() || text.rfind("0001-01-01", 0) == 0) return fallback;
  auto t = ParseRfc3339(text);
  if (!t.ok()) return Bad(path, t.status().message());
  return *t;
}

std::string Get(const std::map<std::string, std::string>& m,
                std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = m.find(k);
    if (it != m.end() && !it->second.empty()) return it->second;
  }
  return "";
}

Result<std::map<std::string, std::string>> StringMap(const json& j,
                                                     const std::string& path) {
  std::map<std::string, std::string> m;
  if (j.is_null()) return m;
  if (!j.is_object()) return Bad(path, "expected an object");
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) {
      m[k] = v.get<std::string>();
    } else if (v.is_number() || v.is_boolean()) {
      m[k] = v.dump();
    } else if (!v.is_null()) {
      return Bad(path + "." + k, "expected a string");
    }
  }
  return m;
}

Result<model::AlertSeverity> Severity(const std::string& text,
                                      const std::string& path) {
  if (text.empty()) return model::AlertSeverity::kHigh;
  auto s = model::ParseAlertSeverity(text);
  if (!s) return Bad(path, "unknown severity '" + text + "'");
  return *s;
}

Result<int> Replica(const std::string& text, const std::string& path) {
  if (text.empty()) return -1;
  try {
    size_t used = 0;
    int r = std::stoi(text, &used);
    if (used != text.size() || r < 0) throw std::invalid_argument(text);
    return r;
  } catch (const std::exception&) {
    return Bad(path, "expected a replica number >= 0, got '" + text + "'");
  }
}

Result<std::vector<json>> OneOrMany(const json& j) {
  if (j.is_array()) return std::vector<json>(j.begin(), j.end());
  if (j.is_object()) return std::vector<json>{j};
  return Bad("", "expected an object or a list of objects");
}

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int Y, M, D, h, m, sec;
  auto bad = [&] {
    return Status::InvalidArgument("expected an RFC 3339 time, got '" +
                                   std::string(s) + "'");
  };
  if (!digits(0, 4, &Y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, &M) ||
      s[7] != '-' || !digits(8, 2, &D) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(11, 2, &h) ||
      s[13] != ':' || !digits(14, 2, &m) || s[16] != ':' ||
      !digits(17, 2, &sec))
    return bad();
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
    return bad();
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      frac_us += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(pos + 4, 2, &om))
      return bad();
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  int64_t t = timegm(&tm);
  return (t - offset_s) * 1'000'000 + frac_us;
}

Result<WebhookEvents> FromAlertmanager(std::string_view body,
                                       const WebhookOptions& options) {
  ECOTONE_ASSIGN_OR_RETURN(json root, Parse(body));
  if (!root.is_object())
    return Bad("", "expected an Alertmanager payload object");
  auto alerts = root.find("alerts");
  if (alerts == root.end() || !alerts->is_array())
    return Bad("alerts", "expected a list of alerts");
  WebhookEvents out;
  for (size_t i = 0; i < alerts->size(); ++i) {
    const json& a = (*alerts)[i];
    const std::string p = "alerts[" + std::to_string(i) + "]";
    if (!a.is_object()) return Bad(p, "expected an object");
    auto lit = a.find("labels");
    if (lit == a.end()) return Bad(p + ".labels", "missing");
    ECOTONE_ASSIGN_OR_RETURN(auto labels, StringMap(*lit, p + ".labels"));
    ECOTONE_ASSIGN_OR_RETURN(
        auto annotations,
        StringMap(a.value("annotations", json()), p + ".annotations"));
    ECOTONE_ASSIGN_OR_RETURN(std::string status, Str(a, "status", p + "."));
    if (status.empty()) {
      ECOTONE_ASSIGN_OR_RETURN(status, Str(root, "status", ""));
    }
    if (status != "firing" && status != "resolved")
      return Bad(p + ".status",
                 "expected firing or resolved, got '" + status + "'");
    const bool firing = status == "firing";
    ECOTONE_ASSIGN_OR_RETURN(std::string starts, Str(a, "startsAt", p + "."));
    ECOTONE_ASSIGN_OR_RETURN(std::string ends, Str(a, "endsAt", p + "."));
    ECOTONE_ASSIGN_OR_RETURN(int64_t t,
                             TimeOr(firing ? starts : ends, options.now_us,
                                    p + (firing ? ".startsAt" : ".endsAt")));

    model::Event e;
    e.time_us = t;
    e.source = "alertmanager";
    e.ecosystem =
        labels.count("ecosystem") ? labels["ecosystem"] : options.ecosystem;
    const std::string component = Get(labels, {"component", "service", "app"});
    const std::string zone =
        Get(labels, {"zone", "topology_kubernetes_io_zone"});
    const std::string rack = Get(labels, {"rack"});
    const std::string host = Get(labels, {"host", "node", "hostname"});
    const std::string name = Get(labels, {"alertname"});
    std::string kind = Get(labels, {"ecotone_event"});
    if (kind.empty()) {
      if (component.empty() && !zone.empty()) {
        kind = "hardware";
      } else {
        out.ignored.push_back(p + " (" + name +
                              "): no ecotone_event label and no zone");
        continue;
      }
    }
    const std::string lp = p + ".labels.";
    if (kind == "hardware") {
      if (zone.empty())
        return Bad(lp + "zone", "a hardware alert needs a zone label");
      e.kind = model::EventKind::kHardware;
      e.hardware.zone = zone;
      e.hardware.rack = rack;
      e.hardware.host = host;
      if (!host.empty() && rack.empty())
        return Bad(lp + "rack", "a host needs its rack label");
      std::string change = Get(labels, {"change"});
      if (!firing) {
        e.hardware.change = model::HardwareChange::kRecovered;
      } else if (change.empty()) {
        e.hardware.change = model::HardwareChange::kFailed;
      } else {
        auto c = model::ParseHardwareChange(change);
        if (!c) return Bad(lp + "change", "unknown change '" + change + "'");
        e.hardware.change = *c;
      }
      if (e.hardware.change == model::HardwareChange::kMaintenance) {
        std::string deadline = Get(annotations, {"deadline"});
        if (deadline.empty())
          return Bad(p + ".annotations.deadline",
                     "a maintenance alert needs a deadline (RFC 3339)");
        ECOTONE_ASSIGN_OR_RETURN(
            e.hardware.deadline_us,
            TimeOr(deadline, 0, p + ".annotations.deadline"));
      }
    } else if (kind == "security-alert") {
      if (!firing) {
        out.ignored.push_back(p + " (" + name + "): resolved security alert");
        continue;
      }
      if (component.empty())
        return Bad(lp + "component",
                   "a security alert needs a component label");
      e.kind = model::EventKind::kSecurityAlert;
      e.alert.component = component;
      ECOTONE_ASSIGN_OR_RETURN(
          e.alert.replica, Replica(Get(labels, {"replica"}), lp + "replica"));
      ECOTONE_ASSIGN_OR_RETURN(
          e.alert.severity,
          Severity(Get(labels, {"severity"}), lp + "severity"));
      e.alert.indicator = Get(annotations, {"summary", "description"});
      if (e.alert.indicator.empty()) e.alert.indicator = name;
      e.alert.source = "alertmanager";
    } else if (kind == "bug-report") {
      if (!firing) {
        out.ignored.push_back(p + " (" + name + "): resolved bug report");
        continue;
      }
      if (component.empty())
        return Bad(lp + "component", "a bug report needs a component label");
      e.kind = model::EventKind::kBugReport;
      e.bug.component = component;
      e.bug.version = Get(labels, {"version"});
      if (e.bug.version.empty())
        return Bad(lp + "version", "a bug report needs a version label");
      ECOTONE_ASSIGN_OR_RETURN(
          e.bug.severity, Severity(Get(labels, {"severity"}), lp + "severity"));
      e.bug.summary = Get(annotations, {"summary", "description"});
      if (e.bug.summary.empty()) e.bug.summary = name;
    } else {
      return Bad(lp + "ecotone_event",
                 "expected hardware, security-alert or bug-report, got '" +
                     kind + "'");
    }
    out.events.push_back(std::move(e));
  }
  return out;
}

Result<WebhookEvents> FromFalco(std::string_view body,
                                const WebhookOptions& options) {
  ECOTONE_ASSIGN_OR_RETURN(json root, Parse(body));
  ECOTONE_ASSIGN_OR_RETURN(auto items, OneOrMany(root));
  const bool many = root.is_array();
  WebhookEvents out;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& f = items[i];
    const std::string p = many ? "[" + std::to_string(i) + "]." : "";
    if (!f.is_object()) return Bad(p, "expected a Falco alert object");
    ECOTONE_ASSIGN_OR_RETURN(std::string rule, Str(f, "rule", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string priority, Str(f, "priority", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string output, Str(f, "output", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string time, Str(f, "time", p));
    if (rule.empty()) return Bad(p + "rule", "missing");
    if (priority.empty()) return Bad(p + "priority", "missing");
    ECOTONE_ASSIGN_OR_RETURN(
        auto fields,
        StringMap(f.value("output_fields", json()), p + "output_fields"));
    model::Event e;
    ECOTONE_ASSIGN_OR_RETURN(e.time_us,
                             TimeOr(time, options.now_us, p + "time"));
    e.source = "falco";
    e.kind = model::EventKind::kSecurityAlert;
    e.ecosystem = !options.ecosystem.empty() ? options.ecosystem
                                             : Get(fields, {"k8s.ns.name"});
    e.alert.component = Get(
        fields, {"k8s.pod.label.app.kubernetes.io/name", "k8s.pod.label.app",
                 "k8s.deployment.name", "container.name"});
    if (e.alert.component.empty())
      return Bad(p + "output_fields",
                 "names no component (k8s.pod.label.app.kubernetes.io/name, "
                 "k8s.pod.label.app, k8s.deployment.name or container.name)");
    ECOTONE_ASSIGN_OR_RETURN(e.alert.severity,
                             Severity(priority, p + "priority"));
    e.alert.indicator = rule;
    e.alert.source = "falco";
    out.events.push_back(std::move(e));
  }
  return out;
}

Result<WebhookEvents> FromCloudEvents(std::string_view body,
                                      const WebhookOptions& options) {
  ECOTONE_ASSIGN_OR_RETURN(json root, Parse(body));
  ECOTONE_ASSIGN_OR_RETURN(auto items, OneOrMany(root));
  const bool many = root.is_array();
  WebhookEvents out;
  static constexpr std::string_view kType = "io.ecotone.event";
  for (size_t i = 0; i < items.size(); ++i) {
    const json& c = items[i];
    const std::string p = many ? "[" + std::to_string(i) + "]." : "";
    if (!c.is_object()) return Bad(p, "expected a CloudEvent object");
    ECOTONE_ASSIGN_OR_RETURN(std::string spec, Str(c, "specversion", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string id, Str(c, "id", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string source, Str(c, "source", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string type, Str(c, "type", p));
    ECOTONE_ASSIGN_OR_RETURN(std::string time, Str(c, "time", p));
    if (spec != "1.0") return Bad(p + "specversion", "expected \"1.0\"");
    if (id.empty()) return Bad(p + "id", "missing");
    if (source.empty()) return Bad(p + "source", "missing");
    if (type.empty()) return Bad(p + "type", "missing");
    if (type.rfind(kType, 0) != 0 ||
        (type.size() > kType.size() && type[kType.size()] != '.')) {
      out.ignored.push_back(p + "id " + id + ": type '" + type + "' is not " +
                            std::string(kType) + "[.<kind>]");
      continue;
    }
    auto dit = c.find("data");
    if (dit == c.end() || !dit->is_object())
      return Bad(p + "data", "expected an object (an Ecotone event)");
    json data = *dit;
    if (!data.contains("kind") && type.size() > kType.size())
      data["kind"] = type.substr(kType.size() + 1);
    if (!data.contains("time_us") && !data.contains("time")) {
      ECOTONE_ASSIGN_OR_RETURN(int64_t t,
                               TimeOr(time, options.now_us, p + "time"));
      data["time_us"] = t;
    }
    if (!data.contains("ecosystem") && !options.ecosystem.empty())
      data["ecosystem"] = options.ecosystem;
    if (!data.contains("source")) data["source"] = "cloudevents:" + source;
    auto e = EventFromJson(data, p + "data");
    if (!e.ok()) return e.status();  // the message names the field path.
    out.events.push_back(std::move(*e));
  }
  return out;
}

}  // namespace ecotone::adapters
