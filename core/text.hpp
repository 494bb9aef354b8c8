#pragma once
// UTF-8 text as the appeal.v1 format measures it: lengths are counted in Unicode code points (what
// JSON Schema's maxLength counts and what a citizen sees as characters), never in bytes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace appealhub::core {

// The number of code points in `text`, or nullopt when it is not well-formed UTF-8 (overlong
// forms, surrogates U+D800..U+DFFF, values above U+10FFFF and truncated sequences are not).
std::optional<std::size_t> utf8_length(std::string_view text);

inline bool is_valid_utf8(std::string_view text) {
  return utf8_length(text).has_value();
}

// True when well-formed UTF-8 `text` holds a control character: C0 (U+0000..U+001F), DEL (U+007F)
// or C1 (U+0080..U+009F). With `allow_line_breaks`, tab, line feed and carriage return are allowed.
bool has_control_characters(std::string_view text, bool allow_line_breaks);

// "line:column" (both from 1) of a byte offset in text, for error messages about files; columns
// count characters, not the bytes of UTF-8.
std::string text_position(std::string_view text, std::size_t offset);

}  // namespace appealhub::core
