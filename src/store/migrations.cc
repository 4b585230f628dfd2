#include "migrations.h"

#include <string>

#include "ecotone/store/store.h"

namespace ecotone::store {
namespace {

// Version 1: ecosystems, their versions, the map as node and edge tables,
// and the event and action logs.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE ecosystems (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at_us INTEGER NOT NULL
);
CREATE TABLE ecosystem_versions (
  id INTEGER PRIMARY KEY,
  ecosystem_id INTEGER NOT NULL REFERENCES ecosystems(id),
  version INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  label TEXT NOT NULL,
  source_format TEXT NOT NULL,
  source_files TEXT NOT NULL,
  source_text TEXT NOT NULL,
  source_text_format TEXT NOT NULL,
  component_count INTEGER NOT NULL,
  edge_count INTEGER NOT NULL,
  UNIQUE (ecosystem_id, version)
);
CREATE TABLE components (
  version_id INTEGER NOT NULL REFERENCES ecosystem_versions(id),
  ordinal INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  version TEXT NOT NULL,
  image TEXT NOT NULL,
  replicas_min INTEGER NOT NULL,
  replicas_max INTEGER NOT NULL,
  replicas_initial INTEGER NOT NULL,
  cpu_millicores INTEGER NOT NULL,
  memory_bytes INTEGER NOT NULL,
  bandwidth_bps INTEGER NOT NULL,
  storage_bytes INTEGER NOT NULL,
  stateful INTEGER NOT NULL,
  latency_slo_us INTEGER NOT NULL,
  capacity_rps_per_replica REAL,
  extra TEXT NOT NULL,
  PRIMARY KEY (version_id, ordinal)
);
CREATE INDEX components_by_name ON components (version_id, name);
CREATE TABLE dependencies (
  version_id INTEGER NOT NULL REFERENCES ecosystem_versions(id),
  ordinal INTEGER NOT NULL,
  from_name TEXT NOT NULL,
  to_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  port INTEGER NOT NULL,
  protocol TEXT NOT NULL,
  traffic_rps REAL,
  traffic_bytes_per_s REAL,
  latency_budget_us INTEGER NOT NULL,
  criticality TEXT NOT NULL,
  inferred INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  resolved INTEGER NOT NULL,
  PRIMARY KEY (version_id, ordinal)
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (ecosystem, time_us);
CREATE TABLE actions (
  id INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  result TEXT NOT NULL,
  event_id INTEGER REFERENCES events(id)
);
CREATE INDEX actions_by_time ON actions (ecosystem, time_us);
)sql";

// Version 2: placement plans (parent, assignments, delta against the
// parent), the edge indexes the recursive graph queries walk, and the plan
// an action applied.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  ecosystem_id INTEGER NOT NULL REFERENCES ecosystems(id),
  version_id INTEGER NOT NULL REFERENCES ecosystem_versions(id),
  parent_id INTEGER REFERENCES plans(id),
  created_at_us INTEGER NOT NULL,
  plan_ecosystem TEXT NOT NULL,
  infra TEXT NOT NULL,
  metadata TEXT NOT NULL,
  assignment_count INTEGER NOT NULL,
  moves INTEGER NOT NULL,
  added INTEGER NOT NULL,
  removed INTEGER NOT NULL
);
CREATE INDEX plans_by_ecosystem ON plans (ecosystem_id, id);
CREATE TABLE plan_assignments (
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  ordinal INTEGER NOT NULL,
  component TEXT NOT NULL,
  replica INTEGER NOT NULL,
  zone TEXT NOT NULL,
  rack TEXT NOT NULL,
  host TEXT NOT NULL,
  PRIMARY KEY (plan_id, ordinal)
);
CREATE TABLE plan_changes (
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  ordinal INTEGER NOT NULL,
  change TEXT NOT NULL,
  component TEXT NOT NULL,
  replica INTEGER NOT NULL,
  from_place TEXT NOT NULL,
  to_place TEXT NOT NULL,
  from_zone TEXT NOT NULL,
  to_zone TEXT NOT NULL,
  zone TEXT NOT NULL,
  rack TEXT NOT NULL,
  host TEXT NOT NULL,
  PRIMARY KEY (plan_id, ordinal)
);
CREATE INDEX dependencies_by_from ON dependencies (version_id, from_name);
CREATE INDEX dependencies_by_to ON dependencies (version_id, to_name);
ALTER TABLE actions ADD COLUMN plan_id INTEGER REFERENCES plans(id);
)sql";

