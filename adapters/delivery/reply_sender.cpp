#include "adapters/delivery/reply_sender.hpp"

#include <nlohmann/json.hpp>

namespace appealhub::adapters::delivery {

std::string excerpt_of(const std::string& body, std::size_t limit) {
  if (body.size() <= limit) return body;
  std::size_t end = limit;
  // Cut at a character boundary (never inside a UTF-8 sequence).
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
  return body.substr(0, end);
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

storage::DeliveryAttempt not_applicable(const core::ReplyRequested& reply) {
  storage::DeliveryAttempt a;
  a.outcome = storage::DeliveryAttempt::Outcome::delivered;
  a.code = "not_applicable";
  a.excerpt = "the " + reply.channel + " channel takes no " +
              std::string(core::to_string(reply.type)) + "; nothing sent";
  a.duration = std::chrono::milliseconds(0);
  return a;
}

}  // namespace appealhub::adapters::delivery
