// Which supervision steps a deadline has reached, on the real 2026 calendar.

#include "router/deadline_watch.hpp"

#include <gtest/gtest.h>

#include "config/holidays.hpp"
#include "core/deadline.hpp"
#include "core/time.hpp"

namespace appealhub::router {
namespace {

using Steps = std::vector<DeadlineStep>;

class StepsReached : public ::testing::Test {
 protected:
  StepsReached() : calendar_(*config::load_holidays(config::shipped_holidays_path()).calendar) {}

  static std::chrono::sys_seconds at(const char* rfc3339) {
    return std::chrono::time_point_cast<std::chrono::seconds>(core::parse_rfc3339(rfc3339)->utc);
  }
  Steps steps(const char* deadline, const char* now) {
    return steps_reached(calendar_, at(deadline), at(now), options_);
  }

  core::WorkingCalendar calendar_;
  DeadlineWatchOptions options_;
};

// Deadline Tuesday 2026-10-27 (a complaint received 2026-09-30).
TEST_F(StepsReached, NothingWhileMoreThanOneWorkingDayIsLeft) {
  EXPECT_EQ(steps("2026-10-27T23:59:59+08:00", "2026-10-23T10:00:00+08:00"), Steps{});
}

TEST_F(StepsReached, DueSoonOnTheWorkingDayBefore) {
  EXPECT_EQ(steps("2026-10-27T23:59:59+08:00", "2026-10-26T09:00:00+08:00"),
            Steps{DeadlineStep::due_soon});
}

TEST_F(StepsReached, WeekendBeforeAMondayDeadlineCountsAsOneWorkingDayLeft) {
  // Deadline Monday 2026-11-16; on Saturday the 14th only Monday itself is left.
  EXPECT_EQ(steps("2026-11-16T23:59:59+08:00", "2026-11-14T12:00:00+08:00"),
            Steps{DeadlineStep::due_soon});
}

TEST_F(StepsReached, UrgeOnTheDeadlineDay) {
  EXPECT_EQ(steps("2026-10-27T23:59:59+08:00", "2026-10-27T08:30:00+08:00"),
            (Steps{DeadlineStep::due_soon, DeadlineStep::urge}));
}

TEST_F(StepsReached, OverdueJustAfterMidnight) {
  EXPECT_EQ(steps("2026-10-27T23:59:59+08:00", "2026-10-28T00:00:01+08:00"),
            (Steps{DeadlineStep::due_soon, DeadlineStep::overdue, DeadlineStep::notice}));
}

TEST_F(StepsReached, NoticeWaitsForTheNextWorkingDay) {
  // Deadline Wednesday 2026-09-30; 10-01..07 are the National Day holiday.
  EXPECT_EQ(steps("2026-09-30T23:59:59+08:00", "2026-10-03T10:00:00+08:00"),
            (Steps{DeadlineStep::due_soon, DeadlineStep::overdue}));
  EXPECT_EQ(steps("2026-09-30T23:59:59+08:00", "2026-10-08T10:00:00+08:00"),
            (Steps{DeadlineStep::due_soon, DeadlineStep::overdue, DeadlineStep::notice}));
}

TEST_F(StepsReached, PublicNoteAtFiveWorkingDaysOverdue) {
  // 2026-10-27 + 5 working days = Tuesday 2026-11-03.
  EXPECT_EQ(steps("2026-10-27T23:59:59+08:00", "2026-11-02T10:00:00+08:00").size(), 3u);
  EXPECT_EQ(steps("2026-10-27T23:59:59+08:00", "2026-11-03T10:00:00+08:00"),
            (Steps{DeadlineStep::due_soon, DeadlineStep::overdue, DeadlineStep::notice,
                   DeadlineStep::public_note}));
}

}  // namespace
}  // namespace appealhub::router
