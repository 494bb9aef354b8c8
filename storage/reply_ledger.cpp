#include "storage/reply_ledger.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "core/backoff.hpp"
#include "core/channel_rules.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "core/validation.hpp"
#include "storage/database.hpp"
#include "storage/outbox.hpp"
#include "storage/statement.hpp"
#include "storage/ticket_work.hpp"

namespace appealhub::storage {
namespace {

core::Timestamp now_timestamp() {
  return core::Timestamp{
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())};
}

// At most `limit` code points of one or more lines, control characters other than line breaks
// turned into spaces: what the format allows in a reason or an excerpt.
std::string clip_text(const std::string& text, std::size_t limit, bool one_line = false) {
  std::string out;
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size() && points < limit;) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > text.size()) {  // not UTF-8: the byte is dropped
      ++i;
      continue;
    }
    if (len == 1 && (c < 0x20 || c == 0x7F)) {
      out += (!one_line && c == '\n') ? '\n' : ' ';
    } else {
      out.append(text, i, len);
    }
    i += len;
    ++points;
  }
  return out;
}

std::string nonempty(std::string text, const char* fallback) {
  if (text.find_first_not_of(" \n") == std::string::npos) return fallback;
  return text;
}

OutboxMessage to_outbox(const core::Event& event) {
  const auto errors = core::validate(event);
  if (!errors.empty()) {
    throw std::logic_error(std::string(event.name()) +
                           " would be invalid: " + core::to_string(errors));
  }
  OutboxMessage m;
  m.message_id = event.event_id;
  m.exchange = "appeals";
  m.routing_key = event.routing_key();
  m.type = std::string(event.name());
  m.body = core::encode_event(event);
  return m;
}

std::string producer_of(const std::string& channel) {
  return "adapter." + channel;
}

struct AttemptRow {
  const std::string* reply_id;
  int attempt;
  const DeliveryAttempt* a;
  const std::string* actor;
};

// One statement for every attempt given.
void insert_attempts(pqxx::dbtransaction& txn, const std::vector<AttemptRow>& rows) {
  if (rows.empty()) return;
  enum Column : std::size_t {
    kReply,
    kAttempt,
    kStarted,
    kDuration,
    kOutcome,
    kStatus,
    kCode,
    kExcerpt,
    kActor
  };
  ColumnArrays columns(
      {"text", "integer", "bigint", "integer", "text", "integer", "text", "text", "text"});
  for (const auto& r : rows) {
    const auto started_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(r.a->started_at.time_since_epoch())
            .count();
    columns.add(kReply, *r.reply_id);
    columns.add(kAttempt, std::to_string(r.attempt));
    columns.add(kStarted, std::to_string(started_ms));
    columns.add(kDuration, std::to_string(r.a->duration.count()));
    columns.add(kOutcome, to_string(r.a->outcome));
    if (r.a->status_code) {
      columns.add(kStatus, std::to_string(*r.a->status_code));
    } else {
      columns.add_null(kStatus);
    }
    columns.add(kCode, clip_text(r.a->code, 200, true));
    columns.add(kExcerpt, clip_text(r.a->excerpt, 500));
    columns.add(kActor, *r.actor);
  }
  Statement insert(
      "INSERT INTO reply_attempts (reply_id, attempt, started_at, duration_ms, outcome, "
      "status_code, code, excerpt, actor) SELECT v.reply, v.attempt, "
      "to_timestamp(v.started::double precision / 1000), v.duration, v.outcome, v.status, v.code, "
      "v.excerpt, v.actor FROM ");
  std::move(columns).unnest_into(
      insert, "reply, attempt, started, duration, outcome, status, code, excerpt, actor");
  insert.sql(" ORDER BY v.n");
  insert.exec(txn);
}

void insert_attempt(pqxx::dbtransaction& txn, const std::string& reply_id, int attempt,
                    const DeliveryAttempt& a, const std::string& actor) {
  insert_attempts(txn, {{&reply_id, attempt, &a, &actor}});
}

}  // namespace

