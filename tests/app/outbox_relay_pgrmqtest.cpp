// The outbox relay with the real bus: rows written in a transaction reach their queue once, woken
// by NOTIFY; copied (CC) keys reach their queues; a message the broker cannot route stays unsent
// with its error; sent rows are deleted after their retention. Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "app/outbox_publisher.hpp"
#include "bus/consumer.hpp"
#include "bus/topology.hpp"
#include "storage/outbox.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest() : db_("outbox_relay"), vhost_("outbox_relay") {
    broker_.uri = vhost_.uri();
    auto spec = bus::hub_topology();
    spec.queues = {{"test.dept", {"dept.*"}, {}, 20},
                   {"test.lead", {"dept.lead"}, {}, 20},
                   {"test.assist", {"dept.assist"}, {}, 20}};
    bus::declare_topology(broker_, spec);
  }

  void enqueue(std::size_t from, std::size_t count, const std::string& key = "dept.510802",
               const std::vector<std::string>& cc = {}) {
    auto c = storage::connect({db_.uri()});
    pqxx::work txn(*c);
    for (std::size_t i = from; i < from + count; ++i) {
      storage::OutboxMessage m;
      m.message_id = "routed-" + std::to_string(i);
      m.exchange = "appeals";
      m.routing_key = key;
      m.type = "ticket.routed";
      m.body = R"({"n":)" + std::to_string(i) + "}";
      m.headers = {{"x-test", "yes"}};
      m.cc = cc;
      storage::enqueue_outbox(txn, m);
    }
    txn.commit();
  }

  testing::TestDatabase db_;
  testing::TestVhost vhost_;
  bus::BrokerConfig broker_;
};

TEST_F(OutboxRelayTest, RowsReachTheirQueueOnceAndAreMarkedSent) {
  app::OutboxPublisher publisher(broker_);
  storage::OutboxRelayOptions options;
  options.poll_interval = 30s;  // only NOTIFY can wake it in time
  storage::OutboxRelay relay({db_.uri()}, publisher, options);
  std::atomic<bool> stop{false};
  std::thread relaying([&] { relay.run(stop); });
  std::this_thread::sleep_for(300ms);

  enqueue(0, 1500);
  enqueue(0, 10);  // the same message ids again: ignored by the outbox

  std::set<std::string> seen;
  std::size_t deliveries = 0;
  bus::Consumer consumer(broker_, "test.dept", 500);
  while (seen.size() < 1500) {
    auto d = consumer.next(10s);
    ASSERT_TRUE(d) << "only " << seen.size() << " of 1500 arrived";
    ++deliveries;
    EXPECT_EQ(d->type, "ticket.routed");
    EXPECT_EQ(d->headers["x-test"], "yes");
    seen.insert(d->message_id);
    consumer.ack(*d);
  }
  EXPECT_FALSE(consumer.next(1s)) << "a row was published twice";
  stop = true;
  relaying.join();
  EXPECT_EQ(deliveries, 1500u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL"), "0");
  EXPECT_EQ(relay.sent_total(), 1500u);
}

TEST_F(OutboxRelayTest, CopiedKeysReachEveryQueueBoundToOneOfThemOnce) {
  app::OutboxPublisher publisher(broker_);
  storage::OutboxRelay relay({db_.uri()}, publisher);
  enqueue(0, 3, "dept.lead", {"dept.assist", "dept.nobody"});
  EXPECT_EQ(db_.scalar("SELECT string_agg(DISTINCT array_to_string(cc, ','), ';') FROM outbox"),
            "dept.assist,dept.nobody");
  EXPECT_EQ(relay.relay_once(), 3u);
  // test.dept (dept.*) matches both keys and still stores each message once.
  for (const char* queue : {"test.lead", "test.assist", "test.dept"}) {
    SCOPED_TRACE(queue);
    bus::Consumer consumer(broker_, queue, 10);
    std::multiset<std::string> seen;
    while (auto d = consumer.next(2s)) {
      EXPECT_EQ(d->body.substr(0, 5), R"({"n":)");
      seen.insert(d->message_id);
      consumer.ack(*d);
    }
    EXPECT_EQ(seen, (std::multiset<std::string>{"routed-0", "routed-1", "routed-2"}));
  }
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL"), "0");
}

TEST_F(OutboxRelayTest, SentRowsPastTheirRetentionAreDeletedAndUnsentRowsNever) {
  app::OutboxPublisher publisher(broker_);
  storage::OutboxRelayOptions options;
  options.retention = std::chrono::hours(24 * 7);
  storage::OutboxRelay relay({db_.uri()}, publisher, options);
  enqueue(0, 12000);
  // 0-10,999 sent 8 days ago (past), 11,000-11,499 sent 6 days ago (kept), the rest unsent but
  // written 30 days ago (kept: not yet published).
  db_.exec(
      "UPDATE outbox SET sent_at = now() - interval '8 days' WHERE id <= (SELECT min(id) "
      "FROM outbox) + 10999");
  db_.exec(
      "UPDATE outbox SET sent_at = now() - interval '6 days' WHERE sent_at IS NULL AND id <= "
      "(SELECT min(id) FROM outbox) + 11499");
  db_.exec("UPDATE outbox SET created_at = now() - interval '30 days' WHERE sent_at IS NULL");
  EXPECT_EQ(relay.prune_once(), 11000u) << "in three chunks of at most 5,000";
  EXPECT_EQ(db_.scalar("SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) || ' ' || count(*) "
                       "FILTER (WHERE sent_at IS NULL) FROM outbox"),
            "500 500");
  EXPECT_EQ(relay.prune_once(), 0u);
}

TEST_F(OutboxRelayTest, UnroutableMessageStaysUnsentWithItsError) {
  app::OutboxPublisher publisher(broker_);
  storage::OutboxRelay relay({db_.uri()}, publisher);
  enqueue(0, 1, "nobody.listens");
  EXPECT_EQ(relay.relay_once(), 0u);
  EXPECT_EQ(db_.scalar("SELECT attempts || ' ' || last_error FROM outbox WHERE sent_at IS NULL"),
            "1 unroutable (returned by the broker)");
  EXPECT_EQ(relay.relay_once(), 0u) << "retried before its delay";
}

}  // namespace
}  // namespace appealhub
