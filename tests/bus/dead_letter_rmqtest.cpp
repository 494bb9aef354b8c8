// Where failed messages go: the dead-letter queue (rejected, explicitly dead-lettered, over the
// delivery limit) and the delayed retry queues.
#include <gtest/gtest.h>

#include <set>

#include "bus/consumer.hpp"
#include "bus/dead_letters.hpp"
#include "bus/publisher.hpp"
#include "bus/retry_and_dead_letter.hpp"
#include "tests/bus/rmq_test_support.hpp"

namespace appealhub::bus {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::broker_config;
using testing::message_to;
using testing::ScopedTopology;

void publish_one(const OutgoingMessage& m, const std::string& name) {
  ConfirmedPublisher publisher(broker_config(name));
  PublishOutcome outcome = PublishOutcome::nacked;
  publisher.publish(m, [&](const OutgoingMessage&, PublishOutcome o) { outcome = o; });
  ASSERT_TRUE(publisher.flush(10s)) << publisher.last_error();
  ASSERT_EQ(outcome, PublishOutcome::confirmed) << to_string(outcome);
}

TEST(DeadLetters, RejectWithoutRequeueLandsInTheDeadLetterQueue) {
  ScopedTopology topology("reject", {{"work", {"intake.*"}, {}, 20}});
  publish_one(message_to(topology.spec().exchange, "intake.mailbox", "poison", "not json"),
              "publisher reject");

  Consumer work(broker_config("consumer reject"), topology.queue().name, 10);
  auto d = work.next(5s);
  ASSERT_TRUE(d) << work.last_error();
  EXPECT_TRUE(work.reject(*d, /*requeue=*/false));

  Consumer dead(broker_config("consumer reject dlq"), topology.spec().dead_letter_queue, 10);
  auto dl = dead.next(5s);
  ASSERT_TRUE(dl) << dead.last_error();
  EXPECT_EQ(dl->message_id, "poison");
  EXPECT_EQ(dl->body, "not json");
  EXPECT_EQ(dl->routing_key, "intake.mailbox");
  EXPECT_EQ(dl->headers.at("x-first-death-reason"), "rejected");
  EXPECT_EQ(dl->headers.at("x-first-death-queue"), topology.queue().name);
  EXPECT_NE(dl->headers.at("x-death").find("rejected"), std::string::npos)
      << dl->headers.at("x-death");
  EXPECT_TRUE(dead.ack(*dl));
  EXPECT_FALSE(work.next(300ms));  // gone from the work queue
}

TEST(DeadLetters, DeadLetterOfCarriesTheReason) {
  ScopedTopology topology("explicit", {{"work", {"intake.*"}, {}, 20}});
  publish_one(message_to(topology.spec().exchange, "intake.petition", "bad-1", R"({"x":1})"),
              "publisher explicit");

  Consumer work(broker_config("consumer explicit"), topology.queue().name, 10);
  auto d = work.next(5s);
  ASSERT_TRUE(d) << work.last_error();
  publish_one(dead_letter_of(*d, topology.spec(), topology.queue().name, "$.schema: missing"),
              "publisher explicit dl");
  EXPECT_TRUE(work.ack(*d));

  Consumer dead(broker_config("consumer explicit dlq"), topology.spec().dead_letter_queue, 10);
  auto dl = dead.next(5s);
  ASSERT_TRUE(dl) << dead.last_error();
  EXPECT_EQ(dl->message_id, "bad-1");
  EXPECT_EQ(dl->body, R"({"x":1})");
  EXPECT_EQ(dl->exchange, topology.spec().dead_letter_exchange);
  EXPECT_EQ(dl->routing_key, "intake.petition");
  EXPECT_EQ(dl->headers.at(kErrorHeader), "$.schema: missing");
  EXPECT_EQ(dl->headers.at(kQueueHeader), topology.queue().name);
  EXPECT_EQ(dl->headers.at(kOriginalRoutingKeyHeader), "intake.petition");
  EXPECT_EQ(dl->headers.at(kOriginalExchangeHeader), topology.spec().exchange);
  EXPECT_EQ(dl->headers.at(kOriginalMessageIdHeader), "bad-1");
  EXPECT_TRUE(dead.ack(*dl));
}

// `appealhub dead-letters list|replay`: listing changes nothing; replaying puts each message back
// on its exchange under its first routing key, without the failure's headers, and empties the
// dead-letter queue only of what the broker confirmed.
TEST(DeadLetters, ListedLettersStayAndReplayedOnesGoBackWhereTheyCameFrom) {
  ScopedTopology topology("replay", {{"work", {"intake.*"}, {}, 20}});
  for (const auto* id : {"dl-1", "dl-2", "dl-3"}) {
    publish_one(message_to(topology.spec().exchange, "intake.mailbox", id, R"({"n":1})"),
                "publisher replay");
  }
  {
    Consumer work(broker_config("consumer replay"), topology.queue().name, 10);
    for (int i = 0; i < 3; ++i) {
      auto d = work.next(5s);
      ASSERT_TRUE(d) << work.last_error();
      publish_one(dead_letter_of(*d, topology.spec(), topology.queue().name, "department unknown"),
                  "publisher replay dl");
      EXPECT_TRUE(work.ack(*d));
    }
  }
  const auto listed = read_dead_letters(broker_config("list"), topology.spec(), 10, false);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].routing_key, "intake.mailbox");
  EXPECT_EQ(listed[0].exchange, topology.spec().exchange);
  EXPECT_EQ(listed[0].queue, topology.queue().name);
  EXPECT_EQ(listed[0].error, "department unknown");
  EXPECT_FALSE(listed[0].replayed);
  EXPECT_TRUE(testing::eventually(5s, [&] {
    const auto dead = inspect_queue(broker_config("inspect"), topology.spec().dead_letter_queue);
    return dead && dead->messages == 3;
  })) << "listing leaves them where they are";

  const auto replayed = read_dead_letters(broker_config("replay"), topology.spec(), 2, true);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_TRUE(replayed[0].replayed && replayed[1].replayed);
  Consumer work(broker_config("consumer replayed"), topology.queue().name, 10);
  std::set<std::string> back;
  for (int i = 0; i < 2; ++i) {
    auto d = work.next(5s);
    ASSERT_TRUE(d) << work.last_error();
    EXPECT_EQ(d->routing_key, "intake.mailbox");
    EXPECT_EQ(d->body, R"({"n":1})");
    EXPECT_FALSE(d->headers.contains(kErrorHeader));
    EXPECT_FALSE(d->headers.contains(kQueueHeader));
    back.insert(d->message_id);
    EXPECT_TRUE(work.ack(*d));
  }
  EXPECT_EQ(back.size(), 2u);
  EXPECT_TRUE(testing::eventually(5s, [&] {
    const auto dead = inspect_queue(broker_config("inspect"), topology.spec().dead_letter_queue);
    return dead && dead->messages == 1;
  })) << "one left: the limit was two";
}

