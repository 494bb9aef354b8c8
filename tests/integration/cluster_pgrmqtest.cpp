// The hub on many machines (issue 20), shown on one: a three-node RabbitMQ cluster
// (scripts/rabbitmq-cluster.sh; the hub's queues are quorum queues, replicated on every node) and
// one PostgreSQL, with the hub's parts as separate processes: two intake routers, two relays, two
// gateways, two copies of each channel adapter (the mailbox and petition pollers, the 12328 export
// intake), two delivery workers and one deadline watch. The three simulated channels issue appeals
// and a worker answers them through both gateways in turn, as a load balancer would send them.
// While appeals and answers flow, the node every process connects to first is SIGKILLed and later
// started again, and one process of each kind is SIGKILLed once and started again (for the
// adapters, the one holding the channel's lease). End state: every appeal one ticket, every answer
// accepted once by its channel (the simulators' ledgers), no message left in any queue, one poller
// per channel at every moment (the "taken" lines of the adapters' logs), every process stopping
// cleanly on SIGTERM, and the same figures as one `appealhub run` process given the same input
// against the single broker. Needs PostgreSQL and RabbitMQ (scripts/services.sh: the comparison
// run, and the cluster's user and password) and the simulators.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "bus/topology.hpp"
#include "tests/support/http_test_client.hpp"
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

constexpr int kChunks = 4, kPerChunk = 30;  // letters and petition messages, each
constexpr int kHotlineRows = 160;
const std::string kToken = "cluster-mailbox-token";
const std::string kAppId = "gy-jtj";
const std::string kSecret = "cluster-petition-secret";
const std::string kPassword = "cluster worker password";
// The parts, in the order one of each is killed: the 12328 export intake first, while the
// platform still writes files (the other two leases take pages all the time).
const std::vector<std::string> kKinds{"hotline12328", "mailbox", "petition", "intake",
                                      "relay",        "gateway", "deliver",  "watch"};
const std::set<std::string> kLeased{"mailbox", "petition", "hotline12328"};

