// The intake consumer in-process against real servers: valid appeals become tickets once, invalid
// messages are dead-lettered with their error, and a stop acks what was committed.
// Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "app/outbox_publisher.hpp"
#include "app/routing_settings.hpp"
#include "bus/consumer.hpp"
#include "bus/impl/amqp_connection.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/ids.hpp"
#include "router/intake_consumer.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

using namespace std::chrono_literals;

void publish(const bus::BrokerConfig& broker, const std::string& key, const std::string& body,
             const std::string& id, const std::string& type = "appeal.received",
             const std::string& content_type = "application/json") {
  bus::ConfirmedPublisher publisher(broker, 10);
  bus::OutgoingMessage m;
  m.exchange = "appeals";
  m.routing_key = key;
  m.body = body;
  m.message_id = id;
  m.type = type;
  m.content_type = content_type;
  publisher.publish(std::move(m));
  ASSERT_TRUE(publisher.flush(10s));
}

// What ConfirmedPublisher never sends: a message with no message_id property at all.
void publish_without_message_id(const bus::BrokerConfig& broker, const std::string& key,
                                const std::string& body) {
  bus::impl::AmqpConnection conn(broker, bus::parse_broker_uri(broker.uri), "test raw");
  amqp_basic_properties_t props{};
  props._flags =
      AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_TYPE_FLAG;
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  props.content_type = amqp_cstring_bytes("application/json");
  props.type = amqp_cstring_bytes("appeal.received");
  amqp_bytes_t bytes{body.size(), const_cast<char*>(body.data())};
  ASSERT_EQ(amqp_basic_publish(conn.state(), bus::impl::AmqpConnection::kChannel,
                               amqp_cstring_bytes("appeals"), amqp_cstring_bytes(key.c_str()), 1, 0,
                               &props, bytes),
            AMQP_STATUS_OK);
}

// Runs the intake consumer and the outbox relay until `deliveries` were consumed and `dead`
// dead letters were sent; returns the consumer's stats.
IntakeStats run_intake(const bus::BrokerConfig& broker, testing::TestDatabase& db,
                       std::size_t batch_size, std::uint64_t deliveries, const std::string& dead) {
  app::RoutingSettings settings({db.uri()});
  settings.seed_defaults();
  EXPECT_TRUE(settings.refresh().empty());
  IntakeOptions options;
  options.batch_size = batch_size;
  IntakeConsumer consumer(broker, {db.uri()}, options, [&] { return settings.current(); });
  app::OutboxPublisher sink(broker);
  storage::OutboxRelay relay({db.uri()}, sink);
  std::atomic<bool> stop{false};
  std::thread consuming([&] { consumer.run(stop); });
  std::thread relaying([&] { relay.run(stop); });
  EXPECT_TRUE(testing::eventually(20s, [&] { return consumer.stats().deliveries >= deliveries; }));
  EXPECT_TRUE(testing::eventually(10s, [&] {
    return db.scalar(
               "SELECT count(*) FROM outbox WHERE type <> 'ticket.routed' AND sent_at IS NOT "
               "NULL") == dead;
  }));
  stop = true;
  consuming.join();
  relaying.join();
  return consumer.stats();
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
  const auto wrong_key = testing::sample_appeal_event(99, "mailbox").event_id;
  publish(broker, "intake.petition", testing::sample_appeal_json(99, "mailbox"), wrong_key);

  const auto stats = run_intake(broker, db, 20, 53, "2");
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
  EXPECT_EQ(dead[wrong_key], "channel: mailbox does not match routing key intake.petition");

  // Nothing is left unacknowledged in the work queue.
  bus::Consumer rest(broker, "router.intake", 10);
  EXPECT_FALSE(rest.next(1s));
}

// docs/bus.md: `type` must equal the body's `event`, `message_id` is required and equals
// `event_id`, the body is application/json; anything else is dead-lettered with the reason.
TEST(IntakeConsumer, RefusesMessagesWhosePropertiesBreakTheBusContract) {
  testing::TestDatabase db("intake_properties");
  testing::TestVhost vhost("intake_properties");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());

  const auto id = [](std::size_t i) { return testing::sample_appeal_event(i, "mailbox").event_id; };
  const auto body = [](std::size_t i) { return testing::sample_appeal_json(i, "mailbox"); };
  publish(broker, "intake.mailbox", body(1), id(1), "appeal.withdrawn");
  publish(broker, "intake.mailbox", body(2), "ev1-not-the-event-id-of-the-body");
  publish_without_message_id(broker, "intake.mailbox", body(3));
  publish(broker, "intake.mailbox", body(4), id(4), "appeal.received", "text/plain");
  publish(broker, "intake.mailbox", body(5), id(5), "appeal.received", "");
  publish(broker, "intake.mailbox", body(6), id(6));
  publish(broker, "intake.mailbox", body(7), id(7), "appeal.received",
          "Application/JSON; charset=utf-8");
  publish(broker, "intake.mailbox", body(6), id(6));  // the same message again

  const auto stats = run_intake(broker, db, IntakeOptions{}.batch_size, 8, "5");
  EXPECT_EQ(stats.created, 2u);
  EXPECT_EQ(stats.duplicates, 1u);
  const auto external_id = [](std::size_t i) {
    return std::get<core::AppealReceived>(testing::sample_appeal_event(i, "mailbox").body)
        .appeal.external_id;
  };
  EXPECT_EQ(
      db.scalar("SELECT string_agg(external_id, ',' ORDER BY external_id) FROM tickets"),
      std::min(external_id(6), external_id(7)) + "," + std::max(external_id(6), external_id(7)));

  std::multiset<std::string> errors;
  bus::Consumer dlq(broker, "appeals.dead", 10);
  while (auto d = dlq.next(2s)) {
    errors.insert(d->headers["x-appealhub-error"]);
    dlq.ack(*d);
  }
  const std::multiset<std::string> expected{
      "type: property 'appeal.withdrawn' does not match event appeal.received",
      "message_id: property 'ev1-not-the-event-id-of-the-body' does not match event_id " + id(2),
      "message_id: required (the event's event_id)",
      "content_type: must be application/json, got 'text/plain'",
      "content_type: must be application/json, got ''"};
  EXPECT_EQ(errors, expected);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM rejected_messages"), "5");

  // ticket.routed ids follow the recipe in docs/appeal-v1.md (the placement at intake: "first").
  for (const auto& ticket : db.column("SELECT id FROM tickets")) {
    const auto where = std::string(
                           " FROM outbox WHERE type = 'ticket.routed' AND "
                           "convert_from(body, 'UTF8')::jsonb->'data'->>'ticket_id' = '") +
                       ticket + "'";
    const auto department = db.scalar("SELECT substr(routing_key, 6)" + where);
    EXPECT_EQ(db.scalar("SELECT message_id" + where),
              core::make_event_id("ticket.routed", "hub", ticket, "first:" + department));
  }
}

}  // namespace
}  // namespace appealhub::router
