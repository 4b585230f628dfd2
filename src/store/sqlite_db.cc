#include "sqlite_db.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <utility>

namespace ecotone::store {

Status SqliteStatus(int rc, std::string_view what, std::string_view detail) {
  std::string msg(what);
  if (!detail.empty()) {
    msg += ": ";
    msg += detail;
  } else {
    msg += ": ";
    msg += sqlite3_errstr(rc);
  }
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IOError(std::move(msg));
    case SQLITE_CONSTRAINT:
      return Status::FailedPrecondition(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return SqliteStatus(rc, "cannot open store " + path, detail);
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Error(int rc, std::string_view what) const {
  return SqliteStatus(rc, std::string(path_) + ": " + std::string(what),
                      sqlite3_errmsg(db_));
}

Status Database::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string detail = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteStatus(rc, path_ + ": " + s.substr(0, 60), detail);
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return Error(rc, "prepare " + std::string(sql.substr(0, 60)));
  }
  return Statement(this, stmt);
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int i, int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, i, v);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Statement& Statement::Bind(int i, double v) {
  int rc = sqlite3_bind_double(stmt_, i, v);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Statement& Statement::Bind(int i, std::string_view v) {
  // An empty view may have a null data(); SQLite would bind NULL for it.
  static const char kEmpty[] = "";
  int rc = sqlite3_bind_text64(stmt_, i, v.empty() ? kEmpty : v.data(),
                               v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Statement& Statement::Bind(int i, std::optional<int64_t> v) {
  return v ? Bind(i, *v) : BindNull(i);
}

Statement& Statement::BindNull(int i) {
  int rc = sqlite3_bind_null(stmt_, i);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != 0) return db_->Error(bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(stmt_);
  return db_->Error(rc, std::string_view(sql ? sql : "").substr(0, 60));
}

Status Statement::Run() {
  ECOTONE_ASSIGN_OR_RETURN(bool row, Step());
  if (row) return Status::Internal("statement returned a row unexpectedly");
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = 0;
}

int64_t Statement::Int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

double Statement::Real(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

bool Statement::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Result<Transaction> Transaction::Begin(Database* db, bool immediate) {
  ECOTONE_RETURN_IF_ERROR(db->Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    // Best effort: if the transaction was already rolled back by SQLite
    // (e.g. after SQLITE_FULL), this fails harmlessly.
    (void)db_->Exec("ROLLBACK");
  }
}

Status Transaction::Commit() {
  Status st = db_->Exec("COMMIT");
  if (st.ok()) db_ = nullptr;  // on failure the destructor rolls back.
  return st;
}

}  // namespace ecotone::store
