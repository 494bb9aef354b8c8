#pragma once
// What an operator (and, later, the gateway's /readyz and health page) needs to know is wrong:
// the database and its migrations, the routing settings in force, years the working-day calendar
// has no holiday data for (deadlines there count weekends only), the outbox backlog, refused
// messages and tickets waiting at the dispatch desk.

#include <string>

#include "app/routing_settings.hpp"
#include "storage/database.hpp"

namespace appealhub::app {

struct HealthReport {
  bool ok = true;    // false when something needs a person
  std::string json;      // the full report
  std::string problems;  // what needs a person, one line (for logs)
};

HealthReport health_report(const storage::DatabaseConfig& database, RoutingSettings& settings,
                           std::chrono::sys_seconds now);

}  // namespace appealhub::app
