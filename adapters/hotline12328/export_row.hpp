#pragma once
// One data row of a 12328 export file → one appeal.v1 event (docs/channels/hotline-12328-export.md §1).
//
//   派单类型 新派单 → appeal.received       (event id fact "new": a re-export is the same event)
//            改派   → appeal.received       (fact "<file>:<row>": a new event, same external id)
//            补充   → appeal.supplemented   (supplement_id = fact = "<file>:<row>")
//            催办   → appeal.urged          (note = 诉求内容)
//            撤销   → appeal.withdrawn      (reason = 诉求内容)
// where <row> is the record's row number in the file as a spreadsheet shows it (the header is row
// 1), so re-reading a file gives the same ids and the same order in another file is another fact.
//
// Values the hub cannot use are never fatal when the rest is usable: an unknown 诉求类型 or
// 业务类别 becomes `other`, an unknown 所属区县 an empty division, an unreadable 车牌号 / 来电号码
// / 附件 is left out; each keeps its original text in channel_meta under its column name. A row is
// refused (RowError) when 工单编号 or 受理时间 is missing, 受理时间 / 办理时限 cannot be read,
// 派单类型 is unknown, or the event still breaks an appeal.v1 rule (e.g. empty 诉求内容).
//
// channel_meta of appeal.received: 坐席工号 and every column not mapped (by header name),
// callback_required (需要回访 是/否), dispatch_type (新派单/改派), source_file, source_line, and
// the original text of any value that could not be used. occurred_at is 受理时间 (not the reading
// time), so that reading a file again gives equal events, not only equal ids.
// Limitation: 补充/催办/撤销 events have no channel_meta in appeal.v1, so their other columns are
// not carried.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hotline12328/csv_reader.hpp"
#include "core/event.hpp"

namespace appealhub::adapters::hotline12328 {

inline constexpr std::string_view kChannel = "hotline12328";
inline constexpr std::string_view kProducer = "adapter.hotline12328";

// The columns the adapter maps; every other column goes to channel_meta.
namespace column {
inline constexpr std::string_view kOrderId = "工单编号";
inline constexpr std::string_view kDispatchType = "派单类型";
inline constexpr std::string_view kAcceptedAt = "受理时间";
inline constexpr std::string_view kPhone = "来电号码";
inline constexpr std::string_view kCaller = "来电人";
inline constexpr std::string_view kKind = "诉求类型";
inline constexpr std::string_view kCategory = "业务类别";
inline constexpr std::string_view kDivision = "所属区县";
inline constexpr std::string_view kPlace = "事发地点";
inline constexpr std::string_view kPlate = "车牌号";
inline constexpr std::string_view kTitle = "诉求标题";
inline constexpr std::string_view kContent = "诉求内容";
inline constexpr std::string_view kUrgency = "紧急程度";
inline constexpr std::string_view kDeadline = "办理时限";
inline constexpr std::string_view kCallback = "需要回访";
inline constexpr std::string_view kRelated = "关联工单";
inline constexpr std::string_view kAttachments = "附件";
inline constexpr std::string_view kOperator = "坐席工号";
}  // namespace column

struct RowError {
  std::size_t line = 0;  // physical line where the row starts
  std::string message;   // "受理时间: missing", "来电号码 (appeal.citizen.phone): …"

  friend bool operator==(const RowError&, const RowError&) = default;
};

struct RowContext {
  std::string file_name;  // the export file's name, without directories
  std::size_t line = 0;   // physical line where the row starts
  std::size_t row = 0;    // row number as a spreadsheet shows it: header 1, first data row 2
};

struct RowResult {
  std::optional<core::Event> event;  // set when the row was taken
  std::optional<RowError> error;     // set when it was refused
};

RowResult row_to_event(const ColumnMap& columns, const std::vector<std::string>& fields,
                       const RowContext& context);

// 来电号码 as validate() wants it: spaces (ASCII, full-width) and tabs removed; a landline keeps
// its dash (0839-3301234).
std::string normalize_phone(std::string_view phone);

// The first `n` code points of UTF-8 `text` on one line (line breaks and tabs become spaces,
// spaces around trimmed): a title derived from the content.
std::string derive_title(std::string_view text, std::size_t n = 30);

}  // namespace appealhub::adapters::hotline12328
