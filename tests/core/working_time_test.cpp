// Working time elapsed on the shipped 2025–2026 calendar (config/data/cn-public-holidays.json).
// Weekdays: 2026-12-04 Fri, 2026-09-30 Wed, 2026-10-10 Sat (make-up), 2026-09-20 Sun (make-up),
// 2025-12-31 Wed, 2026-01-04 Sun (make-up), 2026-02-14 Sat (make-up), 2025-01-26 Sun (make-up).

#include "core/working_time.hpp"

#include <gtest/gtest.h>

#include "config/holidays.hpp"
#include "core/time.hpp"

namespace appealhub::core {
namespace {

const WorkingCalendar& shipped() {
  static const WorkingCalendar calendar = [] {
    const auto load = config::load_holidays(config::shipped_holidays_path());
    for (const auto& e : load.errors) ADD_FAILURE() << e.to_string();
    return load.calendar.value_or(WorkingCalendar{});
  }();
  return calendar;
}

std::chrono::sys_seconds at(const char* rfc3339) {
  const auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t ? std::chrono::floor<std::chrono::seconds>(t->utc) : std::chrono::sys_seconds{};
}

double hours(const char* from, const char* to) {
  return working_hours_between(shipped(), at(from), at(to));
}

TEST(WorkingTime, FridayEveningToMondayMorningIsFifteenHours) {
  EXPECT_DOUBLE_EQ(hours("2026-12-04T18:00:00+08:00", "2026-12-07T09:00:00+08:00"), 15.0);
  EXPECT_DOUBLE_EQ(
      working_days_elapsed(shipped(), at("2026-12-04T18:00:00+08:00"), at("2026-12-07T09:00:00+08:00")),
      0.625);
}

TEST(WorkingTime, NationalDayWeekCountsNothing) {
  // Sep 30 12:00 → Oct 8 12:00: 12 h of Sep 30, Oct 1–7 off, 12 h of Oct 8.
  EXPECT_DOUBLE_EQ(hours("2026-09-30T12:00:00+08:00", "2026-10-08T12:00:00+08:00"), 24.0);
  // Wholly inside the holiday: nothing.
  EXPECT_DOUBLE_EQ(hours("2026-10-02T08:00:00+08:00", "2026-10-06T20:00:00+08:00"), 0.0);
}

TEST(WorkingTime, MakeUpDaysCountInFull) {
  // Sat 2026-10-10 is a make-up working day: all 24 h count; Sun 10-11 does not.
  EXPECT_DOUBLE_EQ(hours("2026-10-10T00:00:00+08:00", "2026-10-12T00:00:00+08:00"), 24.0);
  // Sun 2026-09-20 (make-up) from 20:00 to Mon 02:00: 4 h + 2 h.
  EXPECT_DOUBLE_EQ(hours("2026-09-20T20:00:00+08:00", "2026-09-21T02:00:00+08:00"), 6.0);
  // An ordinary Saturday counts nothing.
  EXPECT_DOUBLE_EQ(hours("2026-09-19T00:00:00+08:00", "2026-09-20T00:00:00+08:00"), 0.0);
}

TEST(WorkingTime, AcrossTheYearEnd) {
  // Wed 2025-12-31 18:00 → Sun 2026-01-04 10:00: 6 h of Dec 31, Jan 1–3 off, 10 h of the
  // make-up Sunday.
  EXPECT_DOUBLE_EQ(hours("2025-12-31T18:00:00+08:00", "2026-01-04T10:00:00+08:00"), 16.0);
}

TEST(WorkingTime, SpringFestival2026) {
  // Fri 2026-02-13 12:00 → Tue 2026-02-24 12:00: 12 h, Sat 02-14 (make-up) 24 h, 15–23 off,
  // 12 h of the 24th.
  EXPECT_DOUBLE_EQ(hours("2026-02-13T12:00:00+08:00", "2026-02-24T12:00:00+08:00"), 48.0);
}

TEST(WorkingTime, SpringFestival2025) {
  // Sun 2025-01-26 (make-up) 00:00 → Wed 2025-02-05 00:00: the 26th and Mon 27th count, 28 Jan –
  // 4 Feb off.
  EXPECT_DOUBLE_EQ(hours("2025-01-26T00:00:00+08:00", "2025-02-05T00:00:00+08:00"), 48.0);
}

TEST(WorkingTime, InstantsGivenInUtcAreCountedOnChinaDays) {
  // 2026-12-04T10:00Z is Fri 18:00 in China; 2026-12-07T01:00Z is Mon 09:00.
  EXPECT_DOUBLE_EQ(hours("2026-12-04T10:00:00Z", "2026-12-07T01:00:00Z"), 15.0);
  // 2026-09-30T16:00Z is already Oct 1 in China (off): nothing until Oct 8 00:00 China.
  EXPECT_DOUBLE_EQ(hours("2026-09-30T16:00:00Z", "2026-10-08T04:00:00Z"), 12.0);
  // Fri 2026-12-04 23:30 China → Sat 00:30 China, given in UTC: 30 minutes of Friday.
  EXPECT_DOUBLE_EQ(hours("2026-12-04T15:30:00Z", "2026-12-04T16:30:00Z"), 0.5);
}

TEST(WorkingTime, EmptyAndReversedIntervalsAreZero) {
  EXPECT_EQ(working_time_between(shipped(), at("2026-12-04T10:00:00+08:00"),
                                 at("2026-12-04T10:00:00+08:00"))
                .count(),
            0);
  EXPECT_DOUBLE_EQ(hours("2026-12-07T10:00:00+08:00", "2026-12-04T10:00:00+08:00"), 0.0);
}

TEST(WorkingTime, SecondsAreExact) {
  EXPECT_EQ(working_time_between(shipped(), at("2026-12-04T23:59:59+08:00"),
                                 at("2026-12-07T00:00:01+08:00"))
                .count(),
            2);
}

TEST(WorkingTime, AYearWithoutHolidayDataFallsBackToWeekends) {
  // 2027-10-01 is a Friday; no 2027 data, so it counts in full.
  EXPECT_DOUBLE_EQ(hours("2027-10-01T00:00:00+08:00", "2027-10-04T00:00:00+08:00"), 24.0);
}

}  // namespace
}  // namespace appealhub::core
