#pragma once
// Statistics for managers (docs/statistics.md): facts derived from the event rows and the queries
// over them. Every figure is defined once, in docs/statistics.md; this file computes them.
//
// Freshness (docs/decisions/0010-statistics-facts-refreshed-on-read.md): triggers queue a ticket
// in stats_dirty in the same transaction as any event, answer, deadline or delivery change on it;
// refresh_statistics() derives the queued tickets' facts again (and rewrites the calendar table
// when the calendar changed). Every reader refreshes first, so figures are exact when read.
// Summaries are summed from a copy of the facts in the process's memory, brought up to date from
// the log of derived tickets (docs/decisions/0018-statistics-summed-in-memory-from-the-facts.md).

#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.hpp"

namespace appealhub::storage {

// The dimensions a summary may be grouped and filtered by.
inline constexpr const char* kStatsDimensions[] = {"department", "channel", "kind", "category",
                                                   "division",   "day",     "week", "month"};
bool is_stats_dimension(const std::string& name);

struct StatsQuery {
  std::chrono::year_month_day from, to;  // China local dates, inclusive
  std::vector<std::string> group_by;     // at most two dimensions
  // Filters: empty means all. departments is also how staff are limited to their own.
  std::vector<std::string> departments, channels, kinds, categories, divisions;
  int instant_answer_minutes = 60;
  // Only due, on_time, overdue_now and the activity rows' figures (ratings, callbacks, returns,
  // extensions, delivery failures): what the ranking and the gauges need, at a fraction of the
  // work. The other figures stay 0.
  bool on_time_and_activity_only = false;
};

// Nearest-rank median and 90th percentile, in seconds; nullopt over no ticket.
struct Percentiles {
  std::optional<std::int64_t> median, p90;
};
struct AnswerTimes {
  Percentiles working, calendar;
};

struct Figures {
  std::int64_t received = 0, tickets = 0, due = 0, on_time = 0, overdue_now = 0;
  std::int64_t first_answers = 0, final_answers = 0;
  AnswerTimes first_answer, final_answer;
  std::int64_t returns = 0, extensions_asked = 0, extensions_approved = 0;
  std::int64_t reopened = 0, reopened_due = 0, reopened_on_time = 0;
  std::int64_t callbacks = 0, valid_ratings = 0, satisfied = 0;
  std::int64_t resolved = 0, valid_callbacks = 0;
  std::int64_t consultations = 0, instant_answers = 0, delivery_failures = 0;
};

struct StatsRow {
  std::vector<std::pair<std::string, std::string>> key;  // dimension → value, in group_by order
  Figures figures;
};
struct StatsSummary {
  std::vector<StatsRow> rows;  // ordered by key
  Figures total;
};

// Brings the facts up to date (see above). Takes its own transaction on `connection`; waits for
// another refresh in progress rather than running beside it.
void refresh_statistics(pqxx::connection& connection, const core::WorkingCalendar& calendar);

// The summary as of `now` (for "overdue now"). Read in one REPEATABLE READ transaction for
// one consistent snapshot.
StatsSummary statistics_summary(pqxx::transaction_base& txn, const StatsQuery& query,
                                std::chrono::sys_seconds now);

}  // namespace appealhub::storage
