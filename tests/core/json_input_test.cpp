// Parsing JSON from outside with a nesting limit.

#include "core/json_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace appealhub::core {
namespace {

// Found with the letter and message fuzzers (corpus/*/crash-deep-nesting.json, a hand-made input
// longer than the fuzzers grew theirs): 30,000 nested arrays in a letter overflowed the stack
// under AddressSanitizer, in recursive copies of the parsed value.
TEST(ParseJsonBounded, RefusesNestingBeyondTheLimit) {
  const auto nested = [](int depth) {
    return "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  };
  EXPECT_TRUE(parse_json_bounded(nested(kMaxNestingDepth - 1)).is_object());
  EXPECT_TRUE(parse_json_bounded(nested(kMaxNestingDepth)).is_discarded());
  EXPECT_TRUE(parse_json_bounded(nested(30000)).is_discarded());
  EXPECT_TRUE(parse_json_bounded("{\"a\":").is_discarded());
  EXPECT_TRUE(parse_json_bounded("[1e999]").is_discarded());
  EXPECT_EQ(parse_json_bounded(R"({"b":[1,{"c":"d"}]})")["b"][1]["c"], "d");
}

}  // namespace
}  // namespace appealhub::core
