#include "adapters/hotline12328/export_row.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <variant>

#include "adapters/hotline12328/divisions.hpp"
#include "core/appeal.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "core/validation.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

namespace col = column;
using core::Event;

constexpr std::array<std::string_view, 18> kKnownColumns{
    col::kOrderId, col::kDispatchType, col::kAcceptedAt, col::kPhone,    col::kCaller,
    col::kKind,    col::kCategory,     col::kDivision,   col::kPlace,    col::kPlate,
    col::kTitle,   col::kContent,      col::kUrgency,    col::kDeadline, col::kCallback,
    col::kRelated, col::kAttachments,  col::kOperator};

std::string_view trim(std::string_view s) {
  auto is_space = [](std::string_view t) {
    if (t.empty()) return std::size_t{0};
    if (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n') {
      return std::size_t{1};
    }
    if (t.starts_with("\xE3\x80\x80")) return std::size_t{3};  // U+3000 ideographic space
    return std::size_t{0};
  };
  while (const auto n = is_space(s)) s.remove_prefix(n);
  while (!s.empty()) {
    if (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n') {
      s.remove_suffix(1);
    } else if (s.ends_with("\xE3\x80\x80")) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    // Separators: ';' and the full-width '；' (3 bytes in UTF-8).
    const auto ascii = text.find(';');
    const auto wide = text.find("\xEF\xBC\x9B");
    const auto cut = std::min(ascii, wide);
    const std::string_view item = trim(text.substr(0, cut));
    if (!item.empty()) items.emplace_back(item);
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + (cut == wide ? 3 : 1));
  }
  return items;
}

// A time as 12328 writes it; a deadline written to the minute means the end of that minute.
std::optional<core::Timestamp> parse_time(std::string_view text, bool end_of_minute) {
  auto t = core::parse_china_local(text);
  if (t && end_of_minute && std::count(text.begin(), text.end(), ':') == 1) {
    t->utc += std::chrono::seconds(59);
  }
  return t;
}

// Where a validate() path came from, for people reading the error report.
std::string_view column_of(std::string_view path) {
  struct Entry {
    std::string_view prefix;
    std::string_view column;
  };
  static constexpr std::array<Entry, 22> kPaths{{
      {"appeal.external_id", col::kOrderId},
      {"appeal.received_at", col::kAcceptedAt},
      {"appeal.kind", col::kKind},
      {"appeal.category", col::kCategory},
      {"appeal.division", col::kDivision},
      {"appeal.place", col::kPlace},
      {"appeal.plate", col::kPlate},
      {"appeal.title", col::kTitle},
      {"appeal.content", col::kContent},
      {"appeal.citizen.phone", col::kPhone},
      {"appeal.citizen.name", col::kCaller},
      {"appeal.urgency", col::kUrgency},
      {"appeal.channel_deadline", col::kDeadline},
      {"appeal.related", col::kRelated},
      {"appeal.attachments", col::kAttachments},
      {"external_id", col::kOrderId},
      {"content", col::kContent},
      {"note", col::kContent},
      {"reason", col::kContent},
      {"attachments", col::kAttachments},
      {"at", col::kAcceptedAt},
      {"occurred_at", col::kAcceptedAt},
  }};
  for (const Entry& e : kPaths) {
    if (path == e.prefix || (path.starts_with(e.prefix) && path.size() > e.prefix.size() &&
                             (path[e.prefix.size()] == '.' || path[e.prefix.size()] == '['))) {
      return e.column;
    }
  }
  return {};
}

std::string describe(const std::vector<core::FieldError>& errors) {
  std::string text;
  for (const auto& e : errors) {
    if (!text.empty()) text += "; ";
    const std::string_view c = column_of(e.field);
    if (!c.empty()) {
      text += std::string(c) + " (" + e.field + "): " + e.rule;
    } else {
      text += e.to_string();
    }
  }
  return text;
}

bool has_error_on(const std::vector<core::FieldError>& errors, std::string_view prefix) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const core::FieldError& e) { return e.field.starts_with(prefix); });
}

RowResult refuse(const RowContext& ctx, std::string message) {
  return RowResult{std::nullopt, RowError{ctx.line, std::move(message)}};
}

std::vector<core::Attachment> attachments_from(std::string_view text) {
  std::vector<core::Attachment> list;
  for (auto& url : split_list(text)) {
    core::Attachment a;
    a.url = std::move(url);
    list.push_back(std::move(a));
  }
  return list;
}

}  // namespace

std::string normalize_phone(std::string_view phone) {
  std::string out;
  std::string_view s = phone;
  while (!s.empty()) {
    if (s.front() == ' ' || s.front() == '\t') {
      s.remove_prefix(1);
    } else if (s.starts_with("\xE3\x80\x80")) {
      s.remove_prefix(3);
    } else {
      out += s.front();
      s.remove_prefix(1);
    }
  }
  return out;
}

