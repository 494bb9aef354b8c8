// The statistics against a recount: 5,000 tickets with known histories (tests/support/
// stats_seed.hpp) across the 2025–2026 holidays and make-up days; every figure is computed a
// second way here, in C++, from the raw rows (tickets, ticket_events, reply_ledger) with
// core's working-time arithmetic, and compared with storage/statistics.hpp's. Needs PostgreSQL.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "config/holidays.hpp"
#include "core/deadline.hpp"
#include "core/working_time.hpp"
#include "storage/database.hpp"
#include "storage/deadline_steps.hpp"
#include "storage/statistics.hpp"
#include "tests/support/stats_seed.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::storage {
namespace {

using std::chrono::sys_seconds;
using std::chrono::year_month_day;
using namespace std::chrono_literals;

core::WorkingCalendar shipped() {
  const auto load = config::load_holidays(config::shipped_holidays_path());
  for (const auto& e : load.errors) ADD_FAILURE() << e.to_string();
  return load.calendar.value_or(core::WorkingCalendar{});
}

sys_seconds secs(long long s) {
  return sys_seconds{std::chrono::seconds{s}};
}

// ---- the recount -------------------------------------------------------------------------------

struct RawEvent {
  std::int64_t id;
  std::string type;
  sys_seconds at;
  nlohmann::json data;
};
struct RawTicket {
  std::int64_t id;
  std::string department, channel, kind, category, division, status;
  sys_seconds received;
  std::optional<sys_seconds> deadline;
  std::optional<int> policy_days;
  std::vector<RawEvent> events;  // in id order
  std::vector<sys_seconds> failures;
};

std::vector<RawTicket> load(pqxx::connection& c) {
  pqxx::read_transaction txn(c);
  std::map<std::int64_t, RawTicket> by_id;
  for (const auto& r : txn.exec(
           "SELECT id, coalesce(lead_department, ''), channel, kind, category, division, status,"
           " extract(epoch FROM received_at)::bigint, extract(epoch FROM deadline)::bigint,"
           " deadline_basis->>'policy_days' FROM tickets")) {
    RawTicket t;
    t.id = r[0].as<std::int64_t>();
    t.department = r[1].as<std::string>();
    t.channel = r[2].as<std::string>();
    t.kind = r[3].as<std::string>();
    t.category = r[4].as<std::string>();
    t.division = r[5].as<std::string>();
    t.status = r[6].as<std::string>();
    t.received = secs(r[7].as<long long>());
    if (!r[8].is_null()) t.deadline = secs(r[8].as<long long>());
    if (!r[9].is_null()) t.policy_days = r[9].as<int>();
    by_id[t.id] = std::move(t);
  }
  for (const auto& r :
       txn.exec("SELECT ticket_id, id, type, extract(epoch FROM occurred_at)::bigint,"
                " data::text FROM ticket_events ORDER BY id")) {
    by_id[r[0].as<std::int64_t>()].events.push_back(
        {r[1].as<std::int64_t>(), r[2].as<std::string>(), secs(r[3].as<long long>()),
         nlohmann::json::parse(r[4].as<std::string>())});
  }
  for (const auto& r : txn.exec("SELECT ticket_id, extract(epoch FROM failed_at)::bigint FROM"
                                " reply_ledger WHERE state = 'failed'")) {
    by_id[r[0].as<std::int64_t>()].failures.push_back(secs(r[1].as<long long>()));
  }
  std::vector<RawTicket> out;
  for (auto& [id, t] : by_id) out.push_back(std::move(t));
  return out;
}

std::string date_of(sys_seconds t, const std::string& dimension) {
  const auto d = core::china_date(t);
  char text[48];
  if (dimension == "month") {
    std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()));
  } else if (dimension == "week") {
    // ISO week: the Thursday of the week decides the year.
    const std::chrono::sys_days day{d};
    const auto weekday = std::chrono::weekday{day}.iso_encoding();  // 1 = Monday
    const auto thursday = day + std::chrono::days{4 - static_cast<int>(weekday)};
    const year_month_day ty{thursday};
    const std::chrono::sys_days jan1{ty.year() / 1 / 1};
    const int week = static_cast<int>((thursday - jan1).count() / 7 + 1);
    std::snprintf(text, sizeof text, "%04d-W%02d", static_cast<int>(ty.year()), week);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  }
  return text;
}

