#include "core/time.hpp"

#include <cstdint>

namespace appealhub::core {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr int kMaxOffsetMinutes = 23 * 60 + 59;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `count` digits at `pos`, advancing it.
std::optional<int> read_fixed_digits(std::string_view text, std::size_t& pos, std::size_t count) {
  if (text.size() - pos < count) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return value;
}

// Reads one or two digits at `pos`, advancing it.
std::optional<int> read_one_or_two_digits(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
  int value = text[pos++] - '0';
  if (pos < text.size() && is_digit(text[pos])) value = value * 10 + (text[pos++] - '0');
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// The wall-clock date-time read as if it were UTC, or nullopt when no such date or time exists.
std::optional<std::chrono::sys_time<milliseconds>> civil_time(int year, int month, int day,
                                                              int hour, int minute, int second,
                                                              int millisecond) {
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 ||
      hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millisecond < 0 ||
      millisecond > 999) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;  // 2026-02-30, 2025-02-29
  return std::chrono::sys_days{date} + hours{hour} + minutes{minute} + seconds{second} +
         milliseconds{millisecond};
}

void append_digits(std::string& out, int value, int width) {
  char buffer[8];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buffer, static_cast<std::size_t>(width));
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  const auto year = read_fixed_digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  const auto month = read_fixed_digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  const auto day = read_fixed_digits(text, pos, 2);
  if (!day || !(expect(text, pos, 'T') || expect(text, pos, 't'))) return std::nullopt;
  const auto hour = read_fixed_digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  const auto minute = read_fixed_digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) return std::nullopt;
  const auto second = read_fixed_digits(text, pos, 2);
  if (!second) return std::nullopt;

  int millisecond = 0;
  if (expect(text, pos, '.')) {
    std::size_t digits = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (digits < 3) millisecond = millisecond * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) millisecond *= 10;
  }

  int offset_minutes = 0;
  if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
    offset_minutes = 0;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto offset_hours = read_fixed_digits(text, pos, 2);
    if (!offset_hours || !expect(text, pos, ':')) return std::nullopt;
    const auto offset_mins = read_fixed_digits(text, pos, 2);
    if (!offset_mins || *offset_hours > 23 || *offset_mins > 59) return std::nullopt;
    offset_minutes = sign * (*offset_hours * 60 + *offset_mins);
  } else {
    return std::nullopt;  // RFC 3339 requires an offset; a bare local time is ambiguous
  }
  if (pos != text.size()) return std::nullopt;

  const auto local = civil_time(*year, *month, *day, *hour, *minute, *second, millisecond);
  if (!local) return std::nullopt;
  return Timestamp{*local - minutes{offset_minutes}, offset_minutes};
}

bool is_representable(const Timestamp& t) {
  if (t.offset_minutes < -kMaxOffsetMinutes || t.offset_minutes > kMaxOffsetMinutes) return false;
  // Compare in milliseconds; the bounds are the first and last instant of years 0000..9999.
  const auto local = t.utc + minutes{t.offset_minutes};
  constexpr auto first = std::chrono::sys_days{std::chrono::year{0} / 1 / 1};
  constexpr auto after_last = std::chrono::sys_days{std::chrono::year{10000} / 1 / 1};
  return local >= first && local < after_last;
}

std::string format_rfc3339(const Timestamp& t) {
  const auto local = t.utc + minutes{t.offset_minutes};
  const auto day_start = std::chrono::floor<days>(local);
  const std::chrono::year_month_day date{day_start};
  const std::chrono::hh_mm_ss<milliseconds> time{local - day_start};

  std::string out;
  out.reserve(29);
  append_digits(out, static_cast<int>(date.year()), 4);
  out += '-';
  append_digits(out, static_cast<int>(static_cast<unsigned>(date.month())), 2);
  out += '-';
  append_digits(out, static_cast<int>(static_cast<unsigned>(date.day())), 2);
  out += 'T';
  append_digits(out, static_cast<int>(time.hours().count()), 2);
  out += ':';
  append_digits(out, static_cast<int>(time.minutes().count()), 2);
  out += ':';
  append_digits(out, static_cast<int>(time.seconds().count()), 2);
  if (const auto ms = time.subseconds().count(); ms != 0) {
    out += '.';
    append_digits(out, static_cast<int>(ms), 3);
  }
  if (t.offset_minutes == 0) {
    out += 'Z';
  } else {
    const int magnitude = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
    out += t.offset_minutes < 0 ? '-' : '+';
    append_digits(out, magnitude / 60, 2);
    out += ':';
    append_digits(out, magnitude % 60, 2);
  }
  return out;
}

std::optional<Timestamp> from_local_china(int year, int month, int day, int hour, int minute,
                                          int second, int millisecond) {
  const auto local = civil_time(year, month, day, hour, minute, second, millisecond);
  if (!local) return std::nullopt;
  return Timestamp{*local - minutes{kChinaOffsetMinutes}, kChinaOffsetMinutes};
}

std::optional<Timestamp> parse_china_local(std::string_view text) {
  text = trim_blanks(text);
  std::size_t pos = 0;
  const auto year = read_fixed_digits(text, pos, 4);
  if (!year || pos >= text.size()) return std::nullopt;

  if (text[pos] == '-') {  // YYYY-MM-DD HH:MM:SS
    ++pos;
    const auto month = read_fixed_digits(text, pos, 2);
    if (!month || !expect(text, pos, '-')) return std::nullopt;
    const auto day = read_fixed_digits(text, pos, 2);
    if (!day || !expect(text, pos, ' ')) return std::nullopt;
    const auto hour = read_fixed_digits(text, pos, 2);
    if (!hour || !expect(text, pos, ':')) return std::nullopt;
    const auto minute = read_fixed_digits(text, pos, 2);
    if (!minute || !expect(text, pos, ':')) return std::nullopt;
    const auto second = read_fixed_digits(text, pos, 2);
    if (!second || pos != text.size()) return std::nullopt;
    return from_local_china(*year, *month, *day, *hour, *minute, *second);
  }

  if (text[pos] == '/') {  // YYYY/M/D H:MM[:SS]
    ++pos;
    const auto month = read_one_or_two_digits(text, pos);
    if (!month || !expect(text, pos, '/')) return std::nullopt;
    const auto day = read_one_or_two_digits(text, pos);
    if (!day || !expect(text, pos, ' ')) return std::nullopt;
    const auto hour = read_one_or_two_digits(text, pos);
    if (!hour || !expect(text, pos, ':')) return std::nullopt;
    const auto minute = read_fixed_digits(text, pos, 2);
    if (!minute) return std::nullopt;
    int second = 0;
    if (expect(text, pos, ':')) {
      const auto s = read_fixed_digits(text, pos, 2);
      if (!s) return std::nullopt;
      second = *s;
    }
    if (pos != text.size()) return std::nullopt;
    return from_local_china(*year, *month, *day, *hour, *minute, second);
  }
  return std::nullopt;
}

}  // namespace appealhub::core
