// The configuration file: defaults, every error naming file, place and setting, secrets only
// from the environment.

#include "config/app_config.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace appealhub::config {
namespace {

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "hub.json").errors) out.push_back(e.to_string());
  return out;
}

TEST(AppConfig, NoFileGivesTheDocumentedDefaults) {
  const auto load = load_config("");
  ASSERT_TRUE(load.errors.empty());
  EXPECT_EQ(load.config.intake.batch_size, 500U);
  EXPECT_EQ(load.config.broker.heartbeat_seconds, 30);
  EXPECT_EQ(load.config.database.password_env, "APPEALHUB_PG_PASSWORD");
}

TEST(AppConfig, ShippedFileIsValid) {
  const auto load = load_config(std::string(APPEALHUB_SOURCE_DIR) + "/config/appealhub.json");
  for (const auto& e : load.errors) ADD_FAILURE() << e.to_string();
}

TEST(AppConfig, ReadsEverySection) {
  const auto load = parse_config(R"({"database": {"uri": "postgresql://hub@db/appealhub"},
    "broker": {"uri": "amqps://hub@mq/", "ca_file": "/etc/ca.pem", "verify_hostname": true},
    "intake": {"batch_size": 200, "prefetch": 400}, "outbox": {"poll_interval_ms": 250, "retention_days": 3},
    "gateway": {"port": 8443, "session_hours": 2, "token_days": 5}, "log": {"level": "debug"}})",
                                 "hub.json");
  ASSERT_TRUE(load.errors.empty());
  EXPECT_EQ(load.config.database.uri, "postgresql://hub@db/appealhub");
  EXPECT_EQ(load.config.broker.ca_file, "/etc/ca.pem");
  EXPECT_EQ(load.config.intake.batch_size, 200U);
  EXPECT_EQ(load.config.intake.prefetch, 400);
  EXPECT_EQ(load.config.outbox.poll_interval, std::chrono::milliseconds(250));
  // Counts of the unit the setting names, into the part's own durations.
  EXPECT_EQ(load.config.outbox.retention, std::chrono::hours(72));
  EXPECT_EQ(load.config.gateway.server.port, 8443);
  EXPECT_EQ(load.config.gateway.api.session_lifetime, std::chrono::hours(2));
  EXPECT_EQ(load.config.gateway.api.token_lifetime, std::chrono::days(5));
  EXPECT_EQ(load.config.log_level, "debug");
}

TEST(AppConfig, BrokerClusterHosts) {
  const auto load = parse_config(
      R"({"broker": {"uri": "amqp://hub@mq1/", "hosts": ["mq2:5673", "mq3"]}})", "hub.json");
  ASSERT_TRUE(load.errors.empty());
  EXPECT_EQ(load.config.broker.hosts, (std::vector<std::string>{"mq2:5673", "mq3"}));
  EXPECT_TRUE(load_config("").config.broker.hosts.empty());
  for (const auto* bad : {R"("mq2")", R"(["mq2:"])", R"(["mq2:99999"])", R"(["a@mq2"])", "[1]"}) {
    EXPECT_EQ(errors_of(std::string(R"({"broker": {"hosts": )") + bad + "}}"),
              std::vector<std::string>{
                  "hub.json: broker.hosts: must be a list of \"host\" or \"host:port\""})
        << bad;
  }
}

TEST(AppConfig, StatsSection) {
  EXPECT_EQ(load_config("").config.gateway.api.stats_min_sample, 10);
  EXPECT_EQ(load_config("").config.gateway.api.stats_instant_answer_minutes, 60);
  const auto load =
      parse_config(R"({"stats": {"min_sample": 30, "instant_answer_minutes": 15}})", "hub.json");
  ASSERT_TRUE(load.errors.empty());
  EXPECT_EQ(load.config.gateway.api.stats_min_sample, 30);
  EXPECT_EQ(load.config.gateway.api.stats_instant_answer_minutes, 15);
  EXPECT_EQ(errors_of(R"({"stats": {"min_sample": 0}})"),
            std::vector<std::string>{"hub.json: stats.min_sample: must be between 1 and 100000"});
}

TEST(AppConfig, SyntaxErrorNamesLineAndColumn) {
  EXPECT_EQ(
      errors_of("{\n  \"intake\": {\n    \"batch_size\": 10,,\n  }\n}"),
      std::vector<std::string>{"hub.json:3:22: not valid JSON: syntax error while parsing object "
                               "key - unexpected ','; expected string literal"});
}

TEST(AppConfig, OutOfRangeWrongTypeAndUnknownSettingsAreNamed) {
  EXPECT_EQ(errors_of(R"({"intake": {"batch_size": 0}})"),
            std::vector<std::string>{"hub.json: intake.batch_size: must be between 1 and 5000"});
  EXPECT_EQ(errors_of(R"({"broker": {"verify_peer": "yes"}})"),
            std::vector<std::string>{"hub.json: broker.verify_peer: must be true or false"});
  EXPECT_EQ(errors_of(R"({"intake": {"batch_sise": 10}})"),
            std::vector<std::string>{"hub.json: intake.batch_sise: unknown setting"});
  EXPECT_EQ(errors_of(R"({"gateway2": {}})"),
            std::vector<std::string>{"hub.json: gateway2: unknown section"});
  EXPECT_EQ(errors_of(R"({"log": {"level": "loud"}})"),
            std::vector<std::string>{"hub.json: log.level: must be debug, info, warn or error"});
}

TEST(AppConfig, PasswordInTheFileIsRefused) {
  EXPECT_EQ(errors_of(R"({"broker": {"uri": "amqp://hub:secret@mq/"}})"),
            std::vector<std::string>{
                "hub.json: broker.uri: must not contain a password; put it in the environment "
                "variable named by password_env"});
}

TEST(AppConfig, MissingFileIsAnError) {
  const auto load = load_config("/nonexistent/appealhub.json");
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_EQ(load.errors[0].to_string(), "/nonexistent/appealhub.json: cannot be read");
}

TEST(AppConfig, PasswordsComeFromTheNamedEnvironmentVariables) {
  AppConfig c;
  c.broker.password_env = "APPEALHUB_TEST_MQ_SECRET";
  ::setenv("APPEALHUB_TEST_MQ_SECRET", "p@ss:w/rd", 1);
  ::unsetenv("APPEALHUB_AMQP_URI");
  apply_environment(c);
  EXPECT_EQ(c.broker.uri, "amqp://appealhub:p%40ss%3Aw%2Frd@127.0.0.1:56720/");
  ::unsetenv("APPEALHUB_TEST_MQ_SECRET");
}

}  // namespace
}  // namespace appealhub::config

