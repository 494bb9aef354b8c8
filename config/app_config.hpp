#pragma once
// The hub's configuration: a JSON file (every setting documented in docs/configuration.md) plus
// the environment for secrets. Passwords are never read from the file: each connection names the
// environment variable that holds its password.
//
// Environment overrides, applied after the file: APPEALHUB_PG_URI, APPEALHUB_AMQP_URI (whole
// connection strings, for tests and containers), APPEALHUB_LOG_LEVEL, APPEALHUB_GATEWAY_PORT.

#include <chrono>
#include <string>
#include <vector>

#include "adapters/delivery/delivery_options.hpp"
#include "adapters/hotline12328/hotline12328_options.hpp"
#include "adapters/mailbox/mailbox_options.hpp"
#include "adapters/petition/petition_options.hpp"
#include "bus/broker_options.hpp"
#include "core/deadline.hpp"
#include "core/json_reader.hpp"
#include "gateway/api_options.hpp"
#include "gateway/server_options.hpp"
#include "router/deadline_watch_options.hpp"
#include "router/duplicate_options.hpp"
#include "router/intake_options.hpp"
#include "storage/database_options.hpp"
#include "storage/outbox_options.hpp"

namespace appealhub::config {

// How long each kind of appeal is given (docs/domain.md defaults; see core/deadline.hpp).
struct DeadlineSettings {
  core::DeadlinePolicy policy;
};

// Repeated appeals: how far back to look and how sure to be (router/duplicates.hpp), and the text
// index run with the deadline watch (router/duplicate_scan.hpp).
struct DuplicateSettings {
  router::DuplicatePolicy policy;
  router::TextScanOptions scan;
};
// The HTTP(S) gateway (gateway/): its server and its API, each part's own options. TLS when both
// server.tls_cert_file and tls_key_file are set; server.port 0 leaves the gateway off (the shipped
// config/appealhub.json serves on 8080); an empty api.web_root serves the repository's web/dist.
// The "stats" section is read into the API's options too.
struct GatewaySettings {
  appealhub::gateway::ServerOptions server;
  appealhub::gateway::ApiOptions api;
};

struct AppConfig {
  storage::DatabaseConfig database;
  bus::BrokerOptions broker;
  // The parts' own options, read straight from their sections.
  router::IntakeOptions intake;
  storage::OutboxRelayOptions outbox;
  DeadlineSettings deadlines;
  DuplicateSettings duplicates;
  router::DeadlineWatchOptions watch;
  adapters::hotline12328::Hotline12328Options hotline12328;
  adapters::mailbox::MailboxOptions mailbox;
  adapters::petition::PetitionOptions petition;
  adapters::delivery::DeliveryOptions delivery;
  GatewaySettings gateway;
  std::string log_level = "info";
  std::string source;  // where it was loaded from, for messages
};

struct ConfigLoad {
  AppConfig config;
  // Each names the file, the place and the setting ("hub.json: intake.batch_size: must be between
  // 1 and 5000"); empty when the configuration is usable.
  std::vector<core::JsonError> errors;
};

// Reads and validates a configuration file; an empty path gives the defaults. Unknown settings
// are errors (a typo must not silently fall back to a default).
ConfigLoad load_config(const std::string& path);
ConfigLoad parse_config(const std::string& text, const std::string& source);

// Every setting the loader knows ("intake.batch_size") with its default, in the loader's order:
// the reference docs/configuration.md is tested against.
struct SettingDefault {
  std::string setting;
  std::string default_json;  // the default as JSON text: 30, "info", true, {"urgent": 1}
};
std::vector<SettingDefault> settings_reference();

// Applies the environment: URI overrides and passwords from the named variables.
void apply_environment(AppConfig& config);

}  // namespace appealhub::config