core::ReplyRequested decode_reply_request(const std::string& json) {
  auto decoded = core::decode_event(json);
  if (!decoded)
    throw std::runtime_error("stored reply.requested unreadable: " +
                             core::to_string(decoded.errors()));
  const auto* r = std::get_if<core::ReplyRequested>(&decoded.event().body);
  if (!r) throw std::runtime_error("stored request is not a reply.requested");
  return *r;
}

std::string_view to_string(DeliveryAttempt::Outcome outcome) {
  switch (outcome) {
    case DeliveryAttempt::Outcome::delivered:
      return "delivered";
    case DeliveryAttempt::Outcome::retry:
      return "retry";
    case DeliveryAttempt::Outcome::failed:
      return "failed";
  }
  return "";
}

std::chrono::milliseconds retry_delay(const DeliveryPolicy& policy, int attempt,
                                      std::optional<std::chrono::seconds> retry_after) {
  using std::chrono::milliseconds;
  auto delay = core::backoff_delay(policy.backoff_min, policy.backoff_max, attempt - 1);
  if (retry_after) delay = std::max(delay, milliseconds(*retry_after));
  return delay;
}

ReplyLedger::ReplyLedger(DeliveryPolicy policy, std::string actor)
    : policy_(policy), actor_(std::move(actor)) {}

bool ReplyLedger::record_request(pqxx::dbtransaction& txn, const core::Event& event,
                                 const std::string& body) const {
  const auto& r = std::get<core::ReplyRequested>(event.body);
  const auto rows = txn.exec_params(
      "INSERT INTO reply_ledger (reply_id, ticket_id, channel, external_id, type, request) "
      "VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (reply_id) DO NOTHING RETURNING 1",
      r.reply_id, r.ticket_id, r.channel, r.external_id, std::string(core::to_string(r.type)),
      body);
  return !rows.empty();
}

std::vector<ClaimedReply> ReplyLedger::claim(pqxx::dbtransaction& txn, const std::string& channel,
                                             int limit) const {
  const auto due = txn.exec_params(
      "WITH due AS (SELECT reply_id FROM reply_ledger WHERE channel = $1 AND "
      "((state IN ('queued', 'retrying') AND next_attempt_at <= now()) OR "
      "(state = 'sending' AND sending_since < now() - make_interval(secs => $2))) "
      "ORDER BY next_attempt_at, reply_id LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "SELECT l.reply_id, l.request::text, l.attempts, coalesce(t.status, '') "
      "FROM reply_ledger l JOIN due USING (reply_id) LEFT JOIN tickets t ON t.id = l.ticket_id "
      "ORDER BY l.next_attempt_at, l.reply_id",
      channel, static_cast<double>(policy_.lease.count()), limit);
  std::vector<ClaimedReply> out;
  std::vector<std::string> ids;
  for (const auto& row : due) {
    ClaimedReply c;
    c.request = decode_reply_request(row[1].c_str());
    c.attempt = row[2].as<int>();
    c.ticket_status = row[3].c_str();
    const bool moved_away = c.ticket_status == "withdrawn" || c.ticket_status == "reassigned_out";
    if ((moved_away && c.attempt == 0) || c.ticket_status.empty()) {
      fail_unsendable(txn, c,
                      c.ticket_status.empty()
                          ? "no ticket " + std::to_string(c.request.ticket_id) + " in the hub"
                          : "not sent: the ticket is " + c.ticket_status);
      continue;
    }
    ids.push_back(c.request.reply_id);
    out.push_back(std::move(c));
  }
  if (ids.empty()) return out;
  const auto leased = txn.exec_params(
      "UPDATE reply_ledger SET state = 'sending', sending_since = clock_timestamp(), "
      "attempts = attempts + 1, updated_at = now() WHERE reply_id = ANY($1::text[]) "
      "RETURNING reply_id, attempts, sending_since::text",
      text_array_literal(ids));
  for (const auto& row : leased) {
    for (auto& c : out) {
      if (c.request.reply_id == row[0].c_str()) {
        c.attempt = row[1].as<int>();
        c.sending_since = row[2].c_str();
      }
    }
  }
  return out;
}

