#pragma once
// The router's intake consumer: channel events from `router.intake` into tickets.
//
// Contract (at least once in, exactly once in effect):
// - Deliveries are taken in batches (up to batch_size, or what arrived within batch_wait) and
//   applied in one PostgreSQL transaction, with their message ids recorded in processed_messages.
//   They are acked only after that transaction committed; a crash before the ack redelivers them
//   and the recorded ids make the redelivery change nothing.
// - An invalid message (not JSON, not appeal.v1, a field breaking a rule, an event that is not a
//   channel event, a body over max_body_bytes) is recorded in rejected_messages with the validation
//   error, and an outbox row dead-letters it to `appeals.dead` with the error in the header
//   `x-appealhub-error`, all in the batch's transaction; then it is acked. It is never retried.
// - A message whose processing fails for a reason of its own (the batch is retried one message at a
//   time to find it) goes to the delayed retry queues, and to `appeals.dead` after max_attempts.
// - When PostgreSQL is unreachable the batch is held unacked and retried with backoff; if the
//   broker drops the connection meanwhile, the messages are redelivered and deduplicated.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "bus/broker_config.hpp"
#include "router/intake_options.hpp"
#include "router/ticket_router.hpp"
#include "storage/database.hpp"

namespace appealhub::router {

struct IntakeStats {
  std::uint64_t deliveries = 0, batches = 0, created = 0, applied = 0, parked = 0, duplicates = 0,
                rejected = 0, retried = 0;
  std::uint64_t reassigned_back = 0;  // returned tickets the channel sent again (改派)
  std::uint64_t assigned = 0, triage = 0, merged = 0, suggested = 0;  // placement of new tickets
  std::uint64_t collect_us = 0;  // receiving and decoding batches
  std::uint64_t commit_us = 0;   // applying and committing them (overlaps the next collect)

  IntakeStats& operator+=(const IntakeStats& o);  // several consumers' stats added up
};

class IntakeConsumer {
 public:
  // `setup` gives the routing configuration in force; new tickets are placed with it in the
  // transaction that creates them.
  IntakeConsumer(bus::BrokerConfig broker, storage::DatabaseConfig database, IntakeOptions options,
                 SetupSource setup);
  ~IntakeConsumer();

  // Consumes until `stop` is set; returns after acking what was committed.
  void run(const std::atomic<bool>& stop);

  IntakeStats stats() const;

  struct State;  // internal; declared here so the implementation's helpers can take it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace appealhub::router
