// Specification of router/routing_rules.hpp: how rules place an appeal with a lead department
// (主办) and assisting departments (协办), what a rules file may say, how the rule book reloads,
// and where the shipped Guangyuan rules (config/data/routing-rules.json) send realistic appeals.

#include "router/routing_rules.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

using core::Appeal;
using core::AppealKind;
using core::Urgency;
using Codes = std::vector<std::string>;

// A file of the source tree, wherever the build is (not from __FILE__: ccache may make it
// relative).
std::string source_file(const std::string& relative) {
  return (std::filesystem::path(testing::repo_root()) / relative).string();
}

// A directory with the units these examples need.
DepartmentDirectory directory() {
  const auto load = parse_departments(R"({"departments": [
    {"code": "triage", "name": "分拨中心"},
    {"code": "zfzd", "name": "执法支队"},
    {"code": "dlys", "name": "道路运输事务中心"},
    {"code": "glsw", "name": "公路事务中心"},
    {"code": "aqjdk", "name": "安全监督科"},
    {"code": "lzq", "name": "利州区交通运输局", "divisions": ["510802"]},
    {"code": "wcx", "name": "旺苍县交通运输局", "divisions": ["510821"]},
    {"code": "retired", "name": "原运管处", "active": false}
  ]})",
                                      "departments.json");
  EXPECT_TRUE(load.errors.empty()) << to_string(load.errors);
  return *load.directory;
}

// Rules from the text of the "rules" list.
std::shared_ptr<const RoutingRules> rules(const std::string& list) {
  const auto load =
      parse_routing_rules(R"({"rules": )" + list + "}", "routing-rules.json", directory());
  EXPECT_TRUE(load.errors.empty()) << to_string(load.errors);
  return load.rules ? load.rules : std::make_shared<const RoutingRules>();
}

// The errors of a rules list that must be refused, one a line.
std::string refusal(const std::string& list) {
  const auto load =
      parse_routing_rules(R"({"rules": )" + list + "}", "routing-rules.json", directory());
  EXPECT_FALSE(load.rules);
  return to_string(load.errors);
}

Appeal appeal(AppealKind kind, std::string category, std::string division, std::string title,
              std::string content = "") {
  Appeal a;
  a.channel = "hotline12328";
  a.kind = kind;
  a.category = std::move(category);
  a.division = std::move(division);
  a.title = std::move(title);
  a.content = std::move(content);
  return a;
}

// --- Matching ------------------------------------------------------------------------------------

TEST(Placement, TheFirstMatchingRuleWins) {
  const auto book = rules(R"([
    {"id": "taxi-violations", "match": {"categories": ["taxi"], "keywords": ["拒载"]}, "lead": "zfzd"},
    {"id": "taxi-other", "match": {"categories": ["taxi"]}, "lead": "dlys"}
  ])");
  const auto refused = book->place(appeal(AppealKind::complaint, "taxi", "", "出租车拒载"));
  EXPECT_EQ(refused.lead, "zfzd");
  EXPECT_EQ(refused.rule_id, "taxi-violations");
  EXPECT_EQ(refused.reason, "rule taxi-violations: category taxi, keyword 拒载");
  EXPECT_FALSE(refused.triage);

  const auto dirty = book->place(appeal(AppealKind::complaint, "taxi", "", "车内卫生差"));
  EXPECT_EQ(dirty.lead, "dlys");
  EXPECT_EQ(dirty.rule_id, "taxi-other");
}

TEST(Placement, AllConditionsMustHoldAndAnyValueOfAConditionWill) {
  const auto book = rules(R"([
    {"id": "bus-complaints-12328", "match": {"channels": ["hotline12328", "operator"],
       "kinds": ["complaint", "report"], "categories": ["bus"], "divisions": ["510802", "510821"],
       "urgencies": ["normal", "urgent"]}, "lead": "dlys"}
  ])");
  auto a = appeal(AppealKind::report, "bus", "510821", "公交车甩站");
  EXPECT_EQ(book->place(a).reason,
            "rule bus-complaints-12328: channel hotline12328, kind report, category bus, "
            "division 510821, urgency normal");

  auto other = a;
  other.channel = "petition";
  EXPECT_TRUE(book->place(other).triage);
  other = a;
  other.kind = AppealKind::consultation;
  EXPECT_TRUE(book->place(other).triage);
  other = a;
  other.category = "taxi";
  EXPECT_TRUE(book->place(other).triage);
  other = a;
  other.division = "510824";
  EXPECT_TRUE(book->place(other).triage);
  other = a;
  other.urgency = Urgency::critical;
  EXPECT_TRUE(book->place(other).triage);
}

