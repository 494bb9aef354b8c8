// appealhub: one executable, one subcommand per part; `run` starts every part in one process.

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "adapters/common/adapter_health.hpp"
#include "adapters/hotline12328/export_intake.hpp"
#include "app/channel_parts.hpp"
#include "app/delivery_parts.hpp"
#include "app/gateway_part.hpp"
#include "app/health.hpp"
#include "app/outbox_publisher.hpp"
#include "app/routing_settings.hpp"
#include "bus/dead_letters.hpp"
#include "bus/topology.hpp"
#include "config/app_config.hpp"
#include "config/shipped_defaults.hpp"
#include "core/log.hpp"
#include "gateway/credentials.hpp"
#include "router/deadline_watch.hpp"
#include "router/duplicate_scan.hpp"
#include "router/intake_consumer.hpp"
#include "storage/accounts.hpp"
#include "storage/database.hpp"
#include "storage/knowledge.hpp"
#include "storage/migrations.hpp"
#include "storage/outbox.hpp"
#include "storage/settings_documents.hpp"

namespace {

using namespace appealhub;

constexpr const char* kUsage = R"(usage: appealhub <command> [--config FILE]

commands:
  run        migrate, declare the bus topology, then run every part in this process
  migrate    apply pending database migrations and exit
  topology   declare the exchanges and queues on the broker and exit
  intake     run the router's intake consumer (router.intake -> placed tickets)
  relay      run the outbox relay (outbox rows -> the bus)
  watch      run the deadline watch (due soon, overdue, supervision steps) and the text search for
             duplicate appeals
  hotline12328  run the 12328 export-folder intake (hotline12328.export_dir)
  mailbox    poll the leader mailbox's letters and ratings (mailbox.base_url)
  petition   poll the online-petition platform's messages (petition.base_url)
  deliver    deliver answers: reply queues (delivery.channels) -> the delivery ledger -> the
             channels, with retries; router.delivery -> the tickets
  gateway    run the HTTP(S) gateway: the JSON API, /webhooks, /healthz, /readyz, /metrics
  user add NAME --role ROLE [--role ROLE] [--department CODE] [--display-name TEXT]
             create a user (roles: operator, staff, manager, admin); the password is read from
             APPEALHUB_NEW_USER_PASSWORD, or from the first line of standard input
  user token NAME LABEL          print a new API bearer token for the user (shown once; lasts
                                 gateway.token_days)
  user revoke-token NAME LABEL   revoke the user's live tokens called LABEL
  settings show NAME             print the current settings document
  settings load NAME FILE        validate FILE and store it as the next version of NAME
                                 (NAME: departments, routing_rules, calendar_days); running
                                 routers pick it up within seconds, or keep the old on errors
  unmerge TICKET REASON          undo a duplicate merge: the ticket is placed on its own
  dead-letters list|replay [LIMIT]
             the dead-letter queue (appeals.dead): list what is in it (one JSON line each, no
             bodies), or put up to LIMIT (default 100) back where they were first published
  health     print the health report (JSON); exit 1 when something needs a person
  check      validate the configuration and exit

--config FILE  JSON configuration (docs/configuration.md); defaults without it.
Secrets come from the environment: APPEALHUB_PG_PASSWORD, APPEALHUB_AMQP_PASSWORD (names configurable);
APPEALHUB_PG_URI and APPEALHUB_AMQP_URI override the connection strings, APPEALHUB_AMQP_HOSTS
(host:port,…) the broker cluster's further nodes (broker.hosts).
)";

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested = true;
}

bus::BrokerConfig broker_config(const config::AppConfig& c, const std::string& name) {
  bus::BrokerConfig b;
  b.uri = c.broker.uri;
  b.hosts = c.broker.hosts;
  b.ca_file = c.broker.ca_file;
  b.cert_file = c.broker.cert_file;
  b.key_file = c.broker.key_file;
  b.verify_peer = c.broker.verify_peer;
  b.verify_hostname = c.broker.verify_hostname;
  b.heartbeat_seconds = c.broker.heartbeat_seconds;
  b.connection_name = "appealhub " + name;
  return b;
}

