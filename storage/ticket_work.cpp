#include "storage/ticket_work.hpp"

#include <algorithm>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <unordered_map>

#include "core/ids.hpp"
#include "storage/database.hpp"
#include "storage/knowledge.hpp"
#include "storage/reply_ledger.hpp"
#include "storage/statement.hpp"

namespace appealhub::storage {
namespace {

// RFC 3339 in China time, as every time leaves the hub.
std::string china_time_sql(const std::string& column) {
  return "to_char(" + column +
         " AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"')";
}

std::string epoch_literal(std::chrono::sys_seconds t) {
  return "to_timestamp(" + std::to_string(t.time_since_epoch().count()) + ")";
}

std::string array_literal(pqxx::transaction_base& txn, const std::vector<std::string>& values) {
  std::string out = "ARRAY[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += txn.quote(values[i]);
  }
  return out + "]::text[]";
}

// `text` as an ILIKE pattern matching it anywhere: its own % _ and \ are taken literally.
std::string contains_pattern(std::string_view text) {
  std::string out = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// The name of the prepared statement for a list query's SQL text, or nullopt once the process
// has named kListStatements of them: departments, statuses and filters make many texts, and a
// prepared one holds ~130 kB in the server process of each connection that ran it. The first
// come are usually the ones asked most (the departments' queue pages).
constexpr std::size_t kListStatements = 32;
std::optional<std::string> list_statement(const std::string& sql) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::string> names;
  std::lock_guard lock(mutex);
  if (const auto it = names.find(sql); it != names.end()) return it->second;
  if (names.size() >= kListStatements) return std::nullopt;
  auto name = "list_tickets_" + std::to_string(names.size());
  names.emplace(sql, name);
  return name;
}

const std::string kSummaryColumns =
    "t.id, t.channel, t.external_id, t.status, t.kind, t.category, t.division, t.urgency, "
    "t.title, coalesce(t.appeal->'citizen'->>'name', ''), t.citizen_phone, "
    "coalesce((t.appeal->'citizen'->>'anonymous')::boolean, false), coalesce(t.lead_department, "
    "''), t.assisting_departments, extract(epoch FROM t.deadline)::bigint, "
    "extract(epoch FROM t.received_at)::bigint, t.supervised, coalesce(t.claimed_by, ''), "
    "t.merged_into";
constexpr int kSummaryColumnCount = 19;  // read_summary's

TicketSummary read_summary(const pqxx::row& r) {
  // By length, not by strlen (a queue page reads 50 rows of 19 columns).
  const auto text = [&](pqxx::row::size_type column) {
    const auto field = r[column];
    return std::string(field.c_str(), field.size());
  };
  TicketSummary s;
  s.id = r[0].as<std::int64_t>();
  s.channel = text(1);
  s.external_id = text(2);
  s.status = text(3);
  s.kind = text(4);
  s.category = text(5);
  s.division = text(6);
  s.urgency = text(7);
  s.title = text(8);
  s.citizen_name = text(9);
  s.citizen_phone = text(10);
  s.anonymous = r[11].as<bool>();
  s.lead = text(12);
  s.assisting = text_array_of(r[13]);
  if (!r[14].is_null())
    s.deadline = std::chrono::sys_seconds(std::chrono::seconds(r[14].as<long long>()));
  s.received_at = std::chrono::sys_seconds(std::chrono::seconds(r[15].as<long long>()));
  s.supervised = r[16].as<bool>();
  s.claimed_by = text(17);
  if (!r[18].is_null()) s.merged_into = r[18].as<std::int64_t>();
  return s;
}

// The filter's conditions on a ticket `t`, each one SQL expression.
std::vector<std::string> filter_conditions(pqxx::transaction_base& txn, const TicketFilter& f) {
  std::vector<std::string> where;
  if (!f.statuses.empty())
    where.push_back("t.status = ANY(" + array_literal(txn, f.statuses) + ")");
  const auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty()) where.push_back(std::string(column) + " = " + txn.quote(value));
  };
  equal("t.channel", f.channel);
  equal("t.kind", f.kind);
  equal("t.category", f.category);
  equal("t.division", f.division);
  equal("t.external_id", f.external_id);
  equal("t.citizen_phone", f.phone);
  if (f.overdue) {
    where.push_back(std::string(*f.overdue ? "" : "NOT ") + "(t.status IN " + kOpenStatuses +
                    " AND t.deadline < now())");
  }
  if (f.deadline_from) where.push_back("t.deadline >= " + epoch_literal(*f.deadline_from));
  if (f.deadline_to) where.push_back("t.deadline <= " + epoch_literal(*f.deadline_to));
  if (!f.text.empty()) {
    const auto pattern = txn.quote(contains_pattern(f.text));
    where.push_back("(t.title ILIKE " + pattern + " OR t.appeal->>'content' ILIKE " + pattern +
                    ")");
  }
  if (f.supervised) where.push_back(std::string(*f.supervised ? "" : "NOT ") + "t.supervised");
  if (!f.pending.empty()) {
    where.push_back(
        "EXISTS (SELECT 1 FROM ticket_requests q WHERE q.ticket_id = t.id AND "
        "q.state = 'pending' AND q.kind = " +
        txn.quote(f.pending) + ")");
  }
  return where;
}

