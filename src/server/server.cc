// The HTTP side of `ecotone serve` (docs/api.md).
#include "ecotone/server/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "control_loop.h"
#include "ecotone/graph/diff.h"
#include "ecotone/jsonio/ecosystem_json.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "event_committer.h"
#include "metrics.h"
#include "webhook_routes.h"

namespace ecotone::server {
namespace {

using nlohmann::json;

// Per-request bookkeeping for /metrics: set by the route wrapper (or the
// auth check) and read by the logger, which runs on the same worker thread
// after the response is ready.
thread_local std::string tl_route;
thread_local std::chrono::steady_clock::time_point tl_start;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The kubernetes actuator's record inside an action's result text
// ("applied: kubernetes {...}", "failed: unavailable: kubectl failed:
// {...}"): the JSON object from the first '{', or null for results of the
// other actuators.
json ActuationOf(const std::string& result) {
  size_t brace = result.find('{');
  if (brace == std::string::npos) return nullptr;
  json j = json::parse(result.begin() + static_cast<std::ptrdiff_t>(brace),
                       result.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("calls"))
    return nullptr;
  return j;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(Dump(body) + "\n", "application/json");
}

// {"error": {"code", "message", "field", "file", "line", "column"}}.
void SendError(httplib::Response& res, int http_status, const Status& st) {
  json e = {{"code", StatusCodeName(st.code())}, {"message", st.message()}};
  const Location& w = st.where();
  if (!w.path.empty()) {
    e["field"] = w.path;
  } else if (size_t colon = st.message().find(": ");
             colon != std::string::npos && colon > 0 &&
             st.message().find(' ') > colon) {
    // The event codec writes "body.hardware.zone: expected a string".
    e["field"] = st.message().substr(0, colon);
  }
  if (!w.file.empty()) e["file"] = w.file;
  if (w.line > 0) e["line"] = w.line;
  if (w.column > 0) e["column"] = w.column;
  SendJson(res, http_status, json{{"error", std::move(e)}});
}

void SendStatus(httplib::Response& res, const Status& st) {
  SendError(res, HttpStatusFor(st.code()), st);
}

Status BadParam(const std::string& name, const std::string& msg) {
  return Status::InvalidArgument(msg, Location{"", 0, 0, name});
}

// Names from the URL: the store checks them too, but the field named in
// the error should be the URL part.
Status CheckName(const std::string& field, const std::string& name) {
  if (name.empty()) return BadParam(field, "must not be empty");
  if (name.size() > store::kMaxNameBytes)
    return BadParam(field, "longer than " +
                               std::to_string(store::kMaxNameBytes) + " bytes");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      return BadParam(field, "contains a control character");
  return Status::Ok();
}

Result<std::optional<int64_t>> IntParam(const httplib::Request& req,
                                        const std::string& name,
                                        int64_t min_value) {
  if (!req.has_param(name.c_str())) return std::optional<int64_t>();
  std::string v = req.get_param_value(name.c_str());
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    if (n < min_value)
      return BadParam(name, "must be >= " + std::to_string(min_value));
    return std::optional<int64_t>(n);
  } catch (const std::exception&) {
    return BadParam(name, "expected an integer, got '" + v + "'");
  }
}

json VersionJson(const store::VersionInfo& v) {
  return {{"version", v.version},
          {"created_at_us", v.created_at_us},
          {"label", v.label},
          {"source_format", v.source_format},
          {"components", v.component_count},
          {"dependencies", v.edge_count}};
}

json ChangesJson(const std::vector<graph::FieldChange>& changes) {
  json a = json::array();
  for (const auto& c : changes)
    a.push_back(
        {{"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
  return a;
}

json EdgeJson(const graph::EdgeKey& k) {
  return {{"from", k.from},
          {"to", k.to},
          {"kind", model::DependencyKindName(k.kind)}};
}

json DiffJson(const graph::EcosystemDiff& d) {
  json changed = json::array();
  for (const auto& c : d.changed_components)
    changed.push_back({{"name", c.name}, {"changes", ChangesJson(c.changes)}});
  json added = json::array(), removed = json::array(), echanged = json::array();
  for (const auto& k : d.added_edges) added.push_back(EdgeJson(k));
  for (const auto& k : d.removed_edges) removed.push_back(EdgeJson(k));
  for (const auto& c : d.changed_edges) {
    json e = EdgeJson(c.key);
    e["changes"] = ChangesJson(c.changes);
    echanged.push_back(std::move(e));
  }
  return {{"identical", d.empty()},
          {"ecosystem_changes", ChangesJson(d.ecosystem_changes)},
          {"added_components", d.added_components},
          {"removed_components", d.removed_components},
          {"changed_components", std::move(changed)},
          {"added_dependencies", std::move(added)},
          {"removed_dependencies", std::move(removed)},
          {"changed_dependencies", std::move(echanged)}};
}

json AssignmentsJson(const model::PlacementPlan& plan) {
  json as = json::array();
  for (const auto& a : plan.assignments) {
    json e = {
        {"component", a.component}, {"replica", a.replica}, {"zone", a.zone}};
    if (!a.rack.empty()) e["rack"] = a.rack;
    if (!a.host.empty()) e["host"] = a.host;
    as.push_back(std::move(e));
  }
  return as;
}

json DeltaJson(const model::PlanDelta& d) {
  json moves = json::array(), added = json::array(), removed = json::array();
  for (const auto& m : d.moves)
    moves.push_back({{"component", m.component},
                     {"replica", m.replica},
                     {"from", m.from},
                     {"to", m.to}});
  for (const auto& a : d.added)
    added.push_back({{"component", a.component},
                     {"replica", a.replica},
                     {"to", a.PlaceString()}});
  for (const auto& a : d.removed)
    removed.push_back({{"component", a.component},
                       {"replica", a.replica},
                       {"from", a.PlaceString()}});
  return {{"moves", std::move(moves)},
          {"added", std::move(added)},
          {"removed", std::move(removed)}};
}

json PlanRecordJson(const store::PlanRecord& p) {
  json j = {{"plan_id", p.id},
            {"ecosystem", p.ecosystem},
            {"ecosystem_version", p.ecosystem_version},
            {"parent_id", p.parent_id ? json(*p.parent_id) : json(nullptr)},
            {"created_at_us", p.created_at_us},
            {"infra", p.plan.infra},
            {"metadata", p.plan.metadata},
            {"assignments", AssignmentsJson(p.plan)},
            {"delta", DeltaJson(p.delta)}};
  return j;
}

json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

// Cost lines of scorer plugins that are not built in, by name.
json PluginCosts(const placement::CostTerms& c) {
  json j = json::object();
  for (const auto& [name, v] : c.plugins) j[name] = Num(v);
  return j;
}

json PayloadOrString(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return text;
  return j;
}

class ServerImpl : public Server {
 public:
  ServerImpl(ServerOptions options, store::Store* store)
      : options_(std::move(options)), store_(store) {}

  Status Init();
  int port() const override { return port_; }
  Status Run() override;
  void Stop() override;

 private:
  using Handler =
      std::function<void(const httplib::Request&, httplib::Response&)>;
  // Registers `fn` for METHOD PATTERN, measured under `route` in /metrics,
  // with exceptions turned into 500.
  void Route(const std::string& method, const std::string& pattern,
             const std::string& route, Handler fn);

  void PutEcosystem(const httplib::Request& req, httplib::Response& res);
  void GetEcosystem(const httplib::Request& req, httplib::Response& res);
  void ListEcosystems(const httplib::Request& req, httplib::Response& res);
  void ListVersions(const httplib::Request& req, httplib::Response& res);
  void Diff(const httplib::Request& req, httplib::Response& res);
  void Impact(const httplib::Request& req, httplib::Response& res);
  void PostPlan(const httplib::Request& req, httplib::Response& res);
  void GetPlan(const httplib::Request& req, httplib::Response& res);
  void ListActions(const httplib::Request& req, httplib::Response& res);
  // Stores every event (in order) and queues them for the engine; replies
  // 202 with their ids. Nothing is stored when an event is invalid.
  void Accept(std::vector<model::Event> events, httplib::Response& res);
  void Webhook(const httplib::Request& req, httplib::Response& res,
               WebhookFormat format);

  int64_t Now() const {
    if (options_.now_us) return options_.now_us();
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  const ServerOptions options_;
  store::Store* const store_;
  ServerMetrics metrics_;
  httplib::Server http_;
  std::unique_ptr<ControlLoop> loop_;
  std::unique_ptr<EventCommitter> committer_;
  int port_ = 0;
  int listen_fd_ = -1;  // the listening socket, to widen its backlog.
  std::atomic<bool> stopping_{false};
  // POST .../plan computes from the latest plan and commits its child; one
  // at a time per daemon keeps parent links linear.
  std::mutex plan_mu_;
};

void ServerImpl::Route(const std::string& method, const std::string& pattern,
                       const std::string& route, Handler fn) {
  auto wrapped = [this, route, fn = std::move(fn)](const httplib::Request& req,
                                                   httplib::Response& res) {
    tl_route = route;
    try {
      fn(req, res);
    } catch (const std::exception& e) {
      SendStatus(res, Status::Internal(std::string("unexpected: ") + e.what()));
    }
  };
  if (method == "GET")
    http_.Get(pattern, wrapped);
  else if (method == "PUT")
    http_.Put(pattern, wrapped);
  else if (method == "POST")
    http_.Post(pattern, wrapped);
}

Status ServerImpl::Init() {
  if (options_.token.empty())
    return Status::InvalidArgument("the bearer token must not be empty");
  if (options_.actuator != "sim" && options_.actuator != "dry-run" &&
      options_.actuator != "kubernetes")
    return Status::InvalidArgument(
        "actuator must be sim, dry-run or kubernetes, not '" +
        options_.actuator + "'");
  if (options_.actuator == "kubernetes" &&
      options_.kubernetes.work_dir.empty())
    return Status::InvalidArgument(
        "actuator kubernetes needs a work directory for its objects");
  if (options_.interval_us <= 0)
    return Status::InvalidArgument("interval must be > 0");
  if (options_.threads < 1)
    return Status::InvalidArgument("threads must be >= 1");

  const int threads = options_.threads;
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_payload_max_length(options_.max_body_bytes);
  http_.set_keep_alive_max_count(1000);
  // Responses are written as headers then body: without TCP_NODELAY, Nagle
  // and delayed ACKs add ~40 ms to every keep-alive request.
  http_.set_tcp_nodelay(true);
  // cpp-httplib 0.11 listens with a backlog of 5: a burst of new
  // connections (50 clients connecting at once) overflows it and the
  // kernel drops SYNs, which clients retry after 1, 3, 7... s. Record the
  // listening socket here and widen the backlog after bind (Linux accepts a
  // second listen() on a listening socket). SO_REUSEADDR for quick
  // restarts, and not httplib's default SO_REUSEPORT: a second daemon on the
  // same port must fail, not share the port.
  http_.set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });
  http_.set_read_timeout(30, 0);
  http_.set_write_timeout(30, 0);

  http_.set_pre_routing_handler([this](const httplib::Request& req,
                                       httplib::Response& res) {
    tl_start = std::chrono::steady_clock::now();
    tl_route = "unmatched";
    if (req.path.rfind("/v1/", 0) != 0)
      return httplib::Server::HandlerResponse::Unhandled;
    std::string auth = req.get_header_value("Authorization");
    static constexpr std::string_view kBearer = "Bearer ";
    bool ok = auth.size() > kBearer.size() &&
              std::string_view(auth).substr(0, kBearer.size()) == kBearer &&
              ConstantTimeEquals(std::string_view(auth).substr(kBearer.size()),
                                 options_.token);
    if (ok) {
      // cpp-httplib 0.11 waits for a body on a POST without Content-Length
      // (what `curl -X POST` sends) and then answers 400; POST .../plan has
      // no body, so it is served here, before anything is read.
      static const std::regex kPlan(R"(/v1/ecosystems/([^/]+)/plan)");
      std::smatch m;
      if (req.method == "POST" && !req.has_header("Content-Length") &&
          !req.has_header("Transfer-Encoding") &&
          std::regex_match(req.path, m, kPlan)) {
        httplib::Request copy = req;
        copy.matches = m;
        tl_route = "/v1/ecosystems/{name}/plan";
        try {
          PostPlan(copy, res);
        } catch (const std::exception& e) {
          SendStatus(res,
                     Status::Internal(std::string("unexpected: ") + e.what()));
        }
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    }
    tl_route = "unauthorized";
    res.set_header("WWW-Authenticate", "Bearer");
    // The body (if any) is not read: close the connection after this.
    res.set_header("Connection", "close");
    SendError(
        res, 401,
        Status(StatusCode::kInvalidArgument, "missing or wrong bearer token",
               Location{"", 0, 0, "Authorization"}));
    return httplib::Server::HandlerResponse::Handled;
  });
  http_.set_logger([this](const httplib::Request& req,
                          const httplib::Response& res) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             tl_start)
                   .count();
    metrics_.Request(tl_route.empty() ? "unmatched" : tl_route, req.method,
                     res.status, s);
    tl_route.clear();
  });
  http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler already wrote an error.
    std::string msg = res.status == 413   ? "request body too large"
                      : res.status == 404 ? "no such route"
                      : res.status == 400
                          ? "malformed HTTP request (a POST or PUT body needs "
                            "Content-Length or chunked transfer encoding)"
                          : "request failed";
    SendError(res, res.status,
              Status(res.status == 404 ? StatusCode::kNotFound
                                       : StatusCode::kInvalidArgument,
                     msg));
  });

