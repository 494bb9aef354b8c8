#include "storage/ticket_intake.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <tuple>
#include <variant>

#include "core/ticket.hpp"
#include "core/time.hpp"
#include "storage/statement.hpp"
#include "storage/timeline.hpp"

namespace appealhub::storage {
namespace {

using AppealKey = std::pair<std::string, std::string>;  // channel, external id

std::int64_t instant_ms(const core::Timestamp& t) {
  return t.utc.time_since_epoch().count();
}
std::int64_t instant_ms(const std::string& rfc3339) {
  const auto t = core::parse_rfc3339(rfc3339);
  return t ? instant_ms(*t) : 0;
}

// An item as the steps read it: what they need of its decoded event, each field derived once.
struct Fact {
  explicit Fact(const IntakeItem& item)
      : event(*item.event),
        message(item.message),
        type(event.name()),
        occurred_at(core::format_rfc3339(event.occurred_at)),
        at_ms(instant_ms(event.occurred_at)),
        appeal(item.appeal()) {
    const auto ref = core::channel_appeal(event.body).value();  // a precondition of apply()
    key = {std::string(ref.channel), std::string(ref.external_id)};
    actor = "channel:" + key.first;
    const auto* rated = std::get_if<core::AppealRated>(&event.body);
    dissatisfied = rated != nullptr && rated->rating == core::Satisfaction::dissatisfied;
  }
  const std::string& id() const { return event.event_id; }

