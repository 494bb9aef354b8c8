#pragma once
// The deadline watch's reads and writes: open tickets whose deadline is near or past, and the
// supervision steps (sla.* events, docs/domain.md "Supervision") written once each.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct OpenDeadline {
  std::int64_t ticket_id = 0;
  std::chrono::sys_seconds deadline;
  std::string department;  // the lead department, empty when none
};

// Tickets still open (not answered, merged or closed) whose deadline falls before `until`.
std::vector<OpenDeadline> open_deadlines_before(pqxx::dbtransaction& txn,
                                                std::chrono::sys_seconds until);

struct DeadlineStepRecord {
  OpenDeadline ticket;
  std::string step;  // due_soon, urge, overdue, notice, public_note
};

// Writes each step as a `sla.<step>` event at `now`, once per ticket, step and deadline (a new
// deadline after an extension starts the steps again). Returns how many were new.
std::size_t record_deadline_steps(pqxx::dbtransaction& txn,
                                  const std::vector<DeadlineStepRecord>& steps,
                                  std::chrono::sys_seconds now);

}  // namespace appealhub::storage
