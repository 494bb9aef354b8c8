// Answers delivered a second per channel, against the simulators with no faults:
// reply.requested on the bus → delivery ledger → signed/keyed POST, or a 12328 result file and
// its receipt → delivered in the store. Beside each, the baseline in the same run against a
// fresh simulator: for mailbox and petition the same number of replies POSTed straight by one
// client, as fast as the channel's rate limit lets it (the mailbox takes 10 requests a second per
// token, the petition platform 20 per app: the documents' limits); for 12328 the same rows
// written straight as result files of 500 rows, timed until the last receipt is back (both
// platforms read their import folder every 200 ms; the hub flushes at least every second).
// 12328 answers travel in files of up to 500 rows, so that channel gets more of them (second
// argument) to measure its rate rather than its one-second flush.
// Needs scripts/services.sh. Usage: reply_bench [ANSWERS_PER_CHANNEL] [12328_ANSWERS]

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "adapters/hotline12328/result_file.hpp"
#include "adapters/petition/signing.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "http/client.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// A 12328 platform exporting `n` new orders into `dir`, answering result files every 200 ms.
testing::SimProcess start_hotline(const fs::path& dir, int n, const std::string& log) {
  fs::remove_all(dir);
  return testing::start_simulator({"hotline", "--dir", dir.string(), "--count", std::to_string(n),
                                   "--rate", "5000", "--rows-per-file", "500", "--file-interval-ms",
                                   "200", "--poll-ms", "200", "--followups", "0"},
                                  {}, log, false);
}

// The orders the simulator in `dir` has exported, once its ledger lists `n`.
std::vector<std::string> exported_orders(const fs::path& dir, int n) {
  std::vector<std::string> ids;
  testing::eventually(60s, [&] {
    try {
      std::ifstream in(dir / "sim-ledger.json");
      const auto ledger = nlohmann::json::parse(in);
      ids.clear();
      for (const auto& [id, order] : ledger.at("orders").items()) ids.push_back(id);
    } catch (const std::exception&) {
      return false;  // not written yet
    }
    return ids.size() == static_cast<std::size_t>(n);
  });
  return ids;
}

// Result rows for `ids` written straight into the platform's import folder, 500 to a file, timed
// until every receipt is back.
double hotline_baseline(const fs::path& dir, const std::vector<std::string>& ids) {
  namespace h = adapters::hotline12328;
  const auto started = Clock::now();
  std::vector<std::string> receipts;
  for (std::size_t first = 0; first < ids.size(); first += h::kMaxResultRows) {
    std::vector<h::ResultRow> rows;
    for (std::size_t i = first; i < std::min(ids.size(), first + h::kMaxResultRows); ++i) {
      rows.push_back(
          {ids[i], "办结", "基线答复", "广元市交通运输局", "", "", "2026-11-28 15:02:11", "", ""});
    }
    const auto name =
        h::result_file_name("510800JT", std::chrono::system_clock::now(), receipts.size() + 1);
    h::write_result_file(dir / "import", name, h::build_result_file(rows, h::Encoding::gb18030));
    receipts.push_back(h::receipt_file_name(name));
  }
  testing::eventually(
      120s,
      [&] {
        for (const auto& r : receipts)
          if (!fs::exists(dir / "receipt" / r)) return false;
        return true;
      },
      5ms);
  return static_cast<double>(ids.size()) /
         std::chrono::duration<double>(Clock::now() - started).count();
}

http::Client client_for(unsigned short port) {
  http::ClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.resend_on_stale_connection = false;
  return http::Client(o);
}

std::vector<std::string> generate(unsigned short port, int count) {
  auto c = client_for(port);
  const auto r = c.post("/_sim/generate", nlohmann::json{{"count", count}}.dump(),
                        {{"Content-Type", "application/json"}});
  return nlohmann::json::parse(r.body).at("ids").get<std::vector<std::string>>();
}

