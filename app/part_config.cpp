#include "app/part_config.hpp"

namespace appealhub::app {

bus::BrokerConfig broker_config(const config::AppConfig& c, const std::string& name) {
  bus::BrokerConfig b;
  static_cast<bus::BrokerOptions&>(b) = c.broker;
  b.connection_name = "appealhub " + name;
  return b;
}

storage::DatabaseConfig database_config(const config::AppConfig& c) {
  return c.database;
}

RoutingSettings routing_settings(const config::AppConfig& c) {
  return RoutingSettings(database_config(c), c.deadlines.policy, c.duplicates.policy);
}

}  // namespace appealhub::app