  const core::Event& event;
  std::string_view message;
  AppealKey key;
  std::string type, actor;
  std::string occurred_at;  // RFC 3339, as the statements take it
  std::int64_t at_ms;
  const core::Appeal* appeal;  // appeal.received only
  bool dissatisfied = false;   // an appeal.rated with rating dissatisfied (reopens)
};

// A channel event to record on a ticket: from this batch or taken out of parked_events.
struct PendingEvent {
  std::string event_id, type, actor, occurred_at;
  std::string data;        // the event's data (JSON), or the whole message when data_in_body
  std::int64_t at_ms = 0;  // occurred_at as an instant, for ordering
  AppealKey appeal;
  std::size_t item = SIZE_MAX;  // batch index, SIZE_MAX when it was parked earlier
  bool dissatisfied = false;    // an appeal.rated with rating dissatisfied (reopens)
  bool data_in_body = false;
};

// The appeal keys of `range` (AppealKeys, or map entries keyed by them) as the relation
// `k(channel, external_id, n)` between `before` and `after`: two array parameters, however many.
const AppealKey& key_of(const AppealKey& key) {
  return key;
}
template <class Value>
const AppealKey& key_of(const std::pair<const AppealKey, Value>& entry) {
  return entry.first;
}
template <class Range>
Statement keyed(std::string_view before, const Range& range, std::string_view after) {
  ColumnArrays columns({"text", "text"});
  for (const auto& entry : range) {
    columns.add(0, key_of(entry).first);
    columns.add(1, key_of(entry).second);
  }
  Statement s(before);
  std::move(columns).unnest_into(s, "channel, external_id", "k");
  s.sql(after);
  return s;
}

// The event's data as a jsonb parameter.
Statement& data_param(Statement& s, const std::string& data, bool in_body) {
  return in_body ? s.sql("(").param(data, "::jsonb -> 'data')") : s.param(data, "::jsonb");
}

std::string nullable_time(pqxx::dbtransaction& txn, const std::optional<core::Timestamp>& t) {
  return t ? txn.quote(core::format_rfc3339(*t)) + "::timestamptz" : "NULL::timestamptz";
}

// Inserts the events and moves ticket statuses; returns nothing, every event finds its ticket.
void record_on_tickets(pqxx::dbtransaction& txn, std::vector<PendingEvent>& events,
                       const std::map<AppealKey, std::pair<std::int64_t, std::string>>& tickets) {
  if (events.empty()) return;
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  std::vector<TimelineRow> rows;
  std::map<std::int64_t, core::TicketStatus> moved;
  std::map<std::int64_t, core::TicketStatus> current;
  for (const auto& [key, ticket] : tickets) {
    current[ticket.first] =
        core::parse_ticket_status(ticket.second).value_or(core::TicketStatus::received);
  }
  for (const auto& event : events) {
    const auto id = tickets.at(event.appeal).first;
    rows.push_back({id, event.event_id, event.type, event.actor, event.occurred_at, event.data,
                    event.data_in_body});
    if (auto next = core::status_after_channel_event(current[id], event.type, event.dissatisfied)) {
      current[id] = *next;
      moved[id] = *next;
    }
  }
  insert_timeline(txn, rows);
  if (moved.empty()) return;
  std::string updates;
  for (const auto& [id, status] : moved) {
    if (!updates.empty()) updates += ',';
    updates +=
        "(" + std::to_string(id) + "," + txn.quote(std::string(core::to_string(status))) + ")";
  }
  txn.exec("UPDATE tickets t SET status = v.status, updated_at = now() FROM (VALUES " + updates +
           ") AS v(id, status) WHERE t.id = v.id");
}

// appeal.received items for appeals that had a ticket before this batch and that the channel now
// marks as spam (a letter the website re-indexed as spam): the open ticket leaves the queues as
// `spam`, still visible to managers.
void mark_spam(pqxx::dbtransaction& txn, const std::vector<Fact>& items,
               const std::vector<std::size_t>& appeals,
               const std::map<AppealKey, std::size_t>& created_keys, IntakeResult& result) {
  std::map<AppealKey, std::size_t> candidates;
  for (std::size_t i : appeals) {
    const auto& meta = items[i].appeal->channel_meta;
    const auto& key = items[i].key;
    if (result.outcomes[i] == IntakeOutcome::duplicate_appeal && !created_keys.count(key) &&
        meta.is_object() && meta.value("mailbox_status", "") == "spam") {
      candidates.try_emplace(key, i);
    }
  }
  if (candidates.empty()) return;
  std::string events, ids;
  for (const auto& row :
       keyed("SELECT t.id, t.channel, t.external_id FROM tickets t JOIN ", candidates,
             " ON t.channel = k.channel AND t.external_id = k.external_id WHERE t.status IN"
             " ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened')"
             " ORDER BY t.id FOR UPDATE OF t")
           .exec(txn)) {
    const auto i = candidates.at({row[1].as<std::string>(), row[2].as<std::string>()});
    const auto& item = items[i];
    const std::string id = row[0].c_str();
    events += std::string(events.empty() ? "" : ",") + "(" + id + "," + txn.quote(item.id()) +
              ",'appeal.marked_spam'," + txn.quote(item.actor) + "," + txn.quote(item.occurred_at) +
              "::timestamptz,'{}'::jsonb)";
    ids += (ids.empty() ? "" : ",") + id;
    result.outcomes[i] = IntakeOutcome::applied;
  }
  if (ids.empty()) return;
  txn.exec(
      "UPDATE tickets SET status = 'spam', claimed_by = NULL, updated_at = now() WHERE id IN (" +
      ids + ")");
  txn.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) VALUES " +
      events + " ON CONFLICT (event_id) DO NOTHING");
}

