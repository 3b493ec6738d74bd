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

// Per-connection settings for the pooled read-only connections.
Status prepare_reader(Connection& db);

}  // namespace roost::store::sqlite
