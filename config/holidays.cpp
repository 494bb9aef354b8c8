#include "config/holidays.hpp"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/text.hpp"

#ifndef APPEALHUB_SHIPPED_HOLIDAYS
#error "APPEALHUB_SHIPPED_HOLIDAYS (the shipped holidays file) must be defined by the build"
#endif

namespace appealhub::config {
namespace {

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
  const auto root = core::parse_json_file(text, source, errors);
  if (!root) return load;
  if (!root->is_object()) {
    errors.push_back({source, "", "must be a JSON object"});
    return load;
  }

  core::JsonReader file(*root, "", source, errors);
  std::set<std::chrono::year> covered;
  bool has_notices = false;
  std::vector<core::SpecialDay> days;
  file.members([&](const std::string& key, core::JsonReader& value) {
    if (key == "source" || key == "rule" || key == "$comment") {
      if (!value.value().is_string()) value.fail("must be a string");
    } else if (key == "notices") {
      has_notices = true;
      if (!value.is_object()) return value.fail("must be an object of years");
      value.members([&](const std::string& year, core::JsonReader& urls) {
        if (year.size() != 4 || !all_digits(year)) return urls.fail("not a year (YYYY)");
        covered.insert(std::chrono::year{to_int(year)});
        bool strings = urls.value().is_array();
        for (const auto& url : urls.value()) strings = strings && url.is_string();
        if (!strings) urls.fail("must be a list of the notices' addresses");
      });
    } else if (key != "days") {
      value.fail("unknown key");
    }
  });

  std::map<std::chrono::sys_days, std::size_t> index_of_date;
  file.required("days");
  file.each("days", "must be an array", [&](core::JsonReader& entry, std::size_t i) {
    if (!entry.is_object()) return entry.fail("must be an object");
    entry.allow_only({"date", "off", "holiday"}, false);
    core::SpecialDay day;
    std::optional<std::chrono::year_month_day> date;
    if (entry.required("date")) {
      if (entry.value().at("date").is_string())
        date = parse_date(entry.value().at("date").get<std::string>());
      if (!date) entry.fail_at(entry.path_of("date"), "not a date (YYYY-MM-DD)");
    }
    const bool ok = entry.required("off") && entry.flag("off", day.off);
    entry.text("holiday", day.holiday);
    if (!date) return;
    day.date = *date;
    const auto [it, inserted] = index_of_date.emplace(std::chrono::sys_days{*date}, i);
    if (!inserted) {
      entry.fail_at(entry.path_of("date"), entry.value().at("date").get<std::string>() +
                                               " is already listed at days[" +
                                               std::to_string(it->second) + "]");
    }
    if (ok && !day.off) {
      const std::chrono::weekday wd{std::chrono::sys_days{*date}};
      if (wd != std::chrono::Saturday && wd != std::chrono::Sunday) {
        entry.fail_at(entry.path_of("off"), std::string("false (a make-up working day) on a ") +
                                                weekday_name(*date) +
                                                ": must be a Saturday or Sunday");
      }
    }
    if (!has_notices) covered.insert(date->year());
    days.push_back(std::move(day));
  });

  if (errors.empty()) load.calendar.emplace(std::move(days), std::move(covered));
  return load;
}

LoadedCalendar load_holidays(const std::string& path) {
  const auto text = core::read_text_file(path);
  if (!text) {
    LoadedCalendar load;
    load.source = path;
    load.errors.push_back({path, "", "cannot be read"});
    return load;
  }
  return parse_holidays(*text, path);
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