// appeal.received items for appeals that had a ticket before this batch: those whose ticket was
// returned to the channel go back into routing (see TicketIntake); the others stay duplicates.
void reassign_back(pqxx::dbtransaction& txn, const std::vector<Fact>& items,
                   const std::vector<std::size_t>& appeals,
                   const std::map<AppealKey, std::size_t>& created_keys, IntakeResult& result) {
  std::map<AppealKey, std::size_t> candidates;  // the first such item per appeal
  for (std::size_t i : appeals) {
    const auto& key = items[i].key;
    if (result.outcomes[i] == IntakeOutcome::duplicate_appeal && !created_keys.count(key)) {
      candidates.try_emplace(key, i);
    }
  }
  if (candidates.empty()) return;
  // Returned to the channel: `returned`, or closed after a return to the channel that came after
  // the last reassignment back (a ticket can go round more than once).
  std::vector<std::pair<std::int64_t, std::size_t>> back;  // ticket, item
  for (const auto& row :
       keyed("SELECT t.id, t.channel, t.external_id FROM tickets t JOIN ", candidates,
             " ON t.channel = k.channel AND t.external_id = k.external_id WHERE t.status ="
             " 'returned' OR (t.status = 'closed' AND EXISTS (SELECT 1 FROM ticket_events r"
             " WHERE r.ticket_id = t.id AND r.type = 'return.approved' AND r.data->>'to_channel'"
             " = 'true' AND r.id > coalesce((SELECT max(b.id) FROM ticket_events b WHERE"
             " b.ticket_id = t.id AND b.type = 'appeal.reassigned_back'), 0)))"
             " ORDER BY t.id FOR UPDATE OF t")
           .exec(txn)) {
    back.emplace_back(row[0].as<std::int64_t>(),
                      candidates.at({row[1].as<std::string>(), row[2].as<std::string>()}));
  }
  if (back.empty()) return;
  std::string updates, ids;
  std::vector<TimelineRow> events;
  for (const auto& [ticket, i] : back) {
    const auto& item = items[i];
    const std::string id = std::to_string(ticket);
    if (!updates.empty()) {
      updates += ',';
      ids += ',';
    }
    updates += "(" + id + "::bigint," + nullable_time(txn, item.appeal->channel_deadline) + ")";
    events.push_back({ticket, item.id(), "appeal.reassigned_back", item.actor, item.occurred_at,
                      std::string(item.message), true});
    ids += id;
    result.outcomes[i] = IntakeOutcome::reassigned_back;
    result.reassigned_back.push_back({ticket, i});
  }
  txn.exec(
      "UPDATE tickets t SET status = 'received', channel_deadline = v.deadline, claimed_by = NULL,"
      " updated_at = now() FROM (VALUES " +
      updates + ") AS v(id, deadline) WHERE t.id = v.id");
  insert_timeline(txn, events);
  // A return still waiting for review is moot: the channel has decided.
  txn.exec(
      "UPDATE ticket_requests SET state = 'refused', decided_by = 'channel', decided_at = now(),"
      " decision_note = 'the channel sent the order again (reassigned back)' WHERE kind ="
      " 'return' AND state = 'pending' AND ticket_id IN (" +
      ids + ")");
}

// Items among `creating` whose ticket must not be placed: the channel's events about the appeal
// in this batch or parked earlier (in time order) take a `received` ticket to another status, as
// a withdrawal that arrived before its appeal does.
std::set<std::size_t> held_back(pqxx::dbtransaction& txn, const std::vector<Fact>& items,
                                const std::vector<std::size_t>& others,
                                const std::vector<CreatedTicket>& creating) {
  std::map<AppealKey, std::size_t> item_of;
  for (const auto& c : creating) item_of[items[c.item].key] = c.item;
  std::map<AppealKey, std::vector<std::tuple<std::int64_t, std::string, bool>>> events;
  for (std::size_t i : others) {
    const auto& item = items[i];
    if (item_of.count(item.key))
      events[item.key].emplace_back(item.at_ms, item.type, item.dissatisfied);
  }
  for (const auto& row :
       keyed("SELECT p.channel, p.external_id, to_json(p.occurred_at) #>> '{}', p.type,"
             " p.data->>'rating' = 'dissatisfied' FROM parked_events p JOIN ",
             item_of, " ON p.channel = k.channel AND p.external_id = k.external_id")
           .exec(txn)) {
    events[{row[0].as<std::string>(), row[1].as<std::string>()}].emplace_back(
        instant_ms(row[2].as<std::string>()), row[3].as<std::string>(),
        row[3].as<std::string>() == "appeal.rated" && !row[4].is_null() && row[4].as<bool>());
  }
  std::set<std::size_t> held;
  for (auto& [key, list] : events) {
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    auto status = core::TicketStatus::received;
    for (const auto& [at, type, dissatisfied] : list) {
      if (auto next = core::status_after_channel_event(status, type, dissatisfied)) status = *next;
    }
    if (status != core::TicketStatus::received) held.insert(item_of.at(key));
  }
  return held;
}

