#include "adapters/hotline12328/encoding.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

using testing::to_gb18030;

const std::string kText = "工单编号,派单类型\r\n李先生,出租车拒载😀，“未开始培训全额退费”\r\n";

std::string decode_in_chunks(std::string_view bytes, Encoding enc, std::size_t chunk,
                             std::string* error = nullptr) {
  Utf8Decoder d(enc);
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += chunk) {
    if (!d.feed(bytes.substr(i, chunk), out)) {
      if (error) *error = d.error();
      return "<error>";
    }
  }
  if (!d.finish(out)) {
    if (error) *error = d.error();
    return "<error>";
  }
  return out;
}

TEST(Encoding, ParsesNames) {
  EXPECT_EQ(parse_encoding("gb18030"), Encoding::gb18030);
  EXPECT_EQ(parse_encoding("UTF-8"), Encoding::utf8);
  EXPECT_EQ(parse_encoding("utf8"), Encoding::utf8);
  EXPECT_FALSE(parse_encoding("GBK"));
}

TEST(Encoding, Gb18030AnyChunkSize) {
  const std::string gb = to_gb18030(kText);
  ASSERT_NE(gb, kText);
  for (std::size_t chunk = 1; chunk <= 7; ++chunk) {
    EXPECT_EQ(decode_in_chunks(gb, Encoding::gb18030, chunk), kText) << "chunk " << chunk;
  }
  EXPECT_EQ(decode_in_chunks(gb, Encoding::gb18030, 1 << 16), kText);
}

TEST(Encoding, Utf8WithAndWithoutBomAnyChunkSize) {
  for (std::size_t chunk = 1; chunk <= 5; ++chunk) {
    EXPECT_EQ(decode_in_chunks(kText, Encoding::utf8, chunk), kText);
    EXPECT_EQ(decode_in_chunks("\xEF\xBB\xBF" + kText, Encoding::utf8, chunk), kText);
  }
}

TEST(Encoding, ErrorsNameTheByteOffset) {
  std::string error;
  EXPECT_EQ(decode_in_chunks("ab\xFF"
                             "cd",
                             Encoding::utf8, 2, &error),
            "<error>");
  EXPECT_EQ(error, "invalid UTF-8 byte at byte offset 2");
  EXPECT_EQ(decode_in_chunks("abc\xE5\xB7", Encoding::utf8, 2, &error), "<error>");
  EXPECT_EQ(error, "truncated UTF-8 sequence at byte offset 3 at the end of the file");
  // GB18030 text read as UTF-8: the first lead byte that does not fit.
  EXPECT_EQ(decode_in_chunks("ok," + to_gb18030("工单"), Encoding::utf8, 100, &error), "<error>");
  EXPECT_NE(error.find("byte offset 3"), std::string::npos) << error;
  // 0x80 alone and 0xFF are not GB18030.
  EXPECT_EQ(decode_in_chunks("abcd\xFF\x30", Encoding::gb18030, 3, &error), "<error>");
  EXPECT_EQ(error, "invalid GB18030 byte sequence at byte offset 4");
  const std::string gb = to_gb18030("工单");
  EXPECT_EQ(decode_in_chunks(gb.substr(0, 3), Encoding::gb18030, 1, &error), "<error>");
  EXPECT_EQ(error, "truncated GB18030 sequence at byte offset 2 at the end of the file");
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
