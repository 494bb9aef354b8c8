// The 12328 platform simulator against the document and the hub's own reader: its export files
// are taken by adapters/hotline12328 with exactly the rows its ledger says, damaged files are
// detected (and their rows come again), slow files have no marker until they are whole, files can
// come out of order, and result files get the receipts the document lists.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "adapters/hotline12328/export_file.hpp"
#include "adapters/hotline12328/file_lifecycle.hpp"
#include "sim/hotline/hotline_platform.hpp"
#include "tests/adapters/hotline12328/test_support.hpp"

namespace appealhub::sim::hotline {
namespace {

namespace fs = std::filesystem;
namespace hub = appealhub::adapters::hotline12328;
using hub::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

HotlineOptions options_in(const TempDir& dir) {
  HotlineOptions o;
  o.dir = dir.path();
  o.seed = 7;
  o.rows_per_file = 20;
  return o;
}

// The ledger's rows of one export file, by line.
std::map<std::size_t, json> ledger_rows(const HotlinePlatform& p, const std::string& file) {
  std::map<std::size_t, json> rows;
  for (const auto& r : p.ledger()["rows"]) {
    if (r["file"] == file) rows[r["line"].get<std::size_t>()] = r;
  }
  return rows;
}

std::string event_for(const std::string& type) {
  if (type == "新派单" || type == "改派") return "appeal.received";
  if (type == "补充") return "appeal.supplemented";
  if (type == "催办") return "appeal.urged";
  return "appeal.withdrawn";
}

// Reads `file` with the hub's reader and checks it row by row against the ledger.
void expect_taken_as_ledgered(const HotlinePlatform& p, const std::string& file) {
  SCOPED_TRACE(file);
  const auto r = hub::read_export_file((p.export_dir() / file).string());
  ASSERT_TRUE(r.taken()) << r.reject_reason;
  const auto rows = ledger_rows(p, file);
  EXPECT_EQ(r.data_rows, rows.size());
  std::set<std::size_t> bad_lines;
  for (const auto& [line, row] : rows) {
    if (!row["bad"].get<std::string>().empty()) bad_lines.insert(line);
  }
  std::set<std::size_t> refused;
  for (const auto& e : r.row_errors) refused.insert(e.line);
  EXPECT_EQ(refused, bad_lines) << hub::format_error_report(r);
  ASSERT_EQ(r.events.size(), rows.size() - bad_lines.size());
  for (const auto& e : r.events) {
    const auto& row = rows.at(e.line);
    EXPECT_EQ(e.event.name(), event_for(row["type"])) << e.line;
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, core::AppealReceived>) {
            EXPECT_EQ(body.appeal.external_id, row["order_id"]);
            EXPECT_EQ(body.appeal.channel_meta["dispatch_type"], row["type"]);
          } else if constexpr (requires { body.external_id; }) {
            EXPECT_EQ(body.external_id, row["order_id"]);
          }
        },
        e.event.body);
  }
}

TEST(HotlineSim, ExportFilesAreTakenByTheHubsReaderInEveryEncodingAndLayout) {
  for (const auto encoding : {FileEncoding::gb18030, FileEncoding::utf8, FileEncoding::utf8_bom}) {
    TempDir dir;
    auto o = options_in(dir);
    o.encoding = encoding;
    o.shuffle_columns = encoding != FileEncoding::utf8;
    o.extra_column = true;
    o.old_dates = 0.5;
    o.followups = 0.4;
    o.faults.bad_rows = 0.1;
    o.faults.duplicates = 0.2;
    HotlinePlatform p(o);
    auto files = p.export_rows(150);
    for (auto& f : p.finish()) files.push_back(f);
    ASSERT_GE(files.size(), 8u);
    std::set<std::string> types;
    std::uint32_t last_sequence = 0;
    for (const auto& f : files) {
      const auto name = hub::parse_export_file_name(f);
      ASSERT_TRUE(name) << f;
      EXPECT_EQ(name->unit, "510800JT");
      EXPECT_GT(name->sequence, last_sequence) << "grows by file and never repeats";
      last_sequence = name->sequence;
      expect_taken_as_ledgered(p, f);
      const std::string bytes = hub::testing::read_file(p.export_dir() / f);
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n') {
          ASSERT_EQ(bytes[i - 1], '\r') << "CRLF only";
        }
      }
      EXPECT_EQ(bytes.starts_with("\xEF\xBB\xBF"), encoding == FileEncoding::utf8_bom);
      const std::string marker = hub::testing::read_file(p.export_dir() / (f + ".ok"));
      EXPECT_NE(
          marker.find(encoding == FileEncoding::gb18030 ? "encoding=GB18030" : "encoding=UTF-8"),
          std::string::npos);
    }
    for (const auto& r : p.ledger()["rows"]) types.insert(r["type"].get<std::string>());
    EXPECT_TRUE(types.count("新派单") && types.count("补充") && types.count("催办"));
    bool duplicate = false;
    for (const auto& r : p.ledger()["rows"]) duplicate = duplicate || r["duplicate"].get<bool>();
    EXPECT_TRUE(duplicate) << "re-exported 新派单 duplicates";
    p.save_ledger();
    const auto saved = json::parse(hub::testing::read_file(dir.path() / "sim-ledger.json"));
    EXPECT_EQ(saved["rows"].size(), p.rows_issued());
  }
}

