#pragma once
// The deadline watch's reads and writes: open tickets whose deadline is near or past, and the
// supervision steps (sla.* events, docs/domain.md "Supervision") written once each.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

// Open tickets whose deadline is before `until` (of `departments`' lead when not empty),
// earliest first, with the supervision steps taken for that deadline.
struct OpenDeadline {
  std::int64_t id = 0;
  std::string title, lead_department, status;
  std::chrono::sys_seconds deadline{};
  std::vector<std::string> supervision;  // urged, overdue_notice, circulated (for this deadline)
};
std::vector<OpenDeadline> open_tickets_before(pqxx::transaction_base& txn,
                                              const std::vector<std::string>& departments,
                                              std::chrono::sys_seconds until);

// How many open tickets of each lead department have a deadline before `until` (the tickets
// open_tickets_before lists, counted in the store).
std::map<std::string, std::int64_t> open_tickets_before_by_department(
    pqxx::transaction_base& txn, std::chrono::sys_seconds until);

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
