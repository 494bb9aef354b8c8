#pragma once
// Exponential backoff with full jitter, for retrying an unwell peer without the adapters of many
// processes hitting it in step: the n-th delay is uniform in [min, min(max, min * 2^n)].

#include <chrono>
#include <random>

namespace appealhub::adapters {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max);
  // The delay before the next attempt; each call doubles the ceiling up to max.
  std::chrono::milliseconds next();
  // After a success: the next failure starts from min again.
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds min_, max_;
  int failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace appealhub::adapters
