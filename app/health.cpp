#include "app/health.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "core/deadline.hpp"
#include "storage/migrations.hpp"

namespace appealhub::app {

HealthReport health_report(const storage::DatabaseConfig& database, RoutingSettings& settings,
                           std::chrono::sys_seconds now) {
  nlohmann::json report;
  std::vector<std::string> problems;
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = storage::connect(database);
    report["database"] = "reachable";
  } catch (const std::exception& e) {
    report["database"] = "unreachable";
    report["problems"] = {std::string("database: ") + e.what()};
    return {false, report.dump(2), std::string("database: ") + e.what()};
  }
  try {
    const bool current = storage::migrations_current(*connection);
    report["migrations_current"] = current;
    if (!current) {
      report["problems"] = {"database migrations are not current: run appealhub migrate"};
      return {false, report.dump(2), "database migrations are not current: run appealhub migrate"};
    }

    const auto refused = settings.refresh();
    if (!refused.empty()) problems.insert(problems.end(), refused.begin(), refused.end());
    if (const auto setup = settings.current()) {
      report["settings_versions"] = setup->versions;
      // This year and the next: a deadline can run into the next year.
      const int year = static_cast<int>(core::china_date(now).year());
      std::vector<int> uncovered;
      for (int y : {year, year + 1}) {
        if (!setup->calendar->covers(std::chrono::year(y))) uncovered.push_back(y);
      }
      report["calendar_uncovered_years"] = uncovered;
      for (int y : uncovered) {
        problems.push_back("the working-day calendar has no public holidays for " +
                           std::to_string(y) +
                           ": deadlines there count weekends only until an administrator adds "
                           "them (appealhub settings load calendar_days FILE)");
      }
    }

    pqxx::read_transaction txn(*connection);
    const auto row = txn.exec1(
        "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL),"
        " (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::bigint FROM outbox"
        "  WHERE sent_at IS NULL),"
        " (SELECT count(*) FROM rejected_messages),"
        " (SELECT count(*) FROM tickets WHERE status = 'triage'),"
        " (SELECT count(*) FROM tickets WHERE status = 'received')");
    report["outbox_unsent"] = row[0].as<long long>();
    report["outbox_oldest_unsent_seconds"] = row[1].as<long long>();
    report["rejected_messages"] = row[2].as<long long>();
    report["tickets_at_dispatch_desk"] = row[3].as<long long>();
    report["tickets_unplaced"] = row[4].as<long long>();
    if (row[1].as<long long>() > 300) {
      problems.push_back("outbox messages wait for more than 5 minutes: is the relay running?");
    }
    // Marked by the 12328 result sender once hotline12328.receipt_timeout_minutes passed.
    const auto late = txn.exec(
        "SELECT name FROM hotline_result_files WHERE state = 'written' AND "
        "overdue_reported_at IS NOT NULL ORDER BY sequence");
    report["hotline12328_results_without_receipt"] = late.size();
    for (const auto& r : late) {
      problems.push_back(std::string("12328 result file ") + r[0].c_str() +
                         " has no receipt from the platform: are its answers applied?");
    }
    // Abandoned result files (their replies went out again) and what a late receipt said.
    report["hotline12328_results_abandoned"] = nlohmann::json::array();
    for (const auto& r :
         txn.exec("SELECT name, abandoned_by, late_receipt FROM hotline_result_files WHERE state = "
                  "'abandoned' AND abandoned_at > now() - interval '7 days' ORDER BY sequence")) {
      report["hotline12328_results_abandoned"].push_back(
          {{"file", r[0].c_str()}, {"abandoned_by", r[1].c_str()}, {"late_receipt", r[2].c_str()}});
    }
    // What the 12328 export intake refused in the last 7 days (to take up with the platform).
    const auto hotline_refused = txn.exec1(
        "SELECT count(*) FILTER (WHERE line IS NULL), count(*) FILTER (WHERE line IS NOT NULL) "
        "FROM hotline_refused WHERE refused_at > now() - interval '7 days'");
    auto latest = nlohmann::json::array();
    for (const auto& r :
         txn.exec("SELECT file, line, reason FROM hotline_refused WHERE refused_at > now() - "
                  "interval '7 days' ORDER BY refused_at DESC, id DESC LIMIT 20")) {
      latest.push_back(
          {{"file", r[0].c_str()},
           {"line", r[1].is_null() ? nlohmann::json() : nlohmann::json(r[1].as<int>())},
           {"reason", r[2].c_str()}});
    }
    report["hotline12328_refused"] = {{"files", hotline_refused[0].as<long long>()},
                                      {"rows", hotline_refused[1].as<long long>()},
                                      {"latest", latest}};
    // Adapters whose last error is newer than their last success, among those that reported in
    // the last 10 minutes (a stopped process's old row is not a current problem).
    report["adapters"] = nlohmann::json::array();
    for (const auto& r : txn.exec(
             "SELECT adapter, instance, last_error, to_char(last_error_at AT TIME ZONE "
             "'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), last_error_at > coalesce(last_success_at, "
             "'-infinity') AND updated_at > now() - interval '10 minutes', counters::text "
             "FROM adapter_status ORDER BY adapter, instance")) {
      const bool failing = !r[4].is_null() && r[4].as<bool>();
      report["adapters"].push_back({{"adapter", r[0].c_str()},
                                    {"instance", r[1].c_str()},
                                    {"failing", failing},
                                    {"last_error", r[2].c_str()},
                                    {"counters", nlohmann::json::parse(r[5].c_str())}});
      if (failing) {
        problems.push_back(std::string(r[0].c_str()) + " on " + r[1].c_str() + " fails since " +
                           r[3].c_str() + ": " + r[2].c_str());
      }
    }
  } catch (const std::exception& e) {
    problems.push_back(std::string("health check failed: ") + e.what());
  }
  report["problems"] = problems;
  std::string line;
  for (const auto& p : problems) line += (line.empty() ? "" : "; ") + p;
  return {problems.empty(), report.dump(2), line};
}

}  // namespace appealhub::app
