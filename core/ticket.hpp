#pragma once
// The states of a ticket's life (docs/domain.md, "Ticket life"):
// received → assigned → in_progress → answered → delivered → closed, with triage, returned,
// reopened and the ends withdrawn, reassigned_out, spam, merged.

#include <optional>
#include <string_view>

namespace appealhub::core {

enum class TicketStatus {
  received,        // taken in, not yet placed
  triage,          // no rule placed it: the dispatch desk decides
  assigned,        // placed with a department
  in_progress,     // the department claimed it
  answered,        // the department answered; the answer is on its way
  delivered,       // the channel confirmed the answer
  closed,          // rating or callback window over
  returned,        // the department sent it back with a reason; goes to triage
  reopened,        // a follow-up or a dissatisfied rating after an answer
  withdrawn,       // the citizen withdrew it (end)
  reassigned_out,  // the channel moved it to another unit (end)
  spam,            // end
  merged,          // a duplicate of another ticket, answered with it (end)
};

// Wire and database names: "received", "in_progress", …; "" for a value outside the enum.
std::string_view to_string(TicketStatus status);
std::optional<TicketStatus> parse_ticket_status(std::string_view text);

// Ends: no further work, and no answer may be sent for a ticket in one of them.
bool is_final(TicketStatus status);

// The status a ticket moves to when a channel event about its appeal is applied, or nullopt when
// the event goes on the timeline without changing the status (a supplement, an urge, a rating, any
// event on a ticket already ended). `event` is the appeal.v1 event name.
// `dissatisfied` says an appeal.rated event carries a 不满意 rating (or a petition score of 1–3):
// it reopens an answered or delivered ticket for its department (重办), as a follow-up does.
std::optional<TicketStatus> status_after_channel_event(TicketStatus current, std::string_view event,
                                                       bool dissatisfied = false);

}  // namespace appealhub::core
