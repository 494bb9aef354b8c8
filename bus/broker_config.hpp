// Where the broker is and how to talk to it. Shared by the publisher, the consumer and topology.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bus/broker_options.hpp"

namespace appealhub::bus {

// Any failure talking to the broker that the caller must see: a bad URI or TLS file, a refused
// declaration (406 PRECONDITION_FAILED when a queue exists with other arguments), an unreachable
// broker in one-shot calls such as declare_topology(). The publisher and the consumer do not throw
// it for connection failures: they reconnect by themselves.
class BusError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One connection's settings: the configured options, and what each part sets for itself.
struct BrokerConfig : BrokerOptions {
  // connect_timeout bounds the TCP connect, the TLS handshake, the AMQP handshake and every
  // synchronous request (declare, qos, consume, close).
  std::chrono::milliseconds connect_timeout{5000}, reconnect_min{200}, reconnect_max{10000};
  // Shown by RabbitMQ as the connection's name (client property connection_name).
  std::string connection_name;
};

// A parsed BrokerConfig::uri.
struct BrokerAddress {
  bool tls = false;
  std::string host;
  int port = 5672;
  std::string user = "guest", password = "guest";
  std::string vhost = "/";
};

// Parses an AMQP URI (with rabbitmq-c's amqp_parse_url). Throws std::invalid_argument when the
// URI is malformed. Default ports: 5672 for amqp, 5671 for amqps.
BrokerAddress parse_broker_uri(const std::string& uri);

// Every address of the config in the order they are tried: the URI's, then each of `hosts`
// (duplicates left out). Throws std::invalid_argument for a malformed URI or host.
std::vector<BrokerAddress> broker_addresses(const BrokerConfig& config);

// The URI with the password replaced by "***", for logs and error messages.
std::string redacted_uri(const std::string& uri);

// Opens a connection and closes it again (for readiness checks): nullopt when the broker is
// reachable and accepts the credentials and vhost, otherwise the reason. Never throws BusError.
std::optional<std::string> check_broker(const BrokerConfig& config);

}  // namespace appealhub::bus
