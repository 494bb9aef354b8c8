#include "router/routing_rules.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/field_rules.hpp"
#include "core/text.hpp"

namespace appealhub::router {

using nlohmann::json;

namespace {

constexpr std::array<core::AppealKind, 8> kKinds{
    core::AppealKind::consultation, core::AppealKind::complaint, core::AppealKind::report,
    core::AppealKind::suggestion,   core::AppealKind::help,      core::AppealKind::praise,
    core::AppealKind::disclosure,   core::AppealKind::other,
};
constexpr std::array<core::Urgency, 3> kUrgencies{core::Urgency::normal, core::Urgency::urgent,
                                                  core::Urgency::critical};

// Province characters a normalized plate starts with, and the characters that may end one.
constexpr std::string_view kProvinces =
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
constexpr std::string_view kPlateSuffixes = "挂学警";

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

bool is_rule_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The UTF-8 characters of `text` (a malformed byte counts as one character).
std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = core::character_length(text, i);
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

bool is_one_of_characters(std::string_view character, std::string_view set) {
  if (character.size() != 3) return false;  // every character of the sets is 3 bytes in UTF-8
  for (std::size_t i = 0; i + 3 <= set.size(); i += 3) {
    if (set.substr(i, 3) == character) return true;
  }
  return false;
}

std::string codes_of_kinds() {
  std::string out;
  for (const auto kind : kKinds) out.append(out.empty() ? "" : ", ").append(to_string(kind));
  return out;
}

std::string codes_of_categories() {
  std::string out;
  for (const auto code : core::business_categories()) {
    out.append(out.empty() ? "" : ", ").append(code);
  }
  return out;
}

int category_index(std::string_view code) {
  const auto codes = core::business_categories();
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] == code) return static_cast<int>(i);
  }
  return -1;
}

// A plate pattern split for matching: the bytes before the first wildcard are compared as a
// prefix, the characters after it are matched as a glob anchored at the start and open at the end.
struct PlatePattern {
  std::string text;     // as written
  std::string literal;  // before the first wildcard
  std::size_t literal_characters = 0;
  std::vector<std::string> rest;  // characters from the first wildcard on; "?" and "*" are wild
};

std::optional<PlatePattern> compile_plate(std::string_view text) {
  if (text.empty() || !core::is_valid_utf8(text)) return std::nullopt;
  PlatePattern pattern{std::string(text), {}, 0, {}};
  const auto chars = characters(text);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const auto c = chars[i];
    const bool wild = c == "?" || c == "*";
    const bool plain =
        c.size() == 1 && ((c[0] >= 'A' && c[0] <= 'Z') || (c[0] >= '0' && c[0] <= '9'));
    if (i == 0 && !wild && !is_one_of_characters(c, kProvinces)) return std::nullopt;
    if (i > 0 && !wild && !plain && !is_one_of_characters(c, kPlateSuffixes)) return std::nullopt;
    if (wild || !pattern.rest.empty()) {
      pattern.rest.emplace_back(c);
    } else {
      pattern.literal += c;
      ++pattern.literal_characters;
    }
  }
  // A trailing run of `*` adds nothing: the pattern is open at the end anyway.
  while (!pattern.rest.empty() && pattern.rest.back() == "*") pattern.rest.pop_back();
  return pattern;
}

// Glob of `tokens` against the start of `chars` (an implicit `*` at the end).
bool glob_prefix(const std::vector<std::string>& tokens, const std::vector<std::string_view>& chars,
                 std::size_t from) {
  std::size_t t = 0, c = from;
  std::size_t star = std::string::npos, mark = 0;
  while (t < tokens.size()) {
    if (tokens[t] == "*") {
      star = t++;
      mark = c;
      continue;
    }
    if (c < chars.size() && (tokens[t] == "?" || tokens[t] == chars[c])) {
      ++t;
      ++c;
      continue;
    }
    if (star == std::string::npos || mark >= chars.size()) return false;
    t = star + 1;
    c = ++mark;
  }
  return true;
}

}  // namespace

