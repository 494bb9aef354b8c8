#pragma once
// One channel's sender loop: claims due replies from the ledger, checks nothing was decided
// against them meanwhile, sends each through the channel's ReplySender and records the attempt,
// the new state and the reply.delivered / reply.failed event in one transaction.
//
// Contract: a reply is claimed (and its lease committed) before it is sent, and its result is
// recorded after; a process that dies in between leaves the row 'sending' and another loop takes it
// again after the lease and sends it under the same reply_id (the channel's idempotency key). A
// database failure while recording leaves it the same way. Several loops (in one process or many)
// share a channel's rows without sending one twice at once.
//
// Health: the adapter_status row "<channel>_delivery" (written at most once a second, and at once
// after an alarm) counts attempts, deliveries, retries, failures and alarms; its last error is the
// last retried answer or alarm (a 401 from the channel stays visible until a delivery succeeds
// after it); caught up means nothing was due.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/common/adapter_health.hpp"
#include "adapters/delivery/delivery_options.hpp"
#include "adapters/delivery/reply_sender.hpp"
#include "storage/database.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::adapters::delivery {

struct DeliveryLoopStats {
  std::uint64_t attempts = 0, delivered = 0, retried = 0, failed = 0, lost_claims = 0;
};

class DeliveryLoop {
 public:
  DeliveryLoop(storage::DatabaseConfig database, DeliveryLoopOptions options,
               storage::ReplyLedger ledger, std::unique_ptr<ReplySender> sender);

  // Claims and sends one batch; returns how many replies it handled.
  std::size_t deliver_once(const std::atomic<bool>& stop);
  // Batch after batch until `stop`; sleeps poll_interval when nothing is due.
  void run(const std::atomic<bool>& stop);

  DeliveryLoopStats stats() const;
  const AdapterHealth& health() const { return health_; }

 private:
  storage::DatabaseConfig database_;
  DeliveryLoopOptions options_;
  storage::ReplyLedger ledger_;
  std::unique_ptr<ReplySender> sender_;
  std::unique_ptr<pqxx::connection> db_;
  std::atomic<std::uint64_t> attempts_{0}, delivered_{0}, retried_{0}, failed_{0}, lost_{0};
  AdapterHealth health_;
  std::chrono::steady_clock::time_point health_stored_{};

  void note(const storage::DeliveryAttempt& attempt);
  void store_health(bool now);
};

}  // namespace appealhub::adapters::delivery