TEST(Placement, AssistingDepartmentsAreFixedOrTheDivisionsBureau) {
  const auto book = rules(R"([
    {"id": "overloading", "match": {"keywords": ["超限"]},
     "lead": "zfzd", "assisting": ["glsw"], "assist_by_division": true}
  ])");
  const auto in_lizhou =
      book->place(appeal(AppealKind::report, "road_freight", "510802", "货车超限", "G108线"));
  EXPECT_EQ(in_lizhou.lead, "zfzd");
  EXPECT_EQ(in_lizhou.assisting, (Codes{"glsw", "lzq"}));
  EXPECT_EQ(in_lizhou.reason,
            "rule overloading: keyword 超限; assisted by lzq, which serves division 510802");

  // No division, or a division nobody serves: only the fixed assistants.
  EXPECT_EQ(book->place(appeal(AppealKind::report, "", "", "超限车辆")).assisting, Codes{"glsw"});
  EXPECT_EQ(book->place(appeal(AppealKind::report, "", "510824", "超限车辆")).assisting,
            Codes{"glsw"});
}

TEST(Placement, TheDivisionsBureauNeverAssistsItself) {
  const auto book = rules(R"([
    {"id": "lizhou-roads", "match": {"divisions": ["510802"]}, "lead": "lzq", "assist_by_division": true}
  ])");
  const auto placement = book->place(appeal(AppealKind::help, "", "510802", "路灯不亮"));
  EXPECT_EQ(placement.lead, "lzq");
  EXPECT_TRUE(placement.assisting.empty());
}

TEST(Placement, KeywordsAreSubstringsOfTitleOrContentInChinese) {
  const auto book = rules(R"([
    {"id": "meter", "match": {"keywords": ["不打表", "议价"]}, "lead": "zfzd"},
    {"id": "etc", "match": {"keywords": ["ETC"]}, "lead": "dlys"}
  ])");
  // In the title, in the content, in the middle of a sentence, no word segmentation needed.
  EXPECT_EQ(book->place(appeal(AppealKind::complaint, "", "", "司机不打表")).rule_id, "meter");
  EXPECT_EQ(book->place(appeal(AppealKind::complaint, "", "", "投诉",
                               "从火车站上车后司机要求议价，"
                               "不同意就不走"))
                .reason,
            "rule meter: keyword 议价");
  EXPECT_TRUE(book->place(appeal(AppealKind::complaint, "", "", "司机打表正常")).triage);
  // ASCII letters ignore case; a keyword does not span the title and the content.
  EXPECT_EQ(book->place(appeal(AppealKind::consultation, "", "", "etc 卡怎么办理")).rule_id, "etc");
  EXPECT_TRUE(book->place(appeal(AppealKind::complaint, "", "", "司机不打", "表")).triage);
}

TEST(Placement, PlatePatternsMatchTheStartOfTheNormalizedPlate) {
  const auto book = rules(R"([
    {"id": "taxi", "match": {"plates": ["川HT*"]}, "lead": "zfzd"},
    {"id": "new-energy", "match": {"plates": ["川H?D"]}, "lead": "dlys"},
    {"id": "trailer", "match": {"plates": ["川H*挂"]}, "lead": "glsw"},
    {"id": "guangyuan", "match": {"plates": ["川H"]}, "lead": "lzq"},
    {"id": "any-plate", "match": {"plates": ["*"]}, "lead": "wcx"}
  ])");
  const auto placed = [&](const std::string& plate) {
    auto a = appeal(AppealKind::complaint, "", "", "投诉");
    a.plate = plate;
    return book->place(a).rule_id;
  };
  EXPECT_EQ(placed("川HT1234"), "taxi");
  EXPECT_EQ(placed("川HT12345"), "taxi");
  EXPECT_EQ(placed("川HAD1234"), "new-energy");  // 川H, any one character, D
  EXPECT_EQ(placed("川H1234挂"), "trailer");
  EXPECT_EQ(placed("川HA1234"), "guangyuan");
  EXPECT_EQ(placed("川A12345"), "any-plate");
  EXPECT_EQ(placed(""), "");  // no plate: no plate condition holds
  auto a = appeal(AppealKind::complaint, "", "", "投诉");
  a.plate = "川HT1234";
  EXPECT_EQ(book->place(a).reason, "rule taxi: plate 川HT1234 ~ 川HT*");
}

