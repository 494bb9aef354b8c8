#pragma once
// The 12328 outbound side: the delivery ledger's hotline12328 replies → result files in the
// platform's import/ folder → receipts from its receipt/ folder → the ledger.
//
// Contract:
// - A file is made when kMaxResultRows replies are due or the oldest due one has waited
//   flush_interval. One transaction claims its replies (ReplyLedger::claim: withdrawn and
//   reassigned tickets are failed there, never sent), records the file's name and rows in
//   hotline_result_files, advances the sequence (channel_cursors hotline12328/result_sequence)
//   and binds the replies to the file ('sending' with no lease expiry: only its receipt settles
//   them). Only then is the file written (temporary name, rename, `.ok` last) and marked written.
//   A process that dies in between writes the same name with the same rows on its next pass: the
//   platform answers a name once, so no answer reaches it twice under two sequence numbers.
// - A receipt settles each of its file's rows in one transaction with the file: 成功 → delivered,
//   系统繁忙请重试 → retrying (it goes into a later file), any other failure → failed for good with
//   the platform's reason; a row the receipt does not mention fails for good (never dropped).
// - A written file with no receipt after receipt_timeout is logged at warn once, and shown in the
//   adapter_status row "hotline12328_results" and in `appealhub health`. A manager may then
//   abandon it (POST /api/v1/hotline12328/result-files/{name}/abandon): its replies go into a new
//   file, and a receipt that still comes for it delivers only replies no new file holds yet.
// - Planning and applying receipts take a transaction-level advisory lock, so several senders
//   never plan two files with one sequence; finishing the same planned file twice writes the same
//   bytes under the same name.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "adapters/common/adapter_health.hpp"
#include "adapters/hotline12328/encoding.hpp"
#include "adapters/hotline12328/hotline12328_options.hpp"
#include "storage/database.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::adapters::hotline12328 {

struct ResultPass {
  std::size_t files_written = 0, receipts_read = 0, delivered = 0, retried = 0, failed = 0,
              overdue = 0;
};

class ResultSender {
 public:
  ResultSender(storage::DatabaseConfig database, ResultSenderOptions options,
               storage::ReplyLedger ledger);

  // One pass: finish planned files, apply receipts, make a new file when due, report overdue
  // receipts. Throws on database and file errors (the next pass picks up where this one stopped).
  ResultPass run_once();
  void run(const std::atomic<bool>& stop);

 private:
  void finish_planned(ResultPass& pass);
  void apply_receipts(ResultPass& pass);
  // Receipts for files a manager abandoned (storage/hotline_results.hpp): recorded on the file;
  // their 成功 rows deliver only replies that no new file holds yet.
  void apply_late_receipts(ResultPass& pass);
  bool plan_file();
  void report_overdue(ResultPass& pass);

  storage::DatabaseConfig database_;
  ResultSenderOptions options_;
  storage::ReplyLedger ledger_;
  std::unique_ptr<pqxx::connection> db_;
  AdapterHealth health_{"hotline12328_results"};
};

}  // namespace appealhub::adapters::hotline12328
