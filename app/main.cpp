// appealhub: one executable, one subcommand per part; `run` starts every part in one process.

#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "app/outbox_publisher.hpp"
#include "bus/topology.hpp"
#include "config/app_config.hpp"
#include "core/log.hpp"
#include "router/intake_consumer.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/outbox.hpp"

namespace {

using namespace appealhub;

constexpr const char* kUsage = R"(usage: appealhub <command> [--config FILE]

commands:
  run        migrate, declare the bus topology, then run every part in this process
  migrate    apply pending database migrations and exit
  topology   declare the exchanges and queues on the broker and exit
  intake     run the router's intake consumer (router.intake -> tickets)
  relay      run the outbox relay (outbox rows -> the bus)
  check      validate the configuration and exit

--config FILE  JSON configuration (docs/configuration.md); defaults without it.
Secrets come from the environment: APPEALHUB_PG_PASSWORD, APPEALHUB_AMQP_PASSWORD (names configurable);
APPEALHUB_PG_URI and APPEALHUB_AMQP_URI override the connection strings.
)";

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) { stop_requested = true; }

bus::BrokerConfig broker_config(const config::AppConfig& c, const std::string& name) {
  bus::BrokerConfig b;
  b.uri = c.broker.uri;
  b.ca_file = c.broker.ca_file;
  b.cert_file = c.broker.cert_file;
  b.key_file = c.broker.key_file;
  b.verify_peer = c.broker.verify_peer;
  b.verify_hostname = c.broker.verify_hostname;
  b.heartbeat_seconds = c.broker.heartbeat_seconds;
  b.connection_name = "appealhub " + name;
  return b;
}

storage::DatabaseConfig database_config(const config::AppConfig& c) { return {c.database.uri}; }

router::IntakeOptions intake_options(const config::AppConfig& c) {
  router::IntakeOptions o;
  o.prefetch = static_cast<std::uint16_t>(c.intake.prefetch);
  o.batch_size = static_cast<std::size_t>(c.intake.batch_size);
  o.batch_wait = std::chrono::milliseconds(c.intake.batch_wait_ms);
  o.max_attempts = static_cast<std::size_t>(c.intake.max_attempts);
  o.max_body_bytes = static_cast<std::size_t>(c.intake.max_body_bytes);
  return o;
}

int migrate(const config::AppConfig& c) {
  auto connection = storage::connect(database_config(c));
  const auto report = storage::apply_migrations(*connection);
  core::log_info("migrate", "schema is current",
                 {{"version", std::to_string(report.current_version)},
                  {"applied_now", std::to_string(report.applied.size())}});
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

int run_parts(const config::AppConfig& c, bool intake, bool relay) {
  std::vector<std::thread> threads;
  std::unique_ptr<router::IntakeConsumer> consumer;
  std::unique_ptr<app::OutboxPublisher> publisher;
  std::unique_ptr<storage::OutboxRelay> outbox;
  if (intake) {
    consumer = std::make_unique<router::IntakeConsumer>(broker_config(c, "intake"),
                                                        database_config(c), intake_options(c));
    threads.push_back(start_part("intake", [&] { consumer->run(stop_requested); }));
  }
  if (relay) {
    publisher = std::make_unique<app::OutboxPublisher>(broker_config(c, "relay"));
    storage::OutboxRelayOptions o;
    o.batch_size = static_cast<std::size_t>(c.outbox.batch_size);
    o.poll_interval = std::chrono::milliseconds(c.outbox.poll_interval_ms);
    o.retry_delay = std::chrono::milliseconds(c.outbox.retry_delay_ms);
    outbox = std::make_unique<storage::OutboxRelay>(database_config(c), *publisher, o);
    threads.push_back(start_part("relay", [&] { outbox->run(stop_requested); }));
  }
  const auto report = [&] {
    if (consumer) {
      const auto s = consumer->stats();
      core::log_info("intake", "progress",
                     {{"deliveries", std::to_string(s.deliveries)},
                      {"created", std::to_string(s.created)},
                      {"applied", std::to_string(s.applied)},
                      {"parked", std::to_string(s.parked)},
                      {"duplicates", std::to_string(s.duplicates)},
                      {"rejected", std::to_string(s.rejected)},
                      {"collect_ms", std::to_string(s.collect_us / 1000)},
                      {"commit_ms", std::to_string(s.commit_us / 1000)},
                      {"batches", std::to_string(s.batches)}});
    }
  };
  wait_for_stop(report);
  core::log_info("app", "stopping: finishing work in flight");
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
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (command.empty()) {
      command = arg;
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
    if (command == "topology") {
      bus::declare_topology(broker_config(c, "topology"), bus::hub_topology());
      return 0;
    }
    if (command == "intake" || command == "relay" || command == "run") {
      if (command == "run") {
        migrate(c);
        bus::declare_topology(broker_config(c, "topology"), bus::hub_topology());
      }
      core::log_info("app", "appealhub running",
                     {{"command", command},
                      {"broker", core::redact_uri(c.broker.uri)},
                      {"database", core::redact_uri(c.database.uri)},
                      {"consuming", command == "relay" ? "" : "router.intake"}});
      return run_parts(c, command != "relay", command != "intake");
    }
  } catch (const std::exception& e) {
    core::log_error("app", "failed", {{"command", command}, {"error", e.what()}});
    return 1;
  }
  std::cerr << "appealhub: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
