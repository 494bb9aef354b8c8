#include "core/calendar.hpp"

#include <stdexcept>

namespace appealhub::core {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;

sys_days checked(year_month_day date) {
  if (!date.ok()) throw std::invalid_argument("WorkingCalendar: not a valid date");
  return sys_days{date};
}

bool is_weekend(sys_days day) {
  const std::chrono::weekday wd{day};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

}  // namespace

WorkingCalendar::WorkingCalendar(std::vector<SpecialDay> days,
                                 std::set<std::chrono::year> covered_years)
    : covered_(std::move(covered_years)) {
  for (auto& day : days) add_day(std::move(day));
}

bool WorkingCalendar::is_working_day(year_month_day date) const {
  const auto day = checked(date);
  if (const auto it = days_.find(day); it != days_.end()) return !it->second.off;
  return !is_weekend(day);
}

std::optional<SpecialDay> WorkingCalendar::special_day(year_month_day date) const {
  const auto it = days_.find(checked(date));
  if (it == days_.end()) return std::nullopt;
  return it->second;
}

std::vector<SpecialDay> WorkingCalendar::days() const {
  std::vector<SpecialDay> out;
  out.reserve(days_.size());
  for (const auto& [date, day] : days_) out.push_back(day);
  return out;
}

bool WorkingCalendar::covers(std::chrono::year year) const {
  return covered_.contains(year);
}

std::vector<int> WorkingCalendar::uncovered_years(year_month_day from, year_month_day to) const {
  checked(from);
  checked(to);
  std::vector<int> out;
  for (int y = static_cast<int>(from.year()); y <= static_cast<int>(to.year()); ++y) {
    if (!covers(std::chrono::year{y})) out.push_back(y);
  }
  return out;
}

year_month_day WorkingCalendar::add_working_days(year_month_day start, int n) const {
  if (n < 0) throw std::invalid_argument("WorkingCalendar: negative number of working days");
  auto day = checked(start);
  while (n > 0) {
    day += std::chrono::days{1};
    if (is_working_day(year_month_day{day})) --n;
  }
  return year_month_day{day};
}

int WorkingCalendar::working_days_between(year_month_day a, year_month_day b) const {
  const auto last = checked(b);
  int count = 0;
  for (auto day = checked(a) + std::chrono::days{1}; day <= last; day += std::chrono::days{1}) {
    if (is_working_day(year_month_day{day})) ++count;
  }
  return count;
}

void WorkingCalendar::add_day(SpecialDay day) {
  const auto key = checked(day.date);
  days_.insert_or_assign(key, std::move(day));
}

void WorkingCalendar::mark_covered(std::chrono::year year) {
  covered_.insert(year);
}

}  // namespace appealhub::core
