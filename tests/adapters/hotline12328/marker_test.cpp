#include "adapters/hotline12328/marker.hpp"

#include <gtest/gtest.h>

namespace appealhub::adapters::hotline12328 {
namespace {

const std::string kSha(64, 'a');

TEST(Marker, ReadsLfAndCrlf) {
  for (const std::string eol : {"\n", "\r\n"}) {
    const auto r =
        parse_marker("rows=118" + eol + "encoding=GB18030" + eol + "sha256=" + kSha + eol);
    ASSERT_TRUE(r.marker) << r.error;
    EXPECT_EQ(r.marker->rows, 118u);
    EXPECT_EQ(r.marker->encoding, Encoding::gb18030);
    EXPECT_EQ(r.marker->sha256, kSha);
  }
}

TEST(Marker, AcceptsUtf8SpacesUppercaseHexAndUnknownKeys) {
  const auto r = parse_marker(
      "\xEF\xBB\xBF rows = 0 \nencoding=utf-8\nsha256=" + std::string(64, 'A') + "\nnote=x\n\n");
  ASSERT_TRUE(r.marker) << r.error;
  EXPECT_EQ(r.marker->rows, 0u);
  EXPECT_EQ(r.marker->encoding, Encoding::utf8);
  EXPECT_EQ(r.marker->sha256, std::string(64, 'a'));
}

TEST(Marker, ClearErrors) {
  EXPECT_EQ(parse_marker("encoding=UTF-8\nsha256=" + kSha).error, "missing rows=");
  EXPECT_EQ(parse_marker("rows=1\nsha256=" + kSha).error, "missing encoding=");
  EXPECT_EQ(parse_marker("rows=1\nencoding=UTF-8\n").error, "missing sha256=");
  EXPECT_EQ(parse_marker("rows=x\n").error, "line 1: rows: not a number: 'x'");
  EXPECT_EQ(parse_marker("rows=1\nrows=2\n").error, "line 2: rows: repeated");
  EXPECT_EQ(parse_marker("rows=1\nencoding=GBK\n").error,
            "line 2: encoding: unsupported 'GBK' (expected GB18030 or UTF-8)");
  EXPECT_EQ(parse_marker("rows=1\nencoding=UTF-8\nsha256=abc\n").error,
            "line 3: sha256: not 64 hex digits: 'abc'");
  EXPECT_EQ(parse_marker("hello\n").error, "line 1: expected key=value, got 'hello'");
  EXPECT_FALSE(parse_marker("").marker);
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
