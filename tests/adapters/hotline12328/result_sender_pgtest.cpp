// The 12328 result side against the real simulator (`appealhub-sim hotline --once`) and a real
// PostgreSQL: replies from the delivery ledger go into result files (several, each with the next
// sequence), the simulator answers them with receipts, 系统繁忙请重试 rows come back in a later
// file and are then delivered, final failures (办理结果超长, 工单不存在) end failed with the
// reason, nothing is sent for a withdrawn ticket, every answer is accepted exactly once in the
// simulator's ledger, and a file planned but not marked written (a crash) is written again under
// the same name.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/hotline12328/result_file.hpp"
#include "adapters/hotline12328/result_sender.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "storage/hotline_results.hpp"
#include "storage/reply_ledger.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the simulator once on `dir`; true when it exited 0.
bool simulate(const fs::path& dir, const std::vector<std::string>& args) {
  std::string command = std::string(APPEALHUB_SIM_BINARY) + " hotline --dir " + dir.string() +
                        " --once --rows-per-file 50";
  for (const auto& a : args) command += " " + a;
  command += " 2>>" + (dir / "sim.log").string();
  const int status = std::system(command.c_str());  // NOLINT: a test's child process
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class ResultSenderTest : public ::testing::Test {
 protected:
  ResultSenderTest()
      : db_("hotline_results"),
        dir_(fs::temp_directory_path() / ("hotline_results_" + std::to_string(getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    connection_ = storage::connect({db_.uri()});
  }
  ~ResultSenderTest() override { fs::remove_all(dir_); }

  std::int64_t ticket(const std::string& external_id, const std::string& status = "answered") {
    db_.exec(
        "INSERT INTO tickets (channel, external_id, status, kind, category, urgency, title, "
        "received_at, appeal, lead_department, answered_at) VALUES ('hotline12328', '" +
        external_id + "', '" + status +
        "', 'complaint', 'taxi', 'normal', 't', now(), '{}', 'd1', now() - interval '1 minute')");
    return std::stoll(db_.scalar("SELECT max(id) FROM tickets"));
  }

  std::string reply(const std::string& external_id, core::ReplyType type,
                    std::string content = "已核实处理，\"感谢\"监督,\n特此答复。",
                    const std::string& status = "answered") {
    core::ReplyRequested r;
    r.reply_id = "rp-" + std::to_string(++replies_);
    r.ticket_id = ticket(external_id, status);
    r.channel = "hotline12328";
    r.external_id = external_id;
    r.type = type;
    r.content = std::move(content);
    r.department = "市道路运输事务中心";
    r.handler = "王芳";
    r.contact_phone = "0839-3261234";
    r.answered_at = *core::parse_rfc3339("2026-11-28T15:02:11+08:00");
    if (type == core::ReplyType::return_order) r.return_reason = "不属本单位职责";
    if (type == core::ReplyType::extension_request) r.extension_days = 5;
    core::Event e;
    e.event_id = core::make_event_id("reply.requested", r.channel, external_id, r.reply_id);
    e.occurred_at = r.answered_at;
    e.producer = "relay";
    e.body = r;
    pqxx::work txn(*connection_);
    ledger_.record_request(txn, e, core::encode_event(e));
    txn.commit();
    return r.reply_id;
  }

  std::string column(const std::string& reply_id, const std::string& col) {
    return db_.scalar("SELECT " + col + " FROM reply_ledger WHERE reply_id = '" + reply_id + "'");
  }

  nlohmann::json sim_ledger() { return nlohmann::json::parse(slurp(dir_ / "sim-ledger.json")); }

  ResultSender sender(std::size_t max_rows = 10) {
    ResultSenderOptions o;
    o.import_dir = dir_ / "import";
    o.receipt_dir = dir_ / "receipt";
    o.flush_interval = std::chrono::seconds(0);
    o.max_rows = max_rows;
    return ResultSender({db_.uri()}, o, ledger_);
  }

  static storage::DeliveryPolicy fast_retries() {
    storage::DeliveryPolicy p;
    p.backoff_min = std::chrono::milliseconds(1);
    p.backoff_max = std::chrono::milliseconds(5);
    p.max_attempts = 100;
    return p;
  }

  testing::TestDatabase db_;
  fs::path dir_;
  std::unique_ptr<pqxx::connection> connection_;
  storage::ReplyLedger ledger_{fast_retries(), "test"};
  int replies_ = 0;
};

TEST_F(ResultSenderTest, EveryAnswerAcceptedOnceBusyRowsResentFinalFailuresShown) {
  // The platform dispatches orders first (export files); the hub answers the open ones.
  ASSERT_TRUE(simulate(dir_, {"--count", "60", "--seed", "1"}));
  std::vector<std::string> open;
  const auto issued = sim_ledger();
  for (const auto& [id, order] : issued["orders"].items()) {
    if (order["state"] == "open") open.push_back(id);
  }
  ASSERT_GE(open.size(), 25u) << slurp(dir_ / "sim.log");
  open.resize(25);

  std::map<std::string, std::string> expected_ok;  // reply_id → order
  for (std::size_t i = 0; i < open.size() - 1; ++i) {
    const auto type = i % 5 == 1   ? core::ReplyType::interim
                      : i % 5 == 2 ? core::ReplyType::extension_request
                      : i % 5 == 3 ? core::ReplyType::return_order
                                   : core::ReplyType::final_answer;
    expected_ok[reply(open[i], type)] = open[i];
  }
  const auto too_long =
      reply(open.back(), core::ReplyType::final_answer, std::string(2001 * 3, 'x'));
  const auto unknown = reply("GY-NO-SUCH-ORDER", core::ReplyType::final_answer);
  const auto withdrawn =
      reply("GY-WITHDRAWN-HERE", core::ReplyType::final_answer, "答复", "withdrawn");

  auto s = sender(10);
  // The first pass: 26 sendable replies in files of at most 10 rows, sequences 1, 2, 3.
  const auto first = s.run_once();
  EXPECT_EQ(first.files_written, 3u);
  EXPECT_EQ(column(withdrawn, "state"), "failed");
  EXPECT_EQ(db_.scalar("SELECT value FROM channel_cursors WHERE channel = 'hotline12328' AND "
                       "name = 'result_sequence'"),
            "3");

  // A crash after planning, before "written" was stored: the same name is written again with
  // the same bytes, under no new sequence.
  const auto name = db_.scalar("SELECT name FROM hotline_result_files WHERE sequence = 1");
  EXPECT_TRUE(name.ends_with("_000001.csv")) << name;
  const auto bytes = slurp(dir_ / "import" / name);
  fs::remove(dir_ / "import" / name);
  fs::remove(dir_ / "import" / (name + ".ok"));
  db_.exec("UPDATE hotline_result_files SET state = 'planned' WHERE sequence = 1");
  EXPECT_EQ(s.run_once().files_written, 1u);
  EXPECT_EQ(slurp(dir_ / "import" / name), bytes);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM hotline_result_files"), "3");

  // The platform answers, busy for about half the rows; the hub resends those until done.
  int round = 0;
  for (; round < 40; ++round) {
    if (db_.scalar("SELECT count(*) FROM reply_ledger WHERE state NOT IN ('delivered', "
                   "'failed')") == "0") {
      break;
    }
    ASSERT_TRUE(
        simulate(dir_, {"--count", "0", "--busy", "0.5", "--seed", std::to_string(100 + round)}));
    s.run_once();  // receipts in, busy rows into a later file
  }
  ASSERT_LT(round, 40) << "replies still open";

  for (const auto& [id, order] : expected_ok) EXPECT_EQ(column(id, "state"), "delivered") << id;
  EXPECT_EQ(column(too_long, "state"), "failed");
  EXPECT_NE(column(too_long, "last_error").find("办理结果超长"), std::string::npos);
  EXPECT_EQ(column(unknown, "state"), "failed");
  EXPECT_NE(column(unknown, "last_error").find("工单不存在"), std::string::npos);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'reply.delivered'"),
            std::to_string(expected_ok.size()));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'reply.failed' AND "
                       "convert_from(body, 'UTF8') LIKE '%\"final\":true%'"),
            "3");

  // The simulator's ledger: every answer accepted exactly once, busy ones in a later file.
  const auto ledger = sim_ledger();
  std::map<std::string, int> accepted;
  std::map<std::string, std::string> busy_file, accepted_file;
  std::set<std::string> files;
  int busy = 0;
  for (const auto& result : ledger["results"]) {
    const std::string file = result["file"];
    EXPECT_TRUE(files.insert(file).second) << "answered twice: " << file;
    EXPECT_LE(result["rows"].get<int>(), 10);
    EXPECT_EQ(result["refused"], "");
    for (const auto& line : result["lines"]) {
      const std::string order = line["order_id"];
      EXPECT_NE(order, "GY-WITHDRAWN-HERE");
      if (line["receipt"] == "成功") {
        ++accepted[order];
        accepted_file[order] = file;
      } else if (line["reason"] == std::string(kBusyReason)) {
        ++busy;
        busy_file[order] = file;
      }
    }
  }
  for (const auto& [id, order] : expected_ok) EXPECT_EQ(accepted[order], 1) << order;
  EXPECT_EQ(accepted.count(open.back()), 0u);
  EXPECT_GT(busy, 0);
  for (const auto& [order, file] : busy_file) {
    if (accepted.count(order)) {
      EXPECT_GT(accepted_file[order], file) << order;
    }
  }
  // One file per sequence, none repeated, as many as the hub planned.
  EXPECT_EQ(std::to_string(files.size()),
            db_.scalar("SELECT count(*) FROM hotline_result_files WHERE state = 'answered'"));
  EXPECT_EQ(db_.scalar("SELECT max(sequence) = count(*) FROM hotline_result_files"), "t");
  std::cout << "result files " << files.size() << ", busy rows " << busy << ", rounds " << round
            << "\n";
}

