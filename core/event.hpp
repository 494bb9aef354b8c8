#pragma once
// The events of the appeal.v1 format (docs/appeal-v1.md), each a
// struct, and the Event envelope that carries one of them. core/codec.hpp turns an Event into its
// JSON message and back; docs/appeal-v1.md and docs/appeal.v1.schema.json describe the wire form.
//
// Strings are UTF-8. A field documented "may be empty" is sent as "" when unknown; every other
// string must be non-empty (validate() in core/validation.hpp says exactly what is allowed).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/appeal.hpp"
#include "core/ticket.hpp"
#include "core/time.hpp"

namespace appealhub::core {

// appeal.received (intake.<channel>): a new appeal, normalized.
struct AppealReceived {
  Appeal appeal;

  friend bool operator==(const AppealReceived&, const AppealReceived&) = default;
};

// appeal.supplemented (intake.<channel>): the citizen or the platform added information to a known
// appeal (12328 补充). Needs no answer of its own.
struct AppealSupplemented {
  std::string channel;
  std::string external_id;    // the appeal's id on the channel
  std::string supplement_id;  // unique per appeal; the channel's id or one the adapter derives
  std::string content;
  std::vector<Attachment> attachments;
  Timestamp at;  // when the channel received the supplement

  friend bool operator==(const AppealSupplemented&, const AppealSupplemented&) = default;
};

// appeal.followed_up (intake.<channel>): a follow-up question (追问) that needs its own answer;
// it reopens an answered ticket. Answers name it in ReplyRequested::reply_to.
struct AppealFollowedUp {
  std::string channel;
  std::string external_id;
  std::string follow_up_id;  // the channel's id of the follow-up, unique per appeal
  std::string content;
  Timestamp at;

  friend bool operator==(const AppealFollowedUp&, const AppealFollowedUp&) = default;
};

// appeal.urged (intake.<channel>): the platform urges a late appeal (催办).
struct AppealUrged {
  std::string channel;
  std::string external_id;
  std::string note;  // the platform's words, may be empty
  Timestamp at;

  friend bool operator==(const AppealUrged&, const AppealUrged&) = default;
};

// appeal.withdrawn (intake.<channel>): the citizen withdrew the appeal; no answer may be sent.
struct AppealWithdrawn {
  std::string channel;
  std::string external_id;
  std::string reason;  // may be empty
  Timestamp at;

  friend bool operator==(const AppealWithdrawn&, const AppealWithdrawn&) = default;
};

// appeal.reassigned (intake.<channel>): the platform moved the appeal away to another unit; the
// ticket leaves the hub's queues and no answer may be sent.
struct AppealReassigned {
  std::string channel;
  std::string external_id;
  std::string to_unit;  // the unit it went to, when the platform says; may be empty
  std::string reason;   // may be empty
  Timestamp at;

  friend bool operator==(const AppealReassigned&, const AppealReassigned&) = default;
};

enum class Satisfaction {
  satisfied,         // 满意; petition scores 4 and 5
  mostly_satisfied,  // 基本满意
  dissatisfied,      // 不满意; petition scores 1 to 3
};

std::string_view to_string(Satisfaction rating);
std::optional<Satisfaction> parse_satisfaction(std::string_view text);
// 满意 基本满意 不满意, exact match.
std::optional<Satisfaction> satisfaction_from_chinese(std::string_view text);
// The petition platform's 1..5 score as a rating: 4 and 5 satisfied, 1 to 3 dissatisfied
// (docs/domain.md: scores 4–5 count as satisfied). nullopt outside 1..5.
std::optional<Satisfaction> satisfaction_from_score(int score);

// appeal.rated (intake.<channel>): the citizen rated the answer. A newer rating of the same
// appeal replaces an older one.
struct AppealRated {
  std::string channel;
  std::string external_id;
  Satisfaction rating = Satisfaction::satisfied;
  std::optional<int> score;  // 1..5 where the channel scores; rating must then agree with it
  std::string comment;       // may be empty
  Timestamp rated_at;

