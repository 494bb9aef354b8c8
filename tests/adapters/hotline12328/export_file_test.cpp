#include "adapters/hotline12328/export_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/codec.hpp"
#include "core/ids.hpp"
#include "core/validation.hpp"
#include "test_support.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

using testing::kHeader;
using testing::marker_for;
using testing::read_file;
using testing::TempDir;
using testing::to_gb18030;
using testing::write_file;

const std::string kSampleName = "12328_510800JT_20261127160000_000118.csv";
const std::filesystem::path kData = HOTLINE12328_TEST_DATA;

std::vector<std::string> names(const ExportFileResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.events) out.emplace_back(e.event.name());
  return out;
}

TEST(ExportFile, ShippedSample) {
  const auto r = read_export_file((kData / kSampleName).string());
  ASSERT_EQ(r.status, ExportStatus::taken) << r.reject_reason;
  EXPECT_EQ(r.data_rows, 6u);
  EXPECT_TRUE(r.row_errors.empty()) << format_error_report(r);
  ASSERT_EQ(r.events.size(), 6u);
  EXPECT_EQ(names(r),
            (std::vector<std::string>{"appeal.received", "appeal.received", "appeal.received",
                                      "appeal.supplemented", "appeal.urged", "appeal.withdrawn"}));
  // Physical lines: the second order's content spans three lines.
  std::vector<std::size_t> lines;
  for (const auto& e : r.events) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<std::size_t>{2, 3, 6, 7, 8, 9}));

  const auto& first = std::get<core::AppealReceived>(r.events[0].event.body).appeal;
  EXPECT_EQ(first.external_id, "GY12328202611270153");
  EXPECT_EQ(first.division, "510802");
  EXPECT_EQ(first.plate, "川HT2231");
  EXPECT_EQ(first.category, "taxi");
  EXPECT_EQ(first.channel_meta["source_file"], kSampleName);
  EXPECT_EQ(first.channel_meta["source_line"], 2);

  const auto& second = std::get<core::AppealReceived>(r.events[1].event.body).appeal;
  EXPECT_EQ(core::format_rfc3339(second.received_at), "2026-11-27T09:40:00+08:00");
  EXPECT_TRUE(second.citizen.anonymous);
  EXPECT_EQ(second.citizen.phone, "0839-3301234");
  EXPECT_EQ(second.content,
            "报名驾校后因工作调动想退费，驾校说只能退一半，\n请问有没有相关规定？\n"
            "合同上写的是“未开始培训全额退费”。");
  EXPECT_FALSE(second.channel_deadline);

  const auto& third = std::get<core::AppealReceived>(r.events[2].event.body).appeal;
  EXPECT_EQ(third.division, "510811");
  EXPECT_EQ(third.plate, "川H52731");
  EXPECT_EQ(third.urgency, core::Urgency::urgent);
  EXPECT_NE(third.content.find("\"随时可能掉下来\""), std::string::npos);
  ASSERT_EQ(third.attachments.size(), 2u);
  EXPECT_EQ(third.attachments[0].url, "https://files.12328.example/att/8812.jpg");

  // The supplement's id matches the documented example (docs/appeal-v1.md).
  EXPECT_EQ(r.events[3].event.event_id, "ev1-25e57005e2f826c2d5cc5f02d72be545");
  EXPECT_EQ(std::get<core::AppealSupplemented>(r.events[3].event.body).supplement_id,
            kSampleName + ":5");

  for (const auto& e : r.events) {
    EXPECT_TRUE(core::validate(e.event).empty()) << core::to_string(core::validate(e.event));
    const auto decoded = core::decode_event(core::encode_event(e.event));
    ASSERT_TRUE(decoded.ok()) << core::to_string(decoded.errors());
    EXPECT_EQ(decoded.event(), e.event);
  }
}

