#include "config/app_config.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <concepts>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/appeal.hpp"
#include "core/json_reader.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "http/url.hpp"

namespace appealhub::config {
namespace {

using nlohmann::json;

// Set while settings_reference() runs: every setting a reader is asked for, with its default.
thread_local std::vector<SettingDefault>* reference_sink = nullptr;

// Reads one section's settings through the strict reader, and tells settings_reference() each
// setting it is asked for with its default.
class SectionReader {
 public:
  SectionReader(const json& section, const std::string& name, const std::string& source,
                std::vector<core::JsonError>& errors)
      : reader_(section, name, source, errors) {}

  void text(const char* key, std::string& out) {
    seen(key, out);
    reader_.text(key, out);
  }
  // A path, written as text.
  void path(const char* key, std::filesystem::path& out) {
    auto written = out.string();
    text(key, written);
    out = written;
  }
  // A list of "host" or "host:port" (a broker cluster's nodes).
  void hosts(const char* key, std::vector<std::string>& out) {
    seen(key, out);
    const auto* v = reader_.take(key);
    if (v == nullptr) return;
    const auto well_formed = [](const json& item) {
      if (!item.is_string()) return false;
      const auto text = item.get<std::string>();
      const auto colon = text.rfind(':');
      const auto port = colon == std::string::npos || text.ends_with(']') ? std::string("1")
                                                                          : text.substr(colon + 1);
      return !text.empty() && !text.starts_with(':') &&
             text.find_first_of(" /@,") == std::string::npos && !port.empty() && port.size() <= 5 &&
             port.find_first_not_of("0123456789") == std::string::npos && std::stoi(port) >= 1 &&
             std::stoi(port) <= 65535;
    };
    if (!v->is_array() || !std::all_of(v->begin(), v->end(), well_formed)) {
      return reader_.fail_at(reader_.path_of(key), "must be a list of \"host\" or \"host:port\"");
    }
    out = v->get<std::vector<std::string>>();
  }
  void flag(const char* key, bool& out) {
    seen(key, out);
    reader_.flag(key, out);
  }
  // An integer of any width; the range is checked before it is narrowed.
  template <std::integral T>
  void number(const char* key, T& out, long long min, long long max) {
    seen(key, out);
    if (const auto n = reader_.integer(key, min, max)) out = static_cast<T>(*n);
  }
  // A duration written as a count of `Unit` ("batch_wait_ms": milliseconds, "retention_days":
  // days), stored in the part's own duration type.
  template <typename Unit, typename Rep, typename Period>
  void duration(const char* key, std::chrono::duration<Rep, Period>& out, long long min,
                long long max) {
    seen(key, std::chrono::duration_cast<Unit>(out).count());
    if (const auto n = reader_.integer(key, min, max)) {
      out = std::chrono::duration_cast<std::chrono::duration<Rep, Period>>(Unit(*n));
    }
  }
  void fraction(const char* key, double& out) {
    seen(key, out);
    reader_.fraction(key, out);
  }
  // An object of code -> working days (null: no deadline when `allow_none`).
  template <typename Map>
  void day_table(const char* key, Map& out, bool allow_none) {
    json defaults = json::object();
    for (const auto& [code, days] : out) {
      if constexpr (requires { days.has_value(); }) {
        defaults[code] = days ? json(*days) : json(nullptr);
      } else {
        defaults[code] = days;
      }
    }
    seen(key, defaults);
    auto table = reader_.object(key, "must be an object of code: working days");
    if (!table) return;
    table->members([&](const std::string& code, core::JsonReader& entry) {
      const json& days = entry.value();
      if (days.is_null() && allow_none) {
        if constexpr (requires { out[code] = std::nullopt; }) out[code] = std::nullopt;
      } else if (!days.is_number_integer() || days.get<long long>() < 0 ||
                 days.get<long long>() > 365) {
        entry.fail(allow_none ? "must be working days (0 to 365) or null for none"
                              : "must be working days (0 to 365)");
      } else {
        out[code] = static_cast<int>(days.get<long long>());
      }
    });
  }
  void refuse_unknown() { reader_.refuse_unknown("unknown setting", false); }
  // What the part's validate() found, named with the section.
  void report(const core::SettingProblems& problems) {
    for (const auto& p : problems) reader_.fail_at(reader_.path_of(p.setting), p.message);
  }

