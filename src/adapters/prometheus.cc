#include "ecotone/adapters/prometheus.h"

#include <curl/curl.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

namespace ecotone::adapters {
namespace {

using nlohmann::json;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Prometheus sends sample values as strings: "1.5", "NaN", "+Inf", "-Inf".
Result<double> Value(const json& v, const std::string& what) {
  if (!v.is_string()) return Status::Corruption(what + ": sample value is not a string");
  const std::string& s = v.get_ref<const std::string&>();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size())
    return Status::Corruption(what + ": sample value '" + s + "' is not a number");
  return d;
}

Result<std::pair<double, double>> Point(const json& p, const std::string& what) {
  if (!p.is_array() || p.size() != 2 || !p[0].is_number())
    return Status::Corruption(what + ": a sample is not [time, \"value\"]");
  ECOTONE_ASSIGN_OR_RETURN(double v, Value(p[1], what));
  return std::make_pair(p[0].get<double>(), v);
}

std::string Number(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", d);
  return buf;
}

}  // namespace

Result<std::vector<PromSeries>> ParsePrometheusReply(std::string_view body,
                                                     std::string_view what_view) {
  std::string what(what_view);
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Corruption(what + ": reply is not a JSON object");
  auto status = doc.find("status");
  if (status == doc.end() || !status->is_string())
    return Status::Corruption(what + ": reply has no status");
  if (*status == "error") {
    std::string type = doc.value("errorType", std::string("error"));
    std::string msg = doc.value("error", std::string("(no message)"));
    return Status::InvalidArgument(what + ": Prometheus says " + type + ": " + msg);
  }
  if (*status != "success") return Status::Corruption(what + ": reply status is not success");
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object())
    return Status::Corruption(what + ": reply has no data object");
  std::string type = data->value("resultType", std::string());
  auto result = data->find("result");
  if (result == data->end()) return Status::Corruption(what + ": reply has no data.result");
  std::vector<PromSeries> out;
  if (type == "scalar") {
    PromSeries s;
    ECOTONE_ASSIGN_OR_RETURN(auto p, Point(*result, what));
    s.points.push_back(p);
    out.push_back(std::move(s));
    return out;
  }
  if (type != "matrix" && type != "vector")
    return Status::Corruption(what + ": unsupported resultType '" + type + "'");
  if (!result->is_array()) return Status::Corruption(what + ": data.result is not an array");
  for (const json& item : *result) {
    if (!item.is_object()) return Status::Corruption(what + ": a result is not an object");
    PromSeries s;
    if (auto m = item.find("metric"); m != item.end() && m->is_object())
      for (const auto& [k, v] : m->items())
        if (v.is_string()) s.labels[k] = v.get<std::string>();
    if (type == "vector") {
      auto v = item.find("value");
      if (v == item.end()) return Status::Corruption(what + ": a vector result has no value");
      ECOTONE_ASSIGN_OR_RETURN(auto p, Point(*v, what));
      s.points.push_back(p);
    } else {
      auto vs = item.find("values");
      if (vs == item.end() || !vs->is_array())
        return Status::Corruption(what + ": a matrix result has no values array");
      s.points.reserve(vs->size());
      for (const json& p : *vs) {
        ECOTONE_ASSIGN_OR_RETURN(auto pt, Point(p, what));
        s.points.push_back(pt);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

PrometheusClient::PrometheusClient(PrometheusOptions options) : options_(std::move(options)) {
  while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
}

Result<std::string> PrometheusClient::Post(
    std::string_view path, const std::vector<std::pair<std::string, std::string>>& form,
    std::string_view what_view) const {
  GlobalInit();
  std::string what(what_view);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Status::Internal("curl_easy_init failed");
  std::string body;
  for (const auto& [k, v] : form) {
    if (!body.empty()) body += '&';
    char* ev = curl_easy_escape(curl.get(), v.data(), static_cast<int>(v.size()));
    body += k + "=" + ev;
    curl_free(ev);
  }
  std::string url = options_.url + std::string(path);
  std::string reply;
  struct curl_slist* headers = nullptr;
  if (!options_.bearer_token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + options_.bearer_token).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> hold(headers, curl_slist_free_all);
  long timeout_ms = static_cast<long>(std::ceil(options_.timeout_s * 1000));
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ACCEPT_ENCODING, "");
  if (headers != nullptr) curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK)
    return Status::Unavailable(what + ": Prometheus at " + options_.url + " unreachable: " +
                               curl_easy_strerror(rc));
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  if (code >= 500 && code != 503)
    return Status::Unavailable(what + ": Prometheus at " + options_.url + " answered HTTP " +
                               std::to_string(code));
  if (code != 200 && code != 400 && code != 422 && code != 503)
    return Status::Unavailable(what + ": Prometheus at " + options_.url + " answered HTTP " +
                               std::to_string(code) + " for " + std::string(path));
  return reply;  // 400/422/503 carry an error reply that the parser reports.
}

Result<std::vector<PromSeries>> PrometheusClient::Query(std::string_view promql,
                                                        std::optional<double> time_s) const {
  std::string what = "query '" + std::string(promql) + "'";
  std::vector<std::pair<std::string, std::string>> form{{"query", std::string(promql)}};
  if (time_s) form.emplace_back("time", Number(*time_s));
  ECOTONE_ASSIGN_OR_RETURN(std::string body, Post("/api/v1/query", form, what));
  return ParsePrometheusReply(body, what);
}

Result<std::vector<PromSeries>> PrometheusClient::QueryRange(std::string_view promql,
                                                             double start_s, double end_s,
                                                             double step_s) const {
  std::string what = "query_range '" + std::string(promql) + "'";
  if (!(step_s > 0) || !std::isfinite(step_s))
    return Status::InvalidArgument(what + ": step must be a positive number of seconds");
  if (!std::isfinite(start_s) || !std::isfinite(end_s) || end_s < start_s)
    return Status::InvalidArgument(what + ": end must not be before start");
  std::vector<PromSeries> out;
  std::map<std::map<std::string, std::string>, size_t> index;
  const double chunk = step_s * (kMaxPointsPerRequest - 1);
  for (double from = start_s; from <= end_s; from += chunk + step_s) {
    double to = std::min(end_s, from + chunk);
    ECOTONE_ASSIGN_OR_RETURN(
        std::string body,
        Post("/api/v1/query_range",
             {{"query", std::string(promql)}, {"start", Number(from)}, {"end", Number(to)},
              {"step", Number(step_s)}},
             what));
    ECOTONE_ASSIGN_OR_RETURN(auto part, ParsePrometheusReply(body, what));
    for (auto& s : part) {
      auto [it, fresh] = index.emplace(s.labels, out.size());
      if (fresh) {
        out.push_back(std::move(s));
      } else {
        auto& pts = out[it->second].points;
        pts.insert(pts.end(), s.points.begin(), s.points.end());
      }
    }
  }
  return out;
}

}  // namespace ecotone::adapters
