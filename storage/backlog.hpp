#pragma once
// The store's backlog at a glance, for /metrics and the health report: what waits in the outbox,
// what intake refused, replies that failed, tickets by status.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace appealhub::storage {

struct Backlog {
  long long outbox_unsent = 0;
  double outbox_oldest_unsent_seconds = 0;  // 0 when nothing waits
  long long rejected_messages = 0;
  long long reply_failures = 0;                                      // reply.failed events
  std::vector<std::pair<std::string, long long>> tickets_by_status;  // by status name

  long long tickets(std::string_view status) const {
    for (const auto& [name, count] : tickets_by_status) {
      if (name == status) return count;
    }
    return 0;
  }
};

Backlog read_backlog(pqxx::transaction_base& txn);

}  // namespace appealhub::storage
