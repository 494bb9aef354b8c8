#pragma once
// Versioned schema migrations (storage/migrations/NNNN_name.sql, compiled in).
//
// `apply_migrations` takes a session advisory lock so that several processes starting together
// apply each migration once; each migration runs in its own transaction with its row in
// schema_migrations. A migration already applied whose text changed is refused (checksums differ):
// migrations are append-only, a change is a new file.

#include <string>
#include <vector>

#include "storage/database.hpp"

namespace appealhub::storage {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& embedded_migrations();

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this call
  int current_version = 0;   // highest version in the database afterwards
};

MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations = embedded_migrations());

// True when every embedded migration is applied (for readiness checks).
bool migrations_current(pqxx::connection& connection,
                        const std::vector<Migration>& migrations = embedded_migrations());

}  // namespace appealhub::storage
