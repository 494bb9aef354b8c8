#include "adapters/common/channel_api.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

namespace appealhub::adapters {

std::string_view to_string(ApiFailure failure) {
  switch (failure) {
    case ApiFailure::rate_limited:
      return "rate_limited";
    case ApiFailure::transient:
      return "transient";
    case ApiFailure::unauthorized:
      return "unauthorized";
    case ApiFailure::refused:
      return "refused";
    case ApiFailure::malformed:
      return "malformed";
  }
  return "";
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

void expect_success(const http::Response& response, const std::string& what) {
  if (response.status >= 200 && response.status < 300) return;
  // The channels' error bodies: {"error": "...", "message": ...} or {"code": "...", ...}.
  std::string code;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    for (const char* key : {"error", "code"}) {
      if (body.contains(key) && body[key].is_string()) code = body[key].get<std::string>();
    }
  }
  const std::string text =
      what + ": HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code);
  const auto retry_after = parse_retry_after(response.header("Retry-After").value_or(""));
  if (response.status == 429) throw ChannelApiError(ApiFailure::rate_limited, text, retry_after);
  if (response.status >= 500) throw ChannelApiError(ApiFailure::transient, text, retry_after);
  if (response.status == 401 || response.status == 403) {
    throw ChannelApiError(ApiFailure::unauthorized, text);
  }
  throw ChannelApiError(ApiFailure::refused, text);
}

http::ClientOptions client_options(const ChannelApiOptions& api, std::string user_agent) {
  http::ClientOptions o;
  o.base_url = api.base_url;
  o.ca_file = api.ca_file;
  o.connect_timeout = api.connect_timeout;
  o.request_timeout = api.request_timeout;
  o.user_agent = std::move(user_agent);
  return o;
}

PollSchedule poll_schedule(const ChannelApiOptions& api, std::chrono::milliseconds interval) {
  PollSchedule s;
  s.interval = interval;
  s.backoff_max = api.backoff_max;
  return s;
}

}  // namespace appealhub::adapters
