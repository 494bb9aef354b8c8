// The strict reader every JSON file and section goes through: paths, types, unknown keys.

#include "core/json_reader.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace appealhub::core {
namespace {

std::vector<std::string> lines(const std::vector<JsonError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.to_string());
  return out;
}

TEST(JsonReader, ReadsTypedMembersAndNamesTheWrongOnesByPath) {
  const auto doc = nlohmann::json::parse(R"({
    "rules": [
      {"id": "a", "enabled": false, "size": 7, "share": 0.5, "tags": ["x", "y"]},
      {"id": 3, "enabled": "yes", "size": 9000, "share": 2, "tags": ["x", 1], "typo": 1},
      "not an object"
    ],
    "$comment": "free text"
  })");
  std::vector<JsonError> errors;
  JsonReader root(doc, "", "rules.json", errors);
  struct Rule {
    std::string id;
    bool enabled = true;
    long long size = 0;
    double share = 0;
    std::vector<std::string> tags;
  };
  std::vector<Rule> rules;
  EXPECT_TRUE(root.each("rules", "must be a list", [&](JsonReader& item, std::size_t) {
    Rule rule;
    if (!item.is_object()) {
      item.fail("must be an object");
    } else {
      item.text("id", rule.id);
      item.flag("enabled", rule.enabled);
      if (const auto n = item.integer("size", 1, 100)) rule.size = *n;
      item.fraction("share", rule.share);
      item.strings("tags", rule.tags);
      item.refuse_unknown();
    }
    rules.push_back(rule);
  }));
  root.required("missing_too");
  root.refuse_unknown();

  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].id, "a");
  EXPECT_FALSE(rules[0].enabled);
  EXPECT_EQ(rules[0].size, 7);
  EXPECT_EQ(rules[0].share, 0.5);
  EXPECT_EQ(rules[0].tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(rules[1].tags, (std::vector<std::string>{"x"}));
  EXPECT_EQ(lines(errors), (std::vector<std::string>{
                               "rules.json: rules[1].id: must be a string",
                               "rules.json: rules[1].enabled: must be true or false",
                               "rules.json: rules[1].size: must be between 1 and 100",
                               "rules.json: rules[1].share: must be between 0 and 1",
                               "rules.json: rules[1].tags[1]: must be a string",
                               "rules.json: rules[1].typo: unknown key",
                               "rules.json: rules[2]: must be an object",
                               "rules.json: missing_too: missing",
                           }));
}

TEST(JsonReader, SectionsMembersAndUnknownSettings) {
  const auto doc = nlohmann::json::parse(
      R"({"intake": {"batch_size": "9", "$comment": "x"}, "days": {"a": 1, "b": 2}, "list": 5,
          "huge": 18446744073709551615})");
  std::vector<JsonError> errors;
  JsonReader root(doc, "", "hub.json", errors);
  auto intake = root.object("intake");
  ASSERT_TRUE(intake);
  EXPECT_EQ(intake->path(), "intake");
  EXPECT_FALSE(intake->integer("batch_size", 1, 5000));
  intake->refuse_unknown("unknown setting", false);
  std::vector<std::string> keys;
  root.object("days")->members([&](const std::string& key, JsonReader& member) {
    keys.push_back(key);
    EXPECT_EQ(member.path(), "days." + key);
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(root.each("list", "must be a list of days", [](JsonReader&, std::size_t) {}));
  EXPECT_FALSE(root.integer("huge", 0, 10));
  EXPECT_FALSE(root.object("absent"));
  EXPECT_EQ(lines(errors), (std::vector<std::string>{
                               "hub.json: intake.batch_size: must be an integer",
                               "hub.json: intake.$comment: unknown setting",
                               "hub.json: list: must be a list of days",
                               "hub.json: huge: must be between 0 and 10",
                           }));
}

TEST(ParseJsonFile, NamesThePlaceOfASyntaxError) {
  std::vector<JsonError> errors;
  EXPECT_TRUE(parse_json_file(R"({"a": [1, 2]})", "ok.json", errors));
  EXPECT_FALSE(parse_json_file("{\n  \"a\": ,\n}", "bad.json", errors));
  EXPECT_FALSE(parse_json_file(std::string(100, '[') + std::string(100, ']'), "deep.json", errors));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].where, "bad.json:2:8");
  EXPECT_TRUE(errors[0].message.starts_with("not valid JSON: syntax error")) << errors[0].message;
  EXPECT_EQ(errors[1].to_string(), "deep.json: not valid JSON: nested deeper than 64 levels");
  EXPECT_FALSE(read_text_file("/nonexistent/file.json"));
}

}  // namespace
}  // namespace appealhub::core
