#include "adapters/petition/webhook.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "adapters/common/intake_publisher.hpp"
#include "adapters/petition/message.hpp"
#include "adapters/petition/signing.hpp"
#include "core/json_input.hpp"
#include "core/log.hpp"
#include "storage/channel_cursors.hpp"

namespace appealhub::adapters::petition {
namespace {

http::Response answer(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.set_header("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

http::Response refusal(int status, std::string_view code, std::string_view message) {
  return answer(status, {{"code", code}, {"message", message}});
}

class DatabaseWebhookIntake final : public WebhookIntake {
 public:
  DatabaseWebhookIntake(bus::BrokerConfig broker, storage::DatabaseConfig database,
                        std::chrono::minutes nonce_memory,
                        std::chrono::milliseconds confirm_timeout)
      : publisher_(std::move(broker)),
        connection_(std::move(database)),
        nonce_memory_(nonce_memory),
        confirm_timeout_(confirm_timeout) {}

  Intake take(const std::string& nonce, const std::vector<core::Event>& events,
              std::string& problem) override {
    try {
      return take_once(nonce, events, problem);
    } catch (const std::exception& e) {
      // Whatever broke, a connection left broken is not used again (the platform retries).
      problem = connection_.drop_if_broken(e) ? std::string("database: ") + e.what() : e.what();
    }
    return Intake::unavailable;
  }

 private:
  Intake take_once(const std::string& nonce, const std::vector<core::Event>& events,
                   std::string& problem) {
    auto& connection = connection_.get();
    if (++takes_ % 100 == 1) {
      pqxx::work prune(connection);
      storage::prune_nonces(prune, std::string(kChannel), nonce_memory_);
      prune.commit();
    }
    pqxx::work txn(connection);
    // A row older than the memory is a nonce that may be used again: replace it.
    if (!storage::remember_nonce(txn, std::string(kChannel), nonce, nonce_memory_)) {
      return Intake::replayed_nonce;
    }
    const auto report = publisher_.publish_all(events, confirm_timeout_);
    if (!report.all_confirmed) {
      problem = report.problem;
      return Intake::unavailable;  // the transaction rolls back: the nonce is not kept
    }
    txn.commit();
    return Intake::taken;
  }

  IntakePublisher publisher_;
  storage::KeptConnection connection_;
  std::chrono::minutes nonce_memory_;
  std::chrono::milliseconds confirm_timeout_;
  std::uint64_t takes_ = 0;
};

}  // namespace

std::unique_ptr<WebhookIntake> make_webhook_intake(bus::BrokerConfig broker,
                                                   storage::DatabaseConfig database,
                                                   std::chrono::minutes nonce_memory,
                                                   std::chrono::milliseconds confirm_timeout) {
  return std::make_unique<DatabaseWebhookIntake>(std::move(broker), std::move(database),
                                                 nonce_memory, confirm_timeout);
}

PetitionWebhook::PetitionWebhook(PetitionWebhookOptions options,
                                 std::unique_ptr<WebhookIntake> intake)
    : options_(std::move(options)), intake_(std::move(intake)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

PetitionWebhook::~PetitionWebhook() = default;

http::Response PetitionWebhook::handle(const http::Request& request) {
  if (request.method != "POST") {
    auto r = refusal(405, "method_not_allowed", "webhooks are POSTed");
    r.set_header("Allow", "POST");
    return r;
  }
  const auto check =
      check_signature(request, options_.app_id, options_.secret, options_.clock(), options_.window);
  if (check != SignatureCheck::ok) {
    health_.add(std::string("refused_") + std::string(to_string(check)));
    core::log_warn("petition", "webhook refused",
                   {{"code", std::string(to_string(check))}, {"remote", request.remote_address}});
    return refusal(401, to_string(check), "the request's signature does not hold");
  }
  const auto body = core::parse_json_bounded(request.body);
  if (!body.is_object() || !body.contains("message") || !body["message"].is_object()) {
    health_.add("refused_invalid");
    return refusal(400, "invalid", "the body is not a webhook event with a message");
  }
  auto read = message_to_events(body["message"]);
  if (!read.refused.empty()) {
    health_.add("refused_invalid");
    health_.failure(read.refused);
    core::log_warn("petition", "webhook message refused",
                   {{"message", read.msg_id}, {"reason", read.refused}});
    return refusal(400, "invalid", read.refused);
  }
  for (const auto& problem : read.problems) {
    core::log_warn("petition", "part of a message left out",
                   {{"message", read.msg_id}, {"reason", problem}});
  }
  const std::string nonce = *request.header("X-Nonce");
  std::string problem;
  Intake outcome;
  {
    const std::lock_guard lock(mutex_);
    outcome = intake_->take(nonce, read.events, problem);
  }
  switch (outcome) {
    case Intake::replayed_nonce:
      health_.add("refused_replayed_nonce");
      core::log_warn("petition", "webhook refused",
                     {{"code", "replayed_nonce"}, {"remote", request.remote_address}});
      return refusal(401, "replayed_nonce", "this nonce was seen in the last 15 minutes");
    case Intake::unavailable:
      health_.failure("webhook: " + problem);
      core::log_warn("petition", "webhook not taken in", {{"error", problem}});
      return refusal(503, "unavailable", "not taken in; retry later");
    case Intake::taken:
      break;
  }
  health_.add("taken");
  health_.add("events", read.events.size());
  health_.success(false);
  // Counted by type; names the document does not list are counted together.
  std::string type =
      body.contains("type") && body["type"].is_string() ? body["type"].get<std::string>() : "";
  if (type != "message.assigned" && type != "message.follow_up" && type != "message.rated" &&
      type != "message.withdrawn" && type != "message.reassigned") {
    type = "other";
  }
  health_.add("type_" + type);
  return answer(200, {{"status", "taken"}, {"events", read.events.size()}});
}

}  // namespace appealhub::adapters::petition
