#pragma once
// The ticket feed: timeline rows (ticket_events) after a known id, for the gateway's live event
// stream (GET /api/v1/events). Ids only grow, so a client that remembers the last one it saw
// resumes where it stopped.

#include <cstdint>
#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace appealhub::storage {

struct FeedEvent {
  std::int64_t id = 0, ticket_id = 0;
  std::string type, status, lead_department, channel, occurred_at;  // occurred_at: RFC 3339
  std::vector<std::string> assisting_departments;                   // the ticket's, now
};

// The newest timeline id (0 when there is none).
std::int64_t latest_feed_id(pqxx::transaction_base& txn);

// Up to `limit` events with id > after, oldest first; `departments` not empty: only tickets one
// of them leads or assists.
std::vector<FeedEvent> feed_after(pqxx::transaction_base& txn, std::int64_t after,
                                  const std::vector<std::string>& departments, int limit);

}  // namespace appealhub::storage
