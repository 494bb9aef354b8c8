#include "core/backoff.hpp"

#include <gtest/gtest.h>

namespace appealhub::core {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, AttemptNWaitsBetweenHalfAndTheWholeCeiling) {
  for (int round = 0; round < 200; ++round) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      const auto ceiling = std::min<long long>(1000LL << attempt, 30000);
      const auto d = backoff_delay(milliseconds(1000), milliseconds(30000), attempt).count();
      EXPECT_GE(d, ceiling / 2) << "attempt " << attempt;
      EXPECT_LE(d, ceiling) << "attempt " << attempt;
    }
  }
}

TEST(Backoff, HugeAttemptsStayAtTheMaximumAndOddBoundsAreMended) {
  EXPECT_LE(backoff_delay(milliseconds(100), milliseconds(5000), 1'000'000), milliseconds(5000));
  EXPECT_GE(backoff_delay(milliseconds(100), milliseconds(5000), 1'000'000), milliseconds(2500));
  EXPECT_LE(backoff_delay(milliseconds(0), milliseconds(0), 3), milliseconds(1));
  // max below min: min is the ceiling.
  EXPECT_LE(backoff_delay(milliseconds(400), milliseconds(10), 5), milliseconds(400));
}

TEST(Backoff, CountsFailuresAndStartsAgainAfterASuccess) {
  Backoff b(milliseconds(100), milliseconds(100000));
  b.next();
  b.next();
  b.next();
  EXPECT_EQ(b.failures(), 3);
  EXPECT_GE(b.next(), milliseconds(400));  // attempt 3: [400, 800]
  b.reset();
  EXPECT_LE(b.next(), milliseconds(100));
}

}  // namespace
}  // namespace appealhub::core