void ReplyLedger::fail_unsendable(pqxx::dbtransaction& txn, const ClaimedReply& c,
                                  const std::string& reason) const {
  txn.exec_params(
      "UPDATE reply_ledger SET state = 'failed', failed_at = now(), updated_at = now(), "
      "sending_since = NULL, last_error = $2 WHERE reply_id = $1",
      c.request.reply_id, reason);
  DeliveryAttempt a;
  a.outcome = DeliveryAttempt::Outcome::failed;
  a.code = "not_sent";
  a.reason = reason;
  insert_attempt(txn, c.request.reply_id, c.attempt, a, actor_);
  settle(txn, c.request, c.attempt, a, true);
}

bool ReplyLedger::record(pqxx::dbtransaction& txn, const ClaimedReply& c,
                         const DeliveryAttempt& a) const {
  return record_all(txn, {{c, a}}).front();
}

namespace {

// The new state of one reply after an attempt: its ledger row's values and its event.
struct Change {
  bool event = true;  // a reply.delivered / reply.failed fact (not for a throttled attempt)
  bool final_failure = false;
  DeliveryAttempt shown;  // what the event says
  std::string state, error, channel_id;
  double delay = 0;     // seconds to the next attempt
  int budget_step = 0;  // 1: the attempt is not counted against the reply's budget
};

// `budget_from`: the attempts before the reply's last resend, which are not counted.
Change change_of(const ClaimedReply& c, const DeliveryAttempt& a, int budget_from,
                 const DeliveryPolicy& policy) {
  using Outcome = DeliveryAttempt::Outcome;
  Change change;
  change.shown = a;
  const auto reason = nonempty(clip_text(a.reason, 2000), "delivery failed");
  if (a.outcome == Outcome::delivered) {
    change.state = "delivered";
    change.channel_id = clip_text(a.channel_reply_id, 128, true);
  } else if (a.throttled && a.outcome == Outcome::retry) {
    // Not the reply's attempt: out of its budget, no backoff, no reply.failed event.
    change.event = false;
    change.state = "retrying";
    change.error = nonempty(clip_text(a.reason, 2000), "rate limited");
    change.delay = static_cast<double>(
        std::max<std::int64_t>(a.retry_after.value_or(std::chrono::seconds(1)).count(), 1));
    change.budget_step = 1;
  } else {
    const int counted = c.attempt - budget_from;
    change.final_failure = a.outcome == Outcome::failed || counted >= policy.max_attempts;
    if (change.final_failure) {
      change.state = "failed";
      change.error = a.outcome == Outcome::failed
                         ? reason
                         : "gave up after " + std::to_string(c.attempt) + " attempts: " + reason;
      change.shown.reason = change.error;
    } else {
      change.state = "retrying";
      change.error = reason;
      change.delay =
          static_cast<double>(retry_delay(policy, counted, a.retry_after).count()) / 1000.0;
    }
  }
  return change;
}

}  // namespace

