// Duplicate detection end to end (docs/duplicates.md): the labelled pairs of
// bench/data/duplicate_e2e_pairs.json through the real intake consumer, store and text scan.
// Asserts the targets of issue 18; then what the store does with suggestions (text suggestions, a
// rejection remembered) and keys (masked phone, landline, plate in the text). Needs PostgreSQL and
// RabbitMQ.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "app/routing_settings.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "router/duplicate_scan.hpp"
#include "storage/ticket_intake.hpp"
#include "tests/support/duplicate_eval.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::testing {
namespace {

TEST(DuplicatesEndToEnd, AsTheChannelsDeliverThem) {
  const auto e = evaluate_duplicates("pairs", "duplicates_e2e");
  print_duplicate_evaluation("as the channels deliver them", e, true);
  ASSERT_GE(e.whole.pairs, 300);
  EXPECT_GE(e.whole.recall(), 0.85);
  EXPECT_GE(e.whole.precision(), 0.90);
  EXPECT_GE(e.whole.merge_precision(), 0.99);
  EXPECT_GT(e.whole.merged, 0);
  // The hard parts are found too: repeats weeks later, and repeats linked by nothing but text.
  EXPECT_GE(e.late.recall(), 0.80);
  EXPECT_GE(e.by_link.at("none").recall(), 0.75);
}

TEST(DuplicatesEndToEnd, TextOnly) {
  const auto e = evaluate_duplicates("text_only_pairs", "duplicates_e2e_text");
  print_duplicate_evaluation("text only (phones and plates removed)", e, true);
  EXPECT_GE(e.whole.recall(), 0.80);
  EXPECT_GE(e.whole.precision(), 0.90);
  EXPECT_EQ(e.whole.merged, 0) << "nothing merges on wording alone";
}

}  // namespace
}  // namespace appealhub::testing

namespace appealhub::router {
namespace {

core::Appeal letter(const std::string& id, const std::string& phone, const std::string& title,
                    const std::string& content, const std::string& received) {
  core::Appeal a;
  a.channel = "mailbox";
  a.external_id = id;
  a.received_at = *core::parse_rfc3339(received);
  a.kind = core::AppealKind::complaint;
  a.category = "other";
  a.title = title;
  a.content = content;
  a.citizen.phone = phone;
  return a;
}

// A fresh database with the shipped routing settings.
class DuplicateSuggestions : public ::testing::Test {
 protected:
  DuplicateSuggestions() : db("duplicate_suggestions"), settings({db.uri()}) {
    settings.seed_defaults();
    EXPECT_TRUE(settings.refresh().empty());
    setup = settings.current();
  }
  void take_in(const std::vector<core::Appeal>& appeals) {
    testing::take_in_and_place(db.uri(), *setup, appeals);
  }
  testing::TestDatabase db;
  app::RoutingSettings settings;
  std::shared_ptr<const RoutingSetup> setup;
};

TEST_F(DuplicateSuggestions, TextSuggestionsAndARejectionThatIsRemembered) {
  // Two witnesses of one landslide, no phone or plate in common, 12 days apart.
  take_in({letter("W1", "13908391234", "青川县乔庄镇县道塌方",
                  "6月3日晚上下大雨，青川县乔庄镇到青溪镇的县道K12处山体塌方，石头堵了半边路，"
                  "车辆只能单边通行，晚上很危险，请尽快抢修。",
                  "2026-06-04T08:00:00+08:00")});
  take_in({letter("W2", "18628391111", "乔庄镇到青溪镇的路塌方了还没修",
                  "6月3日下暴雨后乔庄镇到青溪镇县道K12附近山体塌方，到现在石头还堵着半边路，"
                  "单边通行晚上特别危险，请交通部门尽快抢修。",
                  "2026-06-16T09:00:00+08:00")});
  const auto scan = [&] {
    auto c = storage::connect({db.uri()});
    pqxx::work txn(*c);
    const auto stats = scan_text_duplicates(txn, *setup, TextScanOptions{});
    txn.commit();
    return stats;
  };
  EXPECT_EQ(scan().suggested, 1u);
  const auto w1 = db.scalar("SELECT id FROM tickets WHERE external_id = 'W1'");
  const auto w2 = db.scalar("SELECT id FROM tickets WHERE external_id = 'W2'");
  EXPECT_EQ(db.scalar("SELECT duplicate_of || ' ' || action || ' ' || found_by FROM"
                      " duplicate_links WHERE ticket_id = " +
                      w2),
            w1 + " suggested text");
  EXPECT_NE(db.scalar("SELECT reason FROM duplicate_links WHERE ticket_id = " + w2)
                .find("shared phrases"),
            std::string::npos);
  EXPECT_EQ(db.scalar("SELECT status FROM tickets WHERE id = " + w2), "assigned")
      << "text alone never merges";

  // An operator rejects it (as POST /tickets/{id}/duplicate/reject does); scanned again, the
  // pair is not suggested again.
  db.exec("UPDATE duplicate_links SET action = 'rejected', decided_by = 'op' WHERE ticket_id = " +
          w2);
  db.exec("INSERT INTO text_scan_queue VALUES (" + w2 + ")");
  EXPECT_EQ(scan().scanned, 1u);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM duplicate_links WHERE ticket_id = " + w2 +
                      " AND action = 'suggested'"),
            "0");
}

TEST_F(DuplicateSuggestions, KeysFindMaskedPhonesLandlinesAndPlatesInTheText) {
  const std::string refusal = "5月6日晚上10点在广元火车站打车，出租车驾驶员听说去东坝直接拒载。";
  take_in({letter("K1", "13981231234", "火车站出租车拒载", refusal, "2026-05-07T08:00:00+08:00"),
           letter("K2", "0839-3261234", "客运中心出租车不打表",
                  "4月18日在客运中心坐出租车川h t0736去利州区政府，司机不打表收40元。",
                  "2026-05-07T08:00:00+08:00")});
  auto masked =
      letter("K3", "139****1234", "火车站打车被拒载", refusal, "2026-05-27T08:00:00+08:00");
  masked.channel = "petition";
  take_in({masked, letter("K4", "08393261234", "出租车不打表的事",
                          "4月18日客运中心H T0736出租车不打表，到利州区政府收了40元，请处理。",
                          "2026-05-20T08:00:00+08:00")});
  const auto link = [&](const std::string& id) {
    return db.scalar(
        "SELECT o.external_id || ' ' || l.action FROM duplicate_links l JOIN tickets t ON t.id ="
        " l.ticket_id JOIN tickets o ON o.id = l.duplicate_of WHERE t.external_id = '" +
        id + "'");
  };
  EXPECT_EQ(link("K3"), "K1 suggested") << "a masked phone 20 days later: suggested, not merged";
  EXPECT_EQ(link("K4"), "K2 merged")
      << "the same landline without the dash is the same citizen, the plate written H T0736 agrees";
  EXPECT_NE(db.scalar("SELECT reason FROM duplicate_links l JOIN tickets t ON t.id = l.ticket_id"
                      " WHERE t.external_id = 'K4'")
                .find("same phone, same plate"),
            std::string::npos);
}

}  // namespace
}  // namespace appealhub::router
