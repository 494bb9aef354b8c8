#include "app/delivery_parts.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

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

http::ClientOptions client_options(const std::string& base_url, const std::string& ca_file,
                                   int connect_timeout_ms, int request_timeout_ms) {
  http::ClientOptions o;
  o.base_url = base_url;
  o.ca_file = ca_file;
  o.connect_timeout = std::chrono::milliseconds(connect_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(request_timeout_ms);
  o.user_agent = "appealhub-delivery";
  return o;
}

}  // namespace

storage::DeliveryPolicy delivery_policy(const config::DeliverySettings& s) {
  storage::DeliveryPolicy p;
  p.max_attempts = s.max_attempts;
  p.backoff_min = std::chrono::milliseconds(s.backoff_min_ms);
  p.backoff_max = std::chrono::milliseconds(s.backoff_max_ms);
  p.lease = std::chrono::seconds(s.lease_seconds);
  p.operator_max_attempts = s.operator_max_attempts;
  return p;
}

std::vector<std::string> delivery_channels(const config::DeliverySettings& s) {
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
  const storage::ReplyLedger ledger(delivery_policy(c.delivery), instance_name());
  for (const auto& channel : delivery_channels(c.delivery)) {
    adapters::delivery::ReplyIntakeOptions o;
    o.channel = channel;
    o.prefetch = static_cast<std::uint16_t>(c.delivery.prefetch);
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
          client_options(c.mailbox.base_url, c.mailbox.ca_file, c.mailbox.connect_timeout_ms,
                         c.mailbox.request_timeout_ms),
          token);
    } else if (channel == "petition" && !c.petition.base_url.empty()) {
      const auto secret = environment(c.petition.secret_env);
      if (secret.empty() || c.petition.app_id.empty()) {
        throw std::invalid_argument("petition: app_id and the secret variable " +
                                    c.petition.secret_env + " must be set");
      }
      sender = std::make_unique<adapters::petition::PetitionReplySender>(
          client_options(c.petition.base_url, c.petition.ca_file, c.petition.connect_timeout_ms,
                         c.petition.request_timeout_ms),
          c.petition.app_id, secret);
    }
    if (channel == "hotline12328" && !c.hotline12328.import_dir.empty()) {
      adapters::hotline12328::ResultSenderOptions ro;
      ro.import_dir = c.hotline12328.import_dir;
      ro.receipt_dir = c.hotline12328.receipt_dir;
      ro.encoding = *adapters::hotline12328::parse_encoding(c.hotline12328.result_encoding);
      ro.unit = c.hotline12328.unit_code;
      ro.flush_interval = std::chrono::seconds(c.hotline12328.result_flush_seconds);
      ro.receipt_timeout = std::chrono::minutes(c.hotline12328.receipt_timeout_minutes);
      ro.poll_interval = std::chrono::milliseconds(std::max(c.delivery.poll_interval_ms, 1000));
      parts->result_files =
          std::make_unique<adapters::hotline12328::ResultSender>(database, ro, ledger);
      parts->sending.push_back(channel);
    }
    if (sender) {
      adapters::delivery::DeliveryLoopOptions lo;
      lo.channel = channel;
      lo.batch_size = c.delivery.batch_size;
      lo.poll_interval = std::chrono::milliseconds(c.delivery.poll_interval_ms);
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