std::vector<bool> ReplyLedger::record_all(
    pqxx::dbtransaction& txn,
    const std::vector<std::pair<ClaimedReply, DeliveryAttempt>>& settled) const {
  using Outcome = DeliveryAttempt::Outcome;
  std::vector<bool> held(settled.size(), false);
  if (settled.empty()) return held;
  std::vector<AttemptRow> attempts;
  std::vector<OutboxMessage> outbox;
  std::vector<std::string> not_delivered;
  for (const auto& [c, a] : settled) {
    attempts.push_back({&c.request.reply_id, c.attempt, &a, &actor_});
    for (const auto& e : a.channel_news) outbox.push_back(to_outbox(e));
    if (a.outcome != Outcome::delivered) not_delivered.push_back(c.request.reply_id);
  }
  insert_attempts(txn, attempts);
  enqueue_outbox(txn, outbox);
  outbox.clear();
  std::map<std::string, int> budget;  // attempts before the last resend: not counted
  if (!not_delivered.empty()) {
    Statement q("SELECT reply_id, budget_from FROM reply_ledger WHERE reply_id = ANY(");
    q.text_array(not_delivered).sql(")");
    for (const auto& row : q.exec(txn)) budget[row[0].c_str()] = row[1].as<int>();
  }

  // The new state of each reply, applied in one statement to the rows its sender still holds.
  std::vector<Change> changes;
  enum Column : std::size_t { kReply, kSince, kState, kError, kChannelId, kDelay, kBudget };
  ColumnArrays columns({"text", "text", "text", "text", "text", "double precision", "integer"});
  for (const auto& [c, a] : settled) {
    auto change = change_of(c, a, budget[c.request.reply_id], policy_);
    columns.add(kReply, c.request.reply_id);
    columns.add(kSince, c.sending_since);
    columns.add(kState, change.state);
    columns.add(kError, change.error);
    columns.add(kChannelId, change.channel_id);
    columns.add(kDelay, std::to_string(change.delay));
    columns.add(kBudget, std::to_string(change.budget_step));
    changes.push_back(std::move(change));
  }
  Statement update(
      "UPDATE reply_ledger l SET state = v.state, updated_at = now(), sending_since = NULL, "
      "last_error = v.error, "
      "channel_reply_id = CASE WHEN v.state = 'delivered' THEN v.channel_id "
      "ELSE l.channel_reply_id END, "
      "delivered_at = CASE WHEN v.state = 'delivered' THEN now() ELSE l.delivered_at END, "
      "failed_at = CASE WHEN v.state = 'failed' THEN now() ELSE l.failed_at END, "
      "next_attempt_at = CASE WHEN v.state = 'retrying' THEN now() + make_interval(secs => "
      "v.delay) ELSE l.next_attempt_at END, "
      "budget_from = l.budget_from + v.budget FROM ");
  std::move(columns).unnest_into(update, "reply, since, state, error, channel_id, delay, budget");
  // Only rows this sender still holds: a lease that passed belongs to the sender that took it.
  update.sql(
      " WHERE l.reply_id = v.reply AND l.state = 'sending' AND "
      "l.sending_since = v.since::timestamptz RETURNING l.reply_id");
  std::set<std::string> kept;
  for (const auto& row : update.exec(txn)) kept.insert(row[0].c_str());
  for (std::size_t i = 0; i < settled.size(); ++i) {
    const auto& [c, a] = settled[i];
    held[i] = kept.count(c.request.reply_id) > 0;
    if (held[i] && changes[i].event) {
      outbox.push_back(
          to_outbox(settlement(c.request, c.attempt, changes[i].shown, changes[i].final_failure)));
    }
  }
  enqueue_outbox(txn, outbox);
  return held;
}

void ReplyLedger::settle(pqxx::dbtransaction& txn, const core::ReplyRequested& r, int attempts,
                         const DeliveryAttempt& a, bool final_failure) const {
  enqueue_outbox(txn, to_outbox(settlement(r, attempts, a, final_failure)));
}

core::Event ReplyLedger::settlement(const core::ReplyRequested& r, int attempts,
                                    const DeliveryAttempt& a, bool final_failure) const {
  core::Event e;
  e.occurred_at = now_timestamp();
  e.producer = producer_of(r.channel);
  if (a.outcome == DeliveryAttempt::Outcome::delivered) {
    core::ReplyDelivered d;
    d.reply_id = r.reply_id;
    d.ticket_id = r.ticket_id;
    d.channel = r.channel;
    d.external_id = r.external_id;
    d.channel_reply_id = clip_text(a.channel_reply_id, 128, true);
    d.attempts = std::max(attempts, 1);
    d.delivered_at = e.occurred_at;
    e.event_id = core::make_event_id("reply.delivered", r.channel, r.external_id, r.reply_id);
    e.body = d;
  } else {
    core::ReplyFailed f;
    f.reply_id = r.reply_id;
    f.ticket_id = r.ticket_id;
    f.channel = r.channel;
    f.external_id = r.external_id;
    f.reason = nonempty(clip_text(a.reason, 2000), "delivery failed");
    f.final = final_failure;
    f.attempts = std::max(attempts, 1);
    f.failed_at = e.occurred_at;
    // One fact per attempt (a resent reply continues the count); a final failure without an
    // attempt is its own fact.
    e.event_id = core::make_event_id(
        "reply.failed", r.channel, r.external_id,
        r.reply_id + ":" + std::to_string(attempts) + (final_failure ? ":final" : ""));
    e.body = f;
  }
  return e;
}

