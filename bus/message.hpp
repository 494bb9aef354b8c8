// What travels on the bus: an outgoing message and a delivery, as plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace appealhub::bus {

// A message to publish. Always sent persistent (delivery_mode 2) with a timestamp property.
struct OutgoingMessage {
  std::string exchange, routing_key, body;
  std::string message_id;  // required: the event id; consumers de-duplicate on it
  std::string type;        // event name, AMQP 'type' property (e.g. "appeal.received")
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;  // string-valued AMQP headers
  // RabbitMQ's sender-selected distribution (the CC header): the message is also routed as if
  // published with each of these keys, and stored once per queue it reaches.
  std::vector<std::string> cc;
  bool mandatory = true;  // unroutable messages come back as PublishOutcome::returned
};

// How the broker settled a published message.
enum class PublishOutcome {
  confirmed,  // routed to at least one queue and safely stored there (basic.ack)
  returned,   // mandatory and routed to no queue (basic.return, then basic.ack): nothing stored it
  nacked,     // the broker refused it (basic.nack; or its exchange does not exist): not stored
};

const char* to_string(PublishOutcome outcome);

// A message handed out by a Consumer. Ack or reject it with the Consumer that produced it.
struct Delivery {
  std::uint64_t delivery_tag = 0;
  std::uint64_t generation = 0;  // the consumer connection it came on: the tag is valid only there
  std::string exchange, routing_key, message_id, type, content_type, body;
  // Headers as text: strings as they are, numbers and booleans in decimal/true/false, tables and
  // arrays (x-death) as compact JSON. The publisher's internal header (kPublishSeqHeader) is
  // left out.
  std::map<std::string, std::string> headers;
  // The broker delivered it before (to this or another consumer).
  bool redelivered = false;
  // x-delivery-count from quorum queues: how many earlier deliveries failed (0 if absent).
  std::int64_t delivery_count = 0;
};

// Header the ConfirmedPublisher adds to every message to match basic.return to the message it
// returns. Internal to the publisher; receivers must ignore it.
inline constexpr const char* kPublishSeqHeader = "x-appealhub-publish-seq";

}  // namespace appealhub::bus
