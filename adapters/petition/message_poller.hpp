#pragma once
// The online-petition platform into the bus: polls messages changed since the stored position and
// publishes their events on `intake.petition`.
//
// Contract: the position (channel_cursors petition/updated_since) is the newest updated_at of the
// messages whose events the broker confirmed, stored after each confirmed page; each pass queries
// from that position minus a safe overlap (default 5 minutes: clocks drift, and changes can land
// with an updated_at a little in the past), inclusive, and follows page tokens to the end. Every
// fact has a deterministic event id, so what the overlap brings again, what a webhook brought
// before, and what a crash (SIGKILL included) leaves unconfirmed is applied once by intake. One
// process polls at a time (ChannelLease "appealhub.poller.petition"). 429 waits for Retry-After;
// 5xx, timeouts and resets back off exponentially with jitter; 401 is logged as an error every
// time (signing or clock problem).

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "adapters/common/adapter_health.hpp"
#include "adapters/common/poll_loop.hpp"
#include "adapters/petition/petition_options.hpp"
#include "bus/broker_config.hpp"
#include "http/client.hpp"
#include "storage/database.hpp"

namespace appealhub::adapters::petition {

struct PetitionPollerOptions {
  PetitionOptions api;  // the "petition" section: where, how often, from when
  std::string secret;   // from the environment; never logged
  std::chrono::milliseconds confirm_timeout{30000};
};

class PetitionPoller {
 public:
  // Throws std::invalid_argument for a bad base URL, CA file or initial_updated_since.
  PetitionPoller(PetitionPollerOptions options, bus::BrokerConfig broker,
                 storage::DatabaseConfig database);
  ~PetitionPoller();

  // One pass if this process holds the lease (false otherwise). Throws ChannelApiError, and
  // database and broker errors.
  bool run_once(const std::atomic<bool>* stop = nullptr);
  void run(const std::atomic<bool>& stop);
  AdapterHealth& health();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace appealhub::adapters::petition