TEST(ExportFile, SameFileTwiceGivesSameIdsAndNewOrderIdIsFileIndependent) {
  const std::string csv = read_file(kData / kSampleName);
  const std::string marker = read_file(kData / (kSampleName + ".ok"));
  const auto a = read_export_bytes(kSampleName, marker, csv);
  const auto b = read_export_bytes(kSampleName, marker, csv, 7);
  const auto other = read_export_bytes("12328_510800JT_20261127170000_000119.csv", marker, csv);
  ASSERT_EQ(a.events.size(), 6u);
  ASSERT_EQ(other.events.size(), 6u);
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].event, b.events[i].event);
    if (i < 3) {  // 新派单: a re-export is the same event
      EXPECT_EQ(a.events[i].event.event_id, other.events[i].event.event_id);
    } else {  // 补充/催办/撤销 in another file are other facts
      EXPECT_NE(a.events[i].event.event_id, other.events[i].event.event_id);
    }
  }
}

TEST(ExportFile, AnyChunkSizeSplittingGb18030Characters) {
  const std::string csv = read_file(kData / kSampleName);
  const std::string marker = read_file(kData / (kSampleName + ".ok"));
  const auto whole = read_export_bytes(kSampleName, marker, csv);
  for (std::size_t chunk : {1, 2, 3, 5, 13}) {
    const auto r = read_export_bytes(kSampleName, marker, csv, chunk);
    ASSERT_TRUE(r.taken());
    ASSERT_EQ(r.events.size(), whole.events.size());
    for (std::size_t i = 0; i < r.events.size(); ++i)
      EXPECT_EQ(r.events[i].event, whole.events[i].event);
  }
}

std::string row(std::string_view id, std::string_view type, std::string_view at,
                std::string_view content = "内容") {
  return std::string(id) + "," + std::string(type) + "," + std::string(at) +
         ",13908391234,李先生,投诉,出租汽车,利州区,某地,,标题," + std::string(content) +
         ",一般,,否,,,A1\r\n";
}

TEST(ExportFile, Utf8WithBomAndGb18030Written) {
  const std::string text =
      std::string(kHeader) + "\r\n" +
      row("GY1", "新派单", "2026-11-27 09:15:32", "\"有逗号, 和\"\"引号\"\"\"") +
      row("GY2", "新派单", "2026/11/27 9:40");
  for (const std::string& bytes : {"\xEF\xBB\xBF" + text, text}) {
    const auto r = read_export_bytes("f.csv", marker_for(bytes, 2, "UTF-8"), bytes, 3);
    ASSERT_TRUE(r.taken()) << r.reject_reason;
    ASSERT_EQ(r.events.size(), 2u) << format_error_report(r);
    EXPECT_EQ(std::get<core::AppealReceived>(r.events[0].event.body).appeal.content,
              "有逗号, 和\"引号\"");
  }
  const std::string gb = to_gb18030(text);
  const auto r = read_export_bytes("f.csv", marker_for(gb, 2, "GB18030"), gb, 1);
  ASSERT_TRUE(r.taken()) << r.reject_reason;
  ASSERT_EQ(r.events.size(), 2u) << format_error_report(r);
  EXPECT_EQ(std::get<core::AppealReceived>(r.events[1].event.body).appeal.citizen.name, "李先生");
  // GB18030 bytes under a UTF-8 marker: rejected whole, naming the byte offset.
  const auto wrong = read_export_bytes("f.csv", marker_for(gb, 2, "UTF-8"), gb);
  EXPECT_EQ(wrong.status, ExportStatus::rejected);
  EXPECT_NE(wrong.reject_reason.find("byte offset 0"), std::string::npos) << wrong.reject_reason;
}

TEST(ExportFile, ColumnsInAnotherOrderAndAnExtraColumn) {
  const std::string text =
      "受理时间,新增字段,工单编号,诉求内容,派单类型,诉求标题,来电人\r\n"
      "2026-11-27 09:15:32,某值,GY9,内容,新派单,标题,张先生\r\n";
  const auto r = read_export_bytes("f.csv", marker_for(text, 1), text);
  ASSERT_TRUE(r.taken()) << r.reject_reason;
  ASSERT_EQ(r.events.size(), 1u) << format_error_report(r);
  const auto& a = std::get<core::AppealReceived>(r.events[0].event.body).appeal;
  EXPECT_EQ(a.external_id, "GY9");
  EXPECT_EQ(a.citizen.name, "张先生");
  EXPECT_EQ(a.channel_meta["新增字段"], "某值");
}

