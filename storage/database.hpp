#pragma once
// Connections to PostgreSQL, the system of record.
//
// One connection per thread (libpqxx connections are not thread-safe). libpqxx 6.4 reconnects a
// broken connection silently and loses session state (LISTEN, prepared statements, advisory
// locks), and some of its calls (exec_params on a connection that broke) do not reconnect at all
// but fail with "Could not obtain client encoding: not connected" for ever. So a connection kept
// between uses is held in a KeptConnection, which never hands out one that broke: see
// docs/decisions/0008-connections-after-a-database-restart.md.

#include <chrono>
#include <exception>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <utility>
#include <vector>

#include "storage/database_options.hpp"

namespace appealhub::storage {

// Opens a connection, with SIGPIPE ignored process-wide (a peer closing the socket must surface as
// an exception, not kill the process). Throws pqxx::broken_connection when the server is down.
std::unique_ptr<pqxx::connection> connect(const DatabaseConfig& config);

// True when `e` says the database went away rather than refused a statement: a broken connection,
// a commit in doubt, or SQLSTATE class 08 (connection) / 57 (operator intervention: shutdown,
// "the database system is starting up").
bool is_connection_failure(const std::exception& e);

// A connection a part keeps between uses (a poller, a consumer, the gateway's worker thread).
// get() never returns a connection that broke: libpq's status is checked, and a server that
// closed the socket while the connection was idle (a restart) is noticed without a round trip
// (the socket is read). A broken connection is closed and a new one opened, so a part is back
// within one try of the database's return. Not thread-safe, like the connection.
//
// A named one (a looping part: poller, intake) reports itself to failing_connections() while its
// last try to open failed, so /readyz says "not ready" until every looping part of the process
// has reconnected. Parts driven by requests (the gateway, the webhook) are not named: they open a
// connection on their next request, and /readyz's own database check goes the same way.
class KeptConnection {
 public:
  explicit KeptConnection(DatabaseConfig config, std::string part = {});
  ~KeptConnection();
  KeptConnection(const KeptConnection&) = delete;
  KeptConnection& operator=(const KeptConnection&) = delete;

  // The open connection; throws pqxx::broken_connection when the server cannot be reached.
  pqxx::connection& get();
  // Closes the connection (after an error that may have left it in an unknown state).
  void drop();
  // Closes the connection because the part does not need one now (a poller on standby, another
  // process holds its lease): it no longer counts as failing, and opens a new one when used.
  void release();
  // Call from a catch block: drops the connection when `e` is a connection failure or libpq no
  // longer holds the connection open; true when it did.
  bool drop_if_broken(const std::exception& e);
  bool connected() const { return connection_ != nullptr; }

 private:
  DatabaseConfig config_;
  std::string part_;
  std::unique_ptr<pqxx::connection> connection_;
};

// The named kept connections of this process whose last try to open failed, with for how long.
std::vector<std::pair<std::string, std::chrono::seconds>> failing_connections();

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
