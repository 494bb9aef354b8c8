// The three channels end to end under faults (issue 3): the mailbox, petition and 12328
// simulators run as their own processes with every fault switched on and issue more than 2,000
// appeals each plus their life events; `appealhub run` takes them in through its adapters (the
// petition webhook through the gateway) and is SIGKILLed twice during intake. Afterwards the
// simulators' ledgers and PostgreSQL must agree: every appeal one ticket, every follow-up,
// supplement, urge, rating, withdrawal and reassignment once on its ticket, every bad 12328 row and
// damaged file reported. Needs PostgreSQL, RabbitMQ and the simulators (built with the tests).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/petition/signing.hpp"
#include "core/ids.hpp"
#include "tests/sim/sim_client.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::ChildProcess;
using Clock = std::chrono::steady_clock;

constexpr int kPerChannel = 2000;  // appeals each HTTP simulator issues, in chunks
constexpr int kChunks = 4;
constexpr int kLifeSeconds = 10;
constexpr int kHotlineRows = 3500;  // rows, of which well over 2,000 are 新派单
constexpr int kReplies = 250;       // answers posted per HTTP channel, so that ratings follow
const std::string kToken = "chaos-mailbox-token";
const std::string kAppId = "gy-jtj";
const std::string kSecret = "chaos-petition-secret";

using Key = std::pair<std::string, std::string>;  // channel, external id

unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A call that survives the simulators' faults: a dropped or broken connection is status 0.
sim::testing::Reply call(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body = "", const http::Headers& headers = {}) {
  try {
    return sim::testing::call(port, method, target, body, headers);
  } catch (const std::exception&) {
    sim::testing::Reply r;
    r.dropped = true;
    return r;
  }
}

json ledger(unsigned short port) {
  for (int i = 0; i < 50; ++i) {
    const auto r = call(port, "GET", "/_sim/ledger");
    if (r.status == 200) return r.json();
    std::this_thread::sleep_for(100ms);
  }
  throw std::runtime_error("no ledger from the simulator on port " + std::to_string(port));
}

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return json();
  return json::parse(in, nullptr, false);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Posts one answer until the simulator settles it; true when it was stored (201 or 200).
bool post_answer(unsigned short port, const std::string& target, const std::string& body,
                 const std::function<http::Headers()>& headers, std::map<int, int>& statuses) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    const auto r = call(port, "POST", target, body, headers());
    ++statuses[r.status];
    if (r.status == 200 || r.status == 201) return true;
    if (r.status == 429) {
      std::this_thread::sleep_for(
          std::chrono::seconds(std::stoi(r.header("Retry-After").value_or("1"))));
      continue;
    }
    if (r.status >= 400 && r.status < 500 && r.status != 401)
      return false;                      // final (409, 410, 422)
    std::this_thread::sleep_for(200ms);  // 5xx, dropped, slow
  }
  return false;
}

// What the store holds about the three channels.
struct Store {
  std::map<Key, std::pair<std::string, std::string>> tickets;  // key -> (id, status)
  std::size_t ticket_rows = 0;
  std::map<std::string, std::pair<Key, std::string>> events;  // event id -> (ticket key, type)
  std::map<std::pair<Key, std::string>, int> counts;          // (ticket key, type) -> events
  std::set<std::string> parked;                               // event ids parked
  std::map<std::string, int> by_type;
  std::set<std::string> seen_as_spam;  // letters whose first reading said spam
  std::set<std::string> seen_pending;  // letters whose first reading was not a withdrawal

  static Store load(const testing::TestDatabase& db);
};

