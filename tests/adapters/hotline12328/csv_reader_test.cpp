#include "adapters/hotline12328/csv_reader.hpp"

#include <gtest/gtest.h>

namespace appealhub::adapters::hotline12328 {
namespace {

using Fields = std::vector<std::string>;

TEST(CsvReader, QuotedCommasQuotesAndLineBreaks) {
  const std::string text =
      "a,b,c\r\n"
      "1,\"x, y\",\"he said \"\"hi\"\"\"\r\n"
      "2,\"line one\r\nline two\nline three\",\r\n"
      "3,,\"\"\r\n";
  const auto records = parse_csv(text);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(records[1].fields, (Fields{"1", "x, y", "he said \"hi\""}));
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_EQ(records[2].fields, (Fields{"2", "line one\nline two\nline three", ""}));
  EXPECT_EQ(records[2].line, 3u);
  EXPECT_EQ(records[3].fields, (Fields{"3", "", ""}));
  EXPECT_EQ(records[3].line, 6u);
  for (const auto& r : records) EXPECT_EQ(r.error, "");
}

TEST(CsvReader, SameRecordsForAnyChunkSize) {
  const std::string text = "h1,h2\r\n\"a\r\nb\",\"c\"\"d\"\r\ne,f\r\ng,\"h\"";
  const auto whole = parse_csv(text);
  ASSERT_EQ(whole.size(), 4u);
  for (std::size_t chunk = 1; chunk < 6; ++chunk) {
    CsvReader reader;
    std::vector<CsvRecord> out;
    for (std::size_t i = 0; i < text.size(); i += chunk) reader.feed(text.substr(i, chunk), out);
    reader.finish(out);
    EXPECT_EQ(out, whole) << "chunk " << chunk;
  }
}

TEST(CsvReader, LfOnlyAndNoFinalLineBreakAndBlankLines) {
  const auto records = parse_csv("a,b\n\n1,2\n3,4");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(records[1].line, 3u);
  EXPECT_EQ(records[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(records[2].line, 4u);
}

TEST(CsvReader, UnterminatedQuoteAtEofIsAnErrorWithItsLine) {
  const auto records = parse_csv("a,b\r\n1,2\r\n3,\"never closed\r\nmore\r\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].line, 3u);
  EXPECT_EQ(records[2].error, "unterminated quoted field (opened on line 3)");
  EXPECT_EQ(records[1].error, "");
}

TEST(CsvReader, GarbageAfterClosingQuoteIsAnError) {
  const auto records = parse_csv("a,b\r\n\"x\"y,2\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[1].error, "");
}

TEST(ColumnMap, ByNameNotPosition) {
  const auto map = ColumnMap::from_header({" 工单编号", "extra", "派单类型 "});
  ASSERT_TRUE(map);
  EXPECT_EQ(map->index("派单类型"), 2u);
  EXPECT_EQ(map->get({"GY1", "x", "新派单"}, "派单类型"), "新派单");
  EXPECT_EQ(map->get({"GY1"}, "派单类型"), "");
  EXPECT_EQ(map->get({"GY1", "x", "新派单"}, "受理时间"), "");
  std::string error;
  EXPECT_FALSE(ColumnMap::from_header({"a", "a"}, &error));
  EXPECT_EQ(error, "header column 'a' appears twice");
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
