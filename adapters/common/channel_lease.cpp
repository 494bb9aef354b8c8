#include "adapters/common/channel_lease.hpp"

#include <unistd.h>

#include <pqxx/pqxx>

#include "core/log.hpp"

namespace appealhub::adapters {
namespace {

// The lock's key is hashtextextended(name, 0); pg_locks shows a bigint key as classid (high 32
// bits), objid (low 32 bits) and objsubid 1.
constexpr const char* kStillHeld =
    "SELECT pg_backend_pid(), EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND "
    "pid = pg_backend_pid() AND granted AND objsubid = 1 AND "
    "classid::bigint = ((hashtextextended($1, 0) >> 32) & 4294967295) AND "
    "objid::bigint = (hashtextextended($1, 0) & 4294967295))";

}  // namespace

ChannelLease::ChannelLease(storage::DatabaseConfig database, std::string name)
    : database_(std::move(database)), name_(std::move(name)) {}

ChannelLease::~ChannelLease() {
  release();
}

bool ChannelLease::hold() {
  if (connection_) {
    bool kept = false;
    try {
      pqxx::nontransaction txn(*connection_);
      const auto row = txn.exec_params1(kStillHeld, name_);
      kept = row[0].as<int>() == backend_pid_ && row[1].as<bool>();
    } catch (const std::exception& e) {
      if (!storage::is_connection_failure(e) && connection_->is_open()) throw;
    }
    if (kept) return true;
    core::log_warn("lease", "lease lost", {{"lease", name_}, {"session", std::to_string(backend_pid_)}});
    release();  // a new session: the lock went with the old one
  }
  auto connection = storage::connect(database_);
  pqxx::nontransaction txn(*connection);
  const auto row = txn.exec_params1(
      "SELECT pg_try_advisory_lock(hashtextextended($1, 0)), pg_backend_pid()", name_);
  if (!row[0].as<bool>()) return false;
  backend_pid_ = row[1].as<int>();
  connection_ = std::move(connection);
  core::log_info("lease", "lease taken", {{"lease", name_}, {"session", std::to_string(backend_pid_)}});
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