storage::DatabaseConfig database_config(const config::AppConfig& c) {
  return {c.database.uri};
}

router::IntakeOptions intake_options(const config::AppConfig& c) {
  router::IntakeOptions o;
  o.prefetch = static_cast<std::uint16_t>(c.intake.prefetch);
  o.batch_size = static_cast<std::size_t>(c.intake.batch_size);
  o.batch_wait = std::chrono::milliseconds(c.intake.batch_wait_ms);
  o.max_attempts = static_cast<std::size_t>(c.intake.max_attempts);
  o.max_body_bytes = static_cast<std::size_t>(c.intake.max_body_bytes);
  return o;
}

app::RoutingSettings routing_settings(const config::AppConfig& c) {
  router::DuplicatePolicy duplicates;
  duplicates.window = std::chrono::hours(24 * c.duplicates.window_days);
  duplicates.merge_threshold = c.duplicates.merge_threshold;
  duplicates.suggest_threshold = c.duplicates.suggest_threshold;
  duplicates.text_threshold = c.duplicates.text_threshold;
  duplicates.strong_plate_gap = std::chrono::hours(c.duplicates.strong_plate_hours);
  return app::RoutingSettings(database_config(c), c.deadlines.policy, duplicates);
}

int migrate(const config::AppConfig& c) {
  auto connection = storage::connect(database_config(c));
  const auto report = storage::apply_migrations(*connection);
  core::log_info("migrate", "schema is current",
                 {{"version", std::to_string(report.current_version)},
                  {"applied_now", std::to_string(report.applied.size())}});
  app::RoutingSettings(database_config(c)).seed_defaults();
  {
    pqxx::work txn(*connection);
    const int added = storage::seed_knowledge(txn, config::shipped_default("knowledge-base.json"));
    txn.commit();
    if (added)
      core::log_info("migrate", "shipped knowledge entries stored",
                     {{"added", std::to_string(added)}});
  }
  return 0;
}

int settings_command(const config::AppConfig& c, const std::vector<std::string>& args) {
  if (args.size() < 2 || (args[0] == "load" && args.size() != 3) ||
      (args[0] != "load" && args[0] != "show")) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& name = args[1];
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  if (args[0] == "show") {
    const auto doc = storage::current_document(txn, name);
    if (!doc) {
      std::cerr << "appealhub: no settings document '" << name << "'\n";
      return 1;
    }
    std::cout << doc->body << '\n';
    return 0;
  }
  std::ifstream in(args[2], std::ios::binary);
  if (!in) {
    std::cerr << "appealhub: " << args[2] << ": cannot be read\n";
    return 1;
  }
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto departments = storage::current_document(txn, app::kDepartmentsDocument);
  const auto errors = app::check_document(
      name, body, name == app::kDepartmentsDocument || !departments ? body : departments->body);
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << "appealhub: " << args[2] << ": " << e << '\n';
    std::cerr << "appealhub: nothing stored; the current version stays in force\n";
    return 1;
  }
  const char* user = std::getenv("USER");  // NOLINT(concurrency-mt-unsafe): single-threaded here
  const int version =
      storage::save_document(txn, name, body, std::string("cli:") + (user ? user : "?"));
  txn.commit();
  std::cout << name << " version " << version << " stored\n";
  return 0;
}

// Runs a part on its own thread until a stop is requested; a part that throws is restarted after
// a pause, so one failing connection does not end the process.
std::thread start_part(const std::string& name, std::function<void()> body) {
  return std::thread([name, body = std::move(body)] {
    while (!stop_requested.load()) {
      try {
        body();
        return;
      } catch (const std::exception& e) {
        core::log_error(name, "part failed; restarting in 1 s", {{"error", e.what()}});
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    }
  });
}

void wait_for_stop(const std::function<void()>& every_10s) {
  auto last = std::chrono::steady_clock::now();
  while (!stop_requested.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() - last >= std::chrono::seconds(10)) {
      every_10s();
      last = std::chrono::steady_clock::now();
    }
  }
}