  // Probes and metrics (no token: probes come from kubelets and scrapers).
  Route("GET", "/healthz", "/healthz",
        [](const httplib::Request&, httplib::Response& res) {
          res.set_content("ok\n", "text/plain");
        });
  Route("GET", "/readyz", "/readyz",
        [this](const httplib::Request&, httplib::Response& res) {
          if (stopping_) {
            res.status = 503;
            res.set_content("stopping\n", "text/plain");
            return;
          }
          auto list = store_->ListEcosystems();
          if (!list.ok()) {
            res.status = 503;
            res.set_content("store: " + list.status().ToString() + "\n",
                            "text/plain");
            return;
          }
          res.set_content("ok\n", "text/plain");
        });
  Route("GET", "/metrics", "/metrics",
        [this](const httplib::Request&, httplib::Response& res) {
          res.set_content(metrics_.Serialize(),
                          "text/plain; version=0.0.4; charset=utf-8");
        });

  using R = const httplib::Request&;
  using W = httplib::Response&;
  Route("GET", "/v1/ecosystems", "/v1/ecosystems",
        [this](R q, W w) { ListEcosystems(q, w); });
  Route("PUT", R"(/v1/ecosystems/([^/]+))", "/v1/ecosystems/{name}",
        [this](R q, W w) { PutEcosystem(q, w); });
  Route("GET", R"(/v1/ecosystems/([^/]+))", "/v1/ecosystems/{name}",
        [this](R q, W w) { GetEcosystem(q, w); });
  Route("GET", R"(/v1/ecosystems/([^/]+)/versions)",
        "/v1/ecosystems/{name}/versions",
        [this](R q, W w) { ListVersions(q, w); });
  Route("GET", R"(/v1/ecosystems/([^/]+)/diff)", "/v1/ecosystems/{name}/diff",
        [this](R q, W w) { Diff(q, w); });
  Route("GET", R"(/v1/ecosystems/([^/]+)/components/([^/]+)/impact)",
        "/v1/ecosystems/{name}/components/{c}/impact",
        [this](R q, W w) { Impact(q, w); });
  Route("POST", R"(/v1/ecosystems/([^/]+)/plan)", "/v1/ecosystems/{name}/plan",
        [this](R q, W w) { PostPlan(q, w); });
  Route("GET", R"(/v1/ecosystems/([^/]+)/plan)", "/v1/ecosystems/{name}/plan",
        [this](R q, W w) { GetPlan(q, w); });
  Route("GET", R"(/v1/ecosystems/([^/]+)/actions)",
        "/v1/ecosystems/{name}/actions",
        [this](R q, W w) { ListActions(q, w); });
  Route("POST", "/v1/events", "/v1/events", [this](R q, W w) {
    auto events = ParseEventsBody(q.body);
    if (!events.ok()) return SendStatus(w, events.status());
    for (auto& e : *events)
      if (e.source.empty()) e.source = "api";
    Accept(std::move(*events), w);
  });
  Route("POST", "/v1/webhooks/alertmanager", "/v1/webhooks/alertmanager",
        [this](R q, W w) { Webhook(q, w, WebhookFormat::kAlertmanager); });
  Route("POST", "/v1/webhooks/falco", "/v1/webhooks/falco",
        [this](R q, W w) { Webhook(q, w, WebhookFormat::kFalco); });
  Route("POST", "/v1/webhooks/cloudevents", "/v1/webhooks/cloudevents",
        [this](R q, W w) { Webhook(q, w, WebhookFormat::kCloudEvents); });