Store Store::load(const testing::TestDatabase& db) {
  Store s;
  for (const auto& row :
       db.column("SELECT channel || chr(31) || external_id || chr(31) || id || chr(31) || status"
                 " FROM tickets")) {
    std::vector<std::string> f;
    std::stringstream in(row);
    for (std::string part; std::getline(in, part, '\x1f');) f.push_back(part);
    s.tickets[{f[0], f[1]}] = {f[2], f[3]};
    ++s.ticket_rows;
  }
  for (const auto& row :
       db.column("SELECT t.channel || chr(31) || t.external_id || chr(31) || e.type || chr(31) ||"
                 " e.event_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
                 " WHERE e.type LIKE 'appeal.%'")) {
    std::vector<std::string> f;
    std::stringstream in(row);
    for (std::string part; std::getline(in, part, '\x1f');) f.push_back(part);
    const Key key{f[0], f[1]};
    s.events[f[3]] = {key, f[2]};
    ++s.counts[{key, f[2]}];
    ++s.by_type[f[2]];
  }
  for (auto& id : db.column("SELECT event_id FROM parked_events")) s.parked.insert(id);
  for (auto& id : db.column("SELECT external_id FROM tickets WHERE channel = 'mailbox' AND"
                            " appeal -> 'channel_meta' ->> 'status' = 'spam'")) {
    s.seen_as_spam.insert(id);
  }
  for (auto& id : db.column("SELECT external_id FROM tickets WHERE channel = 'mailbox' AND"
                            " coalesce(appeal -> 'channel_meta' ->> 'status', '') <> 'withdrawn'")) {
    s.seen_pending.insert(id);
  }
  return s;
}

// What the ledgers say must be in the store, and how the two compare.
struct Expected {
  std::set<Key> tickets;
  std::map<std::string, std::pair<Key, std::string>> events;  // event id -> (key, type)
  std::map<std::pair<Key, std::string>, int> counts;
  std::map<Key, std::set<std::string>> status;  // allowed final statuses
  std::set<std::string> parked;                 // events that must stay parked (no ticket)
  std::set<std::string> channels{"mailbox", "petition", "hotline12328"};
  // counts for the report
  std::map<std::string, int> issued;  // "mailbox letters", …
  std::map<std::string, int> facts;   // "mailbox appeal.rated", …

  void ticket(const Key& key) {
    tickets.insert(key);
    counts[{key, "appeal.received"}] = 1;
  }
  void event(const Key& key, const std::string& type, const std::string& fact) {
    const auto id = core::make_event_id(type, key.first, key.second, fact);
    if (events.emplace(id, std::make_pair(key, type)).second) {
      ++counts[{key, type}];
      ++facts[key.first + " " + type];
    }
  }

  // Problems, at most `limit` described; empty when the store agrees.
  std::vector<std::string> compare(const Store& store, std::size_t limit = 20) const {
    std::vector<std::string> out;
    std::size_t n = 0;
    const auto problem = [&](const std::string& text) {
      if (out.size() < limit) out.push_back(text);
      ++n;
    };
    for (const auto& key : tickets) {
      if (!store.tickets.count(key)) problem("missing ticket " + key.first + " " + key.second);
    }
    for (const auto& [key, ticket] : store.tickets) {
      if (channels.count(key.first) && !tickets.count(key)) {
        problem("unexpected ticket " + key.first + " " + key.second);
      }
    }
    if (store.ticket_rows != store.tickets.size()) problem("doubled tickets");
    for (const auto& [id, what] : events) {
      if (parked.count(id)) continue;
      const auto it = store.events.find(id);
      if (it == store.events.end()) {
        problem("missing " + what.second + " on " + what.first.first + " " + what.first.second);
      } else if (it->second.first != what.first) {
        problem(what.second + " on the wrong ticket " + it->second.first.second);
      }
    }
    for (const auto& id : parked) {
      if (!store.parked.count(id)) problem("a withdrawal of a letter never seen is not parked");
    }
    std::map<std::pair<Key, std::string>, int> actual;
    for (const auto& [k, c] : store.counts) {
      if (channels.count(k.first.first)) actual[k] = c;
    }
    for (const auto& [k, c] : counts) {
      if (!tickets.count(k.first)) continue;
      const auto it = actual.find(k);
      const int got = it == actual.end() ? 0 : it->second;
      if (got != c) {
        problem(k.second + " on " + k.first.first + " " + k.first.second + ": " +
                std::to_string(got) + " events, expected " + std::to_string(c));
      }
    }
    for (const auto& [k, c] : actual) {
      if (!counts.count(k)) {
        problem(k.second + " on " + k.first.first + " " + k.first.second + ": " +
                std::to_string(c) + " events, expected none");
      }
    }
    for (const auto& [key, allowed] : status) {
      const auto it = store.tickets.find(key);
      if (it != store.tickets.end() && !allowed.count(it->second.second)) {
        problem(key.first + " " + key.second + " is " + it->second.second + ", expected " +
                *allowed.begin());
      }
    }
    if (n > out.size()) out.push_back("… " + std::to_string(n - out.size()) + " more");
    return out;
  }
};

