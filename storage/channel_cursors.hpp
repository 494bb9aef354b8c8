#pragma once
// A channel adapter's stored position (a cursor, a page token, the last file sequence).
// Save a position only after everything before it is durably in the hub.

#include <optional>
#include <string>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

std::optional<std::string> load_cursor(pqxx::dbtransaction& txn, const std::string& channel,
                                       const std::string& name);
void save_cursor(pqxx::dbtransaction& txn, const std::string& channel, const std::string& name,
                 const std::string& value);

}  // namespace appealhub::storage
