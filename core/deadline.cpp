#include "core/deadline.hpp"

#include <cstdio>
#include <stdexcept>

#include "core/time.hpp"

namespace appealhub::core {
namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;
using std::chrono::year_month_day;

constexpr std::chrono::minutes kChinaOffset{kChinaOffsetMinutes};

std::string describe_days(int days) {
  if (days == 0) return "same day";
  if (days == 1) return "1 working day";
  return std::to_string(days) + " working days";
}

std::string format_instant(sys_seconds t) {
  return format_rfc3339(Timestamp{t, kChinaOffsetMinutes});
}

std::string format_date(year_month_day date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

// The limit the policy gives: working days (nullopt: no deadline) and its description's subject.
struct Limit {
  std::optional<int> days;
  std::string subject;
};

Limit limit_for(const DeadlinePolicy& policy, std::string_view kind, std::string_view urgency) {
  auto it = policy.days_by_kind.find(kind);
  if (it == policy.days_by_kind.end()) it = policy.days_by_kind.find(policy.fallback_kind);
  if (it == policy.days_by_kind.end()) {
    throw std::invalid_argument("deadline policy: no limit for kind '" + std::string(kind) +
                                "' nor for the fallback kind '" + policy.fallback_kind + "'");
  }
  Limit limit{it->second, it->first};
  if (limit.days && *limit.days < 0) {
    throw std::invalid_argument("deadline policy: negative days for kind '" + it->first + "'");
  }
  if (!limit.days) return limit;
  if (const auto u = policy.days_by_urgency.find(urgency); u != policy.days_by_urgency.end()) {
    if (u->second < 0) {
      throw std::invalid_argument("deadline policy: negative days for urgency '" + u->first + "'");
    }
    if (u->second < *limit.days) limit = {u->second, u->first};
  }
  return limit;
}

}  // namespace

year_month_day china_date(sys_seconds instant) {
  return year_month_day{std::chrono::floor<std::chrono::days>(instant + kChinaOffset)};
}

sys_seconds end_of_china_day(year_month_day date) {
  return sys_seconds{sys_days{date}} + std::chrono::days{1} - kChinaOffset -
         std::chrono::seconds{1};
}

DeadlineComputation compute_deadline(const WorkingCalendar& calendar, const DeadlinePolicy& policy,
                                     std::string_view kind, std::string_view urgency,
                                     sys_seconds received_utc,
                                     std::optional<sys_seconds> channel_deadline_utc) {
  DeadlineComputation c;
  c.received_date = china_date(received_utc);
  c.channel_deadline = channel_deadline_utc;

  const auto limit = limit_for(policy, kind, urgency);
  if (limit.days) {
    c.policy = limit.subject + ": " + describe_days(*limit.days);
    c.policy_days = *limit.days;
    const auto due = calendar.add_working_days(c.received_date, *limit.days);
    c.policy_deadline = end_of_china_day(due);
    for (auto day = sys_days{c.received_date} + std::chrono::days{1}; day < sys_days{due};
         day += std::chrono::days{1}) {
      if (!calendar.is_working_day(year_month_day{day})) c.skipped_days.emplace_back(day);
    }
    if (*limit.days > 0) c.uncovered_years = calendar.uncovered_years(c.received_date, due);
  } else {
    c.policy = limit.subject + ": no deadline";
  }

  c.channel_deadline_won =
      channel_deadline_utc && (!c.policy_deadline || *channel_deadline_utc < *c.policy_deadline);
  c.deadline = c.channel_deadline_won ? channel_deadline_utc : c.policy_deadline;
  return c;
}

sys_seconds extend_deadline(const WorkingCalendar& calendar, sys_seconds current_deadline,
                            int working_days) {
  return end_of_china_day(calendar.add_working_days(china_date(current_deadline), working_days));
}

std::string DeadlineComputation::explain() const {
  std::string out = policy;
  if (policy_deadline) {
    if (policy_days > 0) {
      out += " after receipt on " + format_date(received_date);
      if (!skipped_days.empty()) {
        out += ", " + std::to_string(skipped_days.size()) + " non-working day" +
               (skipped_days.size() == 1 ? "" : "s") + " skipped";
      }
    } else {
      out += " as received on " + format_date(received_date);
    }
    out += ": due " + format_instant(*policy_deadline);
  }
  if (!uncovered_years.empty()) {
    out += " (no holiday data for";
    for (const int y : uncovered_years) out += " " + std::to_string(y);
    out += ": weekends only)";
  }
  if (channel_deadline) {
    out += "; the channel's deadline " + format_instant(*channel_deadline);
    if (!channel_deadline_won) {
      out += " is not earlier";
    } else {
      out += policy_deadline ? " is earlier and binding" : " is binding";
    }
  }
  return out + ".";
}

}  // namespace appealhub::core
