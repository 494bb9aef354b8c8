// The intake consumer in-process against real servers: valid appeals become tickets once, invalid
// messages are dead-lettered with their error, and a stop acks what was committed.
// Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>

#include <thread>

#include "app/outbox_publisher.hpp"
#include "app/routing_settings.hpp"
#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "router/intake_consumer.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

using namespace std::chrono_literals;

void publish(const bus::BrokerConfig& broker, const std::string& key, const std::string& body,
             const std::string& id) {
  bus::ConfirmedPublisher publisher(broker, 10);
  bus::OutgoingMessage m;
  m.exchange = "appeals";
  m.routing_key = key;
  m.body = body;
  m.message_id = id;
  m.type = "appeal.received";
  publisher.publish(std::move(m));
  ASSERT_TRUE(publisher.flush(10s));
}

TEST(IntakeConsumer, TicketsOnceAndDeadLettersWithTheirErrors) {
  testing::TestDatabase db("intake_consumer");
  testing::TestVhost vhost("intake_consumer");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());

  for (std::size_t i = 0; i < 50; ++i) {
    const auto e = testing::sample_appeal_event(i, "mailbox");
    publish(broker, "intake.mailbox", testing::sample_appeal_json(i, "mailbox"), e.event_id);
  }
  const auto again = testing::sample_appeal_event(3, "mailbox");
  publish(broker, "intake.mailbox", testing::sample_appeal_json(3, "mailbox"), again.event_id);
  const auto bad = testing::sample_invalid_appeal(1, "mailbox");  // bad phone
  publish(broker, "intake.mailbox", bad.body, bad.message_id);
  // A valid mailbox appeal published under another channel's key.
  publish(broker, "intake.petition", testing::sample_appeal_json(99, "mailbox"), "wrong-key");

  app::RoutingSettings settings({db.uri()});
  settings.seed_defaults();
  ASSERT_TRUE(settings.refresh().empty());
  IntakeOptions options;
  options.batch_size = 20;
  IntakeConsumer consumer(broker, {db.uri()}, options, [&] { return settings.current(); });
  app::OutboxPublisher sink(broker);
  storage::OutboxRelay relay({db.uri()}, sink);
  std::atomic<bool> stop{false};
  std::thread consuming([&] { consumer.run(stop); });
  std::thread relaying([&] { relay.run(stop); });
  ASSERT_TRUE(testing::eventually(20s, [&] { return consumer.stats().deliveries >= 53; }));
  ASSERT_TRUE(testing::eventually(10s, [&] {
    return db.scalar(
               "SELECT count(*) FROM outbox WHERE type <> 'ticket.routed' AND sent_at IS NOT "
               "NULL") == "2";
  }));
  stop = true;
  consuming.join();
  relaying.join();

  const auto stats = consumer.stats();
  EXPECT_EQ(stats.created, 50u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.rejected, 2u);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets WHERE channel = 'mailbox'"), "50");
  EXPECT_EQ(stats.assigned + stats.triage + stats.merged, 50u);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets WHERE status = 'received'"), "0")
      << "every new ticket is placed in the transaction that creates it";

  std::map<std::string, std::string> dead;
  bus::Consumer dlq(broker, "appeals.dead", 10);
  while (auto d = dlq.next(2s)) {
    dead[d->headers["x-original-message-id"]] = d->headers["x-appealhub-error"];
    EXPECT_EQ(d->headers["x-appealhub-queue"], "router.intake");
    dlq.ack(*d);
  }
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[bad.message_id], "appeal.citizen.phone: not a phone number");
  EXPECT_EQ(dead["wrong-key"], "channel: mailbox does not match routing key intake.petition");

  // Nothing is left unacknowledged in the work queue.
  bus::Consumer rest(broker, "router.intake", 10);
  EXPECT_FALSE(rest.next(1s));
}

}  // namespace
}  // namespace appealhub::router
