#include "control_loop.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "actuators.h"
#include "ecotone/jsonio/ecosystem_json.h"
#include "ecotone/jsonio/engine_state_json.h"

namespace ecotone::server {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

std::string Replace(std::string s, const std::string& what,
                    const std::string& with) {
  for (size_t p = s.find(what); p != std::string::npos;
       p = s.find(what, p + with.size()))
    s.replace(p, what.size(), with);
  return s;
}

std::string IntervalString(int64_t us) {
  if (us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
  return std::to_string(std::max<int64_t>(1, us / 1000)) + "ms";
}

double* FieldOf(model::MetricSample& s, const std::string& field) {
  if (field == "cpu_millicores") return &s.cpu_millicores;
  if (field == "memory_bytes") return &s.memory_bytes;
  if (field == "requests_per_s") return &s.requests_per_s;
  if (field == "latency_ms") return &s.latency_ms;
  if (field == "error_rate") return &s.error_rate;
  return nullptr;
}

void Log(const std::string& line) {
  std::cerr << "ecotone serve: " << line << "\n";
}

}  // namespace

ControlLoop::ControlLoop(const ServerOptions& options, store::Store* store,
                         ServerMetrics* metrics, InstantQueryFn query)
    : options_(options),
      store_(store),
      metrics_(metrics),
      query_(std::move(query)) {}

ControlLoop::~ControlLoop() { Stop(); }

void ControlLoop::Start() {
  auto backlog = store_->UnprocessedEvents(0);
  if (!backlog.ok()) {
    Log("cannot read the events not yet processed: " +
        backlog.status().ToString());
  } else {
    if (!backlog->empty())
      Log("running " + std::to_string(backlog->size()) +
          " stored event(s) not yet processed");
    for (const store::EventRecord& r : *backlog) {
      auto e = EventFromRecord(r);
      if (!e.ok()) {
        // Left unprocessed in the store, in sight of an operator.
        metrics_->EngineError();
        Log("stored event " + std::to_string(r.id) +
            " does not decode: " + e.status().ToString());
        continue;
      }
      Enqueue(std::move(*e));
    }
  }
  thread_ = std::thread([this] { Run(); });
}

void ControlLoop::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ControlLoop::Enqueue(model::Event event) {
  {
    std::lock_guard<std::mutex> l(mu_);
    pending_.push_back(std::move(event));
  }
  cv_.notify_all();
}

void ControlLoop::Invalidate(const std::string& ecosystem) {
  std::lock_guard<std::mutex> l(mu_);
  invalidated_.insert(ecosystem);
}

int64_t ControlLoop::Now() const {
  if (options_.now_us) return options_.now_us();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ControlLoop::Run() {
  auto next_tick = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<model::Event> batch;
    std::set<std::string> invalid;
    bool stopping = false, tick = false;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait_until(l, next_tick, [&] { return stop_ || !pending_.empty(); });
      batch.swap(pending_);
      invalid.swap(invalidated_);
      stopping = stop_;
      tick = !stopping && std::chrono::steady_clock::now() >= next_tick;
    }
    if (!invalid.empty())
      CommitProgress({});  // their memory, before rebuilding.
    for (const auto& name : invalid) {
      runtimes_.erase(name);
      no_plan_.erase(name);
    }
    // Events whose decision produced no actions are marked processed
    // together with the memory of the states they changed, one commit per
    // batch; those with actions were marked in their decision's transaction
    // (marking again is a no-op).
    for (const auto& e : batch) {
      if (Process(e, Now()) && e.id > 0) unmarked_.push_back(e.id);
    }
    std::vector<int64_t> done;
    done.swap(unmarked_);
    CommitProgress(done);
    // Stopping: the queue was drained and every memory stored above.
    if (stopping) return;
    if (tick) {
      auto t0 = std::chrono::steady_clock::now();
      Tick(Now());
      metrics_->Tick(SecondsSince(t0));
      next_tick = std::chrono::steady_clock::now() +
                  std::chrono::microseconds(options_.interval_us);
    }
  }
}

