#pragma once
// The knowledge base (知识库, docs/knowledge.md): standard answers with the policy they rest on,
// an owner department and a review date; every save is a new version kept with who and when.
// Published entries are searchable by the terms of core/search_terms.hpp, ranked by how rare the
// shared terms are and where they occur (docs/decisions/0016-knowledge-search-terms.md). Who may
// change what is the gateway's rule; everything here runs in the caller's transaction.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::core {
class JsonReader;
}  // namespace appealhub::core

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

struct KnowledgeEntry {
  std::int64_t id = 0;
  std::string question, answer;
  std::vector<std::string> keywords;
  std::string category = "other";
  std::vector<std::string> divisions;                                // empty: the whole city
  std::string policy_title, policy_number, policy_date, policy_url;  // date: YYYY-MM-DD or ""
  std::string owner_department;
  std::string review_date;      // YYYY-MM-DD
  std::string state = "draft";  // draft, published, expired
  int version = 0;
  std::string updated_at, updated_by;
  bool review_due = false;  // published and past its review date (China local date)
};

// As JSON (the API's and the shipped files' member names; "policy" is an object).
nlohmann::json to_json(const KnowledgeEntry& entry);
// The fields of an entry from an object as to_json writes them, through the strict reader
// (core/json_reader.hpp): reads only those members (id, version and times are the caller's to
// read or refuse) and records each problem at the member's path. A null member counts as absent.
KnowledgeEntry entry_from_json(core::JsonReader& reader);

// A new entry as version 1; returns its id.
std::int64_t create_entry(pqxx::dbtransaction& txn, const KnowledgeEntry& entry,
                          const std::string& by, const std::string& note = {});
// Saves `entry` as the next version when its stored version is `expected_version`; returns the
// new version, or nullopt when someone saved another version first.
std::optional<int> update_entry(pqxx::dbtransaction& txn, const KnowledgeEntry& entry,
                                int expected_version, const std::string& by,
                                const std::string& note = {});

std::optional<KnowledgeEntry> find_entry(pqxx::transaction_base& txn, std::int64_t id);
// Every saved version, newest first: {version, changed_by, changed_at, note, entry}.
nlohmann::json entry_versions(pqxx::transaction_base& txn, std::int64_t id);

struct EntryFilter {
  std::vector<std::string> states;
  std::vector<std::string> departments;  // owner in any of these
  std::optional<bool> review_due;
  int limit = 50, offset = 0;
};
// In owner and review date order; at most limit + 1 rows (the extra one says there is more).
std::vector<KnowledgeEntry> list_entries(pqxx::transaction_base& txn, const EntryFilter& filter);

struct KnowledgeHit {
  KnowledgeEntry entry;
  double score = 0;
};
// Published entries for a question, best first. `division`: entries limited to other divisions
// are left out ("" keeps every entry).
std::vector<KnowledgeHit> search_entries(pqxx::transaction_base& txn, std::string_view text,
                                         const std::string& division, int limit);

// Stores the entries of a shipped knowledge file ({"entries": [{"key", …}]}) that were never
// stored before (by key): a shipped entry an office changed or expired is left as it is.
// Returns how many were added; throws std::invalid_argument naming every broken member, and
// then stores nothing.
int seed_knowledge(pqxx::dbtransaction& txn, std::string_view shipped_json);

// An entry used in an answer, shown on the ticket.
void cite_entry(pqxx::dbtransaction& txn, std::int64_t ticket_id, const KnowledgeEntry& entry,
                std::optional<std::int64_t> answer_id, bool instant, const std::string& by);
// The citations on the ticket whose id is the SQL expression `ticket_id`, as an SQL expression
// of a JSON array [{entry_id, entry_version, question, answer_id, instant, cited_by, cited_at,
// policy: {title, number}}], for the ticket view to read in its own statement.
std::string ticket_citations_sql(const std::string& ticket_id);

// Published entries of these departments past their review date, oldest first (the owner's
// to-do: confirm or change, or expire).
std::vector<KnowledgeEntry> entries_due_for_review(pqxx::transaction_base& txn,
                                                   const std::vector<std::string>& departments);

// A department's earlier final answers to tickets like this text (same ranking on the tickets'
// titles and contents), best first: {ticket_id, title, answer, answered_at, score}.
nlohmann::json similar_answers(pqxx::transaction_base& txn, const std::string& department,
                               std::string_view text, std::int64_t except_ticket, int limit);

}  // namespace appealhub::storage
