#include "bus/retry_and_dead_letter.hpp"

#include <gtest/gtest.h>

namespace appealhub::bus {
namespace {

using std::chrono::milliseconds;

Delivery sample() {
  Delivery d;
  d.exchange = "appeals";
  d.routing_key = "intake.mailbox";
  d.message_id = "evt-1";
  d.type = "appeal.received";
  d.content_type = "application/json";
  d.body = R"({"schema":"appeal.v1"})";
  d.headers = {{"x-trace", "t-1"},
               {"x-death", R"([{"reason":"rejected"}])"},
               {"x-first-death-reason", "rejected"},
               {"x-last-death-queue", "router.intake"},
               {"x-delivery-count", "3"}};
  return d;
}

TEST(HubTopology, QueuesBindingsDelaysAndLimits) {
  const TopologySpec t = hub_topology();
  EXPECT_EQ(t.exchange, "appeals");
  EXPECT_EQ(t.dead_letter_exchange, "appeals.dlx");
  EXPECT_EQ(t.dead_letter_queue, "appeals.dead");
  EXPECT_EQ(t.retry_exchange, "appeals.retry");
  std::map<std::string, std::vector<std::string>> bindings;
  for (const QueueSpec& q : t.queues) {
    bindings[q.name] = q.binding_keys;
    EXPECT_EQ(q.delivery_limit, 20) << q.name;
    EXPECT_EQ(q.retry_delays, hub_retry_delays()) << q.name;
  }
  const std::map<std::string, std::vector<std::string>> expected{
      {"router.intake", {"intake.*"}},
      {"router.delivery", {"delivery.*"}},
      {"adapter.hotline12328.reply", {"reply.hotline12328"}},
      {"adapter.mailbox.reply", {"reply.mailbox"}},
      {"adapter.petition.reply", {"reply.petition"}},
      {"adapter.operator.reply", {"reply.operator"}},
  };
  EXPECT_EQ(bindings, expected);
  EXPECT_EQ(hub_retry_delays(), (std::vector<milliseconds>{milliseconds(1000), milliseconds(10000),
                                                           milliseconds(60000)}));
}

TEST(RetryRoutingKey, FollowsTheDelaysAndStaysOnTheLast) {
  EXPECT_EQ(retry_routing_key("router.intake", 1), "router.intake.retry.1000ms");
  EXPECT_EQ(retry_routing_key("router.intake", 2), "router.intake.retry.10000ms");
  EXPECT_EQ(retry_routing_key("router.intake", 3), "router.intake.retry.60000ms");
  EXPECT_EQ(retry_routing_key("router.intake", 9), "router.intake.retry.60000ms");
  EXPECT_EQ(retry_queue_name("q", milliseconds(250)), "q.retry.250ms");
  EXPECT_THROW(retry_routing_key("router.intake", 0), std::invalid_argument);
  EXPECT_THROW(retry_routing_key("q", 1, {}), std::invalid_argument);
}

TEST(DeadLetterOf, KeepsTheMessageAndAddsTheReason) {
  const OutgoingMessage m = dead_letter_of(sample(), "router.intake", "$.kind: unknown value");
  EXPECT_EQ(m.exchange, "appeals.dlx");
  EXPECT_EQ(m.routing_key, "intake.mailbox");
  EXPECT_EQ(m.body, R"({"schema":"appeal.v1"})");
  EXPECT_EQ(m.message_id, "evt-1");
  EXPECT_EQ(m.type, "appeal.received");
  EXPECT_EQ(m.content_type, "application/json");
  EXPECT_TRUE(m.mandatory);
  const std::map<std::string, std::string> expected{
      {"x-trace", "t-1"},
      {kErrorHeader, "$.kind: unknown value"},
      {kQueueHeader, "router.intake"},
      {kOriginalRoutingKeyHeader, "intake.mailbox"},
      {kOriginalExchangeHeader, "appeals"},
      {kOriginalMessageIdHeader, "evt-1"},
  };
  EXPECT_EQ(m.headers, expected);  // the broker's x-death family is not copied
}

TEST(RetryOf, GoesToTheRetryExchangeWithTheAttempt) {
  const OutgoingMessage m = retry_of(sample(), "router.intake", 2, "database unavailable");
  EXPECT_EQ(m.exchange, "appeals.retry");
  EXPECT_EQ(m.routing_key, "router.intake.retry.10000ms");
  EXPECT_EQ(m.message_id, "evt-1");
  EXPECT_EQ(m.headers.at(kAttemptHeader), "2");
  EXPECT_EQ(m.headers.at(kErrorHeader), "database unavailable");
  EXPECT_EQ(m.headers.at(kOriginalRoutingKeyHeader), "intake.mailbox");
  EXPECT_EQ(m.headers.count("x-death"), 0u);
}

TEST(RetryOf, ARetriedMessageKeepsItsOrigin) {
  // What the consumer sees when the retry comes back: default exchange, routing key = queue name.
  Delivery back = sample();
  back.exchange = "";
  back.routing_key = "router.intake";
  back.headers = retry_of(sample(), "router.intake", 1, "first").headers;
  EXPECT_EQ(retry_attempt(back), 1u);
  EXPECT_EQ(original_routing_key(back), "intake.mailbox");
  const OutgoingMessage again = retry_of(back, "router.intake", 2, "second");
  EXPECT_EQ(again.headers.at(kOriginalRoutingKeyHeader), "intake.mailbox");
  EXPECT_EQ(again.headers.at(kOriginalExchangeHeader), "appeals");
  EXPECT_EQ(again.headers.at(kErrorHeader), "second");
  const OutgoingMessage dead = dead_letter_of(back, "router.intake", "gave up");
  EXPECT_EQ(dead.routing_key, "intake.mailbox");
  EXPECT_EQ(dead.headers.at(kOriginalExchangeHeader), "appeals");
}

TEST(RetryOf, CustomTopologyAndDelays) {
  TopologySpec t;
  t.retry_exchange = "x.retry";
  QueueSpec q{"work", {"a.*"}, {milliseconds(300)}, 5};
  const OutgoingMessage m = retry_of(sample(), t, q, 4, "e");
  EXPECT_EQ(m.exchange, "x.retry");
  EXPECT_EQ(m.routing_key, "work.retry.300ms");
}

TEST(RetryAttempt, UnreadableIsZero) {
  Delivery d;
  EXPECT_EQ(retry_attempt(d), 0u);
  d.headers[kAttemptHeader] = "7";
  EXPECT_EQ(retry_attempt(d), 7u);
  d.headers[kAttemptHeader] = "7x";
  EXPECT_EQ(retry_attempt(d), 0u);
  d.headers[kAttemptHeader] = "-1";
  EXPECT_EQ(retry_attempt(d), 0u);
}

TEST(DeadLetterOf, LongErrorsAreCutOnACharacterBoundary) {
  std::string error;
  while (error.size() < 10000) error += "错误";  // 3 bytes each
  const OutgoingMessage m = dead_letter_of(sample(), "q", error);
  const std::string& cut = m.headers.at(kErrorHeader);
  EXPECT_LE(cut.size(), 4096u);
  EXPECT_EQ(cut.size() % 3, 0u);
  EXPECT_EQ(error.compare(0, cut.size(), cut), 0);
}

}  // namespace
}  // namespace appealhub::bus
