#pragma once
// The leader mailbox's reply API (docs/channels/leader-mailbox-api.md, "Replies"), outbound side:
// POST /api/v1/letters/{id}/reply with Idempotency-Key = the reply's id and the bearer token.
//
//   201 / 200 {"reply_id"}     delivered (200: the same key and body were stored before)
//   409 already_replied        failed for good (another reply under another key), shown to staff
//   410 withdrawn              failed for good, and appeal.withdrawn for the letter: the ticket
//                              closes as withdrawn (same event id as the poller's, applied once)
//   404 not_found, 422 invalid failed for good
//   429 (Retry-After)          retried after the time the website asked for
//   5xx, timeouts, resets      retried with backoff
//   401 / 403                  retried (the token is wrong: an alarm, counted, logged and shown
//                              in adapter_status as mailbox_delivery's last error)
//
// `publish` is sent as the reply says; the gateway sets it only when the writer allowed it. The
// body is a pure function of the reply, so a retry carries the same body under the same key.

#include <atomic>
#include <string>

#include "adapters/delivery/reply_sender.hpp"

namespace appealhub::adapters::mailbox {

// The JSON body of the reply (content, department, replied_at, publish).
std::string reply_body(const core::ReplyRequested& reply);

class MailboxReplySender : public delivery::ReplySender {
 public:
  MailboxReplySender(http::ClientOptions options, std::string token);
  storage::DeliveryAttempt send(const core::ReplyRequested& reply) override;

  std::uint64_t unauthorized_total() const { return unauthorized_total_; }

 private:
  http::Client client_;
  std::string token_;
  std::atomic<std::uint64_t> unauthorized_total_{0};
};

}  // namespace appealhub::adapters::mailbox