  port_ = options_.port == 0
              ? http_.bind_to_any_port(options_.host.c_str())
              : (http_.bind_to_port(options_.host.c_str(), options_.port)
                     ? options_.port
                     : -1);
  if (port_ < 0)
    return Status::IOError("cannot listen on " + options_.host + ":" +
                           std::to_string(options_.port));
  if (listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);

  InstantQueryFn query;
  if (!options_.prometheus_url.empty())
    query = MakePrometheusQuery(options_.prometheus_url);
  loop_ = std::make_unique<ControlLoop>(options_, store_, &metrics_, query);
  committer_ = std::make_unique<EventCommitter>(store_);
  return Status::Ok();
}

Status ServerImpl::Run() {
  loop_->Start();
  if (stopping_) {  // Stop() came before the server was listening.
    loop_->Stop();
    return Status::Ok();
  }
  // listen_after_bind returns after stop(): the listening socket is closed
  // and the worker pool has finished every connection it accepted.
  bool ok = http_.listen_after_bind();
  loop_->Stop();
  if (!ok && !stopping_) return Status::IOError("the HTTP server failed");
  return Status::Ok();
}

void ServerImpl::Stop() {
  stopping_ = true;
  http_.stop();
}

void ServerImpl::ListEcosystems(const httplib::Request&,
                                httplib::Response& res) {
  auto list = store_->ListEcosystems();
  if (!list.ok()) return SendStatus(res, list.status());
  json a = json::array();
  for (const auto& s : *list)
    a.push_back({{"name", s.name},
                 {"latest_version", s.latest_version},
                 {"latest_created_at_us", s.latest_created_at_us}});
  SendJson(res, 200, json{{"ecosystems", std::move(a)}});
}

