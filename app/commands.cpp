#include "app/commands.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>

#include "app/health.hpp"
#include "app/part_config.hpp"
#include "bus/dead_letters.hpp"
#include "bus/topology.hpp"
#include "config/shipped_defaults.hpp"
#include "core/log.hpp"
#include "gateway/credentials.hpp"
#include "router/duplicate_scan.hpp"
#include "storage/knowledge.hpp"
#include "storage/migrations.hpp"
#include "storage/settings_documents.hpp"

namespace appealhub::app {
namespace {

// Who did it, for the records a command writes: "cli:" and the login name.
std::string cli_actor() {
  const char* user = std::getenv("USER");  // NOLINT(concurrency-mt-unsafe): single-threaded here
  return std::string("cli:") + (user ? user : "?");
}

std::optional<storage::Credentials> active_user(pqxx::work& txn, const std::string& username) {
  auto credentials = storage::find_credentials(txn, username);
  if (!credentials) std::cerr << "appealhub: no active user '" << username << "'\n";
  return credentials;
}

}  // namespace

int migrate(const config::AppConfig& c) {
  auto connection = storage::connect(database_config(c));
  const auto report = storage::apply_migrations(*connection);
  core::log_info("migrate", "schema is current",
                 {{"version", std::to_string(report.current_version)},
                  {"applied_now", std::to_string(report.applied.size())}});
  RoutingSettings(database_config(c)).seed_defaults();
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

int declare_topology(const config::AppConfig& c) {
  bus::declare_topology(broker_config(c, "topology"), bus::hub_topology());
  return 0;
}

int print_health(const config::AppConfig& c) {
  auto settings = routing_settings(c);
  const auto report = health_report(
      database_config(c), settings,
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  std::cout << report.json << '\n';
  return report.ok ? 0 : 1;
}

int show_settings(const config::AppConfig& c, const std::string& name) {
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  const auto doc = storage::current_document(txn, name);
  if (!doc) {
    std::cerr << "appealhub: no settings document '" << name << "'\n";
    return 1;
  }
  std::cout << doc->body << '\n';
  return 0;
}

int load_settings(const config::AppConfig& c, const std::string& name, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "appealhub: " << file << ": cannot be read\n";
    return 1;
  }
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  const auto departments = storage::current_document(txn, kDepartmentsDocument);
  const auto errors = check_document(
      name, body, name == kDepartmentsDocument || !departments ? body : departments->body);
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << "appealhub: " << file << ": " << e << '\n';
    std::cerr << "appealhub: nothing stored; the current version stays in force\n";
    return 1;
  }
  const int version = storage::save_document(txn, name, body, cli_actor());
  txn.commit();
  std::cout << name << " version " << version << " stored\n";
  return 0;
}

int unmerge(const config::AppConfig& c, std::int64_t ticket, const std::string& reason) {
  auto settings = routing_settings(c);
  if (const auto errors = settings.refresh(); !errors.empty()) {
    for (const auto& e : errors) std::cerr << "appealhub: " << e << '\n';
    return 1;
  }
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  try {
    const auto primary = router::undo_merge(txn, *settings.current(), ticket, cli_actor(), reason);
    txn.commit();
    std::cout << "ticket " << ticket << " is no longer merged into " << primary
              << "; it was placed on its own\n";
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "appealhub: " << e.what() << '\n';
    return 1;
  }
}

int dead_letters(const config::AppConfig& c, bool replay, std::size_t limit) {
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

int add_user(const config::AppConfig& c, storage::NewUser user) {
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
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
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

int issue_token(const config::AppConfig& c, const std::string& username, const std::string& label) {
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  const auto credentials = active_user(txn, username);
  if (!credentials) return 1;
  const auto token = gateway::random_token();
  storage::create_api_token(txn, gateway::token_hash(token), credentials->user.id, label,
                            c.gateway.api.token_lifetime);
  txn.commit();
  std::cout << token << '\n';
  return 0;
}

int revoke_tokens(const config::AppConfig& c, const std::string& username,
                  const std::string& label) {
  auto connection = storage::connect(database_config(c));
  pqxx::work txn(*connection);
  const auto credentials = active_user(txn, username);
  if (!credentials) return 1;
  const int revoked = storage::revoke_api_tokens_named(txn, credentials->user.id, label);
  txn.commit();
  std::cout << "revoked " << revoked << " token(s)\n";
  return revoked > 0 ? 0 : 1;
}

}  // namespace appealhub::app
