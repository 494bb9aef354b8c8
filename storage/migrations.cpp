#include "storage/migrations.hpp"

#include <map>
#include <pqxx/pqxx>
#include <stdexcept>

#include "core/bytes.hpp"

namespace appealhub::storage {
namespace {

// Arbitrary constant naming the "schema migration" advisory lock.
constexpr long long kMigrationLock = 0x61707065616c0001LL;

void ensure_table(pqxx::connection& connection) {
  pqxx::work txn(connection);
  txn.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  txn.commit();
}

std::map<int, std::string> applied_checksums(pqxx::connection& connection) {
  pqxx::read_transaction txn(connection);
  std::map<int, std::string> out;
  for (const auto& row : txn.exec("SELECT version, checksum FROM schema_migrations")) {
    out[row[0].as<int>()] = row[1].as<std::string>();
  }
  return out;
}

}  // namespace

MigrationReport apply_migrations(pqxx::connection& connection,
                                 const std::vector<Migration>& migrations) {
  {
    pqxx::nontransaction lock(connection);
    lock.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
  }
  MigrationReport report;
  try {
    ensure_table(connection);
    const auto applied = applied_checksums(connection);
    for (const auto& migration : migrations) {
      const std::string checksum = core::sha256_hex(migration.sql);
      if (auto it = applied.find(migration.version); it != applied.end()) {
        if (it->second != checksum) {
          throw std::runtime_error("migration " + std::to_string(migration.version) + " (" +
                                   migration.name +
                                   ") was changed after it was applied; add a new migration");
        }
        continue;
      }
      pqxx::work txn(connection);
      txn.exec(migration.sql);
      txn.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                      migration.version, migration.name, checksum);
      txn.commit();
      report.applied.push_back(migration.version);
    }
    pqxx::read_transaction txn(connection);
    report.current_version =
        txn.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
  } catch (...) {
    pqxx::nontransaction unlock(connection);
    unlock.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
    throw;
  }
  pqxx::nontransaction unlock(connection);
  unlock.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
  return report;
}

bool migrations_current(pqxx::connection& connection, const std::vector<Migration>& migrations) {
  pqxx::read_transaction txn(connection);
  const auto exists =
      txn.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
  if (!exists) return migrations.empty();
  std::map<int, bool> present;
  for (const auto& row : txn.exec("SELECT version FROM schema_migrations")) {
    present[row[0].as<int>()] = true;
  }
  for (const auto& migration : migrations) {
    if (!present.count(migration.version)) return false;
  }
  return true;
}

}  // namespace appealhub::storage
