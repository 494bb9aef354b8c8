#pragma once
// Watches open tickets' deadlines and writes the warnings and supervision steps on their
// timelines (docs/domain.md: urge before expiry, a notice the day after, a public note at 5 working
// days overdue). Each step is written once per deadline: its event id names the ticket, the step
// and the deadline, so an approved extension (a new deadline) arms the steps again.
//
// Several processes may run a watch; a session advisory lock lets one of them work at a time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "router/deadline_watch_options.hpp"
#include "storage/database.hpp"

namespace appealhub::router {

enum class DeadlineStep {
  due_soon,     // at most `due_soon_working_days` working days left
  urge,         // 催办: the deadline is today
  overdue,      // the deadline passed
  notice,       // 逾期通知: the working day after the deadline
  public_note,  // 通报: `public_note_working_days` working days overdue
};

std::string_view to_string(DeadlineStep step);

// The steps a ticket with `deadline` has reached at `now` (in order), on `calendar`.
std::vector<DeadlineStep> steps_reached(const core::WorkingCalendar& calendar,
                                        std::chrono::sys_seconds deadline,
                                        std::chrono::sys_seconds now,
                                        const DeadlineWatchOptions& options);

class DeadlineWatch {
 public:
  using CalendarSource = std::function<std::shared_ptr<const core::WorkingCalendar>()>;
  // The advisory lock that keeps one watch at a time among many processes.
  static constexpr long long kLockKey = 0x61707065616c0002LL;

  DeadlineWatch(storage::DatabaseConfig database, CalendarSource calendar,
                DeadlineWatchOptions options = {});

  // One pass over open tickets; returns the number of step events written.
  std::size_t run_once(std::chrono::sys_seconds now);

  // Passes every `interval` until `stop`.
  void run(const std::atomic<bool>& stop);

 private:
  storage::DatabaseConfig database_;
  CalendarSource calendar_;
  DeadlineWatchOptions options_;
};

}  // namespace appealhub::router
