#include "metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace ecotone::server {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Latency buckets from 100 us to 10 s.
Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(BuildCounter()
                    .Name("ecotone_http_requests_total")
                    .Help("HTTP requests by route pattern, method and status")
                    .Register(*registry_)),
      request_seconds_(BuildHistogram()
                           .Name("ecotone_http_request_duration_seconds")
                           .Help("HTTP request handling time by route")
                           .Register(*registry_)),
      events_(BuildCounter()
                  .Name("ecotone_events_total")
                  .Help("Events stored, by source and kind")
                  .Register(*registry_)),
      actions_(BuildCounter()
                   .Name("ecotone_actions_total")
                   .Help("Actions decided, by kind and result")
                   .Register(*registry_)),
      decision_seconds_(BuildHistogram()
                            .Name("ecotone_decision_duration_seconds")
                            .Help("Engine Observe+Decide time per event")
                            .Register(*registry_)
                            .Add({}, LatencyBuckets())),
      plan_cost_(BuildGauge()
                     .Name("ecotone_plan_cost_per_hour")
                     .Help("Total cost of the latest committed plan, per hour")
                     .Register(*registry_)),
      ticks_(BuildCounter()
                 .Name("ecotone_control_loop_ticks_total")
                 .Help("Control loop iterations")
                 .Register(*registry_)
                 .Add({})),
      tick_seconds_(BuildHistogram()
                        .Name("ecotone_control_loop_tick_duration_seconds")
                        .Help("Time of one control loop iteration")
                        .Register(*registry_)
                        .Add({}, LatencyBuckets())),
      prometheus_errors_(BuildCounter()
                             .Name("ecotone_prometheus_query_errors_total")
                             .Help("Failed Prometheus instant queries")
                             .Register(*registry_)
                             .Add({})),
      engine_errors_(BuildCounter()
                         .Name("ecotone_engine_errors_total")
                         .Help("Events the engine state could not absorb")
                         .Register(*registry_)
                         .Add({})) {}

void ServerMetrics::Request(std::string_view route, std::string_view method,
                            int status, double seconds) {
  requests_
      .Add({{"route", std::string(route)},
            {"method", std::string(method)},
            {"code", std::to_string(status)}})
      .Increment();
  request_seconds_.Add({{"route", std::string(route)}}, LatencyBuckets())
      .Observe(seconds);
}

void ServerMetrics::Event(std::string_view source, std::string_view kind) {
  events_.Add({{"source", std::string(source)}, {"kind", std::string(kind)}})
      .Increment();
}

void ServerMetrics::Action(std::string_view kind, std::string_view result) {
  actions_.Add({{"kind", std::string(kind)}, {"result", std::string(result)}})
      .Increment();
}

void ServerMetrics::Decision(double seconds) {
  decision_seconds_.Observe(seconds);
}

void ServerMetrics::PlanCost(std::string_view ecosystem, double cost) {
  plan_cost_.Add({{"ecosystem", std::string(ecosystem)}}).Set(cost);
}

void ServerMetrics::Tick(double seconds) {
  ticks_.Increment();
  tick_seconds_.Observe(seconds);
}

void ServerMetrics::PrometheusError() { prometheus_errors_.Increment(); }
void ServerMetrics::EngineError() { engine_errors_.Increment(); }

std::string ServerMetrics::Serialize() const {
  std::ostringstream os;
  prometheus::TextSerializer().Serialize(os, registry_->Collect());
  return os.str();
}

}  // namespace ecotone::server