TEST(ExportFile, DamagedFileRejectedWholeWithZeroEvents) {
  const std::string csv = read_file(kData / kSampleName);
  const std::string marker = read_file(kData / (kSampleName + ".ok"));
  std::string damaged = csv;
  damaged[damaged.size() / 2] ^= 0x01;
  auto r = read_export_bytes(kSampleName, marker, damaged);
  EXPECT_EQ(r.status, ExportStatus::rejected);
  EXPECT_TRUE(r.events.empty());
  EXPECT_NE(r.reject_reason.find("SHA-256"), std::string::npos) << r.reject_reason;

  std::string wrong_rows = marker;
  wrong_rows.replace(wrong_rows.find("rows=6"), 6, "rows=7");
  r = read_export_bytes(kSampleName, wrong_rows, csv);
  EXPECT_EQ(r.status, ExportStatus::rejected);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.reject_reason, "row count mismatch: the marker says 7 rows, the file has 6");

  r = read_export_bytes(kSampleName, "rows=6\n", csv);
  EXPECT_EQ(r.status, ExportStatus::rejected);
  EXPECT_EQ(r.reject_reason, "marker: missing encoding=");
  const auto report = format_error_report(r);
  EXPECT_NE(report.find("rejected: marker: missing encoding="), std::string::npos) << report;
}

TEST(ExportFile, BadRowsReportedWithLinesOthersTaken) {
  const std::string text = std::string(kHeader) + "\r\n" +
                           row("GY1", "新派单", "2026-11-27 09:15:32", "\"两行\r\n内容\"") +
                           row("", "新派单", "2026-11-27 09:15:32") +   // line 4
                           row("GY3", "新派单", "") +                   // line 5
                           row("GY4", "转办", "2026-11-27 09:15:32") +  // line 6
                           row("GY5", "补充", "2026-11-27 09:15:32") +
                           row("GY6", "新派单", "2026-11-27 09:15:32", "");  // line 8
  const auto r = read_export_bytes("f.csv", marker_for(text, 6), text);
  ASSERT_TRUE(r.taken()) << r.reject_reason;
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].line, 2u);
  EXPECT_EQ(r.events[1].line, 7u);
  ASSERT_EQ(r.row_errors.size(), 4u);
  EXPECT_EQ(r.row_errors[0], (RowError{4, "工单编号: missing"}));
  EXPECT_EQ(r.row_errors[1], (RowError{5, "受理时间: missing"}));
  EXPECT_EQ(r.row_errors[2].line, 6u);
  EXPECT_EQ(r.row_errors[3].line, 8u);
  EXPECT_NE(r.row_errors[3].message.find("诉求内容"), std::string::npos);
  const std::string report = format_error_report(r);
  EXPECT_NE(report.find("line 4: 工单编号: missing\n"), std::string::npos) << report;
  EXPECT_NE(report.find("taken: 2 of 6 rows"), std::string::npos) << report;
}

TEST(ExportFile, MissingMarkerIsNotReadyAndFilesAreReadFromDisk) {
  TempDir dir;
  const auto csv = dir.path() / kSampleName;
  std::filesystem::copy_file(kData / kSampleName, csv);
  auto r = read_export_file(csv.string());
  EXPECT_EQ(r.status, ExportStatus::not_ready);
  EXPECT_TRUE(r.events.empty());
  std::filesystem::copy_file(kData / (kSampleName + ".ok"), dir.path() / (kSampleName + ".ok"));
  r = read_export_file(csv.string());
  EXPECT_TRUE(r.taken());
  EXPECT_EQ(r.events.size(), 6u);
  const auto report = write_error_report(r, dir.path());
  EXPECT_EQ(report.filename().string(), kSampleName + ".error.txt");
  EXPECT_NE(read_file(report).find("taken: 6 of 6 rows"), std::string::npos);
}