// The new tickets' duplicate keys (ticket_keys) and their place in the text scan's queue
// (docs/duplicates.md), in one statement.
void record_search_keys(pqxx::dbtransaction& txn, const std::vector<Fact>& items,
                        const std::vector<CreatedTicket>& created,
                        const std::vector<RoutingRecord>& placement) {
  if (created.empty()) return;
  std::map<std::int64_t, std::string> received;
  ColumnArrays queued({"bigint"});
  for (const auto& c : created) {
    queued.add(0, std::to_string(c.id));
    received[c.id] = core::format_rfc3339(items[c.item].appeal->received_at);
  }
  ColumnArrays keys({"text", "timestamptz", "bigint"});
  for (const auto& r : placement) {
    for (const auto& key : r.duplicate_keys) {
      keys.add(0, key);
      keys.add(1, received.at(r.ticket_id));
      keys.add(2, std::to_string(r.ticket_id));
    }
  }
  Statement s("WITH q AS (INSERT INTO text_scan_queue (ticket_id) SELECT v.ticket_id FROM ");
  std::move(queued).unnest_into(s, "ticket_id");
  s.sql(
      " ON CONFLICT DO NOTHING) INSERT INTO ticket_keys (key, received_at, ticket_id) SELECT"
      " v.key, v.received_at, v.ticket_id FROM ");
  std::move(keys).unnest_into(s, "key, received_at, ticket_id");
  s.exec(txn);
}

// One apply(): its transaction, the batch and what became of it so far. The steps below run in
// this order, each on what the ones before found.
struct Batch {
  pqxx::dbtransaction& txn;
  const std::vector<Fact>& items;
  IntakeResult& result;
  std::vector<std::size_t> appeals{}, others{};  // new messages: appeal.received, the rest
  // The first appeal.received item in the batch with a key is the one that creates its ticket.
  std::map<AppealKey, std::size_t> first_with_key{};
  std::map<AppealKey, std::size_t> created_keys{};  // tickets inserted by this batch, their item
  std::vector<RoutingRecord> placement{};           // of the tickets inserted placed
};

// 1. Records the message ids in processed_messages and keeps the items new for this consumer.
// In key order, so that competing consumers holding the same ids lock them in the same order.
void take_new_messages(Batch& b, const std::string& consumer) {
  std::set<std::string> sorted_ids;
  for (const auto& item : b.items) sorted_ids.insert(item.id());
  ColumnArrays ids({"text"});
  for (const auto& id : sorted_ids) ids.add(0, id);
  Statement processed("INSERT INTO processed_messages (consumer, message_id) SELECT ");
  processed.param(consumer).sql(", v.id FROM ");
  std::move(ids).unnest_into(processed, "id");
  processed.sql(" ORDER BY v.n ON CONFLICT DO NOTHING RETURNING message_id");
  std::set<std::string> fresh;
  for (const auto& row : processed.exec(b.txn)) fresh.insert(row[0].as<std::string>());
  for (std::size_t i = 0; i < b.items.size(); ++i) {
    // A message id repeated inside one batch is new only the first time.
    if (fresh.erase(b.items[i].id()) == 0) continue;
    (b.items[i].appeal != nullptr ? b.appeals : b.others).push_back(i);
  }
}

// 2. Serializes work on the same appeal across consumers until commit: without it, an event
// parked by one consumer while another creates its ticket would be seen by neither and stay
// parked. Locks are taken in hash order, so two batches cannot deadlock on them.
void lock_appeals(Batch& b) {
  std::set<AppealKey> touched;
  for (std::size_t i : b.appeals) touched.insert(b.items[i].key);
  for (std::size_t i : b.others) touched.insert(b.items[i].key);
  if (touched.empty()) return;
  ColumnArrays keys({"text"});
  for (const auto& key : touched) keys.add(0, key.first + '\x1f' + key.second);
  Statement lock(
      "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(v.k, 0) AS h"
      " FROM ");
  std::move(keys).unnest_into(lock, "k");
  lock.sql(") AS l ORDER BY h").exec(b.txn);
}