TEST(Placement, DivisionLedRulesGiveTheAppealToTheBureauServingItsDivision) {
  const auto book = rules(R"([
    {"id": "by-division", "lead_by_division": true, "assisting": ["dlys"]},
    {"id": "roads", "match": {"categories": ["road_maintenance"]}, "lead": "glsw"}
  ])");
  const auto placement =
      book->place(appeal(AppealKind::help, "road_maintenance", "510821", "路面"));
  EXPECT_EQ(placement.lead, "wcx");
  EXPECT_EQ(placement.assisting, Codes{"dlys"});
  EXPECT_EQ(placement.reason, "rule by-division: led by wcx, which serves division 510821");

  // No division, or a division no active department serves: the next rule is tried.
  EXPECT_EQ(book->place(appeal(AppealKind::help, "road_maintenance", "", "路面")).rule_id, "roads");
  EXPECT_EQ(book->place(appeal(AppealKind::help, "road_maintenance", "510824", "路面")).lead,
            "glsw");
  EXPECT_TRUE(book->place(appeal(AppealKind::help, "other", "510824", "其他")).triage);
}

TEST(Placement, WhatNoRulePlacesGoesToTheDispatchDesk) {
  const auto book = rules(R"([{"id": "bus", "match": {"categories": ["bus"]}, "lead": "dlys"}])");
  const auto placement = book->place(appeal(AppealKind::consultation, "other", "", "咨询"));
  EXPECT_EQ(placement, (Placement{"triage", {}, "", "no rule matched", true}));
  EXPECT_TRUE(RoutingRules().place(appeal(AppealKind::other, "", "", "")).triage);
}

TEST(Placement, ARuleMaySendAppealsToTheDispatchDesk) {
  const auto book =
      rules(R"([{"id": "expressways", "match": {"keywords": ["高速公路"]}, "lead": "triage"}])");
  const auto placement = book->place(appeal(AppealKind::complaint, "", "", "高速公路服务区"));
  EXPECT_TRUE(placement.triage);
  EXPECT_EQ(placement.lead, "triage");
  EXPECT_EQ(placement.rule_id, "expressways");
}

TEST(Placement, DisabledRulesAreCheckedButNotUsed) {
  const auto book = rules(R"([
    {"id": "old", "enabled": false, "match": {"categories": ["bus"]}, "lead": "zfzd"},
    {"id": "new", "match": {"categories": ["bus"]}, "lead": "dlys"}
  ])");
  EXPECT_EQ(book->place(appeal(AppealKind::complaint, "bus", "", "")).rule_id, "new");
  EXPECT_EQ(book->rules().size(), 2u);
}

TEST(Placement, ACatchAllRuleMayCloseTheList) {
  const auto book = rules(R"([
    {"id": "bus", "match": {"categories": ["bus"]}, "lead": "dlys"},
    {"id": "everything-else", "lead": "aqjdk"}
  ])");
  const auto placement = book->place(appeal(AppealKind::other, "", "", ""));
  EXPECT_EQ(placement.lead, "aqjdk");
  EXPECT_EQ(placement.reason, "rule everything-else: matches every appeal");
}

// --- What a rules file may not say ---------------------------------------------------------------

TEST(RuleChecks, AnUnknownDepartmentIsRefusedNamingTheRuleAndTheField) {
  EXPECT_EQ(refusal(R"([
    {"id": "a", "match": {"kinds": ["praise"]}, "lead": "dlys"},
    {"id": "b", "match": {"kinds": ["help"]}, "lead": "dlys"},
    {"id": "c", "match": {"kinds": ["report"]}, "lead": "dlys"},
    {"id": "taxi-violations", "match": {"categories": ["taxi"]}, "lead": "xyz"}
  ])"),
            "routing-rules.json: rules[3].lead: unknown department 'xyz' (rule 'taxi-violations')");
  EXPECT_EQ(
      refusal(R"([{"id": "r", "match": {"categories": ["taxi"]}, "lead": "zfzd",
                         "assisting": ["lzq", "lzk", "retired", "zfzd", "lzq", "triage"]}])"),
      "routing-rules.json: rules[0].assisting[1]: unknown department 'lzk' (rule 'r')\n"
      "routing-rules.json: rules[0].assisting[2]: department 'retired' is inactive (rule "
      "'r')\n"
      "routing-rules.json: rules[0].assisting[3]: 'zfzd' already leads (rule 'r')\n"
      "routing-rules.json: rules[0].assisting[4]: 'lzq' is listed twice (rule 'r')\n"
      "routing-rules.json: rules[0].assisting[5]: the dispatch desk cannot assist (rule 'r')");
}

