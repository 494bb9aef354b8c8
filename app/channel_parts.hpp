#pragma once
// The HTTP channel adapters as parts of the `appealhub` executable: the mailbox and petition
// pollers (`appealhub mailbox`, `appealhub petition`, and in `appealhub run` when their base_url
// is set) and the petition webhook handler for the gateway.
//
// Secrets come from the environment variables the configuration names (mailbox.token_env,
// petition.secret_env); a poller without its secret does not start.

#include <memory>
#include <string>

#include "adapters/mailbox/letter_poller.hpp"
#include "adapters/petition/message_poller.hpp"
#include "adapters/petition/webhook.hpp"
#include "bus/broker_config.hpp"
#include "config/app_config.hpp"
#include "storage/database.hpp"

namespace appealhub::app {

// "" when `command` ("mailbox", "petition", anything else) can run with `config`, else why not.
std::string channel_command_problem(const std::string& command, const config::AppConfig& config);

// Throws std::invalid_argument when base_url, the CA file or the secret is missing or wrong.
std::unique_ptr<adapters::mailbox::MailboxPoller> make_mailbox_poller(
    const config::AppConfig& config, bus::BrokerConfig broker, storage::DatabaseConfig database);
std::unique_ptr<adapters::petition::PetitionPoller> make_petition_poller(
    const config::AppConfig& config, bus::BrokerConfig broker, storage::DatabaseConfig database);

// The handler to mount at /webhooks/petition; nullptr when petition.app_id or the secret is not
// set (the route should then answer 404).
std::unique_ptr<adapters::petition::PetitionWebhook> make_petition_webhook(
    const config::AppConfig& config, bus::BrokerConfig broker, storage::DatabaseConfig database);

}  // namespace appealhub::app
