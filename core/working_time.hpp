#pragma once
// Working time elapsed between two instants (docs/statistics.md, "Working time").
//
// Each working day of the calendar, as a China local date (UTC+8), counts the part of the
// interval that falls on it, all 24 hours of it; days off count nothing. Fri 18:00 → Mon 09:00 is
// 15 h (6 h of Friday, 9 h of Monday) = 0.625 working days. Calendar time is plain wall-clock
// time. The statistics in storage/ compute the same quantity in SQL from a per-day table that is
// filled from this calendar (storage/statistics.hpp); the tests compare the two.

#include <chrono>

#include "core/calendar.hpp"

namespace appealhub::core {

// The working seconds in [from, to); 0 when to <= from.
std::chrono::seconds working_time_between(const WorkingCalendar& calendar,
                                          std::chrono::sys_seconds from,
                                         std::chrono::sys_seconds to);

// The same in hours and in working days (hours / 24).
double working_hours_between(const WorkingCalendar& calendar, std::chrono::sys_seconds from,
                            std::chrono::sys_seconds to);
double working_days_elapsed(const WorkingCalendar& calendar, std::chrono::sys_seconds from,
                           std::chrono::sys_seconds to);

}  // namespace appealhub::core