ControlLoop::Runtime* ControlLoop::RuntimeFor(const std::string& ecosystem,
                                              int64_t now_us) {
  if (!options_.infra) return nullptr;
  auto it = runtimes_.find(ecosystem);
  if (it != runtimes_.end() && it->second.stale) {
    runtimes_.erase(it);
    it = runtimes_.end();
  }
  if (it != runtimes_.end()) return &it->second;
  if (no_plan_.count(ecosystem)) return nullptr;
  auto plan = store_->LatestPlan(ecosystem);
  if (!plan.ok()) {
    if (plan.status().code() == StatusCode::kNotFound) {
      no_plan_.insert(ecosystem);
    } else {
      Log("cannot read the plan of '" + ecosystem +
          "': " + plan.status().ToString());
    }
    return nullptr;
  }
  auto eco = store_->GetEcosystem(ecosystem, plan->ecosystem_version);
  if (!eco.ok()) {
    Log("cannot read ecosystem '" + ecosystem +
        "': " + eco.status().ToString());
    return nullptr;
  }
  auto state =
      engine::MakeState(std::move(*eco), *options_.infra, plan->plan, now_us);
  if (!state.ok()) {
    Log("cannot build the engine state of '" + ecosystem +
        "': " + state.status().ToString());
    no_plan_.insert(ecosystem);
    return nullptr;
  }
  Runtime rt;
  rt.plan_id = plan->id;
  rt.version = plan->ecosystem_version;
  rt.state = std::move(*state);
  RestoreMemory(ecosystem, plan->id, rt);
  return &runtimes_.emplace(ecosystem, std::move(rt)).first->second;
}

void ControlLoop::RestoreMemory(const std::string& ecosystem, int64_t plan_id,
                                Runtime& rt) {
  auto mem = store_->LoadMemory(ecosystem);
  if (!mem.ok()) {
    metrics_->EngineError();
    Log("cannot read the engine memory of '" + ecosystem +
        "' (starting from its plan alone): " + mem.status().ToString());
    return;
  }
  if (!mem->has_value()) return;  // nothing learnt yet.
  const store::MemoryRecord& m = **mem;
  // The memory of the same plan is restored whole; after another plan (one
  // POSTed over the API, or a plan race lost) only what does not depend on
  // the plan. The whole restore also fails when --infra changed places.
  const nlohmann::json j = nlohmann::json::parse(m.state_json, nullptr, false);
  Status st;
  std::string scope = "all of it";
  if (j.is_discarded()) {
    st = Status::Corruption("the stored memory is not JSON");
  } else {
    st = m.plan_id && *m.plan_id == plan_id
             ? jsonio::EngineMemoryFromJson(j, jsonio::MemoryScope::kAll,
                                            "memory", &rt.state)
             : Status::FailedPrecondition(
                   "memory of plan " + std::to_string(m.plan_id.value_or(0)));
    if (!st.ok()) {
      if (st.code() != StatusCode::kFailedPrecondition)
        Log("engine memory of '" + ecosystem +
            "' does not fit its plan whole: " + st.ToString());
      scope = "the part that does not depend on the plan";
      st = jsonio::EngineMemoryFromJson(
          j, jsonio::MemoryScope::kPlanIndependent, "memory", &rt.state);
    }
  }
  if (!st.ok()) {
    metrics_->EngineError();
    Log("cannot restore the engine memory of '" + ecosystem +
        "' (starting from its plan alone): " + st.ToString());
    return;
  }
  rt.event_id = m.event_id;
  // Events processed after the memory was stored (an event without an
  // ecosystem whose other ecosystems' memories were not yet stored when the
  // process died): their facts, not their decisions, which were recorded.
  int replayed = 0;
  auto later = store_->ProcessedEventsAfter(ecosystem, m.event_id, 0);
  if (!later.ok()) {
    Log("cannot read the events after the engine memory of '" + ecosystem +
        "': " + later.status().ToString());
  } else {
    for (const store::EventRecord& r : *later) {
      auto e = EventFromRecord(r);
      if (e.ok() && engine::Observe(*e, &rt.state).ok()) ++replayed;
      rt.event_id = std::max(rt.event_id, r.id);
    }
  }
  if (replayed > 0) rt.dirty = true;
  Log("restored the engine memory of '" + ecosystem + "' (" + scope +
      "; stored with plan " + std::to_string(m.plan_id.value_or(0)) +
      ", through event " + std::to_string(m.event_id) +
      (replayed > 0
           ? ", " + std::to_string(replayed) + " later event(s) observed again"
           : std::string()) +
      ")");
}

