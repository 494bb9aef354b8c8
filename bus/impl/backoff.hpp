// Jittered exponential backoff between reconnect attempts.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace appealhub::bus::impl {

// Attempt n waits a uniformly random time in [d/2, d] where d = min(max, min * 2^n): spread out so
// that many clients dropped together do not reconnect together.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(std::max<std::int64_t>(1, min.count())),
        max_(std::max<std::int64_t>(min_, max.count())),
        rng_(std::random_device{}()) {}

  std::chrono::milliseconds next() {
    std::int64_t d = min_;
    for (int i = 0; i < attempt_ && d < max_; ++i) d *= 2;
    d = std::min(d, max_);
    if (attempt_ < 62) ++attempt_;
    std::uniform_int_distribution<std::int64_t> jitter(d / 2, d);
    return std::chrono::milliseconds(jitter(rng_));
  }

  void reset() { attempt_ = 0; }

 private:
  std::int64_t min_, max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace appealhub::bus::impl
