// The spine under faults: appeals published on RabbitMQ become exactly one ticket each in
// PostgreSQL while the consuming hub is killed (SIGKILL) twice and RabbitMQ is restarted once.
// Needs the real PostgreSQL and RabbitMQ of scripts/services.sh.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::TestDatabase;
using testing::TestVhost;

struct Message {
  std::string body, message_id, external_id;  // external_id empty for invalid ones
  std::string expected_field;                 // for invalid ones
};

TEST(IntakeChaos, EveryValidAppealOnceEveryInvalidOneDeadLetteredDespiteKillsAndBrokerRestart) {
  constexpr std::size_t kTotal = 20000;
  constexpr std::size_t kInvalid = kTotal / 100;     // 1%
  constexpr std::size_t kRedelivered = kTotal / 20;  // 5%
  constexpr std::size_t kDistinctValid = kTotal - kInvalid - kRedelivered;

  TestDatabase db("intake_chaos");
  TestVhost vhost("intake_chaos");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  broker.heartbeat_seconds = 10;
  bus::declare_topology(broker, bus::hub_topology());

  // 1. What goes in: distinct valid appeals, invalid ones, and exact redeliveries of either.
  std::vector<Message> distinct;
  for (std::size_t i = 0; i < kDistinctValid; ++i) {
    const auto event = testing::sample_appeal_event(i);
    distinct.push_back({testing::sample_appeal_json(i), event.event_id,
                        std::get<core::AppealReceived>(event.body).appeal.external_id, ""});
  }
  for (std::size_t i = 0; i < kInvalid; ++i) {
    auto bad = testing::sample_invalid_appeal(i);
    distinct.push_back({bad.body, bad.message_id, "", bad.expected_field});
  }
  std::mt19937 rng(20261128);
  std::vector<Message> stream = distinct;
  for (std::size_t i = 0; i < kRedelivered; ++i)
    stream.push_back(distinct[rng() % distinct.size()]);
  std::shuffle(stream.begin(), stream.end(), rng);
  ASSERT_EQ(stream.size(), kTotal);

  // 2. The hub, as its own process.
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_LOG_LEVEL", "warn"}};
  const std::string log = "/tmp/appealhub_intake_chaos.log";
  ChildProcess hub({testing::appealhub_binary(), "run"}, env, log);
  hub.start();

  // 3. Publish at a steady pace in the background while faults are injected.
  std::atomic<std::size_t> published{0};
  std::atomic<bool> publishing_done{false};
  bus::ConfirmedPublisher::Stats publisher_stats{};
  std::size_t not_confirmed = 0;
  std::thread publisher_thread([&] {
    bus::ConfirmedPublisher publisher(broker, 500);
    for (const auto& m : stream) {
      bus::OutgoingMessage out;
      out.exchange = "appeals";
      out.routing_key = "intake.hotline12328";
      out.body = m.body;
      out.message_id = m.message_id;
      out.type = "appeal.received";
      publisher.publish(std::move(out), [&](const bus::OutgoingMessage&, bus::PublishOutcome o) {
        if (o != bus::PublishOutcome::confirmed) ++not_confirmed;
      });
      if (++published % 1000 == 0) std::this_thread::sleep_for(250ms);
    }
    EXPECT_TRUE(publisher.flush(120s)) << publisher.last_error();
    publisher_stats = publisher.stats();
    publishing_done = true;
  });

  const auto wait_published = [&](std::size_t n) {
    testing::eventually(
        300s, [&] { return published.load() >= n || publishing_done.load(); }, 20ms);
  };
  wait_published(kTotal / 5);
  hub.kill(SIGKILL);  // kill 1
  std::this_thread::sleep_for(500ms);
  hub.start();
  wait_published(kTotal / 2);
  testing::services("restart rabbitmq");
  wait_published(kTotal * 3 / 4);
  std::this_thread::sleep_for(300ms);
  hub.kill(SIGKILL);  // kill 2
  std::this_thread::sleep_for(500ms);
  hub.start();
  publisher_thread.join();
  EXPECT_EQ(not_confirmed, 0u);

  // 4. Wait until everything is taken in, then stop the hub cleanly.
  const bool settled = testing::eventually(
      240s,
      [&] {
        return db.scalar("SELECT count(*) FROM tickets") == std::to_string(kDistinctValid) &&
               db.scalar("SELECT count(*) FROM rejected_messages") == std::to_string(kInvalid) &&
               db.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == "0";
      },
      500ms);
  EXPECT_TRUE(settled) << "see " << log;
  EXPECT_EQ(hub.terminate(), 0) << "appealhub did not stop cleanly on SIGTERM; see " << log;

  // 5. Count what came out.
  const auto tickets = db.scalar("SELECT count(*) FROM tickets");
  const auto distinct_keys =
      db.scalar("SELECT count(DISTINCT (channel, external_id)) FROM tickets");
  const auto received_events =
      db.scalar("SELECT count(*) FROM ticket_events WHERE type = 'appeal.received'");
  const auto placement_events = db.scalar(
      "SELECT count(*) FROM ticket_events WHERE type IN ('ticket.routed', 'ticket.merged')");
  const auto unplaced = db.scalar("SELECT count(*) FROM tickets WHERE status = 'received'");
  std::set<std::string> expected_ids, actual_ids;
  for (const auto& m : distinct) {
    if (!m.external_id.empty()) expected_ids.insert(m.external_id);
  }
  for (auto& id : db.column("SELECT external_id FROM tickets")) actual_ids.insert(std::move(id));

  // The dead-letter queue: every invalid message, with its validation error in the headers.
  std::map<std::string, std::string> dead;  // message id -> error
  std::size_t dead_deliveries = 0, dead_without_error = 0, dead_wrong_field = 0;
  {
    bus::Consumer dlq(broker, "appeals.dead", 500);
    while (auto d = dlq.next(3s)) {
      ++dead_deliveries;
      const auto id = d->headers["x-original-message-id"];
      const auto error = d->headers["x-appealhub-error"];
      if (error.empty()) ++dead_without_error;
      dead[id] = error;
      dlq.ack(*d);
    }
  }
  for (const auto& m : distinct) {
    if (m.external_id.empty() && dead[m.message_id].rfind(m.expected_field + ":", 0) != 0 &&
        dead[m.message_id].find("; " + m.expected_field + ":") == std::string::npos) {
      ++dead_wrong_field;
      ADD_FAILURE() << m.message_id << " dead-lettered with '" << dead[m.message_id]
                    << "', expected an error on " << m.expected_field;
    }
  }

  std::cout << "[ chaos ] published " << kTotal << " messages (" << kDistinctValid
            << " distinct valid appeals, " << kInvalid << " invalid, " << kRedelivered
            << " exact redeliveries); publisher republished " << publisher_stats.republished
            << " after " << publisher_stats.reconnects << " reconnects\n"
            << "[ chaos ] faults: hub SIGKILLed twice, RabbitMQ restarted once\n"
            << "[ chaos ] tickets " << tickets << " (distinct " << distinct_keys << ", expected "
            << kDistinctValid << "), appeal.received events " << received_events
            << ", placement events " << placement_events << ", unplaced " << unplaced
            << ", missing " <<
      [&] {
        std::size_t n = 0;
        for (const auto& id : expected_ids) n += actual_ids.count(id) ? 0 : 1;
        return n;
      }() << "\n[ chaos ] rejected "
            << db.scalar("SELECT count(*) FROM rejected_messages") << ", dead-letter queue "
            << dead.size() << " distinct (" << dead_deliveries
            << " deliveries), without error header " << dead_without_error << ", wrong field "
            << dead_wrong_field << "\n";

  EXPECT_EQ(tickets, std::to_string(kDistinctValid));
  EXPECT_EQ(distinct_keys, std::to_string(kDistinctValid));
  EXPECT_EQ(received_events, std::to_string(kDistinctValid));
  EXPECT_EQ(placement_events, std::to_string(kDistinctValid));
  EXPECT_EQ(unplaced, "0");
  EXPECT_EQ(actual_ids, expected_ids);
  EXPECT_EQ(dead.size(), kInvalid);
  EXPECT_EQ(dead_without_error, 0u);
}

}  // namespace
}  // namespace appealhub