TEST(ExportFile, MarkerBeingWrittenIsNotReadyAndAStaleBadMarkerIsRejected) {
  TempDir dir;
  const auto csv = dir.path() / kSampleName;
  const auto marker = dir.path() / (kSampleName + ".ok");
  std::filesystem::copy_file(kData / kSampleName, csv);
  // Created, not yet written: looked at again later, nothing rejected.
  std::ofstream(marker).close();
  auto r = read_export_file(csv.string());
  EXPECT_EQ(r.status, ExportStatus::not_ready) << r.reject_reason;
  EXPECT_NE(r.reject_reason.find("still being written"), std::string::npos) << r.reject_reason;
  // Written since: taken.
  std::filesystem::copy_file(kData / (kSampleName + ".ok"), marker,
                             std::filesystem::copy_options::overwrite_existing);
  r = read_export_file(csv.string());
  EXPECT_TRUE(r.taken()) << r.reject_reason;
  // Unusable and unchanged for longer than a writer needs: rejected, saying why.
  std::ofstream(marker, std::ios::trunc) << "rows=6\n";
  std::filesystem::last_write_time(
      marker, std::filesystem::file_time_type::clock::now() - std::chrono::minutes(1));
  r = read_export_file(csv.string());
  EXPECT_EQ(r.status, ExportStatus::rejected);
  EXPECT_EQ(r.reject_reason, "marker: missing encoding=");
}

TEST(ExportFile, Gb18030FileOnDisk) {
  TempDir dir;
  const std::string text = std::string(kHeader) + "\r\n" +
                           row("GY1", "新派单", "2026-11-27 09:15:32", "\"第一行\r\n第二行\"") +
                           row("GY1", "催办", "2026/11/28 8:05");
  const std::string gb = to_gb18030(text);
  const auto csv = dir.path() / "12328_510800JT_20261128090000_000120.csv";
  write_file(csv, gb);
  write_file(csv.string() + ".ok", marker_for(gb, 2, "GB18030"));
  const auto r = read_export_file(csv.string());
  ASSERT_TRUE(r.taken()) << r.reject_reason;
  ASSERT_EQ(r.events.size(), 2u) << format_error_report(r);
  EXPECT_EQ(std::get<core::AppealReceived>(r.events[0].event.body).appeal.content,
            "第一行\n第二行");
  EXPECT_EQ(r.events[1].event.name(), "appeal.urged");
  EXPECT_EQ(r.events[1].line, 4u);
  EXPECT_EQ(core::format_rfc3339(std::get<core::AppealUrged>(r.events[1].event.body).at),
            "2026-11-28T08:05:00+08:00");
}

// Pass 1 then pass 2 over a file on disk, as the folder intake reads it.
struct Streamed {
  ExportFileResult check;
  std::vector<ExportedEvent> events;
  std::vector<RowError> errors;
  std::size_t calls = 0, largest_chunk = 0;
  bool unchanged = false;
};

Streamed stream_file(const std::filesystem::path& csv, std::size_t max_events,
                     std::size_t chunk_bytes) {
  Streamed out;
  Marker marker;
  out.check = check_export_file(csv.string(), &marker);
  if (!out.check.taken()) return out;
  ExportRowStream rows(csv.string(), marker, chunk_bytes);
  std::vector<ExportedEvent> chunk;
  bool more = true;
  while (more) {
    more = rows.next(max_events, chunk, out.errors);
    ++out.calls;
    out.largest_chunk = std::max(out.largest_chunk, chunk.size());
    for (auto& e : chunk) out.events.push_back(std::move(e));
  }
  out.unchanged = rows.unchanged();
  return out;
}

TEST(ExportFileStreaming, TwoPassesGiveTheSameEventsAsOneInBoundedChunks) {
  TempDir dir;
  const auto csv = dir.path() / kSampleName;
  std::filesystem::copy_file(kData / kSampleName, csv);
  std::filesystem::copy_file(kData / (kSampleName + ".ok"), dir.path() / (kSampleName + ".ok"));
  const auto whole = read_export_file(csv.string());
  ASSERT_TRUE(whole.taken());
  for (const std::size_t chunk_bytes : {1u, 5u, 64u, 65536u}) {
    const auto s = stream_file(csv, 2, chunk_bytes);
    ASSERT_TRUE(s.check.taken()) << s.check.reject_reason;
    EXPECT_TRUE(s.check.events.empty());
    EXPECT_EQ(s.check.data_rows, 6u);
    EXPECT_TRUE(s.unchanged);
    EXPECT_LE(s.largest_chunk, 2u);
    EXPECT_GE(s.calls, 3u);
    ASSERT_EQ(s.events.size(), whole.events.size()) << chunk_bytes;
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      EXPECT_EQ(s.events[i].event.event_id, whole.events[i].event.event_id);
      EXPECT_EQ(s.events[i].line, whole.events[i].line);
      EXPECT_EQ(s.events[i].row, whole.events[i].row);
      EXPECT_EQ(core::encode_event(s.events[i].event), core::encode_event(whole.events[i].event));
    }
  }
}