store::MemoryRecord ControlLoop::MemoryOf(const std::string& ecosystem,
                                          const Runtime& rt) const {
  store::MemoryRecord m;
  m.ecosystem = ecosystem;
  m.plan_id = rt.plan_id;
  m.event_id = rt.event_id;
  m.state_json = jsonio::Dump(jsonio::EngineMemoryToJson(rt.state));
  return m;
}

void ControlLoop::CommitProgress(const std::vector<int64_t>& event_ids) {
  std::vector<store::MemoryRecord> memory;
  std::vector<Runtime*> written;
  for (auto& [name, rt] : runtimes_) {
    // A stale state may hold actions whose commit failed: never stored.
    if (!rt.dirty || rt.stale) continue;
    memory.push_back(MemoryOf(name, rt));
    written.push_back(&rt);
  }
  if (event_ids.empty() && memory.empty()) return;
  Status st = store_->CommitProgress(event_ids, memory);
  if (st.ok()) {
    for (Runtime* rt : written) rt->dirty = false;
    return;
  }
  if (!memory.empty()) {
    metrics_->EngineError();
    Log("cannot store the engine memory of " + std::to_string(memory.size()) +
        " ecosystem(s) (retried after the next event): " + st.ToString());
    st = store_->MarkProcessed(event_ids);
  }
  if (!st.ok())
    Log("cannot mark " + std::to_string(event_ids.size()) +
        " event(s) processed (they run again after a restart): " +
        st.ToString());
}

void ControlLoop::Tick(int64_t now_us) {
  auto list = store_->ListEcosystems();
  if (!list.ok()) {
    Log("cannot list ecosystems: " + list.status().ToString());
    return;
  }
  for (const auto& summary : list.value()) {
    Runtime* rt = RuntimeFor(summary.name, now_us);
    if (rt == nullptr) continue;
    if (query_ && !options_.queries.empty()) {
      PullMetrics(summary.name, *rt, now_us);
    } else {
      // No metrics: a tick still lets the policy re-evaluate (cooldowns
      // expire, replicas finish starting). Ticks are not stored.
      model::Event tick;
      tick.time_us = now_us;
      tick.ecosystem = summary.name;
      tick.source = "control-loop";
      tick.kind = model::EventKind::kTick;
      ProcessFor(summary.name, *rt, tick, now_us);
    }
  }
  CommitProgress({});  // what the tick's events changed, if not yet stored.
}

