#include "adapters/hotline12328/encoding.hpp"

#include <iconv.h>

#include <cerrno>
#include <stdexcept>

#include "core/text.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return r;
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
  std::size_t i = 0;
  while (i < pending_.size()) {
    const auto sequence = core::read_utf8(pending_, i);
    if (sequence.state == core::Utf8Sequence::State::incomplete) break;  // wait for more bytes
    if (sequence.state == core::Utf8Sequence::State::invalid) {
      const auto lead = static_cast<unsigned char>(pending_[i]);
      const bool cannot_start = (lead >= 0x80 && lead < 0xC2) || lead > 0xF4;
      error_ = std::string(cannot_start ? "invalid UTF-8 byte" : "invalid UTF-8 byte sequence") +
               " at byte offset " + std::to_string(offset_ + i);
      return false;
    }
    i += sequence.length;
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