// Mailbox: letters (withdrawn before the hub saw them too: a ticket closed as withdrawn), spam,
// ratings and rating changes.
// A letter the hub took as pending and the website marks spam later leaves the queues as spam
// (`appeal.marked_spam` on its timeline); counted in `spam_after_intake`.
void expect_mailbox(const json& l, const Store& store, Expected& e, int& withdrawn_unseen,
                    int& spam_after_intake) {
  withdrawn_unseen = 0;
  spam_after_intake = 0;
  std::map<std::string, std::string> status;
  for (const auto& letter : l["issued"]["letters"]) {
    const std::string id = letter["id"];
    const Key key{"mailbox", id};
    status[id] = letter["status"];
    ++e.issued["mailbox letters"];
    // A letter withdrawn before the hub saw it is counted all the same: a withdrawn ticket.
    if (letter["status"] == "withdrawn" && !store.seen_pending.count(id)) ++withdrawn_unseen;
    e.ticket(key);
    // A spam reading of a letter the hub already had moves it to spam, recorded once. Whether
    // it came is the adapter's timing (the website may re-index the letter again, e.g. after a
    // reply), so the marking is expected where the store has it and checked for its ticket.
    const auto marking = core::make_event_id("appeal.received", "mailbox", id, "spam");
    if (const auto it = store.events.find(marking);
        it != store.events.end() && it->second.second == "appeal.marked_spam" &&
        e.events.emplace(marking, std::make_pair(key, std::string("appeal.marked_spam"))).second) {
      ++e.counts[{key, "appeal.marked_spam"}];
    }
    if (letter["status"] == "withdrawn") {
      e.event(key, "appeal.withdrawn", "");
      e.status[key] = {"withdrawn", "merged"};
    } else if (letter["status"] == "spam" && store.seen_as_spam.count(id)) {
      e.status[key] = {"spam"};
    } else if (letter["status"] == "spam") {
      // Taken as pending, re-indexed as spam later: its own event moves the open ticket to spam
      // (a ticket already merged into another stays merged).
      ++spam_after_intake;
      const auto it = store.tickets.find(key);
      if (it != store.tickets.end() && it->second.second == "merged") {
        e.status[key] = {"merged"};
      } else {
        e.status[key] = {"spam"};
      }
    }
  }
  for (const auto& r : l["issued"]["ratings"]) {
    e.event({"mailbox", r["letter_id"]}, "appeal.rated", r["rated_at"]);
  }
  for (const auto& ev : l["issued"]["events"])
    ++e.issued["mailbox " + ev["kind"].get<std::string>()];
}

// Petition: messages, follow-ups, ratings, withdrawals, reassignments.
void expect_petition(const json& l, Expected& e) {
  for (const auto& m : l["issued"]["messages"]) {
    const Key key{"petition", m["msg_id"]};
    ++e.issued["petition messages"];
    e.ticket(key);
    if (m["rating"].is_object()) e.event(key, "appeal.rated", m["rating"]["rated_at"]);
    if (m["state"] == "withdrawn") {
      e.event(key, "appeal.withdrawn", "");
      e.status[key] = {"withdrawn", "merged"};
    } else if (m["state"] == "reassigned") {
      e.event(key, "appeal.reassigned", "");
      e.status[key] = {"reassigned_out", "merged"};
    }
  }
  for (const auto& ev : l["issued"]["events"]) {
    const std::string kind = ev["kind"];
    ++e.issued["petition " + kind];
    if (kind == "follow_up") {
      e.event({"petition", ev["msg_id"]}, "appeal.followed_up", ev["follow_up_id"]);
    }
  }
}

struct HotlineReport {
  int good_files = 0, damaged_files = 0, bad_rows = 0, duplicate_rows = 0, new_orders = 0;
  int owed_orders = 0;  // 新派单 only in damaged files (the platform still owes them)
  std::vector<std::string> problems;
};

