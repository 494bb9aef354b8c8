// 12328 `改派`: the platform sends an order again after the bureau returned it (退回). The intake
// consumer puts that ticket back into routing with the new deadline; for an order still open it
// is a duplicate; never a second ticket. Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>

#include <thread>

#include "app/routing_settings.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "router/intake_consumer.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

using namespace std::chrono_literals;

const std::string kChannel = "hotline12328";

void publish(const bus::BrokerConfig& broker, const core::Event& e) {
  bus::ConfirmedPublisher publisher(broker, 10);
  bus::OutgoingMessage m;
  m.exchange = "appeals";
  m.routing_key = "intake." + kChannel;
  m.body = core::encode_event(e);
  m.message_id = e.event_id;
  m.type = std::string(e.name());
  publisher.publish(std::move(m));
  ASSERT_TRUE(publisher.flush(10s));
}

std::string external_id(std::size_t index) {
  return std::get<core::AppealReceived>(testing::sample_appeal_event(index, kChannel).body)
      .appeal.external_id;
}

// The adapter's `改派` row for sample `index`: a new event, the same external id, received 30 days
// after the first order with a platform deadline 3 days later.
core::Event reassigned(std::size_t index, const std::string& fact) {
  auto e = testing::sample_appeal_event(index, kChannel);
  auto& a = std::get<core::AppealReceived>(e.body).appeal;
  a.received_at.utc += std::chrono::days(30);
  a.channel_deadline = a.received_at;
  a.channel_deadline->utc += std::chrono::days(3);
  a.channel_meta["dispatch_type"] = "改派";
  a.content += "（改派）";
  e.event_id = core::make_event_id("appeal.received", kChannel, a.external_id, fact);
  e.occurred_at = a.received_at;
  return e;
}

class ReassignedBack : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.uri = vhost_.uri();
    bus::declare_topology(broker_, bus::hub_topology());
    settings_.seed_defaults();
    ASSERT_TRUE(settings_.refresh().empty());
    IntakeOptions options;
    options.batch_size = 20;
    consumer_ = std::make_unique<IntakeConsumer>(broker_, storage::DatabaseConfig{db_.uri()},
                                                 options, [this] { return settings_.current(); });
    consuming_ = std::thread([this] { consumer_->run(stop_); });
  }
  void TearDown() override {
    stop_ = true;
    if (consuming_.joinable()) consuming_.join();
  }
  // Publishes and waits until the consumer has taken `n` deliveries in all.
  void deliver(const core::Event& e, std::uint64_t n) {
    publish(broker_, e);
    ASSERT_TRUE(testing::eventually(20s, [&] { return consumer_->stats().deliveries >= n; }));
    // The batch is committed before the next one is read; let the last one commit.
    ASSERT_TRUE(testing::eventually(10s, [&] {
      const auto s = consumer_->stats();
      return s.created + s.duplicates + s.applied + s.parked + s.reassigned_back >= n;
    }));
  }
  std::string ticket(const std::string& column, std::size_t index) {
    return db_.scalar("SELECT " + column + " FROM tickets WHERE external_id = '" +
                      external_id(index) + "'");
  }
  std::string count_events(std::size_t index, const std::string& where) {
    return db_.scalar(
        "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE "
        "t.external_id = '" +
        external_id(index) + "' AND " + where);
  }
  // What the gateway writes when a return of a 12328 order is approved to the platform.
  void returned_to_platform(std::size_t index, const std::string& status) {
    const std::string id = ticket("id", index);
    db_.exec("UPDATE tickets SET status = '" + status + "' WHERE id = " + id);
    db_.exec(
        "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) VALUES "
        "(" +
        id + ", 'return-approved-" + id + "-" + status +
        "', 'return.approved', 'manager1', now(), '{\"to_channel\": true}')");
  }

  testing::TestDatabase db_{"reassigned_back"};
  testing::TestVhost vhost_{"reassigned_back"};
  bus::BrokerConfig broker_;
  app::RoutingSettings settings_{{db_.uri()}};
  std::unique_ptr<IntakeConsumer> consumer_;
  std::atomic<bool> stop_{false};
  std::thread consuming_;
};

