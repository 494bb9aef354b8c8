// Another AMQP client (Node.js amqplib), following only docs/bus.md, publishes an appeal and the
// hub turns it into a ticket. Needs PostgreSQL, RabbitMQ and Node.js with tests/interop installed.

#include <gtest/gtest.h>

#include <cstdlib>

#include "bus/topology.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;

TEST(InteropAmqplib, AppealPublishedByAnotherClientBecomesATicket) {
  testing::TestDatabase db("interop_amqplib");
  testing::TestVhost vhost("interop_amqplib");
  testing::ChildProcess hub({testing::appealhub_binary(), "run"},
                            {{"APPEALHUB_PG_URI", db.uri()}, {"APPEALHUB_AMQP_URI", vhost.uri()}},
                            "/tmp/appealhub_interop.log");
  // The hub declares the same topology at start; declaring it here first (idempotent) means the
  // outside publisher never races the hub's start.
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());
  hub.start();

  const std::string script = testing::repo_root() + "/tests/interop/publish_appeal.mjs";
  const std::string command = "node '" + script + "' '" + vhost.uri() + "' ZH-2026-0001";
  ASSERT_EQ(std::system(command.c_str()), 0)
      << command;  // NOLINT(concurrency-mt-unsafe,cert-env33-c)

  ASSERT_TRUE(testing::eventually(30s, [&] {
    return db.scalar(
               "SELECT count(*) FROM tickets WHERE channel = 'districtsys' AND"
               " external_id = 'ZH-2026-0001'") == "1";
  })) << "see /tmp/appealhub_interop.log";
  EXPECT_EQ(db.scalar("SELECT kind || '/' || category || '/' || division FROM tickets"),
            "complaint/road_passenger/510811");
  EXPECT_EQ(db.scalar("SELECT appeal->'channel_meta'->>'source' FROM tickets"),
            "amqplib interop test");
  EXPECT_EQ(hub.terminate(), 0);
}

}  // namespace
}  // namespace appealhub
