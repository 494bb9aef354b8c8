#include "bus/retry_and_dead_letter.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include "core/text.hpp"

namespace appealhub::bus {
namespace {

constexpr std::size_t kMaxErrorBytes = 4096;

// Headers the broker owns (it adds or rewrites them when it dead-letters); copying their text form
// into a new message would confuse it.
bool broker_owned(const std::string& key) {
  return key == "x-death" || key.rfind("x-first-death-", 0) == 0 ||
         key.rfind("x-last-death-", 0) == 0 || key == "x-delivery-count" ||
         key == kPublishSeqHeader;
}

std::string truncated(const std::string& text) {
  return core::utf8_prefix(text, kMaxErrorBytes);
}

std::string header_or(const Delivery& d, const char* key, const std::string& fallback) {
  auto it = d.headers.find(key);
  return it == d.headers.end() ? fallback : it->second;
}

OutgoingMessage copy_for_failure(const Delivery& d, const std::string& queue,
                                 const std::string& error) {
  OutgoingMessage m;
  m.body = d.body;
  m.message_id = d.message_id;
  m.type = d.type;
  m.content_type = d.content_type;
  for (const auto& [key, value] : d.headers) {
    if (!broker_owned(key)) m.headers.emplace(key, value);
  }
  m.headers[kErrorHeader] = truncated(error);
  m.headers[kQueueHeader] = queue;
  m.headers[kOriginalRoutingKeyHeader] = original_routing_key(d);
  m.headers[kOriginalExchangeHeader] = header_or(d, kOriginalExchangeHeader, d.exchange);
  m.headers[kOriginalMessageIdHeader] = header_or(d, kOriginalMessageIdHeader, d.message_id);
  m.mandatory = true;
  return m;
}

}  // namespace

OutgoingMessage dead_letter_of(const Delivery& delivery, const TopologySpec& topology,
                               const std::string& queue, const std::string& error) {
  OutgoingMessage m = copy_for_failure(delivery, queue, error);
  m.exchange = topology.dead_letter_exchange;
  m.routing_key = original_routing_key(delivery);
  return m;
}

OutgoingMessage dead_letter_of(const Delivery& delivery, const std::string& queue,
                               const std::string& error) {
  return dead_letter_of(delivery, TopologySpec{}, queue, error);
}

OutgoingMessage retry_of(const Delivery& delivery, const TopologySpec& topology,
                         const QueueSpec& queue, std::size_t attempt, const std::string& error) {
  OutgoingMessage m = copy_for_failure(delivery, queue.name, error);
  m.exchange = topology.retry_exchange;
  m.routing_key = retry_routing_key(queue.name, attempt, queue.retry_delays);
  m.headers[kAttemptHeader] = std::to_string(attempt);
  return m;
}

OutgoingMessage retry_of(const Delivery& delivery, const std::string& queue, std::size_t attempt,
                         const std::string& error) {
  QueueSpec spec;
  spec.name = queue;
  spec.retry_delays = hub_retry_delays();
  return retry_of(delivery, TopologySpec{}, spec, attempt, error);
}

std::size_t retry_attempt(const Delivery& delivery) {
  auto it = delivery.headers.find(kAttemptHeader);
  if (it == delivery.headers.end()) return 0;
  std::size_t attempt = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), attempt);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return attempt;
}

std::string original_routing_key(const Delivery& delivery) {
  return header_or(delivery, kOriginalRoutingKeyHeader, delivery.routing_key);
}

}  // namespace appealhub::bus
