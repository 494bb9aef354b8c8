// The deadline watch against PostgreSQL: steps written once per deadline, re-armed by a new one.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "config/holidays.hpp"
#include "core/time.hpp"
#include "router/deadline_watch.hpp"
#include "storage/advisory_locks.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

std::chrono::sys_seconds at(const char* rfc3339) {
  return std::chrono::time_point_cast<std::chrono::seconds>(core::parse_rfc3339(rfc3339)->utc);
}

TEST(DeadlineWatchStore, StepsAreWrittenOnceAndAnExtendedDeadlineArmsThemAgain) {
  testing::TestDatabase db("deadline_watch");
  {
    auto c = storage::connect({db.uri()});
    pqxx::work txn(*c);
    txn.exec(
        "INSERT INTO tickets (channel, external_id, status, kind, category, urgency, title,"
        " received_at, deadline, appeal, lead_department) VALUES"
        " ('mailbox', 'L1', 'assigned', 'complaint', 'taxi', 'normal', 't', now(),"
        "  '2026-10-27T23:59:59+08:00', '{}', 'zfzd'),"
        " ('mailbox', 'L2', 'answered', 'complaint', 'taxi', 'normal', 't', now(),"
        "  '2026-10-27T23:59:59+08:00', '{}', 'zfzd')");
    txn.commit();
  }
  auto calendar = std::make_shared<const core::WorkingCalendar>(
      *config::load_holidays(config::shipped_holidays_path()).calendar);
  DeadlineWatch watch({db.uri()}, [&] { return calendar; });

  {
    // Another process's watch holds the lock: this one writes nothing.
    auto other = storage::connect({db.uri()});
    const storage::SessionLock held(*other, DeadlineWatch::kLockKey);
    ASSERT_TRUE(held.held());
    EXPECT_EQ(watch.run_once(at("2026-10-28T09:00:00+08:00")), 0u);
  }
  EXPECT_EQ(watch.run_once(at("2026-10-28T09:00:00+08:00")), 3u);  // due_soon, overdue, notice
  EXPECT_EQ(db.scalar("SELECT data->>'department' FROM ticket_events ORDER BY id LIMIT 1"), "zfzd");
  EXPECT_EQ(watch.run_once(at("2026-10-28T15:00:00+08:00")), 0u);  // nothing new
  EXPECT_EQ(watch.run_once(at("2026-11-03T09:00:00+08:00")), 1u);  // public note
  EXPECT_EQ(db.scalar("SELECT string_agg(type, ',' ORDER BY id) FROM ticket_events"),
            "sla.due_soon,sla.overdue,sla.notice,sla.public_note");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ticket_events t JOIN tickets k ON k.id = t.ticket_id"
                      " WHERE k.external_id = 'L2'"),
            "0")
      << "an answered ticket is not watched";

  // An approved extension moves the deadline: the steps apply to the new one afresh.
  db.exec("UPDATE tickets SET deadline = '2026-11-17T23:59:59+08:00' WHERE external_id = 'L1'");
  EXPECT_EQ(watch.run_once(at("2026-11-17T09:00:00+08:00")), 2u);  // due_soon, urge
}

}  // namespace
}  // namespace appealhub::router
