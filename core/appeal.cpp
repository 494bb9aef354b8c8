#include "core/appeal.hpp"

#include <array>
#include <utility>

namespace appealhub::core {
namespace {

using namespace std::string_view_literals;

constexpr std::array<std::pair<AppealKind, std::string_view>, 8> kKindNames{{
    {AppealKind::consultation, "consultation"},
    {AppealKind::complaint, "complaint"},
    {AppealKind::report, "report"},
    {AppealKind::suggestion, "suggestion"},
    {AppealKind::help, "help"},
    {AppealKind::praise, "praise"},
    {AppealKind::disclosure, "disclosure"},
    {AppealKind::other, "other"},
}};

// The first entry of each kind is its display name; later ones are synonyms some channels use.
constexpr std::array<std::pair<std::string_view, AppealKind>, 10> kKindChinese{{
    {"咨询", AppealKind::consultation},
    {"投诉", AppealKind::complaint},
    {"举报", AppealKind::report},
    {"建议", AppealKind::suggestion},
    {"求助", AppealKind::help},
    {"表扬", AppealKind::praise},
    {"依申请公开", AppealKind::disclosure},
    {"其他", AppealKind::other},
    {"建言", AppealKind::suggestion},  // online petition
    {"感谢", AppealKind::praise},      // online petition
}};

constexpr std::array<std::pair<Urgency, std::string_view>, 3> kUrgencyNames{{
    {Urgency::normal, "normal"},
    {Urgency::urgent, "urgent"},
    {Urgency::critical, "critical"},
}};

constexpr std::array<std::pair<std::string_view, Urgency>, 3> kUrgencyChinese{{
    {"一般", Urgency::normal},
    {"紧急", Urgency::urgent},
    {"特急", Urgency::critical},
}};

constexpr std::array<std::string_view, 12> kCategoryCodes{
    "taxi",
    "ride_hailing",
    "bus",
    "road_passenger",
    "road_freight",
    "vehicle_repair",
    "driver_training",
    "road_administration",
    "road_maintenance",
    "waterway",
    "construction",
    "other",
};

// Same order as kCategoryCodes.
constexpr std::array<std::string_view, 12> kCategoryChinese{
    "出租汽车",   "网约车",   "公共汽电车", "道路客运", "道路货运",     "机动车维修",
    "驾驶员培训", "公路路政", "公路养护",   "水路运输", "交通工程建设", "其他",
};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return {};
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of_word(const std::array<std::pair<std::string_view, Enum>, N>& words,
                                  std::string_view text) {
  for (const auto& [word, value] : words) {
    if (word == text) return value;
  }
  return std::nullopt;
}

// What to do with the UTF-8 character at a position of a plate: drop it (ascii == 0) or read it as
// an ASCII character.
struct PlateFix {
  std::size_t length;  // bytes of the character
  char ascii = 0;
};

// The fix for the separator or full-width character at `i`, or nullopt to keep the byte as it is.

std::optional<PlateFix> plate_fix_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const std::size_t left = text.size() - i;
  if (left >= 2 && byte(0) == 0xC2 && byte(1) == 0xB7) return PlateFix{2};  // · U+00B7
  if (left >= 3 && byte(0) == 0xE2 && byte(1) == 0x80 && byte(2) == 0xA2) {
    return PlateFix{3};  // • U+2022
  }
  if (left >= 3 && byte(0) == 0xE3 && byte(1) == 0x83 && byte(2) == 0xBB) {
    return PlateFix{3};  // ・ U+30FB
  }
  if (left >= 3 && byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) {
    return PlateFix{3};  // ideographic space U+3000
  }
  // Full-width forms U+FF01..U+FF5E are EF BC 81..EF BD 9E and map to ASCII 0x21..0x7E.
  if (left >= 3 && byte(0) == 0xEF && (byte(1) == 0xBC || byte(1) == 0xBD) && byte(2) >= 0x80 &&
      byte(2) <= 0xBF) {
    const unsigned code_point = 0xFF00u + ((byte(1) - 0xBCu) << 6) + (byte(2) - 0x80u);
    if (code_point >= 0xFF01 && code_point <= 0xFF5E) {
      return PlateFix{3, static_cast<char>(code_point - 0xFF00u + 0x20u)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(AppealKind kind) {
  return name_of(kKindNames, kind);
}
std::string_view to_string(Urgency urgency) {
  return name_of(kUrgencyNames, urgency);
}

std::optional<AppealKind> parse_appeal_kind(std::string_view text) {
  return value_of(kKindNames, text);
}

std::optional<Urgency> parse_urgency(std::string_view text) {
  return value_of(kUrgencyNames, text);
}

std::optional<AppealKind> kind_from_chinese(std::string_view text) {
  return value_of_word(kKindChinese, text);
}

std::optional<Urgency> urgency_from_chinese(std::string_view text) {
  return value_of_word(kUrgencyChinese, text);
}

std::string_view chinese_name(AppealKind kind) {
  for (const auto& [word, value] : kKindChinese) {
    if (value == kind) return word;
  }
  return {};
}

std::span<const std::string_view> business_categories() {
  return kCategoryCodes;
}

bool is_business_category(std::string_view code) {
  for (const auto candidate : kCategoryCodes) {
    if (candidate == code) return true;
  }
  return false;
}

std::optional<std::string_view> category_from_chinese(std::string_view text) {
  for (std::size_t i = 0; i < kCategoryChinese.size(); ++i) {
    if (kCategoryChinese[i] == text) return kCategoryCodes[i];
  }
  return std::nullopt;
}

std::string_view category_chinese_name(std::string_view code) {
  for (std::size_t i = 0; i < kCategoryCodes.size(); ++i) {
    if (kCategoryCodes[i] == code) return kCategoryChinese[i];
  }
  return {};
}

std::string normalize_plate(std::string_view plate) {
  std::string out;
  out.reserve(plate.size());
  for (std::size_t i = 0; i < plate.size();) {
    char c = plate[i];
    std::size_t length = 1;
    if (const auto fix = plate_fix_at(plate, i)) {
      length = fix->length;
      if (fix->ascii == 0) {
        i += length;
        continue;
      }
      c = fix->ascii;
    }
    i += length;
    if (c == ' ' || c == '\t' || c == '-' || c == '.') continue;
    if (length == 1 && static_cast<unsigned char>(c) >= 0x80) {
      out += c;  // a byte of a multi-byte character (the province), kept as it is
      continue;
    }
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

}  // namespace appealhub::core
