#include "adapters/common/text_clues.hpp"

#include <array>
#include <charconv>
#include <initializer_list>
#include <vector>

#include "core/text.hpp"

namespace appealhub::adapters {
namespace {

struct Clue {
  std::string_view value;
  std::initializer_list<std::string_view> words;
};

bool contains_any(std::string_view text, std::initializer_list<std::string_view> words) {
  for (const auto w : words) {
    if (text.find(w) != std::string_view::npos) return true;
  }
  return false;
}

// The value of the one clue whose words occur in `text`.
template <std::size_t N>
std::optional<std::string_view> only_match(std::string_view text,
                                           const std::array<Clue, N>& clues) {
  std::optional<std::string_view> found;
  for (const auto& clue : clues) {
    if (!contains_any(text, clue.words)) continue;
    if (found && *found != clue.value) return std::nullopt;
    found = clue.value;
  }
  return found;
}

const std::array<Clue, 7> kDivisions{{
    {"510802", {"利州"}},
    {"510811", {"昭化", "元坝"}},
    {"510812", {"朝天区"}},
    {"510821", {"旺苍"}},
    {"510822", {"青川"}},
    {"510823", {"剑阁"}},
    {"510824", {"苍溪"}},
}};

const std::array<Clue, 7> kKinds{{
    {"complaint", {"投诉"}},
    {"report", {"举报"}},
    {"consultation", {"咨询", "请问"}},
    {"suggestion", {"建议", "建言"}},
    {"help", {"求助"}},
    {"praise", {"表扬", "感谢", "锦旗"}},
    {"disclosure", {"依申请公开", "信息公开申请"}},
}};

const std::array<Clue, 11> kCategories{{
    {"taxi", {"出租车", "出租汽车", "的士", "打表", "拒载"}},
    {"ride_hailing", {"网约车", "滴滴"}},
    {"bus", {"公交"}},
    {"road_passenger", {"班车", "客运站", "长途客车", "客运车"}},
    {"road_freight", {"货车", "货运", "物流车"}},
    {"vehicle_repair", {"维修厂", "修理厂", "汽修"}},
    {"driver_training", {"驾校", "学车", "驾驶培训"}},
    {"road_administration", {"路政", "超限", "超载", "占道"}},
    {"road_maintenance", {"路面", "坑洼", "坑槽", "养护", "塌方", "落石"}},
    {"waterway", {"渡口", "码头", "渡船", "船舶"}},
    {"construction", {"施工", "工程建设"}},
}};

// The character a reference names ("amp", "#39", "#x4E2D"), or nullopt.
std::optional<unsigned long> entity_value(std::string_view name) {
  if (name == "amp") return '&';
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "quot") return '"';
  if (name == "apos") return '\'';
  if (name == "nbsp") return 0xA0;
  if (name.size() < 2 || name[0] != '#') return std::nullopt;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  const auto digits = name.substr(hex ? 2 : 1);
  unsigned long cp = 0;
  const auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  // No NUL, surrogates or values past Unicode: keep the text as it was.
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return std::nullopt;
  return cp;
}

}  // namespace

std::optional<std::string> division_from_text(std::string_view text) {
  const auto code = only_match(text, kDivisions);
  if (!code) return std::nullopt;
  return std::string(*code);
}

bool is_guangyuan_division(std::string_view code) {
  for (const auto& d : kDivisions) {
    if (d.value == code) return true;
  }
  return false;
}

std::optional<core::AppealKind> kind_from_text(std::string_view text) {
  const auto kind = only_match(text, kKinds);
  if (!kind) return std::nullopt;
  return core::parse_appeal_kind(*kind);
}

std::optional<std::string> category_from_text(std::string_view text) {
  const auto category = only_match(text, kCategories);
  if (!category) return std::nullopt;
  return std::string(*category);
}

std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '&') {
      const auto semicolon = text.find(';', i + 1);
      // References are short: do not scan far for a stray ampersand.
      if (semicolon != std::string_view::npos && semicolon - i <= 10) {
        if (const auto cp = entity_value(text.substr(i + 1, semicolon - i - 1))) {
          core::append_utf8(out, static_cast<char32_t>(*cp));
          i = semicolon + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::string first_characters(std::string_view text, std::size_t n) {
  std::string line;
  for (const char c : text) line += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  const auto first = line.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  line.erase(0, first);
  std::size_t count = 0, i = 0;
  while (i < line.size() && count < n) {
    i += core::character_length(line, i);
    ++count;
  }
  line.resize(std::min(i, line.size()));
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace appealhub::adapters
