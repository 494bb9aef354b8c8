#include "app/part_config.hpp"

namespace appealhub::app {

bus::BrokerConfig broker_config(const config::AppConfig& c, const std::string& name) {
  bus::BrokerConfig b;
  b.uri = c.broker.uri;
  b.hosts = c.broker.hosts;
  b.ca_file = c.broker.ca_file;
  b.cert_file = c.broker.cert_file;
  b.key_file = c.broker.key_file;
  b.verify_peer = c.broker.verify_peer;
  b.verify_hostname = c.broker.verify_hostname;
  b.heartbeat_seconds = c.broker.heartbeat_seconds;
  b.connection_name = "appealhub " + name;
  return b;
}

storage::DatabaseConfig database_config(const config::AppConfig& c) {
  return {c.database.uri};
}

RoutingSettings routing_settings(const config::AppConfig& c) {
  return RoutingSettings(database_config(c), c.deadlines.policy, c.duplicates.policy);
}

}  // namespace appealhub::app