TEST(RuleChecks, KindsCategoriesAndUrgenciesAreTheCoreCodes) {
  EXPECT_EQ(refusal(R"([{"id": "r", "match": {"kinds": ["complaint", "投诉"],
                         "categories": ["taxis"], "urgencies": ["high"]}, "lead": "zfzd"}])"),
            "routing-rules.json: rules[0].match.kinds[1]: unknown kind '投诉' (kinds: "
            "consultation, complaint, report, suggestion, help, praise, disclosure, other) (rule "
            "'r')\n"
            "routing-rules.json: rules[0].match.categories[0]: unknown category 'taxis' "
            "(categories: taxi, ride_hailing, bus, road_passenger, road_freight, vehicle_repair, "
            "driver_training, road_administration, road_maintenance, waterway, construction, "
            "other) (rule 'r')\n"
            "routing-rules.json: rules[0].match.urgencies[0]: unknown urgency 'high' (urgencies: "
            "normal, urgent, critical) (rule 'r')");
}

TEST(RuleChecks, ChannelsDivisionsPlatesAndKeywordsAreWellFormed) {
  EXPECT_EQ(
      refusal(R"([{"id": "r", "match": {"channels": ["12328"], "divisions": ["5108"],
                   "plates": ["川ht", "HT*"], "keywords": ["拒载", ""]}, "lead": "zfzd"}])"),
      "routing-rules.json: rules[0].match.channels[0]: '12328' is not a channel id (rule 'r')\n"
      "routing-rules.json: rules[0].match.divisions[0]: '5108' is not a division code (6 digits, "
      "510802) (rule 'r')\n"
      "routing-rules.json: rules[0].match.keywords[1]: an empty keyword would match every appeal "
      "(rule 'r')\n"
      "routing-rules.json: rules[0].match.plates[0]: '川ht' is not a plate pattern (a province "
      "character such as 川 or a wildcard, then A-Z 0-9 挂 学 警 as normalized plates have them; ? "
      "for one character, * for any run) (rule 'r')\n"
      "routing-rules.json: rules[0].match.plates[1]: 'HT*' is not a plate pattern (a province "
      "character such as 川 or a wildcard, then A-Z 0-9 挂 学 警 as normalized plates have them; ? "
      "for one character, * for any run) (rule 'r')");
}

TEST(RuleChecks, ConditionsAreNonEmptyListsOfDistinctValues) {
  EXPECT_EQ(refusal(R"([{"id": "r", "match": {"categories": ["taxi", "taxi"],
                         "keywords": ["ETC", "etc"]}, "lead": "zfzd"}])"),
            "routing-rules.json: rules[0].match.categories[1]: 'taxi' is listed twice (rule 'r')\n"
            "routing-rules.json: rules[0].match.keywords[1]: 'etc' is listed twice (rule 'r')");
  const auto load = parse_routing_rules(
      R"({"rules": [{"id": "r", "match": {"keywords": [], "kinds": "complaint",
          "keyword": ["拒载"]}, "lead": "zfzd"}]})",
      "routing-rules.json", directory());
  EXPECT_EQ(to_string(load.errors),
            "routing-rules.json: rules[0].match.keyword: unknown condition (conditions: channels, "
            "kinds, categories, divisions, keywords, plates, urgencies)\n"
            "routing-rules.json: rules[0].match.keywords: must not be empty (leave the condition "
            "out to match any value)\n"
            "routing-rules.json: rules[0].match.kinds: must be a list of strings");
}

TEST(RuleChecks, IdsAreUnique) {
  EXPECT_EQ(refusal(R"([
    {"id": "taxi", "match": {"categories": ["taxi"]}, "lead": "zfzd"},
    {"id": "taxi", "match": {"categories": ["ride_hailing"]}, "lead": "zfzd"},
    {"match": {"categories": ["bus"]}, "lead": "dlys"},
    {"id": "Bus Rule", "match": {"categories": ["bus"]}, "lead": "dlys"}
  ])"),
            "routing-rules.json: rules[1].id: 'taxi' is already used by rules[0]\n"
            "routing-rules.json: rules[2].id: missing\n"
            "routing-rules.json: rules[3].id: 'Bus Rule' is not a rule id (1 to 64 characters of "
            "a-z 0-9 _ -)");
}

