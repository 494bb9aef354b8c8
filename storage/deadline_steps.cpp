#include "storage/deadline_steps.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "storage/statement.hpp"

namespace appealhub::storage {

namespace {

// " FROM tickets t WHERE …": open, with a deadline before `until`, led by one of `departments`
// (any when empty).
void from_open_before(Statement& s, const std::vector<std::string>& departments,
                      std::chrono::sys_seconds until) {
  s.sql(" FROM tickets t WHERE t.status IN ")
      .sql(kOpenStatuses)
      .sql(" AND t.deadline IS NOT NULL AND t.deadline < to_timestamp(")
      .param(std::to_string(until.time_since_epoch().count()), "::bigint")
      .sql(")");
  if (!departments.empty()) s.sql(" AND t.lead_department = ANY(").text_array(departments).sql(")");
}

}  // namespace

std::vector<OpenDeadline> open_tickets_before(pqxx::transaction_base& txn,
                                              const std::vector<std::string>& departments,
                                              std::chrono::sys_seconds until) {
  Statement s(
      "SELECT t.id, t.title, coalesce(t.lead_department, ''), t.status,"
      " extract(epoch FROM t.deadline)::bigint, coalesce((SELECT string_agg(DISTINCT e.type, ',')"
      " FROM ticket_events e WHERE e.ticket_id = t.id AND e.type IN ('sla.urge', 'sla.notice',"
      " 'sla.public_note') AND e.data->>'deadline' = extract(epoch FROM t.deadline)::bigint::text),"
      " '')");
  from_open_before(s, departments, until);
  s.sql(" ORDER BY t.deadline, t.id");
  std::vector<OpenDeadline> out;
  for (const auto& row : s.exec(txn)) {
    OpenDeadline d;
    d.id = row[0].as<std::int64_t>();
    d.title = row[1].as<std::string>();
    d.lead_department = row[2].as<std::string>();
    d.status = row[3].as<std::string>();
    d.deadline = std::chrono::sys_seconds{std::chrono::seconds{row[4].as<long long>()}};
    const auto steps = row[5].as<std::string>();
    // In the order they are taken.
    const std::pair<const char*, const char*> names[] = {
        {"sla.urge", "urged"}, {"sla.notice", "overdue_notice"}, {"sla.public_note", "circulated"}};
    for (const auto& [type, name] : names) {
      if (("," + steps + ",").find("," + std::string(type) + ",") != std::string::npos) {
        d.supervision.emplace_back(name);
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::map<std::string, std::int64_t> open_tickets_before_by_department(
    pqxx::transaction_base& txn, std::chrono::sys_seconds until) {
  Statement s("SELECT coalesce(t.lead_department, ''), count(*)");
  from_open_before(s, {}, until);
  s.sql(" GROUP BY 1");
  std::map<std::string, std::int64_t> out;
  for (const auto& row : s.exec(txn)) out[row[0].as<std::string>()] = row[1].as<std::int64_t>();
  return out;
}

std::size_t record_deadline_steps(pqxx::dbtransaction& txn,
                                  const std::vector<DeadlineStepRecord>& steps,
                                  std::chrono::sys_seconds now) {
  if (steps.empty()) return 0;
  ColumnArrays rows({"bigint", "text", "text", "jsonb"});
  for (const auto& record : steps) {
    const auto deadline = record.ticket.deadline.time_since_epoch().count();
    rows.add(0, std::to_string(record.ticket.id));
    rows.add(1, "sla:" + std::to_string(record.ticket.id) + ":" + record.step + ":" +
                    std::to_string(deadline));
    rows.add(2, "sla." + record.step);
    rows.add(3, nlohmann::json{{"step", record.step},
                               {"deadline", deadline},
                               {"department", record.ticket.lead_department}}
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