int ReplyLedger::record_callback(pqxx::dbtransaction& txn, std::int64_t ticket_id, bool reached,
                                 const std::string& operator_name, const std::string& note) const {
  const auto rows = txn.exec_params(
      "SELECT reply_id, request::text, attempts, budget_from FROM reply_ledger "
      "WHERE ticket_id = $1 AND channel = 'operator' AND state IN ('queued', 'retrying') "
      "ORDER BY created_at, reply_id FOR UPDATE",
      ticket_id);
  int settled = 0;
  for (const auto& row : rows) {
    ClaimedReply c;
    c.request = decode_reply_request(row[1].c_str());
    c.attempt = row[2].as<int>() + 1;
    const int budget = row[3].as<int>();
    DeliveryAttempt a;
    a.outcome = reached ? DeliveryAttempt::Outcome::delivered : DeliveryAttempt::Outcome::retry;
    a.code = reached ? "reached" : "not_reached";
    a.excerpt = note;
    a.reason = reached ? "" : "the citizen was not reached by phone";
    insert_attempt(txn, c.request.reply_id, c.attempt, a, operator_name);
    bool final_failure = false;
    if (reached) {
      txn.exec_params(
          "UPDATE reply_ledger SET state = 'delivered', attempts = $2, delivered_at = now(), "
          "updated_at = now(), last_error = '' WHERE reply_id = $1",
          c.request.reply_id, c.attempt);
    } else if (c.attempt - budget >= policy_.operator_max_attempts) {
      final_failure = true;
      a.reason = "the citizen was not reached in " + std::to_string(c.attempt - budget) + " calls";
      txn.exec_params(
          "UPDATE reply_ledger SET state = 'failed', attempts = $2, failed_at = now(), "
          "updated_at = now(), last_error = $3 WHERE reply_id = $1",
          c.request.reply_id, c.attempt, a.reason);
    } else {
      txn.exec_params(
          "UPDATE reply_ledger SET state = 'retrying', attempts = $2, updated_at = now(), "
          "last_error = $3 WHERE reply_id = $1",
          c.request.reply_id, c.attempt, a.reason);
    }
    settle(txn, c.request, c.attempt, a, final_failure);
    ++settled;
  }
  return settled;
}

std::optional<std::string> ReplyLedger::resend(pqxx::dbtransaction& txn,
                                               const std::string& reply_id,
                                               const std::string& actor) const {
  const auto rows = txn.exec_params(
      "SELECT state, ticket_id FROM reply_ledger WHERE reply_id = $1 FOR UPDATE", reply_id);
  if (rows.empty()) return std::nullopt;
  const std::string state = rows[0][0].c_str();
  if (state != "failed" && state != "retrying") return state;
  txn.exec_params(
      "UPDATE reply_ledger SET state = 'queued', next_attempt_at = now(), failed_at = NULL, "
      "budget_from = attempts, updated_at = now() WHERE reply_id = $1",
      reply_id);
  const auto ticket_id = rows[0][1].as<std::int64_t>();
  if (!txn.exec_params("SELECT 1 FROM tickets WHERE id = $1", ticket_id).empty()) {
    append_ticket_event(txn, ticket_id, "reply.resend", actor,
                        {{"reply_id", reply_id}, {"was", state}});
  }
  return state;
}

