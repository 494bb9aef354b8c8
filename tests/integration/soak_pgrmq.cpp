// The soak (scripts/soak.sh MINUTES): the whole hub (`appealhub run`) with the three simulated
// channels issuing about 20 appeals a second, a worker answering through the API, answers going
// back and ratings coming in, while faults are injected at random: the hub SIGKILLed and started
// again, RabbitMQ and PostgreSQL restarted, and the channels answering 5xx and 429, dropping and
// slowing connections. Then the channels stop, the hub drains, and the end state is checked:
// every appeal one ticket, every answer accepted once by its channel, nothing left waiting.
// Memory, descriptors, threads and database connections of the hub are sampled throughout.
// Needs PostgreSQL and RabbitMQ (scripts/services.sh) and the simulators; exit 0 when all held.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "http/client.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kToken = "soak-mailbox-token";
const std::string kSecret = "soak-petition-secret";
const std::string kAppId = "gy-jtj";
const std::string kPassword = "soak worker password";

// A simulator's control API. The ledger outgrows the simulator test client's answer limit after
// a long run, so this goes through the hub's own HTTP client.
json sim_json(unsigned short port, const std::string& method, const std::string& target,
              const std::string& body = "") {
  http::ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.body_limit = 512 * 1024 * 1024;
  http::Client client(options);
  for (int i = 0; i < 100; ++i) {
    try {
      const auto r = method == "GET" ? client.get(target)
                                     : client.post(target, body, {{"Content-Type", "application/json"}});
      if (r.status == 200) return json::parse(r.body);
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("simulator on port " + std::to_string(port) + " did not answer " +
                           target);
}

long proc_field(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

long open_fds(int pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

struct Sample {
  int second;
  long rss_kib, fds, threads, pg_connections;
  std::string tickets;
};

struct Soak {
  Soak(int m, fs::path r) : minutes(m), root(std::move(r)) {}
  int minutes;
  fs::path root;
  testing::TestDatabase db{"soak"};
  testing::TestVhost vhost{"soak"};
  unsigned short gateway_port = testing::free_port();
  std::map<std::string, std::string> env;
  std::unique_ptr<testing::ChildProcess> hub;
  std::mutex hub_mutex;  // the fault thread replaces the hub while others read its pid
  testing::SimProcess mailbox, petition;
  std::unique_ptr<testing::ChildProcess> hotline;
  std::atomic<bool> running{true};
  std::atomic<int> answers{0}, answer_errors{0};
  std::vector<std::string> faults;
  std::vector<Sample> samples;
  Clock::time_point started = Clock::now();

  int elapsed() const {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count());
  }

  void start_channels() {
    const std::vector<std::string> channel_faults{"--fault-5xx",
                                                  "0.03",
                                                  "--fault-slow",
                                                  "0.01",
                                                  "--fault-slow-ms",
                                                  "2500",
                                                  "--fault-drop",
                                                  "0.02",
                                                  "--fault-drop-after-store",
                                                  "0.02",
                                                  "--fault-429-burst",
                                                  "0.005",
                                                  "--fault-429-burst-ms",
                                                  "800"};
    std::vector<std::string> m{"mailbox", "--port",
                               "0",       "--rate",
                               "7",       "--seed",
                               "51",      "--withdraw-fraction",
                               "0.02",    "--spam-fraction",
                               "0.01",    "--rating-fraction",
                               "0.6",     "--reindex-fraction",
                               "0.02"};
    m.insert(m.end(), channel_faults.begin(), channel_faults.end());
    mailbox = testing::start_simulator(m, {{"APPEALHUB_SIM_MAILBOX_TOKEN", kToken}},
                                       (root / "mailbox-sim.log").string());
    std::vector<std::string> p{
        "petition",
        "--port",
        "0",
        "--rate",
        "7",
        "--app-id",
        kAppId,
        "--seed",
        "52",
        "--webhook-url",
        "http://127.0.0.1:" + std::to_string(gateway_port) + "/webhooks/petition",
        "--webhook-retry-ms",
        "500",
        "--follow-up-fraction",
        "0.2",
        "--rating-fraction",
        "0.6",
        "--withdraw-fraction",
        "0.02",
        "--reassign-fraction",
        "0.02"};
    p.insert(p.end(), channel_faults.begin(), channel_faults.end());
    petition = testing::start_simulator(p, {{"APPEALHUB_SIM_PETITION_SECRET", kSecret}},
                                        (root / "petition-sim.log").string());
    if (!mailbox.port || !petition.port) throw std::runtime_error("a simulator did not start");
    hotline = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::sim_binary(),
                                 "hotline",
                                 "--dir",
                                 (root / "12328").string(),
                                 "--rate",
                                 "6",
                                 "--count",
                                 std::to_string(minutes * 60 * 6),
                                 "--rows-per-file",
                                 "30",
                                 "--file-interval-ms",
                                 "1000",
                                 "--poll-ms",
                                 "500",
                                 "--busy",
                                 "0.05",
                                 "--followups",
                                 "0.2",
                                 "--seed",
                                 "53"},
        std::map<std::string, std::string>{}, (root / "hotline-sim.log").string());
    hotline->start();
  }

  void start_hub() {
    const auto config = root / "appealhub.json";
    const auto dir = root / "12328";
    std::ofstream(config) << json{
        {"hotline12328",
         {{"export_dir", (dir / "export").string()},
          {"import_dir", (dir / "import").string()},
          {"receipt_dir", (dir / "receipt").string()},
          {"result_flush_seconds", 2}}},
        {"mailbox",
         {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)},
          {"poll_interval_ms", 500},
          {"request_timeout_ms", 1500}}},
        {"petition",
         {{"base_url", "http://127.0.0.1:" + std::to_string(petition.port)},
          {"app_id", kAppId},
          {"poll_interval_ms", 700},
          {"request_timeout_ms", 1500}}},
        {"delivery",
         {{"channels", "mailbox,petition,hotline12328,operator"},
          {"backoff_min_ms", 500},
          {"backoff_max_ms", 5000},
          {"lease_seconds", 15},
          {"max_attempts", 60}}}}.dump(2);
    env = {{"APPEALHUB_PG_URI", db.uri()},
           {"APPEALHUB_AMQP_URI", vhost.uri()},
           {"APPEALHUB_GATEWAY_PORT", std::to_string(gateway_port)},
           {"APPEALHUB_LOG_LEVEL", "info"},
           {"APPEALHUB_MAILBOX_TOKEN", kToken},
           {"APPEALHUB_PETITION_SECRET", kSecret},
           {"APPEALHUB_NEW_USER_PASSWORD", kPassword}};
    testing::ChildProcess add(
        {testing::appealhub_binary(), "user", "add", "soak", "--role", "operator", "--role",
         "staff", "--role", "manager", "--department", "dlys"},
        env, (root / "user-add.log").string());
    add.start();
    add.wait();
    hub = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::appealhub_binary(), "run", "--config", config.string()},
        env, (root / "hub.log").string());
    hub->start();
  }

  // A staff member (of `dlys`, who is also operator and manager) answers what arrives: places
  // what the rules left at the desk or with others, and writes a final answer.
  void answer_loop() {
    testing::ApiSession worker(gateway_port);
    bool logged_in = false;
    while (running) {
      std::this_thread::sleep_for(1s);
      try {
        if (!logged_in) logged_in = worker.login("soak", kPassword).status == 200;
        if (!logged_in) continue;
        for (const auto& id : db.column(
                 "SELECT id FROM tickets WHERE status IN ('triage', 'assigned', 'in_progress', "
                 "'reopened') ORDER BY random() LIMIT 15")) {
          const std::string path = "/api/v1/tickets/" + id;
          const auto t = worker.get(path).json();
          if (t.is_null()) continue;
          if (t["status"] == "triage") {
            worker.post(path + "/dispatch", {{"lead_department", "dlys"}});
          } else if (t["lead_department"] != "dlys") {
            worker.post(path + "/reassign", {{"lead_department", "dlys"}, {"reason", "soak"}});
          }
          const auto r = worker.post(path + "/answers",
                                     {{"type", "final_answer"},
                                      {"content", "您好，您反映的问题已核实处理。(" + id + ")"}});
          if (r.status == 201) {
            ++answers;
          } else if (r.status >= 500 || r.status == 0) {
            ++answer_errors;
          }
        }
      } catch (const std::exception&) {
        ++answer_errors;  // the hub or the database is down this moment
        logged_in = false;
      }
    }
  }

  void fault_loop() {
    std::mt19937 random(20261206);
    while (running) {
      const int wait = std::uniform_int_distribution<int>(45, 110)(random);
      for (int i = 0; i < wait && running; ++i) std::this_thread::sleep_for(1s);
      if (!running) break;
      const int kind = std::uniform_int_distribution<int>(0, 2)(random);
      const auto at = std::to_string(elapsed()) + " s: ";
      try {
        if (kind == 0) {
          std::lock_guard lock(hub_mutex);
          hub->kill(SIGKILL);
          hub->start();
          faults.push_back(at + "hub SIGKILLed and started again");
        } else if (kind == 1) {
          testing::services("restart rabbitmq");
          faults.push_back(at + "RabbitMQ restarted");
        } else {
          testing::services("restart postgres");
          faults.push_back(at + "PostgreSQL restarted");
        }
      } catch (const std::exception& e) {
        faults.push_back(at + "fault failed: " + e.what());
      }
    }
  }

  void sample() {
    int pid = -1;
    {
      std::lock_guard lock(hub_mutex);
      pid = hub->pid();
    }
    Sample s{elapsed(), proc_field(pid, "VmRSS"), open_fds(pid), proc_field(pid, "Threads"), -1,
             "?"};
    try {
      s.pg_connections = std::stol(db.scalar(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
          "pg_backend_pid()"));
      s.tickets = db.scalar("SELECT count(*) FROM tickets");
    } catch (const std::exception&) {
    }
    samples.push_back(s);
  }

  // The end state; returns the problems.
  std::vector<std::string> check() {
    std::vector<std::string> problems;
    const auto letters = sim_json(mailbox.port, "GET", "/_sim/ledger");
    const auto messages = sim_json(petition.port, "GET", "/_sim/ledger");
    std::ifstream in(root / "12328" / "sim-ledger.json");
    const auto hotline_ledger = json::parse(in, nullptr, false);
    std::set<std::pair<std::string, std::string>> issued;
    std::set<std::string> withdrawn_letters;
    for (const auto& l : letters["issued"]["letters"]) {
      issued.insert({"mailbox", l["id"]});
      if (l["status"] == "withdrawn") withdrawn_letters.insert(l["id"]);
    }
    for (const auto& m : messages["issued"]["messages"]) issued.insert({"petition", m["msg_id"]});
    for (const auto& row : hotline_ledger["rows"]) {
      if (row["type"] == "新派单" && row["bad"].get<std::string>().empty()) {
        issued.insert({"hotline12328", row["order_id"]});
      }
    }
    std::set<std::pair<std::string, std::string>> stored;
    for (const auto& row : db.column("SELECT channel || chr(31) || external_id FROM tickets")) {
      const auto sep = row.find('\x1f');
      stored.insert({row.substr(0, sep), row.substr(sep + 1)});
    }
    const auto rows = std::stoul(db.scalar("SELECT count(*) FROM tickets"));
    if (rows != stored.size()) {
      problems.push_back(std::to_string(rows - stored.size()) + " doubled tickets");
    }
    int missing = 0, withdrawn_unseen = 0;
    for (const auto& key : issued) {
      if (stored.contains(key)) continue;
      if (key.first == "mailbox" && withdrawn_letters.contains(key.second)) {
        ++withdrawn_unseen;  // withdrawn before the hub first read it
      } else if (++missing <= 5) {
        problems.push_back("no ticket for " + key.first + " " + key.second);
      }
    }
    if (missing > 5) problems.push_back(std::to_string(missing) + " appeals without a ticket");
    std::cout << "[ soak ] appeals issued " << issued.size() << ", tickets " << rows
              << ", withdrawn before the hub saw them " << withdrawn_unseen << "\n";

    // Answers: each accepted once by its channel, and what the store says delivered.
    std::size_t channel_accepted = 0;
    for (const auto& [ledger, key] :
         {std::pair{letters, "idempotency_key"}, std::pair{messages, "request_id"}}) {
      for (const auto& reply : ledger["received"]["replies"]) {
        ++channel_accepted;
        if (reply["accepted_new"] != 1 || reply["conflicting"] != 0) {
          problems.push_back("reply " + reply[key].get<std::string>() + " accepted " +
                             reply["accepted_new"].dump() + " times, conflicting " +
                             reply["conflicting"].dump());
        }
      }
    }
    std::map<std::string, int> success;
    int again = 0;
    for (const auto& file : hotline_ledger["results"]) {
      for (const auto& line : file["lines"]) {
        if (line["receipt"] == "成功") ++success[line["order_id"]];
        again += line["reason"] == "该工单已办结";
      }
    }
    for (const auto& [order, n] : success) {
      if (n > 1)
        problems.push_back("12328 order " + order + " answered " + std::to_string(n) + "x");
    }
    if (again) problems.push_back(std::to_string(again) + " 12328 rows refused as already done");
    const auto delivered = std::stoul(db.scalar(
        "SELECT count(*) FROM reply_ledger WHERE state = 'delivered' AND channel IN ('mailbox', "
        "'petition')"));
    const auto failed = db.scalar("SELECT count(*) FROM reply_ledger WHERE state = 'failed'");
    if (delivered != channel_accepted) {
      problems.push_back("the store has " + std::to_string(delivered) +
                         " mailbox/petition replies delivered, the channels accepted " +
                         std::to_string(channel_accepted));
    }
    std::cout << "[ soak ] answers written " << answers << " (errors while the hub was down "
              << answer_errors << "); accepted by mailbox and petition " << channel_accepted
              << ", by 12328 " << success.size() << "; failed for good " << failed
              << " (withdrawn or reassigned appeals)\n";
    return problems;
  }

  bool drained() {
    try {
      return db.scalar(
                 "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL) + (SELECT "
                 "count(*) FROM reply_ledger WHERE state IN ('queued', 'sending', "
                 "'retrying'))") == "0";
    } catch (const std::exception&) {
      return false;
    }
  }
};

