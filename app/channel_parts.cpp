#include "app/channel_parts.hpp"

#include <cstdlib>
#include <stdexcept>

namespace appealhub::app {
namespace {

std::string environment(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());  // NOLINT: read at start
  return value ? value : "";
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
  o.api = c.mailbox;
  o.token = environment(c.mailbox.token_env);
  return std::make_unique<adapters::mailbox::MailboxPoller>(std::move(o), std::move(broker),
                                                            std::move(database));
}

std::unique_ptr<adapters::petition::PetitionPoller> make_petition_poller(
    const config::AppConfig& c, bus::BrokerConfig broker, storage::DatabaseConfig database) {
  if (const auto problem = channel_command_problem("petition", c); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  adapters::petition::PetitionPollerOptions o;
  o.api = c.petition;
  o.secret = environment(c.petition.secret_env);
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
