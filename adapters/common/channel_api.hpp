#pragma once
// How a channel's HTTP API answered, as the pollers act on it: go on, wait as told (429), back
// off and retry (5xx, timeouts, resets), or stop and tell a person (401, 400, a body that is not
// the documented shape).

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "adapters/common/channel_api_options.hpp"
#include "adapters/common/poll_loop.hpp"
#include "http/client.hpp"
#include "http/message.hpp"

namespace appealhub::adapters {

enum class ApiFailure {
  rate_limited,  // 429: wait retry_after
  transient,     // 5xx, timeouts, resets, refused connections: back off and retry
  unauthorized,  // 401: credentials or signing are wrong; retried slowly, an alarm
  refused,       // another 4xx: the request is wrong; retried slowly, an alarm
  malformed,     // 2xx with a body that is not the documented shape
};

std::string_view to_string(ApiFailure failure);

class ChannelApiError : public std::runtime_error {
 public:
  ChannelApiError(ApiFailure failure, const std::string& what,
                  std::optional<std::chrono::seconds> retry_after = std::nullopt)
      : std::runtime_error(what), failure_(failure), retry_after_(retry_after) {}
  ApiFailure failure() const noexcept { return failure_; }
  // For rate_limited (and 503 with Retry-After): how long the peer asked us to wait.
  std::optional<std::chrono::seconds> retry_after() const noexcept { return retry_after_; }

 private:
  ApiFailure failure_;
  std::optional<std::chrono::seconds> retry_after_;
};

// Retry-After as delta seconds ("120"); an HTTP date or garbage gives nullopt.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

// Throws ChannelApiError unless `response` is 2xx. `what` names the request ("GET /api/v1/
// letters"); the error text carries the status and the peer's error code, never its whole body.
void expect_success(const http::Response& response, const std::string& what);

// Runs `call`, turning http::TransportError into ChannelApiError(transient).
template <class Call>
auto over_transport(Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const http::TransportError& e) {
    throw ChannelApiError(ApiFailure::transient,
                          std::string(http::to_string(e.failure())) + ": " + e.what());
  }
}

// The HTTP client's options and the poll schedule of a channel's configured API options.
http::ClientOptions client_options(const ChannelApiOptions& api, std::string user_agent);
PollSchedule poll_schedule(const ChannelApiOptions& api, std::chrono::milliseconds interval);

}  // namespace appealhub::adapters
