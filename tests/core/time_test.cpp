// Specification of core/time.hpp: RFC 3339 with offsets, and the 12328 platform's local times.

#include "core/time.hpp"

#include <gtest/gtest.h>

namespace appealhub::core {
namespace {

using std::chrono::milliseconds;

// Milliseconds since the Unix epoch of a UTC date-time, computed independently of the parser.
UtcMillis utc(int y, unsigned m, unsigned d, int hh, int mm, int ss, int ms = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{hh} +
         std::chrono::minutes{mm} + std::chrono::seconds{ss} + milliseconds{ms};
}

TEST(Rfc3339, ReadsChinaTimeAsItsInstantAndKeepsTheOffset) {
  const auto t = parse_rfc3339("2026-11-27T09:15:32+08:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->utc, utc(2026, 11, 27, 1, 15, 32));
  EXPECT_EQ(t->offset_minutes, 480);
}

TEST(Rfc3339, ReadsUtcAndNegativeOffsets) {
  EXPECT_EQ(parse_rfc3339("2026-11-27T01:15:32Z"), (Timestamp{utc(2026, 11, 27, 1, 15, 32), 0}));
  EXPECT_EQ(parse_rfc3339("2026-11-27T01:15:32z"), (Timestamp{utc(2026, 11, 27, 1, 15, 32), 0}));
  EXPECT_EQ(parse_rfc3339("2026-11-26T20:15:32-05:00"),
            (Timestamp{utc(2026, 11, 27, 1, 15, 32), -300}));
  EXPECT_EQ(parse_rfc3339("2026-11-27T01:15:32-00:00"),
            (Timestamp{utc(2026, 11, 27, 1, 15, 32), 0}));
  EXPECT_EQ(parse_rfc3339("2026-11-27t07:00:32+05:45"),
            (Timestamp{utc(2026, 11, 27, 1, 15, 32), 345}));
}

TEST(Rfc3339, ReadsFractionsOfAnyLengthDownToMilliseconds) {
  EXPECT_EQ(parse_rfc3339("2026-11-27T09:15:32.5+08:00")->utc, utc(2026, 11, 27, 1, 15, 32, 500));
  EXPECT_EQ(parse_rfc3339("2026-11-27T09:15:32.12+08:00")->utc, utc(2026, 11, 27, 1, 15, 32, 120));
  EXPECT_EQ(parse_rfc3339("2026-11-27T09:15:32.123+08:00")->utc, utc(2026, 11, 27, 1, 15, 32, 123));
  EXPECT_EQ(parse_rfc3339("2026-11-27T09:15:32.123999999+08:00")->utc,
            utc(2026, 11, 27, 1, 15, 32, 123));
}

TEST(Rfc3339, CrossesDayMonthAndYearBoundariesByTheOffset) {
  EXPECT_EQ(parse_rfc3339("2027-01-01T07:59:59+08:00")->utc, utc(2026, 12, 31, 23, 59, 59));
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00+08:00")->utc, utc(2024, 2, 28, 16, 0, 0));
}

TEST(Rfc3339, RefusesTimesWithoutAnOffset) {
  EXPECT_FALSE(parse_rfc3339("2026-11-27T09:15:32"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T09:15:32.123"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27 09:15:32"));
}

TEST(Rfc3339, RefusesImpossibleDatesAndTimes) {
  EXPECT_FALSE(parse_rfc3339("2026-02-30T09:15:32+08:00"));
  EXPECT_FALSE(parse_rfc3339("2025-02-29T09:15:32+08:00"));  // not a leap year
  EXPECT_FALSE(parse_rfc3339("2026-13-01T09:15:32+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-00-10T09:15:32+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-00T09:15:32+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-31T09:15:32+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T24:00:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T09:60:00+08:00"));
  EXPECT_FALSE(parse_rfc3339("2026-12-31T23:59:60Z"));  // leap seconds cannot be held
  EXPECT_FALSE(parse_rfc3339("2026-11-27T09:15:32+24:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T09:15:32+08:60"));
}

TEST(Rfc3339, RefusesAnythingButTheExactForm) {
  for (const char* text :
       {"", "2026-11-27", "2026-11-27T09:15+08:00", "26-11-27T09:15:32+08:00",
        "2026-1-27T09:15:32+08:00", "2026-11-27T09:15:32.+08:00", "2026-11-27T09:15:32+0800",
        "2026-11-27T09:15:32+08", "2026-11-27T09:15:32+08:00 ", " 2026-11-27T09:15:32+08:00",
        "2026-11-27T09:15:32Z+08:00", "２026-11-27T09:15:32+08:00",
        "2026-11-27T09:15:32,5+08:00"}) {
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  }
}

TEST(Rfc3339, FormatsInTheTimestampsOwnOffset) {
  EXPECT_EQ(format_rfc3339(Timestamp{utc(2026, 11, 27, 1, 15, 32), 480}),
            "2026-11-27T09:15:32+08:00");
  EXPECT_EQ(format_rfc3339(Timestamp{utc(2026, 11, 27, 1, 15, 32), 0}), "2026-11-27T01:15:32Z");
  EXPECT_EQ(format_rfc3339(Timestamp{utc(2026, 11, 27, 1, 15, 32), -330}),
            "2026-11-26T19:45:32-05:30");
}

TEST(Rfc3339, FormatsMillisecondsOnlyWhenThereAreAny) {
  EXPECT_EQ(format_rfc3339(Timestamp{utc(2026, 11, 27, 1, 15, 32, 7), 480}),
            "2026-11-27T09:15:32.007+08:00");
  EXPECT_EQ(format_rfc3339(Timestamp{utc(2026, 11, 27, 1, 15, 32, 0), 480}),
            "2026-11-27T09:15:32+08:00");
}

TEST(Rfc3339, RoundTripsExactly) {
  for (const char* text : {"2026-11-27T09:15:32+08:00", "2026-11-27T09:15:32.120+08:00",
                           "1970-01-01T00:00:00Z", "0000-01-01T00:00:00+01:00",
                           "9999-12-31T23:59:59.999-23:59", "2024-02-29T12:00:00+05:45"}) {
    const auto t = parse_rfc3339(text);
    ASSERT_TRUE(t) << text;
    EXPECT_TRUE(is_representable(*t)) << text;
    EXPECT_EQ(format_rfc3339(*t), text);
  }
}

TEST(Timestamp, EqualityComparesInstantAndOffset) {
  const auto china = parse_rfc3339("2026-11-27T09:15:32+08:00");
  const auto utc_same_instant = parse_rfc3339("2026-11-27T01:15:32Z");
  EXPECT_EQ(china->utc, utc_same_instant->utc);
  EXPECT_NE(china, utc_same_instant);
  EXPECT_EQ(china, parse_rfc3339("2026-11-27T09:15:32.000+08:00"));
}

TEST(Timestamp, OrdersByInstantFirst) {
  EXPECT_LT(*parse_rfc3339("2026-11-27T09:15:32+08:00"), *parse_rfc3339("2026-11-27T02:00:00Z"));
}

TEST(Timestamp, IsRepresentableOnlyWithARealOffsetAndAFourDigitYear) {
  EXPECT_TRUE(is_representable(Timestamp{}));
  EXPECT_FALSE(is_representable(Timestamp{UtcMillis{}, 1440}));
  EXPECT_FALSE(is_representable(Timestamp{UtcMillis{}, -1440}));
  EXPECT_FALSE(is_representable(Timestamp{utc(9999, 12, 31, 20, 0, 0), 480}));  // 10000 locally
  EXPECT_FALSE(is_representable(Timestamp{utc(0, 1, 1, 0, 0, 0), -60}));        // year -1
}

TEST(ChinaLocal, ReadsTheDashedFormAsUtcPlus8) {
  EXPECT_EQ(parse_china_local("2026-11-27 09:15:32"),
            (Timestamp{utc(2026, 11, 27, 1, 15, 32), 480}));
}

TEST(ChinaLocal, ReadsTheOlderSlashedFormWithShortNumbers) {
  EXPECT_EQ(parse_china_local("2026/11/27 9:40"), (Timestamp{utc(2026, 11, 27, 1, 40, 0), 480}));
  EXPECT_EQ(parse_china_local("2026/1/5 0:05"), (Timestamp{utc(2026, 1, 4, 16, 5, 0), 480}));
  EXPECT_EQ(parse_china_local("2026/01/05 23:05:09"), (Timestamp{utc(2026, 1, 5, 15, 5, 9), 480}));
}

TEST(ChinaLocal, IgnoresBlanksAroundTheValue) {
  EXPECT_EQ(parse_china_local(" 2026-11-27 09:15:32\t"), parse_china_local("2026-11-27 09:15:32"));
}

TEST(ChinaLocal, RefusesImpossibleOrOtherForms) {
  for (const char* text :
       {"", "2026-02-30 09:15:32", "2026-11-27 24:00:00", "2026-11-27 9:15:32", "2026-11-27 09:15",
        "2026-11-27T09:15:32", "2026-11-27 09:15:32+08:00", "2026/11/27 9:4", "2026/11/27 109:40",
        "2026/13/1 9:40", "2026/2/29 9:40", "2026/11/27", "2026-11/27 09:15:32",
        "27/11/2026 9:40"}) {
    EXPECT_FALSE(parse_china_local(text)) << text;
  }
}

TEST(ChinaLocal, FromPartsChecksTheCalendar) {
  EXPECT_EQ(from_local_china(2026, 11, 27, 9, 15, 32, 250),
            (Timestamp{utc(2026, 11, 27, 1, 15, 32, 250), 480}));
  EXPECT_FALSE(from_local_china(2026, 2, 29, 0, 0, 0));
  EXPECT_FALSE(from_local_china(2026, 11, 27, 9, 15, 60));
  EXPECT_FALSE(from_local_china(2026, 11, 27, 9, 15, 0, 1000));
  EXPECT_FALSE(from_local_china(-1, 1, 1, 0, 0, 0));
}

}  // namespace
}  // namespace appealhub::core
