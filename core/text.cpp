#include "core/text.hpp"

#include <algorithm>

namespace appealhub::core {

Utf8Sequence read_utf8(std::string_view text, std::size_t at) {
  using State = Utf8Sequence::State;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return {State::ok, 1, lead};
  std::size_t extra = 0;
  char32_t code_point = 0;
  char32_t smallest = 0;  // below this the sequence is an overlong form
  if ((lead & 0xE0) == 0xC0) {
    extra = 1, code_point = lead & 0x1F, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, code_point = lead & 0x0F, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, code_point = lead & 0x07, smallest = 0x10000;
  } else {
    return {State::invalid, 1, 0};
  }
  const std::size_t available = std::min(extra, text.size() - at - 1);
  for (std::size_t k = 1; k <= available; ++k) {
    if ((byte(at + k) & 0xC0) != 0x80) return {State::invalid, 1, 0};
    code_point = (code_point << 6) | (byte(at + k) & 0x3F);
  }
  if (available < extra) {
    // Judge what is there: a lead or prefix that can only start an overlong form, a surrogate or a
    // value above U+10FFFF is invalid already.
    const unsigned char second = available >= 1 ? byte(at + 1) : 0x80;
    const bool bad =
        lead == 0xC0 || lead == 0xC1 || lead > 0xF4 ||
        (available >= 1 && ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) ||
                            (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second >= 0x90)));
    return {bad ? State::invalid : State::incomplete, 1, 0};
  }
  if (code_point < smallest || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return {State::invalid, 1, 0};
  }
  return {State::ok, extra + 1, code_point};
}

char32_t next_code_point(std::string_view text, std::size_t& at) {
  const auto sequence = read_utf8(text, at);
  if (sequence.state != Utf8Sequence::State::ok) {
    ++at;
    return kReplacementCharacter;
  }
  at += sequence.length;
  return sequence.code_point;
}

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) out.push_back(next_code_point(text, at));
  return out;
}

void append_utf8(std::string& out, char32_t code_point) {
  const auto put = [&](unsigned value) { out += static_cast<char>(value); };
  if (code_point < 0x80) {
    put(code_point);
  } else if (code_point < 0x800) {
    put(0xC0 | (code_point >> 6));
    put(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    put(0xE0 | (code_point >> 12));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  } else {
    put(0xF0 | (code_point >> 18));
    put(0x80 | ((code_point >> 12) & 0x3F));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  }
}

std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size(); ++count) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {  // the common case in ids, codes and URLs
      ++at;
      continue;
    }
    const auto sequence = read_utf8(text, at);
    if (sequence.state != Utf8Sequence::State::ok) return std::nullopt;
    at += sequence.length;
  }
  return count;
}

bool has_control_characters(std::string_view text, bool allow_line_breaks) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20) {
      if (allow_line_breaks && (c == '\t' || c == '\n' || c == '\r')) continue;
      return true;
    }
    if (c == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string text_position(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace appealhub::core
