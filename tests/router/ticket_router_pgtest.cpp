// Placing new tickets in the intake transaction, with the shipped Guangyuan departments, rules and
// calendar from the settings documents. Needs PostgreSQL.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "app/routing_settings.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "router/ticket_router.hpp"
#include "storage/settings_documents.hpp"
#include "storage/ticket_intake.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/duplicate_eval.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

class TicketRouterTest : public ::testing::Test {
 protected:
  TicketRouterTest() : db_("ticket_router"), settings_({db_.uri()}) {
    settings_.seed_defaults();
    const auto errors = settings_.refresh();
    EXPECT_TRUE(errors.empty()) << errors.front();
  }

  core::Appeal appeal(const std::string& id, core::AppealKind kind, const std::string& category,
                      const std::string& division, const std::string& title,
                      const std::string& content, const std::string& phone = "13908391234",
                      const std::string& received = "2026-09-30T10:00:00+08:00") {
    core::Appeal a;
    a.channel = "mailbox";
    a.external_id = id;
    a.received_at = *core::parse_rfc3339(received);
    a.kind = kind;
    a.category = category;
    a.division = division;
    a.title = title;
    a.content = content;
    a.citizen.name = "李先生";
    a.citizen.phone = phone;
    return a;
  }

  // Takes appeals in and routes the new tickets, as the intake consumer does.
  RoutingStats take_in(const std::vector<core::Appeal>& appeals) {
    return testing::take_in_and_place(db_.uri(), *settings_.current(), appeals);
  }

  std::string ticket(const std::string& id, const std::string& columns) {
    return db_.scalar("SELECT " + columns + " FROM tickets WHERE external_id = '" + id + "'");
  }

  testing::TestDatabase db_;
  app::RoutingSettings settings_;
};

TEST_F(TicketRouterTest, TaxiComplaintGoesToLawEnforcementWithTheDistrictAssisting) {
  take_in({appeal("L1", core::AppealKind::complaint, "taxi", "510802", "出租车拒载",
                  "在利州区万达广场打车，司机拒载还绕路。")});
  const auto placed = ticket("L1",
                             "status || ' ' || lead_department || ' ' || "
                             "array_to_string(assisting_departments, ',')");
  EXPECT_EQ(placed.substr(0, 9), "assigned ") << placed;
  EXPECT_NE(ticket("L1", "routing_rule"), "");
  // Complaint received Wednesday 2026-09-30: 15 working days across the National Day holiday.
  EXPECT_EQ(ticket("L1", "to_char(deadline AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"),
            "2026-10-27 23:59:59");
  EXPECT_EQ(ticket("L1", "deadline_basis->>'policy'"), "complaint: 15 working days");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'ticket.routed'"), "1");
  // One ticket.routed message to dept.<lead>, copied (CC) to dept.<each assisting department>.
  const auto lead = ticket("L1", "lead_department");
  const auto assisting = ticket("L1",
                                "coalesce((SELECT string_agg('dept.' || a, ',' ORDER BY o) FROM "
                                "unnest(assisting_departments) WITH ORDINALITY AS x(a, o)), '')");
  EXPECT_NE(assisting, "") << "the rule chosen for this appeal has assisting departments";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'ticket.routed'"), "1");
  EXPECT_EQ(db_.scalar("SELECT array_to_string(cc, ',') FROM outbox WHERE routing_key = 'dept." +
                       lead + "'"),
            assisting);
  const auto body = db_.scalar(
      "SELECT convert_from(body, 'UTF8') FROM outbox WHERE routing_key = 'dept." + lead + "'");
  const auto decoded = core::decode_event(body);
  ASSERT_TRUE(decoded.ok());
  const auto& routed = std::get<core::TicketRouted>(decoded.event().body);
  EXPECT_EQ(routed.department, lead);
  EXPECT_EQ(routed.appeal.external_id, "L1");
  EXPECT_EQ(core::format_rfc3339(*routed.deadline), "2026-10-27T23:59:59+08:00");
}

TEST_F(TicketRouterTest, ChannelDeadlineWinsWhenEarlier) {
  auto a = appeal("P1", core::AppealKind::complaint, "bus", "510823", "班车不按时发车",
                  "普安镇到县城的班车经常晚发。");
  a.channel_deadline = core::parse_rfc3339("2026-10-09T18:00:00+08:00");
  take_in({a});
  EXPECT_EQ(ticket("P1", "deadline_basis->>'channel_deadline_won'"), "true");
  EXPECT_EQ(ticket("P1", "to_char(deadline AT TIME ZONE 'Asia/Shanghai', 'MM-DD HH24:MI')"),
            "10-09 18:00");
}

TEST_F(TicketRouterTest, WhatNoRulePlacesGoesToTheDispatchDesk) {
  take_in({appeal("X1", core::AppealKind::other, "other", "", "其他问题", "想反映一个情况。")});
  EXPECT_EQ(ticket("X1", "status || ' ' || lead_department"), "triage triage");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE routing_key = 'dept.triage'"), "1");
}

TEST_F(TicketRouterTest, ALetterTheWebsiteMarkedAsSpamGoesToNoDepartment) {
  auto a = appeal("S1", core::AppealKind::complaint, "taxi", "510802", "出租车拒载",
                  "在利州区万达广场打车，司机拒载。");
  a.channel_meta = {{"mailbox_status", "spam"}};
  take_in({a});
  EXPECT_EQ(ticket("S1", "status || ' ' || coalesce(lead_department, '-')"), "spam -");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'ticket.routed'"), "0");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets WHERE external_id = 'S1'"), "1")
      << "kept, visible to managers";
}