// " WHERE first AND where[0] AND …", or "" for no condition at all.
std::string where_clause(const std::string& first, const std::vector<std::string>& where) {
  std::string out = first.empty() ? "" : " WHERE " + first;
  for (const auto& w : where) out += (out.empty() ? " WHERE " : " AND ") + w;
  return out;
}

// Whether the filter asks only for open tickets (kOpenStatuses), the ones open_assists holds.
bool only_open(const TicketFilter& f) {
  const auto open = [](const std::string& s) {
    return std::string_view(kOpenStatuses).find("'" + s + "'") != std::string_view::npos;
  };
  return f.overdue == true ||
         (!f.statuses.empty() && std::all_of(f.statuses.begin(), f.statuses.end(), open));
}

// A department's queue: one ordered index scan per department it leads and, for open tickets by
// deadline, one per department of what it assists (open_assists); otherwise one for what any of
// them assists. Each is cut at the page's end, instead of filtering every open ticket by deadline.
// The branches read whole rows, merged in order; DISTINCT ON drops a ticket that two of them
// found (lead of one department, assisting another). Without LIMIT and OFFSET.
std::string department_queue_sql(pqxx::transaction_base& txn, const TicketFilter& f,
                                 const std::vector<std::string>& where, const std::string& order) {
  const bool by_received = f.sort == "received";
  const std::string key = by_received ? "t.received_at" : "t.deadline";
  const std::string branch = "(SELECT " + key + ", t.id, " + kSummaryColumns + " FROM tickets t";
  const std::string enough = " LIMIT " + std::to_string(f.limit + 1 + f.offset) + ")";
  std::string branches;
  for (const auto& d : f.departments) {
    branches += branch + where_clause("t.lead_department = " + txn.quote(d), where) + order +
                enough + " UNION ALL ";
  }
  if (!by_received && only_open(f)) {
    // Open tickets it assists: in the order of open_assists' index (migration 0018).
    const std::string statuses =
        f.statuses.empty() ? "" : " AND a.status = ANY(" + array_literal(txn, f.statuses) + ")";
    for (std::size_t i = 0; i < f.departments.size(); ++i) {
      branches += branch + " JOIN open_assists a ON a.ticket_id = t.id" +
                  where_clause("a.department = " + txn.quote(f.departments[i]) + statuses, where) +
                  " ORDER BY a.deadline NULLS LAST, a.ticket_id" + enough +
                  (i + 1 < f.departments.size() ? " UNION ALL " : "");
    }
  } else {
    branches +=
        branch +
        where_clause("t.assisting_departments && " + array_literal(txn, f.departments), where) +
        order + enough;
  }
  std::string columns, names;
  for (int i = 0; i < kSummaryColumnCount; ++i) {
    columns += (i ? ", u.c" : "u.c") + std::to_string(i);
    names += ", c" + std::to_string(i);
  }
  return "SELECT DISTINCT ON (u.sort_key, u.id) " + columns + " FROM (" + branches +
         ") AS u(sort_key, id" + names + ")" +
         (by_received ? " ORDER BY u.sort_key DESC, u.id DESC"
                      : " ORDER BY u.sort_key NULLS LAST, u.id");
}

}  // namespace

