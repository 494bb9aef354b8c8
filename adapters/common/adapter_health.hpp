#pragma once
// An adapter's health: counters, last success, last error and lag, kept in process (Prometheus
// text for /metrics) and written to the adapter_status table (migration 0004) so that the gateway
// of any process can show every adapter's state.
//
// Lag is the time since the adapter last reached the end of its channel's feed: 0 right after a
// complete pass, growing while the channel cannot be read.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <string>

#include "core/metrics.hpp"

namespace appealhub::adapters {

class AdapterHealth {
 public:
  using Clock = std::chrono::system_clock;

  struct Snapshot {
    std::string adapter;
    std::map<std::string, std::uint64_t> counters;
    std::optional<Clock::time_point> last_success, last_error_at, caught_up_at;
    std::string last_error;
    double lag_seconds = 0;
  };

  // `adapter`: "mailbox", "petition", "petition_webhook". Registers itself for
  // adapter_metrics() until destroyed.
  explicit AdapterHealth(std::string adapter);
  ~AdapterHealth();
  AdapterHealth(const AdapterHealth&) = delete;
  AdapterHealth& operator=(const AdapterHealth&) = delete;

  const std::string& adapter() const { return adapter_; }
  void add(const std::string& counter, std::uint64_t n = 1);
  std::uint64_t count(const std::string& counter) const;
  // A pass (or a request) went through; `caught_up`: it reached the end of the feed.
  void success(bool caught_up);
  // Nothing was waiting (a sender with an empty queue), without claiming anything went through.
  void caught_up();
  // `error` is shown to people: what failed and where, never a secret.
  void failure(const std::string& error);
  Snapshot snapshot() const;

  // Upserts this adapter's row of adapter_status. Throws on database errors.
  void store(pqxx::connection& connection) const;

 private:
  std::string adapter_;
  Clock::time_point started_;
  mutable std::mutex mutex_;
  Snapshot state_;
};

// The figures of every AdapterHealth alive in this process for /metrics:
// appealhub_adapter_<counter>_total, appealhub_adapter_lag_seconds,
// appealhub_adapter_last_success_timestamp_seconds, each labelled {adapter="…"}.
void adapter_metrics(core::MetricsText& out);

}  // namespace appealhub::adapters
