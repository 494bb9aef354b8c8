#pragma once
// What the 12328 file interface leaves for a person (migration 0014): result files the platform
// never answered, which a manager may abandon so that their replies go out again in a new file,
// and the export rows and files the hub refused. Every function works in the caller's
// transaction.

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

// Serializes planning result files, applying receipts and abandoning files (any constant unique
// to this use; transaction-level).
inline constexpr const char* kHotlineResultLock = "SELECT pg_advisory_xact_lock(1232800001)";

// A reply bound to a result file: never taken again by a lease, only settled by the receipt.
inline constexpr const char* kBoundToResultFile = "infinity";

struct AbandonOutcome {
  enum { abandoned, unknown, refused } result = unknown;
  std::string reason;                  // refused: why (the file's state, no alarm yet)
  std::vector<std::string> reply_ids;  // abandoned: the replies queued again
};

// A written result file whose receipt is overdue (reported by the result sender): marked
// abandoned, and its replies still bound to it go back to 'queued' for a new file (a fresh retry
// budget, an attempt row "file_abandoned", a reply.resend on each ticket's timeline). A receipt
// that comes for it afterwards settles nothing but what record_late_receipt() says.
AbandonOutcome abandon_result_file(pqxx::dbtransaction& txn, const std::string& name,
                                   const std::string& actor);

// Result files, newest first: name, sequence, state, rows, times, whether the receipt is overdue,
// who abandoned it, the late receipt. `states` empty: every state. At most limit + 1.
nlohmann::json list_result_files(pqxx::transaction_base& txn,
                                 const std::vector<std::string>& states, int limit, int offset);

// One refusal by the export intake: a row (line) or the whole file (no line).
struct HotlineRefusal {
  std::optional<std::size_t> line;
  std::string reason;
};

// Stores the refusals of `file` (a file read again does not list them twice).
void record_hotline_refused(pqxx::dbtransaction& txn, const std::string& file,
                            const std::vector<HotlineRefusal>& refusals);

// Refusals, newest first, each {id, file, line (null: the whole file), reason, refused_at}; only
// those of `file` when it is not empty. At most limit + 1.
nlohmann::json list_hotline_refused(pqxx::transaction_base& txn, const std::string& file, int limit,
                                    int offset);

// What the health report shows of the 12328 file interface.
struct HotlineResultsHealth {
  // Written result files the result sender reported overdue (no receipt in time).
  std::vector<std::string> without_receipt;
  nlohmann::json abandoned;  // last 7 days, oldest first: [{file, abandoned_by, late_receipt}]
  // Last 7 days: {files, rows, latest: up to 20 [{file, line (null: the file), reason}]}.
  nlohmann::json refused;
};
HotlineResultsHealth hotline_results_health(pqxx::transaction_base& txn);

}  // namespace appealhub::storage