struct CompiledRule {
  std::size_t index = 0;  // in RoutingRules::rules_
  // Bit masks over the enumerations and the category list; 0 means "no such condition".
  std::uint32_t kinds = 0, urgencies = 0, categories = 0;
  std::vector<std::string> channels;
  std::vector<std::string> divisions;   // sorted
  std::vector<std::uint32_t> keywords;  // ids into Compiled::keywords, in the rule's order
  std::vector<PlatePattern> plates;
};

struct RoutingRules::Compiled {
  std::vector<CompiledRule> rules;    // the enabled rules, in order
  std::vector<std::string> keywords;  // every distinct keyword, ASCII lower-cased
  std::vector<std::vector<std::uint16_t>>
      keyword_pairs;  // pair_slot() of each keyword's byte pairs
  std::unordered_map<std::string, std::string> division_department;  // first active serving one

  const std::string* serving(const std::string& division) const {
    if (division.empty()) return nullptr;
    const auto it = division_department.find(division);
    return it == division_department.end() ? nullptr : &it->second;
  }
};

namespace {

// A filter of the byte pairs in a text: a keyword with a pair the text does not have is not in the
// text. Most keywords of a rule set are absent from any one appeal, and most of those are ruled
// out by a few bit tests instead of a scan of the text.
constexpr std::size_t kPairSlots = 8192;

std::uint16_t pair_slot(unsigned char first, unsigned char second) {
  const std::uint32_t pair = (static_cast<std::uint32_t>(first) << 8) | second;
  return static_cast<std::uint16_t>(((pair * 0x9E3779B1u) >> 19) & (kPairSlots - 1));
}

std::vector<std::uint16_t> pair_slots(std::string_view text) {
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    out.push_back(
        pair_slot(static_cast<unsigned char>(text[i]), static_cast<unsigned char>(text[i + 1])));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// What one placement knows about its appeal; the expensive facts are computed when a rule first
// asks for them, and each keyword is searched for once however many rules name it.
class Facts {
 public:
  Facts(const core::Appeal& appeal, const RoutingRules::Compiled& compiled)
      : appeal_(appeal), compiled_(compiled), keyword_state_(compiled.keywords.size(), kUnknown) {
    const auto kind = static_cast<unsigned>(appeal.kind);
    kind_bit_ = kind < 32 ? 1u << kind : 0;
    const auto urgency = static_cast<unsigned>(appeal.urgency);
    urgency_bit_ = urgency < 32 ? 1u << urgency : 0;
    const int category = category_index(appeal.category);
    category_bit_ = category >= 0 ? 1u << category : 0;
  }

  const core::Appeal& appeal() const { return appeal_; }
  std::uint32_t kind_bit() const { return kind_bit_; }
  std::uint32_t urgency_bit() const { return urgency_bit_; }
  std::uint32_t category_bit() const { return category_bit_; }

  bool has_keyword(std::uint32_t id) {
    auto& state = keyword_state_[id];
    if (state == kUnknown) {
      if (!text_ready_) prepare_text();
      bool possible = true;
      for (const auto slot : compiled_.keyword_pairs[id]) {
        if ((pairs_[slot / 64] & (std::uint64_t{1} << (slot % 64))) == 0) {
          possible = false;
          break;
        }
      }
      state =
          possible && text_.find(compiled_.keywords[id]) != std::string::npos ? kFound : kAbsent;
    }
    return state == kFound;
  }

  bool plate_matches(const PlatePattern& pattern) {
    const std::string& plate = appeal_.plate;
    if (plate.empty() || !plate.starts_with(pattern.literal)) return false;
    if (pattern.rest.empty()) return true;
    if (!plate_ready_) {
      plate_chars_ = characters(plate);
      plate_ready_ = true;
    }
    return glob_prefix(pattern.rest, plate_chars_, pattern.literal_characters);
  }

 private:
  void prepare_text() {
    text_ = lower_ascii(appeal_.title);
    text_ += '\n';  // no keyword holds a line break, so none matches across the two
    text_ += lower_ascii(appeal_.content);
    for (std::size_t i = 0; i + 1 < text_.size(); ++i) {
      const auto slot =
          pair_slot(static_cast<unsigned char>(text_[i]), static_cast<unsigned char>(text_[i + 1]));
      pairs_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    }
    text_ready_ = true;
  }

  static constexpr signed char kUnknown = -1, kAbsent = 0, kFound = 1;
  const core::Appeal& appeal_;
  const RoutingRules::Compiled& compiled_;
  std::uint32_t kind_bit_ = 0, urgency_bit_ = 0, category_bit_ = 0;
  std::vector<signed char> keyword_state_;
  std::string text_;
  std::array<std::uint64_t, kPairSlots / 64> pairs_{};
  bool text_ready_ = false;
  std::vector<std::string_view> plate_chars_;
  bool plate_ready_ = false;
};

bool matches(const CompiledRule& rule, Facts& facts) {
  if (rule.kinds != 0 && (rule.kinds & facts.kind_bit()) == 0) return false;
  if (rule.urgencies != 0 && (rule.urgencies & facts.urgency_bit()) == 0) return false;
  if (rule.categories != 0 && (rule.categories & facts.category_bit()) == 0) return false;
  const auto& appeal = facts.appeal();
  if (!rule.channels.empty() && std::find(rule.channels.begin(), rule.channels.end(),
                                          appeal.channel) == rule.channels.end()) {
    return false;
  }
  if (!rule.divisions.empty() &&
      !std::binary_search(rule.divisions.begin(), rule.divisions.end(), appeal.division)) {
    return false;
  }
  if (!rule.plates.empty() &&
      std::none_of(rule.plates.begin(), rule.plates.end(),
                   [&](const PlatePattern& p) { return facts.plate_matches(p); })) {
    return false;
  }
  if (!rule.keywords.empty() &&
      std::none_of(rule.keywords.begin(), rule.keywords.end(),
                   [&](std::uint32_t id) { return facts.has_keyword(id); })) {
    return false;
  }
  return true;
}

// "kind complaint, category taxi, keyword 拒载": the value of each condition that held.
std::string matched_conditions(const Rule& rule, const CompiledRule& compiled, Facts& facts) {
  std::vector<std::string> parts;
  const auto& appeal = facts.appeal();
  if (!rule.channels.empty()) parts.push_back("channel " + appeal.channel);
  if (!rule.kinds.empty()) parts.push_back("kind " + std::string(to_string(appeal.kind)));
  if (!rule.categories.empty()) parts.push_back("category " + appeal.category);
  if (!rule.divisions.empty()) parts.push_back("division " + appeal.division);
  if (!rule.keywords.empty()) {
    for (std::size_t k = 0; k < compiled.keywords.size(); ++k) {
      if (facts.has_keyword(compiled.keywords[k])) {
        parts.push_back("keyword " + rule.keywords[k]);
        break;
      }
    }
  }
  if (!rule.plates.empty()) {
    for (const auto& pattern : compiled.plates) {
      if (facts.plate_matches(pattern)) {
        parts.push_back("plate " + appeal.plate + " ~ " + pattern.text);
        break;
      }
    }
  }
  if (!rule.urgencies.empty()) {
    parts.push_back("urgency " + std::string(to_string(appeal.urgency)));
  }
  std::string out;
  for (const auto& part : parts) out.append(out.empty() ? "" : ", ").append(part);
  return out;
}

}  // namespace

bool Rule::has_conditions() const {
  return !channels.empty() || !kinds.empty() || !categories.empty() || !divisions.empty() ||
         !keywords.empty() || !plates.empty() || !urgencies.empty();
}

RoutingRules::RoutingRules() : compiled_(std::make_unique<const Compiled>()) {}
RoutingRules::~RoutingRules() = default;
RoutingRules::RoutingRules(RoutingRules&&) noexcept = default;
RoutingRules& RoutingRules::operator=(RoutingRules&&) noexcept = default;

Placement RoutingRules::place(const core::Appeal& appeal) const {
  const Compiled& compiled = *compiled_;
  Facts facts(appeal, compiled);
  for (const auto& candidate : compiled.rules) {
    if (!matches(candidate, facts)) continue;
    const Rule& rule = rules_[candidate.index];
    const std::string* local = nullptr;  // the department serving the appeal's division
    if (rule.lead_by_division || rule.assist_by_division) {
      local = compiled.serving(appeal.division);
    }
    if (rule.lead_by_division && local == nullptr) continue;  // the next rule may place it

    Placement placement;
    placement.rule_id = rule.id;
    placement.lead = rule.lead_by_division ? *local : rule.lead;
    for (const auto& code : rule.assisting) {
      if (code != placement.lead) placement.assisting.push_back(code);
    }
    std::vector<std::string> notes;
    if (rule.lead_by_division) {
      notes.push_back("led by " + *local + ", which serves division " + appeal.division);
    }
    if (rule.assist_by_division && local != nullptr && *local != placement.lead &&
        std::find(placement.assisting.begin(), placement.assisting.end(), *local) ==
            placement.assisting.end()) {
      placement.assisting.push_back(*local);
      notes.push_back("assisted by " + *local + ", which serves division " + appeal.division);
    }
    std::string why = matched_conditions(rule, candidate, facts);
    for (const auto& note : notes) why.append(why.empty() ? "" : "; ").append(note);
    placement.reason = "rule " + rule.id + ": " + (why.empty() ? "matches every appeal" : why);
    placement.triage = placement.lead == kTriage;
    return placement;
  }
  Placement placement;
  placement.lead = std::string(kTriage);
  placement.reason = "no rule matched";
  placement.triage = true;
  return placement;
}

// Checks rules against a directory and, when they are sound, compiles them.
struct RulesBuilder {
  static RulesLoad build(std::vector<Rule> given, const std::string& file,
                         const DepartmentDirectory& directory,
                         std::vector<core::JsonError> parse_errors) {
    RulesBuilder b{std::move(given),
                   file,
                   directory,
                   std::move(parse_errors),
                   std::make_unique<RoutingRules::Compiled>(),
                   {},
                   {}};
    for (std::size_t i = 0; i < b.rules.size(); ++i) {
      CompiledRule out;
      out.index = i;
      b.check_id(i);
      b.compile_conditions(i, out);
      b.check_result(i);
      if (b.rules[i].enabled) b.compiled->rules.push_back(std::move(out));
    }
    b.check_shadowing();
    if (directory.find(kTriage) == nullptr) {
      b.errors.push_back({file, "", "the department directory has no dispatch desk 'triage'"});
    }
    RulesLoad load;
    load.source = file;
    load.errors = std::move(b.errors);
    if (load.errors.empty()) load.rules = b.result();
    return load;
  }

