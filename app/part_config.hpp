#pragma once
// What the executable's parts and subcommands read from the configuration the same way: the
// broker settings of one named connection, the database, and the routing settings to follow.

#include <string>

#include "app/routing_settings.hpp"
#include "bus/broker_config.hpp"
#include "config/app_config.hpp"
#include "storage/database.hpp"

namespace appealhub::app {

// `name` is shown in the broker's connection list as "appealhub NAME".
bus::BrokerConfig broker_config(const config::AppConfig& c, const std::string& name);
storage::DatabaseConfig database_config(const config::AppConfig& c);
// Not loaded yet: call refresh() before current().
RoutingSettings routing_settings(const config::AppConfig& c);

}  // namespace appealhub::app
