#pragma once
// A lease on a channel's poller: a PostgreSQL session advisory lock, so that of several processes
// running the same adapter exactly one pages the channel's cursor at a time. The lock lives as
// long as the session: a killed process loses it at once, and another takes over at its next try.

#include <memory>
#include <string>

#include "storage/database.hpp"

namespace appealhub::adapters {

class ChannelLease {
 public:
  // `name` identifies what is leased ("appealhub.poller.mailbox").
  ChannelLease(storage::DatabaseConfig database, std::string name);
  ~ChannelLease();
  ChannelLease(const ChannelLease&) = delete;
  ChannelLease& operator=(const ChannelLease&) = delete;

  // True when this process holds the lease (taking it if it is free). Checks that the session
  // that took it is still the one open: libpqxx 6 reconnects silently, and a new session does not
  // hold the old one's lock. Throws when the database cannot be reached.
  bool hold();
  void release();
  bool held() const;

 private:
  storage::DatabaseConfig database_;
  std::string name_;
  std::unique_ptr<pqxx::connection> connection_;
  int backend_pid_ = 0;
};

}  // namespace appealhub::adapters
