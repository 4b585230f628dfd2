// The persistent store: versioned ecosystem maps, placement plans with their
// parent and the delta between them, events, and actions (the audit log).
//
// `Store` is the narrow interface every backend implements; OpenSqlite opens
// the embedded default (SQLite, WAL, foreign keys, synchronous=FULL). A later
// replicated backend (PostgreSQL or etcd, for several controllers) implements
// the same class. The SQL is kept portable (recursive CTEs, no SQLite-only
// syntax in queries) and every name is bound as a parameter.
// See docs/store.md for the schema, migrations, guarantees and queries.
//
// Guarantees: a write that returned OK is durable (committed with a full
// fsync of the write-ahead log) and survives a crash of the process or the
// machine; a crash at any point leaves every committed write, in particular
// the last committed plan, intact; a write that failed changed nothing.
#ifndef ECOTONE_STORE_STORE_H_
#define ECOTONE_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"

namespace ecotone::store {

// Longest ecosystem, component, event-kind or subject name the store accepts,
// in bytes. Names must also be non-empty and free of control characters.
inline constexpr size_t kMaxNameBytes = 512;

// The schema version this build writes (the last migration in
// src/store/migrations.cc). Opening a store with a newer schema fails.
int SchemaVersion();

struct StoreOptions {
  // How long a write waits for another connection's write lock before it
  // fails with kUnavailable (SQLite busy_timeout), in milliseconds.
  int busy_timeout_ms = 10000;
  // Create the file (and schema) when it does not exist. When false, a
  // missing file is kNotFound.
  bool create_if_missing = true;
  // Run a full integrity check on open (O(size of the file)); damage found
  // is kCorruption. A damaged header is always found, this finds damaged
  // pages too.
  bool check_integrity_on_open = false;
  // The clock for created_at stamps, microseconds since the Unix epoch.
  // Empty = the system clock. Tests and the simulator pass their own.
  std::function<int64_t()> now_us;
};

// Which dependencies a graph query follows (the same sets as
// graph::EdgeSet; the store does not depend on the graph module).
enum class EdgeFilter {
  kAll = 0,  // every dependency.
  kHard,     // criticality hard and not start-order: run-time failures.
  kCalls,    // every dependency except start-order.
};

// One stored version of an ecosystem's map.
struct VersionInfo {
  int64_t version = 0;        // 1, 2, ... per ecosystem, gapless.
  int64_t created_at_us = 0;  // from StoreOptions::now_us at commit.
  std::string label;          // model::Ecosystem::version (may be empty).
  std::string source_format;  // model::Ecosystem::source_format.
  int64_t component_count = 0;
  int64_t edge_count = 0;  // dependencies stored (resolved or not).
  bool operator==(const VersionInfo&) const = default;
};

struct EcosystemSummary {
  std::string name;
  int64_t latest_version = 0;
  int64_t latest_created_at_us = 0;
  bool operator==(const EcosystemSummary&) const = default;
};

// The source text a version was read from, as given to PutEcosystem.
struct StoredSource {
  std::string text;
  std::string format;  // e.g. "compose"; free text chosen by the caller.
  bool operator==(const StoredSource&) const = default;
};

// A stored placement plan. `delta` is model::Diff(parent plan, plan), or
// model::Diff({}, plan) (everything added) for a plan without parent.
struct PlanRecord {
  int64_t id = 0;
  std::string ecosystem;
  int64_t ecosystem_version = 0;
  std::optional<int64_t> parent_id;
  int64_t created_at_us = 0;
  model::PlacementPlan plan;  // Assignment::where is not stored.
  model::PlanDelta delta;
  bool operator==(const PlanRecord&) const = default;
};

// One line of PlanHistory.
struct PlanSummary {
  int64_t id = 0;
  int64_t ecosystem_version = 0;
  std::optional<int64_t> parent_id;
  int64_t created_at_us = 0;
  int64_t assignment_count = 0;
  int64_t moves = 0;
  int64_t added = 0;
  int64_t removed = 0;
  bool operator==(const PlanSummary&) const = default;
};

// Something that happened (metric threshold, hardware failure, security
// alert, new version...). A stand-in for model::Event until the engine
// defines it: the engine maps its events onto these fields, the structured
// part going into `payload_json`. See docs/store.md.
struct EventRecord {
  int64_t id = 0;         // assigned by AppendEvent; ignored on input.
  int64_t time_us = 0;    // when it happened (passed in, not the store clock).
  std::string ecosystem;  // may be empty: not tied to one ecosystem.
  std::string kind;       // e.g. "hardware-failure"; required.
  std::string subject;    // e.g. component or zone name; may be empty.
  std::string payload_json = "{}";  // a valid JSON text.
  bool operator==(const EventRecord&) const = default;
};

// Something the engine did or decided (migrate, scale, isolate, update,
// rollback), with its outcome: one line of the audit log. A stand-in for
// model::Action, like EventRecord.
struct ActionRecord {
  int64_t id = 0;  // assigned by AppendAction; ignored on input.
  int64_t time_us = 0;
  std::string ecosystem;  // required.
  std::string kind;       // e.g. "migrate"; required.
  std::string subject;
  std::string payload_json = "{}";  // reason, alternatives, effect...
  std::string result;               // e.g. "applied", "dry-run", "failed: ..."
  std::optional<int64_t> event_id;  // the triggering event, if any.
  std::optional<int64_t> plan_id;   // the plan it applied, if any.
  bool operator==(const ActionRecord&) const = default;
};

// The engine's memory of one ecosystem (docs/serve.md, "Engine memory"): what
// the daemon learnt from events and actions that the latest plan does not say
// (capacity states, notices, bad versions, cooldown clocks, rollouts, load
// history...), as the JSON of jsonio::EngineMemoryToJson. One row per
// ecosystem, replaced on every write. The store treats state_json as opaque
// (a valid JSON text).
struct MemoryRecord {
  std::string ecosystem;
  // The plan the memory describes. In a DecisionRecord, nullopt = the plan
  // that decision commits (required then).
  std::optional<int64_t> plan_id;
  // The highest stored event id the memory includes (0: none); a restarted
  // daemon replays the processed events after it (ProcessedEventsAfter).
  int64_t event_id = 0;
  std::string state_json = "{}";
  int64_t updated_at_us = 0;  // set by the store (StoreOptions::now_us).
  bool operator==(const MemoryRecord&) const = default;
};

// What running one stored event through the engine produced: committed by
// Store::CommitDecision in one transaction with the event's processed mark,
// so after a crash an event is either processed with all its actions (and
// plan) stored, or unprocessed with none of them (docs/serve.md, "Nothing
// lost").
struct DecisionRecord {
  // The stored event that was run (marked processed); 0 for an event that
  // was never stored (a control-loop tick): nothing is marked.
  int64_t event_id = 0;
  // The plan the actions produced, committed like PutPlan (including its
  // compare-and-set on parent_id); each action's plan_id is set to it.
  struct Plan {
    std::string ecosystem;
    int64_t version = 0;
    std::optional<int64_t> parent_id;
    model::PlacementPlan plan;
  };
  std::optional<Plan> plan;
  std::vector<ActionRecord> actions;
  // The engine's memory after the decision (usually one record, of the
  // decision's ecosystem), written in the same transaction.
  std::vector<MemoryRecord> memory;
};

// The ids CommitDecision assigned.
struct DecisionIds {
  std::optional<int64_t> plan_id;
  std::vector<int64_t> action_ids;  // in the order given.
};

// A Store is safe to use from several threads at once: each implementation
// serialises calls on its own connection. Several Store objects (in one or
// several processes) may open the same SQLite file; writes are serialised by
// the database lock (BEGIN IMMEDIATE, waiting up to busy_timeout_ms).
//
// Errors common to all methods: kInvalidArgument for a bad name or payload
// (nothing written), kUnavailable when the write lock could not be taken in
// time, kIOError when the file cannot be written, kCorruption when stored
// data is damaged. A failed write changes nothing.
class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Stores `ecosystem` as the next version of the ecosystem called
  // ecosystem.name (created on first use), with its components (nodes),
  // dependencies (edges) and the source text it was read from. Returns the
  // new version number: 1 for a new ecosystem, then 2, 3, ...; numbers are
  // unique and gapless even with concurrent writers.
  virtual Result<int64_t> PutEcosystem(const model::Ecosystem& ecosystem,
                                       std::string_view source_text,
                                       std::string_view source_format) = 0;