// 12328: rows of good files only (a damaged file is taken whole or not at all); bad rows and
// damaged files must be reported in processed/ and rejected/.
HotlineReport expect_hotline(const json& l, const fs::path& export_dir, Expected& e,
                             bool check_files) {
  HotlineReport r;
  std::map<std::string, std::string> fault;  // file -> fault
  for (const auto& f : l["files"]) fault[f["name"]] = f["fault"];
  std::set<std::string> orders_in_good, orders_in_damaged;
  std::map<std::string, std::vector<std::size_t>> bad_lines;  // good file -> lines
  for (const auto& row : l["rows"]) {
    const std::string file = row["file"], type = row["type"], order = row["order_id"];
    if (row["damaged_file"].get<bool>()) {
      if (type == "新派单" && row["bad"].get<std::string>().empty())
        orders_in_damaged.insert(order);
      continue;
    }
    if (!row["bad"].get<std::string>().empty()) {
      ++r.bad_rows;
      bad_lines[file].push_back(row["line"].get<std::size_t>());
      continue;
    }
    const Key key{"hotline12328", order};
    const std::string fact = file + ":" + std::to_string(row["row"].get<std::size_t>());
    if (type == "新派单") {
      orders_in_good.insert(order);
      if (row["duplicate"].get<bool>()) ++r.duplicate_rows;
      e.ticket(key);
    } else if (type == "补充") {
      e.event(key, "appeal.supplemented", fact);
    } else if (type == "催办") {
      e.event(key, "appeal.urged", fact);
    } else if (type == "撤销") {
      e.event(key, "appeal.withdrawn", fact);
      e.status[key] = {"withdrawn", "merged"};
    }
  }
  r.new_orders = static_cast<int>(orders_in_good.size());
  for (const auto& o : orders_in_damaged) r.owed_orders += orders_in_good.count(o) ? 0 : 1;
  e.issued["hotline12328 rows"] = static_cast<int>(l["rows"].size());
  e.issued["hotline12328 新派单 orders"] = r.new_orders;
  for (const auto& [file, f] : fault) (f.empty() ? r.good_files : r.damaged_files)++;
  if (!check_files) return r;

  // The files: every damaged one rejected with a report, every good one processed, bad rows
  // named by line in the processed file's report.
  std::map<std::string, fs::path> processed;
  if (fs::exists(export_dir / "processed")) {
    for (const auto& p : fs::recursive_directory_iterator(export_dir / "processed")) {
      processed[p.path().filename().string()] = p.path();
    }
  }
  for (const auto& [file, f] : fault) {
    if (!f.empty()) {
      if (!fs::exists(export_dir / "rejected" / file) ||
          !fs::exists(export_dir / "rejected" / (file + ".error.txt"))) {
        r.problems.push_back("damaged file " + file + " (" + f +
                             ") not in rejected/ with a report");
      }
    } else if (!processed.count(file)) {
      r.problems.push_back("good file " + file + " not in processed/");
    }
  }
  for (const auto& [file, lines] : bad_lines) {
    const auto it = processed.find(file + ".error.txt");
    const std::string report = it == processed.end() ? "" : read_text(it->second);
    for (const auto line : lines) {
      if (report.find("line " + std::to_string(line) + ":") == std::string::npos) {
        r.problems.push_back("bad row at line " + std::to_string(line) + " of " + file +
                             " not in its error report");
      }
    }
  }
  // Nothing refused that was good: reports name only the bad rows.
  std::size_t reported = 0;
  for (const auto& [name, path] : processed) {
    if (!name.ends_with(".error.txt")) continue;
    const std::string text = read_text(path);
    for (auto at = text.find("\nline "); at != std::string::npos;
         at = text.find("\nline ", at + 1)) {
      ++reported;
    }
  }
  if (reported != static_cast<std::size_t>(r.bad_rows)) {
    r.problems.push_back(std::to_string(reported) + " rows refused in reports, " +
                         std::to_string(r.bad_rows) + " bad rows issued");
  }
  return r;
}

