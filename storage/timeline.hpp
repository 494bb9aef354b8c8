#pragma once
// Rows of tickets' timelines (ticket_events) written many at a time, as column arrays
// (statement.hpp): the intake writes two or more per new ticket. Storage-internal.

#include <cstdint>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct TimelineRow {
  std::int64_t ticket_id = 0;
  std::string event_id, type, actor;
  std::string occurred_at;    // RFC 3339; empty: now()
  std::string data;           // JSON; empty: no data (NULL)
  bool data_in_body = false;  // `data` is a whole appeal.v1 message whose "data" is the data
};

// Inserts the rows; an event id already there is skipped (ON CONFLICT DO NOTHING).
void insert_timeline(pqxx::dbtransaction& txn, const std::vector<TimelineRow>& rows);

}  // namespace appealhub::storage
