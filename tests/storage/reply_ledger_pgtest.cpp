// The delivery ledger in PostgreSQL: one row per reply_id, claims that exclude each other, a dead
// holder's row taken again after the lease, nothing sent for a withdrawn ticket, attempts and
// events recorded with the state, retries that back off and end, callbacks, resends, and outcomes
// applied to tickets once. Needs PostgreSQL.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/codec.hpp"
#include "core/ids.hpp"
#include "storage/database.hpp"
#include "storage/reply_ledger.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::storage {
namespace {

using Outcome = DeliveryAttempt::Outcome;

core::Event reply_event(const std::string& reply_id, std::int64_t ticket,
                        const std::string& channel,
                        core::ReplyType type = core::ReplyType::final_answer) {
  core::ReplyRequested r;
  r.reply_id = reply_id;
  r.ticket_id = ticket;
  r.channel = channel;
  r.external_id = "X" + std::to_string(ticket);
  r.type = type;
  r.content = "已处理。";
  r.department = "市道路运输事务中心";
  r.answered_at = *core::parse_rfc3339("2026-11-28T15:02:11+08:00");
  core::Event e;
  e.event_id = core::make_event_id("reply.requested", channel, r.external_id, reply_id);
  e.occurred_at = r.answered_at;
  e.producer = "relay";
  e.body = r;
  return e;
}

class ReplyLedgerTest : public ::testing::Test {
 protected:
  ReplyLedgerTest() : db_("reply_ledger"), connection_(connect({db_.uri()})) {}

  std::int64_t ticket(const std::string& status, const std::string& channel = "mailbox") {
    const auto n = ++tickets_;
    db_.exec(
        "INSERT INTO tickets (channel, external_id, status, kind, category, urgency, title, "
        "received_at, appeal, lead_department, answered_at) VALUES ('" +
        channel + "', 'X" + std::to_string(n) + "', '" + status +
        "', 'complaint', 'taxi', 'normal', 't', now(), '{}', 'd1', now() - interval '1 minute')");
    return std::stoll(db_.scalar("SELECT max(id) FROM tickets"));
  }

  bool record(const ReplyLedger& ledger, const core::Event& e) {
    pqxx::work txn(*connection_);
    const bool fresh = ledger.record_request(txn, e, core::encode_event(e));
    txn.commit();
    return fresh;
  }

  std::vector<ClaimedReply> claim(const ReplyLedger& ledger, const std::string& channel) {
    pqxx::work txn(*connection_);
    auto out = ledger.claim(txn, channel, 10);
    txn.commit();
    return out;
  }

  bool settle(const ReplyLedger& ledger, const ClaimedReply& c, DeliveryAttempt a) {
    pqxx::work txn(*connection_);
    const bool held = ledger.record(txn, c, a);
    txn.commit();
    return held;
  }

  std::string state(const std::string& reply_id) {
    return db_.scalar("SELECT state FROM reply_ledger WHERE reply_id = '" + reply_id + "'");
  }
  std::string outbox_count(const std::string& type) {
    return db_.scalar("SELECT count(*) FROM outbox WHERE type = '" + type + "'");
  }

