#include "core/bytes.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace appealhub::core {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex_of(const unsigned char* data, std::size_t size) {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(data), size));
}

EVP_MD_CTX* context(void* p) {
  return static_cast<EVP_MD_CTX*>(p);
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit(hex[i]), low = hex_digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    // Only a broken OpenSSL installation gets here.
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  }
  return hex_of(digest.data(), length);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 is not available from OpenSSL");
  }
  return hex_of(mac.data(), length);
}

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(context(context_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(context(context_));
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  }
}

Sha256Stream::~Sha256Stream() {
  EVP_MD_CTX_free(context(context_));
}

void Sha256Stream::update(std::string_view bytes) {
  EVP_DigestUpdate(context(context_), bytes.data(), bytes.size());
}

std::string Sha256Stream::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context(context_), digest.data(), &length);
  return hex_of(digest.data(), length);
}

}  // namespace appealhub::core
