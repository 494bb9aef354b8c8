#include "gateway/credentials.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "core/ids.hpp"
#include "core/text.hpp"

namespace appealhub::gateway {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int value = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = hex[i + k];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else
        return false;
    }
    out.push_back(static_cast<unsigned char>(value));
  }
  return true;
}

std::vector<unsigned char> pbkdf2(std::string_view password, const std::vector<unsigned char>& salt,
                                  int iterations) {
  std::vector<unsigned char> out(32);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return out;
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  std::vector<unsigned char> salt(16);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  const auto hash = pbkdf2(password, salt, iterations);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + to_hex(salt.data(), salt.size()) +
         "$" + to_hex(hash.data(), hash.size());
}

bool verify_password(std::string_view password, std::string_view stored) {
  constexpr std::string_view kPrefix = "pbkdf2-sha256$";
  if (!stored.starts_with(kPrefix)) return false;
  stored.remove_prefix(kPrefix.size());
  const auto d1 = stored.find('$');
  const auto d2 = stored.find('$', d1 == std::string_view::npos ? 0 : d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos) return false;
  int iterations = 0;
  for (const char c : stored.substr(0, d1)) {
    if (c < '0' || c > '9' || iterations > 100'000'000) return false;
    iterations = iterations * 10 + (c - '0');
  }
  std::vector<unsigned char> salt, expected;
  if (iterations < 1 || !from_hex(stored.substr(d1 + 1, d2 - d1 - 1), salt) ||
      !from_hex(stored.substr(d2 + 1), expected) || expected.size() != 32) {
    return false;
  }
  const auto actual = pbkdf2(password, salt, iterations);
  return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

std::string random_token(int bytes) {
  std::vector<unsigned char> data(static_cast<std::size_t>(bytes));
  if (RAND_bytes(data.data(), bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return to_hex(data.data(), data.size());
}

std::string token_hash(std::string_view token) {
  return core::sha256_hex(token);
}

std::string password_problem(std::string_view password) {
  const auto counted = core::utf8_length(password);
  if (!counted) return "must be UTF-8";
  const auto length = *counted;
  if (length < 12) return "must have at least 12 characters";
  if (length > 128) return "must have at most 128 characters";
  return {};
}

}  // namespace appealhub::gateway
