#pragma once
// A lease on a channel's intake: a PostgreSQL session advisory lock, so that of several processes
// running the same adapter exactly one takes the channel's pages, files or cursor at a time. The
// lock lives as long as the session: a killed process loses it at once, and another takes over at
// its next try. Every poller (mailbox, petition, the 12328 export folder) holds its lease through
// this type and calls hold() before each page or file it takes, and stops when it returns false.

#include <memory>
#include <string>
#include <string_view>

#include "storage/database.hpp"

namespace appealhub::adapters {

class ChannelLease {
 public:
  // `name` identifies what is leased ("appealhub.poller.mailbox").
  ChannelLease(storage::DatabaseConfig database, std::string name);
  ~ChannelLease();
  ChannelLease(const ChannelLease&) = delete;
  ChannelLease& operator=(const ChannelLease&) = delete;

  // True when this process holds the lease (taking it if it is free). A held lease is verified on
  // the server each time: the session is still the one that took the lock (libpqxx 6 reconnects
  // silently after a server restart, and a new session holds nothing) and pg_locks still shows
  // the lock granted to it. A lease found lost is logged once. Throws when the database cannot be
  // reached (the lease is then not held).
  bool hold();
  void release();
  bool held() const;
  // The backend pid of the session holding the lock (0 when not held): logged with what is taken.
  int session() const { return backend_pid_; }
  const std::string& name() const { return name_; }
  // Logs that `what` (a page, a file) was taken under this lease: one line per thing taken, with
  // the process and the session, so that who held the lease when can be read back from the logs.
  void log_taken(std::string_view kind, std::string_view what) const;

 private:
  storage::DatabaseConfig database_;
  std::string name_;
  std::unique_ptr<pqxx::connection> connection_;
  int backend_pid_ = 0;
};

}  // namespace appealhub::adapters