TEST_F(TicketRouterTest, SameComplaintFromTheSamePhoneIsMergedIntoTheOpenTicket) {
  take_in({appeal("M1", core::AppealKind::complaint, "taxi", "510802", "出租车拒载",
                  "今天晚上在万达广场打车，川H·T1234出租车司机拒载，要求处理。")});
  auto again = appeal("M2", core::AppealKind::complaint, "taxi", "510802", "投诉出租车司机拒载",
                      "今天晚上在万达广场打车，川HT1234出租车司机拒载，请尽快处理。");
  again.channel = "mailbox";
  const auto stats = take_in({again});
  EXPECT_EQ(stats.merged, 1u);
  EXPECT_EQ(ticket("M2", "status"), "merged");
  EXPECT_EQ(ticket("M2", "merged_into"), ticket("M1", "id"));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE convert_from(body, 'UTF8') LIKE '%M2%'"),
            "0")
      << "a merged ticket follows its first ticket and is not sent to departments";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'ticket.merge_joined'"),
            "1");
  EXPECT_EQ(db_.scalar("SELECT action FROM duplicate_links"), "merged");
}

TEST_F(TicketRouterTest, AMergeCanBeUndoneAndTheTicketIsThenPlacedOnItsOwn) {
  take_in({appeal("U1", core::AppealKind::complaint, "taxi", "510802", "出租车拒载",
                  "今天晚上在万达广场打车，川H·T1234出租车司机拒载，要求处理。")});
  take_in({appeal("U2", core::AppealKind::complaint, "taxi", "510802", "投诉出租车司机拒载",
                  "今天晚上在万达广场打车，川HT1234出租车司机拒载，请尽快处理。")});
  ASSERT_EQ(ticket("U2", "status"), "merged");
  const auto u1 = std::stoll(ticket("U1", "id"));
  const auto u2 = std::stoll(ticket("U2", "id"));

  auto c = storage::connect({db_.uri()});
  {
    pqxx::work txn(*c);
    EXPECT_EQ(undo_merge(txn, *settings_.current(), u2, "operator:wang", "不是同一次拒载"), u1);
    txn.commit();
  }
  EXPECT_EQ(ticket("U2", "status"), "assigned");
  EXPECT_EQ(ticket("U2", "merged_into"), "");
  EXPECT_NE(ticket("U2", "lead_department"), "");
  EXPECT_EQ(ticket("U2", "to_char(deadline AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"),
            "2026-10-27")
      << "the deadline counts from the appeal's receipt, not from the undo";
  EXPECT_EQ(
      db_.scalar("SELECT undone_by FROM duplicate_links WHERE ticket_id = " + std::to_string(u2)),
      "operator:wang");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'ticket.unmerged'"), "2");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'ticket.routed' AND"
                       " ticket_id = " +
                       std::to_string(u2)),
            "1");
  EXPECT_NE(
      db_.scalar("SELECT count(*) FROM outbox WHERE convert_from(body, 'UTF8') LIKE '%\"U2\"%'"),
      "0")
      << "once on its own, the ticket goes to its departments";

  pqxx::work txn(*c);
  EXPECT_THROW(undo_merge(txn, *settings_.current(), u2, "operator:wang", "again"),
               std::invalid_argument);
}

TEST_F(TicketRouterTest, SamePhoneAboutSomethingElseIsNotADuplicate) {
  take_in({appeal("D1", core::AppealKind::complaint, "taxi", "510802", "出租车拒载",
                  "在万达广场打车司机拒载。")});
  take_in({appeal("D2", core::AppealKind::help, "road_maintenance", "510822", "道路塌方",
                  "青川县乔庄镇到青溪镇的县道塌方，车辆无法通行。")});
  EXPECT_NE(ticket("D2", "status"), "merged");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM duplicate_links WHERE action = 'merged'"), "0");
}

TEST_F(TicketRouterTest, NewRulesAreTakenUpAndABrokenVersionKeepsTheOldOnes) {
  const auto before = settings_.current();
  {
    auto c = storage::connect({db_.uri()});
    pqxx::work txn(*c);
    storage::save_document(
        txn, app::kRulesDocument,
        R"({"rules": [{"id": "all-to-nowhere", "match": {"categories": ["taxi"]}, "lead": "no-such-dept"}]})",
        "test");
    txn.commit();
  }
  const auto errors = settings_.refresh();
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().find("no-such-dept"), std::string::npos) << errors.front();
  EXPECT_EQ(settings_.current(), before) << "the previous rules stay in force";

  {
    auto c = storage::connect({db_.uri()});
    pqxx::work txn(*c);
    storage::save_document(txn, app::kRulesDocument,
                           R"({"rules": [{"id": "taxi-to-triage", "match": {"categories": ["taxi"]},
                               "lead": "triage"}]})",
                           "test");
    txn.commit();
  }
  EXPECT_TRUE(settings_.refresh().empty());
  EXPECT_NE(settings_.current(), before);
  take_in({appeal("R1", core::AppealKind::complaint, "taxi", "510802", "出租车拒载", "拒载。")});
  EXPECT_EQ(ticket("R1", "routing_rule"), "taxi-to-triage");
}

}  // namespace
}  // namespace appealhub::router
