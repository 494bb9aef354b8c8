#include "core/working_time.hpp"

#include <algorithm>

#include "core/time.hpp"

namespace appealhub::core {

std::chrono::seconds working_time_between(const WorkingCalendar& calendar,
                                          std::chrono::sys_seconds from,
                                         std::chrono::sys_seconds to) {
  using namespace std::chrono;
  if (to <= from) return seconds{0};
  constexpr minutes offset{kChinaOffsetMinutes};
  // Walk the China local days the interval touches; each contributes its overlap when working.
  const auto local_from = from + offset;
  const auto local_to = to + offset;
  seconds total{0};
  for (auto day = floor<days>(local_from); day < local_to; day += days{1}) {
    if (!calendar.is_working_day(year_month_day{day})) continue;
    const sys_seconds start = std::max<sys_seconds>(sys_seconds{day}, local_from);
    const sys_seconds end = std::min<sys_seconds>(sys_seconds{day + days{1}}, local_to);
    total += end - start;
  }
  return total;
}

double working_hours_between(const WorkingCalendar& calendar, std::chrono::sys_seconds from,
                            std::chrono::sys_seconds to) {
  return static_cast<double>(working_time_between(calendar, from, to).count()) / 3600.0;
}

double working_days_elapsed(const WorkingCalendar& calendar, std::chrono::sys_seconds from,
                           std::chrono::sys_seconds to) {
  return working_hours_between(calendar, from, to) / 24.0;
}

}  // namespace appealhub::core
