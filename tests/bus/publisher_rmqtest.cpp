// ConfirmedPublisher against a real broker: outcomes, the window, what arrives.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "tests/bus/rmq_test_support.hpp"

namespace appealhub::bus {
namespace {

using namespace std::chrono_literals;
using testing::broker_config;
using testing::message_to;
using testing::ScopedTopology;
using testing::take;

TEST(ConfirmedPublisher, RoutableIsConfirmedAndUnroutableMandatoryIsReturned) {
  ScopedTopology topology("outcomes", {{"work", {"intake.*"}, {}, 20}});
  ConfirmedPublisher publisher(broker_config("publisher outcomes"));
  std::map<std::string, PublishOutcome> outcomes;
  auto record = [&](const OutgoingMessage& m, PublishOutcome o) { outcomes[m.message_id] = o; };

  publisher.publish(message_to(topology.spec().exchange, "intake.mailbox", "routable"), record);
  publisher.publish(message_to(topology.spec().exchange, "nowhere.at.all", "unroutable"), record);
  publisher.publish(message_to(topology.spec().exchange, "intake.petition", "routable-2"), record);
  ASSERT_TRUE(publisher.flush(10s)) << publisher.last_error();

  EXPECT_EQ(outcomes.at("routable"), PublishOutcome::confirmed);
  EXPECT_EQ(outcomes.at("unroutable"), PublishOutcome::returned);
  EXPECT_EQ(outcomes.at("routable-2"), PublishOutcome::confirmed);
  const auto stats = publisher.stats();
  EXPECT_EQ(stats.published, 3u);
  EXPECT_EQ(stats.confirmed, 2u);
  EXPECT_EQ(stats.returned, 1u);
  EXPECT_EQ(publisher.unconfirmed(), 0u);
}

TEST(ConfirmedPublisher, MessageToAMissingExchangeIsNackedAndTheOthersStillArrive) {
  ScopedTopology topology("missing_exchange", {{"work", {"intake.*"}, {}, 20}});
  ConfirmedPublisher publisher(broker_config("publisher missing exchange"));
  std::map<std::string, PublishOutcome> outcomes;
  auto record = [&](const OutgoingMessage& m, PublishOutcome o) { outcomes[m.message_id] = o; };

  for (int i = 0; i < 50; ++i) {
    if (i == 20) {
      publisher.publish(message_to(topology.prefix() + ".no-such-exchange", "intake.x", "lost"),
                        record);
    }
    publisher.publish(
        message_to(topology.spec().exchange, "intake.mailbox", "m" + std::to_string(i)), record);
  }
  ASSERT_TRUE(publisher.flush(15s)) << publisher.last_error();
  EXPECT_EQ(outcomes.at("lost"), PublishOutcome::nacked);
  EXPECT_NE(publisher.last_error().find("no-such-exchange"), std::string::npos)
      << publisher.last_error();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(outcomes.at("m" + std::to_string(i)), PublishOutcome::confirmed) << i;
  }

  Consumer consumer(broker_config("consumer missing exchange"), topology.queue().name, 100);
  std::set<std::string> ids;
  for (const Delivery& d : take(consumer, 50, 10s)) ids.insert(d.message_id);
  while (auto d = consumer.next(300ms)) ids.insert(d->message_id);
  EXPECT_EQ(ids.size(), 50u);  // every good message arrived (some perhaps twice: at least once)
}

TEST(ConfirmedPublisher, WindowBoundsTheUnconfirmedMessages) {
  ScopedTopology topology("window", {{"work", {"intake.*"}, {}, 20}});
  constexpr std::size_t kWindow = 10;
  ConfirmedPublisher publisher(broker_config("publisher window"), kWindow);
  std::size_t most = 0, settled = 0;
  for (int i = 0; i < 500; ++i) {
    publisher.publish(
        message_to(topology.spec().exchange, "intake.mailbox", "w" + std::to_string(i)),
        [&](const OutgoingMessage&, PublishOutcome o) {
          EXPECT_EQ(o, PublishOutcome::confirmed);
          ++settled;
        });
    most = std::max(most, publisher.unconfirmed());
    ASSERT_LE(publisher.unconfirmed(), kWindow);
  }
  ASSERT_TRUE(publisher.flush(10s)) << publisher.last_error();
  EXPECT_EQ(settled, 500u);
  EXPECT_GE(most, 2u);  // the window was used, not one message at a time
  std::cout << "[ figures  ] most unconfirmed with window " << kWindow << ": " << most << "\n";
}

TEST(ConfirmedPublisher, PropertiesAndHeadersReachTheConsumer) {
  ScopedTopology topology("properties", {{"work", {"intake.*"}, {}, 20}});
  ConfirmedPublisher publisher(broker_config("publisher properties"));
  OutgoingMessage m = message_to(topology.spec().exchange, "intake.hotline12328", "evt-42",
                                 R"({"schema":"appeal.v1"})");
  m.type = "appeal.received";
  m.headers = {{"x-trace", "abc"}, {"x-unicode", "投诉 ✓"}};
  publisher.publish(m);
  ASSERT_TRUE(publisher.flush(10s)) << publisher.last_error();

  Consumer consumer(broker_config("consumer properties"), topology.queue().name, 10);
  auto d = consumer.next(5s);
  ASSERT_TRUE(d) << consumer.last_error();
  EXPECT_EQ(d->message_id, "evt-42");
  EXPECT_EQ(d->type, "appeal.received");
  EXPECT_EQ(d->content_type, "application/json");
  EXPECT_EQ(d->body, R"({"schema":"appeal.v1"})");
  EXPECT_EQ(d->exchange, topology.spec().exchange);
  EXPECT_EQ(d->routing_key, "intake.hotline12328");
  EXPECT_EQ(d->headers.at("x-trace"), "abc");
  EXPECT_EQ(d->headers.at("x-unicode"), "投诉 ✓");
  EXPECT_EQ(d->headers.count(kPublishSeqHeader), 0u);
  EXPECT_FALSE(d->redelivered);
  EXPECT_EQ(d->delivery_count, 0);
  EXPECT_EQ(d->generation, 1u);
  EXPECT_TRUE(consumer.ack(*d));
}

TEST(ConfirmedPublisher, CallbacksMayPublish) {
  ScopedTopology topology("reentrant", {{"work", {"intake.*"}, {}, 20}});
  ConfirmedPublisher publisher(broker_config("publisher reentrant"), 5);
  int confirmed = 0;
  std::function<void(const OutgoingMessage&, PublishOutcome)> chain = [&](const OutgoingMessage& m,
                                                                          PublishOutcome o) {
    EXPECT_EQ(o, PublishOutcome::confirmed);
    ++confirmed;
    if (m.message_id.size() < 6) {
      publisher.publish(message_to(m.exchange, m.routing_key, m.message_id + "+"), chain);
    }
  };
  publisher.publish(message_to(topology.spec().exchange, "intake.mailbox", "c"), chain);
  ASSERT_TRUE(publisher.flush(10s));
  EXPECT_EQ(confirmed, 6);  // c, c+, c++, … c+++++
}

}  // namespace
}  // namespace appealhub::bus
