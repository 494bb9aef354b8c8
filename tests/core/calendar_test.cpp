// The working-day calendar on the shipped 2025–2026 State Council data
// (config/data/cn-public-holidays.json). Weekdays: 2026-09-30 Wed, 2026-10-10 Sat, 2026-09-20 Sun,
// 2026-01-04 Sun, 2027-01-01 Fri.

#include "core/calendar.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "config/holidays.hpp"

namespace appealhub::core {
namespace {

using namespace std::chrono_literals;
using std::chrono::year;

const WorkingCalendar& shipped() {
  static const WorkingCalendar calendar = [] {
    const auto load = config::load_holidays(config::shipped_holidays_path());
    for (const auto& e : load.errors) ADD_FAILURE() << e.to_string();
    return load.calendar.value_or(WorkingCalendar{});
  }();
  return calendar;
}

TEST(WorkingCalendar, ShippedDataCovers2025And2026Only) {
  EXPECT_EQ(shipped().days().size(), 72u);
  EXPECT_TRUE(shipped().covers(year{2025}));
  EXPECT_TRUE(shipped().covers(year{2026}));
  EXPECT_FALSE(shipped().covers(year{2024}));
  EXPECT_FALSE(shipped().covers(year{2027}));
}

TEST(WorkingCalendar, WeekdaysHolidaysAndMakeUpDays) {
  const auto& cal = shipped();
  EXPECT_TRUE(cal.is_working_day(2026y / 9 / 30));    // Wednesday, not listed
  EXPECT_FALSE(cal.is_working_day(2026y / 10 / 1));   // Thursday, 国庆节 off
  EXPECT_FALSE(cal.is_working_day(2026y / 10 / 7));   // Wednesday, last day off
  EXPECT_TRUE(cal.is_working_day(2026y / 10 / 8));    // Thursday, back at work
  EXPECT_TRUE(cal.is_working_day(2026y / 10 / 10));   // Saturday, make-up working day
  EXPECT_FALSE(cal.is_working_day(2026y / 10 / 11));  // Sunday, not listed
  EXPECT_TRUE(cal.is_working_day(2026y / 9 / 20));    // Sunday, make-up day for 国庆节
  EXPECT_FALSE(cal.is_working_day(2026y / 9 / 27));   // Sunday, listed off (中秋节), not make-up
  EXPECT_FALSE(cal.is_working_day(2026y / 9 / 25));   // Friday, 中秋节 off
  EXPECT_TRUE(cal.is_working_day(2026y / 1 / 4));     // Sunday, make-up day for 元旦
  EXPECT_TRUE(cal.is_working_day(2025y / 9 / 28));    // Sunday, make-up day
  EXPECT_FALSE(cal.is_working_day(2025y / 10 / 8));   // Wednesday, 2025's 8-day break
  EXPECT_EQ(cal.special_day(2026y / 10 / 1)->holiday, "国庆节");
  EXPECT_FALSE(cal.special_day(2026y / 10 / 11).has_value());
}

TEST(WorkingCalendar, AddWorkingDaysNeverCountsTheStart) {
  const auto& cal = shipped();
  EXPECT_EQ(cal.add_working_days(2026y / 9 / 30, 0), 2026y / 9 / 30);
  // 10-01..07 off: the first working day after 09-30 is Thursday 10-08.
  EXPECT_EQ(cal.add_working_days(2026y / 9 / 30, 1), 2026y / 10 / 8);
  // Friday 10-09 → Saturday 10-10, a make-up working day.
  EXPECT_EQ(cal.add_working_days(2026y / 10 / 9, 1), 2026y / 10 / 10);
  // Saturday 09-19 → Sunday 09-20, a make-up working day.
  EXPECT_EQ(cal.add_working_days(2026y / 9 / 19, 1), 2026y / 9 / 20);
  // Across the year: 2026-01-01..03 off, Sunday 01-04 make-up.
  EXPECT_EQ(cal.add_working_days(2025y / 12 / 31, 1), 2026y / 1 / 4);
  EXPECT_THROW(cal.add_working_days(2026y / 9 / 30, -1), std::invalid_argument);
  EXPECT_THROW(cal.add_working_days(2026y / 2 / 30, 1), std::invalid_argument);
}

TEST(WorkingCalendar, WorkingDaysBetweenCountsOverdueDays) {
  const auto& cal = shipped();
  // Due 10-27; on 11-03 overdue by 10-28, 10-29, 10-30, 11-02, 11-03 = 5: time for 通报.
  EXPECT_EQ(cal.working_days_between(2026y / 10 / 27, 2026y / 11 / 3), 5);
  // (09-29, 10-09]: 09-30, 10-08, 10-09; the holiday week does not count.
  EXPECT_EQ(cal.working_days_between(2026y / 9 / 29, 2026y / 10 / 9), 3);
  // (10-09, 10-12]: Saturday 10-10 (make-up) and Monday 10-12; Sunday 10-11 not.
  EXPECT_EQ(cal.working_days_between(2026y / 10 / 9, 2026y / 10 / 12), 2);
  EXPECT_EQ(cal.working_days_between(2026y / 10 / 27, 2026y / 10 / 27), 0);
  EXPECT_EQ(cal.working_days_between(2026y / 11 / 3, 2026y / 10 / 27), 0);
}

TEST(WorkingCalendar, UncoveredYearFallsBackToWeekendsAndSaysSo) {
  const auto& cal = shipped();
  EXPECT_TRUE(cal.is_working_day(2027y / 1 / 1));   // Friday: no 2027 data, so a working day
  EXPECT_FALSE(cal.is_working_day(2027y / 1 / 2));  // Saturday
  EXPECT_EQ(cal.uncovered_years(2026y / 12 / 28, 2027y / 1 / 18), std::vector<int>{2027});
  EXPECT_EQ(cal.uncovered_years(2024y / 12 / 30, 2027y / 1 / 1), (std::vector<int>{2024, 2027}));
  EXPECT_TRUE(cal.uncovered_years(2025y / 1 / 1, 2026y / 12 / 31).empty());
  EXPECT_TRUE(cal.uncovered_years(2027y / 1 / 1, 2026y / 1 / 1).empty());
}

TEST(WorkingCalendar, AdministratorAddsAndReplacesDays) {
  auto cal = shipped();
  cal.add_day({2026y / 10 / 10, true, "changed"});  // replaces the make-up day
  EXPECT_FALSE(cal.is_working_day(2026y / 10 / 10));
  EXPECT_EQ(cal.special_day(2026y / 10 / 10)->holiday, "changed");
  EXPECT_EQ(cal.days().size(), 72u);

  cal.add_day({2027y / 1 / 1, true, "元旦"});
  EXPECT_FALSE(cal.is_working_day(2027y / 1 / 1));  // a listed day applies in any year
  EXPECT_FALSE(cal.covers(year{2027}));             // but one day is not the whole notice
  cal.mark_covered(year{2027});
  EXPECT_TRUE(cal.covers(year{2027}));
  EXPECT_THROW(cal.add_day({2027y / 2 / 29, true, ""}), std::invalid_argument);
}

TEST(WorkingCalendar, EmptyCalendarIsWeekendsOnly) {
  const WorkingCalendar cal;
  EXPECT_TRUE(cal.is_working_day(2026y / 10 / 1));  // Thursday
  EXPECT_FALSE(cal.is_working_day(2026y / 10 / 10));
  EXPECT_EQ(cal.add_working_days(2026y / 10 / 9, 1), 2026y / 10 / 12);
  EXPECT_EQ(cal.uncovered_years(2026y / 1 / 1, 2026y / 12 / 31), std::vector<int>{2026});
}

TEST(WorkingCalendar, LaterEntryForTheSameDateWins) {
  const WorkingCalendar cal({{2026y / 10 / 1, true, "a"}, {2026y / 10 / 1, false, "b"}},
                            {year{2026}});
  EXPECT_TRUE(cal.is_working_day(2026y / 10 / 1));
  EXPECT_EQ(cal.days().size(), 1u);
}

}  // namespace
}  // namespace appealhub::core