  std::vector<Rule> rules;
  const std::string& source;
  const DepartmentDirectory& departments;
  std::vector<core::JsonError> errors;
  std::unique_ptr<RoutingRules::Compiled> compiled;
  std::unordered_map<std::string, std::uint32_t> keyword_ids;
  std::unordered_map<std::string, std::size_t> ids;

  // Records `message` at rules[i]<field>, naming the rule when asked and it has an id to name.
  void fail(std::size_t i, const std::string& field, std::string message, bool name_it = true) {
    if (name_it && is_rule_id(rules[i].id)) message += " (rule " + in_quotes(rules[i].id) + ")";
    core::fail_entry(errors, source, "rules", i, field, std::move(message));
  }

  // A well-formed id, used once; a description of one line.
  void check_id(std::size_t i) {
    const Rule& rule = rules[i];
    if (!is_rule_id(rule.id)) {
      fail(i, ".id",
           rule.id.empty() ? "missing"
                           : in_quotes(rule.id) +
                                 " is not a rule id (1 to 64 characters of "
                                 "a-z 0-9 _ -)",
           false);
    } else if (const auto [it, inserted] = ids.emplace(rule.id, i); !inserted) {
      fail(i, ".id",
           in_quotes(rule.id) + " is already used by rules[" + std::to_string(it->second) + "]",
           false);
    }
    if (!core::is_valid_utf8(rule.description) ||
        core::has_control_characters(rule.description, false)) {
      fail(i, ".description", "must be one line of text");
    }
  }

