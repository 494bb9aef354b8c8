#include "adapters/hotline12328/result_sender.hpp"

#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "adapters/hotline12328/result_file.hpp"
#include "core/codec.hpp"
#include "core/log.hpp"
#include "core/pause.hpp"
#include "storage/channel_cursors.hpp"
#include "storage/hotline_result_files.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChannel = "hotline12328";
constexpr const char* kSequenceCursor = "result_sequence";
std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ResultSender::ResultSender(storage::DatabaseConfig database, ResultSenderOptions options,
                           storage::ReplyLedger ledger)
    : database_(std::move(database)), options_(std::move(options)), ledger_(std::move(ledger)) {
  options_.max_rows = std::clamp<std::size_t>(options_.max_rows, 1, kMaxResultRows);
}

ResultPass ResultSender::run_once() {
  if (!db_ || !db_->is_open()) db_ = storage::connect(database_);
  fs::create_directories(options_.import_dir);
  ResultPass pass;
  finish_planned(pass);  // what a dead process left, before anything new
  apply_receipts(pass);
  apply_late_receipts(pass);
  while (plan_file()) finish_planned(pass);
  report_overdue(pass);
  health_.add("files_written", pass.files_written);
  health_.add("receipts_read", pass.receipts_read);
  health_.add("delivered", pass.delivered);
  health_.add("retried", pass.retried);
  health_.add("failed", pass.failed);
  if (pass.overdue > 0) {
    health_.failure(std::to_string(pass.overdue) + " result file(s) without a receipt after " +
                    std::to_string(options_.receipt_timeout.count()) + " minutes");
  } else {
    health_.success(true);
  }
  health_.store(*db_);
  return pass;
}

void ResultSender::finish_planned(ResultPass& pass) {
  std::vector<storage::ResultFileRecord> planned;
  {
    pqxx::read_transaction txn(*db_);
    planned = storage::result_files_in_state(txn, "planned");
  }
  for (const auto& [name, ids, receipt_error] : planned) {
    // A receipt means the platform has read this name: writing it again would change nothing.
    if (!fs::exists(options_.receipt_dir / receipt_file_name(name))) {
      std::vector<ResultRow> rows;
      {
        pqxx::read_transaction txn(*db_);
        for (const auto& request : storage::reply_requests(txn, ids)) {
          rows.push_back(result_row(request));
        }
      }
      // The rows come back in the planned order from immutable requests: the same bytes again.
      write_result_file(options_.import_dir, name, build_result_file(rows, options_.encoding));
    }
    pqxx::work txn(*db_);
    storage::mark_result_file_written(txn, name);
    txn.commit();
    ++pass.files_written;
    core::log_info("hotline12328", "result file written",
                   {{"file", name}, {"rows", std::to_string(ids.size())}});
  }
}

bool ResultSender::plan_file() {
  pqxx::work txn(*db_);
  storage::lock_hotline_results(txn);
  const auto due = storage::due_replies(txn, kChannel, options_.flush_interval);
  const auto waiting = due.waiting;
  if (waiting == 0 || (waiting < options_.max_rows && !due.oldest_waited)) return false;

  const auto claimed = ledger_.claim(txn, kChannel, static_cast<int>(options_.max_rows));
  if (claimed.empty()) {  // every one was failed unsent (withdrawn, reassigned): keep that
    txn.commit();
    return waiting > 0;
  }
  std::uint64_t sequence = 1;
  if (const auto last = storage::load_cursor(txn, kChannel, kSequenceCursor)) {
    sequence = std::stoull(*last) + 1;
  }
  const auto name = result_file_name(options_.unit, std::chrono::system_clock::now(), sequence);
  std::vector<std::string> ids;
  for (const auto& c : claimed) ids.push_back(c.request.reply_id);
  storage::plan_result_file(txn, name, sequence, ids);
  storage::save_cursor(txn, kChannel, kSequenceCursor, std::to_string(sequence));
  txn.commit();
  return true;
}

