#include "bus/dead_letters.hpp"

#include <algorithm>
#include <chrono>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/retry_and_dead_letter.hpp"

namespace appealhub::bus {
namespace {

std::string header_or(const Delivery& d, const char* name, const std::string& fallback) {
  const auto it = d.headers.find(name);
  return it == d.headers.end() || it->second.empty() ? fallback : it->second;
}

// The message as it was first published: the failure's headers and the broker's x-death go.
OutgoingMessage original_of(const Delivery& d, const DeadLetter& where) {
  OutgoingMessage m;
  m.exchange = where.exchange;
  m.routing_key = where.routing_key;
  m.body = d.body;
  m.message_id = d.message_id;
  m.type = d.type;
  m.content_type = d.content_type;
  for (const auto& [name, value] : d.headers) {
    const bool failure = name == kErrorHeader || name == kQueueHeader || name == kAttemptHeader ||
                         name == kOriginalRoutingKeyHeader || name == kOriginalExchangeHeader ||
                         name == kOriginalMessageIdHeader || name.rfind("x-death", 0) == 0 ||
                         name.rfind("x-first-death", 0) == 0 || name.rfind("x-last-death", 0) == 0;
    if (!failure) m.headers[name] = value;
  }
  m.mandatory = true;
  return m;
}

}  // namespace

std::vector<DeadLetter> read_dead_letters(const BrokerConfig& config, const TopologySpec& topology,
                                          std::size_t limit, bool replay) {
  std::vector<DeadLetter> out;
  if (limit == 0) return out;
  const auto prefetch = static_cast<std::uint16_t>(std::min<std::size_t>(limit, 500));
  Consumer consumer(config, topology.dead_letter_queue, prefetch);
  std::vector<Delivery> held;
  while (held.size() < limit) {
    auto d = consumer.next(std::chrono::seconds(2));
    if (!d) break;
    DeadLetter letter;
    letter.message_id = header_or(*d, kOriginalMessageIdHeader, d->message_id);
    letter.type = d->type;
    letter.exchange = header_or(*d, kOriginalExchangeHeader, topology.exchange);
    letter.routing_key = header_or(*d, kOriginalRoutingKeyHeader, d->routing_key);
    letter.queue = header_or(*d, kQueueHeader, "");
    letter.error = header_or(*d, kErrorHeader, "");
    out.push_back(std::move(letter));
    held.push_back(std::move(*d));
  }
  if (replay && !held.empty()) {
    ConfirmedPublisher publisher(config, held.size());
    for (std::size_t i = 0; i < held.size(); ++i) {
      publisher.publish(original_of(held[i], out[i]),
                        [&out, i](const OutgoingMessage&, PublishOutcome outcome) {
                          out[i].replayed = outcome == PublishOutcome::confirmed;
                        });
    }
    publisher.flush(std::chrono::seconds(30));
  }
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (out[i].replayed) {
      consumer.ack(held[i]);
    } else {
      consumer.reject(held[i], /*requeue=*/true);
    }
  }
  return out;
}

}  // namespace appealhub::bus
