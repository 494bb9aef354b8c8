// The holiday calendar file: the shipped one loads; every error names file, entry and field; a bad
// file gives no calendar at all.

#include "config/holidays.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace appealhub::config {
namespace {

using namespace std::chrono_literals;
using std::chrono::year;

std::vector<std::string> errors_of(const std::string& text) {
  const auto load = parse_holidays(text, "cn-public-holidays.json");
  EXPECT_EQ(load.calendar.has_value(), load.errors.empty());
  std::vector<std::string> out;
  for (const auto& e : load.errors) out.push_back(e.to_string());
  return out;
}

TEST(Holidays, ShippedFileLoads) {
  const auto load = load_holidays(shipped_holidays_path());
  for (const auto& e : load.errors) ADD_FAILURE() << e.to_string();
  ASSERT_TRUE(load.calendar.has_value());
  EXPECT_EQ(load.calendar->covered_years(), (std::set<year>{year{2025}, year{2026}}));
  EXPECT_EQ(load.calendar->days().size(), 72u);
  EXPECT_FALSE(load.calendar->is_working_day(2026y / 10 / 1));
  EXPECT_TRUE(load.calendar->is_working_day(2026y / 10 / 10));
}

TEST(Holidays, DefaultPathIsTheShippedFileUnlessOverridden) {
  ::unsetenv("APPEALHUB_HOLIDAYS");
  EXPECT_EQ(default_holidays_path(), shipped_holidays_path());
  ::setenv("APPEALHUB_HOLIDAYS", "/etc/appealhub/holidays.json", 1);
  EXPECT_EQ(default_holidays_path(), "/etc/appealhub/holidays.json");
  ::setenv("APPEALHUB_HOLIDAYS", "", 1);
  EXPECT_EQ(default_holidays_path(), shipped_holidays_path());
  ::unsetenv("APPEALHUB_HOLIDAYS");
}

TEST(Holidays, CoveredYearsAreTheNoticesYears) {
  // The 2024 notice listed 2023-12-30/31: those dates do not make 2023 covered.
  const auto load = parse_holidays(R"({"notices": {"2024": ["https://www.gov.cn/x"]},
    "days": [{"date": "2023-12-30", "off": true, "holiday": "元旦"},
             {"date": "2024-01-01", "off": true, "holiday": "元旦"}]})",
                                   "h.json");
  ASSERT_TRUE(load.errors.empty());
  EXPECT_EQ(load.calendar->covered_years(), std::set<year>{year{2024}});
  EXPECT_FALSE(load.calendar->is_working_day(2023y / 12 / 30));
}

TEST(Holidays, WithoutNoticesTheDatesYearsAreCovered) {
  const auto load = parse_holidays(R"({"days": [{"date": "2027-10-01", "off": true}]})", "h.json");
  ASSERT_TRUE(load.errors.empty());
  EXPECT_EQ(load.calendar->covered_years(), std::set<year>{year{2027}});
  EXPECT_EQ(load.calendar->special_day(2027y / 10 / 1)->holiday, "");
}

TEST(Holidays, ErrorsNameFileEntryAndField) {
  EXPECT_EQ(
      errors_of(R"({"days": [{"date": "2026-10-01", "off": true},
                                   {"date": "2026-13-01", "off": true}]})"),
      std::vector<std::string>{"cn-public-holidays.json: days[1].date: not a date (YYYY-MM-DD)"});
  EXPECT_EQ(
      errors_of(R"({"days": [{"date": "2026-2-30", "off": true}]})"),
      std::vector<std::string>{"cn-public-holidays.json: days[0].date: not a date (YYYY-MM-DD)"});
  EXPECT_EQ(
      errors_of(R"({"days": [{"date": "2026-10-01", "off": "yes"}]})"),
      std::vector<std::string>{"cn-public-holidays.json: days[0].off: must be true or false"});
  EXPECT_EQ(errors_of(R"({"days": [{"date": "2026-10-01"}]})"),
            std::vector<std::string>{"cn-public-holidays.json: days[0].off: missing"});
  EXPECT_EQ(errors_of(R"({"days": [{"date": "2026-10-01", "off": true, "holiday": 1}]})"),
            std::vector<std::string>{"cn-public-holidays.json: days[0].holiday: must be a string"});
  EXPECT_EQ(errors_of(R"({"days": [{"date": "2026-10-01", "of": true}]})"),
            (std::vector<std::string>{"cn-public-holidays.json: days[0].of: unknown key",
                                      "cn-public-holidays.json: days[0].off: missing"}));
  EXPECT_EQ(errors_of(R"({"days": [{"date": "2026-10-01", "off": true},
                                   {"date": "2026-10-01", "off": true}]})"),
            std::vector<std::string>{"cn-public-holidays.json: days[1].date: 2026-10-01 is "
                                     "already listed at days[0]"});
  EXPECT_EQ(errors_of(R"({"days": [{"date": "2026-09-21", "off": false}]})"),
            std::vector<std::string>{"cn-public-holidays.json: days[0].off: false (a make-up "
                                     "working day) on a Monday: must be a Saturday or Sunday"});
  EXPECT_EQ(errors_of(R"({"days": [], "notices": {"26": []}})"),
            std::vector<std::string>{"cn-public-holidays.json: notices.26: not a year (YYYY)"});
  EXPECT_EQ(errors_of(R"({"days": [], "holidays": []})"),
            std::vector<std::string>{"cn-public-holidays.json: holidays: unknown key"});
  EXPECT_EQ(errors_of(R"({"notices": {}})"),
            std::vector<std::string>{"cn-public-holidays.json: days: missing"});
  EXPECT_EQ(errors_of(R"({"days": [1]})"),
            std::vector<std::string>{"cn-public-holidays.json: days[0]: must be an object"});
  EXPECT_EQ(
      errors_of("{\n  \"days\": [\n  }"),
      std::vector<std::string>{"cn-public-holidays.json:3:3: not valid JSON: syntax error while "
                               "parsing value - unexpected '}'; expected '[', '{', or a "
                               "literal"});
  EXPECT_EQ(errors_of("[]"),
            std::vector<std::string>{"cn-public-holidays.json: must be a JSON object"});
}

TEST(Holidays, OneBadEntryMeansNoCalendar) {
  const auto load = parse_holidays(R"({"days": [{"date": "2026-10-01", "off": true},
                                                 {"date": "2026-10-02", "off": 1}]})",
                                   "h.json");
  EXPECT_FALSE(load.calendar.has_value());
  EXPECT_EQ(load.errors.size(), 1u);
}

TEST(Holidays, MissingFileIsAnError) {
  const auto load = load_holidays("/nonexistent/holidays.json");
  EXPECT_FALSE(load.calendar.has_value());
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_EQ(load.errors[0].to_string(), "/nonexistent/holidays.json: cannot be read");
}

}  // namespace
}  // namespace appealhub::config