// A simulator's control API and ledger (larger than the simulator test client takes).
json sim_json(unsigned short port, const std::string& method, const std::string& target,
              const std::string& body = "") {
  for (int i = 0; i < 50; ++i) {
    try {
      const auto r = testing::http_call(port, method, target, body);
      if (r.status == 200) return r.json();
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("the simulator on port " + std::to_string(port) + " did not answer " +
                           target);
}

// "a b c" -> {"a", "b", "c"}: command lines written as one.
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  return in ? json::parse(in, nullptr, false) : json();
}

// The three channels, seeded and without random life events (withdrawals, ratings, spam,
// follow-ups) or 12328 busy answers (drawn from the same random sequence as the rows, at times
// that differ between runs): the same calls give the same appeals in every run, so that two runs
// compare.
struct Channels {
  testing::SimProcess mailbox, petition, hotline;
  fs::path root, hotline_dir;

  Channels(const fs::path& where, unsigned short webhook_port)
      : root(where), hotline_dir(where / "12328") {
    mailbox = testing::start_simulator(
        words("mailbox --port 0 --seed 71 --rate 0 --withdraw-fraction 0 --spam-fraction 0 "
              "--reindex-fraction 0 --rating-fraction 0"),
        {{"APPEALHUB_SIM_MAILBOX_TOKEN", kToken}}, (root / "mailbox-sim.log").string());
    petition = testing::start_simulator(
        words("petition --port 0 --app-id " + kAppId +
              " --seed 72 --rate 0 --webhook-retry-ms 300 --follow-up-fraction 0 "
              "--rating-fraction 0 --withdraw-fraction 0 --reassign-fraction 0 --webhook-url "
              "http://127.0.0.1:" +
              std::to_string(webhook_port) + "/webhooks/petition"),
        {{"APPEALHUB_SIM_PETITION_SECRET", kSecret}}, (root / "petition-sim.log").string());
    if (!mailbox.port || !petition.port) throw std::runtime_error("a simulator did not start");
  }
  // The 12328 platform starts exporting its rows, 6 a second.
  void start_hotline() {
    hotline = testing::start_simulator(
        words("hotline --rate 6 --rows-per-file 10 --file-interval-ms 500 --poll-ms 200 "
              "--followups 0 --busy 0 --seed 73 --count " +
              std::to_string(kHotlineRows) + " --dir " + hotline_dir.string()),
        {}, (root / "hotline-sim.log").string(), false);
  }

  void generate(int count) {
    for (auto port : {mailbox.port, petition.port}) {
      const auto ids = sim_json(port, "POST", "/_sim/generate", json{{"count", count}}.dump());
      if (ids["ids"].size() != static_cast<std::size_t>(count))
        throw std::runtime_error("the simulator did not generate");
    }
  }
  json hotline_ledger() const { return read_json_file(hotline_dir / "sim-ledger.json"); }
  bool hotline_done() const {
    const auto l = hotline_ledger();
    return l.is_object() && l.value("rows_issued", 0) >= kHotlineRows;
  }
  std::size_t appeals() const {
    const auto l = hotline_ledger();
    return 2 * kChunks * kPerChunk + (l.is_object() ? l["orders"].size() : 0);
  }
};

// The configuration every process of a run shares (the gateway's port comes from the
// environment).
fs::path write_config(const fs::path& root, const Channels& ch) {
  const auto path = root / "appealhub.json";
  std::ofstream(path) << json{
      {"hotline12328",
       {{"export_dir", (ch.hotline_dir / "export").string()},
        {"import_dir", (ch.hotline_dir / "import").string()},
        {"receipt_dir", (ch.hotline_dir / "receipt").string()},
        {"result_flush_seconds", 1},
        {"poll_interval_ms", 300}}},
      {"mailbox",
       {{"base_url", "http://127.0.0.1:" + std::to_string(ch.mailbox.port)},
        {"poll_interval_ms", 500},
        {"page_size", 20},
        {"backoff_max_ms", 2000}}},
      {"petition",
       {{"base_url", "http://127.0.0.1:" + std::to_string(ch.petition.port)},
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
        {"poll_interval_ms", 200}}},
      // Merging repeats depends on which of two similar appeals is placed first, which two
      // routers decide by timing: off, so that the figures of two runs compare.
      {"duplicates", {{"merge_threshold", 1.0}, {"suggest_threshold", 1.0}}},
      {"watch",
       {{"interval_ms",
         2000}}}}.dump(2);
  return path;
}

// Runs `appealhub ARGS…` to its end; its exit status.
int run_command(const std::vector<std::string>& args, std::map<std::string, std::string> env,
                const fs::path& log) {
  std::vector<std::string> argv{testing::appealhub_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, std::move(env), log.string());
  p.start();
  return p.wait();
}

// `appealhub migrate` (the shipped routing defaults too) and the worker: operator and staff of
// every department.
void prepare_store(const testing::TestDatabase& db, const std::map<std::string, std::string>& env,
                   const fs::path& root) {
  ASSERT_EQ(run_command({"migrate"}, env, root / "migrate.log"), 0);
  std::vector<std::string> add{"user", "add", "worker", "--role", "operator", "--role", "staff"};
  for (const auto& code : db.column(
           "SELECT d->>'code' FROM settings_documents s, jsonb_array_elements(s.body->"
           "'departments') d WHERE s.name = 'departments' AND s.version = (SELECT max(version) "
           "FROM settings_documents WHERE name = 'departments')")) {
    add.insert(add.end(), {"--department", code});
  }
  auto with_password = env;
  with_password["APPEALHUB_NEW_USER_PASSWORD"] = kPassword;
  ASSERT_EQ(run_command(add, with_password, root / "user-add.log"), 0);
}

// Answers whatever is open, through the gateways in turn; a gateway that does not answer is
// passed over for the next one.
class Worker {
 public:
  Worker(const testing::TestDatabase& db, std::vector<unsigned short> gateways)
      : db_(db), gateways_(std::move(gateways)), thread_([this] { loop(); }) {}
  ~Worker() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  int answers() const { return answers_; }
  int passed_over() const { return passed_over_; }
  std::map<unsigned short, int> answered_by() const {
    std::lock_guard lock(mutex_);
    return answered_by_;
  }

 private:
  testing::HttpResult call(const std::function<testing::HttpResult()>& request) {
    for (std::size_t attempt = 0; attempt < 2 * gateways_.size(); ++attempt) {
      api_.use_port(gateways_[next_++ % gateways_.size()]);
      try {
        auto r = request();
        if (r.status != 0 && r.status < 500) return r;
      } catch (const std::exception&) {
      }
      ++passed_over_;
      std::this_thread::sleep_for(100ms);
    }
    return {};
  }

  void loop() {
    bool logged_in = false;
    while (running_) {
      std::this_thread::sleep_for(300ms);
      try {
        if (!logged_in)
          logged_in = call([&] { return api_.login("worker", kPassword); }).status == 200;
        if (!logged_in) continue;
        for (const auto& row :
             db_.column("SELECT id || ' ' || status FROM tickets WHERE status IN ('triage', "
                        "'assigned', 'in_progress', 'reopened') ORDER BY id LIMIT 40")) {
          if (!running_) break;
          const auto space = row.find(' ');
          const std::string path = "/api/v1/tickets/" + row.substr(0, space);
          if (row.substr(space + 1) == "triage") {
            call([&] { return api_.post(path + "/dispatch", {{"lead_department", "dlys"}}); });
          }
          const auto r = call([&] {
            return api_.post(path + "/answers", {{"type", "final_answer"},
                                                 {"content", "您好，您反映的问题已核实处理。"}});
          });
          if (r.status == 201) {
            ++answers_;
            std::lock_guard lock(mutex_);
            ++answered_by_[api_.port()];
          }
        }
      } catch (const std::exception&) {
      }
    }
  }

  const testing::TestDatabase& db_;
  std::vector<unsigned short> gateways_;
  testing::ApiSession api_{0};
  std::size_t next_ = 0;
  std::atomic<bool> running_{true};
  std::atomic<int> answers_{0}, passed_over_{0};
  mutable std::mutex mutex_;
  std::map<unsigned short, int> answered_by_;
  std::thread thread_;  // last: starts once the rest is made
};

// Everything settled: every appeal a ticket, every ticket answered and its answer delivered,
// nothing waiting in the outbox or the delivery ledger.
bool settled(const testing::TestDatabase& db, const Channels& ch) {
  if (!ch.hotline_done()) return false;
  const auto expected = std::to_string(ch.appeals());
  return db.scalar("SELECT count(*) FROM tickets") == expected &&
         db.scalar("SELECT count(*) FROM tickets WHERE status = 'delivered'") == expected &&
         db.scalar("SELECT count(*) FROM reply_ledger WHERE state = 'delivered'") == expected &&
         db.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == "0";
}

std::string progress(const testing::TestDatabase& db) {
  return db.scalar(
      "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM tickets "
      "GROUP BY 1 ORDER BY 1) s");
}

// The end state against the simulators' ledgers; the hotline simulator must have stopped (its
// ledger is complete then). Returns the problems and fills `figures`, what two runs of the same
// input must share.
std::vector<std::string> check_end_state(const testing::TestDatabase& db, const Channels& ch,
                                         std::map<std::string, std::string>& figures) {
  std::vector<std::string> problems;
  const auto letters = sim_json(ch.mailbox.port, "GET", "/_sim/ledger");
  const auto messages = sim_json(ch.petition.port, "GET", "/_sim/ledger");
  const auto hotline = ch.hotline_ledger();
  std::set<std::pair<std::string, std::string>> issued, stored;
  for (const auto& l : letters["issued"]["letters"]) issued.insert({"mailbox", l["id"]});
  for (const auto& m : messages["issued"]["messages"]) issued.insert({"petition", m["msg_id"]});
  for (const auto& [order, _] : hotline["orders"].items()) issued.insert({"hotline12328", order});
  for (const auto& row : db.column("SELECT channel || ' ' || external_id FROM tickets")) {
    stored.insert({row.substr(0, row.find(' ')), row.substr(row.find(' ') + 1)});
  }
  if (db.scalar("SELECT count(*) FROM tickets") != std::to_string(stored.size()))
    problems.push_back("doubled tickets");
  for (const auto& key : issued) {
    if (!stored.count(key)) problems.push_back("no ticket for " + key.first + " " + key.second);
  }
  for (const auto& key : stored) {
    if (!issued.count(key)) problems.push_back("a ticket never issued: " + key.second);
  }
  // Every answer accepted once by its channel, and only what the store says was delivered.
  for (const auto& [ledger, channel, key] : {std::tuple{&letters, "mailbox", "idempotency_key"},
                                             std::tuple{&messages, "petition", "request_id"}}) {
    std::size_t once = 0;
    for (const auto& reply : (*ledger)["received"]["replies"]) {
      if (reply["accepted_new"] != 1 || reply["conflicting"] != 0) {
        problems.push_back(std::string(channel) + " reply " + reply[key].get<std::string>() +
                           " accepted " + reply["accepted_new"].dump() + " times, conflicting " +
                           reply["conflicting"].dump());
      }
      once += reply["accepted_new"] == 1;
    }
    const auto delivered = db.scalar(
        "SELECT count(*) FROM reply_ledger WHERE state = "
        "'delivered' AND channel = '" +
        std::string(channel) + "'");
    if (std::to_string(once) != delivered) {
      problems.push_back(std::string(channel) + " accepted " + std::to_string(once) +
                         " answers, the store has " + delivered + " delivered");
    }
  }
  std::map<std::string, int> success;
  int again = 0, busy = 0;
  for (const auto& file : hotline["results"]) {
    for (const auto& line : file["lines"]) {
      if (line["receipt"] == "成功") ++success[line["order_id"]];
      again += line["reason"] == "该工单已办结";
      busy += line["reason"] == "系统繁忙请重试";
    }
  }
  for (const auto& [order, n] : success) {
    if (n != 1) problems.push_back("12328 order " + order + " answered " + std::to_string(n) + "x");
  }
  if (again) problems.push_back(std::to_string(again) + " 12328 rows refused as already answered");
  const auto hotline_delivered = db.scalar(
      "SELECT count(*) FROM reply_ledger WHERE state = 'delivered' AND channel = 'hotline12328'");
  if (std::to_string(success.size()) != hotline_delivered) {
    problems.push_back("12328 accepted " + std::to_string(success.size()) +
                       " answers, the store has " + hotline_delivered + " delivered");
  }
  for (const char* table : {"rejected_messages", "parked_events"}) {
    const auto n = db.scalar(std::string("SELECT count(*) FROM ") + table);
    if (n != "0") problems.push_back(n + " rows in " + table);
  }
  for (const auto& row : db.column(
           "SELECT 'tickets ' || channel || ' ' || status || ' ' || coalesce(lead_department, "
           "'-') || ' ' || kind || '=' || count(*) FROM tickets GROUP BY channel, status, "
           "lead_department, kind UNION ALL SELECT 'replies ' || channel || ' ' || state || '=' "
           "|| count(*) FROM reply_ledger GROUP BY channel, state")) {
    const auto eq = row.rfind('=');
    figures[row.substr(0, eq)] = row.substr(eq + 1);
  }
  std::cout << "[ cluster ] appeals " << issued.size() << ", tickets " << stored.size()
            << "; answers accepted: mailbox " << letters["received"]["replies"].size()
            << ", petition " << messages["received"]["replies"].size() << ", 12328 "
            << success.size() << " (" << busy << " rows answered 系统繁忙请重试 and sent again)"
            << std::endl;
  return problems;
}

// Ready messages in every queue of the hub's topology (none when all is settled).
std::map<std::string, std::uint32_t> queue_depths(const bus::BrokerConfig& broker) {
  const auto spec = bus::hub_topology();
  std::vector<std::string> names{spec.dead_letter_queue};
  for (const auto& q : spec.queues) {
    names.push_back(q.name);
    for (auto delay : q.retry_delays) names.push_back(bus::retry_queue_name(q.name, delay));
  }
  std::map<std::string, std::uint32_t> out;
  for (const auto& name : names) {
    const auto state = bus::inspect_queue(broker, name);
    out[name] = state ? state->messages : UINT32_MAX;
  }
  return out;
}

std::uint32_t total(const std::map<std::string, std::uint32_t>& depths) {
  std::uint32_t n = 0;
  for (const auto& [_, d] : depths) n += d;
  return n;
}

// One process of the hub.
struct Part {
  std::string kind;
  int copy = 1;
  fs::path log;
  std::unique_ptr<ChildProcess> process;
  std::string name() const { return kind + "-" + std::to_string(copy); }
};

// The copy of an adapter that took the last page or file: the lease holder now.
Part* lease_holder(std::vector<Part>& parts, const std::string& kind) {
  Part* holder = nullptr;
  std::string latest;
  for (auto& part : parts) {
    if (part.kind != kind) continue;
    for (const auto& t : testing::taken_lines({part.log.string()})) {
      if (t.ts > latest) {
        latest = t.ts;
        holder = &part;
      }
    }
  }
  return holder;
}

TEST(Cluster, SeparateProcessesOnAThreeNodeClusterSurviveANodeAndEveryKindKilled) {
  const auto started = Clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
  };
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_cluster_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "cluster");
  fs::create_directories(root / "single");

  // 1. The cluster: three nodes, joined; the topology declared once all three are in, so that
  // every quorum queue has a member on each.
  struct StopCluster {
    ~StopCluster() {
      try {
        testing::rabbitmq_cluster("stop");
      } catch (...) {
      }
    }
  } stop_cluster;
  testing::rabbitmq_cluster("start");
  const auto addresses = testing::rabbitmq_cluster_addresses();
  bus::BrokerConfig broker;
  broker.uri = addresses.uri;
  broker.hosts = addresses.hosts;
  bus::declare_topology(broker, bus::hub_topology());
  std::string hosts;
  for (const auto& h : addresses.hosts) hosts += (hosts.empty() ? "" : ",") + h;
  std::cout << "[ cluster ] t=" << elapsed() << "s three nodes up: " << addresses.hosts.size() + 1
            << std::endl;

  // 2. The store, the channels and the parts.
  testing::TestDatabase db("cluster");
  const unsigned short gateway_a = testing::free_port(), gateway_b = testing::free_port();
  Channels channels(root / "cluster", gateway_a);
  const auto config = write_config(root / "cluster", channels);
  const std::map<std::string, std::string> env{
      {"APPEALHUB_PG_URI", db.uri()},      {"APPEALHUB_AMQP_URI", addresses.uri},
      {"APPEALHUB_AMQP_HOSTS", hosts},     {"APPEALHUB_LOG_LEVEL", "info"},
      {"APPEALHUB_MAILBOX_TOKEN", kToken}, {"APPEALHUB_PETITION_SECRET", kSecret}};
  prepare_store(db, env, root / "cluster");
  if (HasFatalFailure()) return;
  std::vector<Part> parts;
  for (const auto& kind : kKinds) {
    for (int copy = 1; copy <= (kind == "watch" ? 1 : 2); ++copy) {
      Part part{kind, copy, root / "cluster" / (kind + "-" + std::to_string(copy) + ".log"), {}};
      auto part_env = env;
      if (kind == "gateway")
        part_env["APPEALHUB_GATEWAY_PORT"] = std::to_string(copy == 1 ? gateway_a : gateway_b);
      part.process = std::make_unique<ChildProcess>(
          std::vector<std::string>{testing::appealhub_binary(), kind, "--config", config.string()},
          part_env, part.log.string());
      part.process->start();
      parts.push_back(std::move(part));
    }
  }
  std::vector<std::string> logs;
  for (const auto& part : parts) logs.push_back(part.log.string());
  for (auto port : {gateway_a, gateway_b}) {
    ASSERT_TRUE(testing::eventually(60s,
                                    [&] {
                                      try {
                                        return testing::http_call(port, "GET", "/readyz").status ==
                                               200;
                                      } catch (const std::exception&) {
                                        return false;
                                      }
                                    }))
        << "gateway :" << port << " not ready; see " << root / "cluster";
  }
  std::cout << "[ cluster ] t=" << elapsed() << "s " << parts.size() << " processes up"
            << std::endl;

  // 3. Appeals and answers, a node killed and back, one process of each kind killed.
  Worker worker(db, {gateway_a, gateway_b});
  channels.start_hotline();
  std::vector<std::string> faults;
  const auto fault = [&](const std::string& what) {
    faults.push_back("t=" + std::to_string(elapsed()) + "s " + what + " (" +
                     db.scalar("SELECT count(*) FROM tickets") + " tickets)");
    std::cout << "[ cluster ] " << faults.back() << std::endl;
  };
  channels.generate(kPerChunk);
  std::this_thread::sleep_for(3s);
  channels.generate(kPerChunk);
  std::this_thread::sleep_for(2s);
  testing::rabbitmq_cluster("kill-node 1");
  fault("RabbitMQ node 1 (every process's first) SIGKILLed");
  const auto tickets_at_node_loss = std::stoi(db.scalar("SELECT count(*) FROM tickets"));
  std::this_thread::sleep_for(3s);
  channels.generate(kPerChunk);
  std::set<std::string> killed;
  for (const auto& kind : kKinds) {
    Part* victim = kLeased.count(kind) ? lease_holder(parts, kind) : nullptr;
    if (!victim) {
      for (auto& part : parts) {
        if (part.kind == kind && part.copy == 1) victim = &part;
      }
    }
    ASSERT_NE(victim, nullptr) << kind;
    victim->process->kill(SIGKILL);
    killed.insert(kind);
    fault(victim->name() + " SIGKILLed" + (kLeased.count(kind) ? " (the lease holder)" : ""));
    std::this_thread::sleep_for(1500ms);
    victim->process->start();
  }
  // The parts went on without the node: the others took their connections.
  EXPECT_GT(std::stoi(db.scalar("SELECT count(*) FROM tickets")), tickets_at_node_loss)
      << "no appeal taken in while node 1 was down";
  testing::rabbitmq_cluster("start-node 1");
  fault("RabbitMQ node 1 back");
  channels.generate(kPerChunk);

  // 4. Everything settles.
  auto last_print = Clock::now();
  const bool done = testing::eventually(
      240s,
      [&] {
        if (Clock::now() - last_print > 15s) {
          last_print = Clock::now();
          std::cout << "[ cluster ] t=" << elapsed() << "s waiting: " << progress(db) << std::endl;
        }
        return settled(db, channels);
      },
      1s);
  EXPECT_TRUE(done) << progress(db) << "; expected " << channels.appeals() << " appeals; logs in "
                    << root / "cluster";
  // Nothing left in any queue: while the consumers run (a message waiting in a retry queue, up
  // to 60 s, comes back and is taken), and again once every consumer is gone (what one held
  // unacknowledged would be back in its queue then).
  std::map<std::string, std::uint32_t> depths;
  const auto queues_left = [&] {
    std::string s;
    for (const auto& [q, n] : depths) s += n ? q + " " + std::to_string(n) + "; " : "";
    return s;
  };
  EXPECT_TRUE(testing::eventually(
      90s,
      [&] {
        depths = queue_depths(broker);
        return total(depths) == 0;
      },
      1s))
      << queues_left();
  const auto settled_at = elapsed();
  worker.stop();
  for (auto& part : parts) {
    EXPECT_EQ(part.process->terminate(), 0)
        << part.name() << " did not stop cleanly; see " << part.log;
  }
  depths = queue_depths(broker);
  EXPECT_EQ(total(depths), 0u) << "after every process stopped: " << queues_left();
  EXPECT_EQ(channels.hotline.process->terminate(), 0);  // writes its ledger
  std::map<std::string, std::string> cluster_figures;
  for (const auto& p : check_end_state(db, channels, cluster_figures)) ADD_FAILURE() << p;
  EXPECT_EQ(killed.size(), kKinds.size());

  // One poller per channel at every moment, and the lease changed hands when its holder died.
  const auto taken = testing::taken_lines(logs);
  std::map<std::string, int> holders;
  for (const auto& p : testing::overlapping_holders(taken, holders)) ADD_FAILURE() << p;
  EXPECT_EQ(holders.size(), 3u) << "a lease never taken";
  for (const auto& [lease, n] : holders) EXPECT_GE(n, 2) << lease << " never changed hands";
  std::map<std::string, int> files_taken;
  for (const auto& t : taken) {
    if (t.kind == "export_file") ++files_taken[t.what];
  }
  for (const auto& [file, n] : files_taken) EXPECT_EQ(n, 1) << file << " taken " << n << " times";
  for (auto* sim : {&channels.mailbox, &channels.petition}) sim->process->terminate();
  const auto cluster_seconds = elapsed();

  // 5. The same input through one `appealhub run` process against the single broker.
  testing::TestDatabase single_db("cluster_one_process");
  testing::TestVhost vhost("cluster_one_process");
  const unsigned short gateway_c = testing::free_port();
  Channels single(root / "single", gateway_c);
  const auto single_config = write_config(root / "single", single);
  auto single_env = env;
  single_env["APPEALHUB_PG_URI"] = single_db.uri();
  single_env["APPEALHUB_AMQP_URI"] = vhost.uri();
  single_env.erase("APPEALHUB_AMQP_HOSTS");
  prepare_store(single_db, single_env, root / "single");
  if (HasFatalFailure()) return;
  single_env["APPEALHUB_GATEWAY_PORT"] = std::to_string(gateway_c);
  ChildProcess hub({testing::appealhub_binary(), "run", "--config", single_config.string()},
                   single_env, (root / "single" / "hub.log").string());
  hub.start();
  ASSERT_TRUE(
      testing::eventually(60s,
                          [&] {
                            try {
                              return testing::http_call(gateway_c, "GET", "/readyz").status == 200;
                            } catch (const std::exception&) {
                              return false;
                            }
                          }))
      << "see " << root / "single" / "hub.log";
  Worker single_worker(single_db, {gateway_c});
  single.start_hotline();
  for (int chunk = 0; chunk < kChunks; ++chunk) {
    single.generate(kPerChunk);
    std::this_thread::sleep_for(2s);
  }
  EXPECT_TRUE(testing::eventually(
      240s, [&] { return settled(single_db, single); }, 1s))
      << progress(single_db) << "; see " << root / "single" / "hub.log";
  single_worker.stop();
  EXPECT_EQ(hub.terminate(), 0);
  EXPECT_EQ(single.hotline.process->terminate(), 0);
  std::map<std::string, std::string> single_figures;
  for (const auto& p : check_end_state(single_db, single, single_figures)) ADD_FAILURE() << p;
  EXPECT_EQ(cluster_figures, single_figures)
      << "the cluster run and the one-process run of the same input differ";
  for (auto* sim : {&single.mailbox, &single.petition}) sim->process->terminate();

  // 6. The report.
  std::cout << "[ cluster ] cluster run " << cluster_seconds << " s (settled at t=" << settled_at
            << "s), one-process run " << elapsed() - cluster_seconds << " s; faults:\n";
  for (const auto& f : faults) std::cout << "[ cluster ]   " << f << "\n";
  std::cout << "[ cluster ] answers written " << worker.answers() << " (";
  for (const auto& [port, n] : worker.answered_by())
    std::cout << (port == gateway_a ? "gateway-1 " : "gateway-2 ") << n << ", ";
  std::cout << "requests passed to the other gateway " << worker.passed_over()
            << "); pages and files taken under leases:";
  std::map<std::string, int> by_lease;
  for (const auto& t : taken) ++by_lease[t.lease];
  for (const auto& [lease, n] : by_lease)
    std::cout << " " << lease << " " << n << " (" << holders[lease] << " holder sessions);";
  std::cout << "\n[ cluster ] figures (both runs):";
  for (const auto& [what, n] : cluster_figures) std::cout << " " << what << " " << n << ";";
  std::cout << std::endl;
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace appealhub