TEST_F(ResultSenderTest, NothingIsWrittenBeforeTheFlushIntervalUnlessAFileIsFull) {
  reply("GY-A", core::ReplyType::final_answer);
  ResultSenderOptions o;
  o.import_dir = dir_ / "import";
  o.receipt_dir = dir_ / "receipt";
  o.flush_interval = std::chrono::seconds(3600);
  o.max_rows = 2;
  ResultSender s({db_.uri()}, o, ledger_);
  EXPECT_EQ(s.run_once().files_written, 0u);
  reply("GY-B", core::ReplyType::final_answer);
  reply("GY-C", core::ReplyType::final_answer);
  EXPECT_EQ(s.run_once().files_written, 1u);  // a full file goes at once; one row still waits
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM reply_ledger WHERE state = 'queued'"), "1");
}

// Issue 21: a row answered 系统繁忙请重试 is sent again in a later file even when the order was
// withdrawn (撤销) in between: the platform asked for that answer again and settles it itself
// (工单已撤销, final); the ledger must not fail it unsent and leave the platform waiting.
TEST_F(ResultSenderTest, ABusyRowIsSentAgainAfterAWithdrawalThatCameMeanwhile) {
  ASSERT_TRUE(simulate(dir_, {"--count", "10", "--followups", "0", "--seed", "7"}));
  std::string order;
  const auto ledger = sim_ledger();  // not a temporary: the loop would read a destroyed one
  for (const auto& [id, o] : ledger["orders"].items()) {
    if (o["state"] == "open") order = id;
  }
  ASSERT_FALSE(order.empty());
  const auto id = reply(order, core::ReplyType::final_answer);
  auto s = sender();
  ASSERT_EQ(s.run_once().files_written, 1u);
  ASSERT_TRUE(simulate(dir_, {"--count", "0", "--busy", "1", "--seed", "8"}));
  // The 撤销 reaches the hub before the receipt is read.
  db_.exec("UPDATE tickets SET status = 'withdrawn' WHERE external_id = '" + order + "'");
  EXPECT_EQ(s.run_once().retried, 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the (tiny) backoff
  s.run_once();
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM hotline_result_files WHERE '" + id +
                       "' = ANY(reply_ids)"),
            "2")
      << "not sent again: " << column(id, "last_error");
  EXPECT_EQ(column(id, "state"), "sending");  // bound to the second file, awaiting its receipt
}

