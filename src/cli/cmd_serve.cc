// `ecotone serve`: the long-lived controller (docs/serve.md, docs/api.md).
#include <pthread.h>
#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "ecotone/engine/ecotone_policy.h"
#include "ecotone/kubernetes/actuator.h"
#include "ecotone/manifest/infra.h"
#include "ecotone/model/units.h"
#include "ecotone/server/server.h"
#include "ecotone/store/store.h"

namespace ecotone::cli {
namespace {

struct ServeFlags {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string token_file;
  std::string prometheus;
  std::string actuator = "sim";
  std::string interval = "15s";
  std::string infra;
  std::string queries;
  std::string max_body = "16Mi";
  int threads = 16;
  std::string policy = "ecotone";
  // --actuator kubernetes (docs/serve.md, "Kubernetes").
  std::string kubeconfig;
  std::string kube_dry_run;
  bool kube_diff = false;
  std::string kube_namespace;
  std::string kube_work_dir;
  std::string kube_request_timeout = "30s";
  int kube_max_attempts = 5;
  std::vector<std::string> kube_manifests;
};

Result<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + what + " '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "host:port" or "[v6]:port".
Status ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Status::InvalidArgument("--listen: expected HOST:PORT, got '" +
                                   text + "'");
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  try {
    size_t used = 0;
    *port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || *port < 0 || *port > 65535)
      throw std::out_of_range(text);
  } catch (const std::exception&) {
    return Status::InvalidArgument("--listen: bad port in '" + text + "'");
  }
  return Status::Ok();
}