// Replies POSTed straight to the simulator, waiting out 429s as the hub does.
double baseline(const std::string& channel, unsigned short port,
                const std::vector<std::string>& ids) {
  auto c = client_for(port);
  const auto started = Clock::now();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (;;) {
      http::Response r;
      if (channel == "mailbox") {
        const auto body = nlohmann::json{
            {"content", "基线答复"},
            {"department", "广元市交通运输局"},
            {"replied_at", "2026-11-28T15:02:11+08:00"},
            {"publish",
             false}}.dump();
        r = c.post("/api/v1/letters/" + ids[i] + "/reply", body,
                   {{"Authorization", "Bearer bench-token"},
                    {"Idempotency-Key", "base-" + std::to_string(i)},
                    {"Content-Type", "application/json"}});
      } else {
        const auto body = nlohmann::json{{"request_id", "base-" + std::to_string(i)},
                                         {"content", "基线答复"},
                                         {"handler_unit", "广元市交通运输局"},
                                         {"handled_at", "2026-11-28T15:02:11+08:00"}}
                              .dump();
        const std::string target = "/open/v2/messages/" + ids[i] + "/replies";
        auto headers = adapters::petition::signature_headers(
            "gy-jtj", "bench-secret", "POST", target, body, std::chrono::system_clock::now());
        headers.emplace_back("Content-Type", "application/json");
        r = c.post(target, body, headers);
      }
      if (r.status == 429) {
        const auto after = r.header("Retry-After");
        std::this_thread::sleep_for(
            std::chrono::milliseconds(after ? std::stoi(*after) * 1000 : 100));
        continue;
      }
      if (r.status != 200 && r.status != 201) {
        std::fprintf(stderr, "baseline %s: %d %s\n", channel.c_str(), r.status, r.body.c_str());
      }
      break;
    }
  }
  return static_cast<double>(ids.size()) /
         std::chrono::duration<double>(Clock::now() - started).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 200;
  const int n_hotline = argc > 2 ? std::stoi(argv[2]) : 5000;
  const std::map<std::string, int> count{
      {"mailbox", n}, {"petition", n}, {"hotline12328", n_hotline}};
  const std::map<std::string, std::string> sim_env{
      {"APPEALHUB_SIM_MAILBOX_TOKEN", "bench-token"},
      {"APPEALHUB_SIM_PETITION_SECRET", "bench-secret"}};
  // Both without withdrawals, spam or reassignments of their own: every answer is deliverable.
  const std::vector<std::string> mailbox_args{
      "mailbox", "--port", "0", "--rate", "0", "--withdraw-fraction", "0", "--spam-fraction", "0"};
  const std::vector<std::string> petition_args{"petition", "--port",
                                               "0",        "--app-id",
                                               "gy-jtj",   "--rate",
                                               "0",        "--follow-up-fraction",
                                               "0",        "--withdraw-fraction",
                                               "0",        "--reassign-fraction",
                                               "0"};
  auto mailbox = testing::start_simulator(mailbox_args, sim_env, "/tmp/reply_bench_mailbox.log");
  auto petition = testing::start_simulator(petition_args, sim_env, "/tmp/reply_bench_petition.log");
  auto mailbox_base =
      testing::start_simulator(mailbox_args, sim_env, "/tmp/reply_bench_mailbox_base.log");
  auto petition_base =
      testing::start_simulator(petition_args, sim_env, "/tmp/reply_bench_petition_base.log");
  if (!mailbox.port || !petition.port || !mailbox_base.port || !petition_base.port) {
    std::fprintf(stderr, "a simulator did not start; see /tmp/reply_bench_*.log\n");
    return 1;
  }
  const std::map<std::string, std::vector<std::string>> ids{
      {"mailbox", generate(mailbox.port, n)}, {"petition", generate(petition.port, n)}};
  const auto hotline_dir = fs::temp_directory_path() / "reply_bench_12328";
  const auto hotline_base_dir = fs::temp_directory_path() / "reply_bench_12328_base";
  auto hotline = start_hotline(hotline_dir, n_hotline, "/tmp/reply_bench_12328.log");
  auto hotline_base = start_hotline(hotline_base_dir, n_hotline, "/tmp/reply_bench_12328_base.log");

  testing::TestDatabase db("reply_bench");
  testing::TestVhost vhost("reply_bench");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());
  const std::string config = "/tmp/reply_bench.json";
  const std::string spine_config = "/tmp/reply_bench_spine.json";
  std::ofstream(spine_config) << nlohmann::json{
      {"hotline12328",
       {{"export_dir", (hotline_dir / "export").string()},
        {"poll_interval_ms", 200}}}}.dump();
  std::ofstream(config) << nlohmann::json{
      {"hotline12328",
       {{"import_dir", (hotline_dir / "import").string()},
        {"receipt_dir", (hotline_dir / "receipt").string()},
        {"result_flush_seconds", 1}}},
      {"mailbox", {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)}}},
      {"petition",
       {{"base_url", "http://127.0.0.1:" + std::to_string(petition.port)}, {"app_id", "gy-jtj"}}},
      {"delivery",
       {{"channels", "mailbox,petition,hotline12328"},
        {"poll_interval_ms",
         50}}}}.dump();
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_LOG_LEVEL", "warn"},
                                               {"APPEALHUB_MAILBOX_TOKEN", "bench-token"},
                                               {"APPEALHUB_PETITION_SECRET", "bench-secret"}};
  testing::ChildProcess spine({testing::appealhub_binary(), "run", "--config", spine_config}, env,
                              "/tmp/reply_bench_spine.log");
  spine.start();

  // Tickets for every letter, message and order (the orders through the export folder), then
  // marked answered.
  bus::ConfirmedPublisher publisher(broker, 500);
  std::size_t index = 0;
  for (const auto& [channel, list] : ids) {
    for (const auto& id : list) {
      auto event = testing::sample_appeal_event(index++, channel);
      auto& appeal = std::get<core::AppealReceived>(event.body).appeal;
      appeal.external_id = id;
      event.event_id = core::make_event_id("appeal.received", channel, id, "");
      bus::OutgoingMessage m;
      m.exchange = "appeals";
      m.routing_key = "intake." + channel;
      m.type = "appeal.received";
      m.message_id = event.event_id;
      m.body = core::encode_event(event);
      publisher.publish(std::move(m));
    }
  }
  publisher.flush(60s);
  testing::eventually(120s, [&] {
    return db.scalar("SELECT count(*) FROM tickets") == std::to_string(2 * n + n_hotline);
  });
  db.exec("UPDATE tickets SET status = 'answered', answered_at = now()");

  testing::ChildProcess deliver({testing::appealhub_binary(), "deliver", "--config", config}, env,
                                "/tmp/reply_bench_deliver.log");
  deliver.start();
  std::this_thread::sleep_for(1s);
  const auto started = Clock::now();
  for (const auto& row :
       db.column("SELECT id || ' ' || channel || ' ' || external_id FROM tickets")) {
    std::istringstream in(row);
    std::int64_t ticket = 0;
    std::string channel, external_id;
    in >> ticket >> channel >> external_id;
    const auto e =
        testing::sample_reply_event(ticket, channel, external_id, "bench-" + std::to_string(ticket),
                                    "您反映的问题已处理，感谢监督。");
    bus::OutgoingMessage m;
    m.exchange = "appeals";
    m.routing_key = e.routing_key();
    m.type = "reply.requested";
    m.message_id = e.event_id;
    m.body = core::encode_event(e);
    publisher.publish(std::move(m));
  }
  publisher.flush(60s);
  std::map<std::string, double> seconds;
  testing::eventually(
      600s,
      [&] {
        for (const char* channel : {"mailbox", "petition", "hotline12328"}) {
          if (seconds.count(channel)) continue;
          // Settled: delivered, or failed for good (shown below; none expected without faults).
          if (db.scalar(std::string("SELECT count(*) FROM reply_ledger WHERE state IN "
                                    "('delivered', 'failed') AND channel = '") +
                        channel + "'") == std::to_string(count.at(channel))) {
            seconds[channel] = std::chrono::duration<double>(Clock::now() - started).count();
          }
        }
        return seconds.size() == 3;
      },
      20ms);
  deliver.terminate();
  spine.terminate();

  const double mailbox_base_rate =
      baseline("mailbox", mailbox_base.port, generate(mailbox_base.port, n));
  const double petition_base_rate =
      baseline("petition", petition_base.port, generate(petition_base.port, n));
  const double hotline_base_rate =
      hotline_baseline(hotline_base_dir, exported_orders(hotline_base_dir, n_hotline));
  hotline.process->terminate();
  hotline_base.process->terminate();
  std::printf(
      "no faults                            delivered  hub answers/s   baseline/s   ratio\n");
  for (const auto& [channel, base] :
       std::map<std::string, double>{{"mailbox", mailbox_base_rate},
                                     {"petition", petition_base_rate},
                                     {"hotline12328", hotline_base_rate}}) {
    const auto delivered = std::stoi(
        db.scalar("SELECT count(*) FROM reply_ledger WHERE state = 'delivered' AND channel = '" +
                  channel + "'"));
    const double rate = seconds.count(channel) ? delivered / seconds[channel] : 0;
    std::printf("%-38s %7d %14.1f %12.1f %7.2f%s\n", channel.c_str(), delivered, rate, base,
                base > 0 ? rate / base : 0,
                !seconds.count(channel)         ? "  (not all settled in 600 s)"
                : delivered < count.at(channel) ? "  (some failed: see below)"
                                                : "");
  }
  if (db.scalar("SELECT count(*) FROM reply_ledger WHERE state <> 'delivered'") != "0") {
    // What held the rest back: the ledger state of every reply not delivered, and its last answer.
    for (const auto& row : db.column(
             "SELECT l.channel || ' ' || l.state || ' x' || count(*) || ' attempts ' || "
             "min(l.attempts) || '-' || max(l.attempts) || ' next ' || "
             "to_char(min(l.next_attempt_at) - now(), 'HH24:MI:SS') || ' last: ' || "
             "coalesce(max(a.outcome || ' ' || coalesce(a.status_code::text, '-') || ' ' || "
             "a.code || ' ' || left(a.excerpt, 80)), '(none)') FROM reply_ledger l "
             "LEFT JOIN LATERAL (SELECT * FROM reply_attempts x WHERE x.reply_id = l.reply_id "
             "ORDER BY id DESC LIMIT 1) a ON true WHERE l.state <> 'delivered' GROUP BY l.channel, "
             "l.state")) {
      std::printf("not delivered: %s\n", row.c_str());
    }
  }
  std::printf(
      "attempts: %s\n",
      db.scalar("SELECT string_agg(channel || ' ' || n, ', ') FROM (SELECT l.channel, count(*) n "
                "FROM reply_attempts a JOIN reply_ledger l USING (reply_id) GROUP BY 1) s")
          .c_str());
  return 0;
}
