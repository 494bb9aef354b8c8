#pragma once
// A channel adapter's stored state: its position (a cursor, a page token, the last file
// sequence; save a position only after everything before it is durably in the hub) and the
// nonces of signed webhooks it has seen (a replayed nonce is refused).

#include <chrono>
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

// Remembers a webhook's nonce for `memory`; false when it was seen within that time (a replay).
// A nonce older than the memory may be used again.
bool remember_nonce(pqxx::dbtransaction& txn, const std::string& channel, const std::string& nonce,
                    std::chrono::minutes memory);
// Forgets nonces older than `memory`.
void prune_nonces(pqxx::dbtransaction& txn, const std::string& channel,
                  std::chrono::minutes memory);

}  // namespace appealhub::storage