int RunServe(const ServeFlags& f) {
  server::ServerOptions o;
  if (Status st = ParseListen(f.listen, &o.host, &o.port); !st.ok())
    return ReportError(st);
  auto token = ReadFile(f.token_file, "--token-file");
  if (!token.ok()) return ReportError(token.status());
  std::string t = *token;
  while (!t.empty() &&
         (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
    t.pop_back();
  if (t.empty())
    return ReportError(Status::InvalidArgument("--token-file '" + f.token_file +
                                               "' holds no token"));
  o.token = t;
  auto interval = model::ParseDurationMicros(f.interval);
  if (!interval.ok() || *interval <= 0)
    return ReportError(Status::InvalidArgument(
        "--interval: expected a positive duration such as 15s, got '" +
        f.interval + "'"));
  o.interval_us = *interval;
  auto max_body = model::ParseBytes(f.max_body);
  if (!max_body.ok() || *max_body <= 0)
    return ReportError(
        Status::InvalidArgument("--max-body: expected a size such as 16Mi"));
  o.max_body_bytes = static_cast<size_t>(*max_body);
  o.actuator = f.actuator;
  o.prometheus_url = f.prometheus;
  o.threads = f.threads;
  if (!f.infra.empty()) {
    auto topo = manifest::LoadInfraFile(f.infra);
    if (!topo.ok()) return ReportError(topo.status());
    o.infra = std::move(*topo);
  }
  if (!f.queries.empty()) {
    auto text = ReadFile(f.queries, "--queries");
    if (!text.ok()) return ReportError(text.status());
    auto q = server::ReadMetricQueries(f.queries, *text);
    if (!q.ok()) return ReportError(q.status());
    o.queries = std::move(*q);
  }

  if (f.actuator == "kubernetes") {
    if (f.kubeconfig.empty())
      return ReportError(Status::InvalidArgument(
          "--actuator kubernetes needs --kubeconfig FILE"));
    if (auto k = ReadFile(f.kubeconfig, "--kubeconfig"); !k.ok())
      return ReportError(Status::InvalidArgument(k.status().message()));
    auto rt = model::ParseDurationMicros(f.kube_request_timeout);
    if (!rt.ok() || *rt < 1000)
      return ReportError(Status::InvalidArgument(
          "--kube-request-timeout: expected a duration of at least 1ms, got '" +
          f.kube_request_timeout + "'"));
    kubernetes::ActuatorOptions& k = o.kubernetes;
    k.kubectl.kubeconfig = f.kubeconfig;
    k.kubectl.request_timeout_ms = *rt / 1000;
    // The whole process may take the request timeout plus kubectl's own
    // start-up and discovery.
    k.kubectl.process_timeout_ms = 2 * (*rt / 1000) + 30000;
    k.kubectl.max_attempts = f.kube_max_attempts;
    k.dry_run = f.kube_dry_run == "server" ? kubernetes::DryRun::kServer
                                           : kubernetes::DryRun::kNone;
    k.diff = f.kube_diff;
    k.emit.namespace_name = f.kube_namespace;
    k.work_dir = f.kube_work_dir.empty() ? f.db + ".kubernetes" : f.kube_work_dir;
    if (!f.kube_manifests.empty()) {
      auto sources = kubernetes::ReadSourceObjects(f.kube_manifests);
      if (!sources.ok()) return ReportError(sources.status());
      o.kube_sources = std::move(*sources);
    }
  } else if (!f.kubeconfig.empty() || !f.kube_dry_run.empty() || f.kube_diff ||
             !f.kube_namespace.empty() || !f.kube_manifests.empty()) {
    return ReportError(Status::InvalidArgument(
        "--kubeconfig, --kube-dry-run, --kube-diff, --namespace and "
        "--kube-manifests need --actuator kubernetes"));
  }

  std::unique_ptr<engine::Policy> policy;
  if (f.policy == "ecotone") policy = engine::MakeEcotonePolicy();
  o.policy = policy.get();

  store::StoreOptions so;
  auto store = store::OpenSqlite(so, f.db);
  if (!store.ok()) return ReportError(store.status());

  // SIGTERM/SIGINT are handled by one thread with sigwait; every other
  // thread (HTTP workers, control loop) inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto srv = server::NewServer(std::move(o), store->get());
  if (!srv.ok()) return ReportError(srv.status());
  server::Server* s = srv->get();
  std::cerr << "ecotone serve: listening on http://"
            << f.listen.substr(0, f.listen.rfind(':')) << ":" << s->port()
            << " (db " << f.db << ", actuator " << f.actuator << ")"
            << std::endl;
  std::thread waiter([&signals, s] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::cerr << "ecotone serve: signal " << sig
              << ", finishing accepted requests" << std::endl;
    s->Stop();
  });
  Status st = s->Run();
  // Wake the waiter if Run() ended on its own.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  srv->reset();
  store->reset();
  if (!st.ok()) return ReportError(st);
  std::cerr << "ecotone serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* c = app.add_subcommand(
      "serve",
      "Run the controller: HTTP API, webhooks, /metrics and the control loop");
  c->add_option("--db", f->db, "SQLite store file (created if missing)")
      ->required();
  c->add_option("--listen", f->listen,
                "HOST:PORT to listen on (default 127.0.0.1:8080, loopback)");
  c->add_option("--token-file", f->token_file,
                "File holding the bearer token every /v1 route requires")
      ->required();
  c->add_option("--prometheus", f->prometheus,
                "Prometheus base URL for the control loop's instant queries");
  c->add_option("--actuator", f->actuator,
                "sim | dry-run | kubernetes (default sim)")
      ->check(CLI::IsMember({"sim", "dry-run", "kubernetes"}));
  c->add_option("--kubeconfig", f->kubeconfig,
                "kubeconfig of the cluster (--actuator kubernetes)");
  c->add_option("--kube-dry-run", f->kube_dry_run,
                "server: every mutating kubectl call with --dry-run=server")
      ->check(CLI::IsMember({"server"}));
  c->add_flag("--kube-diff", f->kube_diff,
              "kubectl diff instead of any change (what would change)");
  c->add_option("--namespace", f->kube_namespace,
                "Namespace of the objects of components not read from "
                "Kubernetes (default: the kubeconfig's)");
  c->add_option("--kube-work-dir", f->kube_work_dir,
                "Where the objects of each action are written (default "
                "DB.kubernetes)");
  c->add_option("--kube-request-timeout", f->kube_request_timeout,
                "kubectl --request-timeout per call (default 30s)");
  c->add_option("--kube-manifests", f->kube_manifests,
                "The Kubernetes manifests the ecosystems were read from: "
                "their workloads are patched, keeping the user's fields "
                "(--actuator kubernetes)");
  c->add_option("--kube-max-attempts", f->kube_max_attempts,
                "Attempts per kubectl call, retries with backoff where safe "
                "(default 5)")
      ->check(CLI::Range(1, 20));
  c->add_option("--interval", f->interval, "Control loop period (default 15s)");
  c->add_option("--infra", f->infra,
                "Infrastructure file (docs/infra.md) for plans and the engine");
  c->add_option(
      "--queries", f->queries,
      "PromQL templates per metric (docs/serve.md); default built in");
  c->add_option("--max-body", f->max_body,
                "Largest request body (default 16Mi)");
  c->add_option("--threads", f->threads, "HTTP worker threads (default 16)")
      ->check(CLI::Range(1, 1024));
  c->add_option("--policy", f->policy,
                "Reconfiguration policy: ecotone | none (observe and record "
                "events only; default ecotone)")
      ->check(CLI::IsMember({"ecotone", "none"}));
  c->callback([f, exit_code] { *exit_code = RunServe(*f); });
}

}  // namespace ecotone::cli
