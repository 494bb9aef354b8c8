#pragma once
// The provincial online-petition platform (网络理政), server side of
// docs/channels/online-petition-api.md: HMAC-SHA256 signed requests (300 s clock window,
// 15-minute nonce memory), messages paged by updated_since with page tokens bound to their query,
// replies idempotent on request_id, 20 requests a second per app, and signed webhooks pushed at
// least once (sometimes twice, sometimes out of order), retried on anything but 200.

#include <cstdint>
#include <memory>
#include <string>

#include "http/message.hpp"
#include "sim/sim_host.hpp"

namespace appealhub::sim {

struct PetitionOptions {
  std::string app_id;
  std::string secret;  // app_secret: signs both directions; never logged
  std::uint64_t seed = 1;
  double rate_limit = 20;  // requests a second per app
  int timestamp_window_s = 300;
  int nonce_memory_s = 900;
  // What happens to messages over time.
  double follow_up_fraction = 0.3;  // messages that get a follow-up (追问)
  double rating_fraction = 0.6;     // answered messages the citizen rates
  double withdraw_fraction = 0.05;
  double reassign_fraction = 0.05;  // moved to another unit before an answer
  double life_seconds = 30;
  // Webhooks; none are pushed when the URL is empty.
  std::string webhook_url;
  double webhook_duplicate_fraction = 0.1;  // delivered events pushed a second time
  double webhook_reorder_fraction = 0.1;    // events held back so that later ones overtake them
  int webhook_retry_initial_ms = 500;
  int webhook_retry_max_ms = 60000;
  double webhook_retry_for_s = 86400;  // the document: retried for 24 hours
  int webhook_timeout_ms = 5000;
  std::int64_t first_number = 8001;
};

std::unique_ptr<Simulation> make_petition_simulation(const PetitionOptions& options);

// The signature of a request as the document defines it (both directions):
// hex(HMAC-SHA256(secret, METHOD \n PATH_AND_QUERY \n timestamp \n nonce \n hex(SHA256(body)))).
std::string petition_signature(const std::string& secret, const std::string& method,
                               const std::string& path_and_query, const std::string& timestamp,
                               const std::string& nonce, const std::string& body);

}  // namespace appealhub::sim