namespace {

const char* kReplyColumns =
    "l.reply_id, l.ticket_id, l.channel, l.external_id, l.type, l.state, l.attempts, "
    "l.last_error, l.channel_reply_id, "
    "to_char(l.next_attempt_at AT TIME ZONE 'Asia/Shanghai', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'), "
    "to_char(l.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'), "
    "to_char(l.updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'), "
    "to_char(l.delivered_at AT TIME ZONE 'Asia/Shanghai', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'), "
    "to_char(l.failed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'), "
    "coalesce(t.lead_department, ''), coalesce(t.status, ''), "
    "a.status_code, coalesce(a.code, ''), coalesce(a.excerpt, ''), coalesce(t.channel, '')";

const char* kReplyJoins =
    " FROM reply_ledger l LEFT JOIN tickets t ON t.id = l.ticket_id "
    "LEFT JOIN LATERAL (SELECT status_code, code, excerpt FROM reply_attempts x "
    "WHERE x.reply_id = l.reply_id ORDER BY x.id DESC LIMIT 1) a ON true";

nlohmann::json null_or(const pqxx::field& f) {
  return f.is_null() ? nlohmann::json() : nlohmann::json(f.c_str());
}

nlohmann::json reply_json(const pqxx::row& r) {
  nlohmann::json last = nullptr;
  if (!r[16].is_null() || std::string(r[17].c_str()) != "") {
    last = {{"status_code", r[16].is_null() ? nlohmann::json() : nlohmann::json(r[16].as<int>())},
            {"code", r[17].c_str()},
            {"excerpt", r[18].c_str()}};
  }
  const std::string state = r[5].c_str();
  // An operator reply to an appeal from another channel: a redone answer that channel cannot take.
  const std::string channel = r[2].c_str(), ticket_channel = r[19].c_str();
  const auto callback_reason =
      channel == "operator" && !ticket_channel.empty() && ticket_channel != "operator"
          ? nlohmann::json(core::second_answer_refusal(ticket_channel))
          : nlohmann::json();
  return {{"reply_id", r[0].c_str()},
          {"ticket_id", r[1].as<std::int64_t>()},
          {"channel", r[2].c_str()},
          {"external_id", r[3].c_str()},
          {"type", r[4].c_str()},
          {"state", state},
          {"attempts", r[6].as<int>()},
          {"last_error", r[7].c_str()},
          {"channel_reply_id", r[8].c_str()},
          {"next_attempt_at",
           state == "queued" || state == "retrying" ? null_or(r[9]) : nlohmann::json()},
          {"created_at", r[10].c_str()},
          {"updated_at", r[11].c_str()},
          {"delivered_at", null_or(r[12])},
          {"failed_at", null_or(r[13])},
          {"lead_department", r[14].c_str()},
          {"ticket_status", r[15].c_str()},
          {"last_attempt", last},
          {"callback_reason", callback_reason}};
}

}  // namespace

nlohmann::json list_replies(pqxx::dbtransaction& txn, const ReplyFilter& f) {
  std::string where = " WHERE true";
  if (!f.states.empty())
    where += " AND l.state = ANY(" + txn.quote(text_array_literal(f.states)) + "::text[])";
  if (!f.departments.empty()) {
    const auto mine = txn.quote(text_array_literal(f.departments)) + "::text[]";
    where +=
        " AND (t.lead_department = ANY(" + mine + ") OR t.assisting_departments && " + mine + ")";
  }
  if (!f.channel.empty()) where += " AND l.channel = " + txn.quote(f.channel);
  if (f.ticket_id) where += " AND l.ticket_id = " + std::to_string(*f.ticket_id);
  const auto rows = txn.exec(std::string("SELECT ") + kReplyColumns + kReplyJoins + where +
                             " ORDER BY l.updated_at DESC, l.reply_id LIMIT " +
                             std::to_string(f.limit + 1) + " OFFSET " + std::to_string(f.offset));
  auto out = nlohmann::json::array();
  for (const auto& r : rows) out.push_back(reply_json(r));
  return out;
}

nlohmann::json ticket_replies(pqxx::transaction_base& txn, std::int64_t ticket_id) {
  // A merged appeal is answered with its primary: its replies show on the primary too.
  static const std::string sql =
      std::string("SELECT ") + kReplyColumns + kReplyJoins +
      " WHERE l.ticket_id = $1 OR l.ticket_id IN (SELECT id FROM "
      "tickets WHERE merged_into = $1) ORDER BY l.created_at, l.reply_id";
  const auto rows = exec_prepared(txn, "ticket_replies", sql, ticket_id);
  auto out = nlohmann::json::array();
  for (const auto& r : rows) out.push_back(reply_json(r));
  return out;
}

