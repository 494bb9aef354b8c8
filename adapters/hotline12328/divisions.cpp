#include "adapters/hotline12328/divisions.hpp"

#include <array>

namespace appealhub::adapters::hotline12328 {
namespace {

struct Division {
  std::string_view code;
  std::string_view name;
  std::string_view former_name;
};

// From docs/domain.md, "Guangyuan".
constexpr std::array<Division, 7> kDivisions{{
    {"510802", "利州区", ""},
    {"510811", "昭化区", "元坝区"},
    {"510812", "朝天区", ""},
    {"510821", "旺苍县", ""},
    {"510822", "青川县", ""},
    {"510823", "剑阁县", ""},
    {"510824", "苍溪县", ""},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> guangyuan_division_code(std::string_view name_or_code) {
  const std::string_view text = trim(name_or_code);
  if (text.empty()) return std::nullopt;
  for (const Division& d : kDivisions) {
    if (text == d.code || text == d.name || (!d.former_name.empty() && text == d.former_name)) {
      return std::string(d.code);
    }
  }
  return std::nullopt;
}

}  // namespace appealhub::adapters::hotline12328
