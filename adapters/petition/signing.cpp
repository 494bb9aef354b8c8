#include "adapters/petition/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <stdexcept>

#include "core/bytes.hpp"
#include "core/ids.hpp"

namespace appealhub::adapters::petition {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

bool is_nonce(std::string_view nonce) {
  if (nonce.size() < 16 || nonce.size() > 64) return false;
  for (const char c : nonce) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

std::string string_to_sign(std::string_view method, std::string_view path_and_query,
                           std::string_view timestamp, std::string_view nonce,
                           std::string_view body) {
  std::string out;
  out.reserve(method.size() + path_and_query.size() + timestamp.size() + nonce.size() + 68);
  out.append(method).append("\n");
  out.append(path_and_query).append("\n");
  out.append(timestamp).append("\n");
  out.append(nonce).append("\n");
  out.append(core::sha256_hex(body));
  return out;
}

std::string hmac_sha256_hex(std::string_view secret, std::string_view text) {
  return core::hmac_sha256_hex(secret, text);
}

std::string random_nonce(std::size_t length) {
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> bytes{};
  while (out.size() < length) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed: no nonce");
    }
    for (const unsigned char b : bytes) {
      // 248 = 4 * 62: bytes above it would favour the first letters.
      if (b < 248 && out.size() < length) out += kAlphabet[b % kAlphabet.size()];
    }
  }
  return out;
}

http::Headers signature_headers(std::string_view app_id, std::string_view secret,
                                std::string_view method, std::string_view path_and_query,
                                std::string_view body, std::chrono::system_clock::time_point now) {
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  const std::string nonce = random_nonce();
  return {{"X-App-Id", std::string(app_id)},
          {"X-Timestamp", timestamp},
          {"X-Nonce", nonce},
          {"X-Signature", hmac_sha256_hex(secret, string_to_sign(method, path_and_query, timestamp,
                                                                 nonce, body))}};
}

std::string_view to_string(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::ok:
      return "";
    case SignatureCheck::bad_signature:
      return "bad_signature";
    case SignatureCheck::stale_timestamp:
      return "stale_timestamp";
  }
  return "";
}

SignatureCheck check_signature(const http::Request& request, std::string_view app_id,
                               std::string_view secret, std::chrono::system_clock::time_point now,
                               std::chrono::seconds window) {
  const auto id = request.header("X-App-Id");
  const auto timestamp = request.header("X-Timestamp");
  const auto nonce = request.header("X-Nonce");
  const auto signature = request.header("X-Signature");
  if (!id || !timestamp || !nonce || !signature || *id != app_id || !is_nonce(*nonce)) {
    return SignatureCheck::bad_signature;
  }
  long long seconds = 0;
  const auto [end, ec] =
      std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), seconds);
  if (timestamp->empty() || ec != std::errc() || end != timestamp->data() + timestamp->size()) {
    return SignatureCheck::bad_signature;
  }
  const auto expected = hmac_sha256_hex(
      secret, string_to_sign(request.method, request.target, *timestamp, *nonce, request.body));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return SignatureCheck::bad_signature;
  }
  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // Compared without subtracting the request's number, which may be anywhere in long long.
  if (seconds < now_seconds - window.count() || seconds > now_seconds + window.count()) {
    return SignatureCheck::stale_timestamp;
  }
  return SignatureCheck::ok;
}

}  // namespace appealhub::adapters::petition