int unmerge_command(const config::AppConfig& c, const std::vector<std::string>& args) {
  if (args.size() != 2) {
    std::cerr << kUsage;
    return 2;
  }
  auto settings = routing_settings(c);
  if (const auto errors = settings.refresh(); !errors.empty()) {
    for (const auto& e : errors) std::cerr << "appealhub: " << e << '\n';
    return 1;
  }
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  const char* user = std::getenv("USER");  // NOLINT(concurrency-mt-unsafe): single-threaded here
  try {
    const auto primary = router::undo_merge(txn, *settings.current(), std::stoll(args[0]),
                                            std::string("cli:") + (user ? user : "?"), args[1]);
    txn.commit();
    std::cout << "ticket " << args[0] << " is no longer merged into " << primary
              << "; it was placed on its own\n";
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "appealhub: " << e.what() << '\n';
    return 1;
  }
}

int dead_letters_command(const config::AppConfig& c, const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 2 || (args[0] != "list" && args[0] != "replay")) {
    std::cerr << kUsage;
    return 2;
  }
  std::size_t limit = 100;
  if (args.size() == 2) {
    const auto& text = args[1];
    if (text.empty() || text.size() > 6 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
      std::cerr << "appealhub: LIMIT must be a whole number up to 999999\n";
      return 2;
    }
    limit = std::stoul(text);
  }
  const bool replay = args[0] == "replay";
  const auto letters =
      bus::read_dead_letters(broker_config(c, "dead-letters"), bus::hub_topology(), limit, replay);
  std::size_t replayed = 0;
  for (const auto& l : letters) {
    replayed += l.replayed;
    nlohmann::json line{{"message_id", l.message_id}, {"type", l.type},
                        {"exchange", l.exchange},     {"routing_key", l.routing_key},
                        {"queue", l.queue},           {"error", l.error}};
    if (replay) line["replayed"] = l.replayed;
    std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  if (replay) {
    std::cerr << "appealhub: replayed " << replayed << " of " << letters.size()
              << " dead-lettered messages\n";
  } else {
    std::cerr << "appealhub: " << letters.size() << " dead-lettered messages listed (at most "
              << limit << ")\n";
  }
  return replayed == letters.size() || !replay ? 0 : 1;
}

int user_command(const config::AppConfig& c, const std::vector<std::string>& args) {
  const bool token_command = args.size() == 3 && (args[0] == "token" || args[0] == "revoke-token");
  if (args.size() < 2 || (args[0] != "add" && !token_command)) {
    std::cerr << kUsage;
    return 2;
  }
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  if (token_command) {
    const auto credentials = storage::find_credentials(txn, args[1]);
    if (!credentials) {
      std::cerr << "appealhub: no active user '" << args[1] << "'\n";
      return 1;
    }
    if (args[0] == "revoke-token") {
      const int revoked = storage::revoke_api_tokens_named(txn, credentials->user.id, args[2]);
      txn.commit();
      std::cout << "revoked " << revoked << " token(s)\n";
      return revoked > 0 ? 0 : 1;
    }
    const auto token = gateway::random_token();
    storage::create_api_token(txn, gateway::token_hash(token), credentials->user.id, args[2],
                              std::chrono::hours(24 * c.gateway.token_days));
    txn.commit();
    std::cout << token << '\n';
    return 0;
  }
  storage::NewUser user;
  user.username = args[1];
  for (std::size_t i = 2; i < args.size(); ++i) {
    const auto& flag = args[i];
    if (i + 1 >= args.size()) {
      std::cerr << "appealhub: " << flag << " needs a value\n";
      return 2;
    }
    const auto& value = args[++i];
    if (flag == "--role") {
      user.roles.push_back(value);
    } else if (flag == "--department") {
      user.departments.push_back(value);
    } else if (flag == "--display-name") {
      user.display_name = value;
    } else {
      std::cerr << "appealhub: unknown option " << flag << '\n';
      return 2;
    }
  }
  for (const auto& role : user.roles) {
    if (role != "operator" && role != "staff" && role != "manager" && role != "admin") {
      std::cerr << "appealhub: --role: unknown role '" << role << "'\n";
      return 2;
    }
  }
  if (user.roles.empty()) {
    std::cerr << "appealhub: at least one --role\n";
    return 2;
  }
  std::string password;
  if (const char* v = std::getenv("APPEALHUB_NEW_USER_PASSWORD")) {  // NOLINT: read at start
    password = v;
  } else {
    std::getline(std::cin, password);
  }
  if (const auto problem = gateway::password_problem(password); !problem.empty()) {
    std::cerr << "appealhub: password " << problem << '\n';
    return 2;
  }
  user.password_hash = gateway::hash_password(password);
  try {
    const auto created = storage::create_user(txn, user);
    txn.commit();
    std::cout << "user " << created.username << " (id " << created.id << ") created\n";
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "appealhub: " << e.what() << '\n';
    return 1;
  }
}

