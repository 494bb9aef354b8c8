#include "sim/sim_support.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <cmath>
#include <ctime>
#include <stdexcept>

namespace appealhub::sim {
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

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(SysClock::now().time_since_epoch())
      .count();
}

std::string rfc3339(std::int64_t unix_seconds) {
  const std::time_t local = static_cast<std::time_t>(unix_seconds + 8 * 3600);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buffer;
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100;
    const std::size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::int64_t utc = static_cast<std::int64_t>(timegm(&tm)) - offset_minutes * 60;
  return utc * 1000 + millis;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    int value;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '-' || c == '+')
      value = 62;
    else if (c == '_' || c == '/')
      value = 63;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return to_hex(digest, size);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return to_hex(digest, size);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

int RateLimiter::acquire(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{per_second_, now});
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min(per_second_, bucket.tokens + elapsed * per_second_);
  bucket.refilled = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / per_second_)));
}

nlohmann::json to_json(const FaultSettings& s) {
  return {{"error_5xx", s.error_5xx},
          {"slow", s.slow},
          {"slow_ms", s.slow_ms},
          {"drop", s.drop},
          {"drop_after_store", s.drop_after_store},
          {"burst_429", s.burst_429},
          {"burst_429_ms", s.burst_429_ms}};
}

void apply_patch(FaultSettings& s, const nlohmann::json& patch) {
  if (!patch.is_object()) throw std::invalid_argument("fault settings must be a JSON object");
  FaultSettings next = s;
  for (const auto& [key, value] : patch.items()) {
    if (!value.is_number()) throw std::invalid_argument(key + " must be a number");
    const double number = value.get<double>();
    auto fraction = [&](double& field) {
      if (number < 0 || number > 1) throw std::invalid_argument(key + " must be in 0..1");
      field = number;
    };
    auto millis = [&](int& field) {
      if (number < 0 || number > 600000) throw std::invalid_argument(key + " must be 0..600000");
      field = static_cast<int>(number);
    };
    if (key == "error_5xx")
      fraction(next.error_5xx);
    else if (key == "slow")
      fraction(next.slow);
    else if (key == "slow_ms")
      millis(next.slow_ms);
    else if (key == "drop")
      fraction(next.drop);
    else if (key == "drop_after_store")
      fraction(next.drop_after_store);
    else if (key == "burst_429")
      fraction(next.burst_429);
    else if (key == "burst_429_ms")
      millis(next.burst_429_ms);
    else if (key == "burst_429_now_ms")
      continue;  // an action, not a setting (Faults::update)
    else
      throw std::invalid_argument("unknown fault setting " + key);
  }
  s = next;
}

bool Faults::chance(double fraction) {
  return fraction > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < fraction;
}

Faults::Decision Faults::before_request() {
  std::lock_guard lock(mutex_);
  Decision d;
  const auto now = std::chrono::steady_clock::now();
  if (chance(settings_.burst_429)) {
    burst_until_ = std::max(burst_until_, now + std::chrono::milliseconds(settings_.burst_429_ms));
    ++injected_["burst_429_started"];
  }
  if (now < burst_until_) {
    d.status = 429;
    const double left = std::chrono::duration<double>(burst_until_ - now).count();
    d.retry_after = std::max(1, static_cast<int>(std::ceil(left)));
    ++injected_["429"];
    return d;
  }
  if (chance(settings_.drop)) {
    d.drop = true;
    ++injected_["drop"];
    return d;
  }
  if (chance(settings_.error_5xx)) {
    static constexpr int kStatuses[] = {500, 502, 503};
    d.status = kStatuses[std::uniform_int_distribution<int>(0, 2)(random_)];
    ++injected_[std::to_string(d.status)];
  }
  if (settings_.slow_ms > 0 && chance(settings_.slow)) {
    d.delay = std::chrono::milliseconds(settings_.slow_ms);
    ++injected_["slow"];
  }
  return d;
}

bool Faults::drop_after_store() {
  std::lock_guard lock(mutex_);
  if (!chance(settings_.drop_after_store)) return false;
  ++injected_["drop_after_store"];
  return true;
}

void Faults::start_burst(std::chrono::milliseconds length) {
  std::lock_guard lock(mutex_);
  burst_until_ = std::chrono::steady_clock::now() + length;
  ++injected_["burst_429_started"];
}

FaultSettings Faults::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void Faults::update(const nlohmann::json& patch) {
  {
    std::lock_guard lock(mutex_);
    apply_patch(settings_, patch);
  }
  if (patch.contains("burst_429_now_ms")) {
    const int ms = patch.at("burst_429_now_ms").get<int>();
    if (ms > 0) start_burst(std::chrono::milliseconds(ms));
  }
}

nlohmann::json Faults::counters() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, count] : injected_) out[name] = count;
  return out;
}

void RequestCounters::count(int status, const std::string& detail) {
  std::lock_guard lock(mutex_);
  ++total_;
  ++by_status_[std::to_string(status)];
  if (!detail.empty()) ++details_[detail];
}

nlohmann::json RequestCounters::to_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, count] : by_status_) by_status[status] = count;
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [name, count] : details_) details[name] = count;
  auto status_count = [&](const char* s) {
    const auto it = by_status_.find(s);
    return it == by_status_.end() ? std::int64_t{0} : it->second;
  };
  return {{"total", total_},
          {"by_status", by_status},
          {"unauthorized_401", status_count("401")},
          {"rate_limited_429", status_count("429")},
          {"details", details}};
}

}  // namespace appealhub::sim
