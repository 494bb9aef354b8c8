#include "adapters/common/backoff.hpp"

#include <algorithm>

namespace appealhub::adapters {

Backoff::Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
    : min_(std::max(min, std::chrono::milliseconds(1))),
      max_(std::max(max, min_)),
      random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  const int doublings = std::min(failures_, 30);
  ++failures_;
  const auto ceiling = std::min<long long>(max_.count(), min_.count() << doublings);
  std::uniform_int_distribution<long long> pick(min_.count(),
                                                std::max<long long>(ceiling, min_.count()));
  return std::chrono::milliseconds(pick(random_));
}

}  // namespace appealhub::adapters
