// The index schema (SQLite) and its migrations. Bumping kSchemaVersion needs a step
// in migrate(); opening a newer database than this binary knows fails with Corrupt.
#pragma once

#include "base/result.h"
#include "store/sqlite/connection.h"

namespace roost::store::sqlite {

inline constexpr int kSchemaVersion = 6;

// Sets WAL and the durability level, then creates or migrates the schema.
Status prepare_schema(Connection& db, bool durable);

// Per-connection settings for the pooled read-only connections.
Status prepare_reader(Connection& db);

}  // namespace roost::store::sqlite
