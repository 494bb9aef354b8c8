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
  router::DuplicatePolicy duplicates;
  duplicates.window = std::chrono::hours(24 * c.duplicates.window_days);
  duplicates.merge_threshold = c.duplicates.merge_threshold;
  duplicates.suggest_threshold = c.duplicates.suggest_threshold;
  duplicates.text_threshold = c.duplicates.text_threshold;
  duplicates.strong_plate_gap = std::chrono::hours(c.duplicates.strong_plate_hours);
  return RoutingSettings(database_config(c), c.deadlines.policy, duplicates);
}

}  // namespace appealhub::app