TicketListQuery ticket_list_query(pqxx::transaction_base& txn, const TicketFilter& f) {
  const auto where = filter_conditions(txn, f);
  const std::string order = f.sort == "received" ? " ORDER BY t.received_at DESC, t.id DESC"
                                                 : " ORDER BY t.deadline NULLS LAST, t.id";
  std::string sql = f.departments.empty() ? "SELECT " + kSummaryColumns + " FROM tickets t" +
                                                where_clause("", where) + order
                                          : department_queue_sql(txn, f, where, order);
  sql += " LIMIT " + std::to_string(f.limit + 1) + " OFFSET " + std::to_string(f.offset);
  const bool repeated = f.offset == 0 && f.text.empty() && f.phone.empty() &&
                        f.external_id.empty() && !f.deadline_from && !f.deadline_to;
  return {std::move(sql), repeated};
}

std::vector<TicketSummary> list_tickets(pqxx::transaction_base& txn, const TicketListQuery& q) {
  // A repeated page (a department's queue) is a prepared statement: parsing and planning this
  // query cost more than running it. Its values stay in the text, so its plan is the one they
  // call for (with parameters, the generic plan guesses the share of tickets a department
  // assists and scans every open ticket for it).
  const auto name = q.repeated ? list_statement(q.sql) : std::nullopt;
  const auto rows = name ? exec_prepared(txn, name->c_str(), q.sql) : txn.exec(q.sql);
  std::vector<TicketSummary> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(read_summary(row));
  return out;
}

std::optional<TicketSummary> find_ticket(pqxx::dbtransaction& txn, std::int64_t id) {
  const auto rows =
      txn.exec("SELECT " + kSummaryColumns + " FROM tickets t WHERE t.id = " + std::to_string(id));
  if (rows.empty()) return std::nullopt;
  return read_summary(rows[0]);
}

std::string ticket_content(pqxx::transaction_base& txn, std::int64_t id) {
  const auto rows =
      txn.exec_params("SELECT coalesce(appeal->>'content', '') FROM tickets WHERE id = $1", id);
  return rows.empty() ? std::string() : rows[0][0].as<std::string>();
}

std::optional<TicketForWork> lock_ticket(pqxx::dbtransaction& txn, std::int64_t id) {
  const auto rows =
      txn.exec("SELECT " + kSummaryColumns +
               ", extract(epoch FROM coalesce(t.assigned_at, t.created_at))::bigint, "
               "coalesce((t.appeal->>'publication_allowed')::boolean, false), t.appeal::text "
               "FROM tickets t WHERE t.id = " +
               std::to_string(id) + " FOR UPDATE");
  if (rows.empty()) return std::nullopt;
  TicketForWork w;
  w.summary = read_summary(rows[0]);
  w.assigned_at = std::chrono::sys_seconds(std::chrono::seconds(rows[0][19].as<long long>()));
  w.publication_allowed = rows[0][20].as<bool>();
  w.appeal_json = rows[0][21].c_str();
  return w;
}