namespace appealhub::config {
namespace {

TEST(AppConfig, DeadlinePolicyDuplicatesAndWatchAreSettings) {
  const auto load = parse_config(R"({
    "deadlines": {"working_days": {"consultation": 2, "praise": null, "complaint": 10},
                  "urgency_working_days": {"urgent": 2}},
    "duplicates": {"window_days": 14, "merge_threshold": 0.5, "suggest_threshold": 0.3},
    "watch": {"due_soon_working_days": 2, "interval_ms": 30000}})",
                                 "hub.json");
  ASSERT_TRUE(load.errors.empty()) << load.errors[0].to_string();
  const auto& policy = load.config.deadlines.policy;
  EXPECT_EQ(policy.days_by_kind.at("consultation"), 2);
  EXPECT_EQ(policy.days_by_kind.at("complaint"), 10);
  EXPECT_EQ(policy.days_by_kind.at("praise"), std::nullopt);
  EXPECT_EQ(policy.days_by_kind.at("help"), 7) << "kinds not named keep their default";
  EXPECT_EQ(policy.days_by_urgency.at("urgent"), 2);
  EXPECT_EQ(load.config.duplicates.policy.window, std::chrono::days(14));
  EXPECT_DOUBLE_EQ(load.config.duplicates.policy.merge_threshold, 0.5);
  EXPECT_EQ(load.config.watch.due_soon_working_days, 2);
}

TEST(AppConfig, BadPolicySettingsAreNamed) {
  EXPECT_EQ(
      errors_of(R"({"deadlines": {"working_days": {"complaints": 15}}})"),
      std::vector<std::string>{"hub.json: deadlines.working_days.complaints: unknown appeal kind"});
  EXPECT_EQ(errors_of(R"({"deadlines": {"working_days": {"complaint": -1}}})"),
            std::vector<std::string>{"hub.json: deadlines.working_days.complaint: must be working "
                                     "days (0 to 365) or null for none"});
  EXPECT_EQ(
      errors_of(R"({"duplicates": {"merge_threshold": 0.2, "suggest_threshold": 0.4}})"),
      std::vector<std::string>{
          "hub.json: duplicates.suggest_threshold: must not be above duplicates.merge_threshold"});
}

}  // namespace
}  // namespace appealhub::config

namespace appealhub::config {
namespace {

// Each part's validate() finds them; the loader names them with the file and the section.
TEST(AppConfig, RulesAcrossFieldsAreReportedWithTheSection) {
  const auto load = parse_config(R"({"mailbox": {"base_url": "ftp://x"},
      "petition": {"base_url": "https://u:p@x/"},
      "delivery": {"backoff_min_ms": 5000, "backoff_max_ms": 1000},
      "gateway": {"tls_cert_file": "/c.pem"}})",
                                 "hub.json");
  EXPECT_EQ(core::to_string(load.errors),
            "hub.json: delivery.backoff_max_ms: must not be below backoff_min_ms\n"
            "hub.json: gateway.tls_key_file: set both tls_cert_file and tls_key_file, or neither\n"
            "hub.json: mailbox.base_url: must start with http:// or https://\n"
            "hub.json: petition.base_url: must not hold credentials (use the *_env setting)\n"
            "hub.json: petition.app_id: must be set when base_url is");
}

