#include "storage/database.hpp"

#include <csignal>
#include <cstdint>
#include <map>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/except>

namespace appealhub::storage {
namespace {

using Clock = std::chrono::steady_clock;

std::mutex registry_mutex;
// "part\x1fowner" → since when that connection cannot be opened (threads of one part differ).
std::map<std::string, Clock::time_point>& failing() {
  static std::map<std::string, Clock::time_point> parts;
  return parts;
}

void mark_failing(const std::string& part, bool failed, const void* owner) {
  if (part.empty()) return;
  const std::string key = part + "\x1f" + std::to_string(reinterpret_cast<std::uintptr_t>(owner));
  const std::lock_guard lock(registry_mutex);
  auto& parts = failing();
  const auto it = parts.find(key);
  if (!failed) {
    if (it != parts.end()) parts.erase(it);
  } else if (it == parts.end()) {
    parts.emplace(key, Clock::now());
  }
}

}  // namespace

std::unique_ptr<pqxx::connection> connect(const DatabaseConfig& config) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  return std::make_unique<pqxx::connection>(config.uri);
}

bool is_connection_failure(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    return true;
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string state = sql->sqlstate();
    return state.starts_with("08") || state.starts_with("57");
  }
  return false;
}

KeptConnection::KeptConnection(DatabaseConfig config, std::string part)
    : config_(std::move(config)), part_(std::move(part)) {}

KeptConnection::~KeptConnection() {
  mark_failing(part_, false, this);
}

pqxx::connection& KeptConnection::get() {
  if (connection_) {
    bool alive = connection_->is_open();
    if (alive) {
      try {
        // Reads what the socket holds without a query: a server that shut down sent its
        // goodbye and closed the socket, and libpq marks the connection bad here.
        connection_->get_notifs();
      } catch (const std::exception&) {
        alive = false;
      }
      alive = alive && connection_->is_open();
    }
    if (!alive) connection_.reset();
  }
  if (!connection_) {
    try {
      connection_ = connect(config_);
    } catch (const std::exception&) {
      mark_failing(part_, true, this);
      throw;
    }
    mark_failing(part_, false, this);
  }
  return *connection_;
}

void KeptConnection::drop() {
  connection_.reset();
}

void KeptConnection::release() {
  connection_.reset();
  mark_failing(part_, false, this);
}

bool KeptConnection::drop_if_broken(const std::exception& e) {
  if (!connection_) return false;
  if (is_connection_failure(e) || !connection_->is_open()) {
    connection_.reset();
    return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::chrono::seconds>> failing_connections() {
  std::vector<std::pair<std::string, std::chrono::seconds>> out;
  const auto now = Clock::now();
  const std::lock_guard lock(registry_mutex);
  for (const auto& [key, since] : failing()) {
    out.emplace_back(key.substr(0, key.find('\x1f')),
                     std::chrono::duration_cast<std::chrono::seconds>(now - since));
  }
  return out;
}

}  // namespace appealhub::storage