TEST(ExportFileStreaming, BadRowsKeepTheirLinesAndDamagedFilesFailTheFirstPass) {
  TempDir dir;
  const std::string text = std::string(kHeader) + "\r\n" +
                           row("GY1", "新派单", "2026-11-27 09:15:32", "\"两行\r\n内容\"") +
                           row("", "新派单", "2026-11-27 09:15:32") +   // line 4
                           row("GY4", "转办", "2026-11-27 09:15:32") +  // line 5
                           row("GY5", "补充", "2026-11-27 09:15:32");
  const std::string gb = to_gb18030(text);
  const auto csv = dir.path() / "12328_510800JT_20261128090000_000120.csv";
  write_file(csv, gb);
  write_file(csv.string() + ".ok", marker_for(gb, 4, "GB18030"));
  auto s = stream_file(csv, 1, 3);
  ASSERT_TRUE(s.check.taken()) << s.check.reject_reason;
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[1].line, 6u);
  EXPECT_EQ(s.events[1].row, 5u);
  ASSERT_EQ(s.errors.size(), 2u);
  EXPECT_EQ(s.errors[0], (RowError{4, "工单编号: missing"}));
  EXPECT_EQ(s.errors[1].line, 5u);
  s.check.row_errors = s.errors;
  EXPECT_NE(format_error_report(s.check).find("taken: 2 of 4 rows"), std::string::npos);

  // One flipped byte, a row count that does not match, a wrong encoding: refused in pass 1.
  std::string damaged = gb;
  damaged[damaged.size() / 2] ^= 0x01;
  write_file(csv, damaged);
  s = stream_file(csv, 1, 3);
  EXPECT_EQ(s.check.status, ExportStatus::rejected);
  EXPECT_NE(s.check.reject_reason.find("SHA-256"), std::string::npos) << s.check.reject_reason;
  EXPECT_TRUE(s.events.empty());
  write_file(csv, gb);
  write_file(csv.string() + ".ok", marker_for(gb, 5, "GB18030"));
  s = stream_file(csv, 1, 3);
  EXPECT_EQ(s.check.reject_reason, "row count mismatch: the marker says 5 rows, the file has 4");
  write_file(csv.string() + ".ok", marker_for(gb, 4, "UTF-8"));
  s = stream_file(csv, 1, 3);
  EXPECT_EQ(s.check.status, ExportStatus::rejected);
  EXPECT_NE(s.check.reject_reason.find("not UTF-8"), std::string::npos) << s.check.reject_reason;
  std::filesystem::remove(csv.string() + ".ok");
  EXPECT_EQ(stream_file(csv, 1, 3).check.status, ExportStatus::not_ready);
}

TEST(ExportFileStreaming, AFileChangedAfterItsChecksIsNotUnchanged) {
  TempDir dir;
  const auto csv = dir.path() / kSampleName;
  std::filesystem::copy_file(kData / kSampleName, csv);
  std::filesystem::copy_file(kData / (kSampleName + ".ok"), dir.path() / (kSampleName + ".ok"));
  Marker marker;
  ASSERT_TRUE(check_export_file(csv.string(), &marker).taken());
  std::string bytes = read_file(csv);
  bytes[bytes.size() - 5] ^= 0x01;  // inside the last row's ASCII operator id
  write_file(csv, bytes);
  ExportRowStream rows(csv.string(), marker);
  std::vector<ExportedEvent> chunk;
  std::vector<RowError> errors;
  while (rows.next(100, chunk, errors)) {
  }
  EXPECT_FALSE(rows.unchanged());
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
