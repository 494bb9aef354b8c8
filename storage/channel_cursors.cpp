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

}  // namespace appealhub::storage
