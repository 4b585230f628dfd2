// The daemon's own Prometheus metrics (served at GET /metrics), built with
// prometheus-cpp. Thread-safe: prometheus-cpp metrics are atomic and family
// lookups (Add) lock internally.
#ifndef ECOTONE_SERVER_METRICS_H_
#define ECOTONE_SERVER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace ecotone::server {

class ServerMetrics {
 public:
  ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // route is the route pattern (e.g. "/v1/ecosystems/{name}"), never the
  // raw path, so label cardinality stays bounded.
  void Request(std::string_view route, std::string_view method, int status,
               double seconds);
  void Event(std::string_view source, std::string_view kind);
  void Action(std::string_view kind, std::string_view result);
  void Decision(double seconds);
  void PlanCost(std::string_view ecosystem, double cost_per_hour);
  void Tick(double seconds);
  void PrometheusError();
  void EngineError();

  // The text exposition format (version 0.0.4) of every metric.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& actions_;
  prometheus::Histogram& decision_seconds_;
  prometheus::Family<prometheus::Gauge>& plan_cost_;
  prometheus::Counter& ticks_;
  prometheus::Histogram& tick_seconds_;
  prometheus::Counter& prometheus_errors_;
  prometheus::Counter& engine_errors_;
};

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_METRICS_H_
