#include "adapters/petition/reply_sender.hpp"

#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/common/channel_api.hpp"
#include "adapters/petition/message.hpp"
#include "adapters/petition/signing.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "http/url.hpp"

namespace appealhub::adapters::petition {
namespace {

using Outcome = storage::DeliveryAttempt::Outcome;
constexpr std::size_t kMaxContent = 3000;  // the platform's limit (characters)

}  // namespace

std::string reply_body(const core::ReplyRequested& r) {
  nlohmann::json body{{"request_id", r.reply_id},
                      {"content", r.content},
                      {"handler_unit", r.department},
                      {"handled_at", core::format_rfc3339(r.answered_at)}};
  if (r.reply_to) body["reply_to"] = *r.reply_to;
  return body.dump();
}

PetitionReplySender::PetitionReplySender(http::ClientOptions options, std::string app_id,
                                         std::string secret, Clock clock)
    : client_([&] {
        options.resend_on_stale_connection = false;  // a resent request would reuse its nonce
        return std::move(options);
      }()),
      app_id_(std::move(app_id)),
      secret_(std::move(secret)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })) {}

std::vector<core::Event> PetitionReplySender::state_news(const std::string& msg_id,
                                                         std::string& state) {
  const std::string target = "/open/v2/messages/" + http::percent_encode(msg_id);
  try {
    http::Response response;
    // A few quick tries: the 409 is final, and the state read now spares waiting for the poller.
    for (int attempt = 0; attempt < 4; ++attempt) {
      auto headers =
          signature_headers(app_id_, secret_, "GET", client_.request_target(target), "", clock_());
      try {
        response = client_.get(target, headers);
      } catch (const http::TransportError&) {
        if (attempt == 3) throw;
        response.status = 0;
      }
      if (response.status == 200 || (response.status != 0 && response.status != 429 &&
                                     response.status < 500 && response.status != 401)) {
        break;
      }
      const auto wait = parse_retry_after(response.header("Retry-After").value_or(""));
      std::this_thread::sleep_for(
          wait ? std::min<std::chrono::milliseconds>(*wait, std::chrono::seconds(2))
               : std::chrono::milliseconds(300));
    }
    if (response.status != 200) {
      state = "unknown (GET answered " + std::to_string(response.status) + ")";
      return {};
    }
    const auto message = nlohmann::json::parse(response.body, nullptr, false);
    if (message.is_object() && message.contains("state") && message["state"].is_string()) {
      state = message["state"].get<std::string>();
    }
    std::vector<core::Event> news;
    for (auto& e : message_to_events(message).events) {
      if (e.name() == "appeal.withdrawn" || e.name() == "appeal.reassigned") {
        news.push_back(std::move(e));
      }
    }
    return news;
  } catch (const http::TransportError& e) {
    // The poller brings the state later; the reply's failure stands either way.
    state = std::string("unknown (") + std::string(http::to_string(e.failure())) + ")";
    return {};
  }
}

storage::DeliveryAttempt PetitionReplySender::send(const core::ReplyRequested& reply) {
  if (auto unsent = delivery::settled_unsent(reply, kMaxContent, "the petition platform")) {
    return *unsent;
  }
  const std::string target =
      "/open/v2/messages/" + http::percent_encode(reply.external_id) + "/replies";
  const auto body = reply_body(reply);
  auto headers =
      signature_headers(app_id_, secret_, "POST", client_.request_target(target), body, clock_());
  headers.emplace_back("Content-Type", "application/json");
  auto posted = delivery::timed_post(client_, target, body, std::move(headers));
  if (!posted.response) return posted.attempt;
  auto& a = posted.attempt;
  const auto& response = *posted.response;
  const int s = response.status;
  const std::string answer =
      "the petition platform answered " + std::to_string(s) + (a.code.empty() ? "" : " " + a.code);
  if (delivery::settle_common_answer(a, response, answer)) return a;
  if (s == 409) {
    a.outcome = Outcome::failed;
    std::string state = "unknown";
    a.channel_news = state_news(reply.external_id, state);
    a.reason = answer + ": the message is " + state;
  } else if (s == 422 || s == 404) {
    a.outcome = Outcome::failed;
    a.reason = answer + (s == 404 ? ": no such message" : ": the platform refused the reply");
  } else if (s == 401) {
    a.outcome = Outcome::retry;
    a.reason = answer + ": signing refused";
    a.alarm = true;
    ++unauthorized_total_;
    core::log_error(
        "delivery.petition", "the platform refuses our signature; replies wait",
        {{"code", a.code}, {"unauthorized_total", std::to_string(unauthorized_total_.load())}});
  } else {
    a.outcome = Outcome::failed;
    a.reason = answer + ": an answer the platform's document does not list";
  }
  return a;
}

}  // namespace appealhub::adapters::petition
