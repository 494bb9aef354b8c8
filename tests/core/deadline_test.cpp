// Deadlines on real dates, with the shipped 2025–2026 calendar and the default policy
// (docs/domain.md). Every expected date is counted by hand from config/data/cn-public-holidays.json:
// the day of receipt never counts; "(n)" below marks the nth working day.
//
// 2026 around National Day: 09-20 Sun make-up; 09-25..27 off (中秋节, 09-27 a Sunday off, not a
// make-up day); 10-01..07 off; 10-10 Sat make-up; 10-11 Sun off.

#include "core/deadline.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "config/holidays.hpp"
#include "core/time.hpp"

namespace appealhub::core {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_seconds;
using std::chrono::year_month_day;

const WorkingCalendar& shipped() {
  static const WorkingCalendar calendar = [] {
    const auto load = config::load_holidays(config::shipped_holidays_path());
    for (const auto& e : load.errors) ADD_FAILURE() << e.to_string();
    return load.calendar.value_or(WorkingCalendar{});
  }();
  return calendar;
}

// An instant given as China local wall-clock time.
sys_seconds china(year_month_day date, int hour = 10, int minute = 0) {
  return sys_seconds{std::chrono::sys_days{date}} + std::chrono::hours{hour - 8} +
         std::chrono::minutes{minute};
}

sys_seconds rfc3339(const char* text) {
  return std::chrono::floor<std::chrono::seconds>(parse_rfc3339(text).value().utc);
}

std::string text(std::optional<sys_seconds> t) {
  return t ? format_rfc3339(Timestamp{*t, kChinaOffsetMinutes}) : "none";
}

DeadlineComputation normal(std::string_view kind, sys_seconds received,
                           std::optional<sys_seconds> channel = std::nullopt) {
  return compute_deadline(shipped(), DeadlinePolicy{}, kind, "normal", received, channel);
}

TEST(Deadline, DeadlineIsTheLastSecondOfTheLocalDay) {
  EXPECT_EQ(end_of_china_day(2026y / 12 / 11), rfc3339("2026-12-11T23:59:59+08:00"));
  EXPECT_EQ(end_of_china_day(2026y / 12 / 11), rfc3339("2026-12-11T15:59:59Z"));
  EXPECT_EQ(china_date(rfc3339("2026-12-11T23:59:59+08:00")), 2026y / 12 / 11);
  EXPECT_EQ(china_date(rfc3339("2026-12-11T00:00:00+08:00")), 2026y / 12 / 11);
}

TEST(Deadline, ComplaintReceivedBeforeNationalDay) {
  // Received Wed 2026-09-30. 10-01..07 off; 10-08 (1), 10-09 (2), Sat 10-10 make-up (3), 10-12..16
  // (4-8), 10-19..23 (9-13), 10-26 (14), 10-27 (15). Skipped: 10-01..07, 10-11, 10-17, 10-18,
  // 10-24, 10-25.
  const auto c = normal("complaint", china(2026y / 9 / 30));
  EXPECT_EQ(c.received_date, 2026y / 9 / 30);
  EXPECT_EQ(text(c.deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_EQ(c.policy_deadline, c.deadline);
  EXPECT_EQ(c.policy, "complaint: 15 working days");
  EXPECT_EQ(c.policy_days, 15);
  EXPECT_FALSE(c.channel_deadline_won);
  EXPECT_TRUE(c.uncovered_years.empty());
  const std::vector<year_month_day> skipped{2026y / 10 / 1,  2026y / 10 / 2,  2026y / 10 / 3,
                                            2026y / 10 / 4,  2026y / 10 / 5,  2026y / 10 / 6,
                                            2026y / 10 / 7,  2026y / 10 / 11, 2026y / 10 / 17,
                                            2026y / 10 / 18, 2026y / 10 / 24, 2026y / 10 / 25};
  EXPECT_EQ(c.skipped_days, skipped);
  EXPECT_EQ(c.explain(),
            "complaint: 15 working days after receipt on 2026-09-30, 12 non-working days skipped: "
            "due 2026-10-27T23:59:59+08:00.");
}

TEST(Deadline, EveryKindFromTheSameReceipt) {
  const auto received = china(2026y / 9 / 30);
  // 3: 10-08 (1), 10-09 (2), Sat 10-10 make-up (3): due on a Saturday.
  EXPECT_EQ(text(normal("consultation", received).deadline), "2026-10-10T23:59:59+08:00");
  // 7: ... 10-10 (3), 10-12 (4), 10-13 (5), 10-14 (6), 10-15 (7).
  EXPECT_EQ(text(normal("help", received).deadline), "2026-10-15T23:59:59+08:00");
  EXPECT_EQ(text(normal("suggestion", received).deadline), "2026-10-15T23:59:59+08:00");
  // 15: 10-27, as above.
  EXPECT_EQ(text(normal("complaint", received).deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_EQ(text(normal("report", received).deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_EQ(text(normal("other", received).deadline), "2026-10-27T23:59:59+08:00");
  // 20: 10-27 (15), 10-28 (16), 10-29 (17), 10-30 (18), 11-02 (19), 11-03 (20).
  EXPECT_EQ(text(normal("disclosure", received).deadline), "2026-11-03T23:59:59+08:00");
  // A kind code the policy does not list counts as "other".
  const auto unknown = normal("gibberish", received);
  EXPECT_EQ(text(unknown.deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_EQ(unknown.policy, "other: 15 working days");

  const auto praise = normal("praise", received);
  EXPECT_FALSE(praise.deadline.has_value());
  EXPECT_FALSE(praise.policy_deadline.has_value());
  EXPECT_EQ(praise.policy, "praise: no deadline");
  EXPECT_EQ(praise.explain(), "praise: no deadline.");
}

TEST(Deadline, UrgentAndCritical) {
  const auto received = china(2026y / 9 / 30, 15, 0);
  // Urgent: 1 working day; the first after 09-30 is 10-08.
  const auto urgent =
      compute_deadline(shipped(), DeadlinePolicy{}, "complaint", "urgent", received, {});
  EXPECT_EQ(text(urgent.deadline), "2026-10-08T23:59:59+08:00");
  EXPECT_EQ(urgent.policy, "urgent: 1 working day");
  // Critical: the end of the day of receipt.
  const auto critical =
      compute_deadline(shipped(), DeadlinePolicy{}, "complaint", "critical", received, {});
  EXPECT_EQ(text(critical.deadline), "2026-09-30T23:59:59+08:00");
  EXPECT_EQ(critical.policy, "critical: same day");
  EXPECT_EQ(critical.policy_days, 0);
  EXPECT_TRUE(critical.skipped_days.empty());
  EXPECT_EQ(critical.explain(),
            "critical: same day as received on 2026-09-30: due 2026-09-30T23:59:59+08:00.");
  // Critical on a holiday is still the same day: 10-03 is off.
  EXPECT_EQ(text(compute_deadline(shipped(), DeadlinePolicy{}, "help", "critical",
                                  china(2026y / 10 / 3), {})
                     .deadline),
            "2026-10-03T23:59:59+08:00");
  // Urgency gives praise no deadline.
  EXPECT_FALSE(compute_deadline(shipped(), DeadlinePolicy{}, "praise", "critical", received, {})
                   .deadline.has_value());
}

TEST(Deadline, ReceivedOnAPlainSaturday) {
  // Sat 2026-11-14: Sun 11-15 skipped, 11-16 (1), 11-17 (2), 11-18 (3).
  const auto c = normal("consultation", china(2026y / 11 / 14));
  EXPECT_EQ(text(c.deadline), "2026-11-18T23:59:59+08:00");
  EXPECT_EQ(c.skipped_days, std::vector<year_month_day>{2026y / 11 / 15});
}

TEST(Deadline, ReceivedOnASaturdayBeforeAMakeUpSunday) {
  // Sat 2026-09-19: Sun 09-20 is a make-up working day (1), 09-21 (2), 09-22 (3).
  const auto c = normal("consultation", china(2026y / 9 / 19));
  EXPECT_EQ(text(c.deadline), "2026-09-22T23:59:59+08:00");
  EXPECT_TRUE(c.skipped_days.empty());
}

TEST(Deadline, ReceivedOnAMakeUpWorkingDay) {
  // Sat 2026-10-10 is a working day, but the day of receipt never counts: Sun 10-11 off,
  // 10-12..16 (1-5), 10-19 (6), 10-20 (7).
  const auto c = normal("help", china(2026y / 10 / 10));
  EXPECT_EQ(text(c.deadline), "2026-10-20T23:59:59+08:00");
  EXPECT_EQ(c.skipped_days,
            (std::vector<year_month_day>{2026y / 10 / 11, 2026y / 10 / 17, 2026y / 10 / 18}));
}

TEST(Deadline, ReceivedOnAHoliday) {
  // Sat 2026-10-03 (国庆节): 10-04..07 off, 10-08 (1), 10-09 (2), Sat 10-10 make-up (3).
  EXPECT_EQ(text(normal("consultation", china(2026y / 10 / 3)).deadline),
            "2026-10-10T23:59:59+08:00");
  // Mon 2026-02-16 (春节): 02-17..23 off, 02-24..27 (1-4), Sat 02-28 make-up (5), Sun 03-01 off,
  // 03-02..06 (6-10), 03-09..13 (11-15).
  const auto c = normal("complaint", china(2026y / 2 / 16));
  EXPECT_EQ(text(c.deadline), "2026-03-13T23:59:59+08:00");
  EXPECT_EQ(c.skipped_days.size(), 10u);  // 02-17..23, 03-01, 03-07, 03-08
}

TEST(Deadline, The2025Data) {
  // Tue 2025-09-30: 10-01..08 off, 10-09 (1), 10-10 (2), Sat 10-11 make-up (3), Sun 10-12 off,
  // 10-13..17 (4-8), 10-20..24 (9-13), 10-27 (14), 10-28 (15).
  EXPECT_EQ(text(normal("report", china(2025y / 9 / 30)).deadline), "2025-10-28T23:59:59+08:00");
  // Fri 2025-09-26: Sat 09-27 off, Sun 09-28 make-up (1), 09-29 (2), 09-30 (3).
  EXPECT_EQ(text(normal("consultation", china(2025y / 9 / 26)).deadline),
            "2025-09-30T23:59:59+08:00");
  // Across the new year, Tue 2025-12-30: 12-31 (1), 2026-01-01..03 off, Sun 01-04 make-up (2),
  // Mon 01-05 (3).
  EXPECT_EQ(text(normal("consultation", china(2025y / 12 / 30)).deadline),
            "2026-01-05T23:59:59+08:00");
}

TEST(Deadline, EarlierChannelDeadlineWins) {
  // Policy: 2026-10-27 (complaint from 09-30); the channel says 10-20 18:00.
  const auto channel = rfc3339("2026-10-20T18:00:00+08:00");
  const auto c = normal("complaint", china(2026y / 9 / 30), channel);
  EXPECT_EQ(c.deadline, channel);
  EXPECT_TRUE(c.channel_deadline_won);
  EXPECT_EQ(text(c.policy_deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_EQ(c.explain(),
            "complaint: 15 working days after receipt on 2026-09-30, 12 non-working days skipped: "
            "due 2026-10-27T23:59:59+08:00; the channel's deadline 2026-10-20T18:00:00+08:00 is "
            "earlier and binding.");
}

TEST(Deadline, LaterOrEqualChannelDeadlineLoses) {
  const auto later =
      normal("complaint", china(2026y / 9 / 30), rfc3339("2026-11-10T23:59:59+08:00"));
  EXPECT_EQ(text(later.deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_FALSE(later.channel_deadline_won);
  EXPECT_EQ(text(later.channel_deadline), "2026-11-10T23:59:59+08:00");

  const auto equal =
      normal("complaint", china(2026y / 9 / 30), rfc3339("2026-10-27T23:59:59+08:00"));
  EXPECT_EQ(text(equal.deadline), "2026-10-27T23:59:59+08:00");
  EXPECT_FALSE(equal.channel_deadline_won);
}

TEST(Deadline, ChannelDeadlineBindsEvenWithoutPolicyDeadline) {
  const auto c = normal("praise", china(2026y / 9 / 30), rfc3339("2026-10-09T23:59:59+08:00"));
  EXPECT_EQ(text(c.deadline), "2026-10-09T23:59:59+08:00");
  EXPECT_TRUE(c.channel_deadline_won);
}

TEST(Deadline, TheDayOfReceiptIsTheLocalDate) {
  // Tue 2026-11-17 23:30 local (15:30 UTC): 11-18 (1), 11-19 (2), 11-20 (3).
  const auto evening = normal("consultation", china(2026y / 11 / 17, 23, 30));
  EXPECT_EQ(evening.received_date, 2026y / 11 / 17);
  EXPECT_EQ(text(evening.deadline), "2026-11-20T23:59:59+08:00");
  // Wed 2026-11-18 00:10 local, still 11-17 16:10 in UTC: 11-19 (1), 11-20 (2), Mon 11-23 (3).
  const auto after_midnight = rfc3339("2026-11-17T16:10:00Z");
  EXPECT_EQ(after_midnight, china(2026y / 11 / 18, 0, 10));
  const auto c = normal("consultation", after_midnight);
  EXPECT_EQ(c.received_date, 2026y / 11 / 18);
  EXPECT_EQ(text(c.deadline), "2026-11-23T23:59:59+08:00");
}

TEST(Deadline, YearWithoutDataFallsBackToWeekendsAndSaysSo) {
  // Mon 2026-12-28: 12-29 (1), 12-30 (2), 12-31 (3), Fri 2027-01-01 (4: no 2027 data, so 元旦 is
  // a working day), 01-04..08 (5-9), 01-11..15 (10-14), 01-18 (15).
  const auto c = normal("complaint", china(2026y / 12 / 28));
  EXPECT_EQ(text(c.deadline), "2027-01-18T23:59:59+08:00");
  EXPECT_EQ(c.uncovered_years, std::vector<int>{2027});
  EXPECT_EQ(c.explain(),
            "complaint: 15 working days after receipt on 2026-12-28, 6 non-working days skipped: "
            "due 2027-01-18T23:59:59+08:00 (no holiday data for 2027: weekends only).");
  // Fri 2027-02-05: 02-06/07 weekend, 02-08 (1), 02-09 (2), 02-10 (3).
  const auto spring = normal("consultation", china(2027y / 2 / 5));
  EXPECT_EQ(text(spring.deadline), "2027-02-10T23:59:59+08:00");
  EXPECT_EQ(spring.uncovered_years, std::vector<int>{2027});

  // Once an administrator lists 2027-01-01 off, it no longer counts: one day later, 01-19.
  auto cal = shipped();
  cal.add_day({2027y / 1 / 1, true, "元旦"});
  EXPECT_EQ(text(compute_deadline(cal, DeadlinePolicy{}, "complaint", "normal",
                                  china(2026y / 12 / 28), {})
                     .deadline),
            "2027-01-19T23:59:59+08:00");
}

TEST(Deadline, ExtensionAddsWorkingDays) {
  // 2026-10-27 + 15: 10-28..30 (1-3), 11-02..06 (4-8), 11-09..13 (9-13), 11-16 (14), 11-17 (15).
  EXPECT_EQ(text(extend_deadline(shipped(), rfc3339("2026-10-27T23:59:59+08:00"), 15)),
            "2026-11-17T23:59:59+08:00");
  // A disclosure due 2026-11-03, extended once by 20: 11-04..06 (1-3), 11-09..13 (4-8),
  // 11-16..20 (9-13), 11-23..27 (14-18), 11-30 (19), 12-01 (20).
  EXPECT_EQ(text(extend_deadline(shipped(), rfc3339("2026-11-03T23:59:59+08:00"), 20)),
            "2026-12-01T23:59:59+08:00");
  // Over the holiday: 2026-09-29 + 3: 09-30 (1), 10-08 (2), 10-09 (3).
  EXPECT_EQ(text(extend_deadline(shipped(), rfc3339("2026-09-29T23:59:59+08:00"), 3)),
            "2026-10-09T23:59:59+08:00");
  // A channel deadline at 18:00 moves to the end of the later day: 10-20 + 5 = 10-27.
  EXPECT_EQ(text(extend_deadline(shipped(), rfc3339("2026-10-20T18:00:00+08:00"), 5)),
            "2026-10-27T23:59:59+08:00");
  EXPECT_THROW(extend_deadline(shipped(), rfc3339("2026-10-20T18:00:00+08:00"), -1),
               std::invalid_argument);
}

TEST(Deadline, OverdueWorkingDays) {
  // A complaint from 2026-09-30 is due 10-27; on 11-03 it is 5 working days overdue (10-28,
  // 10-29, 10-30, 11-02, 11-03): time for the public note (通报).
  const auto c = normal("complaint", china(2026y / 9 / 30));
  const auto now = china(2026y / 11 / 3, 9, 0);
  EXPECT_EQ(shipped().working_days_between(china_date(*c.deadline), china_date(now)), 5);
}

TEST(Deadline, PolicyIsData) {
  DeadlinePolicy policy;
  policy.days_by_kind["complaint"] = 10;
  // 10: 10-08 (1), 10-09 (2), 10-10 (3), 10-12..16 (4-8), 10-19 (9), 10-20 (10).
  EXPECT_EQ(
      text(compute_deadline(shipped(), policy, "complaint", "normal", china(2026y / 9 / 30), {})
               .deadline),
      "2026-10-20T23:59:59+08:00");
  // An urgency never lengthens a kind's limit.
  policy.days_by_urgency["urgent"] = 5;
  const auto c =
      compute_deadline(shipped(), policy, "consultation", "urgent", china(2026y / 9 / 30), {});
  EXPECT_EQ(c.policy, "consultation: 3 working days");
  EXPECT_EQ(text(c.deadline), "2026-10-10T23:59:59+08:00");

  policy.days_by_kind.erase("other");
  EXPECT_THROW(
      compute_deadline(shipped(), policy, "gibberish", "normal", china(2026y / 9 / 30), {}),
      std::invalid_argument);
}

}  // namespace
}  // namespace appealhub::core