std::optional<TicketView> ticket_view(pqxx::transaction_base& txn, std::int64_t id) {
  // The detail view is the gateway's most frequent read: one prepared statement, and a second
  // one only for a ticket that has replies (its own or those of appeals merged into it).
  static const std::string sql = [] {
    const auto at = [](const std::string& column) { return china_time_sql(column); };
    return "SELECT " + kSummaryColumns +
           ", json_build_object("
           "'appeal', t.appeal, 'routing_rule', coalesce(t.routing_rule, ''), "
           "'routing_reason', coalesce(t.routing_reason, ''), 'deadline_basis', t.deadline_basis, "
           "'supervision_note', coalesce(t.supervision_note, ''), 'created_at', " +
           at("t.created_at") + ", 'first_answer_at', " + at("t.first_answer_at") +
           ", 'answered_at', " + at("t.answered_at") +
           ", 'timeline', coalesce((SELECT json_agg(json_build_object('event_id', e.event_id, "
           "'type', e.type, 'actor', e.actor, 'at', " +
           at("e.occurred_at") +
           ", 'data', e.data) ORDER BY e.occurred_at, e.id) FROM ticket_events e "
           "WHERE e.ticket_id = t.id), '[]'), "
           "'answers', coalesce((SELECT json_agg(json_build_object('id', a.id, 'type', a.type, "
           "'content', a.content, 'department', a.department, 'author', a.author, 'publish', "
           "a.publish, 'reply_to', a.reply_to, 'at', " +
           at("a.created_at") +
           ") ORDER BY a.id) FROM answers a WHERE a.ticket_id = t.id), '[]'), "
           "'requests', coalesce((SELECT json_agg(json_build_object('id', q.id, 'kind', q.kind, "
           "'department', q.department, 'requested_by', q.requested_by, 'reason', q.reason, "
           "'days', q.days, 'state', q.state, 'decided_by', coalesce(q.decided_by, ''), "
           "'decision_note', coalesce(q.decision_note, ''), 'requested_at', " +
           at("q.requested_at") + ", 'decided_at', " + at("q.decided_at") +
           ") ORDER BY q.id) FROM ticket_requests q WHERE q.ticket_id = t.id), '[]'), "
           "'callbacks', coalesce((SELECT json_agg(json_build_object('id', c.id, 'operator', "
           "c.operator, 'reached', c.reached, 'satisfaction', c.satisfaction, 'resolved', "
           "c.resolved, 'note', c.note, 'at', " +
           at("c.called_at") +
           ") ORDER BY c.id) FROM callbacks c WHERE c.ticket_id = t.id), '[]'), "
           "'duplicates', coalesce((SELECT json_agg(json_build_object('ticket_id', l.ticket_id, "
           "'duplicate_of', l.duplicate_of, 'action', l.action, 'score', l.score, 'reason', "
           "l.reason, 'undone', l.undone_at IS NOT NULL) ORDER BY l.created_at) "
           "FROM duplicate_links l WHERE l.ticket_id = t.id OR l.duplicate_of = t.id), '[]'), "
           "'knowledge_citations', " +
           ticket_citations_sql("t.id") +
           ")::text, "
           "EXISTS (SELECT 1 FROM reply_ledger r WHERE r.ticket_id = t.id) OR "
           "EXISTS (SELECT 1 FROM tickets m JOIN reply_ledger r ON r.ticket_id = m.id "
           "WHERE m.merged_into = t.id) "
           "FROM tickets t WHERE t.id = $1";
  }();
  const auto rows = exec_prepared(txn, "ticket_view", sql, id);
  if (rows.empty()) return std::nullopt;
  TicketView view{read_summary(rows[0]), nlohmann::json::parse(rows[0][19].c_str())};
  view.detail["replies"] =
      rows[0][20].as<bool>() ? ticket_replies(txn, id) : nlohmann::json::array();
  return view;
}