  testing::TestDatabase db_;
  std::unique_ptr<pqxx::connection> connection_;
  int tickets_ = 0;
};

TEST_F(ReplyLedgerTest, OneRowPerReplyIdHoweverOftenItArrives) {
  const ReplyLedger ledger;
  const auto e = reply_event("ans-1-t1", ticket("answered"), "mailbox");
  EXPECT_TRUE(record(ledger, e));
  EXPECT_FALSE(record(ledger, e));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM reply_ledger"), "1");
  EXPECT_EQ(state("ans-1-t1"), "queued");
}

TEST_F(ReplyLedgerTest, DeliveredAttemptIsRecordedWithItsEventInTheOutbox) {
  const ReplyLedger ledger;
  const auto t = ticket("answered");
  record(ledger, reply_event("r1", t, "mailbox"));
  const auto claimed = claim(ledger, "mailbox");
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].attempt, 1);
  EXPECT_EQ(state("r1"), "sending");
  EXPECT_TRUE(claim(ledger, "mailbox").empty()) << "a held row is not claimed twice";
  EXPECT_TRUE(claim(ledger, "petition").empty());
  DeliveryAttempt a;
  a.outcome = Outcome::delivered;
  a.status_code = 201;
  a.channel_reply_id = "R88123";
  a.excerpt = R"({"reply_id":"R88123"})";
  EXPECT_TRUE(settle(ledger, claimed[0], a));
  EXPECT_EQ(state("r1"), "delivered");
  EXPECT_EQ(db_.scalar("SELECT channel_reply_id FROM reply_ledger"), "R88123");
  EXPECT_EQ(db_.scalar("SELECT status_code || ' ' || outcome FROM reply_attempts"),
            "201 delivered");
  EXPECT_EQ(outbox_count("reply.delivered"), "1");
  EXPECT_EQ(db_.scalar("SELECT routing_key FROM outbox WHERE type = 'reply.delivered'"),
            "delivery.mailbox");
}

TEST_F(ReplyLedgerTest, ManyRepliesSettleTogetherAndALostLeaseIsLeftToItsNewHolder) {
  DeliveryPolicy policy;
  policy.max_attempts = 5;
  const ReplyLedger ledger(policy);
  for (const char* id : {"m1", "m2", "m3", "m4"}) {
    record(ledger, reply_event(id, ticket("answered"), "hotline12328"));
  }
  const auto claimed = claim(ledger, "hotline12328");
  ASSERT_EQ(claimed.size(), 4u);
  // m3's lease passed and another sender holds it now.
  db_.exec(
      "UPDATE reply_ledger SET sending_since = now() + interval '1 minute' "
      "WHERE reply_id = 'm3'");
  std::map<std::string, DeliveryAttempt> by_id;
  by_id["m1"].outcome = Outcome::delivered;
  by_id["m1"].channel_reply_id = "f1.csv";
  by_id["m2"].outcome = Outcome::retry;
  by_id["m2"].reason = "12328: 系统繁忙请重试";
  by_id["m3"].outcome = Outcome::delivered;
  by_id["m4"].outcome = Outcome::failed;
  by_id["m4"].reason = "12328: 工单不存在";
  std::vector<std::pair<ClaimedReply, DeliveryAttempt>> settled;
  for (const auto& c : claimed) settled.emplace_back(c, by_id.at(c.request.reply_id));
  std::vector<bool> held;
  {
    pqxx::work txn(*connection_);
    held = ledger.record_all(txn, settled);
    txn.commit();
  }
  std::map<std::string, bool> held_by_id;
  for (std::size_t i = 0; i < claimed.size(); ++i)
    held_by_id[claimed[i].request.reply_id] = held[i];
  EXPECT_EQ(held_by_id,
            (std::map<std::string, bool>{{"m1", true}, {"m2", true}, {"m3", false}, {"m4", true}}));
  EXPECT_EQ(db_.scalar("SELECT string_agg(reply_id || ' ' || state || ' ' || last_error || ' ' "
                       "|| channel_reply_id, '; ' ORDER BY reply_id) FROM reply_ledger"),
            "m1 delivered  f1.csv; m2 retrying 12328: 系统繁忙请重试 ; m3 sending  ; "
            "m4 failed 12328: 工单不存在 ");
  EXPECT_EQ(db_.scalar("SELECT next_attempt_at > now() FROM reply_ledger WHERE reply_id = 'm2'"),
            "t");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM reply_attempts"), "4") << "every attempt recorded";
  EXPECT_EQ(outbox_count("reply.delivered"), "1") << "none for the lost lease";
  EXPECT_EQ(outbox_count("reply.failed"), "2");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'reply.failed' AND "
                       "convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'final' = 'true'"),
            "1");
}

