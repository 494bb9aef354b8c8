// Consumer against a real broker: acks, prefetch, stop, a queue that is not there.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "tests/bus/rmq_test_support.hpp"

namespace appealhub::bus {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::broker_config;
using testing::message_to;
using testing::ScopedTopology;
using testing::take;

void publish_many(const TopologySpec& spec, int n, const std::string& id_prefix) {
  ConfirmedPublisher publisher(broker_config("publisher " + id_prefix));
  for (int i = 0; i < n; ++i) {
    publisher.publish(message_to(spec.exchange, "intake.mailbox", id_prefix + std::to_string(i)));
  }
  ASSERT_TRUE(publisher.flush(20s)) << publisher.last_error();
  ASSERT_EQ(publisher.stats().confirmed, static_cast<std::uint64_t>(n));
}

TEST(Consumer, UnackedDeliveriesComeBackToTheNextConsumer) {
  ScopedTopology topology("unacked", {{"work", {"intake.*"}, {}, 20}});
  publish_many(topology.spec(), 10, "u");
  {
    Consumer first(broker_config("consumer unacked 1"), topology.queue().name, 10);
    auto got = take(first, 10, 5s, /*ack=*/false);
    ASSERT_EQ(got.size(), 10u);
    EXPECT_TRUE(first.ack(got[4], /*multiple=*/true));  // u0..u4
  }  // u5..u9 unacked: the broker requeues them when the connection closes
  Consumer second(broker_config("consumer unacked 2"), topology.queue().name, 10);
  auto again = take(second, 10, 2s);
  std::set<std::string> ids;
  for (const Delivery& d : again) {
    ids.insert(d.message_id);
    EXPECT_TRUE(d.redelivered);
    EXPECT_EQ(d.delivery_count, 1);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"u5", "u6", "u7", "u8", "u9"}));
}

TEST(Consumer, PrefetchLimitsWhatOneConsumerHolds) {
  ScopedTopology topology("prefetch", {{"work", {"intake.*"}, {}, 20}});
  publish_many(topology.spec(), 20, "p");
  Consumer greedy(broker_config("consumer prefetch 1"), topology.queue().name, 5);
  auto held = take(greedy, 5, 5s, /*ack=*/false);
  ASSERT_EQ(held.size(), 5u);
  EXPECT_FALSE(greedy.next(300ms));  // prefetch 5 reached: nothing more until an ack
  // A competing consumer gets the rest meanwhile.
  Consumer other(broker_config("consumer prefetch 2"), topology.queue().name, 50);
  EXPECT_EQ(take(other, 15, 5s).size(), 15u);
  EXPECT_TRUE(greedy.ack(held.back(), /*multiple=*/true));
  EXPECT_EQ(greedy.stats().acked, 1u);
}

TEST(Consumer, StopEndsAWaitingNextFromAnotherThread) {
  ScopedTopology topology("stop", {{"work", {"intake.*"}, {}, 20}});
  Consumer consumer(broker_config("consumer stop"), topology.queue().name, 10);
  EXPECT_FALSE(consumer.next(100ms));  // connected, nothing there
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    consumer.stop();
  });
  const auto start = Clock::now();
  EXPECT_FALSE(consumer.next(20s));
  EXPECT_LT(Clock::now() - start, 2s);
  stopper.join();
  EXPECT_FALSE(consumer.next(0ms));
}

TEST(Consumer, MissingQueueIsRetriedWithoutThrowing) {
  Consumer consumer(broker_config("consumer missing"), testing::run_prefix() + ".no-such-queue",
                    10);
  EXPECT_FALSE(consumer.next(500ms));
  EXPECT_FALSE(consumer.connected());
  EXPECT_NE(consumer.last_error().find("404"), std::string::npos) << consumer.last_error();
}

TEST(Consumer, DeletedQueueCancelsTheConsumerWhichKeepsTrying) {
  auto topology = std::make_unique<ScopedTopology>(
      "cancel", std::vector<QueueSpec>{{"work", {"intake.*"}, {}, 20}});
  const std::string queue = topology->queue().name;
  Consumer consumer(broker_config("consumer cancel"), queue, 10);
  EXPECT_FALSE(consumer.next(200ms));
  ASSERT_TRUE(consumer.connected());
  topology.reset();  // deletes the queue under the consumer: the broker sends basic.cancel
  EXPECT_FALSE(consumer.next(1s));
  EXPECT_FALSE(consumer.connected());
  EXPECT_FALSE(consumer.last_error().empty());
}

TEST(Consumer, HeartbeatsKeepAnIdleConsumerConnected) {
  ScopedTopology topology("heartbeat", {{"work", {"intake.*"}, {}, 20}});
  BrokerConfig config = broker_config("consumer heartbeat");
  config.heartbeat_seconds = 1;  // the broker drops a connection silent for ~2 heartbeats
  Consumer consumer(config, topology.queue().name, 10);
  EXPECT_FALSE(consumer.next(4s));
  EXPECT_TRUE(consumer.connected()) << consumer.last_error();
  EXPECT_EQ(consumer.stats().reconnects, 0u) << consumer.last_error();
  EXPECT_EQ(consumer.generation(), 1u);
}

}  // namespace
}  // namespace appealhub::bus
