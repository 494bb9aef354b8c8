#pragma once
// Suggested duplicates waiting for a person (docs/duplicates.md): listed on the dispatch desk,
// confirmed (the ticket is merged) or rejected (remembered: the pair is not suggested again).
// Every function works in the caller's transaction.

#include <cstdint>
#include <string>

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

// Open suggestions between live tickets, newest first, as a JSON array of
// {ticket, duplicate_of (each {id, channel, title, content, status, received_at}), score, reason,
// found_by, suggested_at}.
std::string list_duplicate_suggestions(pqxx::transaction_base& txn, int limit);

// Locks the open suggestion that `ticket_id` repeats `duplicate_of`; false when there is none.
bool lock_duplicate_suggestion(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                               std::int64_t duplicate_of);

// Who confirmed a suggestion and why (the merge itself is recorded by the merge).
void record_suggestion_confirmed(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                 std::int64_t duplicate_of, const std::string& by,
                                 const std::string& note);

void reject_duplicate_suggestion(pqxx::dbtransaction& txn, std::int64_t ticket_id,
                                 std::int64_t duplicate_of, const std::string& by,
                                 const std::string& reason);

}  // namespace appealhub::storage
