#pragma once
// The outbox relay's options (storage/outbox.hpp), with their one set of defaults. Plain data on
// the standard library alone: config/ reads the "outbox" section straight into it.

#include <chrono>
#include <cstddef>

namespace appealhub::storage {

struct OutboxRelayOptions {
  std::size_t batch_size = 500;
  std::chrono::milliseconds poll_interval{1000};  // fallback when no NOTIFY arrives
  std::chrono::milliseconds retry_delay{5000};    // after the broker refused a message
  // Sent rows (full ticket snapshots, personal data) older than this are deleted.
  std::chrono::hours retention{24 * 7};
  std::chrono::minutes prune_interval{60};
};

}  // namespace appealhub::storage