  // The ecosystem as stored in `version` (nullopt = the latest); equal
  // (operator==) to what was put. kNotFound for an unknown name or version.
  virtual Result<model::Ecosystem> GetEcosystem(
      std::string_view name, std::optional<int64_t> version) = 0;

  // The source text of a version (nullopt = the latest). kNotFound as above.
  virtual Result<StoredSource> GetSource(std::string_view name,
                                         std::optional<int64_t> version) = 0;

  // All ecosystems, ordered by name.
  virtual Result<std::vector<EcosystemSummary>> ListEcosystems() = 0;

  // The versions of one ecosystem, oldest first. kNotFound for an unknown
  // name.
  virtual Result<std::vector<VersionInfo>> ListVersions(
      std::string_view name) = 0;

  // Graph queries on one version (nullopt = latest), run as recursive SQL
  // over the stored edges. Only dependencies whose both ends name components
  // of the version are followed (as in graph::EcosystemMap). kNotFound for
  // an unknown ecosystem, version or component.
  //
  // The transitive dependents of `component` (what breaks if it fails),
  // excluding itself, sorted by name.
  virtual Result<std::vector<std::string>> ImpactSet(
      std::string_view ecosystem, std::optional<int64_t> version,
      std::string_view component, EdgeFilter filter) = 0;
  // The transitive dependencies of `component`, excluding itself, sorted by
  // name.
  virtual Result<std::vector<std::string>> Dependencies(
      std::string_view ecosystem, std::optional<int64_t> version,
      std::string_view component, EdgeFilter filter) = 0;
  // One shortest dependency path from `from` to `to` (both included; {from}
  // when from == to). Among shortest paths, the one whose names, read from
  // `to` backwards, are smallest. Empty when `to` is not reachable (an
  // answer, not an error).
  virtual Result<std::vector<std::string>> Path(std::string_view ecosystem,
                                                std::optional<int64_t> version,
                                                std::string_view from,
                                                std::string_view to,
                                                EdgeFilter filter) = 0;

