#include "app/parts.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <thread>

#include "adapters/common/adapter_health.hpp"
#include "adapters/hotline12328/export_intake.hpp"
#include "app/channel_parts.hpp"
#include "app/commands.hpp"
#include "app/delivery_parts.hpp"
#include "app/gateway_part.hpp"
#include "app/health.hpp"
#include "app/outbox_publisher.hpp"
#include "app/part_config.hpp"
#include "core/log.hpp"
#include "core/pause.hpp"
#include "router/deadline_watch.hpp"
#include "router/duplicate_scan.hpp"
#include "router/intake_consumer.hpp"
#include "storage/outbox.hpp"

namespace appealhub::app {
namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested = true;
}

// A loop that runs `object->run(stop_requested)`, keeping the object alive.
template <typename T>
void add_loop(RunningPart& part, std::string name, std::shared_ptr<T> object) {
  part.loops.emplace_back(std::move(name), [object] { object->run(stop_requested); });
}

template <typename T>
RunningPart one_loop(std::string name, std::shared_ptr<T> object) {
  RunningPart part;
  add_loop(part, std::move(name), std::move(object));
  return part;
}

bool always(const config::AppConfig&) {
  return true;
}

// Competing consumers on router.intake, each with its own connections and transactions.
RunningPart intake(const PartContext& x) {
  const auto& c = x.config;
  RunningPart part;
  std::vector<std::shared_ptr<router::IntakeConsumer>> consumers;
  for (int i = 0; i < c.intake.consumers; ++i) {
    consumers.push_back(std::make_shared<router::IntakeConsumer>(
        broker_config(c, "intake " + std::to_string(i + 1)), database_config(c), c.intake,
        x.setup));
    add_loop(part, "intake", consumers.back());
  }
  // Quiet when idle: nothing is logged while the deliveries stay as at the last report.
  part.report = [consumers, last_reported = UINT64_MAX]() mutable {
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
  };
  return part;
}

// The relay publishes through its own publisher; one object owns both, the publisher first.
struct Relay {
  Relay(const config::AppConfig& c, const storage::OutboxRelayOptions& o)
      : publisher(broker_config(c, "relay")), relay(database_config(c), publisher, o) {}
  void run(const std::atomic<bool>& stop) { relay.run(stop); }
  OutboxPublisher publisher;
  storage::OutboxRelay relay;
};

RunningPart relay(const PartContext& x) {
  const auto& c = x.config;
  return one_loop("relay", std::make_shared<Relay>(c, c.outbox));
}

// The deadline watch, and beside it the text search for duplicate appeals.
RunningPart watch(const PartContext& x) {
  const auto& c = x.config;
  auto deadlines = std::make_shared<router::DeadlineWatch>(
      database_config(c),
      [setup = x.setup] {
        const auto current = setup();
        return current ? current->calendar : nullptr;
      },
      c.watch);
  auto text_scan =
      std::make_shared<router::TextScan>(database_config(c), x.setup, c.duplicates.scan);
  auto part = one_loop("watch", std::move(deadlines));
  add_loop(part, "duplicate-scan", std::move(text_scan));
  return part;
}

RunningPart hotline12328(const PartContext& x) {
  const auto& c = x.config;
  auto intake = std::make_shared<adapters::hotline12328::ExportIntake>(
      c.hotline12328.intake, broker_config(c, "hotline12328"), database_config(c));
  core::log_info("hotline12328", "watching the export folder",
                 {{"export_dir", c.hotline12328.intake.export_dir.string()}});
  return one_loop("hotline12328", std::move(intake));
}

RunningPart mailbox(const PartContext& x) {
  std::shared_ptr poller =
      make_mailbox_poller(x.config, broker_config(x.config, "mailbox"), database_config(x.config));
  return one_loop("mailbox", std::move(poller));
}

RunningPart petition(const PartContext& x) {
  std::shared_ptr poller = make_petition_poller(x.config, broker_config(x.config, "petition"),
                                                database_config(x.config));
  return one_loop("petition", std::move(poller));
}

RunningPart deliver(const PartContext& x) {
  const auto& c = x.config;
  std::shared_ptr<DeliveryParts> delivery = make_delivery_parts(
      c, [&c](const std::string& name) { return broker_config(c, name); }, database_config(c));
  RunningPart part;
  // Each loop keeps the DeliveryParts that owns its object.
  const auto add = [&](auto* object) {
    part.loops.emplace_back("delivery", [delivery, object] { object->run(stop_requested); });
  };
  for (auto& intake : delivery->intakes) add(intake.get());
  for (auto& sender : delivery->senders) add(sender.get());
  if (delivery->result_files) add(delivery->result_files.get());
  add(delivery->outcomes.get());
  std::string sending;
  for (const auto& ch : delivery->sending) sending += (sending.empty() ? "" : ",") + ch;
  core::log_info("delivery", "delivering answers",
                 {{"channels", c.delivery.channels}, {"sending", sending}});
  return part;
}

