#include "storage/database.hpp"

#include <csignal>
#include <mutex>
#include <pqxx/connection>

namespace appealhub::storage {

std::unique_ptr<pqxx::connection> connect(const DatabaseConfig& config) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  return std::make_unique<pqxx::connection>(config.uri);
}

}  // namespace appealhub::storage
