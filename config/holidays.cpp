#include "config/holidays.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/text.hpp"

#ifndef APPEALHUB_SHIPPED_HOLIDAYS
#error "APPEALHUB_SHIPPED_HOLIDAYS (the shipped holidays file) must be defined by the build"
#endif

namespace appealhub::config {
namespace {

using nlohmann::json;

bool all_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int to_int(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Strict YYYY-MM-DD naming a date that exists.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{to_int(y)},
                                         std::chrono::month{static_cast<unsigned>(to_int(m))},
                                         std::chrono::day{static_cast<unsigned>(to_int(d))}};
  if (!date.ok()) return std::nullopt;
  return date;
}

const char* weekday_name(std::chrono::year_month_day date) {
  static const char* const names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
  return names[std::chrono::weekday{std::chrono::sys_days{date}}.c_encoding()];
}

}  // namespace

LoadedCalendar parse_holidays(const std::string& text, const std::string& source) {
  LoadedCalendar load;
  load.source = source;
  auto& errors = load.errors;
  const auto fail = [&](std::string field, std::string message) {
    errors.push_back({source, std::move(field), std::move(message)});
  };

  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    errors.push_back({source + ":" + core::text_position(text, e.byte > 0 ? e.byte - 1 : 0), "",
                      "not valid JSON"});
    return load;
  }
  if (!root.is_object()) {
    fail("", "must be a JSON object");
    return load;
  }

  std::set<std::chrono::year> covered;
  bool has_notices = false;
  std::vector<core::SpecialDay> days;
  for (const auto& [key, value] : root.items()) {
    if (key == "source" || key == "rule" || key == "$comment") {
      if (!value.is_string()) fail(key, "must be a string");
    } else if (key == "notices") {
      has_notices = true;
      if (!value.is_object()) {
        fail(key, "must be an object of years");
        continue;
      }
      for (const auto& [year, urls] : value.items()) {
        if (year.size() != 4 || !all_digits(year)) {
          fail("notices." + year, "not a year (YYYY)");
          continue;
        }
        covered.insert(std::chrono::year{to_int(year)});
        bool strings = urls.is_array();
        for (const auto& url : urls) strings = strings && url.is_string();
        if (!strings) fail("notices." + year, "must be a list of the notices' addresses");
      }
    } else if (key != "days") {
      fail(key, "unknown key");
    }
  }

  if (!root.contains("days")) {
    fail("days", "missing");
  } else if (!root.at("days").is_array()) {
    fail("days", "must be an array");
  } else {
    std::map<std::chrono::sys_days, std::size_t> index_of_date;
    const auto& list = root.at("days");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& entry = list[i];
      const std::string at = "days[" + std::to_string(i) + "]";
      if (!entry.is_object()) {
        fail(at, "must be an object");
        continue;
      }
      for (const auto& [key, value] : entry.items()) {
        if (key != "date" && key != "off" && key != "holiday") fail(at + "." + key, "unknown key");
      }
      core::SpecialDay day;
      bool ok = true;
      std::optional<std::chrono::year_month_day> date;
      if (!entry.contains("date")) {
        fail(at + ".date", "missing");
      } else if (entry.at("date").is_string()) {
        date = parse_date(entry.at("date").get<std::string>());
      }
      if (entry.contains("date") && !date) fail(at + ".date", "not a date (YYYY-MM-DD)");
      if (!entry.contains("off")) {
        fail(at + ".off", "missing");
        ok = false;
      } else if (!entry.at("off").is_boolean()) {
        fail(at + ".off", "must be true or false");
        ok = false;
      } else {
        day.off = entry.at("off").get<bool>();
      }
      if (entry.contains("holiday")) {
        if (entry.at("holiday").is_string()) {
          day.holiday = entry.at("holiday").get<std::string>();
        } else {
          fail(at + ".holiday", "must be a string");
        }
      }
      if (!date) continue;
      day.date = *date;
      const auto [it, inserted] = index_of_date.emplace(std::chrono::sys_days{*date}, i);
      if (!inserted) {
        fail(at + ".date", entry.at("date").get<std::string>() + " is already listed at days[" +
                               std::to_string(it->second) + "]");
      }
      if (ok && !day.off) {
        const std::chrono::weekday wd{std::chrono::sys_days{*date}};
        if (wd != std::chrono::Saturday && wd != std::chrono::Sunday) {
          fail(at + ".off", std::string("false (a make-up working day) on a ") +
                                weekday_name(*date) + ": must be a Saturday or Sunday");
        }
      }
      if (!has_notices) covered.insert(date->year());
      days.push_back(std::move(day));
    }
  }

  if (errors.empty()) load.calendar.emplace(std::move(days), std::move(covered));
  return load;
}

LoadedCalendar load_holidays(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedCalendar load;
    load.source = path;
    load.errors.push_back({path, "", "cannot be read"});
    return load;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_holidays(text.str(), path);
}

std::string shipped_holidays_path() {
  return APPEALHUB_SHIPPED_HOLIDAYS;
}

std::string default_holidays_path() {
  if (const char* env = std::getenv("APPEALHUB_HOLIDAYS"); env != nullptr && *env != '\0') {
    return env;
  }
  return shipped_holidays_path();
}

}  // namespace appealhub::config