void ServerImpl::PutEcosystem(const httplib::Request& req,
                              httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  if (req.body.empty())
    return SendStatus(res, BadParam("body", "empty body: expected a manifest"));
  manifest::LoadOptions lo;
  lo.name = name;
  // Never open files of this machine on behalf of a request (env_file:
  // /etc/...).
  lo.read_files = false;
  std::string fmt =
      req.has_param("format") ? req.get_param_value("format") : "auto";
  auto f = manifest::ParseFormat(fmt);
  if (!f)
    return SendStatus(res, BadParam("format", "unknown format '" + fmt + "'"));
  lo.format = *f;
  // The body is named inside a directory that does not exist, so that
  // relative companion files (.env, env_file) are never looked up on the
  // server's disk.
  const std::string where =
      "/nonexistent-ecotone-request/" + std::string("body");
  auto loaded = manifest::LoadTexts({where}, {req.body}, lo);
  if (!loaded.ok()) {
    Status st = loaded.status();
    Location w = st.where();
    if (w.file == where) w.file = "body";
    return SendStatus(res, Status(st.code() == StatusCode::kIOError
                                      ? StatusCode::kInvalidArgument
                                      : st.code(),
                                  st.message(), w));
  }
  model::Ecosystem eco = std::move(loaded->ecosystem);
  eco.name = name;
  // Locations name the request body, not the private placeholder path.
  for (auto& file : eco.source_files)
    if (file == where) file = "body";
  for (auto& c : eco.components)
    if (c.where.file == where) c.where.file = "body";
  for (auto& d : eco.dependencies)
    for (auto& e : d.evidence)
      if (e.where.file == where) e.where.file = "body";
  auto version = store_->PutEcosystem(eco, req.body, eco.source_format);
  if (!version.ok()) return SendStatus(res, version.status());
  loop_->Invalidate(name);
  json problems = json::array();
  for (auto p : loaded->problems) {
    if (p.where.file == where) p.where.file = "body";
    problems.push_back(jsonio::ToJson(p));
  }
  SendJson(res, 201,
           json{{"ecosystem", name},
                {"version", *version},
                {"format", eco.source_format},
                {"components", eco.components.size()},
                {"dependencies", eco.dependencies.size()},
                {"problems", std::move(problems)}});
}

