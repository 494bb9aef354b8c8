#pragma once
// The router's delivery consumer: router.delivery (reply.delivered / reply.failed from every
// channel's adapter) → the tickets (storage::apply_delivery_outcome): a timeline event per
// outcome, answered → delivered when the ticket's latest final answer is delivered, final failures
// on the timeline for the department (and in the ledger for managers).
//
// Contract: batches are committed in one transaction and acked after the commit; each event is
// applied once (processed_messages, consumer "router.delivery"). A message that is not a valid
// delivery outcome is recorded in rejected_messages and dead-lettered through the outbox.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "bus/broker_config.hpp"
#include "storage/database.hpp"

namespace appealhub::router {

struct DeliveryConsumerOptions {
  std::uint16_t prefetch = 500;
  std::size_t batch_size = 200;
  std::chrono::milliseconds batch_wait{20};
};

class DeliveryConsumer {
 public:
  DeliveryConsumer(bus::BrokerConfig broker, storage::DatabaseConfig database,
                   DeliveryConsumerOptions options = {});
  void run(const std::atomic<bool>& stop);
  std::uint64_t applied() const { return applied_; }

 private:
  bus::BrokerConfig broker_;
  storage::DatabaseConfig database_;
  DeliveryConsumerOptions options_;
  std::atomic<std::uint64_t> applied_{0};
};

}  // namespace appealhub::router
