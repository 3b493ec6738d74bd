// The index schema (SQLite) and its migrations. Bumping kSchemaVersion needs a step
// in migrate(); opening a newer database than this binary knows fails with Corrupt.
#pragma once

#include "base/result.h"
#include "store/sqlite/connection.h"

namespace roost::store::sqlite {

inline constexpr int kSchemaVersion = 6;

// Sets WAL and the durability level, then creates or migrates the schema. True when it created
// or migrated it (the caller then runs the full repair, which fills what a migration leaves).
Result<bool> prepare_schema(Connection& db, bool durable);

// Per-connection settings for the pooled read-only connections (the index is not mapped).
Status prepare_reader(Connection& db);

// Maps the index into memory on a pooled reader for one read of thousands of pages (a SEARCH or
// SORT batch, a range of a big flag table): there a pread(2) and a copy per page cost a third of
// the time. Create it outside a transaction; the mapping goes with it.
class MappedRead {
 public:
  explicit MappedRead(Connection& db);
  ~MappedRead();
  MappedRead(const MappedRead&) = delete;
  MappedRead& operator=(const MappedRead&) = delete;

 private:
  Connection& db_;
};

}  // namespace roost::store::sqlite