TEST(RuleChecks, ARuleHasEitherALeadOrLeadByDivision) {
  EXPECT_EQ(refusal(R"([
    {"id": "neither", "match": {"categories": ["taxi"]}},
    {"id": "both", "match": {"categories": ["bus"]}, "lead": "dlys", "lead_by_division": true},
    {"id": "twice", "match": {"categories": ["bus"]}, "lead_by_division": true, "assist_by_division": true}
  ])"),
            "routing-rules.json: rules[0].lead: missing (a department code, or lead_by_division: "
            "true) (rule 'neither')\n"
            "routing-rules.json: rules[1].lead_by_division: give either lead or "
            "lead_by_division, not both (rule 'both')\n"
            "routing-rules.json: rules[2].assist_by_division: the division's department already "
            "leads (lead_by_division) (rule 'twice')");
}

TEST(RuleChecks, ARuleWithoutConditionsMustBeTheLast) {
  EXPECT_EQ(refusal(R"([
    {"id": "everything", "lead": "dlys"},
    {"id": "taxi", "match": {"categories": ["taxi"]}, "lead": "zfzd"}
  ])"),
            "routing-rules.json: rules[0].match: a rule without conditions matches every appeal, "
            "so rules[1] 'taxi' after it could never match; make it the last rule or give it "
            "conditions (rule 'everything')");
  // A division-led one passes what it cannot place on, and a disabled one hides nothing.
  rules(R"([
    {"id": "by-division", "lead_by_division": true},
    {"id": "off", "enabled": false, "lead": "dlys"},
    {"id": "taxi", "match": {"categories": ["taxi"]}, "lead": "zfzd"}
  ])");
}

TEST(RuleChecks, UnknownKeysAndWrongTypesAreRefused) {
  EXPECT_EQ(refusal(R"([{"id": "r", "lead": "dlys", "assist": ["glsw"], "enabled": "yes",
                         "match": ["taxi"]}, 7])"),
            "routing-rules.json: rules[0].assist: unknown key (keys: id, description, enabled, "
            "match, lead, lead_by_division, assisting, assist_by_division, $comment)\n"
            "routing-rules.json: rules[0].enabled: must be true or false\n"
            "routing-rules.json: rules[0].match: must be an object of conditions\n"
            "routing-rules.json: rules[1]: must be an object");
  const auto load = parse_routing_rules(R"({"rule": []})", "routing-rules.json", directory());
  EXPECT_EQ(to_string(load.errors),
            "routing-rules.json: rule: unknown key\nrouting-rules.json: rules: missing");
}

TEST(RuleChecks, BadJsonIsReportedWithLineAndColumn) {
  const auto load = parse_routing_rules(
      "{\"rules\": [\n  {\"id\": \"出租车\", \"lead\": \"zfzd\"\n  {\"id\": \"b\"}\n]}",
      "routing-rules.json", directory());
  EXPECT_EQ(to_string(load.errors),
            "routing-rules.json:3:3: not valid JSON: syntax error while parsing object - "
            "unexpected '{'; expected '}'");
}

TEST(RuleChecks, RulesInMemoryAreCheckedTheSameWay) {
  std::vector<Rule> list(1);
  list[0].id = "taxi";
  list[0].categories = {"taxi"};
  list[0].lead = "xyz";
  EXPECT_EQ(to_string(make_routing_rules(list, "admin edit", directory()).errors),
            "admin edit: rules[0].lead: unknown department 'xyz' (rule 'taxi')");
  list[0].lead = "zfzd";
  const auto load = make_routing_rules(list, "admin edit", directory());
  ASSERT_TRUE(load.rules);
  EXPECT_EQ(to_json(load.rules->rules()[0]).dump(),
            R"({"id":"taxi","lead":"zfzd","match":{"categories":["taxi"]}})");
}

// --- Reloading without a restart -----------------------------------------------------------------

constexpr const char* kTaxiToDetachment =
    R"({"rules": [{"id": "taxi", "match": {"categories": ["taxi"]}, "lead": "zfzd"}]})";
constexpr const char* kTaxiToTransportCentre =
    R"({"rules": [{"id": "taxi", "match": {"categories": ["taxi"]}, "lead": "dlys"}]})";

TEST(RuleBook, StartsEmptySendingEverythingToTheDispatchDesk) {
  const RuleBook book;
  EXPECT_EQ(book.version(), 0u);
  EXPECT_TRUE(book.place(appeal(AppealKind::complaint, "taxi", "", "拒载")).triage);
}

TEST(RuleBook, AGoodReloadSwapsTheRulesAndBumpsTheVersion) {
  RuleBook book;
  const auto dir = directory();
  auto result = book.reload(kTaxiToDetachment, "routing-rules.json", dir);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.version, 1u);
  EXPECT_EQ(result.rules, 1u);
  EXPECT_EQ(book.place(appeal(AppealKind::complaint, "taxi", "", "")).lead, "zfzd");

  result = book.reload(kTaxiToTransportCentre, "routing-rules.json", dir);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.version, 2u);
  EXPECT_EQ(book.version(), 2u);
  EXPECT_EQ(book.place(appeal(AppealKind::complaint, "taxi", "", "")).lead, "dlys");
}