  // Each value of condition `name`: none listed twice, and `check` gives its problem, or "" once
  // it has compiled it.
  template <typename Check>
  void each(std::size_t i, const std::vector<std::string>& values, const std::string& name,
            Check&& check) {
    std::set<std::string> seen;
    for (std::size_t k = 0; k < values.size(); ++k) {
      const std::string field = ".match." + name + "[" + std::to_string(k) + "]";
      const std::string key = name == "keywords" ? lower_ascii(values[k]) : values[k];
      if (!seen.insert(key).second) {
        fail(i, field, in_quotes(values[k]) + " is listed twice");
        continue;
      }
      if (auto problem = check(values[k]); !problem.empty()) fail(i, field, problem);
    }
  }

  // The match conditions, checked and compiled into `out`.
  void compile_conditions(std::size_t i, CompiledRule& out) {
    const Rule& rule = rules[i];
    each(i, rule.channels, "channels", [&](const std::string& v) -> std::string {
      if (!core::is_channel_id(v)) return in_quotes(v) + " is not a channel id";
      out.channels.push_back(v);
      return {};
    });
    each(i, rule.kinds, "kinds", [&](const std::string& v) -> std::string {
      const auto kind = core::parse_appeal_kind(v);
      if (!kind) return "unknown kind " + in_quotes(v) + " (kinds: " + codes_of_kinds() + ")";
      out.kinds |= 1u << static_cast<unsigned>(*kind);
      return {};
    });
    each(i, rule.categories, "categories", [&](const std::string& v) -> std::string {
      if (!core::is_business_category(v)) {
        return "unknown category " + in_quotes(v) + " (categories: " + codes_of_categories() + ")";
      }
      out.categories |= 1u << static_cast<unsigned>(std::max(category_index(v), 0));
      return {};
    });
    each(i, rule.divisions, "divisions", [&](const std::string& v) -> std::string {
      if (!core::is_division_code(v)) {
        return in_quotes(v) + " is not a division code (6 digits, 510802)";
      }
      out.divisions.push_back(v);
      return {};
    });
    each(i, rule.keywords, "keywords", [&](const std::string& v) -> std::string {
      if (v.empty()) return "an empty keyword would match every appeal";
      if (!core::is_valid_utf8(v) || core::has_control_characters(v, false)) {
        return in_quotes(v) + " must be one line of text";
      }
      if (v.size() > 256) return "longer than 256 bytes";
      const auto [it, inserted] = keyword_ids.emplace(
          lower_ascii(v), static_cast<std::uint32_t>(compiled->keywords.size()));
      if (inserted) {
        compiled->keywords.push_back(it->first);
        compiled->keyword_pairs.push_back(pair_slots(it->first));
      }
      out.keywords.push_back(it->second);
      return {};
    });
    each(i, rule.plates, "plates", [&](const std::string& v) -> std::string {
      auto pattern = compile_plate(v);
      if (!pattern) {
        return in_quotes(v) +
               " is not a plate pattern (a province character such as 川 or a wildcard, then "
               "A-Z 0-9 挂 学 警 as normalized plates have them; ? for one character, * for any "
               "run)";
      }
      out.plates.push_back(std::move(*pattern));
      return {};
    });
    each(i, rule.urgencies, "urgencies", [&](const std::string& v) -> std::string {
      const auto urgency = core::parse_urgency(v);
      if (!urgency)
        return "unknown urgency " + in_quotes(v) + " (urgencies: normal, urgent, critical)";
      out.urgencies |= 1u << static_cast<unsigned>(*urgency);
      return {};
    });
    std::sort(out.divisions.begin(), out.divisions.end());
  }

