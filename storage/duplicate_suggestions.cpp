#include "storage/duplicate_suggestions.hpp"

#include <pqxx/pqxx>

namespace appealhub::storage {

std::string list_duplicate_suggestions(pqxx::transaction_base& txn, int limit) {
  const auto side = [](const char* t) {
    return std::string("json_build_object('id', ") + t + ".id, 'channel', " + t +
           ".channel, 'title', " + t + ".title, 'content', coalesce(" + t +
           ".appeal->>'content', ''), 'status', " + t + ".status, 'received_at', to_json(" + t +
           ".received_at))";
  };
  const auto rows = txn.exec_params(
      "SELECT json_build_object('ticket', " + side("t") + ", 'duplicate_of', " + side("o") +
          ", 'score', l.score, 'reason', l.reason, 'found_by', l.found_by, 'suggested_at',"
          " to_json(l.created_at))::text FROM duplicate_links l JOIN tickets t ON t.id ="
          " l.ticket_id JOIN tickets o ON o.id = l.duplicate_of WHERE l.action = 'suggested' AND"
          " t.status NOT IN ('merged', 'withdrawn', 'spam', 'closed', 'reassigned_out') AND"
          " o.status NOT IN ('merged', 'withdrawn', 'spam', 'closed', 'reassigned_out')"
          " ORDER BY l.created_at DESC LIMIT $1",
      limit);
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += rows[i][0].c_str();
  }
  return out + "]";
}

bool lock_duplicate_suggestion(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                               std::int64_t duplicate_of) {
  return !txn.exec_params(
                 "SELECT 1 FROM duplicate_links WHERE ticket_id = $1 AND duplicate_of = $2"
                 " AND action = 'suggested' FOR UPDATE",
                 ticket_id, duplicate_of)
              .empty();
}

void record_suggestion_confirmed(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                 std::int64_t duplicate_of, const std::string& by,
                                 const std::string& note) {
  txn.exec_params(
      "UPDATE duplicate_links SET decided_by = $3, decided_at = now(), decision_note = $4"
      " WHERE ticket_id = $1 AND duplicate_of = $2",
      ticket_id, duplicate_of, by, note);
}

void reject_duplicate_suggestion(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                 std::int64_t duplicate_of, const std::string& by,
                                 const std::string& reason) {
  txn.exec_params(
      "UPDATE duplicate_links SET action = 'rejected', decided_by = $3, decided_at = now(),"
      " decision_note = $4 WHERE ticket_id = $1 AND duplicate_of = $2",
      ticket_id, duplicate_of, by, reason);
}

}  // namespace appealhub::storage