void ServerImpl::GetEcosystem(const httplib::Request& req,
                              httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  auto version = IntParam(req, "version", 1);
  if (!version.ok()) return SendStatus(res, version.status());
  auto eco = store_->GetEcosystem(name, *version);
  if (!eco.ok()) return SendStatus(res, eco.status());
  int64_t v = 0;
  if (version->has_value()) {
    v = **version;
  } else {
    auto versions = store_->ListVersions(name);
    if (!versions.ok()) return SendStatus(res, versions.status());
    v = versions->empty() ? 0 : versions->back().version;
  }
  json comps = json::array(), deps = json::array();
  for (const auto& c : eco->components) comps.push_back(jsonio::ToJson(c));
  for (const auto& d : eco->dependencies) deps.push_back(jsonio::ToJson(d));
  SendJson(res, 200,
           json{{"name", name},
                {"version", v},
                {"label", eco->version},
                {"format", eco->source_format},
                {"components", std::move(comps)},
                {"dependencies", std::move(deps)}});
}

void ServerImpl::ListVersions(const httplib::Request& req,
                              httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  auto versions = store_->ListVersions(name);
  if (!versions.ok()) return SendStatus(res, versions.status());
  json a = json::array();
  for (const auto& v : *versions) a.push_back(VersionJson(v));
  SendJson(res, 200, json{{"ecosystem", name}, {"versions", std::move(a)}});
}

