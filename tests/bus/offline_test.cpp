// The publisher and the consumer with no broker to talk to: nothing blocks for long, nothing
// throws, and the reason is there to read.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"

namespace appealhub::bus {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A loopback port nobody listens on (bound, then released).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

BrokerConfig nowhere() {
  BrokerConfig c;
  c.uri = "amqp://u:p@127.0.0.1:" + std::to_string(closed_port()) + "/%2f";
  c.reconnect_min = 20ms;
  c.reconnect_max = 100ms;
  c.connect_timeout = 500ms;
  return c;
}

OutgoingMessage message(int i) {
  OutgoingMessage m;
  m.exchange = "appeals";
  m.routing_key = "intake.mailbox";
  m.message_id = "m" + std::to_string(i);
  return m;
}

TEST(OfflinePublisher, AcceptsUpToTheWindowThenFlushTimesOut) {
  ConfirmedPublisher publisher(nowhere(), 50);
  const auto start = Clock::now();
  for (int i = 0; i < 50; ++i) publisher.publish(message(i));
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(publisher.unconfirmed(), 50u);
  EXPECT_FALSE(publisher.connected());
  EXPECT_FALSE(publisher.flush(300ms));
  EXPECT_EQ(publisher.unconfirmed(), 50u);
  EXPECT_NE(publisher.last_error().find("cannot connect"), std::string::npos)
      << publisher.last_error();
  const auto stats = publisher.stats();
  EXPECT_EQ(stats.published, 50u);
  EXPECT_EQ(stats.confirmed + stats.returned + stats.nacked, 0u);
}

TEST(OfflinePublisher, RejectsMessagesWithoutId) {
  ConfirmedPublisher publisher(nowhere());
  OutgoingMessage m = message(1);
  m.message_id.clear();
  EXPECT_THROW(publisher.publish(m), std::invalid_argument);
}

TEST(OfflineConsumer, NextTimesOutAndKeepsTheReason) {
  Consumer consumer(nowhere(), "router.intake", 10);
  const auto start = Clock::now();
  EXPECT_FALSE(consumer.next(300ms));
  EXPECT_LT(Clock::now() - start, 1500ms);
  EXPECT_FALSE(consumer.connected());
  EXPECT_EQ(consumer.generation(), 0u);
  EXPECT_FALSE(consumer.last_error().empty());
}

TEST(BadArguments, AreRefusedAtConstruction) {
  BrokerConfig bad;
  bad.uri = "http://nope";
  EXPECT_THROW([&] { ConfirmedPublisher p(bad); }(), std::invalid_argument);
  EXPECT_THROW([&] { Consumer c(bad, "q", 1); }(), std::invalid_argument);
  EXPECT_THROW([&] { ConfirmedPublisher p(nowhere(), 0); }(), std::invalid_argument);
  EXPECT_THROW([&] { Consumer c(nowhere(), "", 1); }(), std::invalid_argument);
  EXPECT_THROW([&] { Consumer c(nowhere(), "q", 0); }(), std::invalid_argument);
}

TEST(OneShotCalls, ThrowBusErrorWhenTheBrokerIsUnreachable) {
  EXPECT_THROW(declare_topology(nowhere(), hub_topology()), BusError);
  EXPECT_THROW(inspect_queue(nowhere(), "q"), BusError);
  const auto problem = check_broker(nowhere());
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("cannot connect"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace appealhub::bus