// Version 3: which events the engine has run (docs/serve.md, "Nothing
// lost"). Events stored by older versions count as processed: their daemon
// either ran them or is gone, and replaying a whole history on upgrade
// would act on stale facts.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE events ADD COLUMN processed INTEGER NOT NULL DEFAULT 0;
UPDATE events SET processed = 1;
CREATE INDEX events_by_processed ON events (processed, id);
)sql";

// Version 4: the engine's memory per ecosystem (docs/serve.md, "Engine
// memory"): the latest snapshot, the plan it describes and the last event it
// includes.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE engine_memory (
  ecosystem_id INTEGER PRIMARY KEY REFERENCES ecosystems(id),
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  event_id INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  state TEXT NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "ecosystems, versions, components, dependencies, events, actions", kV1},
    {2, "plans with parent and delta, edge indexes, actions.plan_id", kV2},
    {3, "events.processed: the engine's progress", kV3},
    {4, "engine_memory: the engine's memory per ecosystem", kV4},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int SchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status Migrate(Database* db, int64_t now_us) {
  ECOTONE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db, true));
  // Which tables exist decides between "empty file", "an Ecotone store" and
  // "some other SQLite database".
  ECOTONE_ASSIGN_OR_RETURN(
      Statement tables,
      db->Prepare("SELECT name FROM sqlite_master WHERE type = 'table'"));
  bool has_migrations = false;
  int other_tables = 0;
  while (true) {
    ECOTONE_ASSIGN_OR_RETURN(bool row, tables.Step());
    if (!row) break;
    std::string name = tables.Text(0);
    if (name == "schema_migrations") {
      has_migrations = true;
    } else if (name.rfind("sqlite_", 0) != 0) {
      ++other_tables;
    }
  }
  if (!has_migrations && other_tables > 0) {
    return Status::FailedPrecondition(
        db->path() +
        ": not an Ecotone store (a SQLite database without schema_migrations)");
  }
  int current = 0;
  if (!has_migrations) {
    ECOTONE_RETURN_IF_ERROR(
        db->Exec("CREATE TABLE schema_migrations (\n"
                 "  version INTEGER PRIMARY KEY,\n"
                 "  description TEXT NOT NULL,\n"
                 "  applied_at_us INTEGER NOT NULL\n"
                 ")"));
  } else {
    ECOTONE_ASSIGN_OR_RETURN(Statement max,
                             db->Prepare("SELECT COALESCE(MAX(version), 0), "
                                         "COUNT(*) FROM schema_migrations"));
    ECOTONE_ASSIGN_OR_RETURN(bool row, max.Step());
    if (!row) return Status::Internal("aggregate returned no row");
    current = static_cast<int>(max.Int(0));
    if (max.Int(1) != current) {
      return Status::Corruption(db->path() + ": schema_migrations has gaps (" +
                                std::to_string(max.Int(1)) +
                                " rows, highest version " +
                                std::to_string(current) + ")");
    }
  }
  const int latest = SchemaVersion();
  if (current > latest) {
    return Status::FailedPrecondition(
        db->path() + ": store schema version " + std::to_string(current) +
        " is newer than this build of ecotone supports (" +
        std::to_string(latest) + "); upgrade ecotone to open it");
  }
  if (current == latest) return Status::Ok();  // read-only: rollback is fine.
  ECOTONE_ASSIGN_OR_RETURN(
      Statement record,
      db->Prepare("INSERT INTO schema_migrations (version, description, "
                  "applied_at_us) VALUES (?, ?, ?)"));
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    Status st = db->Exec(m.sql);
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::to_string(m.version) +
                                   " failed: " + st.message());
    }
    record.Reset();
    record.Bind(1, m.version).Bind(2, m.description).Bind(3, now_us);
    ECOTONE_RETURN_IF_ERROR(record.Run());
  }
  // For sqlite3 command-line users; schema_migrations is authoritative.
  ECOTONE_RETURN_IF_ERROR(
      db->Exec("PRAGMA user_version = " + std::to_string(latest)));
  return tx.Commit();
}

}  // namespace ecotone::store
