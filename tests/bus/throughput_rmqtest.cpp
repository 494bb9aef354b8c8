// 20,000 messages of 1 KiB through a quorum queue: published with confirms, consumed with acks,
// none lost. The rates are printed, not asserted (they depend on the machine).
#include <gtest/gtest.h>

#include <set>

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

double per_second(std::size_t n, Clock::duration d) {
  return static_cast<double>(n) / std::chrono::duration<double>(d).count();
}

TEST(Throughput, TwentyThousandConfirmedThenConsumedWithAcks) {
  constexpr std::size_t kMessages = 20000;
  ScopedTopology topology("throughput", {{"work", {"intake.*"}, {}, 20}});
  const std::string body(1024, 'x');

  ConfirmedPublisher publisher(broker_config("publisher throughput"), 2000);
  std::size_t confirmed = 0;
  const auto p0 = Clock::now();
  for (std::size_t i = 0; i < kMessages; ++i) {
    publisher.publish(
        message_to(topology.spec().exchange, "intake.mailbox", "tp-" + std::to_string(i), body),
        [&](const OutgoingMessage&, PublishOutcome o) {
          if (o == PublishOutcome::confirmed) ++confirmed;
        });
  }
  ASSERT_TRUE(publisher.flush(120s)) << publisher.last_error();
  const auto p1 = Clock::now();
  EXPECT_EQ(confirmed, kMessages);
  EXPECT_EQ(publisher.stats().republished, 0u);

  Consumer consumer(broker_config("consumer throughput"), topology.queue().name, 500);
  std::set<std::string> ids;
  std::size_t deliveries = 0;
  const auto c0 = Clock::now();
  while (ids.size() < kMessages) {
    auto d = consumer.next(10s);
    ASSERT_TRUE(d) << "after " << ids.size() << ": " << consumer.last_error();
    ++deliveries;
    ASSERT_EQ(d->body.size(), body.size());
    ids.insert(d->message_id);
    ASSERT_TRUE(consumer.ack(*d));
  }
  const auto c1 = Clock::now();
  EXPECT_EQ(deliveries, kMessages);
  EXPECT_FALSE(consumer.next(300ms));
  EXPECT_TRUE(testing::eventually(5s, [&] {
    auto state = inspect_queue(broker_config("inspect"), topology.queue().name);
    return state && state->messages == 0;
  }));

  std::cout << "[ figures  ] 1 KiB, quorum queue, window 2000: publish with confirms "
            << static_cast<long>(per_second(kMessages, p1 - p0)) << " msg/s\n"
            << "[ figures  ] 1 KiB, quorum queue, prefetch 500, ack each: consume "
            << static_cast<long>(per_second(kMessages, c1 - c0)) << " msg/s\n";
}

}  // namespace
}  // namespace appealhub::bus