struct Parts {
  bool intake = false, relay = false, watch = false, hotline12328 = false, gateway = false;
  bool mailbox = false, petition = false, deliver = false;
};

int run_parts(const config::AppConfig& c, Parts parts) {
  std::vector<std::thread> threads;
  auto settings = routing_settings(c);
  parts.gateway = parts.gateway && c.gateway.port != 0;
  if (parts.intake || parts.watch || parts.gateway) {
    if (const auto errors = settings.refresh(); !errors.empty()) {
      for (const auto& e : errors) core::log_error("settings", "cannot start", {{"error", e}});
      return 1;
    }
    const auto health = app::health_report(
        database_config(c), settings,
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (!health.ok) core::log_warn("health", "needs attention", {{"problems", health.problems}});
    threads.push_back(
        start_part("settings", [&] { settings.run(stop_requested, std::chrono::seconds(5)); }));
  }
  const router::SetupSource setup = [&settings] { return settings.current(); };
  std::vector<std::unique_ptr<router::IntakeConsumer>> consumers;
  std::unique_ptr<app::OutboxPublisher> publisher;
  std::unique_ptr<storage::OutboxRelay> outbox;
  std::unique_ptr<router::DeadlineWatch> watch;
  std::unique_ptr<router::TextScan> text_scan;  // duplicates by wording, beside the watch
  if (parts.watch) {
    router::DeadlineWatchOptions options;
    options.due_soon_working_days = c.watch.due_soon_working_days;
    options.public_note_working_days = c.watch.public_note_working_days;
    options.interval = std::chrono::milliseconds(c.watch.interval_ms);
    watch = std::make_unique<router::DeadlineWatch>(
        database_config(c),
        [&settings] {
          const auto current = settings.current();
          return current ? current->calendar : nullptr;
        },
        options);
    threads.push_back(start_part("watch", [&] { watch->run(stop_requested); }));
    router::TextScanOptions scan;
    scan.common_gram_share = c.duplicates.common_gram_share;
    scan.common_gram_floor = c.duplicates.common_gram_floor;
    scan.min_shared_grams = c.duplicates.min_shared_grams;
    scan.interval = std::chrono::milliseconds(c.duplicates.scan_interval_ms);
    text_scan = std::make_unique<router::TextScan>(database_config(c), setup, scan);
    threads.push_back(start_part("duplicate-scan", [&] { text_scan->run(stop_requested); }));
  }
  if (parts.intake) {
    // Competing consumers on router.intake, each with its own connections and transactions.
    for (int i = 0; i < c.intake.consumers; ++i) {
      auto* consumer = consumers
                           .emplace_back(std::make_unique<router::IntakeConsumer>(
                               broker_config(c, "intake " + std::to_string(i + 1)),
                               database_config(c), intake_options(c), setup))
                           .get();
      threads.push_back(start_part("intake", [consumer] { consumer->run(stop_requested); }));
    }
  }
  std::unique_ptr<adapters::hotline12328::ExportIntake> hotline;
  if (parts.hotline12328 && !c.hotline12328.export_dir.empty()) {
    hotline = std::make_unique<adapters::hotline12328::ExportIntake>(
        adapters::hotline12328::ExportIntakeOptions{
            c.hotline12328.export_dir, std::chrono::milliseconds(c.hotline12328.poll_interval_ms)},
        broker_config(c, "hotline12328"), database_config(c));
    threads.push_back(start_part("hotline12328", [&] { hotline->run(stop_requested); }));
    core::log_info("hotline12328", "watching the export folder",
                   {{"export_dir", c.hotline12328.export_dir}});
  }
  std::unique_ptr<adapters::mailbox::MailboxPoller> mailbox;
  if (parts.mailbox && !c.mailbox.base_url.empty()) {
    mailbox = app::make_mailbox_poller(c, broker_config(c, "mailbox"), database_config(c));
    threads.push_back(start_part("mailbox", [&] { mailbox->run(stop_requested); }));
  }
  std::unique_ptr<adapters::petition::PetitionPoller> petition;
  if (parts.petition && !c.petition.base_url.empty()) {
    petition = app::make_petition_poller(c, broker_config(c, "petition"), database_config(c));
    threads.push_back(start_part("petition", [&] { petition->run(stop_requested); }));
  }
  if (parts.relay) {
    publisher = std::make_unique<app::OutboxPublisher>(broker_config(c, "relay"));
    storage::OutboxRelayOptions o;
    o.batch_size = static_cast<std::size_t>(c.outbox.batch_size);
    o.poll_interval = std::chrono::milliseconds(c.outbox.poll_interval_ms);
    o.retry_delay = std::chrono::milliseconds(c.outbox.retry_delay_ms);
    o.retention = std::chrono::hours(24) * c.outbox.retention_days;
    outbox = std::make_unique<storage::OutboxRelay>(database_config(c), *publisher, o);
    threads.push_back(start_part("relay", [&] { outbox->run(stop_requested); }));
  }
  std::unique_ptr<app::DeliveryParts> delivery;
  if (parts.deliver) {
    delivery = app::make_delivery_parts(
        c, [&c](const std::string& name) { return broker_config(c, name); }, database_config(c));
    for (auto& intake : delivery->intakes) {
      threads.push_back(start_part("delivery", [&intake] { intake->run(stop_requested); }));
    }
    for (auto& sender : delivery->senders) {
      threads.push_back(start_part("delivery", [&sender] { sender->run(stop_requested); }));
    }
    if (delivery->result_files) {
      threads.push_back(
          start_part("delivery", [&delivery] { delivery->result_files->run(stop_requested); }));
    }
    threads.push_back(
        start_part("delivery", [&delivery] { delivery->outcomes->run(stop_requested); }));
    std::string sending;
    for (const auto& ch : delivery->sending) sending += (sending.empty() ? "" : ",") + ch;
    core::log_info("delivery", "delivering answers",
                   {{"channels", c.delivery.channels}, {"sending", sending}});
  }
  // Declared first so that it outlives the gateway that calls it.
  std::unique_ptr<adapters::petition::PetitionWebhook> petition_webhook;
  std::unique_ptr<app::GatewayPart> gateway;
  if (parts.gateway) {
    gateway = std::make_unique<app::GatewayPart>(c, setup, broker_config(c, "gateway"));
    if (auto hook = app::make_petition_webhook(c, broker_config(c, "petition webhook"),
                                               database_config(c))) {
      petition_webhook = std::move(hook);
      gateway->api().mount_petition_webhook(
          [hook = petition_webhook.get()](const http::Request& r) { return hook->handle(r); });
    }
    gateway->api().add_metrics_source(
        [](core::MetricsText& out) { adapters::adapter_metrics(out); });
    gateway->start();
    core::log_info("gateway", "serving",
                   {{"address", c.gateway.listen_address},
                    {"port", std::to_string(gateway->port())},
                    {"tls", c.gateway.tls_cert_file.empty() ? "off" : "on"}});
  }
  std::uint64_t last_reported = UINT64_MAX;  // deliveries at the last report: quiet when idle
  const auto report = [&] {
    if (!consumers.empty()) {
      router::IntakeStats s;
      for (const auto& consumer : consumers) s += consumer->stats();
      if (s.deliveries == last_reported) return;
      last_reported = s.deliveries;
      core::log_info("intake", "progress",
                     {{"deliveries", std::to_string(s.deliveries)},
                      {"created", std::to_string(s.created)},
                      {"applied", std::to_string(s.applied)},
                      {"parked", std::to_string(s.parked)},
                      {"duplicates", std::to_string(s.duplicates)},
                      {"rejected", std::to_string(s.rejected)},
                      {"assigned", std::to_string(s.assigned)},
                      {"triage", std::to_string(s.triage)},
                      {"merged", std::to_string(s.merged)},
                      {"suggested", std::to_string(s.suggested)},
                      {"collect_ms", std::to_string(s.collect_us / 1000)},
                      {"commit_ms", std::to_string(s.commit_us / 1000)},
                      {"batches", std::to_string(s.batches)}});
    }
  };
  wait_for_stop(report);
  core::log_info("app", "stopping: finishing work in flight");
  if (gateway) gateway->drain();
  for (auto& t : threads) t.join();
  report();
  core::log_info("app", "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  core::set_log_sink([](std::string_view line) {
    std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
    std::cerr.put('\n');
  });
  std::string command, config_path;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (command.empty()) {
      command = arg;
    } else if (command == "settings" || command == "unmerge" || command == "user" ||
               command == "dead-letters") {
      args.push_back(arg);
    } else {
      std::cerr << "appealhub: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (command.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  auto load = config::load_config(config_path);
  if (!load.errors.empty()) {
    for (const auto& e : load.errors) std::cerr << "appealhub: " << e.to_string() << '\n';
    return 2;
  }
  auto& c = load.config;
  config::apply_environment(c);
  if (auto level = core::parse_log_level(c.log_level)) core::set_log_level(*level);

  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    if (command == "check") {
      std::cout << "configuration ok\n";
      return 0;
    }
    if (command == "migrate") return migrate(c);
    if (command == "settings") return settings_command(c, args);
    if (command == "unmerge") return unmerge_command(c, args);
    if (command == "user") return user_command(c, args);
    if (command == "dead-letters") return dead_letters_command(c, args);
    if (command == "health") {
      auto settings = routing_settings(c);
      const auto report = app::health_report(
          database_config(c), settings,
          std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
      std::cout << report.json << '\n';
      return report.ok ? 0 : 1;
    }
    if (command == "topology") {
      bus::declare_topology(broker_config(c, "topology"), bus::hub_topology());
      return 0;
    }
    if (command == "intake" || command == "relay" || command == "watch" || command == "run" ||
        command == "hotline12328" || command == "gateway" || command == "mailbox" ||
        command == "petition" || command == "deliver") {
      if (const auto problem = app::channel_command_problem(command, c); !problem.empty()) {
        std::cerr << "appealhub: " << problem << '\n';
        return 2;
      }
      if (command == "run") {
        migrate(c);
        bus::declare_topology(broker_config(c, "topology"), bus::hub_topology());
      }
      core::log_info(
          "app", "appealhub running",
          {{"command", command},
           {"broker", core::redact_uri(c.broker.uri)},
           {"database", core::redact_uri(c.database.uri)},
           {"consuming", command == "run" || command == "intake" ? "router.intake" : ""}});
      Parts parts;
      parts.intake = command == "run" || command == "intake";
      parts.relay = command == "run" || command == "relay";
      parts.watch = command == "run" || command == "watch";
      parts.hotline12328 = command == "run" || command == "hotline12328";
      parts.gateway = command == "run" || command == "gateway";
      parts.mailbox = command == "run" || command == "mailbox";
      parts.petition = command == "run" || command == "petition";
      parts.deliver = command == "run" || command == "deliver";
      return run_parts(c, parts);
    }
  } catch (const std::exception& e) {
    core::log_error("app", "failed", {{"command", command}, {"error", e.what()}});
    return 1;
  }
  std::cerr << "appealhub: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
