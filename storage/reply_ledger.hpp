#pragma once
// The delivery ledger (migration 0005): one row per reply the hub must carry to a channel, and one
// row per attempt with the channel's answer. Every function works in the caller's transaction.
//
// Contract:
// - record_request() makes the row from a reply.requested event; a reply_id already there is left
//   alone (the bus delivers at least once), so the consumer may ack after its commit.
// - claim() hands a sender the due replies of its channel (FOR UPDATE SKIP LOCKED: competing
//   senders never hold the same row), marks them 'sending' with a lease and counts the attempt.
//   A 'sending' row whose holder died is claimed again once the lease has passed and is sent again
//   under the SAME reply_id, which is the channel's idempotency key: the channel answers "seen"
//   instead of storing it twice. A reply whose ticket was withdrawn or reassigned away is failed
//   in claim() without being handed out: nothing new is sent for such a ticket. A reply the
//   channel has already been sent (attempts > 0: it asked for it again, like 12328's transient
//   系统繁忙请重试, or its answer was lost) is the exception: it goes again and the channel
//   settles it (12328 工单已撤销, petition 409: a final failure, shown), so that a reply the
//   channel may hold is never marked unsent and a transient refusal is always followed by a resend.
// - record() writes the attempt and the new state and, in the same transaction, the reply.delivered
//   or reply.failed event to the outbox (routing key delivery.<channel>) plus any news the channel
//   gave about the appeal (appeal.withdrawn / appeal.reassigned to intake.<channel>).
// - Retries back off exponentially with full jitter, honour a channel's Retry-After, and end in a
//   final failure after DeliveryPolicy::max_attempts. A throttled attempt (429) is not counted. A
//   final failure stays listed (list_replies) until a manager sends it again (resend()).

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/event.hpp"
#include "storage/delivery_policy.hpp"

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

// A reply.requested as the ledger stores it (its request column), decoded; throws when unreadable.
core::ReplyRequested decode_reply_request(const std::string& json);

// A reply handed to a sender by claim().
struct ClaimedReply {
  core::ReplyRequested request;
  int attempt = 1;            // this attempt's number (attempts so far, this one included)
  std::string sending_since;  // the lease this sender holds, as the database wrote it
  std::string ticket_status;  // when claimed
};

// What one attempt to deliver gave.
struct DeliveryAttempt {
  enum class Outcome { delivered, retry, failed };
  Outcome outcome = Outcome::retry;
  std::optional<int> status_code;  // the HTTP status; none for a transport failure
  std::string code;                // the channel's error code or the transport failure
  std::string excerpt;             // the start of the channel's answer (no secrets)
  std::string reason;              // for staff: why it failed (empty when delivered)
  std::string channel_reply_id;    // the channel's id of the stored reply
  std::optional<std::chrono::seconds> retry_after;  // 429/503: the channel asked us to wait
  // 429: the channel's rate limit, not the reply's fault. Recorded, but neither counted against
  // max_attempts nor backed off: the reply is due again after Retry-After.
  bool throttled = false;
  std::vector<core::Event> channel_news;  // appeal.withdrawn / appeal.reassigned learnt meanwhile
  // The channel refuses the hub itself (a wrong token or signature), not this reply: someone must
  // fix the configuration. The delivery loop shows it as its adapter's error in adapter_status.
  bool alarm = false;
  std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
  std::chrono::milliseconds duration{0};
};

std::string_view to_string(DeliveryAttempt::Outcome outcome);

class ReplyLedger {
 public:
  // `actor` names the writer in attempt rows ("host:pid"); `producer` the events ("adapter.<ch>"
  // when empty).
  explicit ReplyLedger(DeliveryPolicy policy = {}, std::string actor = "");

  // True when the reply was new. `body` is the message as received.
  bool record_request(pqxx::dbtransaction& txn, const core::Event& event,
                      const std::string& body) const;

  std::vector<ClaimedReply> claim(pqxx::dbtransaction& txn, const std::string& channel,
                                  int limit) const;

  // False when the claim was lost meanwhile (the lease passed and another sender took the row):
  // the attempt is recorded, the state is the other sender's to set.
  bool record(pqxx::dbtransaction& txn, const ClaimedReply& reply,
              const DeliveryAttempt& attempt) const;
  // record() for many replies in a few statements (a 12328 receipt settles up to 500); one
  // answer per reply, in order.
  std::vector<bool> record_all(
      pqxx::dbtransaction& txn,
      const std::vector<std::pair<ClaimedReply, DeliveryAttempt>>& settled) const;

  // The operators' call back for the replies of the operator channel waiting on `ticket_id`
  // (the recorded call is the delivery): reached → delivered; not reached → a failed attempt,
  // the operator_max_attempts-th one final. Returns how many replies it settled or counted.
  int record_callback(pqxx::dbtransaction& txn, std::int64_t ticket_id, bool reached,
                      const std::string& operator_name, const std::string& note) const;

  // Back to 'queued' now, attempts kept. nullopt when there is no such reply; otherwise the state
  // it was in (only 'failed' and 'retrying' replies are sent again; others are left as they are).
  std::optional<std::string> resend(pqxx::dbtransaction& txn, const std::string& reply_id,
                                    const std::string& actor) const;

  const DeliveryPolicy& policy() const { return policy_; }

 private:
  void fail_unsendable(pqxx::dbtransaction& txn, const ClaimedReply& reply,
                       const std::string& reason) const;
  void settle(pqxx::dbtransaction& txn, const core::ReplyRequested& request, int attempts,
              const DeliveryAttempt& attempt, bool final_failure) const;
  core::Event settlement(const core::ReplyRequested& request, int attempts,
                         const DeliveryAttempt& attempt, bool final_failure) const;

  DeliveryPolicy policy_;
  std::string actor_;
};

// The delay before retry `attempt` (1 = after the first failed attempt): uniform in
// [ceiling / 2, ceiling] with ceiling = min(max, min * 2^(attempt - 1)); at least Retry-After.
std::chrono::milliseconds retry_delay(const DeliveryPolicy& policy, int attempt,
                                      std::optional<std::chrono::seconds> retry_after);

struct ReplyFilter {
  std::vector<std::string> states;       // empty: every state
  std::vector<std::string> departments;  // empty: every ticket; else tickets led by one of them
  std::string channel;
  std::optional<std::int64_t> ticket_id;
  int limit = 50;
  int offset = 0;
};

// Replies as JSON objects (newest change first; at most limit + 1: the extra one says there is
// more), each with its last attempt.
nlohmann::json list_replies(pqxx::dbtransaction& txn, const ReplyFilter& filter);

// A ticket's replies with their ledger state and attempts, oldest first (the ticket detail).
nlohmann::json ticket_replies(pqxx::transaction_base& txn, std::int64_t ticket_id);

// True when `ticket_id` has an answer standing with `channel` (queued, on its way or delivered;
// not failed): a final one when `finals_only`, else of any kind.
bool has_standing_answer(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                         const std::string& channel, bool finals_only);

// The lead department of the reply's ticket, or nullopt when there is no such reply.
std::optional<std::string> reply_department(pqxx::dbtransaction& txn, const std::string& reply_id);

// Applies a reply.delivered or reply.failed event to its ticket, once per event id (consumer
// `consumer`): a timeline event; answered → delivered when the ticket's latest final answer is
// delivered. Returns false when the event was applied before (or names no ticket).
bool apply_delivery_outcome(pqxx::dbtransaction& txn, const std::string& consumer,
                            const core::Event& event);

}  // namespace appealhub::storage
