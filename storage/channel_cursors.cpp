#include "storage/channel_cursors.hpp"

#include <pqxx/pqxx>

namespace appealhub::storage {

std::optional<std::string> load_cursor(pqxx::dbtransaction& txn, const std::string& channel,
                                       const std::string& name) {
  const auto rows = txn.exec_params(
      "SELECT value FROM channel_cursors WHERE channel = $1 AND name = $2", channel, name);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

void save_cursor(pqxx::dbtransaction& txn, const std::string& channel, const std::string& name,
                 const std::string& value) {
  txn.exec_params(
      "INSERT INTO channel_cursors (channel, name, value) VALUES ($1, $2, $3)"
      " ON CONFLICT (channel, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
      channel, name, value);
}

bool remember_nonce(pqxx::dbtransaction& txn, const std::string& channel, const std::string& nonce,
                    std::chrono::minutes memory) {
  return txn.exec_params(
                "INSERT INTO channel_nonces (channel, nonce) VALUES ($1, $2)"
                " ON CONFLICT (channel, nonce) DO UPDATE SET seen_at = now()"
                " WHERE channel_nonces.seen_at < now() - make_interval(mins => $3)",
                channel, nonce, static_cast<int>(memory.count()))
             .affected_rows() > 0;
}

void prune_nonces(pqxx::dbtransaction& txn, const std::string& channel,
                  std::chrono::minutes memory) {
  txn.exec_params(
      "DELETE FROM channel_nonces WHERE channel = $1 AND seen_at < now() - "
      "make_interval(mins => $2)",
      channel, static_cast<int>(memory.count()));
}

}  // namespace appealhub::storage
