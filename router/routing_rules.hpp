#pragma once
// Routing rules: which department leads on an appeal (主办) and which assist (协办).
//
// The file (shipped default: config/data/routing-rules.json; the full format is in
// docs/routing.md):
//
//   {"$comment": "…",
//    "rules": [
//      {"id": "taxi-violations", "description": "出租车拒载、绕路、不打表、议价",
//       "match": {"categories": ["taxi"], "kinds": ["complaint", "report"],
//                 "keywords": ["拒载", "绕路", "不打表", "议价"]},
//       "lead": "zfzd", "assist_by_division": true},
//      {"id": "by-division", "lead_by_division": true}, …]}
//
// Matching: the rules are tried in order and the first that matches places the appeal. A rule
// matches when every condition it has holds; a condition is a list and holds when any of its
// values does:
//   channels    the appeal's channel id (hotline12328, mailbox, petition, operator)
//   kinds       the appeal's kind code (core::to_string(AppealKind): complaint, …)
//   categories  the business category code (taxi, bus, …)
//   divisions   the 6-digit division code, exactly
//   keywords    appears in the title or the content (substring; ASCII letters ignore case; works
//               on Chinese text without word segmentation)
//   plates      a plate pattern matching the start of the normalized plate: `?` is any one
//               character, `*` any run of characters; `川H` every Guangyuan plate, `川HT` (or
//               `川HT*`) Guangyuan taxis, `川H*挂` Guangyuan trailers, `*` any appeal with a plate
//   urgencies   normal, urgent, critical
// A rule without conditions matches every appeal. The result is either a fixed `lead`, or
// `lead_by_division: true` (the department serving the appeal's division leads; when the appeal has
// no division or no active department serves it, the rule does not place it and the next rule is
// tried), plus `assisting` departments and `assist_by_division: true` (the department serving the
// division assists, when there is one). `enabled: false` keeps a rule in the file without using it.
// No rule placing the appeal sends it to the dispatch desk (`triage`).
//
// Validation (every error names the file, the rule and the field, e.g.
// "routing-rules.json: rules[3].lead: unknown department 'xyz' (rule 'taxi-violations')"):
// unique ids of `[a-z0-9_-]{1,64}`; known and active departments, the dispatch desk never
// assisting; known kind, category and urgency codes; channel ids, division codes and plate
// patterns well formed; no empty condition list and no value listed twice; exactly one of `lead`
// and `lead_by_division`; an enabled rule with no conditions and a fixed lead only as the last
// enabled rule (it would hide every rule after it). Unknown keys are errors.
//
// Pure: no I/O except load_routing_rules_file() and RuleBook::reload_file().

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/appeal.hpp"
#include "router/departments.hpp"

namespace appealhub::router {

// One rule as written in the file.
struct Rule {
  std::string id;
  std::string description;
  bool enabled = true;
  // Conditions; an empty list means the condition is not there.
  std::vector<std::string> channels, kinds, categories, divisions, keywords, plates, urgencies;
  // Result.
  std::string lead;  // a department code; empty with lead_by_division
  bool lead_by_division = false;
  std::vector<std::string> assisting;
  bool assist_by_division = false;

  bool has_conditions() const;
  friend bool operator==(const Rule&, const Rule&) = default;
};

// Where an appeal goes, and why. The ticket records rule_id and reason.
struct Placement {
  std::string lead;                    // department code (主办)
  std::vector<std::string> assisting;  // department codes (协办), lead not among them
  std::string rule_id;                 // the rule that placed it; empty when none did
  // Why, for people: "rule taxi-violations: kind complaint, category taxi, keyword 拒载; assisted
  // by lzq, which serves division 510802", or "no rule matched".
  std::string reason;
  bool triage = false;  // the dispatch desk has it: no rule placed it, or a rule sent it there

  friend bool operator==(const Placement&, const Placement&) = default;
};

// A checked, immutable, ordered rule list, compiled for placement. Build one with
// parse_routing_rules(), load_routing_rules_file() or make_routing_rules(); a default-constructed
// one has no rules (every appeal goes to triage). Safe to use from many threads.
class RoutingRules {
 public:
  RoutingRules();
  ~RoutingRules();
  RoutingRules(RoutingRules&&) noexcept;
  RoutingRules& operator=(RoutingRules&&) noexcept;

  // First match wins; no match → lead "triage", rule_id "", reason "no rule matched".
  Placement place(const core::Appeal& appeal) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const std::string& source() const { return source_; }

  struct Compiled;  // internal

 private:
  friend struct RulesBuilder;
  std::vector<Rule> rules_;
  std::string source_;
  std::unique_ptr<const Compiled> compiled_;
};

struct RulesLoad {
  std::shared_ptr<const RoutingRules> rules;  // set only when errors is empty
  std::vector<core::JsonError> errors;
  std::string source;
};

// From the JSON text of a rules file, checked against `departments`; `source` names it in errors.
RulesLoad parse_routing_rules(const std::string& text, const std::string& source,
                              const DepartmentDirectory& departments);
// Reads a rules file; a file that cannot be read gives an error, not an exception.
RulesLoad load_routing_rules_file(const std::string& path, const DepartmentDirectory& departments);
// From rules already in memory (an administrator's edit, or the current rules checked again
// against a new department directory): the same checks and error names.
RulesLoad make_routing_rules(std::vector<Rule> rules, const std::string& source,
                             const DepartmentDirectory& departments);

// A rule as it appears in the file.
nlohmann::json to_json(const Rule& rule);

struct ReloadResult {
  bool ok() const { return errors.empty(); }
  std::vector<core::JsonError> errors;  // why the new rules were refused; empty on success
  std::uint64_t version = 0;            // the version in force after the call
  std::size_t rules = 0;                // how many rules are in force after the call
};

struct RuleSnapshot {
  std::shared_ptr<const RoutingRules> rules;  // never null
  std::uint64_t version = 0;
};

// The rules in force, replaceable while the hub runs. Readers take a snapshot (a shared pointer
// to immutable rules) and place with it; a reload builds new rules aside and swaps them in, so a
// placement in progress finishes with the rules it started with. Versions count the swaps: 0 is
// the empty rule list the book starts with (everything to triage), each successful reload or
// install adds one, a refused reload changes nothing. All members are thread-safe.
class RuleBook {
 public:
  RuleBook();
  explicit RuleBook(std::shared_ptr<const RoutingRules> rules);  // version 1

  RuleSnapshot snapshot() const;
  std::shared_ptr<const RoutingRules> current() const { return snapshot().rules; }
  std::uint64_t version() const { return snapshot().version; }
  Placement place(const core::Appeal& appeal) const { return current()->place(appeal); }

  // Parses and checks `text` against `departments`; on success swaps the new rules in and bumps
  // the version, otherwise keeps the rules in force and returns the errors.
  ReloadResult reload(const std::string& text, const std::string& source,
                      const DepartmentDirectory& departments);
  // The same from a file; an unreadable file is an error and keeps the rules in force.
  ReloadResult reload_file(const std::string& path, const DepartmentDirectory& departments);
  // Swaps in rules built elsewhere (make_routing_rules); null is ignored. Returns the new version.
  std::uint64_t install(std::shared_ptr<const RoutingRules> rules);

 private:
  ReloadResult apply(RulesLoad load);

  mutable std::mutex mutex_;
  std::shared_ptr<const RoutingRules> rules_;
  std::uint64_t version_ = 0;
};

}  // namespace appealhub::router
