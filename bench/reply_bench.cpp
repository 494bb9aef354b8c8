// Answers delivered a second per channel, against the mailbox and petition simulators with no
// faults: reply.requested on the bus → delivery ledger → signed/keyed POST → delivered in the
// store. Beside each, the baseline in the same run: the same number of replies POSTed straight
// to a fresh simulator by one client, as fast as the channel's rate limit lets it (the mailbox
// takes 10 requests a second per token, the petition platform 20 per app: the documents' limits).
// Needs scripts/services.sh. Usage: reply_bench [ANSWERS_PER_CHANNEL]

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "adapters/petition/signing.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "http/client.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Simulator {
  std::unique_ptr<testing::ChildProcess> process;
  unsigned short port = 0;
};

Simulator start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                const std::string& log) {
  std::remove(log.c_str());
  Simulator s;
  std::vector<std::string> argv{APPEALHUB_SIM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  s.process = std::make_unique<testing::ChildProcess>(argv, env, log);
  s.process->start();
  testing::eventually(10s, [&] {
    std::ifstream in(log);
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, std::regex(R"(listening 127\.0\.0\.1:(\d+))"))) {
        s.port = static_cast<unsigned short>(std::stoi(m[1]));
        return true;
      }
    }
    return false;
  });
  return s;
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
  const std::map<std::string, std::string> sim_env{
      {"APPEALHUB_SIM_MAILBOX_TOKEN", "bench-token"},
      {"APPEALHUB_SIM_PETITION_SECRET", "bench-secret"}};
  auto mailbox =
      start({"mailbox", "--port", "0", "--rate", "0"}, sim_env, "/tmp/reply_bench_mailbox.log");
  auto petition =
      start({"petition", "--port", "0", "--app-id", "gy-jtj", "--rate", "0", "--follow-up-fraction",
             "0", "--withdraw-fraction", "0", "--reassign-fraction", "0"},
            sim_env, "/tmp/reply_bench_petition.log");
  auto mailbox_base = start({"mailbox", "--port", "0", "--rate", "0"}, sim_env,
                            "/tmp/reply_bench_mailbox_base.log");
  auto petition_base =
      start({"petition", "--port", "0", "--app-id", "gy-jtj", "--rate", "0", "--follow-up-fraction",
             "0", "--withdraw-fraction", "0", "--reassign-fraction", "0"},
            sim_env, "/tmp/reply_bench_petition_base.log");
  if (!mailbox.port || !petition.port || !mailbox_base.port || !petition_base.port) {
    std::fprintf(stderr, "a simulator did not start; see /tmp/reply_bench_*.log\n");
    return 1;
  }
  const std::map<std::string, std::vector<std::string>> ids{
      {"mailbox", generate(mailbox.port, n)}, {"petition", generate(petition.port, n)}};

  testing::TestDatabase db("reply_bench");
  testing::TestVhost vhost("reply_bench");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());
  const std::string config = "/tmp/reply_bench.json";
  std::ofstream(config) << nlohmann::json{
      {"mailbox", {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)}}},
      {"petition",
       {{"base_url", "http://127.0.0.1:" + std::to_string(petition.port)}, {"app_id", "gy-jtj"}}},
      {"delivery",
       {{"channels", "mailbox,petition"},
        {"poll_interval_ms",
         50}}}}.dump();
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_LOG_LEVEL", "warn"},
                                               {"APPEALHUB_MAILBOX_TOKEN", "bench-token"},
                                               {"APPEALHUB_PETITION_SECRET", "bench-secret"}};
  testing::ChildProcess spine({testing::appealhub_binary(), "run"}, env,
                              "/tmp/reply_bench_spine.log");
  spine.start();

  // Tickets for every letter and message, then marked answered.
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
  testing::eventually(
      120s, [&] { return db.scalar("SELECT count(*) FROM tickets") == std::to_string(2 * n); });
  db.exec("UPDATE tickets SET status = 'answered', answered_at = now()");

  testing::ChildProcess deliver({testing::appealhub_binary(), "deliver", "--config", config}, env,
                                "/tmp/reply_bench_deliver.log");
  deliver.start();
  std::this_thread::sleep_for(1s);
  const auto started = Clock::now();
  for (const auto& row :
       db.column("SELECT id || ' ' || channel || ' ' || external_id FROM tickets")) {
    std::istringstream in(row);
    core::ReplyRequested r;
    in >> r.ticket_id >> r.channel >> r.external_id;
    r.reply_id = "bench-" + std::to_string(r.ticket_id);
    r.content = "您反映的问题已处理，感谢监督。";
    r.department = "广元市交通运输局";
    r.answered_at = *core::parse_rfc3339("2026-11-28T15:02:11+08:00");
    core::Event e;
    e.event_id = core::make_event_id("reply.requested", r.channel, r.external_id, r.reply_id);
    e.occurred_at = r.answered_at;
    e.producer = "bench";
    e.body = r;
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
        for (const char* channel : {"mailbox", "petition"}) {
          if (seconds.count(channel)) continue;
          if (db.scalar(
                  std::string("SELECT count(*) FROM reply_ledger WHERE state = 'delivered' AND "
                              "channel = '") +
                  channel + "'") == std::to_string(n)) {
            seconds[channel] = std::chrono::duration<double>(Clock::now() - started).count();
          }
        }
        return seconds.size() == 2;
      },
      20ms);
  deliver.terminate();
  spine.terminate();

  const double mailbox_base_rate =
      baseline("mailbox", mailbox_base.port, generate(mailbox_base.port, n));
  const double petition_base_rate =
      baseline("petition", petition_base.port, generate(petition_base.port, n));
  std::printf("%d answers per channel, no faults      hub answers/s   baseline/s   ratio\n", n);
  for (const auto& [channel, base] : std::map<std::string, double>{
           {"mailbox", mailbox_base_rate}, {"petition", petition_base_rate}}) {
    const double rate = seconds.count(channel) ? n / seconds[channel] : 0;
    std::printf("%-38s %13.1f %12.1f %7.2f%s\n", channel.c_str(), rate, base,
                base > 0 ? rate / base : 0,
                seconds.count(channel) ? "" : "  (not all delivered in 600 s)");
  }
  std::printf(
      "attempts: %s\n",
      db.scalar("SELECT string_agg(channel || ' ' || n, ', ') FROM (SELECT l.channel, count(*) n "
                "FROM reply_attempts a JOIN reply_ledger l USING (reply_id) GROUP BY 1) s")
          .c_str());
  return 0;
}