 private:
  void seen(const char* key, const json& default_value) {
    if (reference_sink != nullptr) {
      reference_sink->push_back({reader_.path_of(key), default_value.dump()});
    }
  }
  core::JsonReader reader_;
};

// A section being read: its reader, the configuration it fills, and the file's errors.
struct Section {
  SectionReader& r;
  AppConfig& c;
  const std::string& source;
  std::vector<core::JsonError>& errors;
};

// One reader a section, by the section's name in the file.
void read_database(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.text("uri", c.database.uri);
  r.text("password_env", c.database.password_env);
  r.refuse_unknown();
}

void read_broker(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.text("uri", c.broker.uri);
  r.hosts("hosts", c.broker.hosts);
  r.text("password_env", c.broker.password_env);
  r.text("ca_file", c.broker.ca_file);
  r.text("cert_file", c.broker.cert_file);
  r.text("key_file", c.broker.key_file);
  r.flag("verify_peer", c.broker.verify_peer);
  r.flag("verify_hostname", c.broker.verify_hostname);
  r.number("heartbeat_seconds", c.broker.heartbeat_seconds, 0, 600);
  r.refuse_unknown();
}

void read_intake(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.number("consumers", c.intake.consumers, 1, 16);
  r.number("prefetch", c.intake.prefetch, 1, 65535);
  r.number("batch_size", c.intake.batch_size, 1, 5000);
  r.duration<std::chrono::milliseconds>("batch_wait_ms", c.intake.batch_wait, 0, 10000);
  r.number("max_attempts", c.intake.max_attempts, 1, 20);
  r.number("max_body_bytes", c.intake.max_body_bytes, 1024, 64 << 20);
  r.refuse_unknown();
}

void read_outbox(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.number("batch_size", c.outbox.batch_size, 1, 5000);
  r.duration<std::chrono::milliseconds>("poll_interval_ms", c.outbox.poll_interval, 10, 600000);
  r.duration<std::chrono::milliseconds>("retry_delay_ms", c.outbox.retry_delay, 10, 3600000);
  r.duration<std::chrono::days>("retention_days", c.outbox.retention, 1, 3650);
  r.refuse_unknown();
}

void read_deadlines(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.day_table("working_days", c.deadlines.policy.days_by_kind, true);
  r.day_table("urgency_working_days", c.deadlines.policy.days_by_urgency, false);
  r.refuse_unknown();
  for (const auto& [code, days] : c.deadlines.policy.days_by_kind) {
    if (!core::parse_appeal_kind(code)) {
      errors.push_back({source, "deadlines.working_days." + code, "unknown appeal kind"});
    }
  }
  for (const auto& [code, days] : c.deadlines.policy.days_by_urgency) {
    if (!core::parse_urgency(code)) {
      errors.push_back({source, "deadlines.urgency_working_days." + code, "unknown urgency"});
    }
  }
}

void read_duplicates(const Section& section) {
  auto& [r, c, source, errors] = section;
  auto& policy = c.duplicates.policy;
  auto& scan = c.duplicates.scan;
  r.duration<std::chrono::days>("window_days", policy.window, 1, 365);
  r.fraction("merge_threshold", policy.merge_threshold);
  r.fraction("suggest_threshold", policy.suggest_threshold);
  r.fraction("text_threshold", policy.text_threshold);
  r.duration<std::chrono::hours>("strong_plate_hours", policy.strong_plate_gap, 0, 24 * 365);
  r.fraction("common_gram_share", scan.common_gram_share);
  r.number("common_gram_floor", scan.common_gram_floor, 1, 1000000);
  r.number("min_shared_grams", scan.min_shared_grams, 1, 100);
  r.duration<std::chrono::milliseconds>("scan_interval_ms", scan.interval, 10, 600000);
  r.refuse_unknown();
  if (policy.suggest_threshold > policy.merge_threshold) {
    errors.push_back(
        {source, "duplicates.suggest_threshold", "must not be above duplicates.merge_threshold"});
  }
}

void read_watch(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.number("due_soon_working_days", c.watch.due_soon_working_days, 0, 30);
  r.number("public_note_working_days", c.watch.public_note_working_days, 1, 60);
  r.duration<std::chrono::milliseconds>("interval_ms", c.watch.interval, 1000, 3600000);
  r.refuse_unknown();
}

void read_stats(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.number("min_sample", c.gateway.api.stats_min_sample, 1, 100000);
  r.number("instant_answer_minutes", c.gateway.api.stats_instant_answer_minutes, 1, 1440);
  r.refuse_unknown();
}

void read_hotline12328(const Section& section) {
  auto& [r, c, source, errors] = section;
  auto& intake = c.hotline12328.intake;
  auto& results = c.hotline12328.results;
  using adapters::hotline12328::Encoding;
  r.path("export_dir", intake.export_dir);
  r.duration<std::chrono::milliseconds>("poll_interval_ms", intake.poll_interval, 100, 3600000);
  r.path("import_dir", results.import_dir);
  r.path("receipt_dir", results.receipt_dir);
  std::string encoding = results.encoding == Encoding::utf8 ? "UTF-8" : "GB18030";
  r.text("result_encoding", encoding);
  r.text("unit_code", results.unit);
  r.duration<std::chrono::seconds>("result_flush_seconds", results.flush_interval, 1, 3600);
  r.duration<std::chrono::minutes>("receipt_timeout_minutes", results.receipt_timeout, 1, 10080);
  if (encoding == "GB18030" || encoding == "gb18030") {
    results.encoding = Encoding::gb18030;
  } else if (encoding == "UTF-8" || encoding == "utf-8") {
    results.encoding = Encoding::utf8;
  } else {
    errors.push_back({source, "hotline12328.result_encoding", "must be GB18030 or UTF-8"});
  }
  r.report(validate(c.hotline12328));
  r.refuse_unknown();
}

void read_mailbox(const Section& section) {
  auto& [r, c, source, errors] = section;
  auto& m = c.mailbox;
  r.text("base_url", m.base_url);
  r.text("token_env", m.token_env);
  r.text("ca_file", m.ca_file);
  r.duration<std::chrono::milliseconds>("poll_interval_ms", m.poll_interval, 100, 3600000);
  r.number("page_size", m.page_size, 1, 100);
  r.duration<std::chrono::milliseconds>("connect_timeout_ms", m.connect_timeout, 100, 600000);
  r.duration<std::chrono::milliseconds>("request_timeout_ms", m.request_timeout, 100, 600000);
  r.duration<std::chrono::milliseconds>("backoff_max_ms", m.backoff_max, 1000, 3600000);
  r.refuse_unknown();
  r.report(validate(m));
}

void read_petition(const Section& section) {
  auto& [r, c, source, errors] = section;
  auto& p = c.petition;
  r.text("base_url", p.base_url);
  r.text("app_id", p.app_id);
  r.text("secret_env", p.secret_env);
  r.text("ca_file", p.ca_file);
  r.duration<std::chrono::milliseconds>("poll_interval_ms", p.poll_interval, 100, 3600000);
  r.number("page_size", p.page_size, 1, 50);
  r.duration<std::chrono::seconds>("overlap_seconds", p.overlap, 0, 86400);
  r.text("initial_updated_since", p.initial_updated_since);
  r.duration<std::chrono::milliseconds>("connect_timeout_ms", p.connect_timeout, 100, 600000);
  r.duration<std::chrono::milliseconds>("request_timeout_ms", p.request_timeout, 100, 600000);
  r.duration<std::chrono::milliseconds>("backoff_max_ms", p.backoff_max, 1000, 3600000);
  r.refuse_unknown();
  r.report(validate(p));
  if (!core::parse_rfc3339(p.initial_updated_since)) {
    errors.push_back({source, "petition.initial_updated_since", "must be an RFC 3339 time"});
  }
}

void read_delivery(const Section& section) {
  auto& [r, c, source, errors] = section;
  auto& d = c.delivery;
  r.text("channels", d.channels);
  r.number("max_attempts", d.policy.max_attempts, 1, 1000);
  r.duration<std::chrono::milliseconds>("backoff_min_ms", d.policy.backoff_min, 10, 3600000);
  r.duration<std::chrono::milliseconds>("backoff_max_ms", d.policy.backoff_max, 10, 86400000);
  r.duration<std::chrono::seconds>("lease_seconds", d.policy.lease, 1, 86400);
  r.number("batch_size", d.sender.batch_size, 1, 1000);
  r.duration<std::chrono::milliseconds>("poll_interval_ms", d.sender.poll_interval, 10, 3600000);
  r.number("prefetch", d.intake.prefetch, 1, 10000);
  r.number("operator_max_attempts", d.policy.operator_max_attempts, 1, 100);
  r.refuse_unknown();
  r.report(validate(d));
}

void read_gateway(const Section& section) {
  auto& [r, c, source, errors] = section;
  auto& server = c.gateway.server;
  auto& api = c.gateway.api;
  r.text("listen_address", server.address);
  r.number("port", server.port, 0, 65535);
  r.number("io_threads", server.io_threads, 1, 64);
  r.number("worker_threads", server.worker_threads, 1, 256);
  r.number("max_connections", server.max_connections, 1, 100000);
  r.number("max_connections_per_address", server.max_connections_per_address, 1, 100000);
  r.duration<std::chrono::milliseconds>("read_timeout_ms", server.read_timeout, 100, 600000);
  r.text("tls_cert_file", server.tls_cert_file);
  r.text("tls_key_file", server.tls_key_file);
  r.duration<std::chrono::hours>("session_hours", api.session_lifetime, 1, 24 * 30);
  r.text("web_root", api.web_root);
  r.duration<std::chrono::days>("token_days", api.token_lifetime, 1, 3650);
  r.number("phone_searches_per_minute", api.phone_searches_per_minute, 1, 10000);
  r.refuse_unknown();
  r.report(validate(server));
}

void read_log(const Section& section) {
  auto& [r, c, source, errors] = section;
  r.text("level", c.log_level);
  r.refuse_unknown();
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error") {
    errors.push_back({source, "log.level", "must be debug, info, warn or error"});
  }
}

}  // namespace

