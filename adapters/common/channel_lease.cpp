#include "adapters/common/channel_lease.hpp"

#include <pqxx/pqxx>

namespace appealhub::adapters {

ChannelLease::ChannelLease(storage::DatabaseConfig database, std::string name)
    : database_(std::move(database)), name_(std::move(name)) {}

ChannelLease::~ChannelLease() {
  release();
}

bool ChannelLease::hold() {
  if (connection_) {
    try {
      pqxx::nontransaction txn(*connection_);
      if (txn.exec1("SELECT pg_backend_pid()")[0].as<int>() == backend_pid_) return true;
    } catch (const pqxx::broken_connection&) {
    }
    connection_.reset();  // a new session: the lock went with the old one
  }
  auto connection = storage::connect(database_);
  pqxx::nontransaction txn(*connection);
  const auto row = txn.exec_params1(
      "SELECT pg_try_advisory_lock(hashtextextended($1, 0)), pg_backend_pid()", name_);
  if (!row[0].as<bool>()) return false;
  backend_pid_ = row[1].as<int>();
  connection_ = std::move(connection);
  return true;
}

void ChannelLease::release() {
  // Closing the session releases the lock.
  connection_.reset();
  backend_pid_ = 0;
}

bool ChannelLease::held() const {
  return connection_ != nullptr;
}

}  // namespace appealhub::adapters
