// What each channel takes back (core/channel_rules.hpp) is what docs/channels.md says: the table
// there is read and compared row by row, so the document and the gateway cannot drift apart.

#include "core/channel_rules.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace appealhub::core {
namespace {

TEST(ChannelRules, TheTableInDocsChannelsIsTheOneTheGatewayUses) {
  std::ifstream in(std::string(APPEALHUB_SOURCE_DIR) + "/docs/channels.md");
  ASSERT_TRUE(in) << "docs/channels.md";
  // | `mailbox` (局长信箱) | 5,000 | no | `one` | yes | …
  const std::regex row(
      R"(^\| `([a-z0-9]+)`[^|]*\| ([0-9,]+) \| (yes|no)[^|]*\| `([a-z_]+)` \| (yes|no) \|)");
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    ++rows;
    const auto& rules = channel_rules(m[1].str());
    auto chars = m[2].str();
    std::erase(chars, ',');
    EXPECT_EQ(rules.max_answer_chars, std::stoul(chars)) << line;
    EXPECT_EQ(rules.interim_answers, m[3] == "yes") << line;
    EXPECT_EQ(to_string(rules.replies), m[4].str()) << line;
    EXPECT_EQ(rules.publication, m[5] == "yes") << line;
  }
  EXPECT_EQ(rows, 4) << "mailbox, hotline12328, petition, operator";
}

TEST(ChannelRules, ASecondAnswerGoesToTheOperatorsOnlyWhereTheChannelTakesNone) {
  EXPECT_NE(second_answer_refusal("mailbox").find("one reply"), std::string::npos);
  EXPECT_NE(second_answer_refusal("hotline12328").find("one final answer"), std::string::npos);
  EXPECT_EQ(second_answer_refusal("petition"), "");
  EXPECT_EQ(second_answer_refusal("districtsys"), "");
  EXPECT_GT(kLongestAnswerChars, channel_rules("mailbox").max_answer_chars);
  EXPECT_EQ(to_json(channel_rules("mailbox")),
            nlohmann::json::parse(R"({"max_answer_chars": 5000, "interim_answers": false,
                                      "replies": "one", "publication": true})"));
}

}  // namespace
}  // namespace appealhub::core
