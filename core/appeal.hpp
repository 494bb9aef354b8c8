#pragma once
// A citizen's appeal (诉求) as every channel's adapter normalizes it: the `appeal` object of the
// appeal.v1 format. Adapters fill an Appeal from their channel's data, check it with
// validate() (core/validation.hpp) and publish it; the router and storage read it back.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace appealhub::core {

// What the citizen wants. Deadline policy is per kind (docs/domain.md).
enum class AppealKind {
  consultation,  // 咨询
  complaint,     // 投诉
  report,        // 举报
  suggestion,    // 建议, 建言
  help,          // 求助
  praise,        // 表扬, 感谢
  disclosure,    // 依申请公开: a government-information request, 20 working days by law
  other,         // 其他
};

enum class Urgency {
  normal,    // 一般
  urgent,    // 紧急
  critical,  // 特急
};

// Wire names ("consultation", "urgent"); to_string of a value outside the enum is "".
std::string_view to_string(AppealKind kind);
std::string_view to_string(Urgency urgency);
std::optional<AppealKind> parse_appeal_kind(std::string_view text);
std::optional<Urgency> parse_urgency(std::string_view text);

// The channels' Chinese words, exact match. Kinds: 咨询 投诉 举报 建议 建言 求助 表扬 感谢
// 依申请公开 其他. Urgencies: 一般 紧急 特急.
std::optional<AppealKind> kind_from_chinese(std::string_view text);
std::optional<Urgency> urgency_from_chinese(std::string_view text);
// The word shown to people: 咨询 投诉 举报 建议 求助 表扬 依申请公开 其他.
std::string_view chinese_name(AppealKind kind);

// Business categories (业务类别) are string codes, so that a new one is a data change for
// consumers: the 12328 list. Codes: taxi, ride_hailing, bus, road_passenger, road_freight,
// vehicle_repair, driver_training, road_administration, road_maintenance, waterway, construction,
// other.
std::span<const std::string_view> business_categories();
bool is_business_category(std::string_view code);
// 出租汽车→taxi 网约车→ride_hailing 公共汽电车→bus 道路客运→road_passenger 道路货运→road_freight
// 机动车维修→vehicle_repair 驾驶员培训→driver_training 公路路政→road_administration
// 公路养护→road_maintenance 水路运输→waterway 交通工程建设→construction 其他→other; exact match.
std::optional<std::string_view> category_from_chinese(std::string_view text);
// The Chinese name of a category code, "" for an unknown code.
std::string_view category_chinese_name(std::string_view code);

struct Citizen {
  std::string name;              // as given, may be empty or 匿名
  std::string phone;             // mobile, landline or masked mobile (139****1234); may be empty
  std::string email;             // may be empty
  std::string id_number_masked;  // masked ID-card number (5108**********1234); never a full one
  bool anonymous = false;        // the citizen asked not to be named to the department

  friend bool operator==(const Citizen&, const Citizen&) = default;
};

struct Attachment {
  std::string name;                  // file name, may be empty
  std::string url;                   // http or https
  std::optional<std::int64_t> size;  // bytes, when the channel says
  std::string sha256;                // 64 hex digits when the channel says, else empty

  friend bool operator==(const Attachment&, const Attachment&) = default;
};

struct Appeal {
  std::string channel;      // channel id: hotline12328, mailbox, petition, operator, …
  std::string external_id;  // the channel's id; (channel, external_id) is unique
  Timestamp received_at;    // when the channel received it
  AppealKind kind = AppealKind::other;
  std::string category;  // a business category code
  std::string division;  // 6-digit administrative division code, or empty
  std::string place;     // where it happened, free text
  std::string plate;     // vehicle plate, normalized (see normalize_plate), or empty
  std::string title;
  std::string content;
  Citizen citizen;
  Urgency urgency = Urgency::normal;
  std::optional<Timestamp> channel_deadline;  // binding: the ticket is due no later than this
  std::vector<std::string> related;           // the channel's ids of related appeals
  std::vector<Attachment> attachments;
  bool publication_allowed = false;  // the citizen agreed that the answer may be published
  // Whatever the channel needs to answer, and every channel field the hub did not map.
  // Always a JSON object.
  nlohmann::json channel_meta = nlohmann::json::object();

  friend bool operator==(const Appeal&, const Appeal&) = default;
};

// Brings a plate as typed by people to the form validate() accepts: drops separators (· • ・ ．
// . - and spaces, ASCII or full-width), turns full-width letters and digits into ASCII and upper
// cases ASCII letters. `川H·T1234` → `川HT1234`, `川h-t1234` → `川HT1234`. It does not check the
// result: an unreadable plate stays unreadable (keep it in channel_meta instead).
std::string normalize_plate(std::string_view plate);

}  // namespace appealhub::core
