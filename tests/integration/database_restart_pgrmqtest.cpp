// After a database restart (issue 21): two `appealhub run` processes, each with every channel
// adapter (the mailbox and petition pollers, the 12328 export intake, the petition webhook in the
// first one's gateway, the delivery parts and the 12328 result sender), against one PostgreSQL
// and one RabbitMQ. PostgreSQL is restarted twice, once during intake and once while answers go
// out. It must show:
// - one holder per channel at every moment: every page and export file is taken under a lease,
//   logged with the process and the database session that held it ("taken" lines); the spans of
//   (process, session) per lease never overlap, and every export file is taken once;
// - every part back within kRecovery of the database's return: both gateways' /readyz (which
//   names every part of the process whose connection is not back) and a page taken again by the
//   mailbox and petition leases;
// - the end state counted: every appeal one ticket (letters withdrawn before the hub saw them
//   too, closed as withdrawn), nothing left parked, every webhook taken, every answer delivered
//   once at its channel, every 12328 row answered 系统繁忙请重试 sent again in a later file.
// Needs PostgreSQL, RabbitMQ and the simulators (built with the tests).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "bus/publisher.hpp"
#include "core/codec.hpp"
#include "http/client.hpp"
#include "tests/sim/sim_client.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/lease_log.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::ChildProcess;
using Clock = std::chrono::steady_clock;

constexpr int kLetters = 150, kMessages = 150, kHotlineRows = 300, kWithdrawnUnseen = 8;
// Within this time of PostgreSQL's return every part is back (measured figures are printed).
constexpr auto kRecovery = 20s;
const std::string kToken = "restart-mailbox-token";
const std::string kAppId = "gy-jtj";
const std::string kSecret = "restart-petition-secret";

unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int status_of(unsigned short port, const std::string& target) {
  try {
    return sim::testing::call(port, "GET", target).status;
  } catch (const std::exception&) {
    return 0;
  }
}

// The simulator's ledger, read with the hub's client (it is larger than the test client takes).
json sim_ledger(unsigned short port) {
  http::ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  http::Client client(options);
  return json::parse(client.get("/_sim/ledger").body);
}

