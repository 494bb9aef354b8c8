#pragma once
// Session-level advisory locks: one process at a time does a job (the deadline watch, a channel's
// poller) among many. A session lock lives as long as its connection's session; libpqxx 6.4 may
// reconnect a broken connection silently, so a holder checks that its session still holds it
// (docs/decisions/0008-connections-after-a-database-restart.md).

#include <optional>
#include <string>

namespace pqxx {
class connection_base;
}

namespace appealhub::storage {

// A lock on a numeric key, taken on `connection` if no other session holds it, released when this
// object goes (or with the session, if the connection broke).
class SessionLock {
 public:
  SessionLock(pqxx::connection_base& connection, long long key);
  ~SessionLock();
  SessionLock(const SessionLock&) = delete;
  SessionLock& operator=(const SessionLock&) = delete;
  bool held() const { return held_; }

 private:
  pqxx::connection_base& connection_;
  long long key_;
  bool held_ = false;
};

// A lock on a name (its key is hashtextextended(name, 0)), kept until the session ends. Returns
// the session's backend pid when taken, nullopt when another session holds it.
std::optional<int> try_named_session_lock(pqxx::connection_base& connection,
                                          const std::string& name);

// Whether the session of `connection` is still `backend_pid` and still holds the lock on `name`
// (false after a silent reconnect: the lock went with the old session).
bool named_session_lock_held(pqxx::connection_base& connection, const std::string& name,
                             int backend_pid);

}  // namespace appealhub::storage