std::string derive_title(std::string_view text, std::size_t n) {
  std::string out;
  std::size_t count = 0;
  std::size_t i = 0;
  const std::string_view t = trim(text);
  while (i < t.size() && count < n) {
    const auto b = static_cast<unsigned char>(t[i]);
    std::size_t len = 1;
    if (b >= 0xF0) {
      len = 4;
    } else if (b >= 0xE0) {
      len = 3;
    } else if (b >= 0xC0) {
      len = 2;
    }
    len = std::min(len, t.size() - i);
    if (t[i] == '\r' || t[i] == '\n' || t[i] == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      if (t[i] == '\r' && i + 1 < t.size() && t[i + 1] == '\n') ++i;
    } else {
      out.append(t, i, len);
    }
    i += len;
    ++count;
  }
  return std::string(trim(out));
}

namespace {

// One row's fields by column name, without surrounding blanks.
struct RowFields {
  const ColumnMap& columns;
  const std::vector<std::string>& fields;
  std::string_view operator()(std::string_view name) const {
    return trim(columns.get(fields, name));
  }
};

// Kind, category and division from the platform's Chinese names; a name the hub does not know is
// kept in channel_meta.
void classify(const RowFields& get, core::Appeal& a) {
  nlohmann::json& meta = a.channel_meta;
  const std::string_view kind_text = get(col::kKind);
  if (const auto kind = core::kind_from_chinese(kind_text)) {
    a.kind = *kind;
  } else {
    a.kind = core::AppealKind::other;
    if (!kind_text.empty()) meta[std::string(col::kKind)] = kind_text;
  }
  const std::string_view category_text = get(col::kCategory);
  if (const auto category = core::category_from_chinese(category_text)) {
    a.category = std::string(*category);
  } else {
    a.category = "other";
    if (!category_text.empty()) meta[std::string(col::kCategory)] = category_text;
  }
  const std::string_view division_text = get(col::kDivision);
  if (const auto code = guangyuan_division_code(division_text)) {
    a.division = *code;
  } else if (!division_text.empty()) {
    meta[std::string(col::kDivision)] = division_text;
  }
}

// Every column the appeal has no field for (坐席工号 and whatever the platform adds), and where
// the row came from.
void keep_other_columns(const RowFields& get, const RowContext& ctx, std::string_view type,
                        core::Appeal& a) {
  nlohmann::json& meta = a.channel_meta;
  for (std::size_t i = 0; i < get.columns.names().size(); ++i) {
    const std::string& name = get.columns.names()[i];
    if (std::find(kKnownColumns.begin(), kKnownColumns.end(), name) != kKnownColumns.end() &&
        name != col::kOperator) {
      continue;
    }
    meta[name] = get.fields[i];
  }
  meta["source_file"] = ctx.file_name;
  meta["source_line"] = ctx.line;
  meta["dispatch_type"] = type;
}

// A value people typed that the format cannot carry is kept in channel_meta, not fatal.
void keep_invalid_values(const RowFields& get, core::Appeal& a) {
  nlohmann::json& meta = a.channel_meta;
  auto errors = core::validate(a);
  if (has_error_on(errors, "appeal.plate")) {
    meta[std::string(col::kPlate)] = get(col::kPlate);
    a.plate.clear();
  }
  if (has_error_on(errors, "appeal.citizen.phone")) {
    meta[std::string(col::kPhone)] = get(col::kPhone);
    a.citizen.phone.clear();
  }
  if (has_error_on(errors, "appeal.attachments")) {
    meta[std::string(col::kAttachments)] = get(col::kAttachments);
    a.attachments.clear();
  }
  if (has_error_on(errors, "appeal.related")) {
    meta[std::string(col::kRelated)] = get(col::kRelated);
    a.related.clear();
  }
}

// The appeal of a 新派单 or 改派 row, or why the row is refused.
std::variant<core::Appeal, std::string> appeal_of_row(const RowFields& get,
                                                      std::string_view content,
                                                      const RowContext& ctx,
                                                      core::Timestamp accepted,
                                                      std::string_view type) {
  core::Appeal a;
  a.channel = std::string(kChannel);
  a.external_id = std::string(get(col::kOrderId));
  a.received_at = accepted;
  nlohmann::json& meta = a.channel_meta;
  classify(get, a);
  a.place = std::string(get(col::kPlace));
  a.plate = core::normalize_plate(get(col::kPlate));
  a.content = std::string(content);
  a.title = std::string(get(col::kTitle));
  if (a.title.empty()) a.title = derive_title(content);

  const std::string_view caller = get(col::kCaller);
  a.citizen.name = std::string(caller);
  a.citizen.anonymous = caller == "匿名";
  a.citizen.phone = normalize_phone(get(col::kPhone));

  const std::string_view urgency_text = get(col::kUrgency);
  if (const auto urgency = core::urgency_from_chinese(urgency_text)) {
    a.urgency = *urgency;
  } else if (!urgency_text.empty()) {
    meta[std::string(col::kUrgency)] = urgency_text;
  }
  const std::string_view deadline_text = get(col::kDeadline);
  if (!deadline_text.empty()) {
    a.channel_deadline = parse_time(deadline_text, true);
    if (!a.channel_deadline) {
      return std::string(col::kDeadline) +
             ": not a time (YYYY-MM-DD HH:MM:SS or YYYY/M/D H:MM): '" + std::string(deadline_text) +
             "'";
    }
  }
  const std::string_view callback = get(col::kCallback);
  if (callback == "是") {
    meta["callback_required"] = true;
  } else if (callback == "否") {
    meta["callback_required"] = false;
  } else if (!callback.empty()) {
    meta[std::string(col::kCallback)] = callback;
  }
  a.related = split_list(get(col::kRelated));
  a.attachments = attachments_from(get(col::kAttachments));
  keep_other_columns(get, ctx, type, a);
  keep_invalid_values(get, a);
  return a;
}

}  // namespace

