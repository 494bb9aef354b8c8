#pragma once
// The store side of finding duplicates by wording after intake (docs/duplicates.md, decision
// 0015): the queue of tickets to scan, their character-bigram index (ticket_grams) with how many
// tickets hold each bigram (gram_counts), and the suggestions written. Every function works in the
// caller's transaction.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct TextScanTicket {
  std::int64_t id = 0;
  std::string channel, phone, plate, division, category, title, content, status;
  std::chrono::sys_seconds received_at{};
  bool linked = false;  // already merged or suggested by a key at intake (queued tickets only)
};

// Locks the scan's state and returns how many tickets the bigram counts hold.
long long lock_text_scan(pqxx::dbtransaction& txn);

// The next `limit` queued tickets, oldest first.
std::vector<TextScanTicket> queued_for_text_scan(pqxx::dbtransaction& txn, int limit);

// Those of `grams` held by more than `cap` tickets.
std::set<std::int32_t> common_grams(pqxx::dbtransaction& txn,
                                    const std::vector<std::int32_t>& grams, long long cap);

// Indexes each ticket's bigrams and adds `counts` (bigram → tickets holding it) to gram_counts.
void index_grams(pqxx::dbtransaction& txn, const std::vector<TextScanTicket>& tickets,
                 const std::vector<std::vector<std::int32_t>>& grams_of_each,
                 const std::map<std::int32_t, int>& counts);

struct TextCandidateQuery {
  std::vector<std::int32_t> grams;  // the ticket's rarer bigrams
  std::chrono::sys_seconds from{}, to{};
  std::int64_t before_id = 0;  // only earlier tickets
  int min_shared = 0;
  int limit = 0;
  std::string category, division;
};
// Earlier tickets sharing at least `min_shared` of the bigrams within the time window, most
// shared first; only open ones of the same category or division, and never one an operator
// rejected as this ticket's duplicate.
std::vector<TextScanTicket> text_candidates(pqxx::dbtransaction& txn,
                                            const TextCandidateQuery& query);

struct TextSuggestion {
  std::int64_t ticket_id = 0, duplicate_of = 0;
  double score = 0;
  std::string reason;
};
// Writes the suggestions (found_by 'text'); a pair already linked is left alone.
void suggest_by_text(pqxx::dbtransaction& txn, const std::vector<TextSuggestion>& suggestions);

// Takes the scanned tickets off the queue and counts them.
void finish_text_scan(pqxx::dbtransaction& txn, const std::vector<std::int64_t>& scanned);

}  // namespace appealhub::storage
