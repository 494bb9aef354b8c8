// Channel events applied to tickets in PostgreSQL: exactly one ticket per appeal, every event
// recorded once, events ahead of their appeal kept until it arrives. Needs PostgreSQL.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/codec.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"
#include "storage/ticket_intake.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::storage {
namespace {

class TicketIntakeTest : public ::testing::Test {
 protected:
  TicketIntakeTest() : db_("ticket_intake"), connection_(connect({db_.uri()})) {}

  // Keeps the decoded events and their messages alive for the items that point into them.
  IntakeItem item_for(const core::Event& event) {
    events_.push_back(std::make_unique<core::Event>(event));
    messages_.push_back(std::make_unique<std::string>(core::encode_event(event)));
    return {events_.back().get(), *messages_.back()};
  }

  IntakeResult apply(const std::vector<IntakeItem>& items) {
    pqxx::work txn(*connection_);
    auto result = intake_.apply(txn, items);
    txn.commit();
    return result;
  }

  core::Event withdrawal(std::size_t index, const std::string& fact = "w1") {
    const auto appeal = testing::sample_appeal_event(index);
    const auto& a = std::get<core::AppealReceived>(appeal.body).appeal;
    core::Event e;
    e.event_id = core::make_event_id("appeal.withdrawn", a.channel, a.external_id, fact);
    e.occurred_at = a.received_at;
    e.occurred_at.utc += std::chrono::hours(1);
    e.producer = "test";
    e.body = core::AppealWithdrawn{a.channel, a.external_id, "来电人撤销", e.occurred_at};
    return e;
  }

  core::Event rating(std::size_t index, core::Satisfaction how, const std::string& fact) {
    const auto appeal = testing::sample_appeal_event(index);
    const auto& a = std::get<core::AppealReceived>(appeal.body).appeal;
    core::Event e;
    e.event_id = core::make_event_id("appeal.rated", a.channel, a.external_id, fact);
    e.occurred_at = a.received_at;
    e.occurred_at.utc += std::chrono::hours(2);
    e.producer = "test";
    e.body = core::AppealRated{a.channel, a.external_id, how, std::nullopt, "", e.occurred_at};
    return e;
  }

  testing::TestDatabase db_;
  std::unique_ptr<pqxx::connection> connection_;
  TicketIntake intake_{"router.intake"};
  std::vector<std::unique_ptr<core::Event>> events_;
  std::vector<std::unique_ptr<std::string>> messages_;
};

TEST_F(TicketIntakeTest, NewAppealsBecomeTicketsWithTheirReceivedEvent) {
  const auto result =
      apply({item_for(testing::sample_appeal_event(1)), item_for(testing::sample_appeal_event(2))});
  EXPECT_EQ(result.outcomes,
            (std::vector<IntakeOutcome>{IntakeOutcome::created, IntakeOutcome::created}));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "2");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'appeal.received'"), "2");
  EXPECT_EQ(db_.scalar("SELECT status || ' ' || kind || ' ' || division FROM tickets WHERE"
                       " external_id = 'T1000001'"),
            "received consultation 510811");
  EXPECT_EQ(db_.scalar("SELECT appeal->>'title' FROM tickets WHERE external_id = 'T1000001'"),
            "咨询春节期间客运班次");
}

TEST_F(TicketIntakeTest, RedeliveredMessageChangesNothing) {
  const auto item = item_for(testing::sample_appeal_event(7));
  apply({item});
  const auto again = apply({item, item});
  EXPECT_EQ(again.outcomes, (std::vector<IntakeOutcome>{IntakeOutcome::duplicate_message,
                                                        IntakeOutcome::duplicate_message}));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "1");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events"), "1");
}

TEST_F(TicketIntakeTest, SameMessageTwiceInOneBatchIsTakenOnce) {
  const auto item = item_for(testing::sample_appeal_event(8));
  const auto result = apply({item, item});
  EXPECT_EQ(result.outcomes,
            (std::vector<IntakeOutcome>{IntakeOutcome::created, IntakeOutcome::duplicate_message}));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "1");
}

TEST_F(TicketIntakeTest, SameAppealUnderAnotherEventIdIsADuplicateAppeal) {
  auto reexport = testing::sample_appeal_event(9);
  reexport.event_id = core::make_event_id("appeal.received", "hotline12328", "T1000009", "file-2");
  apply({item_for(testing::sample_appeal_event(9))});
  const auto result = apply({item_for(reexport)});
  EXPECT_EQ(result.outcomes, std::vector<IntakeOutcome>{IntakeOutcome::duplicate_appeal});
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "1");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events"), "1");
}

TEST_F(TicketIntakeTest, EventBeforeItsAppealIsParkedThenAppliedWhenTheAppealArrives) {
  const auto parked = apply({item_for(withdrawal(3))});
  EXPECT_EQ(parked.outcomes, std::vector<IntakeOutcome>{IntakeOutcome::parked});
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "0");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM parked_events"), "1");

  const auto created = apply({item_for(testing::sample_appeal_event(3))});
  EXPECT_EQ(created.unparked, 1u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM parked_events"), "0");
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets"), "withdrawn");
  EXPECT_EQ(db_.column("SELECT type FROM ticket_events ORDER BY occurred_at"),
            (std::vector<std::string>{"appeal.received", "appeal.withdrawn"}));
}

TEST_F(TicketIntakeTest, EventAndItsAppealInTheSameBatchInEitherOrder) {
  const auto result = apply({item_for(withdrawal(4)), item_for(testing::sample_appeal_event(4))});
  EXPECT_EQ(result.outcomes,
            (std::vector<IntakeOutcome>{IntakeOutcome::applied, IntakeOutcome::created}));
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets"), "withdrawn");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events"), "2");
}

TEST_F(TicketIntakeTest, WithdrawnTicketStaysWithdrawnAndRepeatedNewsIsRecordedOnce) {
  apply({item_for(testing::sample_appeal_event(5))});
  apply({item_for(withdrawal(5))});
  apply({item_for(withdrawal(5))});
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets"), "withdrawn");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'appeal.withdrawn'"), "1");
}

TEST_F(TicketIntakeTest, ADissatisfiedRatingAfterTheAnswerReopensTheTicket) {
  apply({item_for(testing::sample_appeal_event(6))});
  db_.exec("UPDATE tickets SET status = 'delivered'");
  apply({item_for(rating(6, core::Satisfaction::satisfied, "r1"))});
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets"), "delivered");
  apply({item_for(rating(6, core::Satisfaction::dissatisfied, "r2"))});
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets"), "reopened") << "重办";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'appeal.rated'"), "2");
}

TEST_F(TicketIntakeTest, EventsAreAppendOnly) {
  apply({item_for(testing::sample_appeal_event(6))});
  pqxx::work txn(*connection_);
  EXPECT_THROW(txn.exec("UPDATE ticket_events SET actor = 'someone else'"), pqxx::sql_error);
}

TEST_F(TicketIntakeTest, TransactionRolledBackLeavesNoTraceAndCanBeRepeated) {
  const auto item = item_for(testing::sample_appeal_event(10));
  {
    pqxx::work txn(*connection_);
    intake_.apply(txn, {item});
    // no commit: as if the process died before committing
  }
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "0");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM processed_messages"), "0");
  EXPECT_EQ(apply({item}).outcomes, std::vector<IntakeOutcome>{IntakeOutcome::created});
}

}  // namespace
}  // namespace appealhub::storage
