#pragma once
// Placing new tickets: which department leads and which assist (the routing rules), when the
// answer is due (the deadline policy on the working-day calendar, or the channel's own deadline
// when earlier), and whether the appeal repeats an open ticket (merged into it, or suggested to
// operators). Runs in the intake transaction, so a ticket is never seen unplaced.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/appeal.hpp"
#include "core/calendar.hpp"
#include "core/deadline.hpp"
#include "router/departments.hpp"
#include "router/duplicates.hpp"
#include "router/routing_rules.hpp"
#include "storage/ticket_routing.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::router {

// Everything routing is configured with, as one immutable snapshot: replaced whole on reload.
struct RoutingSetup {
  std::shared_ptr<const DepartmentDirectory> departments;
  std::shared_ptr<const RoutingRules> rules;
  std::shared_ptr<const core::WorkingCalendar> calendar;
  core::DeadlinePolicy deadlines;
  DuplicatePolicy duplicates;
  std::map<std::string, int> versions;  // settings document versions it was built from
};

// The current setup; called once per batch, so it must be cheap (a snapshot).
using SetupSource = std::function<std::shared_ptr<const RoutingSetup>()>;

struct NewTicket {
  std::int64_t id;
  const core::Appeal* appeal;
};

struct RoutingStats {
  std::size_t assigned = 0, triage = 0, merged = 0, suggested = 0;
};

// What routing decided for some tickets, before anything is written.
struct RoutingDecision {
  std::vector<storage::RoutingRecord> records;  // one per ticket, in the order given
  RoutingStats stats;
};

// Decides placement, deadline and duplicates (first placement only) for `tickets`, reading the
// store only to look for earlier open tickets. A ticket given earlier in `tickets` with a lower id
// is such an earlier ticket too, unless it was found to be merged or spam: intake decides before
// it inserts, so those tickets are not in the store yet.
RoutingDecision decide_routing(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                               const std::vector<NewTicket>& tickets,
                               const std::string& occasion = "first");

// Decides and records placement, deadline and duplicates for tickets created in the caller's
// transaction; publishes one ticket.routed through the outbox to dept.<lead>, copied (CC) to
// dept.<code> of each assisting department (a merged ticket follows its first ticket and is not
// published).
// `occasion` names this placement in event and message ids ("first" at intake); duplicates are
// looked for only at the first placement.
RoutingStats route_new_tickets(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                               const std::vector<NewTicket>& tickets,
                               const std::string& occasion = "first");

// Undoes a merge (an operator found the appeal is not a repeat): the ticket gets its own
// placement and deadline now, as at intake, and both timelines record the undo. Returns the
// ticket it had been merged into. Throws std::invalid_argument when the ticket is not merged.
std::int64_t undo_merge(pqxx::dbtransaction& txn, const RoutingSetup& setup, std::int64_t ticket_id,
                        const std::string& actor, const std::string& reason);

// The appeal a ticket was created from, read back from the store through the public codec.
core::Appeal stored_appeal(pqxx::dbtransaction& txn, std::int64_t ticket_id);

// A person placed a ticket (dispatch from triage, reassignment): publishes ticket.routed to the
// lead, copied to each assisting department, through the outbox, with status `assigned` and the
// ticket's current deadline. `occasion` makes the message ids unique per placement. The caller
// updates the ticket's columns and timeline in the same transaction.
void publish_placement(pqxx::dbtransaction& txn, std::int64_t ticket_id, const std::string& lead,
                       const std::vector<std::string>& assisting,
                       std::optional<std::chrono::sys_seconds> deadline, const std::string& reason,
                       const std::string& occasion);

}  // namespace appealhub::router