// 3a. The appeals that create a ticket now (reserved id 0, item; in key order): the advisory
// locks keep every other consumer from creating one for these keys until the transaction ends.
std::vector<CreatedTicket> to_create(Batch& b) {
  // In key order, so that concurrent consumers lock rows in the same order.
  std::stable_sort(b.appeals.begin(), b.appeals.end(),
                   [&](std::size_t x, std::size_t y) { return b.items[x].key < b.items[y].key; });
  for (std::size_t i : b.appeals) b.first_with_key.try_emplace(b.items[i].key, i);
  std::set<AppealKey> existing;
  for (const auto& row :
       keyed("SELECT t.channel, t.external_id FROM tickets t JOIN ", b.first_with_key,
             " ON t.channel = k.channel AND t.external_id = k.external_id")
           .exec(b.txn)) {
    existing.insert({row[0].as<std::string>(), row[1].as<std::string>()});
  }
  std::vector<CreatedTicket> creating;
  for (const auto& [key, i] : b.first_with_key) {
    if (!existing.count(key)) creating.push_back({0, i});
  }
  return creating;
}

// 3b. Reserves the new tickets' ids and asks `place` where those not held back go.
void place_before_insert(Batch& b, std::vector<CreatedTicket>& creating,
                         const TicketIntake::Place& place) {
  const auto reserved = b.txn.exec(
      "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) FROM generate_series(1, " +
      std::to_string(creating.size()) + ") ORDER BY 1");
  for (std::size_t k = 0; k < creating.size(); ++k)
    creating[k].id = reserved[k][0].as<std::int64_t>();
  const auto held = held_back(b.txn, b.items, b.others, creating);
  std::vector<CreatedTicket> offered;
  for (const auto& c : creating) {
    if (!held.count(c.item)) offered.push_back(c);
  }
  b.placement = place(b.txn, offered);
}

// The columns of the tickets' insert, one array each (see ColumnArrays): the insert costs the
// same to plan for 1 or 500.
// clang-format off
enum TicketColumn : std::size_t {
  kId, kChannel, kExternalId, kKind, kCategory, kDivision, kUrgency, kTitle, kPhone, kPlate,
  kReceivedAt, kChannelDeadline, kBody, kStatus, kLead, kAssisting, kRule, kReason, kDeadline,
  kBasis, kMergedInto
};
ColumnArrays ticket_columns() {
  return ColumnArrays({"bigint", "text", "text", "text", "text", "text", "text", "text", "text",
                       "text", "timestamptz", "timestamptz", "text", "text", "text", "text", "text",
                       "text", "double precision", "text", "bigint"});
}
// clang-format on

// One new ticket's row: `placed` when the router placed it before the insert, else `received`.
void add_ticket_row(ColumnArrays& columns, std::int64_t id, const Fact& item,
                    const RoutingRecord* placed) {
  const auto& a = *item.appeal;
  id ? columns.add(kId, std::to_string(id)) : columns.add_null(kId);
  columns.add(kChannel, a.channel);
  columns.add(kExternalId, a.external_id);
  columns.add(kKind, core::to_string(a.kind));
  columns.add(kCategory, a.category);
  columns.add(kDivision, a.division);
  columns.add(kUrgency, core::to_string(a.urgency));
  columns.add(kTitle, a.title);
  columns.add(kPhone, a.citizen.phone);
  columns.add(kPlate, a.plate);
  columns.add(kReceivedAt, core::format_rfc3339(a.received_at));
  a.channel_deadline ? columns.add(kChannelDeadline, core::format_rfc3339(*a.channel_deadline))
                     : columns.add_null(kChannelDeadline);
  columns.add(kBody, item.message);
  if (placed == nullptr) {
    columns.add(kStatus, "received");
    for (auto k : {kLead, kRule, kReason, kDeadline, kBasis, kMergedInto}) columns.add_null(k);
    columns.add(kAssisting, "{}");
    return;
  }
  const auto& r = *placed;
  columns.add(kStatus, r.status);
  r.lead.empty() ? columns.add_null(kLead) : columns.add(kLead, r.lead);
  columns.add(kAssisting, text_array_literal(r.assisting));
  columns.add(kRule, r.rule);
  columns.add(kReason, r.reason);
  r.deadline ? columns.add(kDeadline, std::to_string(r.deadline->time_since_epoch().count()))
             : columns.add_null(kDeadline);
  columns.add(kBasis, r.deadline_basis);
  r.duplicate&& r.duplicate->merged ? columns.add(kMergedInto, std::to_string(r.duplicate->of))
                                    : columns.add_null(kMergedInto);
}

