#include "core/backoff.hpp"

#include <algorithm>
#include <cstdint>
#include <random>

namespace appealhub::core {

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds min,
                                        std::chrono::milliseconds max, int attempt) {
  const std::int64_t low = std::max<std::int64_t>(min.count(), 1);
  const std::int64_t high = std::max<std::int64_t>(max.count(), low);
  // Past 2^30 every ceiling is max anyway; the shift must not overflow.
  const int doublings = std::clamp(attempt, 0, 30);
  const std::int64_t ceiling = std::min(high, low << doublings);
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> pick(ceiling / 2, ceiling);
  return std::chrono::milliseconds(pick(random));
}

}  // namespace appealhub::core
