#include "app/delivery_parts.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "adapters/common/channel_api.hpp"
#include "adapters/mailbox/reply_sender.hpp"
#include "adapters/petition/reply_sender.hpp"

namespace appealhub::app {
namespace {

std::string environment(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());  // NOLINT: read at start
  return value ? value : "";
}

// host:pid, naming this process in attempt rows.
std::string instance_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

std::vector<std::string> delivery_channels(const adapters::delivery::DeliveryOptions& s) {
  std::vector<std::string> out;
  std::string item;
  for (std::size_t i = 0; i <= s.channels.size(); ++i) {
    const char c = i < s.channels.size() ? s.channels[i] : ',';
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        throw std::invalid_argument("delivery.channels: '" + s.channels +
                                    "' must be channel ids of a-z 0-9 - separated by commas");
      }
      item += c;
    }
  }
  return out;
}

std::unique_ptr<DeliveryParts> make_delivery_parts(
    const config::AppConfig& c, const std::function<bus::BrokerConfig(std::string)>& broker,
    storage::DatabaseConfig database) {
  auto parts = std::make_unique<DeliveryParts>();
  const storage::ReplyLedger ledger(c.delivery.policy, instance_name());
  for (const auto& channel : delivery_channels(c.delivery)) {
    auto o = c.delivery.intake;
    o.channel = channel;
    parts->intakes.push_back(std::make_unique<adapters::delivery::ReplyIntake>(
        broker("delivery " + channel), database, o, ledger));

    std::unique_ptr<adapters::delivery::ReplySender> sender;
    if (channel == "mailbox" && !c.mailbox.base_url.empty()) {
      const auto token = environment(c.mailbox.token_env);
      if (token.empty()) {
        throw std::invalid_argument("mailbox: the token variable " + c.mailbox.token_env +
                                    " is not set");
      }
      sender = std::make_unique<adapters::mailbox::MailboxReplySender>(
          adapters::client_options(c.mailbox, "appealhub-delivery"), token);
    } else if (channel == "petition" && !c.petition.base_url.empty()) {
      const auto secret = environment(c.petition.secret_env);
      if (secret.empty() || c.petition.app_id.empty()) {
        throw std::invalid_argument("petition: app_id and the secret variable " +
                                    c.petition.secret_env + " must be set");
      }
      sender = std::make_unique<adapters::petition::PetitionReplySender>(
          adapters::client_options(c.petition, "appealhub-delivery"), c.petition.app_id, secret);
    }
    if (channel == "hotline12328" && !c.hotline12328.results.import_dir.empty()) {
      auto ro = c.hotline12328.results;
      ro.poll_interval = std::max(c.delivery.sender.poll_interval, std::chrono::milliseconds(1000));
      parts->result_files =
          std::make_unique<adapters::hotline12328::ResultSender>(database, ro, ledger);
      parts->sending.push_back(channel);
    }
    if (sender) {
      auto lo = c.delivery.sender;
      lo.channel = channel;
      parts->senders.push_back(std::make_unique<adapters::delivery::DeliveryLoop>(
          database, lo, ledger, std::move(sender)));
      parts->sending.push_back(channel);
    }
  }
  parts->outcomes =
      std::make_unique<router::DeliveryConsumer>(broker("delivery outcomes"), database);
  return parts;
}

}  // namespace appealhub::app