TEST(ChannelIntakeChaos, EveryAppealAndEventOnceAcrossThreeFaultyChannelsAndTwoKills) {
  const auto started = Clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
  };
  testing::TestDatabase db("channel_intake_chaos");
  testing::TestVhost vhost("channel_intake_chaos");
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_channel_chaos_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path hotline_dir = root / "12328";
  const fs::path export_dir = hotline_dir / "export";
  const unsigned short gateway_port = free_port();

  // 1. The simulators, every fault on.
  const std::vector<std::string> faults{"--fault-5xx",
                                        "0.05",
                                        "--fault-slow",
                                        "0.03",
                                        "--fault-slow-ms",
                                        "2500",
                                        "--fault-drop",
                                        "0.03",
                                        "--fault-drop-after-store",
                                        "0.05",
                                        "--fault-429-burst",
                                        "0.01",
                                        "--fault-429-burst-ms",
                                        "800",
                                        "--life-seconds",
                                        std::to_string(kLifeSeconds),
                                        "--rate",
                                        "0"};
  std::vector<std::string> mailbox_args{"mailbox", "--port",
                                        "0",       "--seed",
                                        "31",      "--withdraw-fraction",
                                        "0.05",    "--spam-fraction",
                                        "0.03",    "--reindex-fraction",
                                        "0.05",    "--rating-fraction",
                                        "0.7",     "--rating-change-fraction",
                                        "0.2"};
  mailbox_args.insert(mailbox_args.end(), faults.begin(), faults.end());
  std::vector<std::string> petition_args{
      "petition",
      "--port",
      "0",
      "--app-id",
      kAppId,
      "--seed",
      "32",
      "--webhook-url",
      "http://127.0.0.1:" + std::to_string(gateway_port) + "/webhooks/petition",
      "--webhook-retry-ms",
      "300",
      "--webhook-duplicate-fraction",
      "0.1",
      "--webhook-reorder-fraction",
      "0.1",
      "--follow-up-fraction",
      "0.3",
      "--rating-fraction",
      "0.6",
      "--withdraw-fraction",
      "0.05",
      "--reassign-fraction",
      "0.05"};
  petition_args.insert(petition_args.end(), faults.begin(), faults.end());
  auto mailbox = testing::start_simulator(mailbox_args, {{"APPEALHUB_SIM_MAILBOX_TOKEN", kToken}},
                                          (root / "mailbox-sim.log").string());
  auto petition =
      testing::start_simulator(petition_args, {{"APPEALHUB_SIM_PETITION_SECRET", kSecret}},
                               (root / "petition-sim.log").string());
  ASSERT_NE(mailbox.port, 0) << "see " << root / "mailbox-sim.log";
  ASSERT_NE(petition.port, 0) << "see " << root / "petition-sim.log";
  ChildProcess hotline({testing::sim_binary(),
                        "hotline",
                        "--dir",
                        hotline_dir.string(),
                        "--rate",
                        "50",
                        "--count",
                        std::to_string(kHotlineRows),
                        "--rows-per-file",
                        "50",
                        "--file-interval-ms",
                        "500",
                        "--encoding",
                        "GB18030",
                        "--shuffle-columns",
                        "--extra-column",
                        "--old-dates",
                        "0.2",
                        "--followups",
                        "0.3",
                        "--seed",
                        "33",
                        "--damaged-sha",
                        "0.04",
                        "--damaged-rows",
                        "0.04",
                        "--slow",
                        "0.1",
                        "--slow-ms",
                        "1500",
                        "--bad-rows",
                        "0.02",
                        "--out-of-order",
                        "0.1",
                        "--duplicates",
                        "0.03"},
                       {}, (root / "hotline-sim.log").string());

  // 2. The hub, configured for the three channels and the petition webhook.
  const fs::path config = root / "appealhub.json";
  std::ofstream(config) << json{
      {"hotline12328", {{"export_dir", export_dir.string()}, {"poll_interval_ms", 300}}},
      {"mailbox",
       {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)},
        {"poll_interval_ms", 500},
        {"page_size", 100},
        {"connect_timeout_ms", 1000},
        {"request_timeout_ms", 1500},
        {"backoff_max_ms", 2000}}},
      {"petition",
       {{"base_url", "http://127.0.0.1:" + std::to_string(petition.port)},
        {"app_id", kAppId},
        {"poll_interval_ms", 700},
        {"page_size", 50},
        {"overlap_seconds", 10},
        {"connect_timeout_ms", 1000},
        {"request_timeout_ms", 1500},
        {"backoff_max_ms",
         2000}}}}.dump(2);
  const std::string hub_log = (root / "hub.log").string();
  ChildProcess hub({testing::appealhub_binary(), "run", "--config", config.string()},
                   {{"APPEALHUB_PG_URI", db.uri()},
                    {"APPEALHUB_AMQP_URI", vhost.uri()},
                    {"APPEALHUB_LOG_LEVEL", "info"},
                    {"APPEALHUB_GATEWAY_PORT", std::to_string(gateway_port)},
                    {"APPEALHUB_MAILBOX_TOKEN", kToken},
                    {"APPEALHUB_PETITION_SECRET", kSecret}},
                   hub_log);
  hub.start();
  hotline.start();

  // 3. Appeals in chunks while the hub is killed twice; answers posted straight to the
  // simulators (as if delivered) for tickets the hub has, so that ratings follow.
  std::atomic<bool> answering{true};
  std::atomic<int> mailbox_answers{0}, petition_answers{0};
  std::map<int, int> mailbox_statuses, petition_statuses;  // what the answers got, for the report
  std::thread answers([&] {
    std::set<std::string> done;
    while (answering && (mailbox_answers < kReplies || petition_answers < kReplies)) {
      std::this_thread::sleep_for(500ms);
      std::set<std::string> is_public;
      const json letters = ledger(mailbox.port)["issued"]["letters"];  // not a dangling temporary
      for (const auto& l : letters) {
        if (l["public"].get<bool>() && l["status"] == "pending") is_public.insert(l["id"]);
      }
      for (const auto& row :
           db.column("SELECT channel || ' ' || external_id FROM tickets WHERE channel IN"
                     " ('mailbox', 'petition') ORDER BY random() LIMIT 40")) {
        if (!answering) break;
        if (!done.insert(row).second) continue;
        const auto space = row.find(' ');
        const std::string channel = row.substr(0, space), id = row.substr(space + 1);
        if (channel == "mailbox" && mailbox_answers < kReplies && is_public.count(id)) {
          const auto body = json{
              {"content", "您反映的问题已处理，感谢监督。"},
              {"department", "广元市交通运输局"},
              {"replied_at", "2026-11-28T15:02:11+08:00"},
              {"publish", true}}.dump();
          if (post_answer(
                  mailbox.port, "/api/v1/letters/" + id + "/reply", body,
                  [&] {
                    return http::Headers{{"Authorization", "Bearer " + kToken},
                                         {"Idempotency-Key", "chaos-" + id}};
                  },
                  mailbox_statuses)) {
            ++mailbox_answers;
          }
          std::this_thread::sleep_for(150ms);  // leave the hub most of the 10/s
        } else if (channel == "petition" && petition_answers < kReplies) {
          const std::string target = "/open/v2/messages/" + id + "/replies";
          const auto body = json{{"request_id", "chaos-" + id},
                                 {"content", "您的留言已办理，感谢监督。"},
                                 {"handler_unit", "广元市交通运输局"},
                                 {"handled_at", "2026-11-28T10:00:00+08:00"}}
                                .dump();
          if (post_answer(
                  petition.port, target, body,
                  [&] {
                    return adapters::petition::signature_headers(
                        kAppId, kSecret, "POST", target, body, std::chrono::system_clock::now());
                  },
                  petition_statuses)) {
            ++petition_answers;
          }
          std::this_thread::sleep_for(80ms);
        }
      }
    }
  });

  int kills = 0;
  for (int chunk = 0; chunk < kChunks; ++chunk) {
    const json request{{"count", kPerChannel / kChunks}};
    for (auto port : {mailbox.port, petition.port}) {
      const auto r = call(port, "POST", "/_sim/generate", request.dump());
      ASSERT_EQ(r.status, 200) << r.body;
    }
    std::this_thread::sleep_for(4s);
    if (chunk == 1 || chunk == 3) {  // in the middle of intake on every channel
      hub.kill(SIGKILL);
      ++kills;
      std::cout << "[ channels ] t=" << elapsed() << "s hub SIGKILLed (" << kills << "), "
                << db.scalar("SELECT count(*) FROM tickets") << " tickets so far" << std::endl;
      std::this_thread::sleep_for(1s);
      hub.start();
    }
    std::this_thread::sleep_for(4s);
  }
  const auto generated_at = Clock::now();

  // 4. The 12328 platform finishes its rows, then stops (writing a file it held back).
  ASSERT_TRUE(testing::eventually(
      150s,
      [&] {
        const auto l = read_json_file(hotline_dir / "sim-ledger.json");
        return l.is_object() && l.value("rows_issued", 0) >= kHotlineRows;
      },
      500ms))
      << "the 12328 simulator did not issue its rows; see " << root / "hotline-sim.log";
  EXPECT_EQ(hotline.terminate(), 0);
  answering = false;
  answers.join();
  std::cout << "[ channels ] t=" << elapsed() << "s issuing done; answers posted: mailbox "
            << mailbox_answers << ", petition " << petition_answers << " (answers:";
  for (const auto& [status, n] : mailbox_statuses) std::cout << " mailbox " << status << " " << n;
  for (const auto& [status, n] : petition_statuses) std::cout << " petition " << status << " " << n;
  std::cout << ")" << std::endl;

  // 5. Life events settle (ratings and rating changes up to 2 lives after an answer), then the
  // store must agree with the ledgers.
  const auto quiet_after = std::max(generated_at + std::chrono::seconds(kLifeSeconds + 2),
                                    Clock::now() + std::chrono::seconds(2 * kLifeSeconds + 2));
  std::this_thread::sleep_for(quiet_after - Clock::now());
  const json hotline_ledger = read_json_file(hotline_dir / "sim-ledger.json");
  ASSERT_TRUE(hotline_ledger.is_object());
  json mailbox_ledger, petition_ledger;
  Expected expected;
  Store store;
  int withdrawn_unseen = 0, spam_after_intake = 0;
  std::vector<std::string> problems;
  auto last_print = Clock::now();
  const bool agreed = testing::eventually(
      150s,
      [&] {
        mailbox_ledger = ledger(mailbox.port);
        petition_ledger = ledger(petition.port);
        store = Store::load(db);
        expected = Expected{};
        expect_mailbox(mailbox_ledger, store, expected, withdrawn_unseen, spam_after_intake);
        expect_petition(petition_ledger, expected);
        expect_hotline(hotline_ledger, export_dir, expected, false);
        problems = expected.compare(store);
        const bool files_left = [&] {
          for (const auto& p : fs::directory_iterator(export_dir)) {
            if (p.path().extension() == ".csv") return true;
          }
          return false;
        }();
        if (!files_left && problems.empty()) return true;
        if (Clock::now() - last_print > 15s) {
          last_print = Clock::now();
          std::cout << "[ channels ] t=" << elapsed() << "s waiting: " << problems.size()
                    << " problems" << (problems.empty() ? "" : ", e.g. " + problems.front())
                    << (files_left ? "; export files left" : "") << std::endl;
        }
        return false;
      },
      2s);
  for (const auto& p : problems) ADD_FAILURE() << p;
  EXPECT_TRUE(agreed) << "the store never agreed with the ledgers; see " << hub_log;
  EXPECT_EQ(hub.terminate(), 0) << "appealhub did not stop cleanly on SIGTERM; see " << hub_log;

  // 6. The files and the counts.
  Expected files_check;
  const HotlineReport hot = expect_hotline(hotline_ledger, export_dir, files_check, true);
  for (const auto& p : hot.problems) ADD_FAILURE() << p;
  const auto webhooks = petition_ledger["issued"]["webhooks"];
  std::size_t hook_attempts = 0, hook_delivered = 0, hook_duplicates = 0, hook_gave_up = 0,
              hook_401 = 0, hook_pending = 0;
  for (const auto& w : webhooks) {
    hook_attempts += w["attempts"].get<std::size_t>();
    hook_delivered += w["delivered"].get<std::size_t>() > 0;
    hook_duplicates += w["duplicates_sent"].get<std::size_t>();
    hook_gave_up += w["gave_up"].get<bool>();
    hook_pending += w["delivered"].get<std::size_t>() == 0;
    for (const auto& s : w["statuses"]) hook_401 += s == 401;
  }
  EXPECT_EQ(hook_401, 0u) << "a genuine webhook was refused as forged, stale or replayed";
  EXPECT_GE(expected.issued["mailbox letters"], kPerChannel);
  EXPECT_GE(expected.issued["petition messages"], kPerChannel);
  EXPECT_GE(hot.new_orders, kPerChannel);
  EXPECT_EQ(hot.owed_orders, 0) << "rows of damaged files the 12328 simulator never exported again";
  EXPECT_EQ(kills, 2);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM rejected_messages"), "0");

  const auto count = [&](const std::string& sql) { return db.scalar(sql); };
  std::cout << "[ channels ] " << elapsed() << " s; faults: 5xx 5%, slow 3% (2.5 s > 1.5 s"
            << " timeout), drops 3%, drops after store 5%, 429 bursts 1%; 12328 damaged 8% of"
            << " files, slow 10%, out of order 10%, bad rows 2%, re-exported 新派单 3%;"
            << " hub SIGKILLed " << kills << " times\n";
  std::cout << "[ channels ] issued:";
  for (const auto& [what, n] : expected.issued) std::cout << " " << what << " " << n << ";";
  std::cout << "\n[ channels ] tickets " << store.ticket_rows << " (mailbox "
            << count("SELECT count(*) FROM tickets WHERE channel = 'mailbox'") << ", petition "
            << count("SELECT count(*) FROM tickets WHERE channel = 'petition'") << ", 12328 "
            << count("SELECT count(*) FROM tickets WHERE channel = 'hotline12328'")
            << "), expected " << expected.tickets.size() << "; mailbox letters withdrawn before"
            << " the hub saw them (withdrawn tickets): " << withdrawn_unseen << "\n";
  std::cout << "[ channels ] events on tickets:";
  for (const auto& [type, n] : store.by_type) std::cout << " " << type << " " << n << ";";
  std::cout << "\n[ channels ] expected facts:";
  for (const auto& [what, n] : expected.facts) std::cout << " " << what << " " << n << ";";
  std::cout << "\n[ channels ] statuses:";
  for (const auto& row : db.column("SELECT status || ' ' || count(*) FROM tickets GROUP BY"
                                   " status ORDER BY status")) {
    std::cout << " " << row << ";";
  }
  std::cout << "\n[ channels ] 12328: files good " << hot.good_files << ", damaged (rejected)"
            << " " << hot.damaged_files << "; bad rows refused by line " << hot.bad_rows
            << "; 新派单 orders " << hot.new_orders << ", owed by the platform (only in damaged"
            << " files) " << hot.owed_orders << "\n";
  std::cout << "[ channels ] duplicates suppressed: 12328 re-exported 新派单 " << hot.duplicate_rows
            << ", mailbox re-indexed letters " << expected.issued["mailbox reindexed"]
            << ", petition webhooks sent twice " << hook_duplicates << " (" << webhooks.size()
            << " events, " << hook_attempts << " attempts, delivered " << hook_delivered
            << ", still retrying " << hook_pending << ", gave up " << hook_gave_up << ", 401 "
            << hook_401 << "); adapters' events "
            << "already confirmed: mailbox "
            << count(
                   "SELECT counters->>'events_already_confirmed' FROM adapter_status WHERE"
                   " adapter = 'mailbox'")
            << ", petition "
            << count(
                   "SELECT counters->>'events_already_confirmed' FROM adapter_status WHERE"
                   " adapter = 'petition'")
            << "; parked events left " << store.parked.size() << "\n";
  std::cout << "[ channels ] spam letters: " << store.seen_as_spam.size() << " first read as spam, "
            << spam_after_intake
            << " marked spam after the hub took them as pending (all now status spam)" << std::endl;

  // 7. No personal data and no secret in any line the hub logged, faults and kills included.
  std::vector<std::string> needles{kToken, kSecret};
  const auto& amqp = vhost.uri();  // amqp://user:password@host…
  if (const auto at = amqp.find('@'), colon = amqp.find(':', amqp.find("://") + 3);
      at != std::string::npos && colon < at) {
    needles.push_back(amqp.substr(colon + 1, at - colon - 1));
  }
  for (const auto& row :
       db.column("SELECT DISTINCT v FROM tickets, LATERAL (VALUES (appeal->'citizen'->>'phone'), "
                 "(appeal->'citizen'->>'name'), (appeal->'citizen'->>'email')) AS c(v) "
                 "WHERE v IS NOT NULL AND v NOT IN ('', '匿名')")) {
    needles.push_back(row);
  }
  EXPECT_GT(needles.size(), 100u) << "the seeded citizens' data to look for";
  const auto leaks = testing::lines_containing(hub_log, needles);
  EXPECT_TRUE(leaks.empty()) << leaks.size() << " log lines hold personal data or a secret, e.g. "
                             << (leaks.empty() ? "" : leaks.front()) << " in " << hub_log;

  for (auto* sim : {&mailbox, &petition}) sim->process->terminate();
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace appealhub
