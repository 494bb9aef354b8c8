#pragma once
// The 12328 interface, result side (docs/channels/hotline-12328-export.md §2 and §3): a result file the
// hub writes into the platform's import/ folder, and the receipt the platform writes back.
//
// A result file is `12328_<unit>_RESULT_<yyyyMMddHHmmss>_<seq>.csv`: CRLF, RFC 4180, the header
// 工单编号,结果类型,办理结果,办理单位,办理人,联系电话,办结时间,退回原因,延期天数, in the unit's
// configured encoding, at most 500 rows; written under a temporary name and renamed, its `.ok`
// marker (rows, encoding, sha256) written the same way, last. A receipt is
// `<result name without .csv>.receipt.csv`, UTF-8, `工单编号,处理结果,失败原因`.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hotline12328/encoding.hpp"
#include "adapters/hotline12328/marker.hpp"
#include "core/event.hpp"

namespace appealhub::adapters::hotline12328 {

inline constexpr std::size_t kMaxResultRows = 500;  // the platform refuses a longer file whole

// One row of a result file, UTF-8.
struct ResultRow {
  std::string order_id;     // 工单编号
  std::string result_type;  // 结果类型: 办结, 阶段答复, 退回, 延期申请
  std::string content;      // 办理结果
  std::string department;   // 办理单位
  std::string handler;      // 办理人
  std::string phone;        // 联系电话
  std::string answered_at;  // 办结时间, YYYY-MM-DD HH:MM:SS in China time
  std::string return_reason;
  std::string extension_days;  // empty unless 延期申请

  friend bool operator==(const ResultRow&, const ResultRow&) = default;
};

// 办结, 阶段答复, 退回, 延期申请 for final_answer, interim, return_order, extension_request.
std::string_view result_type_of(core::ReplyType type);
ResultRow result_row(const core::ReplyRequested& reply);

// `12328_<unit>_RESULT_<yyyyMMddHHmmss>_<seq>.csv`, the time in China (UTC+8), the sequence with
// at least six digits (as the platform's own files).
std::string result_file_name(std::string_view unit, std::chrono::system_clock::time_point at,
                             std::uint64_t sequence);
// `<name without .csv>.receipt.csv`.
std::string receipt_file_name(std::string_view result_name);

// UTF-8 to `encoding`; throws std::runtime_error for text that is not UTF-8.
std::string encode_from_utf8(std::string_view utf8, Encoding encoding);

struct ResultFile {
  std::string bytes;  // the CSV in the file's encoding
  Marker marker;
};

// The file's bytes and marker. Throws std::invalid_argument for more than kMaxResultRows rows.
ResultFile build_result_file(const std::vector<ResultRow>& rows, Encoding encoding);

// `rows=…\r\nencoding=…\r\nsha256=…\r\n`.
std::string marker_text(const Marker& marker);

// Writes `dir/name` and then `dir/name.ok`, each under a hidden temporary name that is fsynced and
// renamed, so that the platform never sees half a file or a marker before its file. Writing the
// same name again replaces it. Throws std::runtime_error on I/O failures.
void write_result_file(const std::filesystem::path& dir, const std::string& name,
                       const ResultFile& file);

struct ReceiptRow {
  std::string order_id;  // 工单编号
  bool success = false;  // 处理结果 成功
  std::string reason;    // 失败原因

  friend bool operator==(const ReceiptRow&, const ReceiptRow&) = default;
};

// Reads a receipt (UTF-8, a BOM allowed). nullopt with `*error` set when the header lacks a column
// or a record is malformed: such a receipt is reported, never guessed at.
std::optional<std::vector<ReceiptRow>> parse_receipt(std::string_view text,
                                                     std::string* error = nullptr);

// The transient failure: the row is sent again in a later file.
inline constexpr std::string_view kBusyReason = "系统繁忙请重试";

}  // namespace appealhub::adapters::hotline12328
