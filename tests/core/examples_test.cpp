// The documentation's examples and schema stay true: every example in docs/appeal-v1.md and in
// tests/core/appeal_v1_examples.json decodes, is written exactly as the encoder writes it, and
// docs/appeal.v1.schema.json lists exactly the members the encoder writes and requires exactly
// the members the decoder requires.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/codec.hpp"
#include "tests/core/sample_events.hpp"

namespace appealhub::core {
namespace {

using Json = nlohmann::ordered_json;

std::string read_source_file(const std::string& relative_path) {
  const std::string path = std::string(APPEALHUB_SOURCE_DIR) + "/" + relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Json> file_examples() {
  std::vector<Json> examples;
  for (const auto& example : Json::parse(read_source_file("tests/core/appeal_v1_examples.json"))) {
    examples.push_back(example);
  }
  return examples;
}

// The ```json blocks of the page, in order.
std::vector<std::string> documented_examples() {
  const std::string page = read_source_file("docs/appeal-v1.md");
  std::vector<std::string> blocks;
  const std::string open = "```json\n";
  for (auto start = page.find(open); start != std::string::npos; start = page.find(open, start)) {
    start += open.size();
    const auto end = page.find("```", start);
    blocks.push_back(page.substr(start, end - start));
    start = end + 3;
  }
  return blocks;
}

std::string canonical(const Json& message) {
  return message.dump(-1, ' ', false, Json::error_handler_t::strict);
}

TEST(Examples, EveryExampleDecodesAndIsWrittenAsTheEncoderWritesIt) {
  std::set<std::string> events;
  for (const auto& example : file_examples()) {
    const std::string name = example.value("event", "");
    SCOPED_TRACE(name);
    const auto decoded = decode_event(canonical(example));
    ASSERT_TRUE(decoded.ok()) << to_string(decoded.errors());
    EXPECT_TRUE(validate(decoded.event()).empty());
    EXPECT_EQ(encode_event(decoded.event()), canonical(example));
    EXPECT_TRUE(events.insert(name).second) << "two examples of " << name;
  }
  EXPECT_EQ(events.size(), event_names().size()) << "one example per event";
}

TEST(Examples, ThePageShowsTheTestedExamples) {
  const auto blocks = documented_examples();
  const auto examples = file_examples();
  ASSERT_EQ(blocks.size(), examples.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto decoded = decode_event(blocks[i]);
    EXPECT_TRUE(decoded.ok()) << "example " << i << ": " << to_string(decoded.errors());
    EXPECT_EQ(Json::parse(blocks[i]), examples[i]) << "example " << i;
  }
}

std::vector<std::string> keys_of(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

TEST(Schema, ListsTheEventsInOrder) {
  const auto schema = Json::parse(read_source_file("docs/appeal.v1.schema.json"));
  EXPECT_EQ(schema["properties"]["schema"]["const"], "appeal.v1");
  const auto& names = schema["properties"]["event"]["enum"];
  ASSERT_EQ(names.size(), event_names().size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], event_names()[i]);
  EXPECT_EQ(schema["oneOf"].size(), event_names().size());
}

TEST(Schema, ListsExactlyTheMembersTheEncoderWrites) {
  const auto schema = Json::parse(read_source_file("docs/appeal.v1.schema.json"));
  const auto& defs = schema["$defs"];
  const auto members_of = [&](const std::string& def) {
    return keys_of(defs.at(def).at("properties"));
  };
  for (const auto& event : testing::one_of_each_event()) {
    const auto message = Json::parse(encode_event(event));
    EXPECT_EQ(keys_of(message), keys_of(schema["properties"]));
    std::string def(event.name());
    std::replace(def.begin(), def.end(), '.', '_');
    EXPECT_EQ(keys_of(message["data"]), members_of(def + "_data")) << def;
    EXPECT_EQ(defs.at(def + "_data").value("additionalProperties", true), false) << def;
    if (message["data"].contains("appeal")) {
      const auto& appeal = message["data"]["appeal"];
      EXPECT_EQ(keys_of(appeal), members_of("appeal"));
      EXPECT_EQ(keys_of(appeal["citizen"]), members_of("citizen"));
      EXPECT_EQ(keys_of(appeal["attachments"][0]), members_of("attachment"));
    }
  }
}

// The members reported "missing" directly under `prefix` ("" for the envelope), in order.
std::vector<std::string> missing_under(const std::vector<FieldError>& errors,
                                       const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& error : errors) {
    if (error.rule != "missing" || error.field.rfind(prefix, 0) != 0) continue;
    const auto name = error.field.substr(prefix.size());
    if (name.find_first_of(".[") == std::string::npos) names.push_back(name);
  }
  return names;
}

std::vector<std::string> required_of(const Json& def) {
  return def.value("required", std::vector<std::string>{});
}

TEST(Schema, RequiresExactlyWhatTheDecoderRequires) {
  const auto schema = Json::parse(read_source_file("docs/appeal.v1.schema.json"));
  const auto& defs = schema["$defs"];
  EXPECT_EQ(missing_under(decode_event("{}").errors(), ""), required_of(schema));
  for (const auto name : event_names()) {
    const auto message = R"({"schema":"appeal.v1","event":")" + std::string(name) +
                         R"(","event_id":"ev1-0123456789abcdef","occurred_at":)"
                         R"("2026-11-27T09:16:05+08:00","producer":"test","data":{}})";
    std::string def(name);
    std::replace(def.begin(), def.end(), '.', '_');
    EXPECT_EQ(missing_under(decode_event(message).errors(), ""), required_of(defs[def + "_data"]))
        << def;
  }
  const auto appeal = decode_event(
      R"({"schema":"appeal.v1","event":"appeal.received","event_id":"ev1-0123456789abcdef",)"
      R"("occurred_at":"2026-11-27T09:16:05+08:00","producer":"test",)"
      R"("data":{"appeal":{"citizen":{},"attachments":[{}]}}})");
  EXPECT_EQ(missing_under(appeal.errors(), "appeal."), required_of(defs["appeal"]));
  EXPECT_EQ(missing_under(appeal.errors(), "appeal.citizen."), required_of(defs["citizen"]));
  EXPECT_EQ(missing_under(appeal.errors(), "appeal.attachments[0]."),
            required_of(defs["attachment"]));
}

}  // namespace
}  // namespace appealhub::core
