#include "storage/timeline.hpp"

#include "storage/statement.hpp"

namespace appealhub::storage {

void insert_timeline(pqxx::dbtransaction& txn, const std::vector<TimelineRow>& rows) {
  if (rows.empty()) return;
  enum Column : std::size_t { kTicket, kId, kType, kActor, kAt, kData, kInBody };
  ColumnArrays columns({"bigint", "text", "text", "text", "timestamptz", "text", "boolean"});
  for (const auto& r : rows) {
    columns.add(kTicket, std::to_string(r.ticket_id));
    columns.add(kId, r.event_id);
    columns.add(kType, r.type);
    columns.add(kActor, r.actor);
    r.occurred_at.empty() ? columns.add_null(kAt) : columns.add(kAt, r.occurred_at);
    r.data.empty() ? columns.add_null(kData) : columns.add(kData, r.data);
    columns.add(kInBody, r.data_in_body ? "t" : "f");
  }
  Statement insert(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data)"
      " SELECT v.ticket, v.id, v.type, v.actor, coalesce(v.at, now()), CASE WHEN v.data IS NULL"
      " THEN '{}'::jsonb WHEN v.in_body THEN v.data::jsonb -> 'data' ELSE v.data::jsonb END FROM ");
  std::move(columns).unnest_into(insert, "ticket, id, type, actor, at, data, in_body");
  insert.sql(" ORDER BY v.n ON CONFLICT (event_id) DO NOTHING");
  insert.exec(txn);
}

}  // namespace appealhub::storage
