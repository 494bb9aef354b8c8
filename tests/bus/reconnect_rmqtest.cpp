// Connections broken on purpose: through a proxy that resets every connection (a network
// failure), and by the broker force-closing them (rabbitmqctl close_connection). Nothing published
// may be lost; a consumer keeps going.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "tests/bus/rmq_test_support.hpp"

namespace appealhub::bus {
namespace {

using namespace std::chrono_literals;
using testing::broker_config;
using testing::ChaosProxy;
using testing::message_to;
using testing::ScopedTopology;
using testing::take;

BrokerConfig through(const ChaosProxy& proxy, const std::string& name) {
  BrokerConfig c = broker_config(name);
  c.uri = proxy.uri_through(c.uri);
  return c;
}

// Consumes until `expected` distinct ids are seen (or nothing arrives for 5 s); returns the count
// of each id.
std::map<std::string, int> consume_all(const std::string& queue, std::size_t expected,
                                       const std::string& name) {
  Consumer consumer(broker_config(name), queue, 500);
  std::map<std::string, int> seen;
  while (seen.size() < expected) {
    auto d = consumer.next(5s);
    if (!d) break;
    ++seen[d->message_id];
    consumer.ack(*d);
  }
  while (auto d = consumer.next(300ms)) {  // late duplicates
    ++seen[d->message_id];
    consumer.ack(*d);
  }
  return seen;
}

int duplicates(const std::map<std::string, int>& seen) {
  int n = 0;
  for (const auto& [id, count] : seen) n += count - 1;
  return n;
}

TEST(Reconnect, PublisherRepublishesUnconfirmedAfterTheNetworkBreaks) {
  ScopedTopology topology("pub_cut", {{"work", {"intake.*"}, {}, 20}});
  const BrokerAddress a = parse_broker_uri(testing::broker_uri());
  ChaosProxy proxy(a.host, a.port);
  ConfirmedPublisher publisher(through(proxy, "publisher cut"), 500);
  constexpr int kMessages = 6000;
  std::size_t confirmed = 0;
  const std::string body(512, 'p');
  for (int i = 0; i < kMessages; ++i) {
    if (i == 2000 || i == 4000) proxy.cut();
    publisher.publish(
        message_to(topology.spec().exchange, "intake.mailbox", "cut-" + std::to_string(i), body),
        [&](const OutgoingMessage&, PublishOutcome o) {
          EXPECT_EQ(o, PublishOutcome::confirmed);
          ++confirmed;
        });
  }
  ASSERT_TRUE(publisher.flush(60s)) << publisher.last_error();
  const auto stats = publisher.stats();
  EXPECT_EQ(confirmed, static_cast<std::size_t>(kMessages));
  EXPECT_GE(stats.reconnects, 2u) << publisher.last_error();

  const auto seen = consume_all(topology.queue().name, kMessages, "consumer pub cut");
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));  // nothing lost
  std::cout << "[ figures  ] 2 network cuts: reconnects " << stats.reconnects << ", republished "
            << stats.republished << ", duplicates consumed " << duplicates(seen) << "\n";
}

TEST(Reconnect, ConsumerSurvivesTheNetworkBreakingAndStaleAcksAreRefused) {
  ScopedTopology topology("con_cut", {{"work", {"intake.*"}, {}, 20}});
  {
    ConfirmedPublisher publisher(broker_config("publisher con cut"));
    for (int i = 0; i < 300; ++i) {
      publisher.publish(
          message_to(topology.spec().exchange, "intake.mailbox", "c-" + std::to_string(i)));
    }
    ASSERT_TRUE(publisher.flush(20s)) << publisher.last_error();
  }
  const BrokerAddress a = parse_broker_uri(testing::broker_uri());
  ChaosProxy proxy(a.host, a.port);
  Consumer consumer(through(proxy, "consumer cut"), topology.queue().name, 20);
  std::set<std::string> acked;
  for (const Delivery& d : take(consumer, 100, 10s)) acked.insert(d.message_id);
  ASSERT_EQ(acked.size(), 100u);
  auto held = consumer.next(5s);  // not acked before the cut
  ASSERT_TRUE(held);
  EXPECT_EQ(held->generation, 1u);

  proxy.cut();
  // The consumer may still hand out deliveries it had read before noticing the cut (and acks
  // written just before the cut may never reach the broker: those messages come again). Then it
  // reconnects, and the broker redelivers everything unacked, `held` included.
  std::set<std::string> seen = acked;
  bool saw_held_again = false;
  while (seen.size() < 300 || !saw_held_again) {
    auto d = consumer.next(10s);
    ASSERT_TRUE(d) << "stalled after the cut: " << consumer.last_error();
    if (d->message_id == held->message_id) {
      saw_held_again = true;
      EXPECT_TRUE(d->redelivered);
      EXPECT_EQ(d->generation, 2u);
    }
    seen.insert(d->message_id);
    consumer.ack(*d);
  }
  EXPECT_FALSE(consumer.ack(*held));  // its connection is gone: a no-op
  EXPECT_FALSE(consumer.reject(*held, false));
  EXPECT_EQ(consumer.stats().reconnects, 1u);
  EXPECT_EQ(consumer.generation(), 2u);
}

