#pragma once
// Secrets of accounts: password hashes (PBKDF2-HMAC-SHA256, OpenSSL, per-user salt) and random
// tokens for sessions, CSRF and programs. Only hashes of tokens are stored.

#include <string>
#include <string_view>

namespace appealhub::gateway {

// OWASP's 2023 floor for PBKDF2-HMAC-SHA256.
inline constexpr int kPasswordIterations = 600000;

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" with a fresh 16-byte salt.
std::string hash_password(std::string_view password, int iterations = kPasswordIterations);
// Constant-time check against a stored hash; false for a malformed one.
bool verify_password(std::string_view password, std::string_view stored);

// `bytes` random bytes from OpenSSL's RAND, as lowercase hex.
std::string random_token(int bytes = 32);
// Lowercase hex SHA-256: how tokens are looked up in the database.
std::string token_hash(std::string_view token);

// A password an administrator may set: 12 to 128 characters. Empty when acceptable, else why.
std::string password_problem(std::string_view password);

}  // namespace appealhub::gateway