void ControlLoop::PullMetrics(const std::string& ecosystem, Runtime& rt,
                              int64_t now_us) {
  std::map<std::string, model::MetricSample> samples;
  for (const MetricQuery& q : options_.queries) {
    std::string promql = Replace(q.promql, "{ecosystem}", ecosystem);
    promql =
        Replace(promql, "{interval}", IntervalString(options_.interval_us));
    auto r = query_(promql, now_us);
    if (!r.ok()) {
      metrics_->PrometheusError();
      Log("prometheus query for " + q.field +
          " failed: " + r.status().ToString());
      continue;
    }
    for (const LabeledValue& v : r.value()) {
      auto it = v.labels.find(q.label);
      if (it == v.labels.end() || !std::isfinite(v.value)) continue;
      if (rt.state.ComponentIndex(it->second) < 0) continue;  // not ours.
      model::MetricSample& s = samples[it->second];
      s.component = it->second;
      *FieldOf(s, q.field) = v.value;
    }
  }
  model::Event e;
  e.time_us = now_us;
  e.ecosystem = ecosystem;
  e.source = "prometheus";
  e.kind = model::EventKind::kMetrics;
  for (auto& [name, s] : samples) e.metrics.push_back(std::move(s));
  if (e.metrics.empty()) {
    e.kind = model::EventKind::kTick;
    e.source = "control-loop";
    ProcessFor(ecosystem, rt, e, now_us);
    return;
  }
  store::EventRecord rec;
  rec.time_us = e.time_us;
  rec.ecosystem = e.ecosystem;
  rec.kind = std::string(model::EventKindName(e.kind));
  rec.subject = e.Subject();
  rec.payload_json = EventPayloadJson(e);
  auto id = store_->AppendEvent(rec);
  if (!id.ok()) {
    Log("cannot store metrics of '" + ecosystem +
        "': " + id.status().ToString());
    return;
  }
  e.id = *id;
  metrics_->Event(e.source, rec.kind);
  if (ProcessFor(ecosystem, rt, e, now_us)) CommitProgress({e.id});
}

bool ControlLoop::Process(const model::Event& event, int64_t now_us) {
  if (!event.ecosystem.empty()) {
    Runtime* rt = RuntimeFor(event.ecosystem, now_us);
    if (rt != nullptr) return ProcessFor(event.ecosystem, *rt, event, now_us);
    return true;
  }
  // Not tied to one ecosystem (e.g. a host failed): every ecosystem placed
  // on the infrastructure sees it.
  auto list = store_->ListEcosystems();
  if (!list.ok()) return false;
  bool ok = true;
  for (const auto& summary : list.value()) {
    Runtime* rt = RuntimeFor(summary.name, now_us);
    if (rt != nullptr) ok = ProcessFor(summary.name, *rt, event, now_us) && ok;
  }
  return ok;
}