TEST(DeadLetters, RetryOfComesBackToTheWorkQueueAfterTheDelay) {
  ScopedTopology topology("retry", {{"work", {"intake.*"}, {400ms, 900ms}, 20}});
  const QueueSpec& queue = topology.queue();
  publish_one(message_to(topology.spec().exchange, "intake.mailbox", "flaky", "body"),
              "publisher retry");

  Consumer work(broker_config("consumer retry"), queue.name, 10);
  auto d = work.next(5s);
  ASSERT_TRUE(d) << work.last_error();
  EXPECT_EQ(retry_attempt(*d), 0u);

  for (std::size_t attempt = 1; attempt <= 2; ++attempt) {
    const auto delay = queue.retry_delays[attempt - 1];
    const auto sent = Clock::now();
    publish_one(retry_of(*d, topology.spec(), queue, attempt, "database unavailable"),
                "publisher retry " + std::to_string(attempt));
    ASSERT_TRUE(work.ack(*d));
    auto back = work.next(10s);
    const auto waited = Clock::now() - sent;
    ASSERT_TRUE(back) << "attempt " << attempt << ": " << work.last_error();
    EXPECT_GE(waited, delay - 50ms) << "attempt " << attempt;
    EXPECT_LT(waited, delay + 5s) << "attempt " << attempt;
    EXPECT_EQ(back->message_id, "flaky");
    EXPECT_EQ(back->body, "body");
    EXPECT_EQ(retry_attempt(*back), attempt);
    EXPECT_EQ(back->headers.at(kErrorHeader), "database unavailable");
    EXPECT_EQ(original_routing_key(*back), "intake.mailbox");
    EXPECT_EQ(back->headers.at(kOriginalExchangeHeader), topology.spec().exchange);
    EXPECT_EQ(back->routing_key, queue.name);  // dead-lettered back via the default exchange
    std::cout << "[ figures  ] retry " << attempt << " (delay "
              << std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()
              << " ms) came back after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms\n";
    d = std::move(back);
  }
  EXPECT_TRUE(work.ack(*d));
  for (auto delay : queue.retry_delays) {
    auto state = inspect_queue(broker_config("inspect"), retry_queue_name(queue.name, delay));
    ASSERT_TRUE(state);
    EXPECT_EQ(state->messages, 0u);
  }
}

TEST(DeadLetters, DeliveryLimitDeadLettersAPoisonMessage) {
  constexpr int kLimit = 3;
  ScopedTopology topology("limit", {{"work", {"intake.*"}, {}, kLimit}});
  publish_one(message_to(topology.spec().exchange, "intake.mailbox", "crasher"), "publisher limit");

  Consumer work(broker_config("consumer limit"), topology.queue().name, 1);
  int deliveries = 0;
  std::int64_t last_count = -1;
  while (auto d = work.next(2s)) {
    ++deliveries;
    EXPECT_EQ(d->redelivered, deliveries > 1);
    EXPECT_EQ(d->delivery_count, deliveries - 1);
    last_count = d->delivery_count;
    ASSERT_TRUE(work.reject(*d, /*requeue=*/true));
    ASSERT_LE(deliveries, kLimit + 5) << "the delivery limit did not stop the message";
  }
  // Delivered once plus kLimit redeliveries; the kLimit-th return dead-letters it.
  EXPECT_EQ(deliveries, kLimit + 1);
  EXPECT_EQ(last_count, kLimit);

  Consumer dead(broker_config("consumer limit dlq"), topology.spec().dead_letter_queue, 10);
  auto dl = dead.next(5s);
  ASSERT_TRUE(dl) << dead.last_error();
  EXPECT_EQ(dl->message_id, "crasher");
  EXPECT_EQ(dl->headers.at("x-first-death-reason"), "delivery_limit");
  EXPECT_TRUE(dead.ack(*dl));
}

}  // namespace
}  // namespace appealhub::bus