RunningPart gateway(const PartContext& x) {
  const auto& c = x.config;
  auto part = std::make_shared<GatewayPart>(c, x.setup, broker_config(c, "gateway"));
  // The route keeps the webhook handler alive as long as the gateway that calls it.
  if (std::shared_ptr hook =
          make_petition_webhook(c, broker_config(c, "petition webhook"), database_config(c))) {
    part->api().mount_petition_webhook([hook](const http::Request& r) { return hook->handle(r); });
  }
  part->api().add_metrics_source([](core::MetricsText& out) { adapters::adapter_metrics(out); });
  part->start();
  core::log_info("gateway", "serving",
                 {{"address", c.gateway.server.address},
                  {"port", std::to_string(part->port())},
                  {"tls", c.gateway.server.tls_cert_file.empty() ? "off" : "on"}});
  RunningPart running;
  running.drain = [part] { part->drain(); };
  return running;
}

// Runs a part's loop on its own thread until a stop is requested; a loop that throws is
// restarted after a pause, so one failing connection does not end the process.
std::thread start_loop(const std::string& name, std::function<void()> body) {
  return std::thread([name, body = std::move(body)] {
    while (!stop_requested.load()) {
      try {
        body();
        return;
      } catch (const std::exception& e) {
        core::log_error(name, "part failed; restarting in 1 s", {{"error", e.what()}});
        core::pause_unless_stopped(stop_requested, std::chrono::seconds(1));
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

int run_parts(const config::AppConfig& c, const std::string& command) {
  std::vector<const Part*> chosen;
  for (const auto& part : parts()) {
    if ((command == "run" || command == part.name) && part.enabled(c)) chosen.push_back(&part);
  }
  core::log_info("app", "appealhub running",
                 {{"command", command},
                  {"broker", core::redact_uri(c.broker.uri)},
                  {"database", core::redact_uri(c.database.uri)},
                  {"consuming", command == "run" || command == "intake" ? "router.intake" : ""}});
  std::vector<std::thread> threads;
  auto settings = routing_settings(c);
  if (std::any_of(chosen.begin(), chosen.end(), [](auto* p) { return p->follows_settings; })) {
    if (const auto errors = settings.refresh(); !errors.empty()) {
      for (const auto& e : errors) core::log_error("settings", "cannot start", {{"error", e}});
      return 1;
    }
    const auto health = health_report(
        database_config(c), settings,
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (!health.ok) core::log_warn("health", "needs attention", {{"problems", health.problems}});
    threads.push_back(start_loop(
        "settings", [&settings] { settings.run(stop_requested, std::chrono::seconds(5)); }));
  }
  const PartContext context{c, [&settings] { return settings.current(); }};
  std::vector<RunningPart> running;
  try {
    for (const auto* part : chosen) running.push_back(part->start(context));
  } catch (...) {
    // A part that cannot be built ends the process, after the threads already started.
    stop_requested = true;
    for (auto& t : threads) t.join();
    throw;
  }
  for (const auto& part : running) {
    for (const auto& [name, body] : part.loops) threads.push_back(start_loop(name, body));
  }
  const auto report = [&running] {
    for (const auto& part : running) {
      if (part.report) part.report();
    }
  };
  wait_for_stop(report);
  core::log_info("app", "stopping: finishing work in flight");
  for (const auto& part : running) {
    if (part.drain) part.drain();
  }
  for (auto& t : threads) t.join();
  report();
  core::log_info("app", "stopped");
  return 0;
}

}  // namespace

const std::vector<Part>& parts() {
  static const std::vector<Part> table{
      {"intake", "run the router's intake consumer (router.intake -> placed tickets)", always, true,
       intake},
      {"relay", "run the outbox relay (outbox rows -> the bus)", always, false, relay},
      {"watch",
       "run the deadline watch (due soon, overdue, supervision steps) and the text search for "
       "duplicate appeals",
       always, true, watch},
      {"hotline12328", "run the 12328 export-folder intake (hotline12328.export_dir)",
       [](const config::AppConfig& c) { return !c.hotline12328.intake.export_dir.empty(); },
       false, hotline12328},
      {"mailbox", "poll the leader mailbox's letters and ratings (mailbox.base_url)",
       [](const config::AppConfig& c) { return !c.mailbox.base_url.empty(); }, false, mailbox},
      {"petition", "poll the online-petition platform's messages (petition.base_url)",
       [](const config::AppConfig& c) { return !c.petition.base_url.empty(); }, false, petition},
      {"deliver",
       "deliver answers: reply queues (delivery.channels) -> the delivery ledger -> the channels, "
       "with retries; router.delivery -> the tickets",
       always, false, deliver},
      // Last, so that it serves once everything else is built.
      {"gateway", "run the HTTP(S) gateway: the JSON API, /webhooks, /healthz, /readyz, /metrics",
       [](const config::AppConfig& c) { return c.gateway.server.port != 0; }, true, gateway},
  };
  return table;
}

void install_stop_signals() {
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGPIPE, SIG_IGN);
}

int run_command(const config::AppConfig& c, const std::string& command) {
  if (const auto problem = channel_command_problem(command, c); !problem.empty()) {
    std::cerr << "appealhub: " << problem << '\n';
    return 2;
  }
  if (command == "run") {
    migrate(c);
    declare_topology(c);
  }
  return run_parts(c, command);
}

}  // namespace appealhub::app