  // The lead and the assisting departments: known, active, and not the same twice.
  void check_result(std::size_t i) {
    const Rule& rule = rules[i];
    const auto department_problem = [&](const std::string& code) -> std::string {
      const Department* d = departments.find(code);
      if (d == nullptr) return "unknown department " + in_quotes(code);
      if (!d->active) return "department " + in_quotes(code) + " is inactive";
      return {};
    };
    if (rule.lead_by_division && !rule.lead.empty()) {
      fail(i, ".lead_by_division", "give either lead or lead_by_division, not both");
    } else if (!rule.lead_by_division) {
      if (rule.lead.empty()) {
        fail(i, ".lead", "missing (a department code, or lead_by_division: true)");
      } else if (auto problem = department_problem(rule.lead); !problem.empty()) {
        fail(i, ".lead", problem);
      }
    }
    if (rule.lead_by_division && rule.assist_by_division) {
      fail(i, ".assist_by_division", "the division's department already leads (lead_by_division)");
    }
    std::set<std::string> assisting;
    for (std::size_t k = 0; k < rule.assisting.size(); ++k) {
      const auto& code = rule.assisting[k];
      const std::string field = ".assisting[" + std::to_string(k) + "]";
      if (!assisting.insert(code).second) {
        fail(i, field, in_quotes(code) + " is listed twice");
      } else if (code == rule.lead) {
        fail(i, field, in_quotes(code) + " already leads");
      } else if (code == kTriage) {
        fail(i, field, "the dispatch desk cannot assist");
      } else if (auto problem = department_problem(code); !problem.empty()) {
        fail(i, field, problem);
      }
    }
  }