void ServerImpl::Diff(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  auto from = IntParam(req, "from", 1);
  if (!from.ok()) return SendStatus(res, from.status());
  auto to = IntParam(req, "to", 1);
  if (!to.ok()) return SendStatus(res, to.status());
  if (!from->has_value()) return SendStatus(res, BadParam("from", "required"));
  if (!to->has_value()) return SendStatus(res, BadParam("to", "required"));
  auto a = store_->GetEcosystem(name, *from);
  if (!a.ok()) return SendStatus(res, a.status());
  auto b = store_->GetEcosystem(name, *to);
  if (!b.ok()) return SendStatus(res, b.status());
  json j = DiffJson(graph::DiffEcosystems(*a, *b));
  j["ecosystem"] = name;
  j["from"] = **from;
  j["to"] = **to;
  SendJson(res, 200, j);
}

void ServerImpl::Impact(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1], component = req.matches[2];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  if (Status st = CheckName("component", component); !st.ok())
    return SendStatus(res, st);
  auto version = IntParam(req, "version", 1);
  if (!version.ok()) return SendStatus(res, version.status());
  std::string edges =
      req.has_param("edges") ? req.get_param_value("edges") : "hard";
  store::EdgeFilter filter;
  if (edges == "all")
    filter = store::EdgeFilter::kAll;
  else if (edges == "hard")
    filter = store::EdgeFilter::kHard;
  else if (edges == "calls")
    filter = store::EdgeFilter::kCalls;
  else
    return SendStatus(res, BadParam("edges", "expected all, hard or calls"));
  auto impact = store_->ImpactSet(name, *version, component, filter);
  if (!impact.ok()) return SendStatus(res, impact.status());
  SendJson(
      res, 200,
      json{{"ecosystem", name},
           {"version", version->has_value() ? json(**version) : json(nullptr)},
           {"component", component},
           {"edges", edges},
           {"impact", *impact}});
}