std::string append_ticket_event(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                const std::string& type, const std::string& actor,
                                const nlohmann::json& data) {
  // A person's action happens once: its id is unique, not derived from a channel fact.
  const auto row = txn.exec1("SELECT gen_random_uuid()::text");
  const std::string event_id = "gw-" + std::string(row[0].c_str());
  txn.exec0(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) "
      "VALUES (" +
      std::to_string(ticket_id) + ", " + txn.quote(event_id) + ", " + txn.quote(type) + ", " +
      txn.quote(actor) + ", now(), " + txn.quote(data.dump()) + "::jsonb)");
  return event_id;
}

void change_ticket(pqxx::dbtransaction& txn, std::int64_t id, const TicketChange& c) {
  std::string sets = "updated_at = now()";
  if (c.status) sets += ", status = " + txn.quote(*c.status);
  if (c.lead) sets += ", lead_department = " + txn.quote(*c.lead);
  if (c.assisting) sets += ", assisting_departments = " + array_literal(txn, *c.assisting);
  if (c.claimed_by) {
    sets += ", claimed_by = " + (*c.claimed_by ? txn.quote(**c.claimed_by) : std::string("NULL"));
  }
  if (c.deadline) sets += ", deadline = " + epoch_literal(*c.deadline);
  if (c.mark_assigned) sets += ", assigned_at = now()";
  if (c.mark_answered) sets += ", answered_at = now()";
  if (c.mark_answered || c.mark_first_answer) {
    sets += ", first_answer_at = coalesce(first_answer_at, now())";
  }
  if (c.supervision_note) {
    sets += ", supervised = true, supervision_note = " + txn.quote(*c.supervision_note);
  }
  if (c.merged_into) {
    sets += ", merged_into = " +
            (*c.merged_into ? std::to_string(**c.merged_into) : std::string("NULL"));
  }
  if (c.reason) sets += ", routing_reason = " + txn.quote(*c.reason);
  txn.exec0("UPDATE tickets SET " + sets + " WHERE id = " + std::to_string(id));
}

std::int64_t insert_answer(pqxx::dbtransaction& txn, const AnswerRecord& a) {
  return txn
      .exec1(
          "INSERT INTO answers (ticket_id, type, content, department, author, publish, "
          "reply_to) VALUES (" +
          std::to_string(a.ticket_id) + ", " + txn.quote(a.type) + ", " + txn.quote(a.content) +
          ", " + txn.quote(a.department) + ", " + txn.quote(a.author) + ", " +
          (a.publish ? "true" : "false") + ", " +
          (a.reply_to ? txn.quote(*a.reply_to) : std::string("NULL")) + ") RETURNING id")[0]
      .as<std::int64_t>();
}

std::vector<MergedAppeal> merged_appeals(pqxx::dbtransaction& txn, std::int64_t id) {
  std::vector<MergedAppeal> out;
  for (const auto& r :
       txn.exec("SELECT id, channel, external_id, "
                "coalesce((appeal->>'publication_allowed')::boolean, false) FROM tickets "
                "WHERE merged_into = " +
                std::to_string(id) + " AND status = 'merged' ORDER BY id")) {
    out.push_back({r[0].as<std::int64_t>(), r[1].c_str(), r[2].c_str(), r[3].as<bool>()});
  }
  return out;
}

std::vector<std::string> follow_up_ids(pqxx::dbtransaction& txn, std::int64_t id) {
  std::vector<std::string> out;
  for (const auto& r :
       txn.exec("SELECT data->>'follow_up_id' FROM ticket_events WHERE ticket_id = " +
                std::to_string(id) + " AND type = 'appeal.followed_up'")) {
    if (!r[0].is_null()) out.push_back(r[0].c_str());
  }
  return out;
}

std::int64_t insert_request(pqxx::dbtransaction& txn, const TicketRequest& q) {
  if (pending_request(txn, q.ticket_id, q.kind)) {
    throw std::invalid_argument(q.kind + ": a request is already waiting for a decision");
  }
  return txn
      .exec1(
          "INSERT INTO ticket_requests (ticket_id, kind, department, requested_by, reason, "
          "days) VALUES (" +
          std::to_string(q.ticket_id) + ", " + txn.quote(q.kind) + ", " + txn.quote(q.department) +
          ", " + txn.quote(q.requested_by) + ", " + txn.quote(q.reason) + ", " +
          (q.days ? std::to_string(*q.days) : "NULL") + ") RETURNING id")[0]
      .as<std::int64_t>();
}