TEST_F(ReplyLedgerTest, NothingIsSentForAWithdrawnOrReassignedTicket) {
  const ReplyLedger ledger;
  record(ledger, reply_event("w1", ticket("withdrawn"), "mailbox"));
  record(ledger, reply_event("w2", ticket("reassigned_out", "petition"), "petition"));
  EXPECT_TRUE(claim(ledger, "mailbox").empty());
  EXPECT_TRUE(claim(ledger, "petition").empty());
  EXPECT_EQ(state("w1"), "failed");
  EXPECT_EQ(state("w2"), "failed");
  EXPECT_EQ(db_.scalar("SELECT last_error FROM reply_ledger WHERE reply_id = 'w1'"),
            "not sent: the ticket is withdrawn");
  const auto body = nlohmann::json::parse(
      db_.scalar("SELECT convert_from(body, 'UTF8') FROM outbox WHERE type = 'reply.failed' "
                 "AND routing_key = 'delivery.petition'"));
  EXPECT_TRUE(body["data"]["final"].get<bool>());
}

TEST_F(ReplyLedgerTest, ADeadHoldersRowIsTakenAgainAfterTheLeaseUnderTheSameId) {
  DeliveryPolicy policy;
  policy.lease = std::chrono::seconds(1);
  const ReplyLedger ledger(policy);
  record(ledger, reply_event("lease-1", ticket("answered"), "mailbox"));
  const auto first = claim(ledger, "mailbox");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(claim(ledger, "mailbox").empty());
  db_.exec("UPDATE reply_ledger SET sending_since = sending_since - interval '2 seconds'");
  const auto again = claim(ledger, "mailbox");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].request.reply_id, "lease-1");
  EXPECT_EQ(again[0].attempt, 2);
  // The first holder wakes up late: its answer is recorded, the state is the new holder's.
  DeliveryAttempt late;
  late.outcome = Outcome::retry;
  late.reason = "timeout";
  EXPECT_FALSE(settle(ledger, first[0], late));
  EXPECT_EQ(state("lease-1"), "sending");
  DeliveryAttempt ok;
  ok.outcome = Outcome::delivered;
  ok.status_code = 200;
  EXPECT_TRUE(settle(ledger, again[0], ok));
  EXPECT_EQ(state("lease-1"), "delivered");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM reply_attempts"), "2");
}

TEST_F(ReplyLedgerTest, RetriesBackOffHonourRetryAfterAndEndInAFinalFailure) {
  DeliveryPolicy policy;
  policy.max_attempts = 3;
  policy.backoff_min = std::chrono::milliseconds(1);
  policy.backoff_max = std::chrono::milliseconds(1);
  const ReplyLedger ledger(policy);
  record(ledger, reply_event("retry-1", ticket("answered"), "mailbox"));
  DeliveryAttempt busy;
  busy.outcome = Outcome::retry;
  busy.status_code = 503;
  busy.retry_after = std::chrono::seconds(30);
  busy.reason = "the mailbox answered 503";
  auto c = claim(ledger, "mailbox");
  ASSERT_EQ(c.size(), 1u);
  settle(ledger, c[0], busy);
  EXPECT_EQ(state("retry-1"), "retrying");
  EXPECT_EQ(db_.scalar("SELECT next_attempt_at > now() + interval '29 seconds' FROM reply_ledger"),
            "t");
  EXPECT_TRUE(claim(ledger, "mailbox").empty()) << "not before its time";
  db_.exec("UPDATE reply_ledger SET next_attempt_at = now()");
  busy.retry_after.reset();
  for (int i = 2; i <= 3; ++i) {
    c = claim(ledger, "mailbox");
    ASSERT_EQ(c.size(), 1u) << i;
    EXPECT_EQ(c[0].attempt, i);
    settle(ledger, c[0], busy);
    db_.exec("UPDATE reply_ledger SET next_attempt_at = now()");
  }
  EXPECT_EQ(state("retry-1"), "failed");
  EXPECT_EQ(db_.scalar("SELECT last_error FROM reply_ledger"),
            "gave up after 3 attempts: the mailbox answered 503");
  EXPECT_EQ(outbox_count("reply.failed"), "3");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'reply.failed' AND "
                       "convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'final' = 'true'"),
            "1");

  // A manager sends it again: queued, attempts kept, a fresh budget.
  {
    pqxx::work txn(*connection_);
    EXPECT_EQ(ledger.resend(txn, "retry-1", "boss"), std::optional<std::string>("failed"));
    EXPECT_EQ(ledger.resend(txn, "nope", "boss"), std::nullopt);
    txn.commit();
  }
  EXPECT_EQ(state("retry-1"), "queued");
  c = claim(ledger, "mailbox");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempt, 4);
  settle(ledger, c[0], busy);
  EXPECT_EQ(state("retry-1"), "retrying");
}

