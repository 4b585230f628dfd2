// Metric query templates of the control loop (docs/serve.md, "Metric
// queries").
#include <yaml-cpp/yaml.h>

#include <set>

#include "ecotone/server/server.h"

namespace ecotone::server {
namespace {

const std::set<std::string>& Fields() {
  static const std::set<std::string> f = {"cpu_millicores", "memory_bytes",
                                          "requests_per_s", "latency_ms",
                                          "error_rate"};
  return f;
}

Location At(const std::string& file, const YAML::Node& n, std::string path) {
  YAML::Mark m = n.Mark();
  return Location{file, m.line + 1, m.column + 1, std::move(path)};
}

}  // namespace

std::vector<MetricQuery> DefaultMetricQueries() {
  const std::string sel = R"({ecosystem="{ecosystem}"})";
  return {
      {"cpu_millicores",
       "1000 * avg by (component) (rate(container_cpu_usage_seconds_total" +
           sel + "[5m]))",
       "component"},
      {"memory_bytes",
       "avg by (component) (container_memory_working_set_bytes" + sel + ")",
       "component"},
      {"requests_per_s",
       "sum by (component) (rate(http_requests_total" + sel + "[5m]))",
       "component"},
      {"latency_ms",
       "1000 * histogram_quantile(0.99, sum by (component, le) "
       "(rate(http_request_duration_seconds_bucket" +
           sel + "[5m])))",
       "component"},
      {"error_rate",
       R"(sum by (component) (rate(http_requests_total{ecosystem="{ecosystem}",code=~"5.."}[5m])) / )"
       "sum by (component) (rate(http_requests_total" +
           sel + "[5m]))",
       "component"},
  };
}

Result<std::vector<MetricQuery>> ReadMetricQueries(const std::string& file,
                                                   std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument(
        "not valid YAML/JSON: " + e.msg,
        Location{file, e.mark.line + 1, e.mark.column + 1, ""});
  }
  if (!root.IsMap() || !root["queries"])
    return Status::InvalidArgument("expected a map with key 'queries'",
                                   Location{file, 1, 1, ""});
  YAML::Node qs = root["queries"];
  if (!qs.IsSequence())
    return Status::InvalidArgument("expected a list", At(file, qs, "queries"));
  std::vector<MetricQuery> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < qs.size(); ++i) {
    const YAML::Node q = qs[i];
    std::string path = "queries[" + std::to_string(i) + "]";
    if (!q.IsMap())
      return Status::InvalidArgument("expected a map", At(file, q, path));
    MetricQuery mq;
    for (const auto& kv : q) {
      std::string key;
      try {
        key = kv.first.as<std::string>();
      } catch (const YAML::Exception&) {
        return Status::InvalidArgument("expected a string key",
                                       At(file, kv.first, path));
      }
      if (!kv.second.IsScalar())
        return Status::InvalidArgument("expected a string",
                                       At(file, kv.second, path + "." + key));
      std::string value = kv.second.as<std::string>();
      if (key == "field") {
        mq.field = value;
      } else if (key == "promql") {
        mq.promql = value;
      } else if (key == "label") {
        mq.label = value;
      } else {
        return Status::InvalidArgument(
            "unknown key '" + key + "' (expected field, promql, label)",
            At(file, kv.first, path + "." + key));
      }
    }
    if (!Fields().count(mq.field))
      return Status::InvalidArgument(
          "field must be one of cpu_millicores, memory_bytes, "
          "requests_per_s, latency_ms, error_rate",
          At(file, q, path + ".field"));
    if (mq.promql.empty())
      return Status::InvalidArgument("promql must not be empty",
                                     At(file, q, path + ".promql"));
    if (mq.label.empty())
      return Status::InvalidArgument("label must not be empty",
                                     At(file, q, path + ".label"));
    if (!seen.insert(mq.field).second)
      return Status::InvalidArgument("duplicate field '" + mq.field + "'",
                                     At(file, q, path + ".field"));
    out.push_back(std::move(mq));
  }
  return out;
}

}  // namespace ecotone::server
