#pragma once
// One channel's reply queue into the delivery ledger: adapter.<channel>.reply → reply_ledger rows.
//
// Contract: a batch of deliveries is committed in one transaction (ReplyLedger::record_request,
// idempotent on reply_id) and acked only after the commit; a message that is not a valid
// reply.requested for this channel is recorded in rejected_messages and dead-lettered through the
// outbox in the same transaction, then acked. A database failure keeps the batch unacked and
// tries it again; if the process dies meanwhile the broker redelivers it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "adapters/delivery/delivery_options.hpp"
#include "bus/broker_config.hpp"
#include "storage/database.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::adapters::delivery {

struct ReplyIntakeStats {
  std::uint64_t deliveries = 0, recorded = 0, repeated = 0, rejected = 0;
};

class ReplyIntake {
 public:
  ReplyIntake(bus::BrokerConfig broker, storage::DatabaseConfig database,
              ReplyIntakeOptions options, storage::ReplyLedger ledger);
  void run(const std::atomic<bool>& stop);
  ReplyIntakeStats stats() const;

 private:
  bus::BrokerConfig broker_;
  storage::DatabaseConfig database_;
  ReplyIntakeOptions options_;
  storage::ReplyLedger ledger_;
  std::atomic<std::uint64_t> deliveries_{0}, recorded_{0}, repeated_{0}, rejected_{0};
};

}  // namespace appealhub::adapters::delivery
