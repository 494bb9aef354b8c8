#pragma once
// Points in time as the appeal.v1 format carries them: an instant plus the UTC offset it was
// written in, so that "2026-11-27T09:15:32+08:00" goes out again exactly as it came in.
//
// Every parser here is strict and returns nullopt rather than guessing: an appeal's deadline is
// counted from these values, and a silently shifted hour would move it.

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace appealhub::core {

using UtcMillis = std::chrono::sys_time<std::chrono::milliseconds>;

// China Standard Time, UTC+8; China has had no daylight saving time since 1991.
inline constexpr int kChinaOffsetMinutes = 480;

// An instant with millisecond precision and the offset (minutes east of UTC) to show it in.
// Two timestamps are equal when both the instant and the offset are equal; order is by instant
// first. A valid offset lies within ±23:59 (±1439 minutes).
struct Timestamp {
  UtcMillis utc{};
  int offset_minutes = kChinaOffsetMinutes;

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
// The offset is required. `T` and `Z` may be lower case (RFC 3339 §5.6). A fraction of any length
// is accepted and truncated to milliseconds. Rejects impossible dates (2026-02-30), hours above 23,
// leap seconds (:60, which the instant type cannot hold), offsets beyond ±23:59 and anything
// before or after the text. `-00:00` is read as UTC.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// Formats in the timestamp's own offset: `2026-11-27T09:15:32+08:00`, `Z` for offset 0, and
// `.mmm` only when the milliseconds are not zero. Precondition: is_representable(t).
std::string format_rfc3339(const Timestamp& t);

// True when format_rfc3339(t) yields text that parse_rfc3339 reads back as t: the offset is
// within ±23:59 and the local date falls in years 0000..9999.
bool is_representable(const Timestamp& t);

// A wall-clock time in China (UTC+8), e.g. from a 12328 export. Returns nullopt for an impossible
// date or time (month 13, 2026-02-30, 24:00, second 60).
std::optional<Timestamp> from_local_china(int year, int month, int day, int hour, int minute,
                                          int second, int millisecond = 0);

// Parses the 12328 platform's local times (UTC+8): `YYYY-MM-DD HH:MM:SS`, and the older
// `YYYY/M/D H:MM` (month, day and hour with one or two digits; `:SS` may follow). Spaces and tabs
// around the text are ignored, since the values are typed or exported by hand.
std::optional<Timestamp> parse_china_local(std::string_view text);

}  // namespace appealhub::core