bool is_reopening(const RawEvent& e) {
  return e.type == "appeal.followed_up" ||
         (e.type == "appeal.rated" && e.data.value("rating", "") == "dissatisfied") ||
         (e.type == "callback.recorded" && e.data["satisfaction"] == "not_satisfied");
}

struct Expect {
  std::map<std::vector<std::string>, Figures> rows;
  Figures total;
  // Answer times per key, to take percentiles at the end: {working, calendar} seconds.
  std::map<std::vector<std::string>, std::vector<std::int64_t>> first_w, first_c, final_w, final_c;
};

std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t> v, int percent) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const auto n = static_cast<std::int64_t>(v.size());
  const auto rank = (percent * n + 99) / 100;  // ⌈p·N⌉
  return v[static_cast<std::size_t>(std::max<std::int64_t>(rank, 1) - 1)];
}

Expect recount(const std::vector<RawTicket>& tickets, const StatsQuery& q,
               const core::WorkingCalendar& calendar, sys_seconds now) {
  Expect out;
  const auto in = [](const std::vector<std::string>& filter, const std::string& v) {
    return filter.empty() || std::find(filter.begin(), filter.end(), v) != filter.end();
  };
  const std::chrono::sys_days from{q.from}, to{q.to};
  const auto in_period = [&](sys_seconds t) {
    const std::chrono::sys_days d{core::china_date(t)};
    return d >= from && d <= to;
  };
  static const std::vector<std::vector<std::int64_t>*> none;
  for (const auto& t : tickets) {
    if (!in(q.departments, t.department) || !in(q.channels, t.channel) || !in(q.kinds, t.kind) ||
        !in(q.categories, t.category) || !in(q.divisions, t.division)) {
      continue;
    }
    const auto key_at = [&](sys_seconds anchor) {
      std::vector<std::string> key;
      for (const auto& d : q.group_by) {
        if (d == "department")
          key.push_back(t.department);
        else if (d == "channel")
          key.push_back(t.channel);
        else if (d == "kind")
          key.push_back(t.kind);
        else if (d == "category")
          key.push_back(t.category);
        else if (d == "division")
          key.push_back(t.division);
        else
          key.push_back(date_of(anchor, d));
      }
      return key;
    };
    // Applies `f` to the row of `anchor` and to the total, when the anchor is in the period.
    const auto count = [&](sys_seconds anchor, auto f) {
      if (!in_period(anchor)) return;
      const auto key = key_at(anchor);
      if (!q.group_by.empty()) f(out.rows[key], key);
      f(out.total, std::vector<std::string>{"*"});
    };
    const bool is_ticket = t.status != "merged";
    std::optional<sys_seconds> first, final, withdrawn;
    bool called_back = false;
    for (const auto& e : t.events) {
      if ((e.type == "answer.interim" || e.type == "answer.final") && (!first || e.at < *first))
        first = e.at;
      if (e.type == "answer.final" && (!final || e.at < *final)) final = e.at;
      if (e.type == "appeal.withdrawn" && (!withdrawn || e.at < *withdrawn)) withdrawn = e.at;
      if (e.type == "callback.recorded") called_back = true;
    }
    std::optional<sys_seconds> due;
    if (t.status != "merged" && t.status != "spam" && t.status != "reassigned_out" &&
        t.kind != "praise" && t.deadline && (!withdrawn || *withdrawn > *t.deadline)) {
      due = t.deadline;
    }
    const bool open = t.status == "received" || t.status == "triage" || t.status == "assigned" ||
                      t.status == "in_progress" || t.status == "returned" || t.status == "reopened";
    // 重办: the first reopening event after the first final answer, by time then id.
    const RawEvent* reopen = nullptr;
    if (final) {
      for (const auto& e : t.events) {
        if (e.at > *final && is_reopening(e) &&
            (!reopen || e.at < reopen->at || (e.at == reopen->at && e.id < reopen->id))) {
          reopen = &e;
        }
      }
    }
    count(t.received, [&](Figures& f, const auto&) {
      ++f.received;
      if (!is_ticket) return;
      ++f.tickets;
      if (t.kind == "consultation") {
        ++f.consultations;
        if (final && *final - t.received <= std::chrono::minutes{q.instant_answer_minutes})
          ++f.instant_answers;
      }
    });
    if (!is_ticket) continue;
    if (due) {
      count(*due, [&](Figures& f, const auto&) {
        ++f.due;
        if (final && *final <= *due) ++f.on_time;
        if (open && *due < now) ++f.overdue_now;
      });
    }
    const auto working = [&](sys_seconds a, sys_seconds b) {
      return static_cast<std::int64_t>(core::working_time_between(calendar, a, b).count());
    };
    const auto calendar_s = [&](sys_seconds a, sys_seconds b) {
      return std::max<std::int64_t>(0, (b - a).count());
    };
    if (first) {
      count(*first, [&](Figures& f, const auto& key) {
        ++f.first_answers;
        out.first_w[key].push_back(working(t.received, *first));
        out.first_c[key].push_back(calendar_s(t.received, *first));
      });
    }
    if (final) {
      count(*final, [&](Figures& f, const auto& key) {
        ++f.final_answers;
        if (called_back) ++f.callbacks;
        out.final_w[key].push_back(working(t.received, *final));
        out.final_c[key].push_back(calendar_s(t.received, *final));
      });
    }
    if (reopen) {
      count(reopen->at, [&](Figures& f, const auto&) { ++f.reopened; });
      if (due && t.policy_days) {
        const auto day = core::china_date(reopen->at);
        const auto reopen_due =
            core::end_of_china_day(calendar.add_working_days(day, *t.policy_days));
        std::optional<sys_seconds> second;
        for (const auto& e : t.events) {
          if (e.type == "answer.final" && e.id > reopen->id && (!second || e.at < *second))
            second = e.at;
        }
        count(reopen_due, [&](Figures& f, const auto&) {
          ++f.reopened_due;
          if (second && *second <= reopen_due) ++f.reopened_on_time;
        });
      }
    }
    // Dated activity.
    for (const auto& e : t.events) {
      if (e.type == "return.requested") count(e.at, [](Figures& f, const auto&) { ++f.returns; });
      if (e.type == "extension.requested")
        count(e.at, [](Figures& f, const auto&) { ++f.extensions_asked; });
      if (e.type == "extension.approved")
        count(e.at, [](Figures& f, const auto&) { ++f.extensions_approved; });
    }
    for (const auto& at : t.failures)
      count(at, [](Figures& f, const auto&) { ++f.delivery_failures; });
    // The latest valid rating and the latest valid callback of each round.
    for (int round = 1; round <= 2; ++round) {
      const RawEvent* rating = nullptr;
      const RawEvent* callback = nullptr;
      for (const auto& e : t.events) {
        const int r = reopen && e.id > reopen->id ? 2 : 1;
        if (r != round) continue;
        const auto later = [&](const RawEvent* than) {
          return !than || e.at > than->at || (e.at == than->at && e.id > than->id);
        };
        const bool valid_rating =
            (e.type == "appeal.rated" && e.data.contains("rating") &&
             e.data["rating"].is_string()) ||
            (e.type == "callback.recorded" && e.data["satisfaction"].is_string());
        if (valid_rating && later(rating)) rating = &e;
        if (e.type == "callback.recorded" && e.data["reached"] == true &&
            e.data["resolved"].is_boolean() && later(callback)) {
          callback = &e;
        }
      }
      if (rating) {
        const auto value = rating->type == "appeal.rated"
                               ? rating->data["rating"].get<std::string>()
                               : rating->data["satisfaction"].get<std::string>();
        count(rating->at, [&](Figures& f, const auto&) {
          ++f.valid_ratings;
          if (value == "satisfied" || value == "mostly_satisfied") ++f.satisfied;
        });
      }
      if (callback) {
        const bool resolved = callback->data["resolved"].get<bool>();
        count(callback->at, [&](Figures& f, const auto&) {
          ++f.valid_callbacks;
          if (resolved) ++f.resolved;
        });
      }
    }
  }
  const auto times = [&](const std::vector<std::string>& key, Figures& f) {
    f.first_answer.working = {nearest_rank(out.first_w[key], 50),
                              nearest_rank(out.first_w[key], 90)};
    f.first_answer.calendar = {nearest_rank(out.first_c[key], 50),
                               nearest_rank(out.first_c[key], 90)};
    f.final_answer.working = {nearest_rank(out.final_w[key], 50),
                              nearest_rank(out.final_w[key], 90)};
    f.final_answer.calendar = {nearest_rank(out.final_c[key], 50),
                               nearest_rank(out.final_c[key], 90)};
  };
  for (auto& [key, f] : out.rows) times(key, f);
  times({"*"}, out.total);
  return out;
}

