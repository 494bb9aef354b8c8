#pragma once
// The 12328 result sender's records (migration 0014, docs/channels/hotline12328.md): a result file
// is planned (its replies bound to it in the reply ledger), written to the platform's folder, then
// answered by the platform's receipt; an overdue one is reported, and may be abandoned by a manager
// (hotline_results.hpp). Every function works in the caller's transaction; those that change a
// file's state expect lock_hotline_results() taken first.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "storage/reply_ledger.hpp"

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

// Serializes planning result files, applying receipts and abandoning files (transaction-level).
void lock_hotline_results(pqxx::dbtransaction& txn);

// Replies of `channel` due now, and whether the oldest has waited `flush_interval` past its time
// (a file is written when it is full or when that one has waited long enough).
struct DueReplies {
  std::size_t waiting = 0;
  bool oldest_waited = false;
};
DueReplies due_replies(pqxx::transaction_base& txn, const std::string& channel,
                       std::chrono::seconds flush_interval);

// Records a planned file holding `reply_ids` in this order, and binds those replies to it in the
// ledger (kBoundToResultFile): no lease takes them again, only the receipt settles them.
void plan_result_file(pqxx::dbtransaction& txn, const std::string& name, std::uint64_t sequence,
                      const std::vector<std::string>& reply_ids);

struct ResultFileRecord {
  std::string name;
  std::vector<std::string> reply_ids;  // in the file's order
  std::string receipt_error;           // what the last unreadable receipt said
};
// Files in `state` ('planned', 'written'), by sequence.
std::vector<ResultFileRecord> result_files_in_state(pqxx::transaction_base& txn,
                                                    const std::string& state);

// The stored requests of `reply_ids`, in that order (immutable: a file written again is the same).
std::vector<core::ReplyRequested> reply_requests(pqxx::transaction_base& txn,
                                                 const std::vector<std::string>& reply_ids);

void mark_result_file_written(pqxx::dbtransaction& txn, const std::string& name);

// Locks a written file; false when it is no longer 'written' (another sender applied it).
bool lock_written_result_file(pqxx::dbtransaction& txn, const std::string& name);

void record_receipt_error(pqxx::dbtransaction& txn, const std::string& name,
                          const std::string& error);

// The replies of `reply_ids` still bound to a result file, locked, by reply id.
std::map<std::string, ClaimedReply> replies_bound_to_file(
    pqxx::dbtransaction& txn, const std::vector<std::string>& reply_ids);

void mark_result_file_answered(pqxx::dbtransaction& txn, const std::string& name);

// Abandoned files no late receipt has been read for yet.
std::vector<std::string> abandoned_without_late_receipt(pqxx::transaction_base& txn);

// Each reply of a file with its order (工单编号), in the file's order.
std::vector<std::pair<std::string, std::string>> result_file_orders(pqxx::transaction_base& txn,
                                                                    const std::string& name);

// Binds those of `reply_ids` still waiting in the ledger (queued, retrying) to a result file and
// returns them: a late receipt settles them.
std::vector<ClaimedReply> bind_waiting_replies(pqxx::dbtransaction& txn,
                                               const std::vector<std::string>& reply_ids);

void record_late_receipt(pqxx::dbtransaction& txn, const std::string& name,
                         const std::string& summary);

// Marks written files without a receipt after `timeout` as reported, and returns those newly
// marked (name, written at in China time).
std::vector<std::pair<std::string, std::string>> mark_overdue_result_files(
    pqxx::dbtransaction& txn, std::chrono::minutes timeout);

// Written files reported overdue (still without a receipt).
std::size_t count_overdue_result_files(pqxx::transaction_base& txn);

}  // namespace appealhub::storage
