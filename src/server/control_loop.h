// The control loop of `ecotone serve` (docs/serve.md, "Control loop").
//
// Every interval, for every ecosystem that has a committed plan: pull the
// configured metrics from Prometheus with instant queries, store them as a
// metrics event, and run the engine on it; events received over HTTP are
// run as soon as they arrive. For each event: engine::Observe, then
// Policy::Decide, then each action goes to the actuator and into the audit
// log with its explanation and result. With the `sim` actuator, applied
// actions change the daemon's in-memory datacenter state, and the state's
// plan is committed as a child of the previous plan, so a restart continues
// from it. The engine's memory (what the state learnt from events and
// actions beyond the plan: cooldown clocks, isolation, rollouts, notices,
// bad versions, load history...) is stored per ecosystem with every
// decision and every batch of processed marks, and restored when a state
// is built (docs/serve.md, "Engine memory").
//
// Thread-safety: Enqueue, Invalidate and Stop may be called from any thread;
// everything else runs on the loop's own thread.
#ifndef ECOTONE_SERVER_CONTROL_LOOP_H_
#define ECOTONE_SERVER_CONTROL_LOOP_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ecotone/engine/engine.h"
#include "ecotone/model/event.h"
#include "ecotone/server/server.h"
#include "ecotone/store/store.h"
#include "metrics.h"

namespace ecotone::server {

// One element of an instant vector.
struct LabeledValue {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Runs one PromQL instant query evaluated at time_us.
using InstantQueryFn = std::function<Result<std::vector<LabeledValue>>(
    const std::string& promql, int64_t time_us)>;

// Serialisers for the store's payload columns (the adapters' JSON codec).
std::string EventPayloadJson(const model::Event& event);
std::string ActionPayloadJson(const model::Action& action);
// The event stored as `record` (its payload decoded, id set); kCorruption
// or kInvalidArgument when the payload does not decode.
Result<model::Event> EventFromRecord(const store::EventRecord& record);

class ControlLoop {
 public:
  // `options`, `store` and `metrics` must outlive the loop. `query` may be
  // empty (no Prometheus).
  ControlLoop(const ServerOptions& options, store::Store* store,
              ServerMetrics* metrics, InstantQueryFn query);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  // Queues the stored events the engine has not run yet (left by a process
  // that died: docs/serve.md, "Nothing lost"), then starts the loop's
  // thread. Call before the server accepts new events.
  void Start();
  // Finishes the current tick, runs the events already queued, and joins.
  void Stop();
  // Queues an event that is already stored (event.id set) for the engine.
  void Enqueue(model::Event event);
  // The ecosystem got a new plan or version: rebuild its state from the
  // store before its next event.
  void Invalidate(const std::string& ecosystem);

 private:
  struct Runtime {
    int64_t plan_id = 0;
    int64_t version = 0;
    engine::State state;
    // The highest event id the state includes (store::MemoryRecord).
    int64_t event_id = 0;
    // The state changed since its memory was last stored.
    bool dirty = false;
    // Another writer (POST .../plan) committed a plan after this state was
    // built: rebuild from the store before the next event.
    bool stale = false;
  };

  void Run();
  void Tick(int64_t now_us);
  void PullMetrics(const std::string& ecosystem, Runtime& rt, int64_t now_us);
  // Run the event through the engine; false when its outcome could not be
  // committed (the event then stays unprocessed in the store and is run
  // again after a restart).
  bool Process(const model::Event& event, int64_t now_us);
  bool ProcessFor(const std::string& ecosystem, Runtime& rt,
                  const model::Event& event, int64_t now_us);
  // The runtime of `ecosystem`, built from its latest plan and the stored
  // engine memory (RestoreMemory); null when it has none (or there is no
  // infra).
  Runtime* RuntimeFor(const std::string& ecosystem, int64_t now_us);
  // Overlays the stored memory of `ecosystem` onto rt.state (built from
  // plan `plan_id`), then runs the processed events it does not include
  // through engine::Observe. Problems are logged; the state then starts
  // from the plan alone, as before the memory existed.
  void RestoreMemory(const std::string& ecosystem, int64_t plan_id,
                     Runtime& rt);
  // The memory record of a runtime (its plan, its last event, the state).
  store::MemoryRecord MemoryOf(const std::string& ecosystem,
                               const Runtime& rt) const;
  // Marks `event_ids` processed and stores the memory of every dirty
  // runtime, in one transaction (Store::CommitProgress). When that fails,
  // the marks are committed alone and the memory stays dirty (retried on
  // the next call).
  void CommitProgress(const std::vector<int64_t>& event_ids);
  int64_t Now() const;

  const ServerOptions& options_;
  store::Store* const store_;
  ServerMetrics* const metrics_;
  const InstantQueryFn query_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<model::Event> pending_;   // GUARDED_BY(mu_)
  std::set<std::string> invalidated_;  // GUARDED_BY(mu_)
  bool stop_ = false;                  // GUARDED_BY(mu_)

  std::map<std::string, Runtime> runtimes_;  // loop thread only.
  // Events of the current batch run without a decision of their own, not
  // yet marked processed (loop thread only). Marked before any decision's
  // memory is stored, so a stored memory never includes an unmarked event.
  std::vector<int64_t> unmarked_;
  std::set<std::string> no_plan_;            // loop thread only.
  std::thread thread_;
};

}  // namespace ecotone::server

#endif  // ECOTONE_SERVER_CONTROL_LOOP_H_
