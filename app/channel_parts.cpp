#include "app/channel_parts.hpp"

#include <cstdlib>
#include <stdexcept>

namespace appealhub::app {
namespace {

std::string environment(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());  // NOLINT: read at start
  return value ? value : "";
}

http::ClientOptions client_options(const std::string& base_url, const std::string& ca_file,
                                   int connect_timeout_ms, int request_timeout_ms) {
  http::ClientOptions o;
  o.base_url = base_url;
  o.ca_file = ca_file;
  o.connect_timeout = std::chrono::milliseconds(connect_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(request_timeout_ms);
  o.user_agent = "appealhub";
  return o;
}

adapters::PollSchedule schedule(int interval_ms, int backoff_max_ms) {
  adapters::PollSchedule s;
  s.interval = std::chrono::milliseconds(interval_ms);
  s.backoff_min = std::chrono::milliseconds(1000);
  s.backoff_max = std::chrono::milliseconds(backoff_max_ms);
  return s;
}

}  // namespace

std::string channel_command_problem(const std::string& command, const config::AppConfig& c) {
  if (command == "mailbox") {
    if (c.mailbox.base_url.empty()) return "mailbox.base_url is not set";
    if (environment(c.mailbox.token_env).empty()) {
      return "the mailbox token is missing: set " + c.mailbox.token_env;
    }
  }
  if (command == "petition") {
    if (c.petition.base_url.empty()) return "petition.base_url is not set";
    if (environment(c.petition.secret_env).empty()) {
      return "the petition secret is missing: set " + c.petition.secret_env;
    }
  }
  return "";
}

std::unique_ptr<adapters::mailbox::MailboxPoller> make_mailbox_poller(
    const config::AppConfig& c, bus::BrokerConfig broker, storage::DatabaseConfig database) {
  if (const auto problem = channel_command_problem("mailbox", c); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  adapters::mailbox::MailboxPollerOptions o;
  o.http = client_options(c.mailbox.base_url, c.mailbox.ca_file, c.mailbox.connect_timeout_ms,
                          c.mailbox.request_timeout_ms);
  o.token = environment(c.mailbox.token_env);
  o.page_size = c.mailbox.page_size;
  o.schedule = schedule(c.mailbox.poll_interval_ms, c.mailbox.backoff_max_ms);
  return std::make_unique<adapters::mailbox::MailboxPoller>(std::move(o), std::move(broker),
                                                            std::move(database));
}

std::unique_ptr<adapters::petition::PetitionPoller> make_petition_poller(
    const config::AppConfig& c, bus::BrokerConfig broker, storage::DatabaseConfig database) {
  if (const auto problem = channel_command_problem("petition", c); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  adapters::petition::PetitionPollerOptions o;
  o.http = client_options(c.petition.base_url, c.petition.ca_file, c.petition.connect_timeout_ms,
                          c.petition.request_timeout_ms);
  o.app_id = c.petition.app_id;
  o.secret = environment(c.petition.secret_env);
  o.page_size = c.petition.page_size;
  o.overlap = std::chrono::seconds(c.petition.overlap_seconds);
  o.initial_updated_since = c.petition.initial_updated_since;
  o.schedule = schedule(c.petition.poll_interval_ms, c.petition.backoff_max_ms);
  return std::make_unique<adapters::petition::PetitionPoller>(std::move(o), std::move(broker),
                                                              std::move(database));
}

std::unique_ptr<adapters::petition::PetitionWebhook> make_petition_webhook(
    const config::AppConfig& c, bus::BrokerConfig broker, storage::DatabaseConfig database) {
  const std::string secret = environment(c.petition.secret_env);
  if (c.petition.app_id.empty() || secret.empty()) return nullptr;
  adapters::petition::PetitionWebhookOptions o;
  o.app_id = c.petition.app_id;
  o.secret = secret;
  return std::make_unique<adapters::petition::PetitionWebhook>(
      std::move(o),
      adapters::petition::make_webhook_intake(std::move(broker), std::move(database),
                                              std::chrono::minutes(15), std::chrono::seconds(10)));
}

}  // namespace appealhub::app