  friend bool operator==(const AppealRated&, const AppealRated&) = default;
};

// ticket.routed (dept.<department>): a ticket placed with a department, as a full snapshot, for
// departments' own systems.
struct TicketRouted {
  std::int64_t ticket_id = 0;          // the hub's ticket number, positive
  std::string department;              // the lead department's code (主办)
  std::vector<std::string> assisting;  // codes of assisting departments (协办), may be empty
  TicketStatus status = TicketStatus::assigned;
  std::optional<Timestamp> deadline;  // when the answer is due; none for praise
  std::string rule;    // the routing rule that placed it; empty when a person did
  std::string reason;  // why it went there, for people; may be empty
  Appeal appeal;

  friend bool operator==(const TicketRouted&, const TicketRouted&) = default;
};

enum class ReplyType {
  final_answer,       // 办结: the answer
  interim,            // 阶段答复: an answer so far
  return_order,       // 退回: the appeal was sent to the wrong unit (return_reason says why)
  extension_request,  // 延期申请: more time asked for (extension_days)
};

std::string_view to_string(ReplyType type);
std::optional<ReplyType> parse_reply_type(std::string_view text);

// reply.requested (reply.<channel>): something for the channel's adapter to deliver.
struct ReplyRequested {
  std::string reply_id;  // the hub's id of this reply: the channel's idempotency key
  std::int64_t ticket_id = 0;
  std::string channel;
  std::string external_id;
  ReplyType type = ReplyType::final_answer;
  std::string content;        // required for final_answer and interim
  std::string department;     // name of the answering department, as the citizen sees it
  std::string handler;        // the staff member, may be empty
  std::string contact_phone;  // the department's number, may be empty
  Timestamp answered_at;
  bool publish = false;                 // publish the answer where the channel can
  std::optional<std::string> reply_to;  // the follow-up answered; absent for the appeal itself
  std::string return_reason;            // required for return_order, else may be empty
  int extension_days = 0;               // working days, 1..60 for extension_request, else 0

  friend bool operator==(const ReplyRequested&, const ReplyRequested&) = default;
};

// reply.delivered (delivery.<channel>): the channel confirmed the reply.
struct ReplyDelivered {
  std::string reply_id;
  std::int64_t ticket_id = 0;
  std::string channel;
  std::string external_id;
  std::string channel_reply_id;  // the channel's id of the stored reply; may be empty
  int attempts = 1;              // deliveries tried, this one included
  Timestamp delivered_at;

  friend bool operator==(const ReplyDelivered&, const ReplyDelivered&) = default;
};

// reply.failed (delivery.<channel>): the channel refused the reply, or the adapter gave up.
struct ReplyFailed {
  std::string reply_id;
  std::int64_t ticket_id = 0;
  std::string channel;
  std::string external_id;
  std::string reason;  // the channel's words or the adapter's, for staff
  bool final = false;  // true: will not be retried; false: a transient failure, retried later
  int attempts = 1;
  Timestamp failed_at;

  friend bool operator==(const ReplyFailed&, const ReplyFailed&) = default;
};

using EventBody = std::variant<AppealReceived, AppealSupplemented, AppealFollowedUp, AppealUrged,
                               AppealWithdrawn, AppealReassigned, AppealRated, TicketRouted,
                               ReplyRequested, ReplyDelivered, ReplyFailed>;

// The wire name of a body's event: "appeal.received", "ticket.routed", …
std::string_view event_name(const EventBody& body);
// Every event name, in the order of EventBody's alternatives.
std::span<const std::string_view> event_names();

// The appeal a channel event (appeal.*, published to intake.<channel>) is about; nullopt for
// the hub's own events. The views point into `body`.
struct AppealRef {
  std::string_view channel, external_id;
};
std::optional<AppealRef> channel_appeal(const EventBody& body);

// One message on the bus.
struct Event {
  std::string event_id;   // stable: the same fact always has the same id (core/ids.hpp)
  Timestamp occurred_at;  // when the fact happened, as far as the producer knows
  std::string producer;   // who published it: "adapter.mailbox", "router", …
  EventBody body;

  // "appeal.received", …
  std::string_view name() const { return event_name(body); }
  // Where it is published on the `appeals` exchange: intake.<channel> for appeal.*,
  // dept.<department> for ticket.routed, reply.<channel> for reply.requested,
  // delivery.<channel> for reply.delivered and reply.failed.
  std::string routing_key() const;

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace appealhub::core
