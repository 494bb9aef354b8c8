#include "app/health.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/deadline.hpp"
#include "storage/adapter_status.hpp"
#include "storage/backlog.hpp"
#include "storage/hotline_results.hpp"
#include "storage/migrations.hpp"

namespace appealhub::app {

namespace {

using Problems = std::vector<std::string>;

// The settings in force, and whether the calendar covers this year and the next (a deadline can
// run into the next year).
void check_settings(nlohmann::json& report, Problems& problems, RoutingSettings& settings,
                    std::chrono::sys_seconds now) {
  const auto refused = settings.refresh();
  problems.insert(problems.end(), refused.begin(), refused.end());
  const auto setup = settings.current();
  if (!setup) return;
  report["settings_versions"] = setup->versions;
  const int year = static_cast<int>(core::china_date(now).year());
  std::vector<int> uncovered;
  for (int y : {year, year + 1}) {
    if (!setup->calendar->covers(std::chrono::year(y))) uncovered.push_back(y);
  }
  report["calendar_uncovered_years"] = uncovered;
  for (int y : uncovered) {
    problems.push_back("the working-day calendar has no public holidays for " + std::to_string(y) +
                       ": deadlines there count weekends only until an administrator adds "
                       "them (appealhub settings load calendar_days FILE)");
  }
}

void check_backlog(nlohmann::json& report, Problems& problems, pqxx::read_transaction& txn) {
  const auto backlog = storage::read_backlog(txn);
  const auto oldest = std::llround(backlog.outbox_oldest_unsent_seconds);
  report["outbox_unsent"] = backlog.outbox_unsent;
  report["outbox_oldest_unsent_seconds"] = oldest;
  report["rejected_messages"] = backlog.rejected_messages;
  report["tickets_at_dispatch_desk"] = backlog.tickets("triage");
  report["tickets_unplaced"] = backlog.tickets("received");
  if (oldest > 300) {
    problems.push_back("outbox messages wait for more than 5 minutes: is the relay running?");
  }
}

void check_hotline_results(nlohmann::json& report, Problems& problems,
                           pqxx::read_transaction& txn) {
  // Marked by the 12328 result sender once hotline12328.receipt_timeout_minutes passed.
  const auto hotline = storage::hotline_results_health(txn);
  report["hotline12328_results_without_receipt"] = hotline.without_receipt.size();
  for (const auto& name : hotline.without_receipt) {
    problems.push_back("12328 result file " + name +
                       " has no receipt from the platform: are its answers applied?");
  }
  // Abandoned result files (their replies went out again) and what a late receipt said; what
  // the 12328 export intake refused (to take up with the platform).
  report["hotline12328_results_abandoned"] = hotline.abandoned;
  report["hotline12328_refused"] = hotline.refused;
}

void check_adapters(nlohmann::json& report, Problems& problems, pqxx::read_transaction& txn) {
  report["adapters"] = nlohmann::json::array();
  for (const auto& a : storage::read_adapter_status(txn)) {
    report["adapters"].push_back({{"adapter", a.adapter},
                                  {"instance", a.instance},
                                  {"failing", a.failing},
                                  {"last_error", a.last_error},
                                  {"counters", nlohmann::json::parse(a.counters_json)}});
    if (a.failing) {
      problems.push_back(a.adapter + " on " + a.instance + " fails since " + a.last_error_at +
                         ": " + a.last_error);
    }
  }
}

HealthReport failed(nlohmann::json& report, const std::string& problem) {
  report["problems"] = {problem};
  return {false, report.dump(2), problem};
}

}  // namespace

HealthReport health_report(const storage::DatabaseConfig& database, RoutingSettings& settings,
                           std::chrono::sys_seconds now) {
  nlohmann::json report;
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = storage::connect(database);
    report["database"] = "reachable";
  } catch (const std::exception& e) {
    report["database"] = "unreachable";
    return failed(report, std::string("database: ") + e.what());
  }
  Problems problems;
  try {
    const bool current = storage::migrations_current(*connection);
    report["migrations_current"] = current;
    if (!current) {
      return failed(report, "database migrations are not current: run appealhub migrate");
    }
    check_settings(report, problems, settings, now);
    pqxx::read_transaction txn(*connection);
    check_backlog(report, problems, txn);
    check_hotline_results(report, problems, txn);
    check_adapters(report, problems, txn);
  } catch (const std::exception& e) {
    problems.push_back(std::string("health check failed: ") + e.what());
  }
  report["problems"] = problems;
  std::string line;
  for (const auto& p : problems) line += (line.empty() ? "" : "; ") + p;
  return {problems.empty(), report.dump(2), line};
}

}  // namespace appealhub::app
