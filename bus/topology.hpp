// The hub's exchanges and queues, declared by every part at start.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/broker_config.hpp"

namespace appealhub::bus {

// One work queue of the hub: a durable quorum queue bound to the events exchange.
struct QueueSpec {
  std::string name;
  std::vector<std::string> binding_keys;  // topic patterns on TopologySpec::exchange
  // One retry queue per delay, "<name>.retry.<ms>ms": a message published there by retry_of()
  // waits the delay (x-message-ttl) and is then dead-lettered straight back into this queue.
  std::vector<std::chrono::milliseconds> retry_delays;
  // x-delivery-limit: after this many failed deliveries (reject with requeue, or the consumer's
  // connection dropping with it unacked) the broker dead-letters the message instead of
  // delivering it again. 0 = no limit (not for hub queues: a poison message would loop forever).
  int delivery_limit = 20;
};

// Every queue declared here is durable, quorum, not exclusive, with at-least-once dead-lettering
// (x-dead-letter-strategy at-least-once + x-overflow reject-publish): the broker keeps a message in
// its queue until the dead-letter target has it; the default, at-most-once, can lose it.
struct TopologySpec {
  std::string exchange = "appeals";                  // durable topic exchange, all events
  std::string dead_letter_exchange = "appeals.dlx";  // durable topic; dead_letter_queue bound '#'
  std::string dead_letter_queue = "appeals.dead";    // quorum, no limit, no dead-lettering
  std::string retry_exchange = "appeals.retry";      // durable direct; key = retry queue name
  std::vector<QueueSpec> queues;
};

// The hub's delays between retries of one message: 1 s, 10 s, 60 s (the last repeats).
std::vector<std::chrono::milliseconds> hub_retry_delays();

// router.intake <- intake.*; router.delivery <- delivery.*;
// adapter.<channel>.reply <- reply.<channel> for hotline12328, mailbox, petition, operator;
// retry delays hub_retry_delays(); delivery limit 20.
TopologySpec hub_topology();

// Declares exchanges, the dead-letter queue (first, so nothing is ever dead-lettered into nothing),
// the work queues, their retry queues and all bindings. Idempotent. Throws BusError when the broker
// is unreachable or refuses a declaration (406 when a queue exists with other arguments: queue
// arguments cannot change in place; delete the queue or use a policy).
void declare_topology(const BrokerConfig& config, const TopologySpec& spec);

// Deletes every queue and exchange of the spec, with their messages (tests and tooling only).
// Missing ones are skipped.
void delete_topology(const BrokerConfig& config, const TopologySpec& spec);

struct QueueState {
  std::uint32_t messages = 0;   // ready messages (not counting unacked ones)
  std::uint32_t consumers = 0;  // active consumers
};
// A passive declare: nullopt when the queue does not exist. Throws BusError when unreachable.
std::optional<QueueState> inspect_queue(const BrokerConfig& config, const std::string& queue);

// "<queue>.retry.<ms>ms": the retry queue's name, which is also its routing key on retry_exchange.
std::string retry_queue_name(const std::string& queue, std::chrono::milliseconds delay);

// The routing key on retry_exchange for retry number `attempt` (1 = first retry) of a message
// from `queue`, using `delays` (attempts past the last delay use the last one).
// Throws std::invalid_argument when attempt == 0 or delays is empty.
std::string retry_routing_key(const std::string& queue, std::size_t attempt,
                              const std::vector<std::chrono::milliseconds>& delays);
// The same with hub_retry_delays(): "<queue>.retry.<delay>".
std::string retry_routing_key(const std::string& queue, std::size_t attempt);

}  // namespace appealhub::bus
