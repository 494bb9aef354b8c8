#include "adapters/common/channel_lease.hpp"

#include <unistd.h>

#include <pqxx/pqxx>

#include "core/log.hpp"
#include "storage/advisory_locks.hpp"

namespace appealhub::adapters {
ChannelLease::ChannelLease(storage::DatabaseConfig database, std::string name)
    : database_(std::move(database)), name_(std::move(name)) {}

ChannelLease::~ChannelLease() {
  release();
}

bool ChannelLease::hold() {
  if (connection_) {
    bool kept = false;
    try {
      kept = storage::named_session_lock_held(*connection_, name_, backend_pid_);
    } catch (const std::exception& e) {
      if (!storage::is_connection_failure(e) && connection_->is_open()) throw;
    }
    if (kept) return true;
    core::log_warn("lease", "lease lost",
                   {{"lease", name_}, {"session", std::to_string(backend_pid_)}});
    release();  // a new session: the lock went with the old one
  }
  auto connection = storage::connect(database_);
  const auto session = storage::try_named_session_lock(*connection, name_);
  if (!session) return false;
  backend_pid_ = *session;
  connection_ = std::move(connection);
  core::log_info("lease", "lease taken",
                 {{"lease", name_}, {"session", std::to_string(backend_pid_)}});
  return true;
}

void ChannelLease::release() {
  // Closing the session releases the lock.
  connection_.reset();
  backend_pid_ = 0;
}

void ChannelLease::log_taken(std::string_view kind, std::string_view what) const {
  core::log_info("lease", "taken",
                 {{"lease", name_},
                  {"kind", std::string(kind)},
                  {"what", std::string(what)},
                  {"pid", std::to_string(getpid())},
                  {"session", std::to_string(backend_pid_)}});
}

bool ChannelLease::held() const {
  return connection_ != nullptr;
}

}  // namespace appealhub::adapters