std::string show(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

void expect_equal(const Figures& want, const Figures& got, const std::string& where) {
#define SAME(field) EXPECT_EQ(want.field, got.field) << where << " " #field
  SAME(received);
  SAME(tickets);
  SAME(due);
  SAME(on_time);
  SAME(overdue_now);
  SAME(first_answers);
  SAME(final_answers);
  SAME(returns);
  SAME(extensions_asked);
  SAME(extensions_approved);
  SAME(reopened);
  SAME(reopened_due);
  SAME(reopened_on_time);
  SAME(callbacks);
  SAME(valid_ratings);
  SAME(satisfied);
  SAME(resolved);
  SAME(valid_callbacks);
  SAME(consultations);
  SAME(instant_answers);
  SAME(delivery_failures);
#undef SAME
#define SAME_TIME(field) EXPECT_EQ(show(want.field), show(got.field)) << where << " " #field
  SAME_TIME(first_answer.working.median);
  SAME_TIME(first_answer.working.p90);
  SAME_TIME(first_answer.calendar.median);
  SAME_TIME(first_answer.calendar.p90);
  SAME_TIME(final_answer.working.median);
  SAME_TIME(final_answer.working.p90);
  SAME_TIME(final_answer.calendar.median);
  SAME_TIME(final_answer.calendar.p90);
#undef SAME_TIME
}

class StatisticsTest : public ::testing::Test {
 protected:
  StatisticsTest() : db_("statistics"), connection_(connect({db_.uri()})), calendar_(shipped()) {}

  static StatsQuery query(std::string from, std::string to, std::vector<std::string> group_by) {
    const auto date = [](const std::string& s) {
      return year_month_day{std::chrono::year{std::stoi(s.substr(0, 4))},
                            std::chrono::month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                            std::chrono::day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
    };
    StatsQuery q;
    q.from = date(from);
    q.to = date(to);
    q.group_by = std::move(group_by);
    return q;
  }

  // Compares the store's summary with the recount; returns the number of rows compared.
  std::size_t compare(const StatsQuery& q) {
    refresh_statistics(*connection_, calendar_);
    const auto want = recount(load_cached(), q, calendar_, now_);
    pqxx::read_transaction txn(*connection_);
    const auto got = statistics_summary(txn, q, now_);
    std::map<std::vector<std::string>, Figures> got_rows;
    for (const auto& r : got.rows) {
      std::vector<std::string> key;
      for (const auto& [d, v] : r.key) key.push_back(v);
      got_rows[key] = r.figures;
    }
    EXPECT_EQ(got_rows.size(), want.rows.size());
    for (const auto& [key, f] : want.rows) {
      std::string where = "row";
      for (const auto& k : key) where += " " + k;
      const auto it = got_rows.find(key);
      if (it == got_rows.end()) {
        ADD_FAILURE() << where << " missing";
        continue;
      }
      expect_equal(f, it->second, where);
    }
    expect_equal(want.total, got.total, "total");
    return want.rows.size();
  }

  const std::vector<RawTicket>& load_cached() {
    if (!raw_) raw_ = load(*connection_);
    return *raw_;
  }

  testing::TestDatabase db_;
  std::unique_ptr<pqxx::connection> connection_;
  core::WorkingCalendar calendar_;
  std::optional<std::vector<RawTicket>> raw_;
  const sys_seconds now_ =
      core::end_of_china_day(
          year_month_day{std::chrono::year{2026}, std::chrono::December, std::chrono::day{6}}) -
      12h;
};

TEST_F(StatisticsTest, EveryFigureEqualsARecountFromTheEventRows) {
  testing::seed_statistics(*connection_, calendar_, 5000, 16);
  // Enough of every history to make the comparison mean something.
  const auto total = [&] {
    refresh_statistics(*connection_, calendar_);
    pqxx::read_transaction txn(*connection_);
    return statistics_summary(txn, query("2025-01-01", "2027-12-31", {}), now_).total;
  }();
  EXPECT_GE(total.received, 5000);
  EXPECT_GT(total.tickets, 4000);
  EXPECT_LT(total.tickets, total.received);  // merged appeals
  EXPECT_GT(total.due, 3000);
  EXPECT_GT(total.on_time, 1000);
  EXPECT_GT(total.due - total.on_time, 500);  // late or unanswered
  EXPECT_GT(total.overdue_now, 10);
  EXPECT_GT(total.extensions_approved, 100);
  EXPECT_GT(total.returns, 100);
  EXPECT_GT(total.reopened, 100);
  EXPECT_GT(total.reopened_due, 50);
  EXPECT_GT(total.reopened_on_time, 10);
  EXPECT_GT(total.valid_ratings, 1000);
  EXPECT_GT(total.valid_callbacks, 500);
  EXPECT_GT(total.instant_answers, 50);
  EXPECT_GT(total.delivery_failures, 50);

  EXPECT_EQ(compare(query("2025-01-01", "2027-12-31", {"department"})), 6u);
  EXPECT_GT(compare(query("2026-09-01", "2026-10-31", {"month", "channel"})), 7u);
  EXPECT_GT(compare(query("2025-09-20", "2025-10-20", {"day"})), 25u);
  EXPECT_GT(compare(query("2025-12-01", "2026-03-10", {"week", "kind"})), 40u);
  EXPECT_GT(compare(query("2025-01-01", "2026-12-31", {"category", "division"})), 8u);
  auto filtered = query("2026-01-01", "2026-12-31", {"department", "month"});
  filtered.departments = {"zfzd", "lzq"};
  filtered.kinds = {"consultation", "complaint"};
  filtered.channels = {"hotline12328", "petition", "mailbox"};
  EXPECT_GT(compare(filtered), 10u);
  EXPECT_EQ(compare(query("2026-10-01", "2026-10-07", {})), 0u);

  // The ranking's lighter read gives the same figures it reads.
  auto light = query("2025-06-01", "2026-06-30", {"department"});
  const auto full = [&] {
    pqxx::read_transaction txn(*connection_);
    return statistics_summary(txn, light, now_);
  }();
  light.on_time_and_activity_only = true;
  pqxx::read_transaction txn(*connection_);
  const auto part = statistics_summary(txn, light, now_);
  ASSERT_EQ(part.rows.size(), full.rows.size());
  for (std::size_t i = 0; i < part.rows.size(); ++i) {
    EXPECT_EQ(part.rows[i].key, full.rows[i].key);
    EXPECT_EQ(part.rows[i].figures.due, full.rows[i].figures.due);
    EXPECT_EQ(part.rows[i].figures.on_time, full.rows[i].figures.on_time);
    EXPECT_EQ(part.rows[i].figures.valid_ratings, full.rows[i].figures.valid_ratings);
    EXPECT_EQ(part.rows[i].figures.satisfied, full.rows[i].figures.satisfied);
    EXPECT_EQ(part.rows[i].figures.received, 0);
  }
}

TEST_F(StatisticsTest, ACalendarChangeChangesTheWorkingTimeFigures) {
  testing::seed_statistics(*connection_, calendar_, 600, 7);
  const auto q = query("2025-01-01", "2026-12-31", {"month"});
  compare(q);
  refresh_statistics(*connection_, calendar_);
  const auto before = [&] {
    pqxx::read_transaction txn(*connection_);
    return statistics_summary(txn, q, now_).total;
  }();
  // An administrator declares a week of March 2026 off: working hours shrink, calendar hours do
  // not.
  for (unsigned d = 2; d <= 6; ++d) {
    calendar_.add_day(
        {std::chrono::year{2026} / std::chrono::March / std::chrono::day{d}, true, "test"});
  }
  compare(q);
  const auto after = [&] {
    pqxx::read_transaction txn(*connection_);
    return statistics_summary(txn, q, now_).total;
  }();
  EXPECT_EQ(before.final_answer.calendar.p90, after.final_answer.calendar.p90);
  EXPECT_NE(show(before.final_answer.working.p90) + show(before.final_answer.working.median) +
                show(before.first_answer.working.p90),
            show(after.final_answer.working.p90) + show(after.final_answer.working.median) +
                show(after.first_answer.working.p90));
}

TEST_F(StatisticsTest, NewEventsAndApprovedExtensionsAreCountedAtTheNextRead) {
  testing::seed_statistics(*connection_, calendar_, 400, 11);
  const auto q = query("2025-01-01", "2027-12-31", {"department"});
  compare(q);
  // A late ticket whose deadline an approved extension moves past its answer becomes on time.
  pqxx::work txn(*connection_);
  const auto row = txn.exec1(
      "SELECT s.ticket_id FROM stats_tickets s WHERE s.due_at IS NOT NULL AND NOT s.on_time AND"
      " s.final_at IS NOT NULL AND s.reopen_event IS NULL ORDER BY s.ticket_id LIMIT 1");
  const auto id = row[0].as<std::int64_t>();
  txn.exec("UPDATE tickets SET deadline = (SELECT final_at FROM stats_tickets WHERE ticket_id = " +
           std::to_string(id) + ") + interval '1 day' WHERE id = " + std::to_string(id));
  txn.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) VALUES (" +
      std::to_string(id) +
      ", 'test-ext', 'extension.approved', 'manager', now(), '{\"days\": 3}')");
  // And a new ticket with a rating, written after the last read.
  txn.exec(
      "INSERT INTO tickets (channel, external_id, status, kind, category, division, urgency,"
      " title, received_at, appeal, lead_department) VALUES ('mailbox', 'late-1', 'answered',"
      " 'help', 'bus', '510802', 'normal', 't', '2026-11-30T10:00:00+08', '{}', 'cxx')");
  txn.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) SELECT"
      " id, 'late-1-a', 'answer.final', 's', '2026-11-30T11:00:00+08', '{}' FROM tickets WHERE"
      " external_id = 'late-1'");
  txn.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) SELECT"
      " id, 'late-1-r', 'appeal.rated', 'c', '2026-12-01T11:00:00+08', '{\"rating\":"
      " \"mostly_satisfied\"}' FROM tickets WHERE external_id = 'late-1'");
  txn.commit();
  raw_.reset();
  compare(q);
  pqxx::read_transaction read(*connection_);
  EXPECT_TRUE(
      read.exec1("SELECT on_time FROM stats_tickets WHERE ticket_id = " + std::to_string(id))[0]
          .as<bool>());
}