// 3c. Inserts the new tickets (a key another transaction took meanwhile is skipped) and drops
// the placements of those not inserted after all.
void insert_tickets(Batch& b, const std::vector<CreatedTicket>& creating) {
  if (creating.empty()) {
    b.placement.clear();
    return;
  }
  std::map<std::int64_t, const RoutingRecord*> placed_by_id;
  for (const auto& r : b.placement) placed_by_id[r.ticket_id] = &r;
  auto columns = ticket_columns();
  for (const auto& c : creating) {
    const auto it = placed_by_id.find(c.id);
    add_ticket_row(columns, c.id, b.items[c.item], it == placed_by_id.end() ? nullptr : it->second);
  }
  Statement insert(
      "INSERT INTO tickets (id, channel, external_id, kind, category, division, urgency, title,"
      " citizen_phone, plate, received_at, channel_deadline, appeal, status, lead_department,"
      " assisting_departments, routing_rule, routing_reason, deadline, deadline_basis,"
      " merged_into) SELECT coalesce(v.id, nextval(pg_get_serial_sequence('tickets', 'id'))),"
      " v.channel, v.external_id, v.kind, v.category, v.division, v.urgency, v.title, v.phone,"
      " v.plate, v.received_at, v.channel_deadline, v.body::jsonb -> 'data' -> 'appeal',"
      " v.status, v.lead, v.assisting::text[], v.rule, v.reason, to_timestamp(v.deadline),"
      " v.basis::jsonb, v.merged_into FROM ");
  std::move(columns).unnest_into(
      insert,
      "id, channel, external_id, kind, category, division, urgency, title, phone, plate,"
      " received_at, channel_deadline, body, status, lead, assisting, rule, reason, deadline,"
      " basis, merged_into");
  insert.sql(
      " ORDER BY v.n ON CONFLICT (channel, external_id) DO NOTHING RETURNING id, channel,"
      " external_id");
  std::set<std::int64_t> inserted_placed;
  for (const auto& row : insert.exec(b.txn)) {
    AppealKey key{row[1].as<std::string>(), row[2].as<std::string>()};
    const std::size_t i = b.first_with_key.at(key);
    const auto id = row[0].as<std::int64_t>();
    b.created_keys[key] = i;
    b.result.created.push_back({id, i});
    b.result.outcomes[i] = IntakeOutcome::created;
    if (placed_by_id.count(id)) inserted_placed.insert(id);
  }
  std::erase_if(b.placement,
                [&](const RoutingRecord& r) { return !inserted_placed.count(r.ticket_id); });
}

// 3. New tickets, then what the appeals that found one already do to it.
void create_tickets(Batch& b, const TicketIntake::Place& place) {
  if (b.appeals.empty()) return;
  auto creating = to_create(b);
  if (!creating.empty() && place) place_before_insert(b, creating, place);
  insert_tickets(b, creating);
  record_search_keys(b.txn, b.items, b.result.created, b.placement);
  b.result.placed = b.placement.size();
  for (std::size_t i : b.appeals) {
    if (b.result.outcomes[i] != IntakeOutcome::created) {
      b.result.outcomes[i] = IntakeOutcome::duplicate_appeal;
    }
  }
  reassign_back(b.txn, b.items, b.appeals, b.created_keys, b.result);
  mark_spam(b.txn, b.items, b.appeals, b.created_keys, b.result);
  std::vector<TimelineRow> received;
  for (const auto& created : b.result.created) {
    const auto& item = b.items[created.item];
    received.push_back({created.id, item.id(), item.type, item.actor, item.occurred_at, "", false});
  }
  insert_timeline(b.txn, received);
}

