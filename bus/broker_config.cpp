#include "bus/broker_config.hpp"

#include <amqp.h>

#include <algorithm>
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

namespace {

// "host", "host:port" or "[v6]:port" onto a copy of the URI's address.
BrokerAddress with_host(BrokerAddress address, const std::string& host) {
  const auto bad = [&host] {
    return std::invalid_argument("malformed broker host '" + host + "'");
  };
  std::string name = host, port;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string::npos) throw bad();
    name = host.substr(1, close - 1);
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') throw bad();
      port = host.substr(close + 2);
    } else {
      port = "-";  // no port given
    }
  } else if (const auto colon = host.find(':'); colon != std::string::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
  } else {
    port = "-";
  }
  if (name.empty() || name.find_first_of("/@ ") != std::string::npos) throw bad();
  address.host = name;
  if (port != "-") {
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    address.port = std::stoi(port);
    if (address.port < 1 || address.port > 65535) throw bad();
  }
  return address;
}

}  // namespace

std::vector<BrokerAddress> broker_addresses(const BrokerConfig& config) {
  const BrokerAddress first = parse_broker_uri(config.uri);
  std::vector<BrokerAddress> out{first};
  for (const auto& host : config.hosts) {
    auto address = with_host(first, host);
    const bool known = std::any_of(out.begin(), out.end(), [&](const BrokerAddress& a) {
      return a.host == address.host && a.port == address.port;
    });
    if (!known) out.push_back(std::move(address));
  }
  return out;
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
    impl::connect_any(config, "check");
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