// Readers sum from a copy of the facts brought up to date from a log kept an hour
// (docs/decisions/0018-statistics-summed-in-memory-from-the-facts.md); a copy older than the log
// is read again whole, and either way the figures equal the recount.
TEST_F(StatisticsTest, ACopyOlderThanTheLogIsReadAgainWhole) {
  testing::seed_statistics(*connection_, calendar_, 300, 5);
  const auto q = query("2025-01-01", "2027-12-31", {"department", "month"});
  compare(q);  // the copy is read
  const auto rate = [&](const std::string& offset, const std::string& rating) {
    pqxx::work txn(*connection_);
    txn.exec(
        "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data)"
        " SELECT id, 'copy-" +
        offset +
        "', 'appeal.rated', 'c', '2026-11-20T09:00:00+08',"
        " jsonb_build_object('rating', '" +
        rating +
        "') FROM tickets"
        " WHERE status = 'closed' ORDER BY id LIMIT 1 OFFSET " +
        offset);
    txn.commit();
  };
  rate("1", "satisfied");
  refresh_statistics(*connection_, calendar_);  // derived and logged, not read
  {
    pqxx::work txn(*connection_);
    txn.exec("UPDATE stats_versions SET at = now() - interval '2 hours'");
    txn.commit();
  }
  rate("2", "dissatisfied");
  raw_.reset();
  compare(q);  // prunes the log past the copy: read again whole
  pqxx::read_transaction txn(*connection_);
  EXPECT_GT(txn.exec1("SELECT log_from FROM stats_state")[0].as<std::int64_t>(), 1);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM stats_versions")[0].as<int>(), 1);
}