TEST_F(ReassignedBack, ReturnedOrdersGoBackIntoRoutingOpenOnesAreDuplicates) {
  std::uint64_t n = 0;
  for (std::size_t i = 1; i <= 4; ++i) deliver(testing::sample_appeal_event(i, kChannel), ++n);
  ASSERT_EQ(db_.scalar("SELECT count(*) FROM tickets WHERE status IN ('assigned', 'triage')"), "4");

  // 1: returned to the platform (status returned, with a return still pending review);
  // 2: open with its department; 3: closed after a return to the platform; 4: closed after an
  // answer.
  returned_to_platform(1, "returned");
  db_.exec(
      "INSERT INTO ticket_requests (ticket_id, kind, department, requested_by, reason) SELECT id,"
      " 'return', coalesce(lead_department, 'x'), 'staff1', '不属于本单位' FROM tickets WHERE"
      " external_id = '" +
      external_id(1) + "'");
  returned_to_platform(3, "closed");
  db_.exec("UPDATE tickets SET status = 'closed' WHERE external_id = '" + external_id(4) + "'");
  const std::string status2 = ticket("status", 2);
  const std::string deadline2 = ticket("deadline", 2);

  for (std::size_t i = 1; i <= 4; ++i) deliver(reassigned(i, "f2.csv:" + std::to_string(i)), ++n);
  const auto stats = consumer_->stats();
  EXPECT_EQ(stats.reassigned_back, 2u);
  EXPECT_EQ(stats.duplicates, 2u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM tickets"), "4") << "never a second ticket";

  for (const std::size_t i : {1u, 3u}) {
    SCOPED_TRACE(i);
    const auto status = ticket("status", i);
    EXPECT_TRUE(status == "assigned" || status == "triage") << status;
    EXPECT_EQ(count_events(i, "e.type = 'appeal.reassigned_back'"), "1");
    EXPECT_EQ(count_events(i,
                           "e.type = 'appeal.reassigned_back' AND e.data #>> "
                           "'{appeal,channel_meta,dispatch_type}' = '改派'"),
              "1")
        << "the timeline carries the row's data";
    EXPECT_EQ(count_events(i, "e.type = 'ticket.routed'"), "2") << "placed a second time";
    const auto event = reassigned(i, "x");  // kept: `again` refers into it
    const auto& again = std::get<core::AppealReceived>(event.body).appeal;
    EXPECT_EQ(ticket("channel_deadline = '" + core::format_rfc3339(*again.channel_deadline) +
                         "'::timestamptz",
                     i),
              "t");
    EXPECT_EQ(ticket("deadline <= channel_deadline AND deadline > '" +
                         core::format_rfc3339(again.received_at) + "'::timestamptz",
                     i),
              "t")
        << "the new deadline counts from the 改派 and respects the platform's";
    // Departments hear of it under new message ids (the first placement's ids are taken).
    EXPECT_EQ(
        db_.scalar("SELECT count(*) || ' ' || count(DISTINCT message_id) FROM "
                   "outbox WHERE type = 'ticket.routed' AND convert_from(body, 'UTF8')::jsonb #>> "
                   "'{data,ticket_id}' = '" +
                   ticket("id", i) + "'"),
        "2 2")
        << "one message per placement";
  }
  EXPECT_EQ(db_.scalar("SELECT state FROM ticket_requests WHERE kind = 'return'"), "refused")
      << "a pending return is moot once the platform sent the order again";
  EXPECT_EQ(ticket("status", 2), status2);
  EXPECT_EQ(ticket("deadline", 2), deadline2);
  EXPECT_EQ(ticket("status", 4), "closed");
  for (const std::size_t i : {2u, 4u}) {
    EXPECT_EQ(count_events(i, "e.type = 'appeal.reassigned_back'"), "0");
  }

  // The same 改派 delivered again changes nothing; a closed ticket whose return was already
  // followed by a reassignment is not reopened by another one.
  deliver(reassigned(1, "f2.csv:1"), ++n);
  db_.exec("UPDATE tickets SET status = 'closed' WHERE external_id = '" + external_id(3) + "'");
  deliver(reassigned(3, "f3.csv:9"), ++n);
  EXPECT_EQ(consumer_->stats().reassigned_back, 2u);
  EXPECT_EQ(ticket("status", 3), "closed");
  EXPECT_EQ(count_events(1, "e.type = 'appeal.reassigned_back'"), "1");

  // A second round: returned again, sent again, placed again.
  returned_to_platform(3, "returned");
  deliver(reassigned(3, "f4.csv:2"), ++n);
  EXPECT_EQ(consumer_->stats().reassigned_back, 3u);
  EXPECT_EQ(count_events(3, "e.type = 'appeal.reassigned_back'"), "2");
  EXPECT_NE(ticket("status", 3), "returned");
}

}  // namespace
}  // namespace appealhub::router
