#pragma once
// Connections to PostgreSQL, the system of record.
//
// One connection per thread (libpqxx connections are not thread-safe). libpqxx 6.4 reconnects a
// broken connection silently and loses session state (LISTEN, prepared statements): code that
// depends on session state catches pqxx::broken_connection, drops the connection and opens a new
// one.

#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <utility>

namespace appealhub::storage {

struct DatabaseConfig {
  // libpq URI or key=value string; the password comes from the environment (PGPASSWORD or the
  // variable the configuration names), never from the configuration file.
  std::string uri;
};

// Opens a connection, with SIGPIPE ignored process-wide (a peer closing the socket must surface as
// an exception, not kill the process). Throws pqxx::broken_connection when the server is down.
std::unique_ptr<pqxx::connection> connect(const DatabaseConfig& config);

// Runs `sql` as the connection's prepared statement `name`: parsed once per connection, and once
// PostgreSQL has seen it a few times, planned once too (its generic plan). For the statements a
// request runs every time (authentication, the ticket detail), where parsing and planning cost
// more than executing. libpqxx sends the PREPARE on first use and again after a reconnect; a name
// must always be given the same SQL.
template <typename... Args>
pqxx::result exec_prepared(pqxx::transaction_base& txn, const char* name, const std::string& sql,
                           Args&&... args) {
  txn.conn().prepare(name, sql);  // a no-op once the definition is known
  return txn.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace appealhub::storage