  // A rule that matches everything and always places hides every enabled rule after it.
  void check_shadowing() {
    for (std::size_t r = 0; r + 1 < compiled->rules.size(); ++r) {
      const Rule& rule = rules[compiled->rules[r].index];
      if (rule.has_conditions() || rule.lead_by_division) continue;
      const std::size_t next = compiled->rules[r + 1].index;
      fail(compiled->rules[r].index, ".match",
           "a rule without conditions matches every appeal, so rules[" + std::to_string(next) +
               "] " + in_quotes(rules[next].id) +
               " after it could never match; make it the last rule or give it conditions");
    }
  }

  // The checked rules, compiled, with the division each active department serves.
  std::shared_ptr<RoutingRules> result() {
    for (const auto& department : departments.list()) {
      if (!department.active) continue;
      for (const auto& division : department.divisions) {
        compiled->division_department.emplace(division, department.code);  // first one wins
      }
    }
    auto out = std::make_shared<RoutingRules>();
    out->rules_ = std::move(rules);
    out->source_ = source;
    out->compiled_ = std::move(compiled);
    return out;
  }
};

RulesLoad make_routing_rules(std::vector<Rule> rules, const std::string& source,
                             const DepartmentDirectory& departments) {
  return RulesBuilder::build(std::move(rules), source, departments, {});
}

namespace {

constexpr std::array<std::string_view, 7> kConditionNames{
    "channels", "kinds", "categories", "divisions", "keywords", "plates", "urgencies"};

// The list of a condition by name, from a Rule or a const Rule.
template <class R>
auto condition(R& rule, std::string_view name) -> decltype(&rule.channels) {
  if (name == "channels") return &rule.channels;
  if (name == "kinds") return &rule.kinds;
  if (name == "categories") return &rule.categories;
  if (name == "divisions") return &rule.divisions;
  if (name == "keywords") return &rule.keywords;
  if (name == "plates") return &rule.plates;
  if (name == "urgencies") return &rule.urgencies;
  return nullptr;
}

// One entry of the rules file.
void read_rule(core::JsonReader& entry, Rule& rule) {
  entry.allow_only({"id", "description", "enabled", "match", "lead", "lead_by_division",
                    "assisting", "assist_by_division"});
  entry.text("id", rule.id);
  entry.text("description", rule.description);
  entry.flag("enabled", rule.enabled);
  entry.text("lead", rule.lead);
  entry.flag("lead_by_division", rule.lead_by_division);
  entry.flag("assist_by_division", rule.assist_by_division);
  entry.strings("assisting", rule.assisting);
  if (auto match = entry.object("match", "must be an object of conditions")) {
    match->members([&](const std::string& key, core::JsonReader& value) {
      if (key == "$comment") return;
      auto* values = condition(rule, key);
      if (values == nullptr) {
        std::string names;
        for (const auto name : kConditionNames) {
          names += names.empty() ? "" : ", ";
          names += name;
        }
        value.fail("unknown condition (conditions: " + names + ")");
      } else if (value.value().is_array() && value.value().empty()) {
        value.fail("must not be empty (leave the condition out to match any value)");
      } else {
        match->strings(key, *values);
      }
    });
  }
}

}  // namespace

RulesLoad parse_routing_rules(const std::string& text, const std::string& source,
                              const DepartmentDirectory& departments) {
  std::vector<core::JsonError> errors;
  std::vector<Rule> rules;
  const bool read =
      core::read_object_list(text, source, "rules", errors, [&](core::JsonReader* entry) {
        Rule& rule = rules.emplace_back();  // one per entry keeps the indexes right
        if (entry == nullptr) return;
        read_rule(*entry, rule);
      });
  if (!read) return {{}, std::move(errors), source};  // not JSON, or not an object
  return RulesBuilder::build(std::move(rules), source, departments, std::move(errors));
}

RulesLoad load_routing_rules_file(const std::string& path, const DepartmentDirectory& departments) {
  const auto text = core::read_text_file(path);
  if (!text) {
    RulesLoad load;
    load.source = path;
    load.errors.push_back({path, "", "cannot be read"});
    return load;
  }
  return parse_routing_rules(*text, path, departments);
}

json to_json(const Rule& rule) {
  json out = {{"id", rule.id}};
  if (!rule.description.empty()) out["description"] = rule.description;
  if (!rule.enabled) out["enabled"] = false;
  json match = json::object();
  for (const auto name : kConditionNames) {
    const auto& values = *condition(rule, name);
    if (!values.empty()) match[std::string(name)] = values;
  }
  if (!match.empty()) out["match"] = match;
  if (rule.lead_by_division) {
    out["lead_by_division"] = true;
  } else {
    out["lead"] = rule.lead;
  }
  if (!rule.assisting.empty()) out["assisting"] = rule.assisting;
  if (rule.assist_by_division) out["assist_by_division"] = true;
  return out;
}

RuleBook::RuleBook() : rules_(std::make_shared<const RoutingRules>()) {}

RuleBook::RuleBook(std::shared_ptr<const RoutingRules> rules)
    : rules_(rules ? std::move(rules) : std::make_shared<const RoutingRules>()), version_(1) {}

RuleSnapshot RuleBook::snapshot() const {
  const std::lock_guard lock(mutex_);
  return {rules_, version_};
}

std::uint64_t RuleBook::install(std::shared_ptr<const RoutingRules> rules) {
  const std::lock_guard lock(mutex_);
  if (rules) {
    rules_ = std::move(rules);
    ++version_;
  }
  return version_;
}

ReloadResult RuleBook::apply(RulesLoad load) {
  ReloadResult result;
  result.errors = std::move(load.errors);
  const std::lock_guard lock(mutex_);
  if (result.errors.empty() && load.rules) {
    rules_ = std::move(load.rules);
    ++version_;
  }
  result.version = version_;
  result.rules = rules_->rules().size();
  return result;
}

ReloadResult RuleBook::reload(const std::string& text, const std::string& source,
                              const DepartmentDirectory& departments) {
  return apply(parse_routing_rules(text, source, departments));  // parsed outside the lock
}

ReloadResult RuleBook::reload_file(const std::string& path,
                                   const DepartmentDirectory& departments) {
  return apply(load_routing_rules_file(path, departments));
}

}  // namespace appealhub::router
