#include "core/ids.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace appealhub::core {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view bytes) {
  Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    // Only a broken OpenSSL installation gets here; no id can be made without it.
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  }
  return digest;
}

std::string to_hex(const Digest& digest, std::size_t hex_digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(hex_digits);
  for (std::size_t i = 0; i < hex_digits; ++i) {
    const unsigned char byte = digest[i / 2];
    out += kHex[i % 2 == 0 ? byte >> 4 : byte & 0x0F];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  return to_hex(sha256(bytes), 64);
}

std::string make_event_id(std::string_view event, std::string_view channel,
                          std::string_view external_id, std::string_view fact) {
  std::string input;
  input.reserve(event.size() + channel.size() + external_id.size() + fact.size() + 3);
  input.append(event).append(1, '\x1f');
  input.append(channel).append(1, '\x1f');
  input.append(external_id).append(1, '\x1f');
  input.append(fact);
  return "ev1-" + to_hex(sha256(input), 32);
}

}  // namespace appealhub::core
