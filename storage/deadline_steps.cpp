#include "storage/deadline_steps.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "storage/statement.hpp"

namespace appealhub::storage {

std::vector<OpenDeadline> open_deadlines_before(pqxx::dbtransaction& txn,
                                                std::chrono::sys_seconds until) {
  const auto rows = txn.exec_params(
      "SELECT id, extract(epoch FROM deadline)::bigint, coalesce(lead_department, '')"
      " FROM tickets"
      " WHERE status IN ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened')"
      " AND deadline IS NOT NULL AND deadline < to_timestamp($1)",
      static_cast<long long>(until.time_since_epoch().count()));
  std::vector<OpenDeadline> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back({row[0].as<std::int64_t>(),
                   std::chrono::sys_seconds{std::chrono::seconds(row[1].as<long long>())},
                   row[2].as<std::string>()});
  }
  return out;
}

std::size_t record_deadline_steps(pqxx::dbtransaction& txn,
                                  const std::vector<DeadlineStepRecord>& steps,
                                  std::chrono::sys_seconds now) {
  if (steps.empty()) return 0;
  ColumnArrays rows({"bigint", "text", "text", "jsonb"});
  for (const auto& record : steps) {
    const auto deadline = record.ticket.deadline.time_since_epoch().count();
    rows.add(0, std::to_string(record.ticket.ticket_id));
    rows.add(1, "sla:" + std::to_string(record.ticket.ticket_id) + ":" + record.step + ":" +
                    std::to_string(deadline));
    rows.add(2, "sla." + record.step);
    rows.add(3, nlohmann::json{{"step", record.step},
                               {"deadline", deadline},
                               {"department", record.ticket.department}}
                    .dump());
  }
  Statement s(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data)"
      " SELECT v.ticket_id, v.event_id, v.type, 'deadline-watch', to_timestamp(");
  s.param(std::to_string(now.time_since_epoch().count()), "::bigint").sql("), v.data FROM ");
  std::move(rows).unnest_into(s, "ticket_id, event_id, type, data");
  s.sql(" ORDER BY v.n ON CONFLICT (event_id) DO NOTHING");
  return s.exec(txn).affected_rows();
}

}  // namespace appealhub::storage