TEST_F(StatisticsTest, OverdueListCarriesTheSupervisionStepsOfTheCurrentDeadline) {
  pqxx::work txn(*connection_);
  txn.exec(
      "INSERT INTO tickets (id, channel, external_id, status, kind, category, division, urgency,"
      " title, received_at, deadline, appeal, lead_department) VALUES"
      " (1, 'mailbox', 'o1', 'assigned', 'help', 'bus', '', 'normal', 'a', "
      "'2026-11-01T10:00:00+08',"
      "  '2026-11-10T23:59:59+08', '{}', 'zfzd'),"
      " (2, 'mailbox', 'o2', 'answered', 'help', 'bus', '', 'normal', 'b', "
      "'2026-11-01T10:00:00+08',"
      "  '2026-11-10T23:59:59+08', '{}', 'zfzd'),"
      " (3, 'mailbox', 'o3', 'in_progress', 'help', 'bus', '', 'normal', 'c', "
      "'2026-11-01T10:00:00+08',"
      "  '2026-12-20T23:59:59+08', '{}', 'lzq')");
  const auto deadline =
      txn.exec1("SELECT extract(epoch FROM '2026-11-10T23:59:59+08'::timestamptz)::bigint")[0]
          .as<std::string>();
  txn.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) VALUES"
      " (1, 'u1', 'sla.urge', 'w', now(), '{\"deadline\": " +
      deadline +
      "}'),"
      " (1, 'n1', 'sla.notice', 'w', now(), '{\"deadline\": " +
      deadline +
      "}'),"
      " (1, 'p0', 'sla.public_note', 'w', now(), '{\"deadline\": 1}')");
  txn.commit();
  pqxx::read_transaction read(*connection_);
  const auto list = open_tickets_before(
      read, {},
      core::end_of_china_day(
          year_month_day{std::chrono::year{2026}, std::chrono::December, std::chrono::day{31}}));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, 1);
  EXPECT_EQ(list[0].supervision, (std::vector<std::string>{"urged", "overdue_notice"}));
  EXPECT_EQ(list[1].id, 3);
  EXPECT_TRUE(list[1].supervision.empty());
  EXPECT_EQ(open_tickets_before(read, {"lzq"}, list[1].deadline + 1s).size(), 1u);
}

}  // namespace
}  // namespace appealhub::storage
