#include "storage/advisory_locks.hpp"

#include <pqxx/pqxx>

#include "core/log.hpp"

namespace appealhub::storage {

SessionLock::SessionLock(pqxx::connection_base& connection, long long key)
    : connection_(connection), key_(key) {
  pqxx::nontransaction txn(connection_);
  held_ = txn.exec_params1("SELECT pg_try_advisory_lock($1)", key_)[0].as<bool>();
}

SessionLock::~SessionLock() {
  if (!held_) return;
  try {
    pqxx::nontransaction txn(connection_);
    txn.exec_params("SELECT pg_advisory_unlock($1)", key_);
  } catch (const std::exception& e) {
    // A broken connection has ended the session, and the lock with it.
    core::log_warn("storage", "advisory unlock failed", {{"error", e.what()}});
  }
}

std::optional<int> try_named_session_lock(pqxx::connection_base& connection,
                                          const std::string& name) {
  pqxx::nontransaction txn(connection);
  const auto row = txn.exec_params1(
      "SELECT pg_try_advisory_lock(hashtextextended($1, 0)), pg_backend_pid()", name);
  if (!row[0].as<bool>()) return std::nullopt;
  return row[1].as<int>();
}

bool named_session_lock_held(pqxx::connection_base& connection, const std::string& name,
                             int backend_pid) {
  // pg_locks shows a bigint key as classid (high 32 bits), objid (low 32 bits) and objsubid 1.
  pqxx::nontransaction txn(connection);
  const auto row = txn.exec_params1(
      "SELECT pg_backend_pid(), EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND "
      "pid = pg_backend_pid() AND granted AND objsubid = 1 AND "
      "classid::bigint = ((hashtextextended($1, 0) >> 32) & 4294967295) AND "
      "objid::bigint = (hashtextextended($1, 0) & 4294967295))",
      name);
  return row[0].as<int>() == backend_pid && row[1].as<bool>();
}

}  // namespace appealhub::storage
