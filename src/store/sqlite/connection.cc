#include "store/sqlite/connection.h"

#include <sqlite3.h>

namespace roost::store::sqlite {

Error sqlite_error(int rc, std::string_view what, sqlite3* db) {
  ErrorKind kind = ErrorKind::Internal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      kind = ErrorKind::Temporary;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      kind = ErrorKind::Corrupt;
      break;
    case SQLITE_FULL:
      kind = ErrorKind::OverQuota;
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      kind = ErrorKind::Io;
      break;
    default:
      break;
  }
  std::string detail(what);
  detail += ": ";
  detail += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return make_error(kind, "index database error", std::move(detail));
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL; force a real empty blob.
  sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(), bytes.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(rc, sqlite3_sql(stmt_), db_);
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) {
      sqlite3_reset(stmt_);  // ready for the next bind + run
      return ok();
    }
  }
}

void Statement::reset() { sqlite3_reset(stmt_); }

Status Statement::expect_row(std::string_view what) {
  auto row = step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorKind::NotFound, std::string(what) + " not found");
  return ok();
}

int64_t Statement::int_at(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::text_at(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}

size_t Statement::bytes_at(int column) const {
  return static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
}

std::string_view Statement::blob_at(int column) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, "open " + path, db);
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  ROOST_TRY(conn->exec("PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Connection::exec(const char* sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  sqlite3_free(msg);
  if (rc != SQLITE_OK) return sqlite_error(rc, sql, db_);
  return ok();
}

Status Connection::exec_prepared(const char* sql) {
  auto stmt = prepare(sql);
  if (!stmt) return stmt.error();
  return stmt->run();
}

Result<Statement> Connection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(it->second, db_);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, sql, db_);
  cache_.emplace(sql, stmt);
  return Statement(stmt, db_);
}

int64_t Connection::changes() const { return sqlite3_changes64(db_); }

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

ReadTransaction::ReadTransaction(Connection& db) : db_(db), status_(db.exec_prepared("BEGIN")) {}

ReadTransaction::~ReadTransaction() {
  if (status_) (void)db_.exec_prepared("COMMIT");
}

}  // namespace roost::store::sqlite
