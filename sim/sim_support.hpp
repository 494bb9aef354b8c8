#pragma once
// What both simulators share: the platform clock (RFC 3339 at +08:00), opaque tokens, signing
// primitives, a per-key rate limiter and the switchable faults.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace appealhub::sim {

using SysClock = std::chrono::system_clock;

std::int64_t unix_now();
// "2026-11-27T09:15:32+08:00": the platforms run on Beijing time.
std::string rfc3339(std::int64_t unix_seconds);
// Any RFC 3339 date-time with Z or an offset, fractions allowed; milliseconds since the epoch.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

// The number of Unicode code points of UTF-8 text (the platforms count characters, not bytes).
std::size_t utf8_length(std::string_view text);

// A token bucket per key: `per_second` requests a second, bursts up to the same number.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second) : per_second_(per_second) {}
  // 0 when the request may pass, else whole seconds to wait (at least 1).
  int acquire(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point refilled;
  };
  double per_second_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

// Fault switches; every fraction is per request on the channel API (never on /_sim/).
struct FaultSettings {
  double error_5xx = 0;  // answered 500, 502 or 503 before anything happens
  double slow = 0;       // answered after slow_ms
  int slow_ms = 0;
  double drop = 0;              // connection closed without an answer, nothing done
  double drop_after_store = 0;  // a reply stored, then the connection closed unanswered
  double burst_429 = 0;         // a request starts a burst of 429s lasting burst_429_ms
  int burst_429_ms = 1000;
};
nlohmann::json to_json(const FaultSettings& settings);
// Applies the fields present in `patch`; throws std::invalid_argument on a bad value.
void apply_patch(FaultSettings& settings, const nlohmann::json& patch);

// Decides, with its own random source, which fault strikes a request, and counts them.
class Faults {
 public:
  Faults(FaultSettings settings, std::uint64_t seed) : settings_(settings), random_(seed) {}

  struct Decision {
    int status = 0;  // 500/502/503 or 429 (burst), 0 when none
    int retry_after = 0;
    bool drop = false;
    std::chrono::milliseconds delay{0};
  };
  Decision before_request();
  bool drop_after_store();
  void start_burst(std::chrono::milliseconds length);

  FaultSettings settings() const;
  void update(const nlohmann::json& patch);
  nlohmann::json counters() const;

 private:
  bool chance(double fraction);  // caller holds mutex_
  mutable std::mutex mutex_;
  FaultSettings settings_;
  std::mt19937_64 random_;
  std::chrono::steady_clock::time_point burst_until_{};
  std::map<std::string, std::int64_t> injected_;
};

// Counts what the simulator answered: the ledger's "requests" section.
class RequestCounters {
 public:
  void count(int status, const std::string& detail = "");
  nlohmann::json to_json() const;

 private:
  mutable std::mutex mutex_;
  std::int64_t total_ = 0;
  std::map<std::string, std::int64_t> by_status_;
  std::map<std::string, std::int64_t> details_;
};

}  // namespace appealhub::sim
