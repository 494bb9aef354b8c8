#pragma once
// UTF-8 text as the appeal.v1 format measures it: lengths are counted in Unicode code points (what
// JSON Schema's maxLength counts and what a citizen sees as characters), never in bytes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace appealhub::core {

// One UTF-8 sequence read at a byte offset. `incomplete`: the bytes up to the end of the text are
// a well-formed beginning (a stream should wait for more); `invalid`: they can never be one
// (a stray continuation byte, 0xC0/0xC1/0xF5..0xFF, overlong forms, surrogates U+D800..U+DFFF,
// values above U+10FFFF).
struct Utf8Sequence {
  enum class State { ok, incomplete, invalid } state;
  std::size_t length;   // bytes taken when ok; otherwise 1
  char32_t code_point;  // when ok
};
Utf8Sequence read_utf8(std::string_view text, std::size_t at);

// Stands for a malformed byte where text is read leniently (U+FFFD REPLACEMENT CHARACTER).
inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// The code point at byte `at`, moving `at` past it; a malformed byte is kReplacementCharacter and
// moves `at` by one.
char32_t next_code_point(std::string_view text, std::size_t& at);

// Every code point of `text`, read as next_code_point does.
std::u32string decode_utf8(std::string_view text);

// Appends the UTF-8 form of a code point.
void append_utf8(std::string& out, char32_t code_point);

// The byte length of the character at byte `at` (1 for a malformed byte).
inline std::size_t character_length(std::string_view text, std::size_t at) {
  const auto sequence = read_utf8(text, at);
  return sequence.state == Utf8Sequence::State::ok ? sequence.length : 1;
}

// The number of code points in `text`, or nullopt when it is not well-formed UTF-8 (overlong
// forms, surrogates U+D800..U+DFFF, values above U+10FFFF and truncated sequences are not).
std::optional<std::size_t> utf8_length(std::string_view text);

inline bool is_valid_utf8(std::string_view text) {
  return utf8_length(text).has_value();
}

// True when well-formed UTF-8 `text` holds a control character: C0 (U+0000..U+001F), DEL (U+007F)
// or C1 (U+0080..U+009F). With `allow_line_breaks`, tab, line feed and carriage return are allowed.
bool has_control_characters(std::string_view text, bool allow_line_breaks);

// At most `max_bytes` of `text`, cut before a UTF-8 sequence rather than inside one (for excerpts
// of bodies and error texts kept in a bounded column or header).
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

// "line:column" (both from 1) of a byte offset in text, for error messages about files; columns
// count characters, not the bytes of UTF-8.
std::string text_position(std::string_view text, std::size_t offset);

}  // namespace appealhub::core
