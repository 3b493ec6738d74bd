// Connection: one SQLite handle with a cache of prepared statements, and Statement,
// a borrowed cached statement that resets itself when it goes out of scope.
// Thread safety: a Connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace roost::store::sqlite {

// Maps an SQLite result code to an Error (busy → Temporary, corrupt → Corrupt...).
Error sqlite_error(int rc, std::string_view what, sqlite3* db);

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);  // copied (SQLITE_TRANSIENT)
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // Binds the arguments to parameters 1..n in order.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind_one(++index, args), ...);
    return *this;
  }

  Result<bool> step();  // true when a row is available
  Status run();         // steps to completion, ignoring rows, then resets
  void reset();         // back to the start, bindings kept
  // Steps once; NotFound with `what` when there is no row.
  Status expect_row(std::string_view what);

  int64_t int_at(int column) const;
  std::string_view text_at(int column) const;  // valid until the next step
  std::string_view blob_at(int column) const;  // valid until the next step
  size_t bytes_at(int column) const;           // a text or blob's size, without reading it
  bool is_null(int column) const;

 private:
  template <class T>
  void bind_one(int index, const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      bind(index, std::string_view(value));
    } else {
      bind(index, static_cast<int64_t>(value));
    }
  }

  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

class Connection {
 public:
  // Opens (creating when `create`) the database; sets busy_timeout and foreign keys.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status exec(const char* sql);  // one or more statements, no parameters, rows ignored
  // One statement (a string literal), no parameters, rows ignored, prepared once and kept:
  // BEGIN, COMMIT and SAVEPOINT of every transaction are not parsed again each time.
  Status exec_prepared(const char* sql);
  // `sql` must outlive the connection (a literal): the cache is keyed by its address.
  Result<Statement> prepare(const char* sql);
  int64_t changes() const;
  int64_t last_insert_rowid() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// Runs BEGIN / COMMIT around a read on a pooled connection for a consistent snapshot.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& db);
  ~ReadTransaction();
  const Status& status() const { return status_; }

 private:
  Connection& db_;
  Status status_;
};

}  // namespace roost::store::sqlite
