#pragma once
// Text encodings of 12328 files: GB18030 (what Excel writes on Chinese Windows, the default) or
// UTF-8 with or without a BOM, as the marker says. Everything inside the hub is UTF-8.
//
// Utf8Decoder decodes a file chunk by chunk: a multi-byte sequence split across two chunks is
// carried over to the next one, so any chunk size gives the same result. Errors name the byte
// offset in the input (counted from 0 over all chunks fed).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/hotline12328/hotline12328_options.hpp"

namespace appealhub::adapters::hotline12328 {

// "GB18030" and "UTF-8" (also "UTF8"), case-insensitive; nullopt for anything else.
std::optional<Encoding> parse_encoding(std::string_view name);
std::string_view to_string(Encoding encoding);  // "GB18030", "UTF-8"

class Utf8Decoder {
 public:
  explicit Utf8Decoder(Encoding encoding);
  ~Utf8Decoder();
  Utf8Decoder(const Utf8Decoder&) = delete;
  Utf8Decoder& operator=(const Utf8Decoder&) = delete;

  // Appends the UTF-8 text of `chunk` to `out`, holding back an incomplete sequence at its end.
  // Returns false on an invalid byte sequence; error() then says where. After an error every
  // call returns false.
  bool feed(std::string_view chunk, std::string& out);
  // End of input: a sequence still held back is an error (the file was cut in a character).
  bool finish(std::string& out);

  const std::string& error() const { return error_; }
  std::uint64_t bytes_fed() const { return offset_ + pending_.size(); }

 private:
  bool feed_gb18030(std::string& out);
  bool feed_utf8(std::string& out);
  void strip_bom(std::string& out, std::size_t from);

  Encoding encoding_;
  void* iconv_ = nullptr;     // iconv_t for GB18030
  std::string pending_;       // bytes not decoded yet (an incomplete sequence)
  std::uint64_t offset_ = 0;  // input offset of pending_[0]
  bool at_start_ = true;      // no output produced yet: a leading U+FEFF is dropped
  std::string error_;
};

// Decodes a whole text; nullopt with `*error` set on failure.
std::optional<std::string> decode_to_utf8(std::string_view bytes, Encoding encoding,
                                          std::string* error = nullptr);

}  // namespace appealhub::adapters::hotline12328