ConfigLoad parse_config(const std::string& text, const std::string& source) {
  ConfigLoad load;
  load.config.source = source;
  const auto parsed = core::parse_json_file(text, source, load.errors);
  if (!parsed) return load;
  const json& root = *parsed;
  if (!root.is_object()) {
    load.errors.push_back({source, "", "must be a JSON object"});
    return load;
  }
  auto& c = load.config;
  auto& errors = load.errors;
  const std::map<std::string, void (*)(const Section&)> sections{
      {"database", read_database},
      {"broker", read_broker},
      {"intake", read_intake},
      {"outbox", read_outbox},
      {"deadlines", read_deadlines},
      {"duplicates", read_duplicates},
      {"watch", read_watch},
      {"stats", read_stats},
      {"hotline12328", read_hotline12328},
      {"mailbox", read_mailbox},
      {"petition", read_petition},
      {"delivery", read_delivery},
      {"gateway", read_gateway},
      {"log", read_log},
  };
  const auto read = [&](const std::string& key, const json& value) {
    SectionReader r(value, key, source, errors);
    sections.at(key)({r, c, source, errors});
  };
  if (reference_sink != nullptr) {
    for (const auto& section : sections) read(section.first, json::object());
    return load;
  }
  for (const auto& [key, value] : root.items()) {
    if (key == "$comment") continue;
    const auto it = sections.find(key);
    if (it == sections.end()) {
      errors.push_back({source, key, "unknown section"});
    } else if (!value.is_object()) {
      errors.push_back({source, key, "must be an object"});
    } else {
      read(key, value);
    }
  }
  for (const auto* uri : {&c.database.uri, &c.broker.uri}) {
    if (http::uri_has_password(*uri)) {
      errors.push_back({source, uri == &c.database.uri ? "database.uri" : "broker.uri",
                        "must not contain a password; put it in the environment variable "
                        "named by password_env"});
    }
  }
  return load;
}