TEST_F(ReplyLedgerTest, ThrottledAttemptsAreRecordedButNotCountedNorBackedOff) {
  DeliveryPolicy policy;
  policy.max_attempts = 2;
  policy.backoff_min = std::chrono::hours(1);  // a counted retry would wait this long
  const ReplyLedger ledger(policy);
  record(ledger, reply_event("throttled-1", ticket("answered"), "mailbox"));
  DeliveryAttempt limited;
  limited.outcome = Outcome::retry;
  limited.status_code = 429;
  limited.throttled = true;
  limited.retry_after = std::chrono::seconds(2);
  limited.reason = "the mailbox answered 429";
  for (int i = 1; i <= 5; ++i) {
    const auto c = claim(ledger, "mailbox");
    ASSERT_EQ(c.size(), 1u) << i;
    EXPECT_EQ(c[0].attempt, i);
    EXPECT_TRUE(settle(ledger, c[0], limited));
    EXPECT_EQ(state("throttled-1"), "retrying") << i;
    EXPECT_EQ(db_.scalar("SELECT next_attempt_at BETWEEN now() + interval '1.5 seconds' AND "
                         "now() + interval '2.5 seconds' FROM reply_ledger"),
              "t")
        << "due after Retry-After, not after the policy's backoff";
    db_.exec("UPDATE reply_ledger SET next_attempt_at = now()");
  }
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM reply_attempts WHERE status_code = 429"), "5");
  EXPECT_EQ(outbox_count("reply.failed"), "0") << "a rate limit is not a failure of the reply";

  // The budget is untouched: a real failure is still retried once before the final one.
  DeliveryAttempt busy;
  busy.outcome = Outcome::retry;
  busy.status_code = 503;
  busy.reason = "the mailbox answered 503";
  auto c = claim(ledger, "mailbox");
  ASSERT_EQ(c.size(), 1u);
  settle(ledger, c[0], busy);
  EXPECT_EQ(state("throttled-1"), "retrying");
  db_.exec("UPDATE reply_ledger SET next_attempt_at = now()");
  c = claim(ledger, "mailbox");
  ASSERT_EQ(c.size(), 1u);
  settle(ledger, c[0], busy);
  EXPECT_EQ(state("throttled-1"), "failed");
  EXPECT_EQ(outbox_count("reply.failed"), "2");
}

TEST_F(ReplyLedgerTest, BackoffGrowsWithJitterUpToTheCeiling) {
  DeliveryPolicy p;
  p.backoff_min = std::chrono::milliseconds(1000);
  p.backoff_max = std::chrono::milliseconds(8000);
  for (int i = 0; i < 50; ++i) {
    const auto d1 = retry_delay(p, 1, std::nullopt).count();
    EXPECT_GE(d1, 500);
    EXPECT_LE(d1, 1000);
    const auto d3 = retry_delay(p, 3, std::nullopt).count();
    EXPECT_GE(d3, 2000);
    EXPECT_LE(d3, 4000);
    EXPECT_LE(retry_delay(p, 30, std::nullopt).count(), 8000);
    EXPECT_GE(retry_delay(p, 1, std::chrono::seconds(20)).count(), 20000);
  }
}

