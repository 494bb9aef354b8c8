#include "storage/ticket_routing.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "core/time.hpp"
#include "storage/outbox.hpp"
#include "storage/statement.hpp"
#include "storage/timeline.hpp"

namespace appealhub::storage {
namespace {

std::string sql_time(pqxx::dbtransaction& txn, std::chrono::sys_seconds t) {
  core::Timestamp ts{std::chrono::time_point_cast<std::chrono::milliseconds>(t), 480};
  return txn.quote(core::format_rfc3339(ts)) + "::timestamptz";
}

std::chrono::sys_seconds epoch_seconds(const pqxx::field& f) {
  return std::chrono::sys_seconds(std::chrono::seconds(f.as<long long>()));
}

}  // namespace

std::vector<DuplicateCandidateRow> find_duplicate_candidates(
    pqxx::dbtransaction& txn, const std::vector<DuplicateQuery>& queries, std::chrono::hours window,
    int per_ticket) {
  // One btree lookup for the whole batch (ticket_keys.key = ANY of the batch's keys); which
  // earlier ticket belongs to which new one is sorted out here.
  std::map<std::string, std::vector<const DuplicateQuery*>> by_key;
  auto earliest = std::chrono::sys_seconds::max();
  for (const auto& q : queries) {
    for (const auto& k : q.keys) by_key[k].push_back(&q);
    if (!q.keys.empty() && q.received < earliest) earliest = q.received;
  }
  if (by_key.empty()) return {};
  const auto key_of = [](const auto& entry) -> const std::string& { return entry.first; };
  Statement query(
      "SELECT t.id, t.channel, t.citizen_phone, t.plate, t.division, t.category, t.title,"
      " coalesce(t.appeal->>'content', ''), extract(epoch FROM t.received_at)::bigint, k.key"
      " FROM ticket_keys k JOIN tickets t ON t.id = k.ticket_id WHERE k.key = ANY(");
  query.param(text_array_literal(by_key, key_of), "::text[]")
      .sql(") AND k.received_at >= ")
      .sql(sql_time(txn, earliest - window))
      .sql(" AND t.status NOT IN ('withdrawn', 'reassigned_out', 'spam', 'merged', 'closed')");
  const auto rows = query.exec(txn);

  std::map<std::int64_t, std::map<std::int64_t, DuplicateCandidateRow>> found;  // new -> earlier
  for (const auto& row : rows) {
    DuplicateCandidateRow c{0,
                            row[0].as<std::int64_t>(),
                            row[1].as<std::string>(),
                            row[2].as<std::string>(),
                            row[3].as<std::string>(),
                            row[4].as<std::string>(),
                            row[5].as<std::string>(),
                            row[6].as<std::string>(),
                            row[7].as<std::string>(),
                            epoch_seconds(row[8])};
    const auto it = by_key.find(row[9].as<std::string>());
    if (it == by_key.end()) continue;
    for (const auto* q : it->second) {
      if (c.ticket_id >= q->ticket_id || c.received < q->received - window) continue;
      c.for_ticket = q->ticket_id;
      found[q->ticket_id].emplace(c.ticket_id, c);
    }
  }
  std::vector<DuplicateCandidateRow> out;
  for (auto& [for_ticket, earlier] : found) {
    int kept = 0;
    for (auto it = earlier.rbegin(); it != earlier.rend() && kept < per_ticket; ++it, ++kept) {
      out.push_back(std::move(it->second));
    }
  }
  return out;
}

void placement_values(Statement& s, const RoutingRecord& r) {
  s.param(r.status).sql(",");
  (r.lead.empty() ? s.sql("NULL") : s.param(r.lead)).sql(",");
  s.text_array(r.assisting).sql(",").param(r.rule).sql(",").param(r.reason).sql(",");
  (r.deadline
       ? s.param(std::to_string(r.deadline->time_since_epoch().count())).sql("::double precision")
       : s.sql("NULL::double precision"));
  s.sql(",").param(r.deadline_basis, "::jsonb,");
  if (r.duplicate && r.duplicate->merged) {
    s.param(std::to_string(r.duplicate->of), "::bigint");
  } else {
    s.sql("NULL::bigint");
  }
}

std::size_t record_routing(pqxx::dbtransaction& txn, const std::vector<RoutingRecord>& records,
                           const std::string& actor) {
  if (records.empty()) return 0;
  // Only tickets still as taken in: one withdrawn in the same batch (a parked withdrawal) is not
  // placed, and a redelivered batch places nothing twice.
  Statement update(
      "UPDATE tickets t SET status = v.status, lead_department = v.lead,"
      " assisting_departments = v.assisting, routing_rule = v.rule, routing_reason = v.reason,"
      " deadline = to_timestamp(v.deadline), deadline_basis = v.basis,"
      " merged_into = v.merged_into, updated_at = now() FROM (VALUES ");
  for (std::size_t i = 0; i < records.size(); ++i) {
    update.sql(i ? ",(" : "(").param(std::to_string(records[i].ticket_id), "::bigint,");
    placement_values(update, records[i]);
    update.sql(")");
  }
  update.sql(
      ") AS v(id, status, lead, assisting, rule, reason, deadline, basis, merged_into)"
      " WHERE t.id = v.id AND t.status = 'received' RETURNING t.id");
  std::set<std::int64_t> placed;
  for (const auto& row : update.exec(txn)) placed.insert(row[0].as<std::int64_t>());
  record_placed(txn, records, placed, actor);
  // Tickets taken in before they were placed (intake inserts placed ones with their keys).
  ColumnArrays keys({"text", "bigint"});
  bool any_key = false;
  for (const auto& r : records) {
    if (!placed.count(r.ticket_id)) continue;
    for (const auto& key : r.duplicate_keys) {
      keys.add(0, key);
      keys.add(1, std::to_string(r.ticket_id));
      any_key = true;
    }
  }
  if (any_key) {
    Statement insert(
        "INSERT INTO ticket_keys (key, received_at, ticket_id) SELECT v.key, t.received_at, t.id"
        " FROM ");
    std::move(keys).unnest_into(insert, "key, ticket_id");
    insert.sql(" JOIN tickets t ON t.id = v.ticket_id").exec(txn);
  }
  return placed.size();
}

void record_placed(pqxx::dbtransaction& txn, const std::vector<RoutingRecord>& records,
                   const std::set<std::int64_t>& placed, const std::string& actor) {
  std::vector<TimelineRow> events;
  std::string links;
  std::vector<OutboxMessage> outbox;
  const auto add_event = [&](std::int64_t ticket, const std::string& id, const std::string& type,
                             const nlohmann::json& data) {
    events.push_back({ticket, id, type, actor, "", data.dump(), false});
  };
  for (const auto& r : records) {
    if (!placed.count(r.ticket_id)) continue;
    // The full computation is on the ticket (deadline_basis); the timeline says it in a sentence.
    nlohmann::json data{{"status", r.status},       {"lead", r.lead},
                        {"assisting", r.assisting}, {"rule", r.rule},
                        {"reason", r.reason},       {"deadline", r.deadline_explained}};
    if (r.duplicate) {
      data["duplicate_of"] = r.duplicate->of;
      data["duplicate_score"] = r.duplicate->score;
      data["duplicate_reason"] = r.duplicate->reason;
      if (!links.empty()) links += ',';
      links += "(" + std::to_string(r.ticket_id) + "," + std::to_string(r.duplicate->of) + "," +
               txn.quote(r.duplicate->merged ? "merged" : "suggested") + "," +
               std::to_string(r.duplicate->score) + "," + txn.quote(r.duplicate->reason) + ")";
    }
    add_event(r.ticket_id, r.event_id.empty() ? "route:" + std::to_string(r.ticket_id) : r.event_id,
              r.status == "merged" ? "ticket.merged" : "ticket.routed", data);
    if (r.duplicate && r.duplicate->merged) {
      // The first ticket's timeline shows what joined it.
      add_event(r.duplicate->of, "merge-in:" + std::to_string(r.ticket_id), "ticket.merge_joined",
                {{"ticket", r.ticket_id},
                 {"score", r.duplicate->score},
                 {"reason", r.duplicate->reason}});
    }
    if (r.routed) outbox.push_back(*r.routed);
  }
  insert_timeline(txn, events);
  enqueue_outbox(txn, outbox);
  if (!links.empty()) {
    txn.exec(
        "INSERT INTO duplicate_links (ticket_id, duplicate_of, action, score, reason) VALUES " +
        links + " ON CONFLICT DO NOTHING");
  }
}

std::int64_t undo_merge(pqxx::dbtransaction& txn, std::int64_t ticket_id, const std::string& actor,
                        const std::string& reason) {
  const auto rows = txn.exec_params(
      "SELECT merged_into FROM tickets WHERE id = $1 AND status = 'merged' FOR UPDATE", ticket_id);
  if (rows.empty() || rows[0][0].is_null()) {
    throw std::invalid_argument("ticket " + std::to_string(ticket_id) + " is not merged");
  }
  const auto primary = rows[0][0].as<std::int64_t>();
  txn.exec_params(
      "UPDATE duplicate_links SET undone_at = now(), undone_by = $3 WHERE ticket_id = $1 AND"
      " duplicate_of = $2 AND action = 'merged' AND undone_at IS NULL",
      ticket_id, primary, actor);
  txn.exec_params(
      "UPDATE tickets SET status = 'received', merged_into = NULL, updated_at = now() WHERE id = "
      "$1",
      ticket_id);
  const nlohmann::json data{
      {"ticket", ticket_id}, {"was_merged_into", primary}, {"reason", reason}};
  // An undo is a person's act: its event id is unique per occurrence, not per fact.
  const auto stamp = std::to_string(
      txn.exec1("SELECT (extract(epoch FROM clock_timestamp()) * 1e6)::bigint")[0].as<long long>());
  for (const auto id : {ticket_id, primary}) {
    txn.exec_params(
        "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data)"
        " VALUES ($1, $2, 'ticket.unmerged', $3, now(), $4::jsonb)",
        id, "unmerge:" + std::to_string(ticket_id) + ":" + std::to_string(id) + ":" + stamp, actor,
        data.dump());
  }
  return primary;
}

std::string ticket_appeal_json(pqxx::dbtransaction& txn, std::int64_t ticket_id) {
  const auto rows = txn.exec_params("SELECT appeal::text FROM tickets WHERE id = $1", ticket_id);
  if (rows.empty()) throw std::invalid_argument("no ticket " + std::to_string(ticket_id));
  return rows[0][0].as<std::string>();
}

}  // namespace appealhub::storage
