// The health report: years without holiday data are reported until an administrator adds them.
// Needs PostgreSQL.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "app/health.hpp"
#include "config/shipped_defaults.hpp"
#include "core/time.hpp"
#include "storage/settings_documents.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::app {
namespace {

std::chrono::sys_seconds at(const char* rfc3339) {
  return std::chrono::time_point_cast<std::chrono::seconds>(core::parse_rfc3339(rfc3339)->utc);
}

TEST(Health, AYearWithoutHolidayDataIsReportedUntilAnAdministratorAddsIt) {
  testing::TestDatabase db("health");
  RoutingSettings settings({db.uri()});
  settings.seed_defaults();

  auto report = health_report({db.uri()}, settings, at("2026-11-28T10:00:00+08:00"));
  EXPECT_FALSE(report.ok);
  auto json = nlohmann::json::parse(report.json);
  EXPECT_EQ(json["calendar_uncovered_years"], nlohmann::json({2027}));
  EXPECT_EQ(json["database"], "reachable");

  auto calendar = nlohmann::json::parse(config::shipped_default("cn-public-holidays.json"));
  calendar["notices"]["2027"] = {"https://www.gov.cn/ (2027 notice)"};
  calendar["days"].push_back({{"date", "2027-01-01"}, {"off", true}, {"holiday", "元旦"}});
  {
    auto c = storage::connect({db.uri()});
    pqxx::work txn(*c);
    storage::save_document(txn, kCalendarDocument, calendar.dump(), "test");
    txn.commit();
  }
  report = health_report({db.uri()}, settings, at("2026-11-28T10:00:00+08:00"));
  json = nlohmann::json::parse(report.json);
  EXPECT_TRUE(report.ok) << report.json;
  EXPECT_EQ(json["calendar_uncovered_years"], nlohmann::json::array());
  EXPECT_EQ(json["settings_versions"]["calendar_days"], 2);
}

TEST(Health, AnUnmigratedDatabaseSaysSo) {
  testing::TestDatabase db("health_unmigrated", false);
  RoutingSettings settings({db.uri()});
  const auto report = health_report({db.uri()}, settings, at("2026-11-28T10:00:00+08:00"));
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(nlohmann::json::parse(report.json)["problems"][0],
            "database migrations are not current: run appealhub migrate");
}

}  // namespace
}  // namespace appealhub::app
