// Backup and restore as docs/operations.md tells an operations team to do it: while the hub runs
// with the mailbox simulator and answers leave for it, scripts/backup.sh dumps the store; the hub
// is stopped, scripts/restore.sh restores the dump into a new, empty database, and the hub is
// started on it. It resumes: letters taken before and after are one ticket each, and every answer
// reaches the mailbox exactly once, those in flight at the dump included (sent again under the
// same idempotency key, which the mailbox takes as the same reply).
// Needs PostgreSQL, RabbitMQ and the simulators (built with the tests).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/sim/sim_client.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kPassword = "backup restore password";
constexpr const char* kToken = "backup-mailbox-token";

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Idempotency key -> accepted_new, and how many keys came with conflicting bodies.
std::map<std::string, int> mailbox_replies(unsigned short port, int& conflicting) {
  const auto ledger = sim::testing::call(port, "GET", "/_sim/ledger").json();
  std::map<std::string, int> out;
  conflicting = 0;
  for (const auto& reply : ledger["received"]["replies"]) {
    out[reply.at("idempotency_key").get<std::string>()] = reply.at("accepted_new").get<int>();
    conflicting += reply.at("conflicting").get<int>();
  }
  return out;
}

class Hub {
 public:
  Hub(const std::string& db_uri, const std::string& amqp_uri, const std::string& config,
      unsigned short port, const std::string& log)
      : port_(port),
        env_{{"APPEALHUB_PG_URI", db_uri},
             {"APPEALHUB_AMQP_URI", amqp_uri},
             {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
             {"APPEALHUB_LOG_LEVEL", "warn"},
             {"APPEALHUB_MAILBOX_TOKEN", kToken},
             {"APPEALHUB_NEW_USER_PASSWORD", kPassword}},
        process_({testing::appealhub_binary(), "run", "--config", config}, env_, log) {}

  void add_admin() {
    testing::ChildProcess add(
        {testing::appealhub_binary(), "user", "add", "admin", "--role", "admin"}, env_,
        "/tmp/appealhub_backup_restore_user.log");
    add.start();
    add.wait();
  }
  bool start() {
    process_.start();
    return testing::eventually(60s, [&] {
      try {
        return testing::http_call(port_, "GET", "/readyz").status == 200;
      } catch (const std::exception&) {
        return false;
      }
    });
  }
  int stop() { return process_.terminate(); }

 private:
  unsigned short port_;
  std::map<std::string, std::string> env_;
  testing::ChildProcess process_;
};

// Places each listed ticket if the rules left it at the desk, and writes its final answer.
void answer(testing::ApiSession& worker, const testing::TestDatabase& db, int count,
            int& answered) {
  for (const auto& id :
       db.column("SELECT id FROM tickets WHERE status IN ('triage', 'assigned', 'in_progress') "
                 "ORDER BY id LIMIT " +
                 std::to_string(count))) {
    const std::string path = "/api/v1/tickets/" + id;
    const auto ticket = worker.get(path).json();
    if (ticket["status"] == "triage") {
      ASSERT_EQ(worker.post(path + "/dispatch", {{"lead_department", "dlys"}}).status, 200);
    } else if (ticket["lead_department"] != "dlys") {
      ASSERT_EQ(
          worker.post(path + "/reassign", {{"lead_department", "dlys"}, {"reason", "测试"}}).status,
          200);
    }
    const auto r = worker.post(
        path + "/answers",
        {{"type", "final_answer"}, {"content", "您反映的问题已处理，答复编号 " + id + "。"}});
    ASSERT_EQ(r.status, 201) << r.body;
    ++answered;
  }
}

TEST(BackupRestore, TheHubResumesFromARestoredDumpAndSendsNothingTwice) {
  testing::TestDatabase before("backup_before");
  testing::TestDatabase after("backup_after", /*migrate=*/false);  // empty: the restore's target
  testing::TestVhost vhost("backup_restore");
  const auto root = fs::temp_directory_path() / ("appealhub_backup_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);

  auto mailbox = testing::start_simulator(
      {"mailbox", "--port", "0", "--rate", "0", "--seed", "41", "--withdraw-fraction", "0",
       "--spam-fraction", "0", "--rating-fraction", "0", "--reindex-fraction", "0"},
      {{"APPEALHUB_SIM_MAILBOX_TOKEN", kToken}}, (root / "mailbox-sim.log").string());
  ASSERT_NE(mailbox.port, 0);
  const auto config = (root / "appealhub.json").string();
  std::ofstream(config) << json{
      {"mailbox",
       {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)},
        {"poll_interval_ms", 300}}},
      {"delivery",
       {{"channels", "mailbox"},
        {"backoff_min_ms", 200},
        {"backoff_max_ms", 2000},
        {"lease_seconds", 5},  // taken again soon when the dump caught it sending
        {"poll_interval_ms",
         100}}}}.dump();
  const auto generate = [&](int count) {
    const auto r =
        sim::testing::call(mailbox.port, "POST", "/_sim/generate", json{{"count", count}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  };
  const auto tickets_are = [&](const testing::TestDatabase& db, int n) {
    return testing::eventually(
        60s, [&] { return db.scalar("SELECT count(*) FROM tickets") == std::to_string(n); });
  };
  const auto delivered_are = [&](std::size_t n) {
    return testing::eventually(60s, [&] {
      int conflicting = 0;
      return mailbox_replies(mailbox.port, conflicting).size() == n;
    });
  };

  // 1. The hub on the first database: 20 letters, 12 answers, the last 4 just before the dump.
  const auto port = testing::free_port();
  int answered = 0;
  {
    Hub hub(before.uri(), vhost.uri(), config, port, (root / "hub-before.log").string());
    hub.add_admin();
    ASSERT_TRUE(hub.start()) << "see " << root / "hub-before.log";
    testing::ApiSession admin(port);
    ASSERT_EQ(admin.login("admin", kPassword).status, 200);
    ASSERT_EQ(admin
                  .post("/api/v1/users", {{"username", "worker"},
                                          {"roles", {"operator", "staff", "manager"}},
                                          {"departments", {"dlys"}},
                                          {"password", kPassword}})
                  .status,
              201);
    testing::ApiSession worker(port);
    ASSERT_EQ(worker.login("worker", kPassword).status, 200);
    generate(20);
    ASSERT_TRUE(tickets_are(before, 20));
    answer(worker, before, 8, answered);
    ASSERT_TRUE(delivered_are(8));
    answer(worker, before, 4, answered);
    ASSERT_EQ(run("APPEALHUB_PG_URI='" + before.uri() + "' " + testing::repo_root() +
                  "/scripts/backup.sh " + (root / "backup").string() + " >/dev/null"),
              0);
    ASSERT_TRUE(delivered_are(12));
    EXPECT_EQ(hub.stop(), 0);
  }
  ASSERT_TRUE(fs::exists(root / "backup" / "appealhub.dump"));

  // 2. Restored into a new database; the hub started on it resumes.
  ASSERT_EQ(run(testing::repo_root() + "/scripts/restore.sh " + (root / "backup").string() + " '" +
                after.uri() + "' >/dev/null"),
            0);
  EXPECT_NE(run(testing::repo_root() + "/scripts/restore.sh " + (root / "backup").string() + " '" +
                after.uri() + "' 2>/dev/null"),
            0)
      << "a second restore into a database that is not empty is refused";
  const auto in_flight =
      after.scalar("SELECT count(*) FROM reply_ledger WHERE state <> 'delivered'");
  Hub hub(after.uri(), vhost.uri(), config, port, (root / "hub-after.log").string());
  ASSERT_TRUE(hub.start()) << "see " << root / "hub-after.log";
  testing::ApiSession worker(port);
  ASSERT_EQ(worker.login("worker", kPassword).status, 200) << "users came back with the store";
  generate(10);
  ASSERT_TRUE(tickets_are(after, 30));
  answer(worker, after, 5, answered);
  ASSERT_TRUE(delivered_are(17));
  EXPECT_TRUE(testing::eventually(
      30s,
      [&] {
        return after.scalar("SELECT count(*) FROM reply_ledger WHERE state = 'delivered'") == "17";
      }))
      << after.scalar(
             "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n "
             "FROM reply_ledger GROUP BY 1) s");

  // 3. Every letter one ticket, every answer accepted once.
  EXPECT_EQ(after.scalar("SELECT count(DISTINCT external_id) FROM tickets WHERE channel = "
                         "'mailbox'"),
            "30");
  std::this_thread::sleep_for(2s);  // a resend would reach the simulator within its backoff
  int conflicting = 0;
  const auto replies = mailbox_replies(mailbox.port, conflicting);
  EXPECT_EQ(replies.size(), static_cast<std::size_t>(answered));
  for (const auto& [key, accepted_new] : replies) EXPECT_EQ(accepted_new, 1) << key;
  EXPECT_EQ(conflicting, 0);
  std::cout << "[ backup ] answers " << answered << "; not yet delivered in the dump " << in_flight
            << ", delivered once after the restore" << std::endl;
  EXPECT_EQ(hub.stop(), 0);
  mailbox.process->terminate();
  if (!::testing::Test::HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace appealhub
