// Answers back through the channels under faults: reply.requested for more than 1,000 tickets
// (mailbox, petition, 12328, operator) go through the delivery ledger to the simulators. The HTTP
// ones answer 5xx, 429, late (past the hub's timeout), drop connections and drop them after
// storing the reply; the 12328 platform answers rows of result files 系统繁忙请重试 (transient).
// The delivering process is SIGKILLed twice and RabbitMQ restarted once. Then each answer is
// accepted exactly once by its simulator, every failure is final and listed, withdrawn and
// reassigned tickets got nothing, and a merged group got one answer in each channel.
// Needs PostgreSQL, RabbitMQ and the simulators (built with the tests).

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "http/client.hpp"
#include "storage/database.hpp"
#include "storage/reply_ledger.hpp"
#include "tests/sim/sim_client.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

std::vector<std::string> generate(unsigned short port, int count) {
  const auto r =
      sim::testing::call(port, "POST", "/_sim/generate", nlohmann::json{{"count", count}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json().at("ids").get<std::vector<std::string>>();
}

// reply key -> accepted_new, and how many keys the simulator saw conflicting bodies for.
std::map<std::string, int> accepted(unsigned short port, const char* key, int& conflicting) {
  // The ledger is larger than the simulator test client takes: the hub's client reads it.
  http::ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  http::Client client(options);
  const auto body = nlohmann::json::parse(client.get("/_sim/ledger").body);
  std::map<std::string, int> out;
  conflicting = 0;
  for (const auto& reply : body["received"]["replies"]) {
    out[reply.at(key).get<std::string>()] = reply.at("accepted_new").get<int>();
    conflicting += reply.at("conflicting").get<int>();
  }
  return out;
}

std::string outgoing_appeal(std::size_t i, const std::string& channel, const std::string& id,
                            std::string& event_id) {
  auto event = testing::sample_appeal_event(i, channel);
  auto& appeal = std::get<core::AppealReceived>(event.body).appeal;
  appeal.channel = channel;
  appeal.external_id = id;
  event.event_id = core::make_event_id("appeal.received", channel, id, "");
  event_id = event.event_id;
  return core::encode_event(event);
}

// order id -> 成功 receipts, from the 12328 simulator's ledger; `again`: rows it refused as
// already done (a second 办结 for an order), `busy`: rows it answered 系统繁忙请重试.
std::map<std::string, int> hotline_accepted(const std::filesystem::path& ledger, int& again,
                                            int& busy) {
  std::ifstream in(ledger);
  const auto body = nlohmann::json::parse(in);
  std::map<std::string, int> out;
  again = busy = 0;
  for (const auto& file : body.at("results")) {
    for (const auto& line : file.at("lines")) {
      const auto reason = line.at("reason").get<std::string>();
      if (line.at("receipt") == "成功") out[line.at("order_id").get<std::string>()]++;
      again += reason == "该工单已办结";
      busy += reason == "系统繁忙请重试";
    }
  }
  return out;
}

TEST(ReplyDelivery, EveryAnswerOnceDespiteFaultsKillsAndABrokerRestart) {
  constexpr int kMailbox = 400, kPetition = 400, kHotline = 300, kOperator = 120;
  namespace fs = std::filesystem;
  testing::TestDatabase db("reply_delivery");
  testing::TestVhost vhost("reply_delivery");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  broker.heartbeat_seconds = 10;
  bus::declare_topology(broker, bus::hub_topology());

  // 1. The simulators, in fault mode.
  const std::vector<std::string> faults{"--rate",
                                        "0",
                                        "--fault-5xx",
                                        "0.08",
                                        "--fault-slow",
                                        "0.03",
                                        "--fault-slow-ms",
                                        "2500",
                                        "--fault-drop",
                                        "0.04",
                                        "--fault-drop-after-store",
                                        "0.06",
                                        "--fault-429-burst",
                                        "0.01",
                                        "--fault-429-burst-ms",
                                        "800"};
  auto mailbox_args = std::vector<std::string>{"mailbox", "--port", "0", "--seed", "11"};
  mailbox_args.insert(mailbox_args.end(), faults.begin(), faults.end());
  auto petition_args = std::vector<std::string>{"petition", "--port",
                                                "0",        "--app-id",
                                                "gy-jtj",   "--seed",
                                                "12",       "--follow-up-fraction",
                                                "0",        "--withdraw-fraction",
                                                "0",        "--reassign-fraction",
                                                "0"};
  petition_args.insert(petition_args.end(), faults.begin(), faults.end());
  auto mailbox =
      testing::start_simulator(mailbox_args, {{"APPEALHUB_SIM_MAILBOX_TOKEN", "mb-token"}},
                               "/tmp/appealhub_reply_delivery_mailbox.log");
  auto petition =
      testing::start_simulator(petition_args, {{"APPEALHUB_SIM_PETITION_SECRET", "pt-secret"}},
                               "/tmp/appealhub_reply_delivery_petition.log");
  ASSERT_NE(mailbox.port, 0);
  ASSERT_NE(petition.port, 0);
  // Generated without faults in the way.
  const auto quiet = nlohmann::json{
      {"error_5xx", 0},
      {"slow", 0},
      {"drop", 0},
      {"drop_after_store", 0},
      {"burst_429", 0}}.dump();
  const auto faulty = nlohmann::json{
      {"error_5xx", 0.08},
      {"slow", 0.03},
      {"drop", 0.04},
      {"drop_after_store", 0.06},
      {"burst_429", 0.01}}.dump();
  for (auto port : {mailbox.port, petition.port}) {
    ASSERT_EQ(sim::testing::call(port, "POST", "/_sim/faults", quiet).status, 200);
  }
  const auto letters = generate(mailbox.port, kMailbox);
  const auto messages = generate(petition.port, kPetition);
  ASSERT_EQ(letters.size(), static_cast<std::size_t>(kMailbox));
  // The 12328 platform exports its orders into a folder the hub watches, and answers one row in
  // seven of the hub's result files 系统繁忙请重试.
  const auto hotline_dir =
      fs::temp_directory_path() / ("appealhub_reply_delivery_12328_" + std::to_string(::getpid()));
  fs::remove_all(hotline_dir);
  auto hotline = testing::start_simulator(
      {"hotline", "--dir", hotline_dir.string(), "--count", std::to_string(kHotline), "--rate",
       "3000", "--rows-per-file", "100", "--file-interval-ms", "200", "--poll-ms", "200",
       "--followups", "0", "--busy", "0.15", "--seed", "13"},
      {}, "/tmp/appealhub_reply_delivery_12328.log", false);

  // 2. The hub: intake and relay in one process that stays up, delivery in another one that is
  // killed.
  const std::string spine_config = "/tmp/appealhub_reply_delivery_spine.json";
  std::ofstream(spine_config) << nlohmann::json{
      {"hotline12328",
       {{"export_dir", (hotline_dir / "export").string()},
        {"poll_interval_ms", 200}}}}.dump();
  const std::string config = "/tmp/appealhub_reply_delivery.json";
  {
    std::ofstream out(config);
    out << nlohmann::json{{"hotline12328",
                           {{"import_dir", (hotline_dir / "import").string()},
                            {"receipt_dir", (hotline_dir / "receipt").string()},
                            {"result_flush_seconds", 1}}},
                          {"mailbox",
                           {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)},
                            {"request_timeout_ms", 1500}}},
                          {"petition",
                           {{"base_url", "http://127.0.0.1:" + std::to_string(petition.port)},
                            {"app_id", "gy-jtj"},
                            {"request_timeout_ms", 1500}}},
                          {"delivery",
                           {{"channels", "mailbox,petition,hotline12328,operator"},
                            {"backoff_min_ms", 200},
                            {"backoff_max_ms", 3000},
                            {"lease_seconds", 5},
                            {"max_attempts", 40},
                            {"poll_interval_ms", 100}}}}
               .dump();
  }
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_LOG_LEVEL", "warn"},
                                               {"APPEALHUB_MAILBOX_TOKEN", "mb-token"},
                                               {"APPEALHUB_PETITION_SECRET", "pt-secret"}};
  ChildProcess spine({testing::appealhub_binary(), "run", "--config", spine_config}, env,
                     "/tmp/appealhub_reply_delivery_spine.log");
  spine.start();
  ChildProcess deliver({testing::appealhub_binary(), "deliver", "--config", config}, env,
                       "/tmp/appealhub_reply_delivery_deliver.log");

  // 3. The appeals, as channel events on the bus.
  bus::ConfirmedPublisher publisher(broker, 500);
  std::vector<std::pair<std::string, std::string>> appeals;  // channel, external id
  for (const auto& id : letters) appeals.emplace_back("mailbox", id);
  for (const auto& id : messages) appeals.emplace_back("petition", id);
  for (int i = 0; i < kOperator; ++i) appeals.emplace_back("operator", "OP-" + std::to_string(i));
  for (std::size_t i = 0; i < appeals.size(); ++i) {
    bus::OutgoingMessage m;
    m.exchange = "appeals";
    m.routing_key = "intake." + appeals[i].first;
    m.type = "appeal.received";
    m.body = outgoing_appeal(i, appeals[i].first, appeals[i].second, m.message_id);
    publisher.publish(std::move(m));
  }
  ASSERT_TRUE(publisher.flush(60s)) << publisher.last_error();
  const auto appeal_count = appeals.size() + kHotline;
  ASSERT_TRUE(testing::eventually(180s, [&] {
    return db.scalar("SELECT count(*) FROM tickets") == std::to_string(appeal_count);
  })) << db.scalar("SELECT count(*) FROM tickets");
  const auto orders = db.column(
      "SELECT external_id FROM tickets WHERE channel = 'hotline12328' ORDER BY external_id");

  // 4. What the hub decided before answering: some withdrawn or reassigned away (no answer may
  // go out), a merged group of three channels, the rest answered. The simulators learn of a
  // few withdrawals and reassignments the hub has not heard of yet.
  db.exec("UPDATE tickets SET status = 'answered', answered_at = now() - interval '1 second'");
  const auto set_status = [&](const std::string& channel, const std::string& id,
                              const std::string& status) {
    db.exec("UPDATE tickets SET status = '" + status + "' WHERE channel = '" + channel +
            "' AND external_id = '" + id + "'");
  };
  for (int i = 0; i < 20; ++i) {
    set_status("mailbox", letters[i], "withdrawn");
    set_status("petition", messages[i], "reassigned_out");
    if (i < 10) set_status("hotline12328", orders[i], "withdrawn");
  }
  const auto merged_primary = db.scalar(
      "SELECT id FROM tickets WHERE channel = 'mailbox' AND external_id = '" + letters[200] + "'");
  db.exec("UPDATE tickets SET status = 'merged', merged_into = " + merged_primary +
          " WHERE (channel = 'petition' AND external_id = '" + messages[200] +
          "') OR (channel = 'operator' AND external_id = 'OP-50')");
  for (std::size_t i = kMailbox - 10; i < static_cast<std::size_t>(kMailbox) - 5; ++i) {
    sim::testing::call(mailbox.port, "POST", "/_sim/act",
                       nlohmann::json{{"action", "withdraw"}, {"id", letters[i]}}.dump());
  }
  for (std::size_t i = kPetition - 10; i < static_cast<std::size_t>(kPetition) - 5; ++i) {
    sim::testing::call(petition.port, "POST", "/_sim/act",
                       nlohmann::json{{"action", "reassign"}, {"id", messages[i]}}.dump());
  }
  for (auto port : {mailbox.port, petition.port}) {
    ASSERT_EQ(sim::testing::call(port, "POST", "/_sim/faults", faulty).status, 200);
  }

  // 5. One answer per ticket, straight onto reply.<channel>.
  deliver.start();
  const auto tickets =
      db.column("SELECT id || ' ' || channel || ' ' || external_id FROM tickets ORDER BY id");
  for (const auto& row : tickets) {
    std::istringstream in(row);
    std::int64_t ticket = 0;
    std::string channel, external_id;
    in >> ticket >> channel >> external_id;
    const auto e = testing::sample_reply_event(
        ticket, channel, external_id, "e2e-" + std::to_string(ticket),
        "您反映的问题已处理，感谢监督。（工单 " + std::to_string(ticket) + "）");
    bus::OutgoingMessage m;
    m.exchange = "appeals";
    m.routing_key = e.routing_key();
    m.type = "reply.requested";
    m.message_id = e.event_id;
    m.body = core::encode_event(e);
    publisher.publish(std::move(m));
  }
  ASSERT_TRUE(publisher.flush(60s)) << publisher.last_error();
  const auto total = tickets.size();
  const auto settled = [&] {
    return std::stoul(
        db.scalar("SELECT count(*) FROM reply_ledger WHERE state IN ('delivered', 'failed') "
                  "AND channel <> 'operator'"));
  };
  const auto channel_replies = total - kOperator;
  testing::eventually(
      120s, [&] { return settled() >= channel_replies / 4; }, 50ms);
  deliver.kill(SIGKILL);  // kill 1
  deliver.start();
  testing::eventually(
      120s, [&] { return settled() >= channel_replies / 2; }, 50ms);
  testing::services("restart rabbitmq");
  testing::eventually(
      120s, [&] { return settled() >= channel_replies * 3 / 4; }, 50ms);
  deliver.kill(SIGKILL);  // kill 2
  deliver.start();

  // 6. The operators call back: reached for most, three unanswered calls for five of them.
  ASSERT_TRUE(testing::eventually(60s, [&] {
    return db.scalar("SELECT count(*) FROM reply_ledger WHERE channel = 'operator'") ==
           std::to_string(kOperator);
  }));
  {
    auto connection = storage::connect({db.uri()});
    pqxx::work txn(*connection);
    const storage::ReplyLedger ledger;
    int unreached = 0;
    for (const auto& id : db.column("SELECT ticket_id FROM reply_ledger WHERE channel = "
                                    "'operator' AND state = 'queued' ORDER BY ticket_id")) {
      const auto ticket = std::stoll(id);
      if (unreached++ < 5) {
        for (int call = 0; call < 3; ++call)
          ledger.record_callback(txn, ticket, false, "op1", "无人接听");
      } else {
        ledger.record_callback(txn, ticket, true, "op1", "已读答复");
      }
    }
    txn.commit();
  }

  const bool done = testing::eventually(
      400s,
      [&] {
        return db.scalar(
                   "SELECT count(*) FROM reply_ledger WHERE state IN ('delivered', "
                   "'failed')") == std::to_string(total) &&
               db.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == "0";
      },
      500ms);
  EXPECT_TRUE(done) << db.scalar(
      "SELECT string_agg(state || ':' || n, ' ') FROM (SELECT state, count(*) n FROM "
      "reply_ledger GROUP BY state) s");
  EXPECT_EQ(deliver.terminate(), 0);

  // 7. Each answer accepted exactly once by its simulator, and only the ledger's deliveries.
  std::map<std::string, std::set<std::string>> delivered, failed;
  for (const auto& row :
       db.column("SELECT channel || ' ' || state || ' ' || reply_id FROM reply_ledger")) {
    std::istringstream in(row);
    std::string channel, state, reply_id;
    in >> channel >> state >> reply_id;
    (state == "delivered" ? delivered : failed)[channel].insert(reply_id);
  }
  for (auto port : {mailbox.port, petition.port}) {
    EXPECT_EQ(sim::testing::call(port, "POST", "/_sim/faults", quiet).status, 200);
  }
  std::cout << "[ reply delivery ] failures: "
            << db.scalar(
                   "SELECT string_agg(e || ' x' || n, ' | ') FROM (SELECT channel || ': ' "
                   "|| left(last_error, 90) e, count(*) n FROM reply_ledger WHERE state = "
                   "'failed' GROUP BY 1) s")
            << "\n[ reply delivery ] retries: "
            << db.scalar(
                   "SELECT string_agg(e || ' x' || n, ' | ') FROM (SELECT l.channel || ' ' || "
                   "coalesce(a.status_code::text || ' ' || a.code, a.code) e, count(*) n FROM "
                   "reply_attempts a JOIN reply_ledger l USING (reply_id) WHERE a.outcome = "
                   "'retry' GROUP BY 1) s")
            << "\n";
  // Every attempt was signed afresh: the platform never saw a nonce twice.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM reply_attempts WHERE code = 'replayed_nonce'"), "0");
  int mailbox_conflicts = 0, petition_conflicts = 0, hotline_again = 0, hotline_busy = 0;
  const auto mailbox_seen = accepted(mailbox.port, "idempotency_key", mailbox_conflicts);
  const auto petition_seen = accepted(petition.port, "request_id", petition_conflicts);
  EXPECT_EQ(mailbox_conflicts, 0);
  EXPECT_EQ(petition_conflicts, 0);
  EXPECT_EQ(hotline.process->terminate(), 0);  // writes its ledger
  const auto hotline_seen =
      hotline_accepted(hotline_dir / "sim-ledger.json", hotline_again, hotline_busy);
  EXPECT_EQ(hotline_again, 0) << "an order answered twice";
  EXPECT_GT(hotline_busy, 0) << "the transient fault never happened";
  {
    // The platform knows orders, not reply ids: each delivered 12328 reply's order, once.
    std::set<std::string> delivered_orders;
    for (const auto& id : db.column("SELECT external_id FROM reply_ledger WHERE channel = "
                                    "'hotline12328' AND state = 'delivered'")) {
      delivered_orders.insert(id);
    }
    for (const auto& [order, n] : hotline_seen) {
      EXPECT_EQ(n, 1) << order;
      EXPECT_TRUE(delivered_orders.contains(order)) << order << " accepted but not delivered";
    }
    EXPECT_EQ(hotline_seen.size(), delivered_orders.size());
    EXPECT_EQ(delivered_orders.size(), delivered["hotline12328"].size());
  }
  for (const auto& [channel, seen] : {std::pair{std::string("mailbox"), &mailbox_seen},
                                      std::pair{std::string("petition"), &petition_seen}}) {
    std::size_t accepted_once = 0;
    for (const auto& [key, n] : *seen) {
      EXPECT_EQ(n, 1) << key;
      EXPECT_TRUE(delivered[channel].contains(key)) << key << " stored but not delivered";
      accepted_once += n == 1;
    }
    EXPECT_EQ(accepted_once, delivered[channel].size()) << channel;
  }
  // Nothing went out for the tickets the hub knew were withdrawn or reassigned away.
  for (const auto& id :
       db.column("SELECT reply_id FROM reply_ledger WHERE last_error LIKE 'not sent:%'")) {
    EXPECT_FALSE(mailbox_seen.contains(id) || petition_seen.contains(id)) << id;
  }
  for (const auto& order : db.column("SELECT external_id FROM reply_ledger WHERE channel = "
                                     "'hotline12328' AND last_error LIKE 'not sent:%'")) {
    EXPECT_FALSE(hotline_seen.contains(order)) << order;
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM reply_ledger WHERE last_error LIKE 'not sent:%'"),
            "50");
  // What the simulators refused for good as withdrawn or reassigned: the ticket followed.
  const std::string refused =
      "FROM reply_ledger l JOIN tickets t ON t.id = l.ticket_id WHERE l.state = 'failed' AND "
      "(l.last_error LIKE '%410 withdrawn%' OR l.last_error LIKE '%the message is withdrawn' OR "
      "l.last_error LIKE '%the message is reassigned')";
  EXPECT_NE(db.scalar("SELECT count(*) " + refused), "0");
  EXPECT_TRUE(testing::eventually(60s, [&] {
    return db.scalar("SELECT count(*) " + refused +
                     " AND t.status NOT IN ('withdrawn', 'reassigned_out')") == "0";
  })) << db.scalar("SELECT string_agg(l.reply_id || ' ' || t.status, ', ') " + refused);
  // Every final failure is on the managers' list.
  {
    auto connection = storage::connect({db.uri()});
    pqxx::read_transaction txn(*connection);
    storage::ReplyFilter f;
    f.states = {"failed"};
    f.limit = 10000;
    std::size_t failures = 0;
    for (const auto& [channel, ids] : failed) failures += ids.size();
    EXPECT_EQ(storage::list_replies(txn, f).size(), failures);
  }
  // The merged group: one answer in each of the three channels.
  for (const auto& row : db.column("SELECT channel || ' ' || reply_id || ' ' || state FROM "
                                   "reply_ledger WHERE ticket_id = " +
                                   merged_primary +
                                   " OR ticket_id IN (SELECT id FROM tickets "
                                   "WHERE merged_into = " +
                                   merged_primary + ")")) {
    EXPECT_TRUE(row.ends_with(" delivered")) << row;
  }
  // Delivered final answers moved their (unmerged) tickets on.
  EXPECT_TRUE(testing::eventually(60s, [&] {
    return db.scalar("SELECT count(*) FROM tickets WHERE status = 'delivered'") ==
           db.scalar(
               "SELECT count(*) FROM reply_ledger l JOIN tickets t ON t.id = l.ticket_id "
               "WHERE l.state = 'delivered' AND t.merged_into IS NULL");
  }));

  std::cout << "[ reply delivery ] replies " << total << ": mailbox delivered "
            << delivered["mailbox"].size() << " failed " << failed["mailbox"].size()
            << ", petition delivered " << delivered["petition"].size() << " failed "
            << failed["petition"].size() << ", 12328 delivered " << delivered["hotline12328"].size()
            << " failed " << failed["hotline12328"].size() << " (busy rows " << hotline_busy
            << "), operator delivered " << delivered["operator"].size() << " failed "
            << failed["operator"].size() << "; attempts "
            << db.scalar("SELECT count(*) FROM reply_attempts") << " (retried "
            << db.scalar("SELECT count(*) FROM reply_attempts WHERE outcome = 'retry'")
            << "); simulator keys mailbox " << mailbox_seen.size() << " petition "
            << petition_seen.size() << " 12328 orders " << hotline_seen.size() << "\n";
  EXPECT_EQ(spine.terminate(), 0);
  fs::remove_all(hotline_dir);
}

}  // namespace
}  // namespace appealhub
