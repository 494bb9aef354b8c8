#include "gateway/credentials.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "core/bytes.hpp"
#include "core/text.hpp"

namespace appealhub::gateway {
namespace {

// `bytes` random bytes from OpenSSL's generator.
std::string random_bytes(std::size_t bytes) {
  std::string out(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  std::string out(32, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return out;
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  const auto salt = random_bytes(16);
  const auto hash = pbkdf2(password, salt, iterations);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + core::hex_encode(salt) + "$" +
         core::hex_encode(hash);
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
  const auto salt = core::hex_decode(stored.substr(d1 + 1, d2 - d1 - 1));
  const auto expected = core::hex_decode(stored.substr(d2 + 1));
  if (iterations < 1 || !salt || !expected || expected->size() != 32) return false;
  const auto actual = pbkdf2(password, *salt, iterations);
  return CRYPTO_memcmp(actual.data(), expected->data(), expected->size()) == 0;
}

std::string random_token(int bytes) {
  return core::hex_encode(random_bytes(static_cast<std::size_t>(bytes)));
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