void ServerImpl::PostPlan(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  if (!options_.infra)
    return SendError(
        res, 412,
        Status::FailedPrecondition(
            "the daemon has no infrastructure (start it with --infra)"));
  std::string solver =
      req.has_param("solver") ? req.get_param_value("solver") : options_.solver;
  if (solver != "heuristic" && solver != "mip" && solver != "choose")
    return SendStatus(res,
                      BadParam("solver", "expected heuristic, mip or choose"));
  std::lock_guard<std::mutex> lock(plan_mu_);
  auto versions = store_->ListVersions(name);
  if (!versions.ok()) return SendStatus(res, versions.status());
  const int64_t version = versions->back().version;
  auto eco = store_->GetEcosystem(name, version);
  if (!eco.ok()) return SendStatus(res, eco.status());
  std::optional<store::PlanRecord> parent;
  auto latest = store_->LatestPlan(name);
  if (latest.ok()) {
    parent = std::move(*latest);
  } else if (latest.status().code() != StatusCode::kNotFound) {
    return SendStatus(res, latest.status());
  }
  // The parent plan may name components the new version dropped: keep only
  // what still exists as the current placement.
  std::optional<model::PlacementPlan> current;
  if (parent) {
    current = parent->plan;
    std::set<std::string> names;
    for (const auto& c : eco->components) names.insert(c.name);
    std::erase_if(current->assignments, [&](const model::Assignment& a) {
      return !names.count(a.component);
    });
  }
  placement::EcosystemOptions eo;
  placement::SolveOptions so;
  so.time_limit_s = options_.plan_time_limit_s;
  so.max_iterations = options_.plan_iterations;
  so.seed = 1;
  auto placed = placement::PlaceEcosystem(
      *eco, *options_.infra, current ? &*current : nullptr, eo, so, solver);
  if (!placed.ok()) return SendStatus(res, placed.status());
  if (placed->status != placement::SolveOutcome::kOptimal &&
      placed->status != placement::SolveOutcome::kFeasible) {
    return SendJson(
        res, 422,
        json{{"error",
              {{"code", "infeasible"},
               {"message", placed->infeasible},
               {"status", placement::SolveOutcomeName(placed->status)}}}});
  }
  model::PlacementPlan plan = placed->plan;
  plan.ecosystem = name;
  plan.metadata["source"] = "api";
  auto id = store_->PutPlan(
      name, version, parent ? std::optional<int64_t>(parent->id) : std::nullopt,
      plan);
  if (!id.ok()) return SendStatus(res, id.status());
  metrics_.PlanCost(name, placed->costs.total());
  loop_->Invalidate(name);
  auto stored = store_->GetPlan(*id);
  if (!stored.ok()) return SendStatus(res, stored.status());
  json j = PlanRecordJson(*stored);
  j["status"] = placement::SolveOutcomeName(placed->status);
  j["solver"] = placed->solver;
  j["objective"] = Num(placed->objective);
  j["costs"] = {{"resource", placed->costs.resource},
                {"proximity", placed->costs.proximity},
                {"egress", placed->costs.egress},
                {"migration", placed->costs.migration},
                {"penalties", placed->costs.penalties},
                {"plugins", PluginCosts(placed->costs)},
                {"total", placed->costs.total()},
                {"unit", "per hour"}};
  j["binding_constraints"] = placed->binding_constraints;
  SendJson(res, 201, j);
}

void ServerImpl::GetPlan(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  auto id = IntParam(req, "id", 1);
  if (!id.ok()) return SendStatus(res, id.status());
  if (auto v = store_->ListVersions(name); !v.ok())
    return SendStatus(res, v.status());
  Result<store::PlanRecord> plan =
      id->has_value() ? store_->GetPlan(**id) : store_->LatestPlan(name);
  if (!plan.ok()) return SendStatus(res, plan.status());
  if (plan->ecosystem != name)
    return SendStatus(res,
                      Status::NotFound("plan " + std::to_string(**id) +
                                       " is not a plan of '" + name + "'"));
  json j = PlanRecordJson(*plan);
  if (req.has_param("history")) {
    auto hist = store_->PlanHistory(name);
    if (!hist.ok()) return SendStatus(res, hist.status());
    json h = json::array();
    for (const auto& s : *hist)
      h.push_back(
          {{"plan_id", s.id},
           {"ecosystem_version", s.ecosystem_version},
           {"parent_id", s.parent_id ? json(*s.parent_id) : json(nullptr)},
           {"created_at_us", s.created_at_us},
           {"assignments", s.assignment_count},
           {"moves", s.moves},
           {"added", s.added},
           {"removed", s.removed}});
    j["history"] = std::move(h);
  }
  SendJson(res, 200, j);
}