bool ControlLoop::ProcessFor(const std::string& ecosystem, Runtime& rt,
                             const model::Event& event, int64_t now_us) {
  auto t0 = std::chrono::steady_clock::now();
  Status st = engine::Observe(event, &rt.state);
  rt.event_id = std::max(rt.event_id, event.id);
  if (!st.ok()) {
    metrics_->EngineError();
    Log("event " + std::to_string(event.id) + " (" + event.Describe() +
        ") not applicable to '" + ecosystem + "': " + st.ToString());
    return true;  // an answer: nothing to run again.
  }
  std::vector<model::Action> actions;
  if (options_.policy != nullptr)
    actions = options_.policy->Decide(rt.state, event, now_us);
  metrics_->Decision(SecondsSince(t0));
  // A tick carries no facts: only its actions change the state.
  if (event.kind != model::EventKind::kTick) rt.dirty = true;
  if (actions.empty()) return true;

  std::unique_ptr<engine::Actuator> actuator;
  if (options_.actuator == "sim") {
    actuator = std::make_unique<SimActuator>(&rt.state, now_us);
  } else if (options_.actuator == "kubernetes") {
    kubernetes::ActuatorOptions ko = options_.kubernetes;
    ko.emit.topology = &rt.state.topology;
    if (!options_.kube_sources.empty()) ko.emit.sources = &options_.kube_sources;
    ko.work_dir += "/event-" + std::to_string(event.id) + "-" +
                   std::to_string(now_us);
    actuator =
        std::make_unique<KubernetesActuator>(&rt.state, now_us, std::move(ko));
  } else {
    actuator = std::make_unique<DryRunActuator>();
  }
  std::vector<std::string> results(actions.size());
  bool any_applied = false;
  for (size_t i = 0; i < actions.size(); ++i) {
    model::Action& a = actions[i];
    if (a.ecosystem.empty()) a.ecosystem = ecosystem;
    if (a.time_us == 0) a.time_us = now_us;
    if (a.event_id == 0) a.event_id = event.id;
    auto r = actuator->Carry(a);
    if (!r.ok()) {
      results[i] = "failed: " + r.status().ToString();
    } else if (r->applied) {
      results[i] = "applied: " + r->detail;
      any_applied = true;
    } else {
      results[i] = "dry-run: " + r->detail;
    }
  }
  // Events run before this one in the batch are marked first: the memory
  // stored below includes them.
  if (!unmarked_.empty()) {
    if (Status m = store_->MarkProcessed(unmarked_); !m.ok())
      Log("cannot mark " + std::to_string(unmarked_.size()) +
          " event(s) processed (they run again after a restart): " +
          m.ToString());
    unmarked_.clear();
  }
  // One transaction: the plan the applied actions produced, the actions
  // with their results, the event's processed mark, and the engine's memory
  // afterwards (of the plan committed, or of the current one).
  store::DecisionRecord d;
  d.event_id = event.id;
  if (any_applied) {
    model::PlacementPlan plan = engine::CurrentPlan(rt.state);
    plan.ecosystem = ecosystem;
    plan.infra = rt.state.topology.name;
    plan.metadata["source"] = "engine";
    plan.metadata["actuator"] = std::string(actuator->name());
    if (event.id > 0) plan.metadata["event_id"] = std::to_string(event.id);
    d.plan = store::DecisionRecord::Plan{ecosystem, rt.version, rt.plan_id,
                                         std::move(plan)};
  }
  d.memory.push_back(MemoryOf(ecosystem, rt));
  if (d.plan) d.memory.back().plan_id.reset();  // the plan committed.
  for (size_t i = 0; i < actions.size(); ++i) {
    const model::Action& a = actions[i];
    store::ActionRecord rec;
    rec.time_us = a.time_us;
    rec.ecosystem = ecosystem;
    rec.kind = std::string(model::ActionKindName(a.kind));
    rec.subject = a.component;
    rec.payload_json = ActionPayloadJson(a);
    rec.result = results[i];
    if (event.id > 0) rec.event_id = event.id;
    d.actions.push_back(std::move(rec));
  }
  auto ids = store_->CommitDecision(d);
  if (!ids.ok() && d.plan &&
      ids.status().code() == StatusCode::kFailedPrecondition) {
    // The plan race: a plan was committed over the API since this state was
    // read (the store's compare-and-set on the parent). That plan wins; the
    // actions are recorded without a plan, and the state is rebuilt from
    // the winner before the next event.
    Log("plan of '" + ecosystem + "' after event " +
        std::to_string(event.id) + " not committed: " +
        ids.status().ToString());
    metrics_->EngineError();
    rt.stale = true;
    d.plan.reset();
    // The memory keeps what the lost plan does not hold (cooldown clocks,
    // isolation...); the rebuilt state takes that part of it.
    d.memory.back().plan_id = rt.plan_id;
    ids = store_->CommitDecision(d);
  }
  if (!ids.ok()) {
    // Nothing of it is stored and the event stays unprocessed: a restart
    // runs it again. This process's state already moved on, so rebuild it.
    rt.stale = true;
    Log("cannot record the actions of event " + std::to_string(event.id) +
        " on '" + ecosystem + "': " + ids.status().ToString());
    return false;
  }
  if (ids->plan_id) rt.plan_id = *ids->plan_id;
  rt.dirty = false;
  for (const auto& rec : d.actions) {
    std::string cls = rec.result.substr(0, rec.result.find(':'));
    metrics_->Action(rec.kind, cls);
  }
  return true;
}

}  // namespace ecotone::server