TEST(HotlineSim, DamagedFilesAreRejectedWholeAndTheirRowsComeAgain) {
  TempDir dir;
  auto o = options_in(dir);
  o.faults.damaged_sha = 0.3;
  o.faults.damaged_rows = 0.4;
  HotlinePlatform p(o);
  std::vector<std::string> files = p.export_rows(200);
  for (int i = 0; i < 30; ++i) {
    for (auto& f : p.export_rows(0)) files.push_back(f);
  }
  std::map<std::string, std::string> fault;
  for (const auto& f : p.ledger()["files"]) fault[f["name"]] = f["fault"];
  std::size_t damaged = 0;
  for (const auto& f : files) {
    const auto r = hub::read_export_file((p.export_dir() / f).string());
    if (fault[f].empty()) {
      expect_taken_as_ledgered(p, f);
      continue;
    }
    ++damaged;
    EXPECT_EQ(r.status, hub::ExportStatus::rejected) << f;
    EXPECT_TRUE(r.events.empty());
    EXPECT_NE(r.reject_reason.find(fault[f] == "damaged_sha" ? "SHA-256" : "row count"),
              std::string::npos)
        << r.reject_reason;
  }
  EXPECT_GE(damaged, 3u);
  // Every row of a damaged file is exported again in a later file.
  std::multiset<std::string> owed, paid;
  for (const auto& r : p.ledger()["rows"]) {
    const std::string key = r["order_id"].get<std::string>() + "/" + r["type"].get<std::string>();
    if (r["damaged_file"].get<bool>()) owed.insert(r["file"].get<std::string>() + "|" + key);
    if (!r["reexport_of"].get<std::string>().empty()) {
      paid.insert(r["reexport_of"].get<std::string>() + "|" + key);
    }
  }
  EXPECT_EQ(owed, paid);
}