TEST_F(ReplyLedgerTest, OperatorCallbacksAreTheDeliveryAndTheThirdMissIsFinal) {
  const ReplyLedger ledger;
  const auto reached = ticket("answered", "operator");
  const auto missed = ticket("answered", "operator");
  record(ledger, reply_event("op-1", reached, "operator"));
  record(ledger, reply_event("op-2", missed, "operator"));
  pqxx::work txn(*connection_);
  EXPECT_EQ(ledger.record_callback(txn, reached, true, "op", "读了答复"), 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ledger.record_callback(txn, missed, false, "op", ""), 1);
  EXPECT_EQ(ledger.record_callback(txn, missed, false, "op", ""), 0) << "nothing left waiting";
  txn.commit();
  EXPECT_EQ(state("op-1"), "delivered");
  EXPECT_EQ(state("op-2"), "failed");
  EXPECT_EQ(db_.scalar("SELECT attempts FROM reply_ledger WHERE reply_id = 'op-2'"), "3");
}

TEST_F(ReplyLedgerTest, OutcomesReachTheTicketOnceAndTheFinalAnswerDelivers) {
  const ReplyLedger ledger;
  const auto t = ticket("answered");
  record(ledger, reply_event("fin-1", t, "mailbox"));
  core::ReplyDelivered d;
  d.reply_id = "fin-1";
  d.ticket_id = t;
  d.channel = "mailbox";
  d.external_id = "X1";
  d.delivered_at = *core::parse_rfc3339("2026-11-28T15:02:14+08:00");
  core::Event e;
  e.event_id = core::make_event_id("reply.delivered", "mailbox", "X1", "fin-1");
  e.occurred_at = d.delivered_at;
  e.producer = "adapter.mailbox";
  e.body = d;
  {
    pqxx::work txn(*connection_);
    EXPECT_TRUE(apply_delivery_outcome(txn, "router.delivery", e));
    EXPECT_FALSE(apply_delivery_outcome(txn, "router.delivery", e));
    txn.commit();
  }
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets WHERE id = " + std::to_string(t)), "delivered");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'reply.delivered'"), "1");

  // An interim answer's delivery leaves an answered ticket answered.
  const auto t2 = ticket("answered");
  record(ledger, reply_event("int-1", t2, "mailbox", core::ReplyType::interim));
  d.reply_id = "int-1";
  d.ticket_id = t2;
  e.event_id = core::make_event_id("reply.delivered", "mailbox", "X2", "int-1");
  e.body = d;
  pqxx::work txn(*connection_);
  EXPECT_TRUE(apply_delivery_outcome(txn, "router.delivery", e));
  txn.commit();
  EXPECT_EQ(db_.scalar("SELECT status FROM tickets WHERE id = " + std::to_string(t2)), "answered");
}

TEST_F(ReplyLedgerTest, ListsShowFailuresByDepartmentAndATicketsReplies) {
  const ReplyLedger ledger;
  const auto t = ticket("withdrawn");
  record(ledger, reply_event("lst-1", t, "mailbox"));
  claim(ledger, "mailbox");
  pqxx::work txn(*connection_);
  ReplyFilter f;
  f.states = {"failed"};
  const auto all = list_replies(txn, f);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["reply_id"], "lst-1");
  EXPECT_EQ(all[0]["last_attempt"]["code"], "not_sent");
  f.departments = {"d2"};
  EXPECT_TRUE(list_replies(txn, f).empty());
  f.departments = {"d1"};
  EXPECT_EQ(list_replies(txn, f).size(), 1u);
  const auto mine = ticket_replies(txn, t);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["state"], "failed");
  EXPECT_EQ(reply_department(txn, "lst-1"), std::optional<std::string>("d1"));
}

}  // namespace
}  // namespace appealhub::storage
