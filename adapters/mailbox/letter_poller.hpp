#pragma once
// The leader mailbox into the bus: pages letters and ratings with their cursors and publishes
// their events on `intake.mailbox`.
//
// Contract: a page's events are published with confirms, and its next cursor is stored
// (channel_cursors: mailbox/letters, mailbox/ratings) only when the broker confirmed every one of
// them, so a crash at any instant (SIGKILL included) reads the page again later, with the same
// event ids, which intake de-duplicates. Letters the format cannot take even after setting
// unusable fields aside are counted (letters_refused), logged with their id and skipped. One
// process at a time polls (ChannelLease "appealhub.poller.mailbox"); the others wait their turn.
// 429 waits for Retry-After; 5xx, timeouts, resets and an unreachable database or broker back off
// exponentially with jitter (PollSchedule).

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "adapters/common/adapter_health.hpp"
#include "adapters/common/poll_loop.hpp"
#include "adapters/mailbox/mailbox_options.hpp"
#include "bus/broker_config.hpp"
#include "http/client.hpp"
#include "storage/database.hpp"

namespace appealhub::adapters::mailbox {

struct MailboxPollerOptions {
  MailboxOptions api;  // the "mailbox" section: where, how often, how patiently
  std::string token;   // the bearer token (from the environment; never logged)
  std::chrono::milliseconds confirm_timeout{30000};
};

class MailboxPoller {
 public:
  // Throws std::invalid_argument for a bad base URL or CA file.
  MailboxPoller(MailboxPollerOptions options, bus::BrokerConfig broker,
                storage::DatabaseConfig database);
  ~MailboxPoller();

  // One pass if this process holds the lease: letters, then ratings, page by page to the end of
  // each feed (or until `stop`). False when another process holds the lease. Throws
  // ChannelApiError for the channel's failures, and pqxx / runtime errors for the database and
  // the broker.
  bool run_once(const std::atomic<bool>* stop = nullptr);
  // Passes on the schedule until `stop`, writing adapter_status after each.
  void run(const std::atomic<bool>& stop);
  AdapterHealth& health();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace appealhub::adapters::mailbox