TEST(HotlineSim, ASlowFileHasNoMarkerUntilItIsWhole) {
  TempDir dir;
  auto o = options_in(dir);
  o.faults.slow = 1;
  o.faults.slow_write = 1200ms;
  HotlinePlatform p(o);
  std::thread writer([&] { p.export_rows(20); });
  bool seen_growing = false;
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    for (const auto& e : fs::directory_iterator(p.export_dir())) {
      const auto path = e.path();
      if (path.extension() != ".csv") continue;
      if (!fs::exists(path.string() + ".ok")) {
        seen_growing = true;
        EXPECT_EQ(hub::read_export_file(path.string()).status, hub::ExportStatus::not_ready);
        EXPECT_TRUE(hub::list_ready_files(p.export_dir()).empty());
      }
    }
    if (hub::list_ready_files(p.export_dir()).size() == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  writer.join();
  EXPECT_TRUE(seen_growing);
  ASSERT_EQ(hub::list_ready_files(p.export_dir()).size(), 1u);
  expect_taken_as_ledgered(p, hub::list_ready_files(p.export_dir())[0].filename().string());
}

TEST(HotlineSim, FilesOutOfOrderAreSortedBackBySequence) {
  TempDir dir;
  auto o = options_in(dir);
  o.faults.out_of_order = 1;
  HotlinePlatform p(o);
  p.export_rows(80);
  p.finish();
  std::vector<std::uint32_t> written;
  for (const auto& f : p.ledger()["written"]) {
    written.push_back(hub::parse_export_file_name(f.get<std::string>())->sequence);
  }
  ASSERT_EQ(written.size(), 4u);
  EXPECT_FALSE(std::is_sorted(written.begin(), written.end())) << "some file came late";
  std::vector<std::uint32_t> listed;
  for (const auto& f : hub::list_ready_files(p.export_dir())) {
    listed.push_back(hub::parse_export_file_name(f.filename().string())->sequence);
  }
  EXPECT_EQ(listed, (std::vector<std::uint32_t>{1, 2, 3, 4}));
}

// A result file as the hub writes it (document §2), with its marker last.
void write_result(const HotlinePlatform& p, const std::string& name,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::string& encoding = "GB18030", int marker_rows_delta = 0) {
  std::string text =
      "工单编号,结果类型,办理结果,办理单位,办理人,联系电话,办结时间,退回原因,延期天数\r\n";
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < 9; ++i) {
      if (i) line += ',';
      line += i < r.size() ? r[i] : "";
    }
    text += line + "\r\n";
  }
  const std::string bytes = encoding == "GB18030" ? hub::testing::to_gb18030(text) : text;
  hub::testing::write_file(p.import_dir() / name, bytes);
  hub::testing::write_file(
      p.import_dir() / (name + ".ok"),
      hub::testing::marker_for(
          bytes, static_cast<std::size_t>(static_cast<int>(rows.size()) + marker_rows_delta),
          encoding));
}

// Receipt rows: order → (处理结果, 失败原因), in file order.
std::vector<std::vector<std::string>> receipt(const HotlinePlatform& p, const std::string& result) {
  const std::string text = hub::testing::read_file(
      p.receipt_dir() / (result.substr(0, result.size() - 4) + ".receipt.csv"));
  EXPECT_TRUE(text.starts_with("工单编号,处理结果,失败原因\r\n")) << text;
  auto records = parse_csv(text);
  EXPECT_TRUE(records.has_value());
  records->erase(records->begin());
  return *records;
}

std::vector<std::string> orders_in(const HotlinePlatform& p, const std::string& state) {
  std::vector<std::string> out;
  for (const auto& [id, order] : p.ledger()["orders"].items()) {
    if (order["state"] == state) out.push_back(id);
  }
  return out;
}

TEST(HotlineSim, ReceiptsFollowTheRulesAndAReturnedOrderIsSentAgain) {
  TempDir dir;
  auto o = options_in(dir);
  o.followups = 0.5;
  o.reassign = 1;
  HotlinePlatform p(o);
  p.export_rows(60);
  const auto open = orders_in(p, "open");
  const auto withdrawn = orders_in(p, "withdrawn");
  ASSERT_GE(open.size(), 4u);
  ASSERT_GE(withdrawn.size(), 1u);
  const std::string answered = open[0], returned = open[1], long_answer = open[2],
                    interim = open[3];

  const std::string name = "12328_510800JT_RESULT_20261128100000_000007.csv";
  write_result(p, name,
               {{answered, "办结", "已约谈驾驶员并处罚款。", "市运管处", "王五", "0839-3300000",
                 "2026-11-28 09:00:00"},
                {returned, "退回", "", "市运管处", "王五", "0839-3300000", "2026-11-28 09:00:00",
                 "不属于本单位职责"},
                {"GY12328209912319999", "办结", "答复"},
                {withdrawn[0], "办结", "答复"},
                {answered, "办结", "再次答复"},
                {long_answer, "办结", std::string(2001 * 3, 'a').substr(0, 2001)},
                {interim, "阶段答复", "正在调查。"},
                {interim, "延期申请", "需要更多时间", "", "", "", "", "", "5"}});
  // Not complete without its marker: not answered yet.
  fs::rename(p.import_dir() / (name + ".ok"), dir.path() / "held.ok");
  EXPECT_TRUE(p.process_imports().empty());
  fs::rename(dir.path() / "held.ok", p.import_dir() / (name + ".ok"));
  ASSERT_EQ(p.process_imports().size(), 1u);
  EXPECT_TRUE(p.process_imports().empty()) << "a file is answered once";

  const auto rows = receipt(p, name);
  ASSERT_EQ(rows.size(), 8u);
  const std::vector<std::pair<std::string, std::string>> expected{{"成功", ""},
                                                                  {"成功", ""},
                                                                  {"失败", "工单不存在"},
                                                                  {"失败", "工单已撤销"},
                                                                  {"失败", "该工单已办结"},
                                                                  {"失败", "办理结果超长"},
                                                                  {"成功", ""},
                                                                  {"成功", ""}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][1], expected[i].first) << i;
    EXPECT_EQ(rows[i][2], expected[i].second) << i;
  }
  const auto& results = p.ledger()["results"];
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["lines"][2]["reason"], "工单不存在");

  // 退回 accepted: the platform sends the order again (改派), which the hub reads as a new
  // appeal.received for the same order.
  const auto files = p.export_rows(1);
  ASSERT_EQ(files.size(), 1u);
  const auto r = hub::read_export_file((p.export_dir() / files[0]).string());
  ASSERT_TRUE(r.taken());
  ASSERT_EQ(r.events.size(), 1u);
  const auto& again = std::get<core::AppealReceived>(r.events[0].event.body).appeal;
  EXPECT_EQ(again.external_id, returned);
  EXPECT_EQ(again.channel_meta["dispatch_type"], "改派");
  EXPECT_TRUE(again.channel_deadline.has_value());
}

