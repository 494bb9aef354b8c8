#pragma once
// The schedule every channel poller keeps: a pass every interval; after a failure, exponential
// backoff with jitter (5xx, timeouts, resets, a broker that is down; a database that is down
// too, but capped at database_retry_max); after a 429,
// the peer's Retry-After. Credentials or requests the peer refuses (401, 400) are errors for a
// person: retried at the backoff's ceiling pace, and logged every time.

#include <atomic>
#include <chrono>
#include <functional>

#include "adapters/common/adapter_health.hpp"

namespace appealhub::adapters {

struct PollSchedule {
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{300000};
  // The database (or a commit in doubt) is not the channel: it is retried at most this far apart,
  // so a poller is back within seconds of the database's return, whatever the outage's length.
  std::chrono::milliseconds database_retry_max{2000};
};

// Runs until `stop`. `pass` does one pass and returns true when this process is the active poller
// (it holds the lease); failures are recorded in `health`. `idle` runs every 200 ms between
// passes (heartbeats); `report` after every pass of the active poller (it writes the health
// row; its own failures are logged, not fatal). `part` names the adapter in logs.
void run_polls(const std::atomic<bool>& stop, const char* part, const PollSchedule& schedule,
               AdapterHealth& health, const std::function<bool()>& pass,
               const std::function<void()>& idle, const std::function<void()>& report);

}  // namespace appealhub::adapters
