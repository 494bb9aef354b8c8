#pragma once
// JSON from outside (a channel's answer, a webhook, a request body), parsed with the nesting limit
// of the appeal.v1 codec: copying, printing and walking a parsed value recurse once per level, so
// 30,000 nested brackets in a 64 KiB body would overflow the stack.

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/codec.hpp"

namespace appealhub::core {

// A discarded value when the text is malformed (numbers out of range included) or nested deeper
// than `max_depth`; never throws.
nlohmann::json parse_json_bounded(std::string_view text, int max_depth = kMaxNestingDepth);

}  // namespace appealhub::core
