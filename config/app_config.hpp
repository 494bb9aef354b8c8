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
// The 12328 hotline's file interface (adapters/hotline12328/); empty export_dir: not running.
struct Hotline12328Settings {
  std::string export_dir;
  int poll_interval_ms = 5000;
  // The result side (adapters/hotline12328/result_sender.hpp); empty import_dir: not running.
  std::string import_dir;                   // the platform's import/ folder: result files go there
  std::string receipt_dir;                  // its receipt/ folder
  std::string result_encoding = "GB18030";  // GB18030 or UTF-8, as configured for the unit
  std::string unit_code = "510800JT";       // the unit in result file names
  int result_flush_seconds = 60;            // waiting answers are written at least this often
  int receipt_timeout_minutes = 30;         // a result file without a receipt then is reported
};

// The leader mailbox's API (adapters/mailbox/); empty base_url: not running.
struct MailboxSettings {
  std::string base_url;                               // http(s)://host[:port][/prefix]
  std::string token_env = "APPEALHUB_MAILBOX_TOKEN";  // environment variable with the bearer token
  std::string ca_file;                                // https: CAs to trust; empty: the system's
  int poll_interval_ms = 5000;
  int page_size = 100;  // 1..100
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 30000;
  int backoff_max_ms = 300000;  // ceiling of the exponential backoff after failures
};

// The online-petition platform's API and webhooks (adapters/petition/); empty base_url: the
// poller is not running (the webhook works when app_id and the secret are set).
struct PetitionSettings {
  std::string base_url;
  std::string app_id;
  std::string secret_env = "APPEALHUB_PETITION_SECRET";  // environment variable with app_secret
  std::string ca_file;
  int poll_interval_ms = 10000;
  int page_size = 50;         // 1..50
  int overlap_seconds = 300;  // each poll re-reads this much before the stored position
  std::string initial_updated_since = "2000-01-01T00:00:00+08:00";  // with no stored position
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 30000;
  int backoff_max_ms = 300000;
};

// The delivery of answers (storage/reply_ledger.hpp, adapters/delivery/): which channels' reply
// queues are taken into the ledger, and how failed deliveries are retried.
struct DeliverySettings {
  std::string channels = "mailbox,petition,operator,hotline12328";  // comma-separated channel ids
  int max_attempts = 12;          // attempts before a reply fails for good
  int backoff_min_ms = 2000;      // the first retry's ceiling; doubles per attempt
  int backoff_max_ms = 600000;    // no retry waits longer (a Retry-After aside)
  int lease_seconds = 120;        // a reply 'sending' this long with no answer is taken again
  int batch_size = 20;            // replies a sender claims at once
  int poll_interval_ms = 500;     // how often a sender looks for due replies when idle
  int prefetch = 200;             // unacknowledged reply.requested per channel consumer
  int operator_max_attempts = 3;  // unanswered callbacks before an operator reply fails
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
  Hotline12328Settings hotline12328;
  MailboxSettings mailbox;
  PetitionSettings petition;
  DeliverySettings delivery;
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
