// What a consumer does with a delivery it could not process: retry it later, or dead-letter it
// with the reason. Both build an OutgoingMessage; the consumer publishes it with a
// ConfirmedPublisher, waits until it is confirmed, and only then acks the original. (If the process
// dies in between, the original is redelivered and handled again: at least once.)
#pragma once

#include <cstddef>
#include <string>

#include "bus/message.hpp"
#include "bus/topology.hpp"

namespace appealhub::bus {

// Headers set on retried and dead-lettered messages (documented in docs/bus.md).
inline constexpr const char* kErrorHeader = "x-appealhub-error";      // why it failed (<= 4 KiB)
inline constexpr const char* kQueueHeader = "x-appealhub-queue";      // where it failed
inline constexpr const char* kAttemptHeader = "x-appealhub-attempt";  // retry number, from 1
inline constexpr const char* kOriginalRoutingKeyHeader = "x-original-routing-key";
inline constexpr const char* kOriginalExchangeHeader = "x-original-exchange";
inline constexpr const char* kOriginalMessageIdHeader = "x-original-message-id";

// The message to publish to the dead-letter exchange (appeals.dlx, bound '#' to appeals.dead):
// same body, message_id, type, content_type and headers as the delivery (minus the broker's x-death
// family), routing key = the original routing key, plus kErrorHeader, kQueueHeader and the original
// routing key, exchange and message id (kept from earlier retries when present). mandatory.
OutgoingMessage dead_letter_of(const Delivery& delivery, const std::string& queue,
                               const std::string& error);
OutgoingMessage dead_letter_of(const Delivery& delivery, const TopologySpec& topology,
                               const std::string& queue, const std::string& error);

// The message that brings the delivery back into `queue` after retry `attempt`'s delay (attempt 1
// = first retry): published to appeals.retry with key retry_routing_key(queue, attempt), it waits
// in "<queue>.retry.<ms>ms" and the broker then dead-letters it into `queue` via the default
// exchange (so it arrives with exchange "" and routing key `queue`; use original_routing_key()).
// Carries kAttemptHeader = attempt, kErrorHeader, kQueueHeader and the original routing key,
// exchange and message id. Give up (dead_letter_of) when retry_attempt(delivery) reaches the
// limit.
OutgoingMessage retry_of(const Delivery& delivery, const std::string& queue, std::size_t attempt,
                         const std::string& error);
OutgoingMessage retry_of(const Delivery& delivery, const TopologySpec& topology,
                         const QueueSpec& queue, std::size_t attempt, const std::string& error);

// kAttemptHeader of a delivery (0 when it was never retried, or the header is not a number).
std::size_t retry_attempt(const Delivery& delivery);

// The routing key the message was first published with: kOriginalRoutingKeyHeader when it came
// back from a retry queue, else the delivery's routing key.
std::string original_routing_key(const Delivery& delivery);

}  // namespace appealhub::bus
