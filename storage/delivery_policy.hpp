#pragma once
// How failed deliveries are retried (storage/reply_ledger.hpp), with its one set of defaults.
// Plain data on the standard library alone: config/ reads the "delivery" section into it.

#include <chrono>

namespace appealhub::storage {

struct DeliveryPolicy {
  int max_attempts = 12;                          // then the reply fails for good
  std::chrono::milliseconds backoff_min{2000};    // the first retry's ceiling; doubles per attempt
  std::chrono::milliseconds backoff_max{600000};  // no retry waits longer (Retry-After aside)
  std::chrono::seconds lease{120};                // a 'sending' row is taken again after this
  int operator_max_attempts = 3;                  // failed callbacks before the final failure
};

}  // namespace appealhub::storage
