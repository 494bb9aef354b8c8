#pragma once
// The states of a ticket's life (DESIGN.md, "Ticket life"):
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

}  // namespace appealhub::core
