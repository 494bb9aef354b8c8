#include "router/duplicates.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>

#include "core/text.hpp"

namespace appealhub::router {
namespace {

// ---- UTF-8 and normalization

// Full-width ASCII forms and the ideographic space become ASCII; ASCII letters become lower case.
char32_t fold(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
  if (cp == 0x3000) cp = ' ';
  if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
  return cp;
}

bool is_ascii_alnum(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z');
}
bool is_digit(char32_t cp) {
  return cp >= '0' && cp <= '9';
}

// Kept for bigrams: ASCII letters and digits, and the CJK and other scripts' letters; dropped:
// spaces, controls, ASCII punctuation, general punctuation, CJK symbols and punctuation, the
// middle dots of plates, full-width and small form punctuation.
bool is_kept(char32_t cp) {
  if (cp < 0x80) return is_ascii_alnum(cp);
  if (cp == 0xFFFD) return false;
  if (cp <= 0xBF) return false;                      // Latin-1 punctuation, · (U+00B7)
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;    // general punctuation, arrows, symbols
  if (cp >= 0x3000 && cp <= 0x303F) return false;    // CJK symbols and punctuation
  if (cp == 0x30FB) return false;                    // katakana middle dot, used in plates
  if (cp >= 0xFE10 && cp <= 0xFE6F) return false;    // vertical, compatibility and small forms
  if (cp >= 0xFF00 && cp <= 0xFF65) return false;    // what fold() left of the full-width block
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;  // emoji and pictographs
  return true;
}

// ---- bigram weights

constexpr std::uint64_t key(char32_t a, char32_t b) {
  return (static_cast<std::uint64_t>(a) << 21) | static_cast<std::uint64_t>(b);
}

// Bigrams of the language every appeal is written in: salutations, the operators' formulas, the
// requests at the end. They say nothing about which incident a text is about.
constexpr std::u32string_view kBoilerplate[] = {
    U"尊敬的领导", U"领导您好", U"局长您好",   U"您好",       U"谢谢",       U"市民来电反映",
    U"来电人反映", U"来电人称", U"来电人举报", U"来电人咨询", U"来电人表扬", U"市民来电",
    U"来访人反映", U"反映",     U"要求",       U"请求",       U"恳请",       U"希望",
    U"相关部门",   U"有关部门", U"主管部门",   U"尽快处理",   U"调查处理",   U"核实处理",
    U"依法处理",   U"严肃处理", U"处理",       U"查处",       U"依法",       U"核实",
    U"本人",       U"我们",     U"你们",       U"一下",       U"问题",       U"关于",
    U"投诉",       U"举报",     U"建议",       U"咨询",       U"情况",       U"存在",
    U"安全隐患",   U"管一管",   U"加强管理",   U"给予答复",   U"万分感谢",   U"特此",
    U"交通局",     U"交通部门", U"已经",       U"现在",       U"没有",       U"这个",
    U"这样",       U"但是",     U"因为",       U"所以",       U"如果",       U"可以",
    U"不是",       U"什么",
};

// Characters that carry grammar, not content: a bigram of two of them weighs little.
constexpr std::u32string_view kFunctionChars =
    U"的了是在我他她它们也就都和与及并而还又把被让给这那有一个不很太吗呢吧啊";

constexpr float kBoilerplateWeight = 0.2F;
constexpr float kFunctionWeight = 0.3F;

struct WeightTable {
  std::vector<std::uint64_t> low;  // sorted boilerplate bigram keys
  WeightTable() {
    for (auto phrase : kBoilerplate)
      for (std::size_t i = 0; i + 1 < phrase.size(); ++i)
        low.push_back(key(phrase[i], phrase[i + 1]));
    std::sort(low.begin(), low.end());
    low.erase(std::unique(low.begin(), low.end()), low.end());
  }
  float weight(char32_t a, char32_t b) const {
    if (std::binary_search(low.begin(), low.end(), key(a, b))) return kBoilerplateWeight;
    const bool fa = kFunctionChars.find(a) != std::u32string_view::npos;
    const bool fb = kFunctionChars.find(b) != std::u32string_view::npos;
    if (fa && fb) return kFunctionWeight;
    return 1.0F;
  }
};

const WeightTable& weights() {
  static const WeightTable table;
  return table;
}

// ---- identifiers

constexpr std::u32string_view kProvinces =
    U"京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

bool is_plate_separator(char32_t cp) {
  return cp == 0x00B7 || cp == 0x30FB || cp == 0x2022 || cp == 0x2027 || cp == '.' || cp == '-' ||
         cp == ' ' || cp == 0xFF65;
}

// Reads a plate at cps[i]: 川H·T2851, 川HT2851, 川h t2851, 川HD01286, or a Guangyuan plate written
// without its province (H T2851, h·d03317: an `h` that starts a word, at least three digits).
// Returns the normalized plate and advances i past it, or returns "".
std::string read_plate(const std::u32string& cps, std::size_t& i) {
  const bool local = cps[i] == 'h' && (i == 0 || !is_ascii_alnum(cps[i - 1]));
  if (!local && kProvinces.find(cps[i]) == std::u32string_view::npos) return {};
  std::size_t j = local ? i : i + 1;
  if (j >= cps.size() || cps[j] < 'a' || cps[j] > 'z') return {};
  const char32_t region = cps[j++];
  if (j < cps.size() && is_plate_separator(cps[j])) ++j;
  std::string tail;
  int digits = 0;
  while (j < cps.size() && is_ascii_alnum(cps[j]) && tail.size() < 6) {
    digits += is_digit(cps[j]) ? 1 : 0;
    tail += static_cast<char>(cps[j] >= 'a' ? cps[j] - 'a' + 'A' : cps[j]);
    ++j;
  }
  if (tail.size() < 5 || (j < cps.size() && is_ascii_alnum(cps[j]))) return {};
  if (local && digits < 3) return {};
  std::string plate;
  core::append_utf8(plate, local ? U'川' : cps[i]);
  plate += static_cast<char>(region - 'a' + 'A');
  plate += tail;
  i = j;
  return plate;
}

// Words that end a place's or an organisation's name. The two characters before one are taken as
// the name (乔庄镇, 加固工程, 鸿运驾校): without segmentation the cut is sometimes wrong, but it is
// wrong the same way in both texts, so equal names still meet.
constexpr std::u32string_view kPlaceWords[] = {U"镇",   U"乡",   U"村",   U"桥",   U"码头", U"渡口",
                                               U"广场", U"工程", U"驾校", U"医院", U"小区", U"公园",
                                               U"景区", U"古城", U"汽修", U"机场"};
// Two characters before a place word that are not a name (我们村, 附近小区, 旅游景区).
constexpr std::u32string_view kNotNames[] = {
    U"我们", U"你们", U"他们", U"这个", U"那个", U"附近", U"旅游", U"这些", U"那些", U"全村",
    U"邻村", U"本村", U"农村", U"一个", U"整个", U"各个", U"乡镇", U"城乡", U"天桥"};

bool is_han(char32_t cp) {
  return cp >= 0x3400 && cp <= 0x9FFF;
}

void scan_places(const std::u32string& kept, TextShingles& out) {
  const std::u32string_view text(kept.data(), kept.size());
  for (auto word : kPlaceWords) {
    for (auto at = text.find(word); at != std::u32string_view::npos; at = text.find(word, at + 1)) {
      if (at < 2) continue;
      const auto name = text.substr(at - 2, 2);
      if (!is_han(name[0]) || !is_han(name[1])) continue;
      if (kFunctionChars.find(name[0]) != std::u32string_view::npos ||
          kFunctionChars.find(name[1]) != std::u32string_view::npos)
        continue;
      if (std::find(std::begin(kNotNames), std::end(kNotNames), name) != std::end(kNotNames))
        continue;
      std::string place;
      for (char32_t cp : text.substr(at - 2, 2 + word.size())) core::append_utf8(place, cp);
      out.places.push_back(std::move(place));
    }
  }
}

constexpr std::array<std::u32string_view, 7> kCounties = {U"利州", U"昭化", U"朝天", U"旺苍",
                                                          U"青川", U"剑阁", U"苍溪"};

void sort_unique(auto& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Identifiers from the folded code points (punctuation still there: it separates numbers).
void scan_identifiers(const std::u32string& cps, TextShingles& out) {
  for (std::size_t i = 0; i < cps.size();) {
    if (auto plate = read_plate(cps, i); !plate.empty()) {
      out.plates.push_back(std::move(plate));
      continue;
    }
    if (!is_digit(cps[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    int value = 0;
    std::string digits;
    while (i < cps.size() && is_digit(cps[i])) {
      digits += static_cast<char>(cps[i]);
      if (value < 100000) value = value * 10 + static_cast<int>(cps[i] - '0');
      ++i;
    }
    auto other_number = [&] {
      const auto nz = digits.find_first_not_of('0');
      out.numbers.push_back(nz == std::string::npos ? "0" : digits.substr(nz));
    };
    if (i >= cps.size()) {
      other_number();
      break;
    }
    if (cps[i] == U'路' || cps[i] == U'线') {
      std::string line;
      if (start > 0 && cps[start - 1] >= 'a' && cps[start - 1] <= 'z')
        line += static_cast<char>(cps[start - 1]);
      out.lines.push_back(line + digits);
    } else if (cps[i] == U'月' && value >= 1 && value <= 12) {
      std::size_t j = i + 1;
      int day = 0;
      int n = 0;
      while (j < cps.size() && is_digit(cps[j]) && n < 2) {
        day = day * 10 + static_cast<int>(cps[j] - '0');
        ++j;
        ++n;
      }
      if (n > 0 && j < cps.size() && (cps[j] == U'日' || cps[j] == U'号') && day >= 1 &&
          day <= 31) {
        out.dates.push_back(value * 100 + day);
        i = j + 1;
      } else {
        other_number();
      }
    } else {
      other_number();
    }
  }
  sort_unique(out.plates);
  sort_unique(out.lines);
  sort_unique(out.dates);
  sort_unique(out.numbers);
}

void add_text(std::string_view text, std::vector<std::pair<std::uint64_t, float>>& grams,
              TextShingles& out) {
  auto cps = core::decode_utf8(text);
  for (auto& cp : cps) cp = fold(cp);
  scan_identifiers(cps, out);
  std::u32string kept;
  kept.reserve(cps.size());
  for (char32_t cp : cps)
    if (is_kept(cp)) kept.push_back(cp);
  const auto& table = weights();
  for (std::size_t i = 0; i + 1 < kept.size(); ++i)
    grams.emplace_back(key(kept[i], kept[i + 1]), table.weight(kept[i], kept[i + 1]));
  if (kept.size() == 1) grams.emplace_back(key(kept[0], 0), 1.0F);
  scan_places(kept, out);
  for (std::size_t c = 0; c < kCounties.size(); ++c) {
    const auto k = key(kCounties[c][0], kCounties[c][1]);
    for (std::size_t i = 0; i + 1 < kept.size(); ++i)
      if (key(kept[i], kept[i + 1]) == k) {
        out.counties |= 1U << c;
        break;
      }
  }
}

TextShingles finish(std::vector<std::pair<std::uint64_t, float>> grams, TextShingles out) {
  sort_unique(out.places);
  std::sort(grams.begin(), grams.end());
  out.grams.reserve(grams.size());
  out.weights.reserve(grams.size());
  for (std::size_t i = 0; i < grams.size(); ++i) {
    // The same bigram in title and content: the larger weight (sorted last) counts.
    if (i + 1 < grams.size() && grams[i].first == grams[i + 1].first) continue;
    out.grams.push_back(grams[i].first);
    out.weights.push_back(grams[i].second);
    out.total_weight += grams[i].second;
  }
  return out;
}

template <typename T>
int shared(const std::vector<T>& a, const std::vector<T>& b) {
  int n = 0;
  for (const auto& x : a) n += std::binary_search(b.begin(), b.end(), x) ? 1 : 0;
  return n;
}

bool intersects(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return shared(a, b) > 0;
}

template <typename T>
bool disjoint_nonempty(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.empty() || b.empty()) return false;
  for (const auto& x : a)
    if (std::binary_search(b.begin(), b.end(), x)) return false;
  return true;
}

bool is_masked(std::string_view phone) {
  return phone.find('*') != std::string_view::npos;
}

}  // namespace

TextShingles TextShingles::of(std::string_view text) {
  std::vector<std::pair<std::uint64_t, float>> grams;
  TextShingles out;
  add_text(text, grams, out);
  return finish(std::move(grams), std::move(out));
}

TextShingles TextShingles::of(std::string_view title, std::string_view content) {
  std::vector<std::pair<std::uint64_t, float>> grams;
  TextShingles out;
  add_text(title, grams, out);
  TextShingles body;
  add_text(content, grams, body);
  out.counties |= body.counties;
  out.lines.insert(out.lines.end(), body.lines.begin(), body.lines.end());
  out.plates.insert(out.plates.end(), body.plates.begin(), body.plates.end());
  out.dates.insert(out.dates.end(), body.dates.begin(), body.dates.end());
  out.numbers.insert(out.numbers.end(), body.numbers.begin(), body.numbers.end());
  out.places.insert(out.places.end(), body.places.begin(), body.places.end());
  sort_unique(out.numbers);
  sort_unique(out.lines);
  sort_unique(out.plates);
  sort_unique(out.dates);
  return finish(std::move(grams), std::move(out));
}

double text_similarity(const TextShingles& a, const TextShingles& b) {
  if (a.grams.empty() || b.grams.empty()) return a.grams.empty() && b.grams.empty() ? 1.0 : 0.0;
  double common = 0;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.grams.size() && j < b.grams.size()) {
    if (a.grams[i] < b.grams[j]) {
      ++i;
    } else if (b.grams[j] < a.grams[i]) {
      ++j;
    } else {
      common += std::min(a.weights[i], b.weights[j]);
      ++i;
      ++j;
    }
  }
  const double dice = 2 * common / (a.total_weight + b.total_weight);
  const double overlap = common / std::min(a.total_weight, b.total_weight);
  return std::clamp((dice + overlap) / 2, 0.0, 1.0);
}

double text_similarity(std::string_view a, std::string_view b) {
  return text_similarity(TextShingles::of(a), TextShingles::of(b));
}

std::string normalize_phone(std::string_view phone) {
  std::string out;
  for (char c : phone)
    if ((c >= '0' && c <= '9') || c == '*') out += c;
  if (out.size() == 13 && out.starts_with("86") && out[2] == '1') out.erase(0, 2);
  if (out.size() == 15 && out.starts_with("0086") && out[4] == '1') out.erase(0, 4);
  return out;
}

PhoneMatch match_phones(std::string_view a, std::string_view b) {
  const auto x = normalize_phone(a);
  const auto y = normalize_phone(b);
  if (x.size() < 7 || y.size() < 7) return PhoneMatch::none;
  const bool mx = is_masked(x);
  const bool my = is_masked(y);
  if (!mx && !my) {
    if (x == y) return PhoneMatch::exact;
    // A landline with and without its area code (0839-3261234 and 3261234).
    const auto& longer = x.size() > y.size() ? x : y;
    const auto& shorter = x.size() > y.size() ? y : x;
    if (longer[0] == '0' && shorter[0] != '0' && shorter.size() >= 7 && shorter.size() <= 8 &&
        longer.size() - shorter.size() >= 3 && longer.size() - shorter.size() <= 4 &&
        longer.ends_with(shorter))
      return PhoneMatch::exact;
    return PhoneMatch::none;
  }
  // Masked mobiles: 11 characters, 3 visible, 4 masked, 4 visible.
  auto shape_ok = [](const std::string& p) { return p.size() == 11 && p[0] == '1'; };
  if (!shape_ok(x) || !shape_ok(y)) return PhoneMatch::none;
  for (std::size_t k : {0, 1, 2, 7, 8, 9, 10}) {
    if (x[k] == '*' || y[k] == '*') return PhoneMatch::none;
    if (x[k] != y[k]) return PhoneMatch::none;
  }
  return PhoneMatch::masked;
}

// Scoring is in find_duplicate below; its constants are documented in docs/duplicates.md.
namespace {

constexpr double kConflictFactor = 0.15;     // per identifier that differs (plate, line, date,
                                             // district, place, category)
constexpr double kSharedDateBonus = 0.15;    // both name the same date
constexpr double kSharedLineBonus = 0.10;    // both name the same bus or road line
constexpr double kSharedNumberBonus = 0.05;  // per other number both name, at most two
constexpr double kMaskedFactor = 0.9;        // a masked phone alone links weaker than a full one
constexpr double kBothLinksBonus = 0.05;     // phone and plate both agree
constexpr double kAgeDiscount = 0.1;         // at the window's edge the score is 10% lower

struct Scored {
  double score = 0;
  std::string reason;
  bool strong = false;  // the same full phone, or the same plate close in time: may merge
};

std::string format_score(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// `linked`: only candidates sharing a phone or plate count (the key path); otherwise any (the
// text path).
std::optional<Scored> score_candidate(const core::Appeal& incoming, const TextShingles& in_text,
                                      const DuplicateCandidate& cand, const DuplicatePolicy& policy,
                                      bool linked = true) {
  const auto in_time = std::chrono::time_point_cast<std::chrono::seconds>(incoming.received_at.utc);
  const auto gap = in_time > cand.received ? in_time - cand.received : cand.received - in_time;
  if (gap > policy.window) return std::nullopt;

  const auto c_text = TextShingles::of(cand.title, cand.content);

  std::vector<std::string> in_plates = in_text.plates;
  if (!incoming.plate.empty()) in_plates.push_back(core::normalize_plate(incoming.plate));
  sort_unique(in_plates);
  std::vector<std::string> c_plates = c_text.plates;
  if (!cand.plate.empty()) c_plates.push_back(core::normalize_plate(cand.plate));
  sort_unique(c_plates);

  const auto phone = match_phones(incoming.citizen.phone, cand.phone);
  const bool same_plate = intersects(in_plates, c_plates);
  if (linked && phone == PhoneMatch::none && !same_plate) return std::nullopt;

  const double sim = text_similarity(in_text, c_text);
  double score = sim;
  std::vector<std::string> agrees;
  if (shared(in_text.dates, c_text.dates) > 0) {
    score += kSharedDateBonus;
    agrees.emplace_back("same date");
  }
  if (shared(in_text.lines, c_text.lines) > 0) {
    score += kSharedLineBonus;
    agrees.emplace_back("same line");
  }
  if (const int n = std::min(2, shared(in_text.numbers, c_text.numbers)); n > 0) {
    score += kSharedNumberBonus * n;
    agrees.emplace_back("same numbers");
  }
  std::vector<std::string> differs;
  if (disjoint_nonempty(in_plates, c_plates)) differs.emplace_back("plate differs");
  if (disjoint_nonempty(in_text.lines, c_text.lines)) differs.emplace_back("line number differs");
  if (disjoint_nonempty(in_text.dates, c_text.dates)) differs.emplace_back("date differs");
  const bool county_differs =
      in_text.counties != 0 && c_text.counties != 0 && (in_text.counties & c_text.counties) == 0;
  const bool division_differs =
      !incoming.division.empty() && !cand.division.empty() && incoming.division != cand.division;
  if (county_differs || division_differs) differs.emplace_back("district differs");
  if (disjoint_nonempty(in_text.places, c_text.places)) differs.emplace_back("place differs");
  if (!incoming.category.empty() && !cand.category.empty() && incoming.category != "other" &&
      cand.category != "other" && incoming.category != cand.category)
    differs.emplace_back("category differs");
  for (std::size_t k = 0; k < differs.size(); ++k) score *= kConflictFactor;

  if (phone == PhoneMatch::masked && !same_plate) score *= kMaskedFactor;
  if (phone != PhoneMatch::none && same_plate) score += kBothLinksBonus;
  const double age =
      std::chrono::duration<double>(gap) / std::chrono::duration<double>(policy.window);
  score *= 1 - kAgeDiscount * age;
  score = std::clamp(score, 0.0, 1.0);

  std::string reason;
  if (phone == PhoneMatch::exact) reason = "same phone";
  if (phone == PhoneMatch::masked) reason = "masked phone matches";
  if (same_plate) reason += std::string(reason.empty() ? "" : ", ") + "same plate";
  reason += ", text similarity " + format_score(sim);
  for (const auto& a : agrees) reason += ", " + a;
  for (const auto& d : differs) reason += ", " + d;
  if (reason.starts_with(", ")) reason.erase(0, 2);
  const bool strong = differs.empty() && (phone == PhoneMatch::exact ||
                                          (same_plate && gap <= policy.strong_plate_gap));
  return Scored{score, std::move(reason), strong};
}

}  // namespace

std::optional<DuplicateVerdict> find_duplicate(const core::Appeal& incoming,
                                               const std::vector<DuplicateCandidate>& candidates,
                                               const DuplicatePolicy& policy) {
  if (candidates.empty()) return std::nullopt;
  const auto in_text = TextShingles::of(incoming.title, incoming.content);
  std::optional<DuplicateVerdict> best;
  for (const auto& cand : candidates) {
    auto scored = score_candidate(incoming, in_text, cand, policy);
    if (!scored || scored->score < policy.suggest_threshold) continue;
    if (best && scored->score <= best->score) continue;
    best = DuplicateVerdict{cand.ticket_id, scored->score,
                            scored->score >= policy.merge_threshold && scored->strong
                                ? DuplicateVerdict::Action::merge
                                : DuplicateVerdict::Action::suggest,
                            std::move(scored->reason)};
  }
  return best;
}

std::optional<DuplicateVerdict> find_text_duplicate(
    const core::Appeal& incoming, const std::vector<DuplicateCandidate>& candidates,
    const DuplicatePolicy& policy) {
  const auto in_text = TextShingles::of(incoming.title, incoming.content);
  std::optional<DuplicateVerdict> best;
  const DuplicateCandidate* best_candidate = nullptr;
  for (const auto& cand : candidates) {
    auto scored = score_candidate(incoming, in_text, cand, policy, false);
    if (!scored || scored->score < policy.text_threshold) continue;
    if (best && scored->score <= best->score) continue;
    best = DuplicateVerdict{cand.ticket_id, scored->score, DuplicateVerdict::Action::suggest,
                            std::move(scored->reason)};
    best_candidate = &cand;
  }
  if (best) {
    std::string phrases;
    for (const auto& p : shared_phrases(incoming.title + "\n" + incoming.content,
                                        best_candidate->title + "\n" + best_candidate->content)) {
      phrases += (phrases.empty() ? "" : " ") + ("「" + p + "」");
    }
    best->reason = "similar text: " + best->reason;
    if (!phrases.empty()) best->reason += ", shared phrases " + phrases;
  }
  return best;
}

DuplicateKeys duplicate_keys(std::string_view phone, std::string_view plate, std::string_view title,
                             std::string_view content) {
  DuplicateKeys keys;
  const auto both = [&](const std::string& key) {
    keys.stored.push_back(key);
    keys.lookup.push_back(key);
  };
  const auto p = normalize_phone(phone);
  if (p.size() == 11 && p[0] == '1') {
    const auto visible = p.substr(0, 3) + p.substr(7);
    if (is_masked(p)) {
      both("x:" + visible);
      keys.lookup.push_back("m:" + visible);
    } else {
      both("p:" + p);
      keys.stored.push_back("m:" + visible);
      keys.lookup.push_back("x:" + visible);
    }
  } else if (p.size() >= 10 && p[0] == '0' && !is_masked(p)) {
    // A landline without its area code (3 digits for 01x and 02x, else 4): with or without it,
    // with or without a dash, the same key.
    const std::size_t area = (p[1] == '1' || p[1] == '2') ? 3 : 4;
    if (p.size() - area >= 7 && p.size() - area <= 8) both("l:" + p.substr(area));
  } else if (p.size() >= 7 && p.size() <= 8 && p[0] != '0' && !is_masked(p)) {
    both("l:" + p);
  }
  auto text = TextShingles::of(title, content);
  if (!plate.empty()) text.plates.push_back(core::normalize_plate(plate));
  for (const auto& v : text.plates) both("v:" + v);
  sort_unique(keys.stored);
  sort_unique(keys.lookup);
  return keys;
}

std::vector<std::int32_t> text_index_grams(const TextShingles& text) {
  std::vector<std::int32_t> out;
  out.reserve(text.grams.size());
  for (std::size_t i = 0; i < text.grams.size(); ++i) {
    const auto a = static_cast<char32_t>(text.grams[i] >> 21);
    const auto b = static_cast<char32_t>(text.grams[i] & 0x1FFFFF);
    if (text.weights[i] < 1.0F || !is_han(a) || !is_han(b)) continue;
    out.push_back(static_cast<std::int32_t>((static_cast<std::uint32_t>(a) << 16) |
                                            static_cast<std::uint32_t>(b & 0xFFFF)));
  }
  sort_unique(out);
  return out;
}

std::vector<std::string> shared_phrases(std::string_view a, std::string_view b, std::size_t count) {
  const auto kept = [](std::string_view text) {
    std::u32string out;
    for (char32_t cp : core::decode_utf8(text)) {
      cp = fold(cp);
      out.push_back(is_kept(cp) ? cp : 0);  // 0 breaks a phrase where punctuation was
    }
    return out;
  };
  const auto x = kept(a);
  const auto y = kept(b);
  // Longest common substrings ending at each position (dynamic programming, two rows).
  std::vector<std::pair<std::size_t, std::size_t>> found;  // length, end in x
  std::vector<std::size_t> prev(y.size() + 1, 0), cur(y.size() + 1, 0);
  std::vector<std::size_t> best_at(x.size() + 1, 0);
  for (std::size_t i = 1; i <= x.size(); ++i) {
    for (std::size_t j = 1; j <= y.size(); ++j) {
      cur[j] = (x[i - 1] != 0 && x[i - 1] == y[j - 1]) ? prev[j - 1] + 1 : 0;
      best_at[i] = std::max(best_at[i], cur[j]);
    }
    std::swap(prev, cur);
  }
  // A phrase is a maximal run: its length does not grow at the next position.
  for (std::size_t i = 1; i <= x.size(); ++i) {
    const bool maximal = i == x.size() || best_at[i + 1] != best_at[i] + 1;
    if (maximal && best_at[i] >= 4) found.emplace_back(best_at[i], i);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& l, const auto& r) { return l.first > r.first; });
  std::vector<std::string> out;
  for (const auto& [length, end] : found) {
    if (out.size() >= count) break;
    // A phrase of boilerplate alone (来电人反映, 请尽快处理) is no evidence.
    bool telling = false;
    for (std::size_t k = end - length; k + 1 < end; ++k)
      telling = telling || weights().weight(x[k], x[k + 1]) >= 1.0F;
    if (!telling) continue;
    std::string phrase;
    for (std::size_t k = end - length; k < end; ++k) core::append_utf8(phrase, x[k]);
    if (std::find(out.begin(), out.end(), phrase) == out.end()) out.push_back(std::move(phrase));
  }
  return out;
}

}  // namespace appealhub::router