RowResult row_to_event(const ColumnMap& columns, const std::vector<std::string>& fields,
                       const RowContext& ctx) {
  const RowFields get{columns, fields};
  // Content keeps its inner layout; only surrounding blanks go.
  const std::string_view content = trim(columns.get(fields, col::kContent));

  if (fields.size() != columns.names().size()) {
    return refuse(ctx, "the row has " + std::to_string(fields.size()) + " fields, the header " +
                           std::to_string(columns.names().size()));
  }
  const std::string_view order_id = get(col::kOrderId);
  if (order_id.empty()) return refuse(ctx, std::string(col::kOrderId) + ": missing");
  const std::string_view accepted_text = get(col::kAcceptedAt);
  if (accepted_text.empty()) return refuse(ctx, std::string(col::kAcceptedAt) + ": missing");
  const auto accepted = parse_time(accepted_text, false);
  if (!accepted) {
    return refuse(ctx, std::string(col::kAcceptedAt) +
                           ": not a time (YYYY-MM-DD HH:MM:SS or YYYY/M/D H:MM): '" +
                           std::string(accepted_text) + "'");
  }
  const std::string_view type = get(col::kDispatchType);
  const std::string fact = ctx.file_name + ":" + std::to_string(ctx.row);

  Event event;
  event.occurred_at = *accepted;
  event.producer = std::string(kProducer);
  const std::string channel(kChannel);
  const std::string external_id(order_id);

  if (type == "新派单" || type == "改派") {
    auto appeal = appeal_of_row(get, content, ctx, *accepted, type);
    if (auto* refused = std::get_if<std::string>(&appeal)) return refuse(ctx, std::move(*refused));
    const bool reassigned = type == "改派";
    event.event_id = core::make_event_id("appeal.received", channel, external_id,
                                         reassigned ? std::string_view(fact) : "new");
    event.body = core::AppealReceived{std::move(std::get<core::Appeal>(appeal))};
  } else if (type == "补充") {
    core::AppealSupplemented s;
    s.channel = channel;
    s.external_id = external_id;
    s.supplement_id = fact;
    s.content = std::string(content);
    s.attachments = attachments_from(get(col::kAttachments));
    s.at = *accepted;
    event.event_id = core::make_event_id("appeal.supplemented", channel, external_id, fact);
    event.body = std::move(s);
  } else if (type == "催办") {
    event.event_id = core::make_event_id("appeal.urged", channel, external_id, fact);
    event.body = core::AppealUrged{channel, external_id, std::string(content), *accepted};
  } else if (type == "撤销") {
    event.event_id = core::make_event_id("appeal.withdrawn", channel, external_id, fact);
    event.body = core::AppealWithdrawn{channel, external_id, std::string(content), *accepted};
  } else if (type.empty()) {
    return refuse(ctx, std::string(col::kDispatchType) + ": missing");
  } else {
    return refuse(ctx, std::string(col::kDispatchType) + ": unknown '" + std::string(type) +
                           "' (expected 新派单, 补充, 催办, 撤销 or 改派)");
  }

  if (auto errors = core::validate(event); !errors.empty()) {
    return refuse(ctx, describe(errors));
  }
  return RowResult{std::move(event), std::nullopt};
}

}  // namespace appealhub::adapters::hotline12328