bool has_standing_answer(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                         const std::string& channel, bool finals_only) {
  // The answers written on the ticket, or on the primary it is merged into, carry their reply ids
  // ("ans-<answer>-t<ticket>") on the timeline at once; the ledger learns them a moment later, so a
  // reply it does not know yet counts as standing.
  static const std::string sql =
      "SELECT EXISTS (SELECT 1 FROM ticket_events e, "
      "jsonb_array_elements_text(e.data->'reply_ids') rid "
      "WHERE e.ticket_id IN (SELECT $1::bigint UNION SELECT merged_into FROM tickets "
      "WHERE id = $1 AND merged_into IS NOT NULL) "
      "AND e.type = ANY($3::text[]) AND rid LIKE 'ans-%-t' || $1::text "
      "AND NOT EXISTS (SELECT 1 FROM reply_ledger l WHERE l.reply_id = rid "
      "AND (l.state = 'failed' OR l.channel <> $2)))";
  return txn
      .exec_params(sql, ticket_id, channel,
                   finals_only ? "{answer.final}" : "{answer.final,answer.interim}")[0][0]
      .as<bool>();
}

std::optional<std::string> reply_department(pqxx::dbtransaction& txn, const std::string& reply_id) {
  const auto rows = txn.exec_params(
      "SELECT coalesce(t.lead_department, '') FROM reply_ledger l LEFT JOIN tickets t "
      "ON t.id = l.ticket_id WHERE l.reply_id = $1",
      reply_id);
  if (rows.empty()) return std::nullopt;
  return std::string(rows[0][0].c_str());
}

bool apply_delivery_outcome(pqxx::dbtransaction& txn, const std::string& consumer,
                            const core::Event& event) {
  if (txn.exec_params("INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) "
                      "ON CONFLICT DO NOTHING RETURNING 1",
                      consumer, event.event_id)
          .empty()) {
    return false;
  }
  std::int64_t ticket_id = 0;
  std::string reply_id, type;
  nlohmann::json data;
  if (const auto* d = std::get_if<core::ReplyDelivered>(&event.body)) {
    ticket_id = d->ticket_id;
    reply_id = d->reply_id;
    type = "reply.delivered";
    data = {{"reply_id", d->reply_id},
            {"channel", d->channel},
            {"external_id", d->external_id},
            {"channel_reply_id", d->channel_reply_id},
            {"attempts", d->attempts}};
  } else if (const auto* f = std::get_if<core::ReplyFailed>(&event.body)) {
    ticket_id = f->ticket_id;
    reply_id = f->reply_id;
    type = "reply.failed";
    data = {{"reply_id", f->reply_id}, {"channel", f->channel}, {"external_id", f->external_id},
            {"reason", f->reason},     {"final", f->final},     {"attempts", f->attempts}};
  } else {
    throw std::invalid_argument(std::string(event.name()) + " is not a delivery outcome");
  }
  const auto ticket = txn.exec_params(
      "SELECT status, answered_at IS NOT NULL FROM tickets WHERE id = $1 FOR UPDATE", ticket_id);
  if (ticket.empty()) return false;
  txn.exec_params(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) VALUES "
      "($1, $2, $3, $4, $5::timestamptz, $6::jsonb) ON CONFLICT (event_id) DO NOTHING",
      ticket_id, event.event_id, type, event.producer, core::format_rfc3339(event.occurred_at),
      data.dump());
  if (type == "reply.delivered" && std::string(ticket[0][0].c_str()) == "answered") {
    // Only the latest final answer's delivery finishes the ticket (an earlier answer's late
    // confirmation after a reopening must not).
    const auto latest = txn.exec_params(
        "SELECT 1 FROM reply_ledger l JOIN tickets t ON t.id = l.ticket_id WHERE l.reply_id = $1 "
        "AND l.type = 'final_answer' AND l.created_at >= t.answered_at",
        reply_id);
    if (!latest.empty()) {
      txn.exec_params("UPDATE tickets SET status = 'delivered', updated_at = now() WHERE id = $1",
                      ticket_id);
    }
  }
  return true;
}

}  // namespace appealhub::storage
