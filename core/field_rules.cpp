#include "core/field_rules.hpp"

#include <array>

namespace appealhub::core {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_alpha(char c) {
  return is_upper(c) || is_lower(c);
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

template <class Predicate>
bool all_of(std::string_view text, Predicate keep) {
  for (const char c : text) {
    if (!keep(c)) return false;
  }
  return true;
}

bool is_id_character(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

bool digits(std::string_view text, std::size_t count) {
  return text.size() == count && all_of(text, is_digit);
}

// The province characters of Chinese plates, each three bytes of UTF-8.
constexpr std::array<std::string_view, 31> kPlateProvinces{
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣",
    "鄂", "桂", "甘", "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼",
};

constexpr std::array<std::string_view, 3> kPlateSuffixes{"挂", "学", "警"};

template <std::size_t N>
bool starts_with_one_of(std::string_view text, const std::array<std::string_view, N>& words) {
  for (const auto word : words) {
    if (text.starts_with(word)) return true;
  }
  return false;
}

bool is_plate_serial(std::string_view text) {
  return all_of(text, [](char c) { return is_upper(c) || is_digit(c); });
}

bool is_local_part_character(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~.-";
  return is_alnum(c) || kSpecials.find(c) != std::string_view::npos;
}

bool is_domain_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  return all_of(label, [](char c) { return is_alnum(c) || c == '-'; });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool is_channel_id(std::string_view text) {
  return text.size() >= 2 && text.size() <= 32 && is_lower(text.front()) &&
         all_of(text, [](char c) { return is_lower(c) || is_digit(c) || c == '_'; });
}

bool is_event_id(std::string_view text) {
  return text.size() >= 16 && text.size() <= 128 && all_of(text, is_id_character);
}

bool is_reply_id(std::string_view text) {
  return !text.empty() && text.size() <= 128 && all_of(text, is_id_character);
}

bool is_department_code(std::string_view text) {
  return !text.empty() && text.size() <= 64 &&
         all_of(text, [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
}

bool is_division_code(std::string_view text) {
  return digits(text, 6);
}

bool is_normalized_plate(std::string_view text) {
  if (!starts_with_one_of(text, kPlateProvinces)) return false;
  text.remove_prefix(3);
  if (text.empty() || !is_upper(text.front())) return false;
  text.remove_prefix(1);
  if (starts_with_one_of(text.size() >= 3 ? text.substr(text.size() - 3) : std::string_view{},
                         kPlateSuffixes)) {
    const auto serial = text.substr(0, text.size() - 3);
    return (serial.size() == 4 || serial.size() == 5) && is_plate_serial(serial);
  }
  return (text.size() == 5 || text.size() == 6) && is_plate_serial(text);
}

bool is_phone_number(std::string_view text) {
  if (text.size() == 11 && text[0] == '1' && text[1] >= '3' && text[1] <= '9') {
    if (all_of(text, is_digit)) return true;  // mobile
    return digits(text.substr(0, 3), 3) && text.substr(3, 4) == "****" &&
           digits(text.substr(7), 4);  // masked mobile
  }
  if (text.empty() || text[0] != '0') return false;
  // Landline: the area code is 3 or 4 digits with its leading 0. Without a dash, the split
  // between area code and number is ambiguous, so try both.
  const auto number_with_extension = [](std::string_view rest) {
    const auto dash = rest.find('-');
    const auto number = rest.substr(0, dash);
    if ((number.size() != 7 && number.size() != 8) || !all_of(number, is_digit)) return false;
    if (dash == std::string_view::npos) return true;
    const auto extension = rest.substr(dash + 1);
    return !extension.empty() && extension.size() <= 6 && all_of(extension, is_digit);
  };
  for (const std::size_t area_length : {3u, 4u}) {
    if (text.size() <= area_length || !digits(text.substr(0, area_length), area_length)) continue;
    auto rest = text.substr(area_length);
    if (rest.front() == '-') rest.remove_prefix(1);
    if (number_with_extension(rest)) return true;
  }
  return false;
}

bool is_email_address(std::string_view text) {
  if (text.size() > 254) return false;
  const auto at = text.find('@');
  if (at == std::string_view::npos) return false;
  const auto local = text.substr(0, at);
  auto domain = text.substr(at + 1);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos || !all_of(local, is_local_part_character)) {
    return false;
  }
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const auto dot = domain.find('.');
    last = domain.substr(0, dot);
    if (!is_domain_label(last)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  bool has_letter = false;
  for (const char c : last) has_letter = has_letter || is_alpha(c);
  return labels >= 2 && has_letter;
}

bool is_masked_id_number(std::string_view text) {
  return !text.empty() && text.size() <= 32 && text.find('*') != std::string_view::npos &&
         all_of(text, [](char c) { return is_digit(c) || c == 'X' || c == 'x' || c == '*'; });
}

bool is_http_url(std::string_view text) {
  std::string_view rest;
  if (starts_with_ignoring_case(text, "https://")) {
    rest = text.substr(8);
  } else if (starts_with_ignoring_case(text, "http://")) {
    rest = text.substr(7);
  } else {
    return false;
  }
  const auto host_end = rest.find_first_of("/?#");
  if (rest.substr(0, host_end).empty()) return false;
  return all_of(text, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7F;
  });
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && all_of(text, is_hex);
}

}  // namespace appealhub::core
