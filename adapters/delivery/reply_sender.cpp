#include "adapters/delivery/reply_sender.hpp"

#include <nlohmann/json.hpp>

#include "adapters/common/channel_api.hpp"
#include "core/text.hpp"

namespace appealhub::adapters::delivery {

std::string excerpt_of(const std::string& body, std::size_t limit) {
  return core::utf8_prefix(body, limit);
}

storage::DeliveryAttempt transport_failure(const http::TransportError& error) {
  storage::DeliveryAttempt a;
  a.outcome = storage::DeliveryAttempt::Outcome::retry;
  a.code = std::string(http::to_string(error.failure()));
  a.reason = a.code + ": " + error.what();
  return a;
}

std::string error_code_of(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return "";
  for (const char* key : {"error", "code"}) {
    if (json.contains(key) && json[key].is_string()) return json[key].get<std::string>();
  }
  return "";
}

Posted timed_post(http::Client& client, const std::string& target, std::string body,
                  http::Headers headers) {
  Posted p;
  const auto started = std::chrono::steady_clock::now();
  p.attempt.started_at = std::chrono::system_clock::now();
  try {
    p.response = client.post(target, std::move(body), std::move(headers));
  } catch (const http::TransportError& e) {
    const auto started_at = p.attempt.started_at;
    p.attempt = transport_failure(e);
    p.attempt.started_at = started_at;
  }
  p.attempt.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (p.response) {
    p.attempt.status_code = p.response->status;
    p.attempt.excerpt = excerpt_of(p.response->body);
    p.attempt.code = error_code_of(p.response->body);
  }
  return p;
}

bool settle_common_answer(storage::DeliveryAttempt& a, const http::Response& response,
                          const std::string& answer) {
  const int s = response.status;
  if (s == 200 || s == 201) {
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_object() && json.contains("reply_id") && json["reply_id"].is_string()) {
      a.channel_reply_id = json["reply_id"].get<std::string>();
    }
    a.outcome = storage::DeliveryAttempt::Outcome::delivered;
    return true;
  }
  if (s == 429 || s >= 500) {
    a.outcome = storage::DeliveryAttempt::Outcome::retry;
    a.retry_after = parse_retry_after(response.header("Retry-After").value_or(""));
    a.throttled = s == 429;
    a.reason = answer;
    return true;
  }
  return false;
}

storage::DeliveryAttempt not_applicable(const core::ReplyRequested& reply) {
  storage::DeliveryAttempt a;
  a.outcome = storage::DeliveryAttempt::Outcome::delivered;
  a.code = "not_applicable";
  a.excerpt = "the " + reply.channel + " channel takes no " +
              std::string(core::to_string(reply.type)) + "; nothing sent";
  a.duration = std::chrono::milliseconds(0);
  return a;
}

std::optional<storage::DeliveryAttempt> settled_unsent(const core::ReplyRequested& reply,
                                                       std::size_t max_characters,
                                                       std::string_view channel_name) {
  if (reply.type != core::ReplyType::final_answer && reply.type != core::ReplyType::interim) {
    return not_applicable(reply);
  }
  if (core::utf8_length(reply.content).value_or(max_characters + 1) <= max_characters) {
    return std::nullopt;
  }
  storage::DeliveryAttempt a;
  a.outcome = storage::DeliveryAttempt::Outcome::failed;
  a.code = "too_long";
  a.reason = std::string(channel_name) + " takes at most " + std::to_string(max_characters) +
             " characters; not sent";
  return a;
}

}  // namespace appealhub::adapters::delivery