TEST(HotlineSim, BadResultFilesAreRefusedWholeAndBusyIsTransient) {
  TempDir dir;
  auto o = options_in(dir);
  o.followups = 0;
  HotlinePlatform p(o);
  p.export_rows(10);
  const auto open = orders_in(p, "open");
  std::vector<std::vector<std::string>> many;
  for (int i = 0; i < 501; ++i) many.push_back({open[0], "阶段答复", "进展"});
  write_result(p, "12328_510800JT_RESULT_20261128100000_000001.csv", many);
  write_result(p, "12328_510800JT_RESULT_20261128100000_000002.csv", {{open[0], "办结", "答复"}},
               "UTF-8");
  write_result(p, "12328_510800JT_RESULT_20261128100000_000003.csv",
               {{open[0], "办结", "答复"}, {open[1], "办结", "答复"}}, "GB18030", 1);
  ASSERT_EQ(p.process_imports().size(), 3u);
  const auto expect_all = [&](const std::string& file, std::size_t n, const std::string& reason) {
    const auto rows = receipt(p, file);
    ASSERT_EQ(rows.size(), n) << file;
    for (const auto& row : rows) {
      EXPECT_EQ(row[1], "失败");
      EXPECT_EQ(row[2], reason);
    }
  };
  expect_all("12328_510800JT_RESULT_20261128100000_000001.csv", 501, "文件超过500行");
  expect_all("12328_510800JT_RESULT_20261128100000_000002.csv", 1, "文件编码不符");
  expect_all("12328_510800JT_RESULT_20261128100000_000003.csv", 2, "文件校验失败");
  EXPECT_EQ(orders_in(p, "done").size(), 0u) << "nothing of a refused file is applied";

  // 系统繁忙请重试 leaves the order as it was: the same answer succeeds later.
  p.save_ledger();
  o.faults.busy = 1;
  {
    HotlinePlatform busy(o);  // continues from the ledger
    write_result(busy, "12328_510800JT_RESULT_20261128100000_000004.csv",
                 {{open[0], "办结", "答复"}});
    ASSERT_EQ(busy.process_imports().size(), 1u);
    expect_all("12328_510800JT_RESULT_20261128100000_000004.csv", 1, "系统繁忙请重试");
    EXPECT_EQ(orders_in(busy, "done").size(), 0u);
    busy.save_ledger();
  }
  o.faults.busy = 0;
  HotlinePlatform calm(o);
  write_result(calm, "12328_510800JT_RESULT_20261128100000_000005.csv",
               {{open[0], "办结", "答复"}});
  ASSERT_EQ(calm.process_imports().size(), 1u);
  EXPECT_EQ(receipt(calm, "12328_510800JT_RESULT_20261128100000_000005.csv")[0][1], "成功");
  EXPECT_EQ(orders_in(calm, "done"), std::vector<std::string>{open[0]});
}

}  // namespace
}  // namespace appealhub::sim::hotline
