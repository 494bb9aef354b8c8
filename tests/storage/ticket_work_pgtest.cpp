// Ticket lists in PostgreSQL: a department's queue (the tickets it leads and those it assists)
// pages through exactly the tickets the filter names, in its order, whatever happened to the
// tickets since they came in; open_assists, which the queue reads, follows every change. The
// expected lists are worked out here from the raw rows, not through the code under test. Needs
// PostgreSQL.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "storage/database.hpp"
#include "storage/ticket_work.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::storage {
namespace {

const std::vector<std::string> kDepartments = {"dlys", "zfzd", "lzq", "zhq", "bgs", "wcx"};
const std::set<std::string> kOpen = {"received",    "triage",   "assigned",
                                     "in_progress", "returned", "reopened"};

// A ticket as the test reads it back from the table.
struct Row {
  std::int64_t id;
  std::string status, lead;
  std::set<std::string> assisting;
  std::optional<long long> deadline;  // epoch seconds
  long long received;
  bool overdue;  // open and past its deadline, by the database's clock
};

// Parses a PostgreSQL text[] of plain words ("{a,b}").
std::set<std::string> words(std::string text) {
  std::set<std::string> out;
  text = text.substr(1, text.size() - 2);
  for (std::size_t start = 0; start < text.size();) {
    const auto comma = text.find(',', start);
    out.insert(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

class TicketListTest : public ::testing::Test {
 protected:
  TicketListTest() : db_("ticket_work"), connection_(connect({db_.uri()})) {
    // 2,400 tickets: every status, leads and assisting sets from six departments, deadlines on
    // 12 shared instants (as real ones share 23:59:59 of a day) or none, half of them past.
    db_.exec(
        "INSERT INTO tickets (channel, external_id, status, kind, category, division, urgency, "
        "title, citizen_phone, received_at, deadline, appeal, lead_department, "
        "assisting_departments) "
        "SELECT 'hotline12328', 'GY-LIST-' || g, (ARRAY['received','triage','assigned',"
        "'in_progress','answered','delivered','closed','returned','reopened','withdrawn',"
        "'reassigned_out','spam','merged'])[1 + (g * 7) % 13], 'complaint', 'taxi', '510802', "
        "'normal', '投诉 ' || g, '', now() - (g % 97) * interval '1 hour', "
        "CASE WHEN g % 17 = 0 THEN NULL ELSE date_trunc('day', now()) + "
        "((g * 31) % 12 - 6) * interval '1 day' - interval '1 second' END, "
        "jsonb_build_object('title', '投诉 ' || g), "
        "(ARRAY['dlys','zfzd','lzq','zhq','bgs','wcx'])[1 + g % 6], "
        "CASE g % 5 WHEN 0 THEN ARRAY['zfzd'] WHEN 1 THEN ARRAY['zfzd','lzq'] "
        "WHEN 2 THEN ARRAY['dlys','zhq','zhq'] ELSE '{}' END "
        "FROM generate_series(1, 2400) g");
  }

  // What tickets look like now, read straight from the table.
  std::vector<Row> rows() const {
    pqxx::work txn(*connection_);
    std::vector<Row> out;
    for (const auto& r :
         txn.exec("SELECT id, status, coalesce(lead_department, ''), assisting_departments::text, "
                  "extract(epoch FROM deadline)::bigint, extract(epoch FROM received_at)::bigint, "
                  "deadline < now() FROM tickets")) {
      Row row{
          r[0].as<std::int64_t>(), r[1].c_str(), r[2].c_str(), words(r[3].c_str()), std::nullopt,
          r[5].as<long long>(),    false};
      if (!r[4].is_null()) row.deadline = r[4].as<long long>();
      row.overdue = kOpen.contains(row.status) && !r[6].is_null() && r[6].as<bool>();
      out.push_back(std::move(row));
    }
    return out;
  }

  // Every page of the filter, one after the other, as ticket ids.
  std::vector<std::int64_t> pages(TicketFilter f) const {
    std::vector<std::int64_t> ids;
    for (f.offset = 0;; f.offset += f.limit) {
      pqxx::work txn(*connection_);
      auto page = list_tickets(txn, ticket_list_query(txn, f));
      const bool more = page.size() > static_cast<std::size_t>(f.limit);
      if (more) page.pop_back();
      for (const auto& t : page) ids.push_back(t.id);
      if (!more) return ids;
    }
  }

  // The same list worked out from the rows.
  static std::vector<std::int64_t> expected(const std::vector<Row>& all, const TicketFilter& f) {
    std::vector<const Row*> chosen;
    for (const auto& r : all) {
      const bool mine = std::any_of(f.departments.begin(), f.departments.end(), [&](auto& d) {
        return r.lead == d || r.assisting.contains(d);
      });
      const bool status = f.statuses.empty() || std::find(f.statuses.begin(), f.statuses.end(),
                                                          r.status) != f.statuses.end();
      if (mine && status && (!f.overdue || *f.overdue == r.overdue)) chosen.push_back(&r);
    }
    std::sort(chosen.begin(), chosen.end(), [&](const Row* a, const Row* b) {
      if (f.sort == "received") return std::tie(b->received, b->id) < std::tie(a->received, a->id);
      const auto key = [](const Row* r) {
        return std::make_tuple(!r->deadline, r->deadline.value_or(0), r->id);
      };
      return key(a) < key(b);
    });
    std::vector<std::int64_t> ids;
    for (const auto* r : chosen) ids.push_back(r->id);
    return ids;
  }

  // Every filter a queue asks, each compared with the rows.
  void expect_every_queue_right(const std::string& when) const {
    const auto all = rows();
    const std::vector<std::vector<std::string>> status_sets = {
        {"assigned", "in_progress"}, {"returned"}, {"triage", "reopened", "received"}, {}};
    const std::vector<std::vector<std::string>> department_sets = {
        {"zfzd"}, {"dlys"}, {"lzq", "zfzd"}, {"wcx"}, {"zhq", "bgs", "dlys"}};
    int compared = 0;
    for (const auto& departments : department_sets) {
      for (const auto& statuses : status_sets) {
        for (const std::string sort : {"deadline", "received"}) {
          TicketFilter f;
          f.departments = departments;
          f.statuses = statuses;
          f.sort = sort;
          f.limit = 37;
          const auto want = expected(all, f);
          EXPECT_EQ(pages(f), want)
              << when << ": departments " << ::testing::PrintToString(departments) << ", statuses "
              << ::testing::PrintToString(statuses) << ", by " << sort;
          compared += static_cast<int>(want.size());
        }
      }
      TicketFilter overdue;
      overdue.departments = departments;
      overdue.overdue = true;
      EXPECT_EQ(pages(overdue), expected(all, overdue))
          << when << ": overdue of " << ::testing::PrintToString(departments);
    }
    EXPECT_GT(compared, 5000) << "the filters found too few tickets to compare";
  }

  // open_assists against the rows: one row per open ticket and each department assisting it.
  void expect_open_assists_follow(const std::string& when) const {
    std::set<std::tuple<std::string, std::int64_t, std::string, std::optional<long long>>> want,
        have;
    for (const auto& r : rows()) {
      if (!kOpen.contains(r.status)) continue;
      for (const auto& d : r.assisting) want.insert({d, r.id, r.status, r.deadline});
    }
    pqxx::work txn(*connection_);
    for (const auto& r : txn.exec("SELECT department, ticket_id, status, "
                                  "extract(epoch FROM deadline)::bigint FROM open_assists")) {
      std::optional<long long> deadline;
      if (!r[3].is_null()) deadline = r[3].as<long long>();
      have.insert({r[0].c_str(), r[1].as<std::int64_t>(), r[2].c_str(), deadline});
    }
    EXPECT_EQ(have.size(), txn.exec("SELECT 1 FROM open_assists").size()) << when;
    EXPECT_EQ(have, want) << when;
  }

  testing::TestDatabase db_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST_F(TicketListTest, QueuesPageThroughExactlyTheirTicketsInOrder) {
  expect_open_assists_follow("as taken in");
  expect_every_queue_right("as taken in");
}

TEST_F(TicketListTest, QueuesFollowEveryChangeOfStatusDeadlineAndAssistingDepartments) {
  // Placed again with other assisting departments, answered and closed, reopened, extended,
  // returned, and a change that touches none of it.
  db_.exec("UPDATE tickets SET assisting_departments = ARRAY['wcx','bgs'] WHERE id % 7 = 0");
  db_.exec("UPDATE tickets SET assisting_departments = '{}' WHERE id % 11 = 0");
  db_.exec("UPDATE tickets SET status = 'answered' WHERE id % 3 = 0 AND status = 'in_progress'");
  db_.exec("UPDATE tickets SET status = 'reopened' WHERE id % 4 = 0 AND status = 'closed'");
  db_.exec("UPDATE tickets SET deadline = deadline + interval '5 days' WHERE id % 6 = 1");
  db_.exec("UPDATE tickets SET status = 'returned', lead_department = NULL WHERE id % 13 = 2");
  db_.exec("UPDATE tickets SET supervised = true WHERE id % 2 = 0");
  expect_open_assists_follow("after the changes");
  expect_every_queue_right("after the changes");
}

}  // namespace
}  // namespace appealhub::storage
