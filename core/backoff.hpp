#pragma once
// Exponential backoff with jitter, the one formula of the hub (reconnects to the broker, channel
// pollers, answer retries, the intake's database retries): attempt n (from 0) waits a uniformly
// random time in [c/2, c], c = min(max, min·2^n), so that many clients that failed together do
// not retry together.

#include <chrono>

namespace appealhub::core {

// The delay before attempt `attempt` (0: the first retry).
std::chrono::milliseconds backoff_delay(std::chrono::milliseconds min,
                                        std::chrono::milliseconds max, int attempt);

// Counts the failures in a row: next() is the delay after one more, reset() after a success.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max) : min_(min), max_(max) {}
  std::chrono::milliseconds next() { return backoff_delay(min_, max_, failures_++); }
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds min_, max_;
  int failures_ = 0;
};

}  // namespace appealhub::core
