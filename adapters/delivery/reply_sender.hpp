#pragma once
// A channel's outbound side as the delivery loop uses it: deliver one reply, say what the channel
// answered. Implementations: adapters/mailbox/reply_sender.hpp, adapters/petition/reply_sender.hpp.
//
// Contract: send() never throws for what the channel or the network did; it maps every answer to
// an outcome (delivered, retry, failed for good) exactly as the channel's document says, and uses
// the reply's reply_id as the channel's idempotency key so that sending it again (after a crash, a
// timeout, a dropped connection) never stores it twice. One thread uses a sender.

#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "http/client.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::adapters::delivery {

class ReplySender {
 public:
  virtual ~ReplySender() = default;
  virtual storage::DeliveryAttempt send(const core::ReplyRequested& reply) = 0;
};

// At most `limit` bytes of an answer body, for the attempt's excerpt.
std::string excerpt_of(const std::string& body, std::size_t limit = 300);

// The attempt for a transport failure (timeouts, resets, refused connections): retried.
storage::DeliveryAttempt transport_failure(const http::TransportError& error);

// The channel's error code in its JSON error body ("error" or "code"), or "".
std::string error_code_of(const std::string& body);

// What one timed POST of a reply brought: the attempt so far (started_at, duration and, when the
// channel answered, status_code, excerpt and its error code) and the answer. Without an answer
// (timeout, reset, refused connection) the attempt is transport_failure's retry, timed.
struct Posted {
  storage::DeliveryAttempt attempt;
  std::optional<http::Response> response;
};
Posted timed_post(http::Client& client, const std::string& target, std::string body,
                  http::Headers headers);

// The answers every channel's document gives alike: 200/201 delivered (with the channel's
// "reply_id"), 429 and 5xx retried when the channel asks (Retry-After). Returns false, leaving `a`
// as it was, for any other status: the channel's own mapping decides. `answer` starts the reason.
bool settle_common_answer(storage::DeliveryAttempt& a, const http::Response& response,
                          const std::string& answer);

// A reply type the channel has no request for (returns and extension requests go only to 12328):
// settled as delivered with code "not_applicable", nothing sent.
storage::DeliveryAttempt not_applicable(const core::ReplyRequested& reply);

// The attempt of an answer that a channel taking final and interim answers of at most
// `max_characters` never gets: not_applicable for another reply type, failed "too_long" for a
// longer text; nullopt when it is to be sent. `channel_name` starts the reason ("the mailbox").
std::optional<storage::DeliveryAttempt> settled_unsent(const core::ReplyRequested& reply,
                                                       std::size_t max_characters,
                                                       std::string_view channel_name);

}  // namespace appealhub::adapters::delivery