  // Stores a placement plan for version `version` of `ecosystem`, child of
  // `parent_id` (nullopt = a first plan), with its delta against the parent
  // (model::Diff). plan.ecosystem must be empty or equal `ecosystem`.
  // Returns the new plan id (increasing). kNotFound for an unknown
  // ecosystem, version or parent; kFailedPrecondition when the parent
  // belongs to another ecosystem, or when `parent_id` is not the
  // ecosystem's latest plan at commit time (nullopt: when it already has a
  // plan). That compare-and-set runs in the write transaction: of two
  // writers that read the same latest plan and commit children of it at
  // once, exactly one succeeds; the other re-reads and retries, or gives up.
  virtual Result<int64_t> PutPlan(std::string_view ecosystem, int64_t version,
                                  std::optional<int64_t> parent_id,
                                  const model::PlacementPlan& plan) = 0;
  // The plan with id `id`; kNotFound if there is none.
  virtual Result<PlanRecord> GetPlan(int64_t id) = 0;
  // The most recently stored plan of `ecosystem`; kNotFound if it has none.
  virtual Result<PlanRecord> LatestPlan(std::string_view ecosystem) = 0;
  // All plans of `ecosystem`, oldest first (empty if none; kNotFound for an
  // unknown ecosystem).
  virtual Result<std::vector<PlanSummary>> PlanHistory(
      std::string_view ecosystem) = 0;

