// `ecotone serve`: the long-lived controller. An HTTP API over the store
// (ecosystems and their versions, diffs, impact sets, plans, actions,
// events), the webhooks real tools send (Alertmanager, Falco, CloudEvents),
// Prometheus metrics about itself (/metrics), health probes, and the control
// loop: every interval it pulls metrics from Prometheus with instant queries,
// feeds them and the received events to the engine, carries out the actions
// through an actuator and records them with their explanations and results.
// See docs/api.md (HTTP contract) and docs/serve.md (control loop, query
// templates, shutdown, restart).
#ifndef ECOTONE_SERVER_SERVER_H_
#define ECOTONE_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/engine/engine.h"
#include "ecotone/kubernetes/actuator.h"
#include "ecotone/model/topology.h"
#include "ecotone/store/store.h"

namespace ecotone::server {

// One PromQL template of the control loop: its result (an instant vector
// with one sample per component, the component named by `label`) fills
// `field` of model::MetricSample. `{ecosystem}` in `promql` is replaced by
// the ecosystem's name and `{interval}` by the loop interval ("15s").
struct MetricQuery {
  std::string field;  // cpu_millicores | memory_bytes | requests_per_s |
                      // latency_ms | error_rate
  std::string promql;
  std::string label = "component";
  bool operator==(const MetricQuery&) const = default;
};

// The templates used when no --queries file is given (docs/serve.md).
std::vector<MetricQuery> DefaultMetricQueries();

// Parses a query template file (YAML or JSON):
//   queries:
//     - {field: requests_per_s, promql: 'sum by (component) (...)', label:
//     component}
// kInvalidArgument naming file:line:column and the field path of a bad entry
// (unknown field name, empty promql, duplicate field).
Result<std::vector<MetricQuery>> ReadMetricQueries(const std::string& file,
                                                   std::string_view text);

struct ServerOptions {
  // Address to listen on. The default is loopback; anything else must be
  // asked for explicitly.
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: pick a free port (see Server::port()).
  // The bearer token every /v1 route requires. Must not be empty.
  std::string token;
  // Largest request body accepted; larger ones get 413 before being read.
  size_t max_body_bytes = 16 << 20;
  // HTTP worker threads.
  int threads = 16;
  // The infrastructure plans are computed on (POST .../plan) and the
  // engine's datacenter state is built from. Empty: planning is refused
  // with 412 and the engine does not run.
  std::optional<model::Topology> infra;
  // Base URL of Prometheus, e.g. http://127.0.0.1:9090. Empty: the control
  // loop runs without pulling metrics (it still processes events).
  std::string prometheus_url;
  std::vector<MetricQuery> queries = DefaultMetricQueries();
  // Control loop period in microseconds (> 0).
  int64_t interval_us = 15'000'000;
  // "sim" (apply to the daemon's in-memory datacenter state), "dry-run"
  // (record only) or "kubernetes" (kubectl; see `kubernetes`).
  std::string actuator = "sim";
  // For actuator "kubernetes": kubectl (kubeconfig, retries), dry run
  // (--dry-run=server) or diff mode, and the base emission options
  // (namespace). work_dir must be set: the objects of the actions of event
  // E go to work_dir/event-E-<time_us>/. emit.topology is set by the loop.
  kubernetes::ActuatorOptions kubernetes;
  // The user's own Kubernetes objects (kubernetes::ReadSourceObjects of the
  // files given with --kube-manifests): components read from Kubernetes
  // manifests are emitted as partial objects of these, keeping the user's
  // fields. Empty: such components' actions fail (and are recorded).
  std::vector<kubernetes::SourceObject> kube_sources;
  // The reconfiguration policy. Null: events are observed and stored, no
  // actions are decided. Not owned; must outlive the server.
  const engine::Policy* policy = nullptr;
  // Placement defaults for POST .../plan.
  std::string solver = "heuristic";
  double plan_time_limit_s = 10;
  int64_t plan_iterations = 20000;
  // The clock (unix microseconds). Empty = the system clock.
  std::function<int64_t()> now_us;
};

// The daemon. Thread-safe: Stop() may be called from any thread while Run()
// blocks in another.
class Server {
 public:
  virtual ~Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound (useful with ServerOptions::port == 0).
  virtual int port() const = 0;
  // Serves HTTP and runs the control loop until Stop(). Returns OK after a
  // graceful stop: no new connections accepted, requests already accepted
  // answered (their writes committed), the control loop's current tick
  // finished. kIOError when serving failed.
  virtual Status Run() = 0;
  // Asks Run() to stop and return (idempotent).
  virtual void Stop() = 0;

 protected:
  Server() = default;
};

// Creates the server over `store` (not owned; must outlive the server) and
// binds the listening socket. Errors: kInvalidArgument for bad options
// (empty token, unknown actuator, interval <= 0), kIOError when the address
// cannot be bound.
Result<std::unique_ptr<Server>> NewServer(ServerOptions options,
                                          store::Store* store);

// Compares two secrets in time that depends only on their lengths, not on
// where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_SERVER_H_
