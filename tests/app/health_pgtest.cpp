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

// Refused 12328 rows and files, and abandoned result files, are in the report for operators.
TEST(Health, Hotline12328RefusalsAndAbandonedResultFilesAreShown) {
  testing::TestDatabase db("health_hotline");
  RoutingSettings settings({db.uri()});
  settings.seed_defaults();
  db.exec(
      "INSERT INTO hotline_refused (file, line, reason, refused_at) VALUES "
      "('12328_510800JT_20261127170000_000119.csv', NULL, 'SHA-256 does not match', "
      "now() - interval '1 minute'), "
      "('12328_510800JT_20261127155000_000117.csv', 2, '派单类型: unknown', now())");
  db.exec(
      "INSERT INTO hotline_result_files (name, sequence, reply_ids, state, written_at, "
      "abandoned_at, abandoned_by, late_receipt) VALUES ('12328_510800JT_RESULT_1_000001.csv', 1, "
      "'{}', 'abandoned', now(), now(), 'mgr', '2 成功')");
  const auto json = nlohmann::json::parse(
      health_report({db.uri()}, settings, at("2026-11-28T10:00:00+08:00")).json);
  EXPECT_EQ(json["hotline12328_refused"]["files"], 1);
  EXPECT_EQ(json["hotline12328_refused"]["rows"], 1);
  ASSERT_EQ(json["hotline12328_refused"]["latest"].size(), 2u);
  EXPECT_EQ(json["hotline12328_refused"]["latest"][0]["line"], 2);
  EXPECT_EQ(json["hotline12328_refused"]["latest"][1]["line"], nullptr);
  EXPECT_EQ(json["hotline12328_refused"]["latest"][1]["reason"], "SHA-256 does not match");
  EXPECT_EQ(json["hotline12328_results_abandoned"],
            nlohmann::json::parse(R"([{"file": "12328_510800JT_RESULT_1_000001.csv",
                                      "abandoned_by": "mgr", "late_receipt": "2 成功"}])"));
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
