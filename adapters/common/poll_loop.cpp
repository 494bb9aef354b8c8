#include "adapters/common/poll_loop.hpp"

#include <algorithm>
#include <thread>

#include "adapters/common/channel_api.hpp"
#include "core/backoff.hpp"
#include "core/log.hpp"
#include "storage/database.hpp"

namespace appealhub::adapters {

void run_polls(const std::atomic<bool>& stop, const char* part, const PollSchedule& schedule,
               AdapterHealth& health, const std::function<bool()>& pass,
               const std::function<void()>& idle, const std::function<void()>& report) {
  core::Backoff backoff(schedule.backoff_min, schedule.backoff_max);
  while (!stop.load()) {
    auto delay = schedule.interval;
    bool active = true;
    try {
      active = pass();
      backoff.reset();
    } catch (const ChannelApiError& e) {
      health.failure(e.what());
      switch (e.failure()) {
        case ApiFailure::rate_limited:
          health.add("rate_limited");
          delay = e.retry_after() ? std::chrono::milliseconds(*e.retry_after()) : backoff.next();
          break;
        case ApiFailure::transient:
          delay = e.retry_after()
                      ? std::max<std::chrono::milliseconds>(*e.retry_after(), backoff.next())
                      : backoff.next();
          break;
        default:
          // Wrong credentials or requests do not heal by themselves: retry slowly.
          delay = std::max(schedule.backoff_max, schedule.interval);
          break;
      }
      core::log_warn(part, "poll failed",
                     {{"failure", std::string(to_string(e.failure()))},
                      {"error", e.what()},
                      {"retry_in_ms", std::to_string(delay.count())}});
    } catch (const std::exception& e) {
      health.failure(e.what());
      delay = backoff.next();
      if (storage::is_connection_failure(e)) delay = std::min(delay, schedule.database_retry_max);
      core::log_warn(part, "poll failed",
                     {{"error", e.what()}, {"retry_in_ms", std::to_string(delay.count())}});
    }
    if (active) {
      try {
        report();
      } catch (const std::exception& e) {
        core::log_warn(part, "cannot store the adapter status", {{"error", e.what()}});
      }
    }
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      try {
        idle();
      } catch (const std::exception& e) {
        core::log_warn(part, "idle work failed", {{"error", e.what()}});
      }
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(200), until - std::chrono::steady_clock::now()));
    }
  }
}

}  // namespace appealhub::adapters
