#pragma once
// A long-running loop's pause between passes (or before a retry) that a shutdown cuts short.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace appealhub::core {

// Waits `duration`, or less once `stop` is set (looked at every 20 ms).
inline void pause_unless_stopped(const std::atomic<bool>& stop,
                                 std::chrono::steady_clock::duration duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
}

}  // namespace appealhub::core
