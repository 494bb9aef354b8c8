#include "storage/ticket_routing.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>

#include "core/time.hpp"
#include "storage/outbox.hpp"

namespace appealhub::storage {
namespace {

std::string sql_time(pqxx::dbtransaction& txn, std::chrono::sys_seconds t) {
  core::Timestamp ts{std::chrono::time_point_cast<std::chrono::milliseconds>(t), 480};
  return txn.quote(core::format_rfc3339(ts)) + "::timestamptz";
}

std::string sql_text_array(pqxx::dbtransaction& txn, const std::vector<std::string>& items) {
  std::string out = "ARRAY[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += txn.quote(items[i]);
  }
  return out + "]::text[]";
}

std::chrono::sys_seconds epoch_seconds(const pqxx::field& f) {
  return std::chrono::sys_seconds(std::chrono::seconds(f.as<long long>()));
}

}  // namespace

std::vector<DuplicateCandidateRow> find_duplicate_candidates(
    pqxx::dbtransaction& txn, const std::vector<DuplicateQuery>& queries, std::chrono::hours window,
    int per_ticket) {
  std::string values;
  for (const auto& q : queries) {
    if (q.phone.empty() && q.plate.empty()) continue;
    if (!values.empty()) values += ',';
    values += "(" + std::to_string(q.ticket_id) + "::bigint," + txn.quote(q.phone) + "," +
              txn.quote(q.plate) + "," + sql_time(txn, q.received) + ")";
  }
  if (values.empty()) return {};
  // Two index lookups (phone, plate) instead of one OR that no index serves.
  const std::string open =
      "t.id < q.id AND t.received_at >= q.received - interval '" +
      std::to_string(window.count()) +
      " hours' AND t.status NOT IN ('withdrawn', 'reassigned_out', 'spam', 'merged', 'closed')";
  const auto rows = txn.exec(
      "WITH q(id, phone, plate, received) AS (VALUES " + values +
      "), hits AS ("
      " SELECT q.id AS for_ticket, t.id FROM q JOIN tickets t ON q.phone <> '' AND"
      " t.citizen_phone = q.phone AND " + open +
      " UNION SELECT q.id, t.id FROM q JOIN tickets t ON q.plate <> '' AND t.plate = q.plate AND " +
      open +
      "), ranked AS (SELECT for_ticket, id, row_number() OVER (PARTITION BY for_ticket ORDER BY id"
      " DESC) AS n FROM hits)"
      " SELECT r.for_ticket, t.id, t.channel, t.citizen_phone, t.plate, t.division, t.category,"
      " t.title, coalesce(t.appeal->>'content', ''), extract(epoch FROM t.received_at)::bigint"
      " FROM ranked r JOIN tickets t ON t.id = r.id WHERE r.n <= " +
      std::to_string(per_ticket) + " ORDER BY r.for_ticket, t.id");
  std::vector<DuplicateCandidateRow> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back({row[0].as<std::int64_t>(), row[1].as<std::int64_t>(),
                   row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<std::string>(),
                   row[5].as<std::string>(), row[6].as<std::string>(), row[7].as<std::string>(),
                   row[8].as<std::string>(), epoch_seconds(row[9])});
  }
  return out;
}

std::size_t record_routing(pqxx::dbtransaction& txn, const std::vector<RoutingRecord>& records,
                           const std::string& actor) {
  if (records.empty()) return 0;
  std::string updates;
  for (const auto& r : records) {
    if (!updates.empty()) updates += ',';
    updates += "(" + std::to_string(r.ticket_id) + "::bigint," + txn.quote(r.status) + "," +
               (r.lead.empty() ? "NULL" : txn.quote(r.lead)) + "," +
               sql_text_array(txn, r.assisting) + "," + txn.quote(r.rule) + "," +
               txn.quote(r.reason) + "," +
               (r.deadline ? sql_time(txn, *r.deadline) : "NULL::timestamptz") + "," +
               txn.quote(r.deadline_basis) + "::jsonb," +
               (r.duplicate && r.duplicate->merged ? std::to_string(r.duplicate->of)
                                                   : std::string("NULL")) +
               "::bigint)";
  }
  // Only tickets still as taken in: one withdrawn in the same batch (a parked withdrawal) is not
  // placed, and a redelivered batch places nothing twice.
  std::set<std::int64_t> placed;
  for (const auto& row : txn.exec(
           "UPDATE tickets t SET status = v.status, lead_department = v.lead,"
           " assisting_departments = v.assisting, routing_rule = v.rule, routing_reason = v.reason,"
           " deadline = v.deadline, deadline_basis = v.basis, merged_into = v.merged_into,"
           " updated_at = now() FROM (VALUES " + updates +
           ") AS v(id, status, lead, assisting, rule, reason, deadline, basis, merged_into)"
           " WHERE t.id = v.id AND t.status = 'received' RETURNING t.id")) {
    placed.insert(row[0].as<std::int64_t>());
  }

  std::string events, links;
  const auto add_event = [&](std::int64_t ticket, const std::string& id, const std::string& type,
                             const nlohmann::json& data) {
    if (!events.empty()) events += ',';
    events += "(" + std::to_string(ticket) + "," + txn.quote(id) + "," + txn.quote(type) + "," +
              txn.quote(actor) + ",now()," + txn.quote(data.dump()) + "::jsonb)";
  };
  for (const auto& r : records) {
    if (!placed.count(r.ticket_id)) continue;
    nlohmann::json data{{"status", r.status},
                        {"lead", r.lead},
                        {"assisting", r.assisting},
                        {"rule", r.rule},
                        {"reason", r.reason},
                        {"deadline_basis", nlohmann::json::parse(r.deadline_basis)}};
    if (r.duplicate) {
      data["duplicate_of"] = r.duplicate->of;
      data["duplicate_score"] = r.duplicate->score;
      data["duplicate_reason"] = r.duplicate->reason;
      if (!links.empty()) links += ',';
      links += "(" + std::to_string(r.ticket_id) + "," + std::to_string(r.duplicate->of) + "," +
               txn.quote(r.duplicate->merged ? "merged" : "suggested") + "," +
               std::to_string(r.duplicate->score) + "," + txn.quote(r.duplicate->reason) + ")";
    }
    add_event(r.ticket_id, "route:" + std::to_string(r.ticket_id),
              r.status == "merged" ? "ticket.merged" : "ticket.routed", data);
    if (r.duplicate && r.duplicate->merged) {
      // The first ticket's timeline shows what joined it.
      add_event(r.duplicate->of, "merge-in:" + std::to_string(r.ticket_id), "ticket.merge_joined",
                {{"ticket", r.ticket_id}, {"score", r.duplicate->score},
                 {"reason", r.duplicate->reason}});
    }
    for (const auto& m : r.routed) {
      OutboxMessage out;
      out.message_id = m.message_id;
      out.exchange = "appeals";
      out.routing_key = m.routing_key;
      out.type = "ticket.routed";
      out.body = m.body;
      out.mandatory = false;
      enqueue_outbox(txn, out);
    }
  }
  if (!events.empty()) {
    txn.exec("INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data)"
             " VALUES " + events + " ON CONFLICT (event_id) DO NOTHING");
  }
  if (!links.empty()) {
    txn.exec("INSERT INTO duplicate_links (ticket_id, duplicate_of, action, score, reason) VALUES " +
             links + " ON CONFLICT DO NOTHING");
  }
  return placed.size();
}

}  // namespace appealhub::storage
