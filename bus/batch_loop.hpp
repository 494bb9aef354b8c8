#pragma once
// The one way the hub consumes a queue in batches: take up to batch_size deliveries or what
// arrived within batch_wait, apply them in one database transaction, ack after the commit.
// Used by the router (intake, delivery outcomes) and the reply queues of the adapters.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bus/broker_config.hpp"
#include "bus/consumer.hpp"
#include "bus/message.hpp"

namespace appealhub::bus {

// Adds deliveries to `batch` until it holds `size` or `until` has passed. Heartbeats are served
// meanwhile (next() is called throughout).
void fill_batch(Consumer& consumer, std::vector<Delivery>& batch, std::size_t size,
                std::chrono::steady_clock::time_point until);

struct BatchLoopOptions {
  std::string queue;
  std::uint16_t prefetch = 200;
  std::size_t batch_size = 100;
  std::chrono::milliseconds batch_wait{20};
  std::string log_component;    // "delivery"
  std::string failure_message;  // logged when apply throws: "cannot record replies; trying again"
};

// Consumes `options.queue` on its own connection until `stop`: `apply` must process the whole batch
// in one transaction and return only after it committed; the batch is then acked at once (one
// `multiple` ack). When it throws, the failure is logged, `on_failure` runs (drop the database
// connection), and after a second the same batch (still unacked, topped up to batch_size) is
// applied again, so `apply` must be idempotent on message_id. Deliveries of an older connection are
// dropped before applying: the broker has them again. Unacked deliveries go back to the broker when
// the consumer closes.
void run_batch_loop(const BrokerConfig& broker, const BatchLoopOptions& options,
                    const std::atomic<bool>& stop,
                    const std::function<void(const std::vector<Delivery>&)>& apply,
                    const std::function<void()>& on_failure = {});

}  // namespace appealhub::bus
