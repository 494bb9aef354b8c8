#pragma once
// The gateway's HTTP server options (gateway/http_server.hpp), with their one set of defaults.
// Plain data on the standard library alone: config/ reads the "gateway" section into it.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/setting_problem.hpp"

namespace appealhub::gateway {

struct ServerOptions {
  std::string address = "127.0.0.1";
  // 0: any free port (tests); in the configuration, 0 leaves the gateway off.
  unsigned short port = 0;
  int io_threads = 2;                             // Asio threads for sockets
  int worker_threads = 8;                         // handlers run here: they block on PostgreSQL
  int max_connections = 1024;                     // over it: answer 503 and close
  int max_connections_per_address = 64;           // from one client address; over it: 503
  std::chrono::milliseconds read_timeout{15000};  // before every read: head, body, and idle wait
  std::chrono::milliseconds write_timeout{15000};
  std::size_t header_limit = 16 * 1024;     // request head bytes; over it 431
  std::string tls_cert_file, tls_key_file;  // both set: HTTPS (TLS 1.2 or newer); else plain HTTP
  std::chrono::milliseconds drain_timeout{10000};
};

inline core::SettingProblems validate(const ServerOptions& o) {
  core::SettingProblems problems;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    problems.push_back({"tls_key_file", "set both tls_cert_file and tls_key_file, or neither"});
  }
  return problems;
}

}  // namespace appealhub::gateway