TEST_F(ResultSenderTest, AFileWithoutAReceiptIsReported) {
  reply("GY-A", core::ReplyType::final_answer);
  auto s = sender();
  EXPECT_EQ(s.run_once().files_written, 1u);
  db_.exec("UPDATE hotline_result_files SET written_at = now() - interval '31 minutes'");
  EXPECT_EQ(s.run_once().overdue, 1u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM hotline_result_files WHERE overdue_reported_at IS "
                       "NOT NULL"),
            "1");
  EXPECT_NE(db_.scalar("SELECT last_error FROM adapter_status WHERE adapter = "
                       "'hotline12328_results'")
                .find("without a receipt"),
            std::string::npos);
}

// A file the platform swallowed: its replies stay `sending` (resend refuses them) until a manager
// abandons the file after the receipt alarm; they then go into a new file, and a late receipt of
// the abandoned file delivers only what no new file holds: nothing reaches the platform twice.
TEST_F(ResultSenderTest, ASwallowedFileIsAbandonedAndItsRepliesGoOutOnceMore) {
  const auto a = reply("GY-A", core::ReplyType::final_answer);
  const auto b = reply("GY-B", core::ReplyType::final_answer);
  const auto c = reply("GY-C", core::ReplyType::final_answer);
  auto s = sender();
  EXPECT_EQ(s.run_once().files_written, 1u);
  const auto lost = db_.scalar("SELECT name FROM hotline_result_files WHERE sequence = 1");
  const auto abandon = [&] {
    pqxx::work txn(*connection_);
    auto outcome = storage::abandon_result_file(txn, lost, "mgr");
    txn.commit();
    return outcome;
  };
  {
    pqxx::work txn(*connection_);
    EXPECT_EQ(ledger_.resend(txn, a, "mgr"), "sending") << "a plain resend leaves it alone";
  }
  auto outcome = abandon();
  EXPECT_EQ(outcome.result, storage::AbandonOutcome::refused) << "not before the receipt alarm";
  EXPECT_NE(outcome.reason.find("receipt alarm"), std::string::npos) << outcome.reason;

  db_.exec("UPDATE hotline_result_files SET written_at = now() - interval '31 minutes'");
  EXPECT_EQ(s.run_once().overdue, 1u);
  outcome = abandon();
  ASSERT_EQ(outcome.result, storage::AbandonOutcome::abandoned) << outcome.reason;
  EXPECT_EQ(outcome.reply_ids, (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(column(a, "state"), "queued");
  EXPECT_EQ(abandon().result, storage::AbandonOutcome::refused) << "abandoned once";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM ticket_events WHERE type = 'reply.resend'"), "3");

  // B goes into a new file at once; A and C wait a little longer.
  db_.exec(
      "UPDATE reply_ledger SET next_attempt_at = now() + interval '1 hour' WHERE reply_id "
      "IN ('" +
      a + "', '" + c + "')");
  EXPECT_EQ(s.run_once().files_written, 1u);
  EXPECT_EQ(db_.scalar("SELECT reply_ids::text FROM hotline_result_files WHERE sequence = 2"),
            "{" + b + "}");
  EXPECT_EQ(s.run_once().overdue, 0u) << "an abandoned file is no longer reported";

  // The lost file's receipt turns up after all: A (still waiting) is delivered and never sent
  // again; B, already in file 2, is left to file 2's receipt; C, busy there, goes out in file 3.
  fs::create_directories(dir_ / "receipt");
  std::ofstream(dir_ / "receipt" / receipt_file_name(lost), std::ios::binary)
      << "工单编号,处理结果,失败原因\r\nGY-A,成功,\r\nGY-B,成功,\r\nGY-C,失败,系统繁忙请重试\r\n";
  db_.exec("UPDATE reply_ledger SET next_attempt_at = now() WHERE reply_id IN ('" + a + "', '" + c +
           "')");
  const auto late = s.run_once();
  EXPECT_EQ(late.delivered, 1u);
  EXPECT_EQ(late.files_written, 1u);
  EXPECT_EQ(db_.scalar("SELECT reply_ids::text FROM hotline_result_files WHERE sequence = 3"),
            "{" + c + "}");
  EXPECT_EQ(column(a, "state"), "delivered");
  EXPECT_EQ(column(b, "state"), "sending");
  EXPECT_EQ(db_.scalar("SELECT state || ' ' || late_receipt FROM hotline_result_files "
                       "WHERE sequence = 1"),
            "abandoned 2 成功, 1 系统繁忙请重试");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM hotline_result_files"), "3");

  std::ofstream(
      dir_ / "receipt" /
          receipt_file_name(db_.scalar("SELECT name FROM hotline_result_files WHERE sequence = 2")),
      std::ios::binary)
      << "工单编号,处理结果,失败原因\r\nGY-B,成功,\r\n";
  s.run_once();
  EXPECT_EQ(column(b, "state"), "delivered");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM outbox WHERE type = 'reply.delivered'"), "2");
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