std::vector<std::string> generate(unsigned short port, int count) {
  const auto r = sim::testing::call(port, "POST", "/_sim/generate", json{{"count", count}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json().at("ids").get<std::vector<std::string>>();
}

using testing::overlapping_holders;
using testing::taken_lines;

std::string log_time_now() {
  // The logs' format (RFC 3339, milliseconds, +08:00) compares as text.
  const auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const auto local = now + 8h;
  const auto days = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(local - days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ld+08:00",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()),
                static_cast<long>(hms.subseconds().count()));
  return buf;
}

TEST(DatabaseRestart, OneHolderPerChannelEveryPartBackNothingParkedEveryAnswerOnce) {
  const auto started = Clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
  };
  testing::TestDatabase db("database_restart");
  testing::TestVhost vhost("database_restart");
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_database_restart_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path hotline_dir = root / "12328";
  const unsigned short gateway_a = free_port(), gateway_b = free_port();

  // 1. The simulators. The petition platform pushes its webhooks to the first gateway.
  auto mailbox = testing::start_simulator(
      {"mailbox", "--port", "0", "--seed", "41", "--rate", "0", "--withdraw-fraction", "0"},
      {{"APPEALHUB_SIM_MAILBOX_TOKEN", kToken}}, (root / "mailbox-sim.log").string());
  auto petition = testing::start_simulator(
      {"petition", "--port", "0", "--app-id", kAppId, "--seed", "42", "--rate", "0",
       "--webhook-url", "http://127.0.0.1:" + std::to_string(gateway_a) + "/webhooks/petition",
       "--webhook-retry-ms", "300", "--follow-up-fraction", "0", "--withdraw-fraction", "0",
       "--reassign-fraction", "0"},
      {{"APPEALHUB_SIM_PETITION_SECRET", kSecret}}, (root / "petition-sim.log").string());
  ASSERT_NE(mailbox.port, 0) << "see " << root / "mailbox-sim.log";
  ASSERT_NE(petition.port, 0) << "see " << root / "petition-sim.log";
  ChildProcess hotline({testing::sim_binary(),
                        "hotline",
                        "--dir",
                        hotline_dir.string(),
                        "--rate",
                        "15",
                        "--count",
                        std::to_string(kHotlineRows),
                        "--rows-per-file",
                        "10",
                        "--file-interval-ms",
                        "500",
                        "--poll-ms",
                        "200",
                        "--followups",
                        "0",
                        "--busy",
                        "0.15",
                        "--seed",
                        "43"},
                       {}, (root / "hotline-sim.log").string());

  // Letters withdrawn before any hub saw them: each must still become a ticket (withdrawn).
  auto letters = generate(mailbox.port, kLetters / 3);
  for (int i = 0; i < kWithdrawnUnseen; ++i) {
    ASSERT_EQ(sim::testing::call(mailbox.port, "POST", "/_sim/act",
                                 json{{"action", "withdraw"}, {"id", letters[i]}}.dump())
                  .status,
              200);
  }
  auto messages = generate(petition.port, kMessages / 3);

  // 2. Two hubs, each with every part; the same configuration but for the gateway's port.
  const fs::path config = root / "appealhub.json";
  std::ofstream(config) << json{
      {"hotline12328",
       {{"export_dir", (hotline_dir / "export").string()},
        {"import_dir", (hotline_dir / "import").string()},
        {"receipt_dir", (hotline_dir / "receipt").string()},
        {"result_flush_seconds", 1},
        {"poll_interval_ms", 300}}},
      {"mailbox",
       {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)},
        {"poll_interval_ms", 500},
        {"page_size", 20},
        {"backoff_max_ms", 2000}}},
      {"petition",
       {{"base_url", "http://127.0.0.1:" + std::to_string(petition.port)},
        {"app_id", kAppId},
        {"poll_interval_ms", 500},
        {"page_size", 20},
        {"backoff_max_ms", 2000}}},
      {"delivery",
       {{"channels", "mailbox,petition,hotline12328"},
        {"backoff_min_ms", 200},
        {"backoff_max_ms", 2000},
        {"lease_seconds", 5},
        {"max_attempts", 40},
        {"poll_interval_ms",
         200}}}}.dump(2);
  const auto hub = [&](unsigned short port, const std::string& name) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{testing::appealhub_binary(), "run", "--config", config.string()},
        std::map<std::string, std::string>{{"APPEALHUB_PG_URI", db.uri()},
                                           {"APPEALHUB_AMQP_URI", vhost.uri()},
                                           {"APPEALHUB_LOG_LEVEL", "info"},
                                           {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
                                           {"APPEALHUB_MAILBOX_TOKEN", kToken},
                                           {"APPEALHUB_PETITION_SECRET", kSecret}},
        (root / (name + ".log")).string());
  };
  auto hub_a = hub(gateway_a, "hub-a");
  auto hub_b = hub(gateway_b, "hub-b");
  const std::vector<std::string> logs{(root / "hub-a.log").string(), (root / "hub-b.log").string()};
  hub_a->start();
  ASSERT_TRUE(testing::eventually(60s, [&] { return status_of(gateway_a, "/readyz") == 200; }))
      << "see " << logs[0];
  hub_b->start();  // after the first one migrated
  hotline.start();
  ASSERT_TRUE(testing::eventually(60s, [&] { return status_of(gateway_b, "/readyz") == 200; }))
      << "see " << logs[1];

  // A restart of PostgreSQL; then the time until both gateways are ready and the mailbox and
  // petition leases take a page again.
  std::vector<std::string> recovery_report;
  const auto restart_postgres = [&](const std::string& when) {
    const auto before = Clock::now();
    testing::services("restart postgres");
    const auto back = Clock::now();
    const auto since = log_time_now();
    std::map<unsigned short, double> ready;
    std::map<std::string, double> paging;
    const bool recovered = testing::eventually(
        kRecovery + 10s,
        [&] {
          const double s = std::chrono::duration<double>(Clock::now() - back).count();
          for (auto port : {gateway_a, gateway_b}) {
            if (!ready.count(port) && status_of(port, "/readyz") == 200) ready[port] = s;
          }
          for (const auto& t : taken_lines(logs)) {
            if (t.ts > since && t.kind != "export_file" && !paging.count(t.lease))
              paging[t.lease] = s;
          }
          return ready.size() == 2 && paging.size() == 2;
        },
        250ms);
    std::ostringstream line;
    line << when << ": PostgreSQL down and up in "
         << std::chrono::duration<double>(back - before).count() << " s; then ready in";
    for (const auto& [port, s] : ready) line << " gateway :" << port << " " << s << " s,";
    for (const auto& [lease, s] : paging) line << " " << lease << " paging " << s << " s,";
    recovery_report.push_back(line.str());
    std::cout << "[ restart ] t=" << elapsed() << "s " << line.str() << std::endl;
    EXPECT_TRUE(recovered) << when << ": not every part came back; see " << logs[0] << ", "
                           << logs[1];
    for (auto port : {gateway_a, gateway_b}) {
      if (!ready.count(port)) {
        std::string body;
        try {
          body = sim::testing::call(port, "GET", "/readyz").body;
        } catch (const std::exception& e) {
          body = e.what();
        }
        ADD_FAILURE() << "gateway :" << port << " never ready again: " << body;
        continue;
      }
      EXPECT_LT(ready[port], std::chrono::duration<double>(kRecovery).count()) << port;
    }
    for (const auto& [lease, s] : paging) {
      EXPECT_LT(s, std::chrono::duration<double>(kRecovery).count()) << lease;
    }
  };

  // 3. Intake, with a restart in the middle of it.
  std::this_thread::sleep_for(3s);
  for (auto& id : generate(mailbox.port, kLetters / 3)) letters.push_back(id);
  for (auto& id : generate(petition.port, kMessages / 3)) messages.push_back(id);
  std::this_thread::sleep_for(2s);
  restart_postgres("during intake");
  for (auto& id : generate(mailbox.port, kLetters - static_cast<int>(letters.size())))
    letters.push_back(id);
  for (auto& id : generate(petition.port, kMessages - static_cast<int>(messages.size())))
    messages.push_back(id);

  ASSERT_TRUE(testing::eventually(
      180s,
      [&] {
        const auto l = json::parse(
            [&] {
              std::ifstream in(hotline_dir / "sim-ledger.json");
              std::stringstream s;
              s << in.rdbuf();
              return s.str();
            }(),
            nullptr, false);
        return l.is_object() && l.value("rows_issued", 0) >= kHotlineRows;
      },
      500ms))
      << "the 12328 simulator did not issue its rows";
  std::set<std::string> orders;  // 12328 orders, from the export files the platform wrote
  // Every appeal one ticket: wait until the store has them all and the export folder is empty.
  const auto expected_tickets = [&] {
    std::ifstream in(hotline_dir / "sim-ledger.json");
    const auto l = json::parse(in, nullptr, false);
    orders.clear();
    if (l.is_object()) {
      for (const auto& [id, order] : l["orders"].items()) orders.insert(id);
    }
    return kLetters + kMessages + orders.size();
  };
  const bool all_in = testing::eventually(
      180s,
      [&] {
        return db.scalar("SELECT count(*) FROM tickets") == std::to_string(expected_tickets());
      },
      1s);
  EXPECT_TRUE(all_in) << db.scalar("SELECT count(*) FROM tickets") << " tickets, expected "
                      << expected_tickets();
  std::cout << "[ restart ] t=" << elapsed() << "s intake done: "
            << db.scalar(
                   "SELECT string_agg(channel || ' ' || n, ', ') FROM (SELECT channel, "
                   "count(*) n FROM tickets GROUP BY 1 ORDER BY 1) s")
            << std::endl;

  // 4. One answer per open ticket onto the bus (as the relay would), a restart while they go out.
  db.exec(
      "UPDATE tickets SET status = 'answered', answered_at = now() - interval '1 second' "
      "WHERE status NOT IN ('withdrawn', 'merged')");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::ConfirmedPublisher publisher(broker, 500);
  const auto tickets = db.column(
      "SELECT id || ' ' || channel || ' ' || external_id FROM tickets WHERE status = 'answered' "
      "ORDER BY id");
  for (const auto& row : tickets) {
    std::istringstream in(row);
    std::int64_t ticket = 0;
    std::string channel, external_id;
    in >> ticket >> channel >> external_id;
    const auto e =
        testing::sample_reply_event(ticket, channel, external_id, "rs-" + std::to_string(ticket),
                                    "您反映的问题已处理，感谢监督。");
    bus::OutgoingMessage m;
    m.exchange = "appeals";
    m.routing_key = e.routing_key();
    m.type = "reply.requested";
    m.message_id = e.event_id;
    m.body = core::encode_event(e);
    publisher.publish(std::move(m));
  }
  ASSERT_TRUE(publisher.flush(60s)) << publisher.last_error();
  const auto settled = [&] {
    return std::stoul(
        db.scalar("SELECT count(*) FROM reply_ledger WHERE state IN ('delivered', 'failed')"));
  };
  testing::eventually(
      120s, [&] { return settled() >= tickets.size() / 3; }, 100ms);
  restart_postgres("during delivery");
  const bool delivered = testing::eventually(
      240s, [&] { return settled() == tickets.size(); }, 1s);
  EXPECT_TRUE(delivered) << db.scalar(
      "SELECT string_agg(channel || ' ' || state || ' ' || n, ', ') FROM (SELECT channel, state, "
      "count(*) n FROM reply_ledger GROUP BY 1, 2) s");

  // 5. The end state.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets"), std::to_string(expected_tickets()));
  EXPECT_EQ(db.scalar("SELECT count(*) - count(DISTINCT (channel, external_id)) FROM tickets"),
            "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM parked_events"), "0") << "events parked for ever";
  for (int i = 0; i < kWithdrawnUnseen; ++i) {
    EXPECT_EQ(db.scalar("SELECT status FROM tickets WHERE channel = 'mailbox' AND external_id = '" +
                        letters[i] + "'"),
              "withdrawn")
        << letters[i] << " withdrawn before the hub saw it";
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM reply_ledger WHERE state <> 'delivered'"), "0")
      << db.scalar(
             "SELECT string_agg(reply_id || ': ' || last_error, '; ') FROM reply_ledger "
             "WHERE state <> 'delivered'");

  // Every answer once at its channel.
  for (const auto& [port, key] :
       {std::pair{mailbox.port, "idempotency_key"}, std::pair{petition.port, "request_id"}}) {
    const auto l = sim_ledger(port);
    std::size_t once = 0;
    for (const auto& reply : l["received"]["replies"]) {
      EXPECT_EQ(reply.at("accepted_new").get<int>(), 1) << reply.at(key);
      EXPECT_EQ(reply.at("conflicting").get<int>(), 0) << reply.at(key);
      once += reply.at("accepted_new").get<int>() == 1;
    }
    const std::string channel = port == mailbox.port ? "mailbox" : "petition";
    EXPECT_EQ(std::to_string(once),
              db.scalar("SELECT count(*) FROM reply_ledger WHERE channel = '" + channel +
                        "' AND state = 'delivered'"))
        << channel;
  }
  // Every webhook taken: the platform retries one the hub did not take yet (its last ones may
  // still be on their way), so this waits for its retries.
  std::size_t hooks_pending = 0;
  testing::eventually(30s, [&] {
    const auto webhooks = sim_ledger(petition.port)["issued"]["webhooks"];
    hooks_pending = 0;
    for (const auto& w : webhooks) hooks_pending += w["delivered"].get<std::size_t>() == 0;
    return hooks_pending == 0;
  });
  EXPECT_EQ(hooks_pending, 0u) << "webhooks never taken";
  EXPECT_EQ(hub_a->terminate(), 0) << "see " << logs[0];
  EXPECT_EQ(hub_b->terminate(), 0) << "see " << logs[1];
  EXPECT_EQ(hotline.terminate(), 0);  // writes its ledger

  // 12328: each order answered once; each busy row sent again in a later file.
  std::ifstream in(hotline_dir / "sim-ledger.json");
  const auto hl = json::parse(in);
  std::map<std::string, int> accepted;
  std::map<std::string, std::vector<std::string>> files_of;  // order -> result files, in order
  std::vector<std::pair<std::string, std::string>> busy;     // order, file
  for (const auto& file : hl["results"]) {
    for (const auto& line : file["lines"]) {
      const std::string order = line["order_id"];
      files_of[order].push_back(file["file"]);
      if (line["receipt"] == "成功") ++accepted[order];
      if (line["reason"] == "系统繁忙请重试") busy.emplace_back(order, file["file"]);
    }
  }
  EXPECT_EQ(accepted.size(), orders.size());
  for (const auto& [order, n] : accepted) EXPECT_EQ(n, 1) << order;
  int busy_not_resent = 0;
  for (const auto& [order, file] : busy) {
    const auto& files = files_of[order];
    busy_not_resent +=
        std::none_of(files.begin(), files.end(), [&](const std::string& f) { return f > file; });
  }
  EXPECT_GT(busy.size(), 0u) << "the transient fault never happened";
  EXPECT_EQ(busy_not_resent, 0) << "系统繁忙请重试 rows never sent again";

  // One holder per channel at every moment.
  const auto taken = taken_lines(logs);
  std::map<std::string, int> holders;
  for (const auto& p : overlapping_holders(taken, holders)) ADD_FAILURE() << p;
  std::map<std::string, int> files_taken;
  std::map<std::string, int> by_lease;
  for (const auto& t : taken) {
    ++by_lease[t.lease];
    if (t.kind == "export_file") ++files_taken[t.what];
  }
  std::set<std::string> exported;
  for (const auto& f : hl["files"]) exported.insert(f["name"]);
  EXPECT_EQ(files_taken.size(), exported.size());
  for (const auto& [file, n] : files_taken) EXPECT_EQ(n, 1) << file << " taken " << n << " times";
  EXPECT_EQ(by_lease.size(), 3u);

  std::cout << "[ restart ] " << elapsed() << " s; " << tickets.size() << " answers, "
            << busy.size() << " 12328 rows answered busy (all sent again); withdrawn unseen "
            << kWithdrawnUnseen << " letters counted as withdrawn tickets\n";
  for (const auto& line : recovery_report) std::cout << "[ restart ] " << line << "\n";
  std::cout << "[ restart ] taken under leases:";
  for (const auto& [lease, n] : by_lease)
    std::cout << " " << lease << " " << n << " (" << holders[lease] << " holder sessions);";
  std::cout << std::endl;
  fs::remove_all(root);
}

}  // namespace
}  // namespace appealhub
