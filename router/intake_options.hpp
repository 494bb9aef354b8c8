#pragma once
// The intake consumer's options (router/intake_consumer.hpp), with their one set of defaults.
// Plain data on the standard library alone: config/ reads the "intake" section straight into it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace appealhub::router {

struct IntakeOptions {
  // Competing consumers one process runs (app/parts.cpp), each with its own transactions.
  int consumers = 3;
  std::string queue = "router.intake";
  std::uint16_t prefetch = 2000;  // unacknowledged deliveries the broker may push to one consumer
  std::size_t batch_size = 500;   // appeals per database transaction
  std::chrono::milliseconds batch_wait{20};  // how long a partial batch waits for more
  std::size_t max_attempts = 3;  // attempts (through the retry queues) before dead-lettering
  std::size_t max_body_bytes = 1 << 20;
};

}  // namespace appealhub::router
