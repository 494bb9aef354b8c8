#pragma once
// The online-petition platform's reply API (docs/channels/online-petition-api.md, "Replies"), outbound
// side: signed POST /open/v2/messages/{msg_id}/replies with request_id = the reply's id and
// reply_to = the follow-up answered (absent for the message itself).
//
//   201 / 200 {"reply_id"}   delivered (200: this request_id was accepted before)
//   409 state_conflict       failed for good; the message is read (signed GET) and its state
//                            becomes appeal.withdrawn / appeal.reassigned for intake, with the same
//                            event ids as the poller's, so the ticket follows exactly once
//   422 invalid, 404         failed for good, shown to staff
//   401                      retried; a signing problem is an alarm (logged, counted, shown in
//                            adapter_status as petition_delivery's last error)
//   429 (Retry-After), 5xx, timeouts, resets   retried with backoff
//
// The body is a pure function of the reply (a retry carries the same body under the same
// request_id); every attempt is signed afresh (new timestamp and nonce).

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "adapters/delivery/reply_sender.hpp"

namespace appealhub::adapters::petition {

// The JSON body (request_id, content, handler_unit, handled_at[, reply_to]).
std::string reply_body(const core::ReplyRequested& reply);

class PetitionReplySender : public delivery::ReplySender {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  PetitionReplySender(http::ClientOptions options, std::string app_id, std::string secret,
                      Clock clock = {});
  storage::DeliveryAttempt send(const core::ReplyRequested& reply) override;

  std::uint64_t unauthorized_total() const { return unauthorized_total_; }

 private:
  // The message's withdrawn/reassigned news after a 409, as far as it can be read now.
  std::vector<core::Event> state_news(const std::string& msg_id, std::string& state);

  http::Client client_;
  std::string app_id_, secret_;
  Clock clock_;
  std::atomic<std::uint64_t> unauthorized_total_{0};
};

}  // namespace appealhub::adapters::petition
