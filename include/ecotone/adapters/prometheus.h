// A client for the Prometheus HTTP API (instant queries and range queries),
// on libcurl. Used by `ecotone forecast --prometheus` (history) and the
// daemon's control loop (real-time metrics). See docs/prometheus.md.
// Thread-safe: a client holds only its options; each call uses its own
// connection.
#ifndef ECOTONE_ADAPTERS_PROMETHEUS_H_
#define ECOTONE_ADAPTERS_PROMETHEUS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::adapters {

// One series of a reply: its labels (including __name__ when present) and
// its points (unix seconds, value), oldest first. Values may be NaN or ±Inf
// as Prometheus sends them.
struct PromSeries {
  std::map<std::string, std::string> labels;
  std::vector<std::pair<double, double>> points;
  bool operator==(const PromSeries&) const = default;
};

struct PrometheusOptions {
  std::string url;            // base URL, e.g. "http://127.0.0.1:9090".
  double timeout_s = 10;      // per HTTP request, connect included.
  std::string bearer_token;   // sent as Authorization: Bearer when non-empty.
};

class PrometheusClient {
 public:
  explicit PrometheusClient(PrometheusOptions options);

  // /api/v1/query: one point per series (a scalar reply is one series with
  // no labels). `time_s` unset = the server's now.
  Result<std::vector<PromSeries>> Query(std::string_view promql,
                                        std::optional<double> time_s = std::nullopt) const;

  // /api/v1/query_range over [start_s, end_s] at step_s. Ranges of more than
  // kMaxPointsPerRequest steps are fetched in consecutive requests and the
  // series joined by their labels (Prometheus refuses more than 11,000
  // points per series in one reply).
  Result<std::vector<PromSeries>> QueryRange(std::string_view promql, double start_s,
                                             double end_s, double step_s) const;

  static constexpr int kMaxPointsPerRequest = 10'000;

  const PrometheusOptions& options() const { return options_; }

 private:
  Result<std::string> Post(std::string_view path,
                           const std::vector<std::pair<std::string, std::string>>& form,
                           std::string_view what) const;
  PrometheusOptions options_;
};

// Parses a reply of the Prometheus HTTP API (resultType matrix, vector or
// scalar). Errors: InvalidArgument for a reply with status "error" (its
// errorType and error), Corruption for anything that is not such a reply.
// `what` (e.g. the query) prefixes messages.
Result<std::vector<PromSeries>> ParsePrometheusReply(std::string_view body,
                                                     std::string_view what);

}  // namespace ecotone::adapters

#endif  // ECOTONE_ADAPTERS_PROMETHEUS_H_