std::optional<TicketRequest> pending_request(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                             const std::string& kind) {
  const auto rows = txn.exec(
      "SELECT id, ticket_id, kind, department, requested_by, reason, state, days FROM "
      "ticket_requests WHERE state = 'pending' AND ticket_id = " +
      std::to_string(ticket_id) + " AND kind = " + txn.quote(kind) + " FOR UPDATE");
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  TicketRequest q{r[0].as<std::int64_t>(),
                  r[1].as<std::int64_t>(),
                  r[2].c_str(),
                  r[3].c_str(),
                  r[4].c_str(),
                  r[5].c_str(),
                  r[6].c_str(),
                  std::nullopt};
  if (!r[7].is_null()) q.days = r[7].as<int>();
  return q;
}

void decide_request(pqxx::dbtransaction& txn, std::int64_t request_id, const std::string& state,
                    const std::string& decided_by, const std::string& note) {
  txn.exec0("UPDATE ticket_requests SET state = " + txn.quote(state) + ", decided_by = " +
            txn.quote(decided_by) + ", decided_at = now(), decision_note = " + txn.quote(note) +
            " WHERE id = " + std::to_string(request_id));
}

std::int64_t insert_callback(pqxx::dbtransaction& txn, const CallbackRecord& c) {
  return txn
      .exec1(
          "INSERT INTO callbacks (ticket_id, operator, reached, satisfaction, resolved, note) "
          "VALUES (" +
          std::to_string(c.ticket_id) + ", " + txn.quote(c.operator_name) + ", " +
          (c.reached ? "true" : "false") + ", " +
          (c.satisfaction ? txn.quote(*c.satisfaction) : std::string("NULL")) + ", " +
          (c.resolved ? (*c.resolved ? "true" : "false") : "NULL") + ", " + txn.quote(c.note) +
          ") RETURNING id")[0]
      .as<std::int64_t>();
}

void merge_ticket(pqxx::dbtransaction& txn, std::int64_t id, std::int64_t into,
                  const std::string& actor, const std::string& reason) {
  txn.exec0(
      "INSERT INTO duplicate_links (ticket_id, duplicate_of, action, score, reason) VALUES (" +
      std::to_string(id) + ", " + std::to_string(into) + ", 'merged', 1, " +
      txn.quote("merged by " + actor + ": " + reason) +
      ") ON CONFLICT (ticket_id, duplicate_of) DO UPDATE SET action = 'merged', "
      "undone_at = NULL, undone_by = NULL, reason = EXCLUDED.reason");
  TicketChange change;
  change.status = "merged";
  change.merged_into = std::optional<std::int64_t>(into);
  change.claimed_by = std::optional<std::string>();
  change_ticket(txn, id, change);
}

nlohmann::json duplicate_links_of(pqxx::dbtransaction& txn, std::int64_t id) {
  nlohmann::json out = nlohmann::json::array();
  const auto tid = std::to_string(id);
  for (const auto& r : txn.exec("SELECT ticket_id, duplicate_of, action, score, reason, "
                                "undone_at IS NOT NULL FROM duplicate_links WHERE ticket_id = " +
                                tid + " OR duplicate_of = " + tid + " ORDER BY created_at")) {
    out.push_back({{"ticket_id", r[0].as<std::int64_t>()},
                   {"duplicate_of", r[1].as<std::int64_t>()},
                   {"action", r[2].c_str()},
                   {"score", r[3].as<double>()},
                   {"reason", r[4].c_str()},
                   {"undone", r[5].as<bool>()}});
  }
  return out;
}

}  // namespace appealhub::storage
