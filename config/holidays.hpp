#pragma once
// The public-holiday calendar file (shipped default: config/data/cn-public-holidays.json, from the
// State Council's yearly notices):
//
//   {"source": "…", "rule": "…",
//    "notices": {"2026": ["https://www.gov.cn/…"]},
//    "days": [{"date": "2026-10-01", "off": true, "holiday": "国庆节"}, …]}
//
// "days" is required: each entry has "date" (YYYY-MM-DD), "off" (true: a day off; false: a
// make-up working day, which must fall on a Saturday or Sunday) and optionally "holiday" (the
// festival's name). A date may be listed once. "source", "rule" and "$comment" are free text.
//
// Covered years are the keys of "notices" (a notice may also list days of the previous
// December, so the dates alone would over-claim); a file without "notices" covers the years its
// dates fall in. Unknown keys are errors: a typo must not silently drop a holiday.

#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/json_reader.hpp"

namespace appealhub::config {

struct LoadedCalendar {
  std::optional<core::WorkingCalendar> calendar;  // set only when errors is empty
  // Each names the file, the entry and the field:
  // "cn-public-holidays.json: days[12].date: not a date (YYYY-MM-DD)".
  std::vector<core::JsonError> errors;
  std::string source;
};

// Reads a calendar file; a file that cannot be read or has any error yields no calendar.
LoadedCalendar load_holidays(const std::string& path);
// The same from text; `source` names it in errors.
LoadedCalendar parse_holidays(const std::string& text, const std::string& source);

// The shipped file, in the source tree.
std::string shipped_holidays_path();
// The environment variable APPEALHUB_HOLIDAYS when set and not empty, else the shipped file.
std::string default_holidays_path();

}  // namespace appealhub::config
