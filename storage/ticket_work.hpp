#pragma once
// The work people do on tickets, in the store: lists and the detail view with its timeline, and
// the changes actions make (claim, answers, returns, extensions, placement, supervision,
// callbacks). The rules that decide whether an action is allowed are the gateway's; every change
// here is made in the caller's transaction together with its timeline event.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

struct TicketFilter {
  std::vector<std::string> statuses;
  std::vector<std::string> departments;  // lead or assisting in any of these
  std::string channel, kind, category, division, external_id;
  std::optional<bool> overdue;  // true: open and past its deadline
  std::optional<std::chrono::sys_seconds> deadline_from, deadline_to;
  std::string text;   // in the title or the content
  std::string phone;  // the citizen's phone, exact
  std::optional<bool> supervised;
  std::string pending;            // "return" or "extension": tickets with such a request waiting
  std::string sort = "deadline";  // "deadline" (earliest first) or "received" (newest first)
  int limit = 50;
  int offset = 0;
};

struct TicketSummary {
  std::int64_t id = 0;
  std::string channel, external_id, status, kind, category, division, urgency, title;
  std::string citizen_name, citizen_phone;
  bool anonymous = false;
  std::string lead;
  std::vector<std::string> assisting;
  std::optional<std::chrono::sys_seconds> deadline;
  std::chrono::sys_seconds received_at{};
  bool supervised = false;
  std::string claimed_by;
  std::optional<std::int64_t> merged_into;
};

// One page of a filter, as SQL. The text names everything its rows depend on: two equal texts
// run at the same instant return the same rows.
struct TicketListQuery {
  std::string sql;
  bool repeated = false;  // a first page without a search term: polled again and again
};
TicketListQuery ticket_list_query(pqxx::transaction_base& txn, const TicketFilter& filter);
// The page in the filter's order (at most limit + 1 rows: the extra one says there is more).
std::vector<TicketSummary> list_tickets(pqxx::transaction_base& txn, const TicketListQuery& query);

// A ticket locked for an action (SELECT … FOR UPDATE), or nullopt when there is none.
struct TicketForWork {
  TicketSummary summary;
  std::optional<std::chrono::sys_seconds> assigned_at;
  bool publication_allowed = false;
  std::string appeal_json;  // the stored appeal.v1 object
};
std::optional<TicketForWork> lock_ticket(pqxx::dbtransaction& txn, std::int64_t id);
std::optional<TicketSummary> find_ticket(pqxx::dbtransaction& txn, std::int64_t id);
// The citizen's text of the appeal (empty when there is none or no such ticket).
std::string ticket_content(pqxx::transaction_base& txn, std::int64_t id);

// A ticket's summary and its detail: appeal, placement, timeline (oldest first), answers,
// requests, callbacks, duplicates, knowledge citations and replies; nullopt when there is no such
// ticket. Reads without a transaction of its own: the summary and detail come from one statement,
// the replies (when there are any) from a second.
struct TicketView {
  TicketSummary summary;
  nlohmann::json detail;
};
std::optional<TicketView> ticket_view(pqxx::transaction_base& txn, std::int64_t id);

// A timeline event written by a person; returns its event id.
std::string append_ticket_event(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                const std::string& type, const std::string& actor,
                                const nlohmann::json& data);

// Column changes on the ticket (updated_at is set too). Unset members stay.
struct TicketChange {
  std::optional<std::string> status;
  std::optional<std::string> lead;
  std::optional<std::vector<std::string>> assisting;
  std::optional<std::optional<std::string>> claimed_by;
  std::optional<std::chrono::sys_seconds> deadline;
  bool mark_assigned = false;                   // assigned_at = now()
  bool mark_answered = false;                   // answered_at = now(), first_answer_at when unset
  bool mark_first_answer = false;               // first_answer_at when unset (an interim answer)
  std::optional<std::string> supervision_note;  // also sets supervised
  std::optional<std::optional<std::int64_t>> merged_into;
  std::optional<std::string> reason;  // routing_reason
};
void change_ticket(pqxx::dbtransaction& txn, std::int64_t id, const TicketChange& change);

struct AnswerRecord {
  std::int64_t ticket_id = 0;
  std::string type;  // final_answer or interim
  std::string content, department, author;
  bool publish = false;
  std::optional<std::string> reply_to;
};
std::int64_t insert_answer(pqxx::dbtransaction& txn, const AnswerRecord& answer);

// Tickets merged into `id` (they are answered with it): id, channel, external_id.
struct MergedAppeal {
  std::int64_t ticket_id;
  std::string channel, external_id;
  bool publication_allowed;
};
std::vector<MergedAppeal> merged_appeals(pqxx::dbtransaction& txn, std::int64_t id);

// Ids of follow-ups (appeal.followed_up) on the ticket's timeline.
std::vector<std::string> follow_up_ids(pqxx::dbtransaction& txn, std::int64_t id);

struct TicketRequest {
  std::int64_t id = 0, ticket_id = 0;
  std::string kind, department, requested_by, reason, state;
  std::optional<int> days;
};
// Throws std::invalid_argument when a request of that kind is already pending.
std::int64_t insert_request(pqxx::dbtransaction& txn, const TicketRequest& request);
std::optional<TicketRequest> pending_request(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                             const std::string& kind);
void decide_request(pqxx::dbtransaction& txn, std::int64_t request_id, const std::string& state,
                    const std::string& decided_by, const std::string& note);

struct CallbackRecord {
  std::int64_t ticket_id = 0;
  std::string operator_name;
  bool reached = false;
  std::optional<std::string> satisfaction;  // satisfied, mostly_satisfied, not_satisfied
  std::optional<bool> resolved;
  std::string note;
};
std::int64_t insert_callback(pqxx::dbtransaction& txn, const CallbackRecord& callback);

// Marks `id` as a repeat of `into` (a person decided): status merged, a merged duplicate link.
void merge_ticket(pqxx::dbtransaction& txn, std::int64_t id, std::int64_t into,
                  const std::string& actor, const std::string& reason);

// Duplicate links touching the ticket (suggested or merged, undone or not).
nlohmann::json duplicate_links_of(pqxx::dbtransaction& txn, std::int64_t id);

}  // namespace appealhub::storage
