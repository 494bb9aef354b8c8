#pragma once
// The provincial 12328 platform as the city bureau sees it (docs/channels/
// hotline-12328-export.md): it dispatches work orders as export files into `<dir>/export/`, reads
// the bureau's result files from `<dir>/import/` and answers each with a receipt in
// `<dir>/receipt/`. It keeps the state of every order it dispatched, so that its later rows (补充,
// 催办, 撤销, 改派 after a 退回) and its receipts (工单已撤销, 该工单已办结, …) follow from what
// happened, and a ledger (`<dir>/sim-ledger.json`, rewritten atomically) of every row it issued
// (file and line) and every result row it received with its receipt, for tests to read.
//
// Faults are switchable: damaged files (SHA-256 or row count in the marker wrong; their rows are
// exported again in a later file, as the platform does after a failed transfer), files written
// slowly (the CSV grows before the marker appears), bad rows, files written out of sequence order,
// re-exported 新派单 duplicates, and the transient receipt 系统繁忙请重试.
//
// Not thread-safe: one thread drives a platform.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sim/hotline/hotline_files.hpp"

namespace appealhub::sim::hotline {

struct HotlineFaults {
  double damaged_sha = 0;   // fraction of export files whose marker's SHA-256 is wrong
  double damaged_rows = 0;  // fraction of export files whose marker's row count is wrong
  double slow = 0;          // fraction of export files written slowly (see slow_write)
  std::chrono::milliseconds slow_write{2000};  // how long a slow CSV grows before its marker
  double bad_rows = 0;  // fraction of rows without 工单编号 / 受理时间 or of an unknown 派单类型
  double out_of_order = 0;  // fraction of export files written after the next one
  double duplicates = 0;    // fraction of 新派单 exported again in a later file
  double busy = 0;  // fraction of result rows answered 失败 系统繁忙请重试 (transient)
};

struct HotlineOptions {
  std::filesystem::path dir;                      // holds export/, import/, receipt/ and the ledger
  std::string unit = "510800JT";                  // the receiving unit's code in file names
  FileEncoding encoding = FileEncoding::gb18030;  // of export files
  FileEncoding import_encoding = FileEncoding::gb18030;  // configured for the unit's result files
  std::size_t rows_per_file = 50;
  bool shuffle_columns = false;  // columns in another order than the document's table
  bool extra_column = false;     // a column the document does not list (来源渠道)
  double old_dates = 0.2;        // fraction of rows with the older `YYYY/M/D H:MM` dates
  double followups = 0.3;  // fraction of rows that are 补充 / 催办 / 撤销 on earlier orders
  double reassign = 0.8;   // chance per row that a returned order is sent again (改派)
  std::uint64_t seed = 12328;
  HotlineFaults faults;
  std::filesystem::path ledger;  // default <dir>/sim-ledger.json
};

class HotlinePlatform {
 public:
  // Creates the folders; continues from the ledger if one exists (orders, sequence numbers).
  explicit HotlinePlatform(HotlineOptions options);
  ~HotlinePlatform();
  HotlinePlatform(const HotlinePlatform&) = delete;
  HotlinePlatform& operator=(const HotlinePlatform&) = delete;

  // Issues `rows` new rows (plus any rows of damaged files and duplicates owed) into export files
  // of at most rows_per_file rows; returns the names of the files written, in writing order. A file
  // held back to come out of order is written with the next call or finish().
  std::vector<std::string> export_rows(std::size_t rows);
  // Exports the rows still owed by damaged files, then writes a file still held back for
  // out-of-order delivery.
  std::vector<std::string> finish();
  // Answers every complete result file in import/ (its marker exists) that has no receipt yet;
  // returns the receipt files written.
  std::vector<std::string> process_imports();

  // Rewrites the ledger file now (atomically).
  void save_ledger() const;
  const nlohmann::json& ledger() const;
  std::uint64_t rows_issued() const;  // rows written into export files so far (good or not)
  std::filesystem::path export_dir() const;
  std::filesystem::path import_dir() const;
  std::filesystem::path receipt_dir() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace appealhub::sim::hotline