// A cluster's node going away (broker.hosts): the URI's host stops answering, and the publisher
// and the consumer carry on through the next host; nothing published is lost.
TEST(Reconnect, BothFailOverToTheNextHostWhenTheirNodeIsGone) {
  ScopedTopology topology("failover", {{"work", {"intake.*"}, {}, 20}});
  const BrokerAddress a = parse_broker_uri(testing::broker_uri());
  auto first = std::make_unique<ChaosProxy>(a.host, a.port);
  ChaosProxy second(a.host, a.port);
  const auto config = [&](const std::string& name) {
    BrokerConfig c = through(*first, name);
    c.hosts = {"127.0.0.1:" + std::to_string(second.port())};
    return c;
  };
  ConfirmedPublisher publisher(config("publisher failover"), 500);
  Consumer consumer(config("consumer failover"), topology.queue().name, 50);
  std::set<std::string> seen;
  const auto publish = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      publisher.publish(
          message_to(topology.spec().exchange, "intake.mailbox", "f-" + std::to_string(i)));
    }
    return publisher.flush(30s);
  };
  ASSERT_TRUE(publish(0, 200)) << publisher.last_error();
  for (const Delivery& d : take(consumer, 200, 10s)) seen.insert(d.message_id);
  EXPECT_EQ(second.connections(), 0);
  first->cut();  // the node dies: its connections break and no new one is taken
  first.reset();
  ASSERT_TRUE(publish(200, 400)) << publisher.last_error();
  while (seen.size() < 400) {
    auto d = consumer.next(10s);
    ASSERT_TRUE(d) << "stalled after the node went: " << consumer.last_error();
    seen.insert(d->message_id);
    consumer.ack(*d);
  }
  EXPECT_EQ(second.connections(), 2);
  EXPECT_GE(publisher.stats().reconnects, 1u);
  EXPECT_EQ(consumer.stats().reconnects, 1u);
}

TEST(Reconnect, MissedHeartbeatsRevealASilentlyDeadConnection) {
  ScopedTopology topology("frozen", {{"work", {"intake.*"}, {}, 20}});
  const BrokerAddress a = parse_broker_uri(testing::broker_uri());
  ChaosProxy proxy(a.host, a.port);
  BrokerConfig consumer_config = through(proxy, "consumer frozen");
  consumer_config.heartbeat_seconds = 1;
  Consumer consumer(consumer_config, topology.queue().name, 10);
  EXPECT_FALSE(consumer.next(200ms));
  ASSERT_TRUE(consumer.connected()) << consumer.last_error();

  BrokerConfig publisher_config = through(proxy, "publisher frozen");
  publisher_config.heartbeat_seconds = 1;
  ConfirmedPublisher publisher(publisher_config);
  publisher.publish(message_to(topology.spec().exchange, "intake.mailbox", "before"));
  ASSERT_TRUE(publisher.flush(5s)) << publisher.last_error();

  proxy.freeze();  // nothing passes any more, and nobody is told
  publisher.publish(message_to(topology.spec().exchange, "intake.mailbox", "during"));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(publisher.flush(20s)) << publisher.last_error();
  const auto publisher_took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(publisher.stats().reconnects, 1u);
  EXPECT_NE(publisher.last_error().find("heartbeat"), std::string::npos) << publisher.last_error();

  // The consumer's connection died too: whatever it acked meanwhile comes again.
  std::set<std::string> ids;
  testing::eventually(20s, [&] {
    for (const Delivery& d : take(consumer, 1, 200ms)) ids.insert(d.message_id);
    return ids.size() == 2;
  });
  EXPECT_EQ(ids, (std::set<std::string>{"before", "during"}));
  EXPECT_EQ(consumer.stats().reconnects, 1u);
  std::cout << "[ figures  ] heartbeat 1 s: publisher noticed the dead connection and confirmed "
            << "after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(publisher_took).count()
            << " ms\n";
}

TEST(Reconnect, BothSurviveTheBrokerForceClosingTheirConnections) {
  ScopedTopology topology("forced", {{"work", {"intake.*"}, {}, 20}});
  const std::string tag = topology.prefix() + " forced";
  ConfirmedPublisher publisher(broker_config(tag + " publisher"), 200);
  Consumer consumer(broker_config(tag + " consumer"), topology.queue().name, 50);
  constexpr int kMessages = 1000;
  std::map<std::string, int> seen;
  auto consume_some = [&] {
    while (auto d = consumer.next(0ms)) {
      ++seen[d->message_id];
      consumer.ack(*d);
    }
  };
  for (int i = 0; i < kMessages; ++i) {
    if (i == kMessages / 2) {
      const int closed = testing::close_connections_named(tag);
      ASSERT_GE(closed, 0) << "rabbitmqctl cannot reach the broker's node: start it with "
                              "scripts/services.sh";
      EXPECT_EQ(closed, 2);
    }
    publisher.publish(
        message_to(topology.spec().exchange, "intake.mailbox", "f-" + std::to_string(i)));
    if (i % 50 == 0) consume_some();
  }
  ASSERT_TRUE(publisher.flush(30s)) << publisher.last_error();
  EXPECT_GE(publisher.stats().reconnects, 1u);
  EXPECT_NE(publisher.last_error().find("320"), std::string::npos) << publisher.last_error();
  testing::eventually(20s, [&] {
    consume_some();
    return seen.size() == static_cast<std::size_t>(kMessages);
  });
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));
  EXPECT_GE(consumer.stats().reconnects, 1u);
  std::cout << "[ figures  ] broker force-close: publisher republished "
            << publisher.stats().republished << ", duplicates consumed " << duplicates(seen)
            << "\n";
}

}  // namespace
}  // namespace appealhub::bus