std::vector<SettingDefault> settings_reference() {
  std::vector<SettingDefault> out;
  reference_sink = &out;
  try {
    parse_config("{}", "reference");
  } catch (...) {
    reference_sink = nullptr;
    throw;
  }
  reference_sink = nullptr;
  return out;
}

ConfigLoad load_config(const std::string& path) {
  if (path.empty()) return {};
  const auto text = core::read_text_file(path);
  if (!text) {
    ConfigLoad load;
    load.errors.push_back({path, "", "cannot be read"});
    return load;
  }
  return parse_config(*text, path);
}

void apply_environment(AppConfig& config) {
  const auto env = [](const std::string& name) -> std::string {
    const char* v =
        name.empty()
            ? nullptr
            : std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read at start-up
    return v ? v : "";
  };
  if (auto v = env("APPEALHUB_PG_URI"); !v.empty()) config.database.uri = v;
  if (auto v = env("APPEALHUB_AMQP_URI"); !v.empty()) config.broker.uri = v;
  if (auto v = env("APPEALHUB_AMQP_HOSTS"); !v.empty()) {
    config.broker.hosts.clear();
    std::stringstream list(v);
    for (std::string host; std::getline(list, host, ',');) {
      if (!host.empty()) config.broker.hosts.push_back(host);
    }
  }
  if (auto v = env("APPEALHUB_LOG_LEVEL"); !v.empty()) config.log_level = v;
  if (auto v = env("APPEALHUB_GATEWAY_PORT"); !v.empty()) {
    int port = -1;
    try {
      port = std::stoi(v);
    } catch (const std::exception&) {
    }
    if (port < 0 || port > 65535) {
      throw std::invalid_argument("APPEALHUB_GATEWAY_PORT: not a port number: " + v);
    }
    config.gateway.server.port = static_cast<unsigned short>(port);
  }
  config.database.uri =
      http::uri_with_password(config.database.uri, env(config.database.password_env));
  config.broker.uri = http::uri_with_password(config.broker.uri, env(config.broker.password_env));
}

}  // namespace appealhub::config
