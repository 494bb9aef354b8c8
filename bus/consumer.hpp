// Consuming one queue with manual acks: at-least-once processing.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bus/broker_config.hpp"
#include "bus/message.hpp"

namespace appealhub::bus {

// Consumes one queue on its own connection (channel 1), with manual acks and a per-consumer
// prefetch (basic.qos with global=false, as quorum queues require).
//
// Contract:
// - One thread uses a consumer (next, ack, reject); only stop() may be called from another thread.
// - Ack a delivery only after its effect is committed (e.g. the database transaction that recorded
//   its message_id). Until it is acked the broker keeps it: if this process dies or its connection
//   drops, the broker redelivers it (redelivered = true, delivery_count + 1), to this consumer
//   after it reconnects or to a competing one. Processing is therefore at least once: de-duplicate
//   on message_id.
// - On a connection failure, next() reconnects with jittered exponential backoff and consumes
//   again; each connection is a new generation (Stats::reconnects counts them, generation() tells
//   the current one). ack()/reject() of a delivery from an older generation do nothing and return
//   false: the broker has already put that message back and will deliver it again.
// - reject(requeue=true) puts it back at once (it counts toward the queue's x-delivery-limit; past
//   the limit a quorum queue dead-letters it). reject(requeue=false) dead-letters it now through
//   the queue's dead-letter exchange (appeals.dlx -> appeals.dead), with the broker's x-death
//   header but no reason of ours. To record why (a validation error), publish dead_letter_of(...)
//   with a ConfirmedPublisher, wait for its confirm, then ack the original. To retry later, publish
//   retry_of(...) the same way, then ack.
// - Heartbeats are served only inside next(): call it at least every heartbeat_seconds / 2. Keep
//   the work per delivery shorter than that, or give a slow consumer a longer heartbeat_seconds.
//   If the broker drops the connection meanwhile, the unacked deliveries simply come back later.
// - true from ack()/reject() means the request was written to the delivery's connection; if that
//   connection dies right after, the broker may still redeliver the message.
class Consumer {
 public:
  struct Stats {
    std::uint64_t delivered = 0;   // deliveries returned by next()
    std::uint64_t acked = 0;       // ack() calls that returned true
    std::uint64_t rejected = 0;    // reject() calls that returned true
    std::uint64_t reconnects = 0;  // connections opened after the first one
  };

  // Throws std::invalid_argument for a bad URI, an empty queue name or prefetch == 0.
  // Connects on the first next(), not here. The queue must exist (declare_topology).
  Consumer(BrokerConfig config, std::string queue, std::uint16_t prefetch);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // The next delivery, or nullopt when `timeout` passes first or after stop(). Connects,
  // reconnects and serves heartbeats as needed; never throws for connection failures (a TLS file
  // that cannot be loaded throws std::invalid_argument). A connection attempt can take up to
  // connect_timeout, so next() may return that much later than `timeout`.
  std::optional<Delivery> next(std::chrono::milliseconds timeout);

  // multiple: also every earlier unacked delivery of the same generation.
  bool ack(const Delivery& delivery, bool multiple = false);
  // requeue=false dead-letters through the queue's dead-letter exchange.
  bool reject(const Delivery& delivery, bool requeue);

  // Thread-safe. next() returns nullopt from now on (within ~200 ms if it is waiting); deliveries
  // already handed out may still be acked or rejected until the consumer is destroyed. Messages the
  // broker sent ahead (prefetch) and were not handed out are redelivered when the connection
  // closes.
  void stop();

  Stats stats() const;
  // Number of the current connection (1 for the first, 0 before connecting).
  std::uint64_t generation() const;
  bool connected() const;
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace appealhub::bus
