#pragma once
// A ticket's deadline (docs/domain.md, "Deadlines"; docs/domain.md, "Ticket life").
//
// Counting: all dates are China local dates (UTC+8, no daylight saving time). The day of receipt
// does not count; "N working days" ends at 24:00 of the Nth working day after the day of receipt.
// A deadline is written as the last second of that day, 23:59:59+08:00 (15:59:59 UTC), the way
// the channels write theirs ("2026-12-11T23:59:59+08:00"): an answer whose time, truncated to
// whole seconds, is at or before the deadline is on time.
//
// The ticket's deadline is the earlier of the policy's and the channel's own (binding) deadline.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.hpp"

namespace appealhub::core {

// How long each appeal is given, as data so that configuration can change it. Defaults are
// docs/domain.md's (Sichuan 12345 rules, 政府信息公开条例 art. 33, and the urgency examples).
struct DeadlinePolicy {
  // Working days by kind code (the wire names of core/appeal.hpp). nullopt: the kind has no
  // deadline (praise is acknowledged, not answered by a date). 0: the end of the day of receipt.
  std::map<std::string, std::optional<int>, std::less<>> days_by_kind{
      {"consultation", 3}, {"help", 7},        {"suggestion", 7},        {"complaint", 15},
      {"report", 15},      {"disclosure", 20}, {"praise", std::nullopt}, {"other", 15},
  };
  // Limits by urgency code; 0 means the end of the day of receipt (特急: same day). An urgency
  // shortens a kind's limit, never lengthens it, and never gives a deadline to a kind that has
  // none. An urgency not listed (normal, or an unknown code) leaves the kind's limit.
  std::map<std::string, int, std::less<>> days_by_urgency{{"urgent", 1}, {"critical", 0}};
  // The kind whose limit a kind code not in days_by_kind gets.
  std::string fallback_kind = "other";
};

// How a deadline was found, for the ticket's timeline.
struct DeadlineComputation {
  std::chrono::year_month_day received_date;         // the local date of receipt
  std::optional<std::chrono::sys_seconds> deadline;  // the binding one; nullopt: none
  std::string policy;   // "complaint: 15 working days", "critical: same day", "praise: no deadline"
  int policy_days = 0;  // working days the policy gave (0 for same day or no deadline)
  std::optional<std::chrono::sys_seconds> policy_deadline;
  std::optional<std::chrono::sys_seconds> channel_deadline;
  bool channel_deadline_won =
      false;  // the channel's deadline is strictly earlier (or the only one)
  // The non-working days (weekends, holidays) after the day of receipt and before the policy's
  // deadline day, which the count skipped; ascending.
  std::vector<std::chrono::year_month_day> skipped_days;
  // Years the count ran through that the calendar has no holiday data for (weekends only).
  std::vector<int> uncovered_years;

  // One English sentence: "complaint: 15 working days after receipt on 2026-09-30, 12
  // non-working days skipped: due 2026-10-27T23:59:59+08:00."
  std::string explain() const;
};

// The China local date of an instant.
std::chrono::year_month_day china_date(std::chrono::sys_seconds instant);
// The last second of a China local date: 23:59:59+08:00.
std::chrono::sys_seconds end_of_china_day(std::chrono::year_month_day date);

// The deadline of an appeal of `kind` and `urgency` (wire codes) received at `received_utc`.
// A channel deadline is taken as given, even when it lies before receipt. Throws
// std::invalid_argument when the policy has neither `kind` nor its fallback kind, or gives a
// negative number of days.
DeadlineComputation compute_deadline(const WorkingCalendar& calendar, const DeadlinePolicy& policy,
                                     std::string_view kind, std::string_view urgency,
                                     std::chrono::sys_seconds received_utc,
                                     std::optional<std::chrono::sys_seconds> channel_deadline_utc);

// An approved extension: the end of the `working_days`th working day after the local date of
// `current_deadline` (a channel deadline at 18:00 thus moves to 23:59:59 of the later day).
// Throws std::invalid_argument for working_days < 0.
std::chrono::sys_seconds extend_deadline(const WorkingCalendar& calendar,
                                         std::chrono::sys_seconds current_deadline,
                                         int working_days);

}  // namespace appealhub::core