TEST(AppConfig, Hotline12328ResultSettings) {
  using adapters::hotline12328::Encoding;
  using namespace std::chrono_literals;
  const auto defaults = load_config("").config.hotline12328.results;
  EXPECT_EQ(defaults.import_dir, "");
  EXPECT_EQ(defaults.encoding, Encoding::gb18030);
  EXPECT_EQ(defaults.unit, "510800JT");
  EXPECT_EQ(defaults.flush_interval, 60s);
  EXPECT_EQ(defaults.receipt_timeout, 30min);

  const auto load = parse_config(R"({"hotline12328": {"import_dir": "/x/import",
      "receipt_dir": "/x/receipt", "result_encoding": "UTF-8", "unit_code": "510802JT",
      "result_flush_seconds": 5, "receipt_timeout_minutes": 10}})",
                                 "hub.json");
  ASSERT_TRUE(load.errors.empty());
  const auto& results = load.config.hotline12328.results;
  EXPECT_EQ(results.import_dir, "/x/import");
  EXPECT_EQ(results.receipt_dir, "/x/receipt");
  EXPECT_EQ(results.encoding, Encoding::utf8);
  EXPECT_EQ(results.unit, "510802JT");
  EXPECT_EQ(results.flush_interval, 5s);
  EXPECT_EQ(results.receipt_timeout, 10min);

  const auto bad = parse_config(R"({"hotline12328": {"import_dir": "/x/import",
      "result_encoding": "BIG5", "unit_code": "5108_JT", "result_flush_seconds": 0}})",
                                "hub.json");
  std::string all;
  for (const auto& e : bad.errors) all += e.to_string() + "\n";
  EXPECT_EQ(bad.errors.size(), 4u) << all;
  for (const char* s : {"hotline12328.receipt_dir", "hotline12328.result_encoding",
                        "hotline12328.unit_code", "hotline12328.result_flush_seconds"}) {
    EXPECT_NE(all.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace appealhub::config

namespace appealhub::config {
namespace {

// Every `quoted` piece of a table cell, in order.
std::vector<std::string> quoted(const std::string& cell) {
  std::vector<std::string> out;
  for (auto at = cell.find('`'); at != std::string::npos;) {
    const auto end = cell.find('`', at + 1);
    if (end == std::string::npos) break;
    out.push_back(cell.substr(at + 1, end - at - 1));
    at = cell.find('`', end + 1);
  }
  return out;
}

// The settings table of docs/configuration.md: the settings a row names in its first cell (one or
// more `section.key`), each with the default its second cell gives. A row naming n settings with
// n values gives them in order; otherwise the first value is every one's; "empty" is "".
std::map<std::string, std::string> documented_defaults() {
  std::ifstream in(std::string(APPEALHUB_SOURCE_DIR) + "/docs/configuration.md");
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("| `")) continue;
    const auto first_end = line.find(" | ", 2);
    const auto second_end = line.find(" | ", first_end + 3);
    if (first_end == std::string::npos || second_end == std::string::npos) continue;
    std::vector<std::string> names;
    for (const auto& name : quoted(line.substr(2, first_end - 2))) {
      if (name.find('.') != std::string::npos && name.find(' ') == std::string::npos) {
        names.push_back(name);
      }
    }
    const std::string cell = line.substr(first_end + 3, second_end - first_end - 3);
    const auto values = quoted(cell);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (cell.starts_with("empty")) {
        out[names[i]] = "\"\"";
      } else if (values.empty()) {
        out[names[i]] = cell;
      } else {
        out[names[i]] = values.size() == names.size() ? values[i] : values.front();
      }
    }
  }
  return out;
}

// docs/configuration.md is the reference of the settings: it names exactly the settings the loader
// knows, each with the loader's default.
TEST(ConfigurationReference, NamesEverySettingWithItsDefault) {
  const auto reference = settings_reference();
  ASSERT_GT(reference.size(), 50u);
  auto documented = documented_defaults();
  for (const auto& s : reference) {
    const auto it = documented.find(s.setting);
    if (it == documented.end()) {
      ADD_FAILURE() << s.setting << " (default " << s.default_json
                    << ") is not in docs/configuration.md";
      continue;
    }
    // Strings are written without their JSON quotes in the table; objects in any key order.
    const auto& value = it->second;
    const bool is_string = s.default_json.starts_with('"');
    const auto table_json =
        is_string && !value.starts_with('"') ? nlohmann::json(value).dump() : value;
    const auto parsed = nlohmann::json::parse(table_json, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded())
        << s.setting << ": the table's default is not JSON: " << value;
    EXPECT_EQ(parsed, nlohmann::json::parse(s.default_json))
        << s.setting << ": docs/configuration.md says " << value << ", the loader "
        << s.default_json;
    documented.erase(it);
  }
  for (const auto& [name, cell] : documented) {
    ADD_FAILURE() << "docs/configuration.md names " << name
                  << ", a setting the loader does not know";
  }
}

}  // namespace
}  // namespace appealhub::config