  // Appends an event / an action to the log and returns its id (increasing).
  // The id field of the argument is ignored. event_id and plan_id must name
  // stored rows (kNotFound otherwise).
  virtual Result<int64_t> AppendEvent(const EventRecord& event) = 0;
  // Appends several events in one transaction (one durable commit): all
  // are stored, with increasing ids returned in order, or none is (the
  // first invalid one is named by its index). Used for group commit.
  virtual Result<std::vector<int64_t>> AppendEvents(
      const std::vector<EventRecord>& events) = 0;
  virtual Result<int64_t> AppendAction(const ActionRecord& action) = 0;
  // Events / actions of `ecosystem` (empty string = all) with time_us >=
  // since_us, oldest first (ties by id), at most `limit` (limit <= 0: all).
  virtual Result<std::vector<EventRecord>> ListEvents(
      std::string_view ecosystem, int64_t since_us, int64_t limit) = 0;
  virtual Result<std::vector<ActionRecord>> ListActions(
      std::string_view ecosystem, int64_t since_us, int64_t limit) = 0;

  // Engine progress (docs/serve.md, "Nothing lost"). Every stored event
  // starts unprocessed.
  //
  // Stores `decision` in one transaction: its plan (if any), its actions,
  // and the processed mark of decision.event_id. All or nothing: on any
  // error (those of PutPlan, including kFailedPrecondition when the plan's
  // parent is no longer the latest; those of AppendAction; kNotFound for an
  // unknown event) nothing is stored and the event stays unprocessed.
  virtual Result<DecisionIds> CommitDecision(
      const DecisionRecord& decision) = 0;
  // Marks events processed that produced no actions, in one transaction.
  // Marking a processed event again is a no-op; kNotFound for an unknown id
  // (nothing marked).
  virtual Status MarkProcessed(const std::vector<int64_t>& event_ids) = 0;
  // MarkProcessed and, in the same transaction, the memory records given
  // (each replaces its ecosystem's; plan_id required and must name a plan
  // of that ecosystem: kNotFound / kFailedPrecondition otherwise). All or
  // nothing.
  virtual Status CommitProgress(const std::vector<int64_t>& event_ids,
                                const std::vector<MemoryRecord>& memory) = 0;
  // The latest memory record of `ecosystem`; nullopt when none was written
  // (kNotFound for an unknown ecosystem).
  virtual Result<std::optional<MemoryRecord>> LoadMemory(
      std::string_view ecosystem) = 0;
  // Processed events with id > after_id whose ecosystem is `ecosystem` or
  // empty (not tied to one), by increasing id, at most `limit` (<= 0: all):
  // what the engine saw after a memory record was written.
  virtual Result<std::vector<EventRecord>> ProcessedEventsAfter(
      std::string_view ecosystem, int64_t after_id, int64_t limit) = 0;
  // Stored events not yet marked processed, oldest (lowest id) first, at
  // most `limit` (<= 0: all): what a restarted daemon must still run.
  virtual Result<std::vector<EventRecord>> UnprocessedEvents(int64_t limit) = 0;

  // Checks the whole database for damage: OK, or kCorruption naming the
  // first problem found. O(size of the database).
  virtual Status CheckIntegrity() = 0;

 protected:
  Store() = default;
};

// Opens (creating if allowed) the SQLite store at `path` and applies the
// pending schema migrations in one transaction. The caller owns the
// returned store. Errors: kNotFound (missing file, create_if_missing
// false), kIOError (cannot open or write), kCorruption (not a database or
// damaged), kFailedPrecondition (the file has a newer schema than this
// build; nothing is changed), kInvalidArgument (bad options).
Result<std::unique_ptr<Store>> OpenSqlite(const StoreOptions& options,
                                          std::string_view path);

}  // namespace ecotone::store

#endif  // ECOTONE_STORE_STORE_H_
