// Result files and receipts of the 12328 interface (§2, §3): the row of each reply type, the file
// name, the encoding, RFC 4180 quoting with CRLF, the marker's rows and SHA-256, at most 500 rows,
// the temporary name and the marker last, and receipts read strictly.

#include "adapters/hotline12328/result_file.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "adapters/hotline12328/csv_reader.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

namespace fs = std::filesystem;

core::ReplyRequested reply(core::ReplyType type) {
  core::ReplyRequested r;
  r.reply_id = "r1";
  r.ticket_id = 7;
  r.channel = "hotline12328";
  r.external_id = "GY20261127000001";
  r.type = type;
  r.content = "已核实，\"司机\"已处罚,\n请知悉。";
  r.department = "市道路运输事务中心";
  r.handler = "李明";
  r.contact_phone = "0839-3261234";
  r.answered_at = *core::parse_rfc3339("2026-11-28T01:02:03Z");  // 09:02:03 in China
  r.return_reason = "不属本单位职责";
  r.extension_days = 5;
  return r;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), d, &n, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", d[i]);
    out += buf;
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ResultFile, EachReplyTypeHasItsRow) {
  const auto final_row = result_row(reply(core::ReplyType::final_answer));
  EXPECT_EQ(final_row.result_type, "办结");
  EXPECT_EQ(final_row.order_id, "GY20261127000001");
  EXPECT_EQ(final_row.answered_at, "2026-11-28 09:02:03");
  EXPECT_EQ(final_row.return_reason, "");
  EXPECT_EQ(final_row.extension_days, "");
  EXPECT_EQ(result_row(reply(core::ReplyType::interim)).result_type, "阶段答复");
  const auto returned = result_row(reply(core::ReplyType::return_order));
  EXPECT_EQ(returned.result_type, "退回");
  EXPECT_EQ(returned.return_reason, "不属本单位职责");
  const auto extension = result_row(reply(core::ReplyType::extension_request));
  EXPECT_EQ(extension.result_type, "延期申请");
  EXPECT_EQ(extension.extension_days, "5");
  EXPECT_EQ(extension.return_reason, "");
}

TEST(ResultFile, NameHasUnitChinaTimeAndSequence) {
  const auto at = core::parse_rfc3339("2026-11-28T16:30:05Z")->utc;  // 00:30:05 next day
  EXPECT_EQ(result_file_name("510800JT", at, 42),
            "12328_510800JT_RESULT_20261129003005_000042.csv");
  EXPECT_EQ(result_file_name("510800JT", at, 1234567),
            "12328_510800JT_RESULT_20261129003005_1234567.csv");
  EXPECT_EQ(receipt_file_name("12328_510800JT_RESULT_20261129003005_000042.csv"),
            "12328_510800JT_RESULT_20261129003005_000042.receipt.csv");
}

TEST(ResultFile, Gb18030WithQuotingCrlfAndMarker) {
  const std::vector<ResultRow> rows = {result_row(reply(core::ReplyType::final_answer)),
                                       result_row(reply(core::ReplyType::extension_request))};
  const auto file = build_result_file(rows, Encoding::gb18030);
  // Not UTF-8 bytes: GB18030 of 工 is B9 A4.
  EXPECT_EQ(file.bytes.substr(0, 2), "\xB9\xA4");
  EXPECT_EQ(file.marker.rows, 2u);
  EXPECT_EQ(file.marker.encoding, Encoding::gb18030);
  EXPECT_EQ(file.marker.sha256, sha256_hex(file.bytes));

  const auto text = decode_to_utf8(file.bytes, Encoding::gb18030);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->starts_with(
      "工单编号,结果类型,办理结果,办理单位,办理人,联系电话,办结时间,退回原因,延期天数\r\n"));
  EXPECT_NE(text->find(",\"已核实，\"\"司机\"\"已处罚,\n请知悉。\","), std::string::npos);
  EXPECT_TRUE(text->ends_with(",5\r\n"));
  const auto records = parse_csv(*text);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].fields.size(), 9u);
  EXPECT_EQ(records[1].fields[2], "已核实，\"司机\"已处罚,\n请知悉。");
  EXPECT_EQ(records[2].fields[1], "延期申请");
  EXPECT_EQ(records[2].fields[8], "5");
}

TEST(ResultFile, Utf8WhenConfigured) {
  const auto file =
      build_result_file({result_row(reply(core::ReplyType::interim))}, Encoding::utf8);
  EXPECT_TRUE(file.bytes.starts_with("工单编号,"));
  EXPECT_EQ(file.marker.encoding, Encoding::utf8);
  EXPECT_EQ(marker_text(file.marker),
            "rows=1\r\nencoding=UTF-8\r\nsha256=" + sha256_hex(file.bytes) + "\r\n");
}

TEST(ResultFile, AtMostFiveHundredRows) {
  std::vector<ResultRow> rows(500, result_row(reply(core::ReplyType::final_answer)));
  EXPECT_EQ(build_result_file(rows, Encoding::gb18030).marker.rows, 500u);
  rows.push_back(rows.front());
  EXPECT_THROW(build_result_file(rows, Encoding::gb18030), std::invalid_argument);
}

TEST(ResultFile, RefusesTextThatIsNotUtf8) {
  EXPECT_THROW(encode_from_utf8("a\xFF", Encoding::gb18030), std::runtime_error);
  EXPECT_THROW(encode_from_utf8("a\xFF", Encoding::utf8), std::runtime_error);
}

TEST(ResultFile, WrittenWithMarkerAndNoTemporaryLeft) {
  const auto dir = fs::temp_directory_path() / ("result_file_test_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string name = "12328_510800JT_RESULT_20261129003005_000001.csv";
  const auto file =
      build_result_file({result_row(reply(core::ReplyType::final_answer))}, Encoding::gb18030);
  write_result_file(dir, name, file);
  write_result_file(dir, name, file);  // again after a crash: the same file
  EXPECT_EQ(slurp(dir / name), file.bytes);
  const auto marker = parse_marker(slurp(dir / (name + ".ok")));
  ASSERT_TRUE(marker.marker) << marker.error;
  EXPECT_EQ(*marker.marker, file.marker);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
  fs::remove_all(dir);
}

TEST(Receipt, ReadsRowsInOrder) {
  const auto rows = parse_receipt(
      "\xEF\xBB\xBF工单编号,处理结果,失败原因\r\nA1,成功,\r\nA2,失败,系统繁忙请重试\r\nA3,失败,"
      "\"办理结果超长\"\r\n");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0], (ReceiptRow{"A1", true, ""}));
  EXPECT_EQ((*rows)[1], (ReceiptRow{"A2", false, std::string(kBusyReason)}));
  EXPECT_EQ((*rows)[2], (ReceiptRow{"A3", false, "办理结果超长"}));
}

TEST(Receipt, RefusesWhatItCannotRead) {
  std::string error;
  EXPECT_FALSE(parse_receipt("工单编号,处理结果\r\nA1,成功\r\n", &error));
  EXPECT_NE(error.find("失败原因"), std::string::npos);
  EXPECT_FALSE(parse_receipt("工单编号,处理结果,失败原因\r\nA1,可能,\r\n", &error));
  EXPECT_FALSE(parse_receipt("工单编号,处理结果,失败原因\r\nA1,成功,\"x\r\n", &error));
  EXPECT_FALSE(parse_receipt("", &error));
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
