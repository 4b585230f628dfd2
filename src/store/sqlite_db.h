// A thin RAII layer over the SQLite C API: a connection, prepared statements
// with typed binds and reads, and the mapping of SQLite result codes to
// Status. Private to the store module.
//
// Neither class is thread-safe; SqliteStore guards its connection with a
// mutex.
#ifndef ECOTONE_STORE_SQLITE_DB_H_
#define ECOTONE_STORE_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ecotone/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ecotone::store {

// Maps a SQLite result code to a Status: CORRUPT/NOTADB -> kCorruption,
// BUSY/LOCKED -> kUnavailable, IOERR/FULL/CANTOPEN/READONLY/PERM ->
// kIOError, CONSTRAINT -> kFailedPrecondition, anything else kInternal.
// `what` names the operation; `detail` is sqlite3_errmsg when known.
Status SqliteStatus(int rc, std::string_view what, std::string_view detail);

class Statement;

// An open connection. Closes it on destruction.
class Database {
 public:
  // Opens `path` (creating it when `create`), with extended result codes.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements without results (no parameters).
  Status Exec(std::string_view sql);
  // Compiles one statement (SQLITE_PREPARE_PERSISTENT: it may be reused).
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }
  Status Error(int rc, std::string_view what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// A prepared statement. Binds are 1-based like SQLite's; columns 0-based.
class Statement {
 public:
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) {
    o.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binds keep a copy of text (SQLITE_TRANSIENT), so arguments may be
  // temporaries. Each returns *this for chaining; errors surface on Step.
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const std::string& v) {
    return Bind(i, std::string_view(v));
  }
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, std::optional<int64_t> v);
  Statement& BindNull(int i);

  // Advances: true = a row is available, false = done.
  Result<bool> Step();
  // Step() expecting no row (INSERT/UPDATE/DELETE).
  Status Run();
  // Makes the statement ready to run again (keeps nothing bound).
  void Reset();

  int64_t Int(int col) const;
  double Real(int col) const;  // NULL reads as NaN (SQLite stores NaN as NULL).
  std::string Text(int col) const;
  bool IsNull(int col) const;
  std::optional<int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }

 private:
  Database* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // first failed bind, reported by Step.
};

// A transaction that rolls back unless committed. Begin(immediate=true) takes
// the write lock at once (BEGIN IMMEDIATE), which is what serialises writers
// and keeps per-ecosystem version numbers gapless.
class Transaction {
 public:
  static Result<Transaction> Begin(Database* db, bool immediate);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace ecotone::store

#endif  // ECOTONE_STORE_SQLITE_DB_H_