// 4. Events about appeals: from this batch, and parked ones whose appeal arrived now.
std::vector<PendingEvent> pending_events(Batch& b) {
  std::vector<PendingEvent> pending;
  for (std::size_t i : b.others) {
    const auto& item = b.items[i];
    pending.push_back({item.id(), item.type, item.actor, item.occurred_at,
                       std::string(item.message), item.at_ms, item.key, i, item.dissatisfied,
                       true});
  }
  if (b.created_keys.empty()) return pending;
  for (const auto& row :
       keyed("DELETE FROM parked_events p USING ", b.created_keys,
             " WHERE p.channel = k.channel AND p.external_id = k.external_id RETURNING"
             " p.event_id, p.type, to_json(p.occurred_at) #>> '{}', p.data, p.channel,"
             " p.external_id, p.type = 'appeal.rated' AND coalesce(p.data->>'rating' ="
             " 'dissatisfied', false)")
           .exec(b.txn)) {
    const auto occurred_at = row[2].as<std::string>();
    pending.push_back({row[0].as<std::string>(),
                       row[1].as<std::string>(),
                       "channel:" + row[4].as<std::string>(),
                       occurred_at,
                       row[3].as<std::string>(),
                       instant_ms(occurred_at),
                       {row[4].as<std::string>(), row[5].as<std::string>()},
                       SIZE_MAX,
                       row[6].as<bool>()});
    ++b.result.unparked;
  }
  return pending;
}

// 5. Records the events on their tickets, and parks those whose appeal has none yet.
void record_events(Batch& b, std::vector<PendingEvent>& pending) {
  if (pending.empty()) return;
  std::set<AppealKey> wanted;
  for (const auto& event : pending) wanted.insert(event.appeal);
  std::map<AppealKey, std::pair<std::int64_t, std::string>> tickets;
  for (const auto& row :
       keyed("SELECT t.id, t.channel, t.external_id, t.status FROM tickets t JOIN ", wanted,
             " ON t.channel = k.channel AND t.external_id = k.external_id ORDER BY t.id"
             " FOR UPDATE OF t")
           .exec(b.txn)) {
    tickets[{row[1].as<std::string>(), row[2].as<std::string>()}] = {row[0].as<std::int64_t>(),
                                                                     row[3].as<std::string>()};
  }
  std::vector<PendingEvent> on_tickets;
  Statement parked(
      "INSERT INTO parked_events (channel, external_id, event_id, type, occurred_at, data)"
      " VALUES ");
  for (auto& event : pending) {
    if (tickets.count(event.appeal)) {
      if (event.item != SIZE_MAX) b.result.outcomes[event.item] = IntakeOutcome::applied;
      on_tickets.push_back(std::move(event));
      continue;
    }
    b.result.outcomes[event.item] = IntakeOutcome::parked;
    parked.sql(parked.empty() ? "(" : ",(")
        .param(event.appeal.first)
        .sql(",")
        .param(event.appeal.second)
        .sql(",")
        .param(event.event_id)
        .sql(",")
        .param(event.type)
        .sql(",")
        .param(event.occurred_at, "::timestamptz,");
    data_param(parked, event.data, event.data_in_body).sql(")");
  }
  if (!parked.empty()) parked.sql(" ON CONFLICT (event_id) DO NOTHING").exec(b.txn);
  record_on_tickets(b.txn, on_tickets, tickets);
}

// 6. The router's decisions for what it placed, after the batch's own events on the timeline.
void record_placements(Batch& b) {
  std::set<std::int64_t> placed;
  for (const auto& r : b.placement) placed.insert(r.ticket_id);
  if (!placed.empty()) record_placed(b.txn, b.placement, placed, "router");
}

}  // namespace

IntakeResult TicketIntake::apply(pqxx::dbtransaction& txn, const std::vector<IntakeItem>& items,
                                 const Place& place) const {
  IntakeResult result;
  result.outcomes.assign(items.size(), IntakeOutcome::duplicate_message);
  if (items.empty()) return result;
  const std::vector<Fact> facts(items.begin(), items.end());
  Batch batch{txn, facts, result};
  take_new_messages(batch, consumer_);
  lock_appeals(batch);
  create_tickets(batch, place);
  auto pending = pending_events(batch);
  record_events(batch, pending);
  record_placements(batch);
  return result;
}

}  // namespace appealhub::storage