TEST(RuleBook, AReloadWithABrokenRuleKeepsTheOldRulesAndReportsTheError) {
  RuleBook book;
  const auto dir = directory();
  ASSERT_TRUE(book.reload(kTaxiToDetachment, "routing-rules.json", dir).ok());

  const auto result = book.reload(
      R"({"rules": [{"id": "taxi", "match": {"categories": ["taxi"]}, "lead": "xyz"}]})",
      "routing-rules.json", dir);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(to_string(result.errors),
            "routing-rules.json: rules[0].lead: unknown department 'xyz' (rule 'taxi')");
  EXPECT_EQ(result.version, 1u);
  EXPECT_EQ(book.version(), 1u);
  EXPECT_EQ(book.place(appeal(AppealKind::complaint, "taxi", "", "")).lead, "zfzd");

  EXPECT_FALSE(book.reload("{\"rules\": [", "routing-rules.json", dir).ok());
  EXPECT_FALSE(book.reload_file("/nonexistent/routing-rules.json", dir).ok());
  EXPECT_EQ(book.version(), 1u);
}

TEST(RuleBook, ASnapshotKeepsTheRulesItWasTakenWith) {
  RuleBook book;
  const auto dir = directory();
  book.reload(kTaxiToDetachment, "routing-rules.json", dir);
  const auto before = book.snapshot();
  book.reload(kTaxiToTransportCentre, "routing-rules.json", dir);
  EXPECT_EQ(before.version, 1u);
  EXPECT_EQ(before.rules->place(appeal(AppealKind::complaint, "taxi", "", "")).lead, "zfzd");
  EXPECT_EQ(book.current()->place(appeal(AppealKind::complaint, "taxi", "", "")).lead, "dlys");
}

TEST(RuleBook, RulesCheckedAgainAfterTheDirectoryChangesCanBeInstalled) {
  RuleBook book;
  book.reload(kTaxiToTransportCentre, "routing-rules.json", directory());
  // The transport centre is retired: the rules in force no longer pass against the new directory.
  const auto retired = parse_departments(
      R"({"departments": [{"code": "triage", "name": "分拨中心"},
                          {"code": "dlys", "name": "道路运输事务中心", "active": false}]})",
      "departments.json");
  const auto again =
      make_routing_rules(book.current()->rules(), book.current()->source(), *retired.directory);
  EXPECT_EQ(to_string(again.errors),
            "routing-rules.json: rules[0].lead: department 'dlys' is inactive (rule 'taxi')");
  EXPECT_EQ(book.install(nullptr), 1u);  // nothing to install: nothing changes
  EXPECT_EQ(book.install(std::make_shared<const RoutingRules>()), 2u);
  EXPECT_TRUE(book.place(appeal(AppealKind::complaint, "taxi", "", "")).triage);
}

TEST(RuleBook, ReadersPlaceWhileRulesAreReloaded) {
  RuleBook book;
  const auto dir = directory();
  book.reload(kTaxiToDetachment, "routing-rules.json", dir);
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::thread reader([&] {
    const auto a = appeal(AppealKind::complaint, "taxi", "", "");
    while (!stop) {
      const auto lead = book.place(a).lead;
      if (lead != "zfzd" && lead != "dlys") ++wrong;
    }
  });
  for (int i = 0; i < 200; ++i) {
    book.reload(i % 2 == 0 ? kTaxiToTransportCentre : kTaxiToDetachment, "routing-rules.json", dir);
  }
  stop = true;
  reader.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(book.version(), 201u);
}

// --- The shipped Guangyuan rules -----------------------------------------------------------------

class ShippedRules : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto departments = load_departments_file(source_file("config/data/departments.json"));
    ASSERT_TRUE(departments.errors.empty()) << to_string(departments.errors);
    directory_ = *departments.directory;
    const auto load =
        load_routing_rules_file(source_file("config/data/routing-rules.json"), directory_);
    ASSERT_TRUE(load.errors.empty()) << to_string(load.errors);
    rules_ = load.rules;
  }
  Placement place(const Appeal& a) const { return rules_->place(a); }

  DepartmentDirectory directory_;
  std::shared_ptr<const RoutingRules> rules_;
};

TEST_F(ShippedRules, LoadWithoutErrorsAndEndWithoutACatchAll) {
  EXPECT_GE(rules_->rules().size(), 20u);
  EXPECT_LE(rules_->rules().size(), 40u);
  EXPECT_TRUE(rules_->rules().back().lead_by_division);
}

