#pragma once
// The working-day calendar deadlines are counted on (docs/domain.md, "Deadlines").
//
// A date is a working day when it is Monday to Friday and not listed as a day off, or when it is
// listed as a make-up working day (调休, usually a Saturday or Sunday). The list comes from the
// State Council's yearly notices; core does no I/O, so the list is given to the calendar
// (config/holidays.hpp reads the shipped file).
//
// Coverage: the calendar knows which years its data describes in full. A year it does not cover
// falls back to plain weekends (listed days in it still apply), and uncovered_years() says so,
// for the health page ("2027 not covered").
//
// Dates are civil dates with no time zone: callers pass China local dates (core/deadline.hpp
// turns instants into them). Every function taking a date throws std::invalid_argument when the
// date is not a valid one (!ok()).

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace appealhub::core {

// One date the State Council's notice names: a day off (off = true) or a make-up working day
// (off = false). `holiday` is the festival it belongs to (国庆节), for people.
struct SpecialDay {
  std::chrono::year_month_day date;
  bool off = true;
  std::string holiday;

  friend bool operator==(const SpecialDay&, const SpecialDay&) = default;
};

class WorkingCalendar {
 public:
  // Weekends only, no year covered.
  WorkingCalendar() = default;
  // `days` in any order; a date listed twice keeps its last entry. `covered_years` are the years
  // whose notices `days` holds in full (a notice may also list days of the previous December, so
  // coverage is not derived from the dates).
  WorkingCalendar(std::vector<SpecialDay> days, std::set<std::chrono::year> covered_years);

  bool is_working_day(std::chrono::year_month_day date) const;
  // The listed entry for a date, if any (to show "国庆节" beside a skipped day).
  std::optional<SpecialDay> special_day(std::chrono::year_month_day date) const;
  // Every listed day, in date order.
  std::vector<SpecialDay> days() const;

  bool covers(std::chrono::year year) const;
  const std::set<std::chrono::year>& covered_years() const { return covered_; }
  // The years from from.year() to to.year() (inclusive, ascending) the calendar does not cover;
  // empty when to < from.
  std::vector<int> uncovered_years(std::chrono::year_month_day from,
                                   std::chrono::year_month_day to) const;

  // The Nth working day after `start`; `start` itself never counts, whatever it is (the day of
  // receipt does not count). n == 0 gives `start`. Throws std::invalid_argument for n < 0.
  std::chrono::year_month_day add_working_days(std::chrono::year_month_day start, int n) const;
  // The number of working days d with a < d <= b (so a deadline day `a` and "today" `b` give the
  // working days overdue); 0 when b <= a.
  int working_days_between(std::chrono::year_month_day a, std::chrono::year_month_day b) const;

  // An administrator's change at run time: lists a day, replacing the entry for the same date.
  // It does not change coverage.
  void add_day(SpecialDay day);
  // An administrator's statement that a year's notice has been entered in full.
  void mark_covered(std::chrono::year year);

 private:
  std::map<std::chrono::sys_days, SpecialDay> days_;
  std::set<std::chrono::year> covered_;
};

}  // namespace appealhub::core
