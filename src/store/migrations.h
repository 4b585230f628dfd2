// The schema of the SQLite store as an ordered list of migrations, and the
// code that brings a database up to date on open. docs/store.md describes
// each table. Private to the store module.
#ifndef ECOTONE_STORE_MIGRATIONS_H_
#define ECOTONE_STORE_MIGRATIONS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "ecotone/base/status.h"
#include "sqlite_db.h"

namespace ecotone::store {

struct Migration {
  int version;  // 1, 2, ...: position in the list.
  std::string_view description;
  std::string_view sql;  // portable DDL, run as one script.
};

// All migrations, in order. Never edit a released entry: append a new one.
std::span<const Migration> Migrations();

// Brings `db` to the latest schema in one BEGIN IMMEDIATE transaction:
// creates schema_migrations when the file is empty, applies each missing
// migration and records it (with `now_us`). Errors: kFailedPrecondition when
// the file has a newer schema than this build or is a SQLite file that is
// not an Ecotone store (nothing changed); SQLite errors mapped by
// SqliteStatus (kCorruption for a damaged file).
Status Migrate(Database* db, int64_t now_us);

}  // namespace ecotone::store

#endif  // ECOTONE_STORE_MIGRATIONS_H_
