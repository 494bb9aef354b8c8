// The delivery loop's health, against the petition simulator and a real PostgreSQL: a sender
// whose signature the platform refuses (401 bad_signature) raises an alarm that stays in
// adapter_status as petition_delivery's error, and on the health report, until a delivery goes
// through; the reply meanwhile waits (retrying), and is delivered once the secret is right.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "adapters/delivery/delivery_loop.hpp"
#include "adapters/petition/reply_sender.hpp"
#include "app/health.hpp"
#include "app/routing_settings.hpp"
#include "core/codec.hpp"
#include "storage/reply_ledger.hpp"
#include "tests/sim/sim_client.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::adapters::delivery {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<DeliveryLoop> petition_loop(const testing::TestDatabase& db, unsigned short port,
                                            const std::string& secret,
                                            const storage::ReplyLedger& ledger) {
  http::ClientOptions client;
  client.base_url = "http://127.0.0.1:" + std::to_string(port);
  client.resend_on_stale_connection = false;
  DeliveryLoopOptions options;
  options.channel = "petition";
  return std::make_unique<DeliveryLoop>(
      storage::DatabaseConfig{db.uri()}, options, ledger,
      std::make_unique<petition::PetitionReplySender>(client, "gy-jtj", secret));
}

nlohmann::json petition_delivery_health(const testing::TestDatabase& db) {
  app::RoutingSettings settings(storage::DatabaseConfig{db.uri()});
  const auto report = app::health_report(
      storage::DatabaseConfig{db.uri()}, settings,
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  const auto json = nlohmann::json::parse(report.json);
  if (!json.contains("adapters")) ADD_FAILURE() << report.json;
  for (const auto& a : json.value("adapters", nlohmann::json::array())) {
    if (a.at("adapter") == "petition_delivery") return a;
  }
  return {};
}

TEST(DeliveryLoopHealth, ASigningRefusalIsAnAlarmUntilADeliveryGoesThrough) {
  testing::TestDatabase db("delivery_loop_health");
  auto sim = testing::start_simulator(
      {"petition", "--port", "0", "--app-id", "gy-jtj", "--rate", "0", "--follow-up-fraction", "0",
       "--withdraw-fraction", "0", "--reassign-fraction", "0"},
      {{"APPEALHUB_SIM_PETITION_SECRET", "the-right-secret"}},
      "/tmp/appealhub_delivery_loop_health_sim.log");
  ASSERT_NE(sim.port, 0);
  const auto generated =
      sim::testing::call(sim.port, "POST", "/_sim/generate", nlohmann::json{{"count", 1}}.dump());
  ASSERT_EQ(generated.status, 200) << generated.body;
  const auto msg_id = generated.json().at("ids").at(0).get<std::string>();

  db.exec(
      "INSERT INTO tickets (channel, external_id, status, kind, category, urgency, title, "
      "received_at, appeal, lead_department, answered_at) VALUES ('petition', '" +
      msg_id + "', 'answered', 'complaint', 'taxi', 'normal', 't', now(), '{}', 'd1', now())");
  const auto e =
      testing::sample_reply_event(std::stoll(db.scalar("SELECT max(id) FROM tickets")), "petition",
                                  msg_id, "rp-health-1", "已核实处理，感谢监督。");
  const storage::ReplyLedger ledger;
  {
    auto connection = storage::connect({db.uri()});
    pqxx::work txn(*connection);
    ASSERT_TRUE(ledger.record_request(txn, e, core::encode_event(e)));
    txn.commit();
  }
  std::atomic<bool> stop{false};

  {
    auto wrong = petition_loop(db, sim.port, "a-wrong-secret", ledger);
    EXPECT_EQ(wrong->deliver_once(stop), 1u);
    EXPECT_EQ(wrong->stats().retried, 1u);
  }
  EXPECT_EQ(db.scalar("SELECT state FROM reply_ledger"), "retrying");
  EXPECT_EQ(db.scalar("SELECT counters->>'alarms' FROM adapter_status WHERE adapter = "
                      "'petition_delivery'"),
            "1");
  const auto alarm = petition_delivery_health(db);
  ASSERT_FALSE(alarm.is_null());
  EXPECT_TRUE(alarm.at("failing").get<bool>());
  EXPECT_NE(alarm.at("last_error").get<std::string>().find("401 bad_signature: signing refused"),
            std::string::npos)
      << alarm.dump();
  EXPECT_EQ(alarm.at("last_error").get<std::string>().find("a-wrong-secret"), std::string::npos);

  // An empty queue afterwards does not clear the alarm: only a delivery does.
  {
    auto wrong = petition_loop(db, sim.port, "a-wrong-secret", ledger);
    EXPECT_EQ(wrong->deliver_once(stop), 0u);  // the reply waits for its next attempt
  }
  EXPECT_TRUE(petition_delivery_health(db).at("failing").get<bool>());

  db.exec("UPDATE reply_ledger SET next_attempt_at = now()");
  {
    auto right = petition_loop(db, sim.port, "the-right-secret", ledger);
    EXPECT_EQ(right->deliver_once(stop), 1u);
    EXPECT_EQ(right->stats().delivered, 1u);
  }
  EXPECT_EQ(db.scalar("SELECT state FROM reply_ledger"), "delivered");
  EXPECT_FALSE(petition_delivery_health(db).at("failing").get<bool>());
}

}  // namespace
}  // namespace appealhub::adapters::delivery
