#pragma once
// The online-petition platform's request signing (docs/channels/online-petition-api.md, "Signing"),
// both ways: the hub signs its API requests, and checks the webhooks the platform sends.
//
//   string_to_sign = METHOD "\n" PATH_AND_QUERY "\n" X-Timestamp "\n" X-Nonce "\n"
//   hex(SHA256(body)) X-Signature    = lowercase hex of HMAC-SHA256(app_secret, string_to_sign)
//
// PATH_AND_QUERY is exactly what is on the request line (already percent-encoded); the body of a
// GET is empty. Nonces are 16 to 64 characters of [A-Za-z0-9]; the hub makes 32 from RAND_bytes.

#include <chrono>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace appealhub::adapters::petition {

std::string string_to_sign(std::string_view method, std::string_view path_and_query,
                           std::string_view timestamp, std::string_view nonce,
                           std::string_view body);

// Lowercase hex of HMAC-SHA256(secret, text).
std::string hmac_sha256_hex(std::string_view secret, std::string_view text);

// `length` characters of [A-Za-z0-9], uniformly drawn from OpenSSL's RAND_bytes (rejection
// sampling, no modulo bias). Throws std::runtime_error when the generator fails.
std::string random_nonce(std::size_t length = 32);

// X-App-Id, X-Timestamp (Unix seconds of `now`), X-Nonce (fresh) and X-Signature for a request.
http::Headers signature_headers(std::string_view app_id, std::string_view secret,
                                std::string_view method, std::string_view path_and_query,
                                std::string_view body, std::chrono::system_clock::time_point now);

enum class SignatureCheck {
  ok,
  bad_signature,    // missing or malformed headers, another app id, or a signature that differs
  stale_timestamp,  // more than `window` away from our clock
};

// The platform's code for a failed check: "bad_signature", "stale_timestamp" ("" for ok).
std::string_view to_string(SignatureCheck check);

// Checks a signed request (a webhook) by the first two rules; the third, nonce replay, needs
// shared memory (PetitionWebhook). Compares signatures in constant time.
SignatureCheck check_signature(const http::Request& request, std::string_view app_id,
                               std::string_view secret, std::chrono::system_clock::time_point now,
                               std::chrono::seconds window = std::chrono::seconds(300));

}  // namespace appealhub::adapters::petition