TEST_F(ShippedRules, TaxiRefusalInLizhouGoesToTheDetachmentWithTheDistrictAssisting) {
  const auto p = place(appeal(AppealKind::complaint, "taxi", "510802", "出租车拒载",
                              "晚上九点在万达广场门口打车，司机听说去宝轮镇就拒载。"));
  EXPECT_EQ(p.lead, "zfzd");
  EXPECT_EQ(p.assisting, Codes{"lzq"});
  EXPECT_EQ(p.rule_id, "taxi-violations");
  EXPECT_EQ(p.reason,
            "rule taxi-violations: kind complaint, category taxi, keyword 拒载; assisted by lzq, "
            "which serves division 510802");
}

TEST_F(ShippedRules, AnUncategorizedComplaintAboutATaxiPlateGoesToTheDetachment) {
  auto a =
      appeal(AppealKind::complaint, "other", "510811", "司机绕路", "从昭化古城到火车站绕路多收钱");
  a.plate = "川HT2046";
  const auto p = place(a);
  EXPECT_EQ(p.lead, "zfzd");
  EXPECT_EQ(p.assisting, Codes{"zhq"});
  EXPECT_EQ(p.rule_id, "taxi-plate-violations");
}

TEST_F(ShippedRules, OverloadingInJiangeGoesToTheDetachmentWithRoadsAndCounty) {
  const auto p = place(appeal(AppealKind::report, "road_freight", "510823", "货车超载",
                              "G108剑门关段每天晚上有拉石料的货车严重超载"));
  EXPECT_EQ(p.lead, "zfzd");
  EXPECT_EQ(p.assisting, (Codes{"glsw", "jgx"}));
  EXPECT_EQ(p.rule_id, "overloading");
}

TEST_F(ShippedRules, BusComplaintInCangxiGoesToTheTransportCentre) {
  const auto p = place(appeal(AppealKind::complaint, "bus", "510824", "公交车不按站停靠",
                              "3路公交车在陵江镇站不停车"));
  EXPECT_EQ(p.lead, "dlys");
  EXPECT_EQ(p.assisting, Codes{"cxx"});
  EXPECT_EQ(p.rule_id, "bus-complaints");
}

TEST_F(ShippedRules, UrgentLandslideInQingchuanGoesToRoadAffairsWithSafetyAndCounty) {
  auto a = appeal(AppealKind::help, "road_maintenance", "510822", "道路塌方",
                  "青川县乔庄镇往房石方向公路发生塌方，车辆无法通行");
  a.urgency = Urgency::urgent;
  const auto p = place(a);
  EXPECT_EQ(p.lead, "glsw");
  EXPECT_EQ(p.assisting, (Codes{"aqjdk", "qcx"}));
  EXPECT_EQ(p.rule_id, "road-hazards-urgent");

  a.urgency = Urgency::normal;
  a.content = "村道路面坑洼很多，下雨天积水";
  a.title = "路面坑洼";
  EXPECT_EQ(place(a).rule_id, "road-maintenance");
  EXPECT_EQ(place(a).lead, "glsw");
}

TEST_F(ShippedRules, FerryComplaintGoesToWaterways) {
  const auto p = place(
      appeal(AppealKind::complaint, "other", "510824", "渡船超员", "亭子湖渡口的渡船经常超员"));
  EXPECT_EQ(p.lead, "ghsw");
  EXPECT_EQ(p.assisting, Codes{"cxx"});
  EXPECT_EQ(p.rule_id, "waterway-words");
}

TEST_F(ShippedRules, PraiseGoesToTheOfficeEvenAboutATaxi) {
  const auto p = place(appeal(AppealKind::praise, "taxi", "510802", "拾金不昧",
                              "感谢川HT0815的师傅把我落在车上的手机送回来"));
  EXPECT_EQ(p.lead, "bgs");
  EXPECT_TRUE(p.assisting.empty());
}

TEST_F(ShippedRules, ScheduleAndFareQuestionsGoToTheTransportCentre) {
  const auto p = place(appeal(AppealKind::consultation, "other", "", "班次咨询",
                              "请问广元到旺苍的班车末班几点，票价多少"));
  EXPECT_EQ(p.lead, "dlys");
  EXPECT_EQ(p.rule_id, "schedules-and-fares");
}

TEST_F(ShippedRules, DisclosureRequestsGoToTheRegulationsSection) {
  EXPECT_EQ(place(appeal(AppealKind::disclosure, "other", "", "申请公开2025年出租车运价文件")).lead,
            "fgk");
}

