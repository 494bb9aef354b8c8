#include "bus/broker_config.hpp"

#include <amqp.h>

#include <stdexcept>
#include <vector>

#include "bus/impl/amqp_connection.hpp"
#include "bus/message.hpp"

namespace appealhub::bus {

BrokerAddress parse_broker_uri(const std::string& uri) {
  if (uri.empty()) throw std::invalid_argument("empty AMQP URI");
  // amqp_parse_url decodes in place and points into the buffer it is given.
  std::vector<char> buffer(uri.begin(), uri.end());
  buffer.push_back('\0');
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  int rc = amqp_parse_url(buffer.data(), &info);
  if (rc != AMQP_STATUS_OK) {
    throw std::invalid_argument("malformed AMQP URI '" + redacted_uri(uri) +
                                "': " + impl::status_text(rc));
  }
  BrokerAddress address;
  address.tls = info.ssl != 0;
  address.host = info.host ? info.host : "";
  address.port = info.port;
  address.user = info.user ? info.user : "";
  address.password = info.password ? info.password : "";
  address.vhost = info.vhost ? info.vhost : "";
  // "amqp://host:5672/" names the vhost "" in the AMQP URI spec; nobody means that.
  if (address.vhost.empty()) address.vhost = "/";
  if (address.host.empty()) {
    throw std::invalid_argument("AMQP URI without host: '" + redacted_uri(uri) + "'");
  }
  return address;
}

std::string redacted_uri(const std::string& uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return uri;
  const auto authority = scheme_end + 3;
  const auto path = uri.find('/', authority);
  const auto at = uri.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < authority) return uri;
  const auto colon = uri.find(':', authority);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

std::optional<std::string> check_broker(const BrokerConfig& config) {
  try {
    impl::AmqpConnection connection(config, parse_broker_uri(config.uri), "check");
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

const char* to_string(PublishOutcome outcome) {
  switch (outcome) {
    case PublishOutcome::confirmed:
      return "confirmed";
    case PublishOutcome::returned:
      return "returned";
    case PublishOutcome::nacked:
      return "nacked";
  }
  return "unknown";
}

}  // namespace appealhub::bus