void ServerImpl::ListActions(const httplib::Request& req,
                             httplib::Response& res) {
  const std::string name = req.matches[1];
  if (Status st = CheckName("name", name); !st.ok()) return SendStatus(res, st);
  auto since = IntParam(req, "since_us", INT64_MIN);
  if (!since.ok()) return SendStatus(res, since.status());
  auto limit = IntParam(req, "limit", 1);
  if (!limit.ok()) return SendStatus(res, limit.status());
  if (auto v = store_->ListVersions(name); !v.ok())
    return SendStatus(res, v.status());
  auto actions = store_->ListActions(name, since->value_or(INT64_MIN),
                                     limit->value_or(1000));
  if (!actions.ok()) return SendStatus(res, actions.status());
  json a = json::array();
  for (const auto& r : *actions)
    a.push_back({{"id", r.id},
                 {"time_us", r.time_us},
                 {"kind", r.kind},
                 {"subject", r.subject},
                 {"action", PayloadOrString(r.payload_json)},
                 {"result", r.result},
                 {"actuation", ActuationOf(r.result)},
                 {"event_id", r.event_id ? json(*r.event_id) : json(nullptr)},
                 {"plan_id", r.plan_id ? json(*r.plan_id) : json(nullptr)}});
  SendJson(res, 200, json{{"ecosystem", name}, {"actions", std::move(a)}});
}

void ServerImpl::Accept(std::vector<model::Event> events,
                        httplib::Response& res) {
  // Validate everything first; the events of one request are then stored
  // in one transaction, so an invalid event stores nothing.
  std::vector<store::EventRecord> records;
  records.reserve(events.size());
  const int64_t now = Now();
  for (size_t i = 0; i < events.size(); ++i) {
    model::Event& e = events[i];
    if (e.time_us == 0) e.time_us = now;
    std::string prefix =
        events.size() > 1 ? "[" + std::to_string(i) + "]." : "";
    if (!e.ecosystem.empty())
      if (Status st = CheckName(prefix + "ecosystem", e.ecosystem); !st.ok())
        return SendStatus(res, st);
    store::EventRecord r;
    r.time_us = e.time_us;
    r.ecosystem = e.ecosystem;
    r.kind = std::string(model::EventKindName(e.kind));
    r.subject = e.Subject();
    if (r.subject.size() > store::kMaxNameBytes)
      return SendStatus(
          res, BadParam(prefix + "subject",
                        "longer than " + std::to_string(store::kMaxNameBytes) +
                            " bytes"));
    r.payload_json = EventPayloadJson(e);
    records.push_back(std::move(r));
  }
  // One durable transaction for the request's events, shared with the
  // requests arriving at the same time (group commit).
  auto stored = committer_->Commit(records);
  if (!stored.ok()) return SendStatus(res, stored.status());
  json ids = json::array();
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].id = (*stored)[i];
    ids.push_back((*stored)[i]);
    metrics_.Event(events[i].source, records[i].kind);
  }
  for (auto& e : events) loop_->Enqueue(std::move(e));
  SendJson(res, 202, json{{"accepted", ids.size()}, {"ids", std::move(ids)}});
}

void ServerImpl::Webhook(const httplib::Request& req, httplib::Response& res,
                         WebhookFormat format) {
  std::string ecosystem =
      req.has_param("ecosystem") ? req.get_param_value("ecosystem") : "";
  if (!ecosystem.empty())
    if (Status st = CheckName("ecosystem", ecosystem); !st.ok())
      return SendStatus(res, st);
  auto events = TranslateWebhook(format, req.body, ecosystem, Now());
  if (!events.ok()) return SendStatus(res, events.status());
  Accept(std::move(*events), res);
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of `a` is compared against b (cycled), so the time depends
  // on a.size() only; a length mismatch is folded into the result.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  if (b.empty()) return a.empty();
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(b[i % b.size()]);
  volatile unsigned char sink = diff;
  return sink == 0;
}

Result<std::unique_ptr<Server>> NewServer(ServerOptions options,
                                          store::Store* store) {
  auto s = std::make_unique<ServerImpl>(std::move(options), store);
  ECOTONE_RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Server>(std::move(s));
}

}  // namespace ecotone::server
