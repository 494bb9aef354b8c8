#pragma once
// The online-petition platform's webhooks (POST, signed like API requests), for the gateway to
// mount at /webhooks/petition.
//
// Contract (docs/channels/online-petition-api.md, "Webhooks"):
// - 401 {"code": "bad_signature" | "stale_timestamp" | "replayed_nonce"} when a check fails, and
//   then nothing is taken in and the nonce is not recorded.
// - A nonce is recorded (WebhookIntake) only for a request that is otherwise valid, together with
//   taking its events in: seen twice within 15 minutes → replayed_nonce. Nonces live in
//   PostgreSQL (channel_nonces), so every gateway process shares them.
// - 200 {"status": "taken"} only after the broker confirmed every event of the message; 503
//   {"code": "unavailable"} when it did not (the platform retries; the nonce was not kept).
// - 400 {"code": "invalid"} for a signed body that is not a webhook with a message.
// - The events are those of the message's whole state (message.hpp), with the poller's event
//   ids: a webhook and a poll bringing the same change are applied once.
// handle() may be called from several threads; requests are taken in one at a time.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/common/adapter_health.hpp"
#include "bus/broker_config.hpp"
#include "core/event.hpp"
#include "http/message.hpp"
#include "storage/database.hpp"

namespace appealhub::adapters::petition {

enum class Intake { taken, replayed_nonce, unavailable };

// Where a verified webhook goes: records its nonce and publishes its events, both or neither.
class WebhookIntake {
 public:
  virtual ~WebhookIntake() = default;
  // `problem` says why when the answer is unavailable.
  virtual Intake take(const std::string& nonce, const std::vector<core::Event>& events,
                      std::string& problem) = 0;
};

// Nonces in PostgreSQL (channel_nonces, kept `nonce_memory`), events on the bus with confirms.
// The nonce row is inserted in a transaction that commits only after the broker confirmed the
// events, so a concurrent replay waits for it and is then refused.
std::unique_ptr<WebhookIntake> make_webhook_intake(bus::BrokerConfig broker,
                                                   storage::DatabaseConfig database,
                                                   std::chrono::minutes nonce_memory,
                                                   std::chrono::milliseconds confirm_timeout);

struct PetitionWebhookOptions {
  std::string app_id;
  std::string secret;  // never logged
  std::chrono::seconds window{300};
  std::function<std::chrono::system_clock::time_point()> clock;  // system clock when empty
};

class PetitionWebhook {
 public:
  PetitionWebhook(PetitionWebhookOptions options, std::unique_ptr<WebhookIntake> intake);
  ~PetitionWebhook();

  http::Response handle(const http::Request& request);
  AdapterHealth& health() { return health_; }

 private:
  PetitionWebhookOptions options_;
  std::unique_ptr<WebhookIntake> intake_;
  std::mutex mutex_;
  AdapterHealth health_{"petition_webhook"};
};

}  // namespace appealhub::adapters::petition
