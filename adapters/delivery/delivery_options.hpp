#pragma once
// The delivery of answers (storage/reply_ledger.hpp, adapters/delivery/): which channels' reply
// queues are taken into the ledger, how each channel's sender works, and how failed deliveries
// are retried, with their one set of defaults. Plain data on the standard library alone: config/
// reads the "delivery" section straight into it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/setting_problem.hpp"
#include "storage/delivery_policy.hpp"

namespace appealhub::adapters::delivery {

// One channel's reply queue into the ledger (reply_intake.hpp).
struct ReplyIntakeOptions {
  std::string channel;           // the queue is adapter.<channel>.reply
  std::uint16_t prefetch = 200;  // unacknowledged reply.requested per channel consumer
  std::size_t batch_size = 100;
  std::chrono::milliseconds batch_wait{20};
};

// One channel's sender loop (delivery_loop.hpp).
struct DeliveryLoopOptions {
  std::string channel;
  int batch_size = 20;                           // replies a sender claims at once
  std::chrono::milliseconds poll_interval{500};  // how often it looks for due replies when idle
};

struct DeliveryOptions {
  std::string channels = "mailbox,petition,operator,hotline12328";  // comma-separated channel ids
  storage::DeliveryPolicy policy;
  ReplyIntakeOptions intake;  // each channel's, with its channel set
  DeliveryLoopOptions sender;
};

inline core::SettingProblems validate(const DeliveryOptions& o) {
  core::SettingProblems problems;
  if (o.policy.backoff_max < o.policy.backoff_min) {
    problems.push_back({"backoff_max_ms", "must not be below backoff_min_ms"});
  }
  return problems;
}

}  // namespace appealhub::adapters::delivery
