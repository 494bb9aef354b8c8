#include "adapters/hotline12328/encoding.hpp"

#include <iconv.h>

#include <cerrno>
#include <stdexcept>

namespace appealhub::adapters::hotline12328 {
namespace {

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return r;
}

// Length of the UTF-8 sequence starting at `b`, 0 for a byte that cannot start one.
std::size_t utf8_sequence_length(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if (b >= 0xE0 && b <= 0xEF) return 3;
  if (b >= 0xF0 && b <= 0xF4) return 4;
  return 0;
}

// Whether the `n` bytes at `p` form a well-formed sequence (no overlong forms, surrogates or
// values above U+10FFFF). Precondition: n == utf8_sequence_length(p[0]).
bool utf8_sequence_ok(const unsigned char* p, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return false;
  }
  if (n == 3) {
    if (p[0] == 0xE0 && p[1] < 0xA0) return false;   // overlong
    if (p[0] == 0xED && p[1] >= 0xA0) return false;  // surrogate
  } else if (n == 4) {
    if (p[0] == 0xF0 && p[1] < 0x90) return false;   // overlong
    if (p[0] == 0xF4 && p[1] >= 0x90) return false;  // above U+10FFFF
  }
  return true;
}

}  // namespace

std::optional<Encoding> parse_encoding(std::string_view name) {
  const std::string u = upper(name);
  if (u == "GB18030") return Encoding::gb18030;
  if (u == "UTF-8" || u == "UTF8") return Encoding::utf8;
  return std::nullopt;
}

std::string_view to_string(Encoding encoding) {
  return encoding == Encoding::gb18030 ? "GB18030" : "UTF-8";
}

Utf8Decoder::Utf8Decoder(Encoding encoding) : encoding_(encoding) {
  if (encoding_ == Encoding::gb18030) {
    const iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      throw std::runtime_error("iconv cannot convert GB18030 to UTF-8 on this system");
    }
    iconv_ = cd;
  }
}

Utf8Decoder::~Utf8Decoder() {
  if (iconv_ != nullptr) iconv_close(static_cast<iconv_t>(iconv_));
}

void Utf8Decoder::strip_bom(std::string& out, std::size_t from) {
  if (!at_start_ || out.size() == from) return;
  if (out.size() - from >= 3 && out.compare(from, 3, "\xEF\xBB\xBF") == 0) {
    out.erase(from, 3);
  }
  at_start_ = false;
}

bool Utf8Decoder::feed(std::string_view chunk, std::string& out) {
  if (!error_.empty()) return false;
  pending_.append(chunk);
  const std::size_t from = out.size();
  const bool ok = encoding_ == Encoding::gb18030 ? feed_gb18030(out) : feed_utf8(out);
  strip_bom(out, from);
  return ok;
}

bool Utf8Decoder::feed_gb18030(std::string& out) {
  const auto cd = static_cast<iconv_t>(iconv_);
  char* in = pending_.data();
  std::size_t in_left = pending_.size();
  while (in_left > 0) {
    const std::size_t before = out.size();
    const std::size_t room = in_left * 2 + 16;  // GB18030 → UTF-8 grows by at most 2x (+ slack)
    out.resize(before + room);
    char* dst = out.data() + before;
    std::size_t dst_left = room;
    const std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    const int err = errno;
    out.resize(before + (room - dst_left));
    if (rc != static_cast<std::size_t>(-1)) break;
    if (err == E2BIG) continue;
    const std::uint64_t at = offset_ + static_cast<std::uint64_t>(in - pending_.data());
    if (err == EINVAL) break;  // an incomplete sequence at the end: wait for more bytes
    error_ = "invalid GB18030 byte sequence at byte offset " + std::to_string(at);
    return false;
  }
  const auto consumed = static_cast<std::size_t>(in - pending_.data());
  offset_ += consumed;
  pending_.erase(0, consumed);
  return true;
}

bool Utf8Decoder::feed_utf8(std::string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(pending_.data());
  const std::size_t size = pending_.size();
  std::size_t i = 0;
  while (i < size) {
    const std::size_t n = utf8_sequence_length(p[i]);
    if (n == 0) {
      error_ = "invalid UTF-8 byte at byte offset " + std::to_string(offset_ + i);
      return false;
    }
    if (i + n > size) {
      // Incomplete at the end; still check the bytes we have so an error is reported early.
      for (std::size_t k = i + 1; k < size; ++k) {
        if ((p[k] & 0xC0) != 0x80) {
          error_ = "invalid UTF-8 byte sequence at byte offset " + std::to_string(offset_ + i);
          return false;
        }
      }
      break;
    }
    if (!utf8_sequence_ok(p + i, n)) {
      error_ = "invalid UTF-8 byte sequence at byte offset " + std::to_string(offset_ + i);
      return false;
    }
    i += n;
  }
  out.append(pending_, 0, i);
  offset_ += i;
  pending_.erase(0, i);
  return true;
}

bool Utf8Decoder::finish(std::string& out) {
  if (!error_.empty()) return false;
  if (!pending_.empty()) {
    error_ = std::string("truncated ") + std::string(to_string(encoding_)) +
             " sequence at byte offset " + std::to_string(offset_) + " at the end of the file";
    return false;
  }
  if (iconv_ != nullptr) {  // flush the conversion state (a no-op for GB18030)
    const std::size_t before = out.size();
    out.resize(before + 16);
    char* dst = out.data() + before;
    std::size_t left = 16;
    iconv(static_cast<iconv_t>(iconv_), nullptr, nullptr, &dst, &left);
    out.resize(before + (16 - left));
  }
  return true;
}

std::optional<std::string> decode_to_utf8(std::string_view bytes, Encoding encoding,
                                          std::string* error) {
  Utf8Decoder decoder(encoding);
  std::string out;
  if (!decoder.feed(bytes, out) || !decoder.finish(out)) {
    if (error != nullptr) *error = decoder.error();
    return std::nullopt;
  }
  return out;
}

}  // namespace appealhub::adapters::hotline12328