void ResultSender::apply_receipts(ResultPass& pass) {
  std::vector<storage::ResultFileRecord> written;
  {
    pqxx::read_transaction txn(*db_);
    written = storage::result_files_in_state(txn, "written");
  }
  for (const auto& [name, ids, known_error] : written) {
    const auto path = options_.receipt_dir / receipt_file_name(name);
    if (!fs::exists(path)) continue;
    std::string error;
    const auto receipt = parse_receipt(read_file(path), &error);
    pqxx::work txn(*db_);
    storage::lock_hotline_results(txn);
    if (!storage::lock_written_result_file(txn, name)) continue;  // applied by another sender
    if (!receipt) {
      // The platform may still be writing it; it stays open and is reported when overdue.
      if (error != known_error) {
        core::log_warn("hotline12328", "a receipt cannot be read",
                       {{"file", path.filename().string()}, {"error", error}});
        storage::record_receipt_error(txn, name, error);
        txn.commit();
      }
      continue;
    }
    // Receipt rows name orders, in file order: the k-th row of an order answers its k-th reply.
    std::map<std::string, std::vector<const ReceiptRow*>> by_order;
    for (const auto& r : *receipt) by_order[r.order_id].push_back(&r);
    std::map<std::string, std::size_t> used;
    // The file's replies still bound to it, locked; taken in the file's order.
    const auto bound = storage::replies_bound_to_file(txn, ids);
    std::vector<std::pair<storage::ClaimedReply, storage::DeliveryAttempt>> settled;
    for (const auto& id : ids) {
      const auto it = bound.find(id);
      if (it == bound.end()) continue;  // settled otherwise meanwhile
      const auto& c = it->second;
      const auto& rows = by_order[c.request.external_id];
      const auto k = used[c.request.external_id]++;
      storage::DeliveryAttempt a;
      a.channel_reply_id = name;
      if (k >= rows.size()) {
        a.outcome = storage::DeliveryAttempt::Outcome::failed;
        a.code = "no_receipt_row";
        a.reason = "12328: the receipt " + path.filename().string() + " has no row for this order";
      } else if (rows[k]->success) {
        a.outcome = storage::DeliveryAttempt::Outcome::delivered;
        a.code = "成功";
      } else {
        a.outcome = rows[k]->reason == kBusyReason ? storage::DeliveryAttempt::Outcome::retry
                                                   : storage::DeliveryAttempt::Outcome::failed;
        a.code = rows[k]->reason.empty() ? "失败" : rows[k]->reason;
        a.reason = "12328: " + a.code;
      }
      a.excerpt = name + ": " + (k < rows.size() && rows[k]->success ? "成功" : a.code);
      using Outcome = storage::DeliveryAttempt::Outcome;
      if (a.outcome == Outcome::delivered) {
        ++pass.delivered;
      } else if (a.outcome == Outcome::retry) {
        ++pass.retried;
      } else {
        ++pass.failed;
        core::log_warn("delivery", "a reply failed for good",
                       {{"channel", kChannel},
                        {"reply_id", c.request.reply_id},
                        {"ticket_id", std::to_string(c.request.ticket_id)},
                        {"reason", a.reason}});
      }
      settled.emplace_back(c, std::move(a));
    }
    ledger_.record_all(txn, settled);
    storage::mark_result_file_answered(txn, name);
    txn.commit();
    ++pass.receipts_read;
  }
}

void ResultSender::apply_late_receipts(ResultPass& pass) {
  std::vector<std::string> abandoned;
  {
    pqxx::read_transaction txn(*db_);
    abandoned = storage::abandoned_without_late_receipt(txn);
  }
  for (const auto& name : abandoned) {
    const auto path = options_.receipt_dir / receipt_file_name(name);
    if (!fs::exists(path)) continue;
    std::string error;
    const auto receipt = parse_receipt(read_file(path), &error);
    if (!receipt) continue;  // perhaps still being written: read again on the next pass
    std::size_t succeeded = 0;
    std::map<std::string, std::size_t> failures;
    std::map<std::string, std::vector<bool>> by_order;  // each order's rows: 成功 or not
    for (const auto& r : *receipt) {
      by_order[r.order_id].push_back(r.success);
      if (r.success) {
        ++succeeded;
      } else {
        ++failures[r.reason.empty() ? "失败" : r.reason];
      }
    }
    std::string summary = std::to_string(succeeded) + " 成功";
    for (const auto& [reason, n] : failures) summary += ", " + std::to_string(n) + " " + reason;
    pqxx::work txn(*db_);
    storage::lock_hotline_results(txn);
    // As for any receipt, the k-th row of an order answers the file's k-th reply of that order.
    std::vector<std::string> taken;
    {
      std::map<std::string, std::size_t> used;
      for (const auto& [reply_id, order] : storage::result_file_orders(txn, name)) {
        const auto& rows = by_order[order];
        const auto k = used[order]++;
        if (k < rows.size() && rows[k]) taken.push_back(reply_id);
      }
    }
    // A reply the platform took after all and that no new file holds yet is delivered now; one
    // already in a new file is settled by that file's receipt (a second 办结 of an order is
    // refused by the platform: 该工单已办结). Nothing is sent twice by this receipt.
    std::vector<std::pair<storage::ClaimedReply, storage::DeliveryAttempt>> settled;
    for (auto& c : storage::bind_waiting_replies(txn, taken)) {
      storage::DeliveryAttempt a;
      a.outcome = storage::DeliveryAttempt::Outcome::delivered;
      a.code = "成功";
      a.channel_reply_id = name;
      a.excerpt = name + ": 成功 (late receipt of an abandoned file)";
      settled.emplace_back(std::move(c), std::move(a));
    }
    ledger_.record_all(txn, settled);
    pass.delivered += settled.size();
    storage::record_late_receipt(txn, name, summary);
    txn.commit();
    core::log_warn(
        "hotline12328", "a receipt came for an abandoned result file",
        {{"file", name}, {"receipt", summary}, {"delivered_now", std::to_string(settled.size())}});
  }
}

void ResultSender::report_overdue(ResultPass& pass) {
  pqxx::work txn(*db_);
  for (const auto& [name, written_at] :
       storage::mark_overdue_result_files(txn, options_.receipt_timeout)) {
    core::log_warn("hotline12328", "a result file has no receipt",
                   {{"file", name},
                    {"written_at", written_at},
                    {"timeout_minutes", std::to_string(options_.receipt_timeout.count())}});
  }
  pass.overdue = storage::count_overdue_result_files(txn);
  txn.commit();
}

void ResultSender::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    try {
      run_once();
    } catch (const std::exception& e) {
      health_.failure(std::string("result files: ") + e.what());
      core::log_error("hotline12328", "result sender failed; trying again", {{"error", e.what()}});
      db_.reset();
    }
    core::pause_unless_stopped(stop, options_.poll_interval);
  }
}

}  // namespace appealhub::adapters::hotline12328
