#include "router/deadline_watch.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "core/deadline.hpp"
#include "core/log.hpp"

namespace appealhub::router {
namespace {

// Arbitrary constant naming the "deadline watch" advisory lock.
constexpr long long kWatchLock = 0x61707065616c0002LL;

}  // namespace

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
  const auto outside_transaction = [&](const std::string& sql) {
    pqxx::nontransaction txn(*connection);
    return txn.exec1(sql)[0].as<bool>();
  };
  if (!outside_transaction("SELECT pg_try_advisory_lock(" + std::to_string(kWatchLock) + ")")) {
    return 0;  // another process is watching
  }
  std::size_t written = 0;
  try {
    // Tickets still open whose deadline is near or past. The window before the deadline is wide
    // enough for `due_soon_working_days` across the longest holiday.
    const long long horizon_days = options_.due_soon_working_days * 2 + 10;
    pqxx::work txn(*connection);
    const auto rows = txn.exec(
        "SELECT id, extract(epoch FROM deadline)::bigint, lead_department FROM tickets"
        " WHERE status IN ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened')"
        " AND deadline IS NOT NULL AND deadline < to_timestamp(" +
        std::to_string(now.time_since_epoch().count()) + ") + interval '" +
        std::to_string(horizon_days) + " days'");
    std::string values;
    for (const auto& row : rows) {
      const auto id = row[0].as<std::int64_t>();
      const std::chrono::sys_seconds deadline{std::chrono::seconds(row[1].as<long long>())};
      for (auto step : steps_reached(*calendar, deadline, now, options_)) {
        nlohmann::json data{{"step", to_string(step)},
                            {"deadline", row[1].as<long long>()},
                            {"department", row[2].is_null() ? "" : row[2].as<std::string>()}};
        if (!values.empty()) values += ',';
        values += "(" + std::to_string(id) + "," +
                  txn.quote("sla:" + std::to_string(id) + ":" + std::string(to_string(step)) + ":" +
                            std::to_string(deadline.time_since_epoch().count())) +
                  "," + txn.quote("sla." + std::string(to_string(step))) +
                  ",'deadline-watch',to_timestamp(" +
                  std::to_string(now.time_since_epoch().count()) + ")," + txn.quote(data.dump()) +
                  "::jsonb)";
      }
    }
    if (!values.empty()) {
      written = txn.exec(
                       "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at,"
                       " data) VALUES " +
                       values + " ON CONFLICT (event_id) DO NOTHING")
                    .affected_rows();
    }
    txn.commit();
  } catch (...) {
    outside_transaction("SELECT pg_advisory_unlock(" + std::to_string(kWatchLock) + ")");
    throw;
  }
  outside_transaction("SELECT pg_advisory_unlock(" + std::to_string(kWatchLock) + ")");
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
    const auto until = std::chrono::steady_clock::now() + options_.interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace appealhub::router
