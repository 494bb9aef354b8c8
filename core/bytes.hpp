#pragma once
// Bytes as text, and the digests the hub computes (OpenSSL): lower-case hexadecimal, SHA-256
// (whole or streamed) and HMAC-SHA256. (Percent-encoding is http/message.hpp's.)

#include <optional>
#include <string>
#include <string_view>

namespace appealhub::core {

// Two lower-case hex digits per byte.
std::string hex_encode(std::string_view bytes);
// The bytes of an even-length run of hex digits (either case); nullopt for anything else.
std::optional<std::string> hex_decode(std::string_view hex);

// Lower-case hex of the SHA-256 of `bytes` (64 characters).
std::string sha256_hex(std::string_view bytes);
// Lower-case hex of HMAC-SHA256(key, text) (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view text);

// SHA-256 over bytes given in pieces (a file read in chunks).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::string_view bytes);
  // The digest of everything given so far, as 64 lower-case hex digits; ends the stream.
  std::string hex();

 private:
  void* context_;  // EVP_MD_CTX, kept out of this header
};

}  // namespace appealhub::core
