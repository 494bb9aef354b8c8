#pragma once
// Connections to PostgreSQL, the system of record.
//
// One connection per thread (libpqxx connections are not thread-safe). libpqxx 6.4 reconnects a
// broken connection silently and loses session state (LISTEN, prepared statements): code that
// depends on session state catches pqxx::broken_connection, drops the connection and opens a new
// one.

#include <memory>
#include <pqxx/connection>
#include <string>

namespace appealhub::storage {

struct DatabaseConfig {
  // libpq URI or key=value string; the password comes from the environment (PGPASSWORD or the
  // variable the configuration names), never from the configuration file.
  std::string uri;
};

// Opens a connection, with SIGPIPE ignored process-wide (a peer closing the socket must surface as
// an exception, not kill the process). Throws pqxx::broken_connection when the server is down.
std::unique_ptr<pqxx::connection> connect(const DatabaseConfig& config);

}  // namespace appealhub::storage
