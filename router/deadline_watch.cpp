#include "router/deadline_watch.hpp"

#include <pqxx/pqxx>
#include <thread>

#include "core/deadline.hpp"
#include "core/log.hpp"
#include "core/pause.hpp"
#include "storage/advisory_locks.hpp"
#include "storage/deadline_steps.hpp"

namespace appealhub::router {
std::string_view to_string(DeadlineStep step) {
  switch (step) {
    case DeadlineStep::due_soon:
      return "due_soon";
    case DeadlineStep::urge:
      return "urge";
    case DeadlineStep::overdue:
      return "overdue";
    case DeadlineStep::notice:
      return "notice";
    case DeadlineStep::public_note:
      return "public_note";
  }
  return "";
}

std::vector<DeadlineStep> steps_reached(const core::WorkingCalendar& calendar,
                                        std::chrono::sys_seconds deadline,
                                        std::chrono::sys_seconds now,
                                        const DeadlineWatchOptions& options) {
  std::vector<DeadlineStep> steps;
  const auto today = core::china_date(now);
  const auto due_day = core::china_date(deadline);
  if (now <= deadline) {
    if (calendar.working_days_between(today, due_day) <= options.due_soon_working_days) {
      steps.push_back(DeadlineStep::due_soon);
    }
    if (today == due_day) steps.push_back(DeadlineStep::urge);
    return steps;
  }
  steps.push_back(DeadlineStep::due_soon);
  steps.push_back(DeadlineStep::overdue);
  const int late = calendar.working_days_between(due_day, today);
  if (late >= 1) steps.push_back(DeadlineStep::notice);
  if (late >= options.public_note_working_days) steps.push_back(DeadlineStep::public_note);
  return steps;
}

DeadlineWatch::DeadlineWatch(storage::DatabaseConfig database, CalendarSource calendar,
                             DeadlineWatchOptions options)
    : database_(std::move(database)), calendar_(std::move(calendar)), options_(options) {}

std::size_t DeadlineWatch::run_once(std::chrono::sys_seconds now) {
  const auto calendar = calendar_();
  if (!calendar) return 0;
  auto connection = storage::connect(database_);
  const storage::SessionLock lock(*connection, kLockKey);
  if (!lock.held()) return 0;  // another process is watching
  // Tickets still open whose deadline is near or past. The window before the deadline is wide
  // enough for `due_soon_working_days` across the longest holiday.
  const auto horizon = std::chrono::days(options_.due_soon_working_days * 2 + 10);
  pqxx::work txn(*connection);
  std::vector<storage::DeadlineStepRecord> steps;
  for (auto& open : storage::open_tickets_before(txn, {}, now + horizon)) {
    for (const auto step : steps_reached(*calendar, open.deadline, now, options_)) {
      steps.push_back({open, std::string(to_string(step))});
    }
  }
  const auto written = storage::record_deadline_steps(txn, steps, now);
  txn.commit();
  return written;
}

void DeadlineWatch::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    try {
      const auto now =
          std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
      if (const auto n = run_once(now); n > 0) {
        core::log_info("deadline-watch", "deadline steps recorded",
                       {{"events", std::to_string(n)}});
      }
    } catch (const std::exception& e) {
      core::log_warn("deadline-watch", "pass failed", {{"error", e.what()}});
    }
    core::pause_unless_stopped(stop, options_.interval);
  }
}

}  // namespace appealhub::router