TEST_F(ShippedRules, ConstructionGoesToTheConstructionSection) {
  const auto p = place(appeal(AppealKind::report, "other", "510821", "拖欠农民工工资",
                              "某乡村公路项目施工单位拖欠工资半年"));
  EXPECT_EQ(p.lead, "jsglk");
  EXPECT_EQ(p.assisting, Codes{"wcx"});
}

TEST_F(ShippedRules, ExpresswaysAreLeftToTheDispatchDeskToTransfer) {
  const auto p = place(appeal(AppealKind::complaint, "other", "510812", "收费站排队",
                              "京昆高速朝天收费站只开一个口"));
  EXPECT_TRUE(p.triage);
  EXPECT_EQ(p.rule_id, "expressways");
}

TEST_F(ShippedRules, AnythingElseWithADivisionGoesToItsBureauAndTheRestToTriage) {
  const auto p = place(appeal(AppealKind::complaint, "other", "510821", "村里的路灯不亮"));
  EXPECT_EQ(p.lead, "wcx");
  EXPECT_EQ(p.rule_id, "by-division");

  const auto q = place(appeal(AppealKind::complaint, "other", "", "不知道该找谁"));
  EXPECT_EQ(q, (Placement{"triage", {}, "", "no rule matched", true}));
}

// --- Speed ---------------------------------------------------------------------------------------

// 200 rules of the realistic shape (a category or two, kinds, five keywords, some with a plate or a
// division); the appeals are such that most placements try every rule. Printed, not asserted.
TEST(PlacementSpeed, TwoHundredRules) {
  const char* const categories[] = {"taxi",           "ride_hailing", "bus",
                                    "road_passenger", "road_freight", "road_maintenance"};
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < 200; ++i) {
    nlohmann::json rule = {{"id", "rule-" + std::to_string(i)}, {"lead", "dlys"}};
    nlohmann::json keywords = nlohmann::json::array();
    for (int k = 0; k < 5; ++k) keywords.push_back("关键词" + std::to_string(i * 5 + k) + "号");
    rule["match"] = {{"categories", {categories[i % 6]}},
                     {"kinds", {"complaint", "report"}},
                     {"keywords", keywords}};
    if (i % 7 == 0) rule["match"]["plates"] = {"川H?" + std::to_string(i % 10)};
    if (i % 5 == 0) rule["match"]["divisions"] = {"510802", "510821"};
    if (i % 3 == 0) rule["assist_by_division"] = true;
    list.push_back(rule);
  }
  list.push_back({{"id", "by-division"}, {"lead_by_division", true}});
  const auto load =
      parse_routing_rules(nlohmann::json{{"rules", list}}.dump(), "generated", directory());
  ASSERT_TRUE(load.errors.empty()) << to_string(load.errors);

  std::vector<Appeal> appeals;
  for (int i = 0; i < 64; ++i) {
    auto a = appeal(
        i % 2 == 0 ? AppealKind::complaint : AppealKind::report, categories[i % 6],
        i % 4 == 0 ? "510802" : "", "出租车司机服务态度差",
        "本人于今天下午三点左右在火车站附近乘坐一辆出租车前往市中心医院，上车后司机一直在打电话，"
        "车内有很重的烟味，行驶过程中多次急刹车，乘客反映司机服务态度很差，到达目的地后" +
            (i % 8 == 0 ? "关键词" + std::to_string((180 + i % 6) * 5 + 2) + "号"
                        : "要求多付十元") +
            "，我要求出具发票时司机说发票机坏了。希望有关部门核实处理，给乘客一个答复。");
    a.plate = "川HT123" + std::to_string(i % 10);
    appeals.push_back(std::move(a));
  }

  constexpr int kPlacements = 200000;
  std::size_t triaged = 0, by_rule = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kPlacements; ++i) {
    const auto placement = load.rules->place(appeals[i % appeals.size()]);
    triaged += placement.triage ? 1 : 0;
    by_rule += placement.rule_id.starts_with("rule-") ? 1 : 0;
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << "[ speed    ] " << kPlacements << " placements with " << list.size() << " rules in "
            << took.count() << " s: " << static_cast<long>(kPlacements / took.count())
            << " placements/s (" << 1e6 * took.count() / kPlacements << " us each; " << by_rule
            << " by a keyword rule, " << triaged << " to triage)\n";
  EXPECT_GT(triaged, 0u);
  EXPECT_GT(by_rule, 0u);
}

}  // namespace
}  // namespace appealhub::router
