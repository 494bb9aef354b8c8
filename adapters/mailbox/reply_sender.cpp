#include "adapters/mailbox/reply_sender.hpp"

#include <nlohmann/json.hpp>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "http/url.hpp"

namespace appealhub::adapters::mailbox {
namespace {

using Outcome = storage::DeliveryAttempt::Outcome;
constexpr std::size_t kMaxContent = 5000;  // the website's limit (characters)

core::Timestamp now_timestamp() {
  return core::Timestamp{
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())};
}

}  // namespace

std::string reply_body(const core::ReplyRequested& r) {
  return nlohmann::json{{"content", r.content},
                        {"department", r.department},
                        {"replied_at", core::format_rfc3339(r.answered_at)},
                        {"publish", r.publish}}
      .dump();
}

MailboxReplySender::MailboxReplySender(http::ClientOptions options, std::string token)
    : client_(std::move(options)), token_(std::move(token)) {}

storage::DeliveryAttempt MailboxReplySender::send(const core::ReplyRequested& reply) {
  if (auto unsent = delivery::settled_unsent(reply, kMaxContent, "the mailbox")) return *unsent;
  auto posted = delivery::timed_post(
      client_, "/api/v1/letters/" + http::percent_encode(reply.external_id) + "/reply",
      reply_body(reply),
      {{"Authorization", "Bearer " + token_},
       {"Idempotency-Key", reply.reply_id},
       {"Content-Type", "application/json"}});
  if (!posted.response) return posted.attempt;
  auto& a = posted.attempt;
  const auto& response = *posted.response;
  const int s = response.status;
  const std::string answer =
      "the mailbox answered " + std::to_string(s) + (a.code.empty() ? "" : " " + a.code);
  if (delivery::settle_common_answer(a, response, answer)) return a;
  if (s == 410) {
    a.outcome = Outcome::failed;
    a.reason = answer + ": the citizen withdrew the letter";
    core::AppealWithdrawn w;
    w.channel = "mailbox";
    w.external_id = reply.external_id;
    w.reason = "the website refused the reply: the letter was withdrawn";
    w.at = now_timestamp();
    core::Event e;
    e.event_id = core::make_event_id("appeal.withdrawn", "mailbox", reply.external_id, "");
    e.occurred_at = w.at;
    e.producer = "adapter.mailbox";
    e.body = w;
    a.channel_news.push_back(std::move(e));
  } else if (s == 409 || s == 404 || s == 422) {
    a.outcome = Outcome::failed;
    a.reason = answer + (s == 409   ? ": the letter already has a reply under another key"
                         : s == 404 ? ": no such letter"
                                    : ": the website refused the reply as invalid");
  } else if (s == 401 || s == 403) {
    a.outcome = Outcome::retry;
    a.reason = answer + ": the token is refused";
    a.alarm = true;
    ++unauthorized_total_;
    core::log_error("delivery.mailbox", "the website refuses our token; replies wait",
                    {{"status", std::to_string(s)},
                     {"unauthorized_total", std::to_string(unauthorized_total_.load())}});
  } else {
    // Not in the document (400 would be our bug): kept for a person rather than retried blind.
    a.outcome = Outcome::failed;
    a.reason = answer + ": an answer the mailbox's document does not list";
  }
  return a;
}

}  // namespace appealhub::adapters::mailbox
