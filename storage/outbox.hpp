#pragma once
// The transactional outbox: what the database decides to publish is written in the same
// transaction as the decision, then relayed to the broker by OutboxRelay.
//
// Relay contract: rows are claimed with FOR UPDATE SKIP LOCKED (several relays share the table
// without sending a row twice at once), published with confirms, and marked sent in the claiming
// transaction. A crash between the broker's confirm and the commit sends the row again later, so
// delivery is at least once and consumers de-duplicate on message_id. A message the broker refuses
// (returned as unroutable, nacked) stays unsent with its error and is tried again after a delay.
// Sent rows are kept for OutboxRelayOptions::retention (a record of what was published, and the
// message-id de-duplication of enqueue_outbox), then deleted: they carry personal data.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.hpp"
#include "storage/outbox_options.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct OutboxMessage {
  std::int64_t id = 0;  // assigned by the database
  std::string message_id, exchange, routing_key, type, body;
  std::map<std::string, std::string> headers;
  std::vector<std::string> cc;  // more routing keys for the same message (bus::OutgoingMessage)
  bool mandatory = true;        // false: dropped by the broker when no queue is bound (departments)
  int attempts = 0;
};

// Adds messages in the caller's transaction (one statement); a message id already in the outbox
// is ignored.
void enqueue_outbox(pqxx::dbtransaction& txn, const std::vector<OutboxMessage>& messages);
inline void enqueue_outbox(pqxx::dbtransaction& txn, const OutboxMessage& message) {
  enqueue_outbox(txn, std::vector<OutboxMessage>{message});
}

// Where the relay publishes to (the bus, in the hub). Publishes every message and waits for the
// broker's answers; returns, per message in order, an empty string when confirmed or the error.
// Throws when the broker cannot be reached at all: nothing is marked sent then.
class OutboxSink {
 public:
  virtual ~OutboxSink() = default;
  virtual std::vector<std::string> publish(const std::vector<OutboxMessage>& batch) = 0;
};

class OutboxRelay {
 public:
  OutboxRelay(DatabaseConfig database, OutboxSink& sink, OutboxRelayOptions options = {});
  ~OutboxRelay();

  // Claims, publishes and marks one batch; returns how many rows were marked sent.
  std::size_t relay_once();

  // Deletes rows sent longer than `retention` ago, oldest first in chunks of 5,000; returns how
  // many. Unsent rows are never deleted. run() calls it every prune_interval.
  std::size_t prune_once();

  // Relays until `stop` is set: batch after batch while rows wait, then sleeps until a NOTIFY on
  // appealhub_outbox or the poll interval. Reconnects to the database and retries on failures.
  void run(const std::atomic<bool>& stop);

  std::uint64_t sent_total() const { return sent_total_; }

 private:
  void ensure_connected();
  bool wait_for_work(std::chrono::milliseconds timeout);  // true when woken by NOTIFY

  DatabaseConfig database_;
  OutboxSink& sink_;
  OutboxRelayOptions options_;
  std::unique_ptr<pqxx::connection> connection_;
  struct Listener;
  std::unique_ptr<Listener> listener_;
  std::uint64_t sent_total_ = 0;
};

}  // namespace appealhub::storage