int run_soak(int minutes) {
  Soak s(minutes, fs::temp_directory_path() / ("appealhub_soak_" + std::to_string(::getpid())));
  fs::remove_all(s.root);
  fs::create_directories(s.root / "12328");
  std::cout << "[ soak ] " << minutes << " minutes; logs in " << s.root << std::endl;
  s.start_channels();
  s.start_hub();
  std::thread answerer([&] { s.answer_loop(); });
  std::thread faulter([&] { s.fault_loop(); });
  const auto end = Clock::now() + std::chrono::minutes(minutes);
  while (Clock::now() < end) {
    s.sample();
    const auto& last = s.samples.back();
    std::cout << "[ soak ] " << std::setw(5) << last.second << " s  rss " << last.rss_kib
              << " KiB  fds " << last.fds << "  threads " << last.threads << "  pg conns "
              << last.pg_connections << "  tickets " << last.tickets << std::endl;
    std::this_thread::sleep_for(10s);
  }
  // The channels stop issuing; answers stop; the hub drains what is in flight.
  for (const auto port : {s.mailbox.port, s.petition.port}) sim_json(port, "POST", "/_sim/pause");
  s.running = false;
  answerer.join();
  faulter.join();
  const bool quiet = testing::eventually(
      5min, [&] { return s.drained(); }, 2s);
  std::this_thread::sleep_for(30s);  // the last pages, result files and receipts
  testing::eventually(
      3min, [&] { return s.drained(); }, 2s);
  s.sample();
  auto problems = s.check();
  if (!quiet) problems.push_back("the outbox or the delivery ledger never drained");
  std::cout << "[ soak ] faults injected:\n";
  for (const auto& f : s.faults) std::cout << "[ soak ]   " << f << "\n";
  const auto& first = s.samples.front();
  const auto& last = s.samples.back();
  long peak_rss = 0, peak_fds = 0;
  for (const auto& x : s.samples) {
    peak_rss = std::max(peak_rss, x.rss_kib);
    peak_fds = std::max(peak_fds, x.fds);
  }
  std::cout << "[ soak ] hub rss first " << first.rss_kib << " KiB, last " << last.rss_kib
            << ", peak " << peak_rss << "; fds first " << first.fds << ", last " << last.fds
            << ", peak " << peak_fds << "; threads last " << last.threads
            << "; pg connections last " << last.pg_connections << "\n";
  const auto leaks = testing::lines_containing((s.root / "hub.log").string(), {kToken, kSecret});
  if (!leaks.empty()) problems.push_back("a secret in the hub's log: " + leaks.front());
  {
    std::lock_guard lock(s.hub_mutex);
    if (s.hub->terminate() != 0) problems.push_back("the hub did not stop cleanly on SIGTERM");
  }
  for (auto* sim : {&s.mailbox, &s.petition}) sim->process->terminate();
  s.hotline->terminate();
  for (const auto& p : problems) std::cout << "[ soak ] PROBLEM " << p << "\n";
  std::cout << "[ soak ] " << (problems.empty() ? "held" : "FAILED") << std::endl;
  if (problems.empty()) fs::remove_all(s.root);
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace appealhub

int main(int argc, char** argv) {
  const int minutes = argc > 1 ? std::atoi(argv[1]) : 30;
  if (minutes < 1) {
    std::cerr << "usage: soak_pgrmq MINUTES\n";
    return 2;
  }
  try {
    return appealhub::run_soak(minutes);
  } catch (const std::exception& e) {
    std::cerr << "soak: " << e.what() << "\n";
    return 2;
  }
}
