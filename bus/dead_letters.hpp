// The dead-letter queue (appeals.dead) for people: what is in it, and putting it back where it was
// first published once the cause is mended (`appealhub dead-letters list|replay`, docs/bus.md).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bus/broker_config.hpp"
#include "bus/topology.hpp"

namespace appealhub::bus {

// One dead-lettered message, without its body (it holds citizens' personal data).
struct DeadLetter {
  std::string message_id, type, exchange, routing_key;  // where it was first published
  std::string queue, error;                             // where and why it failed
  bool replayed = false;                                // replay: confirmed back on its exchange
};

// Reads up to `limit` messages of the dead-letter queue. With `replay`, each is published again to
// its original exchange and routing key (same body, message id, type and headers, without the
// failure headers) and removed from the dead-letter queue only after the broker confirmed the copy;
// a copy that no queue takes stays dead-lettered. Without `replay` nothing changes (each message is
// returned to the queue). At least once: a crash between the confirm and the ack leaves the message
// in both places, and every consumer de-duplicates on the message id.
std::vector<DeadLetter> read_dead_letters(const BrokerConfig& config, const TopologySpec& topology,
                                          std::size_t limit, bool replay);

}  // namespace appealhub::bus
