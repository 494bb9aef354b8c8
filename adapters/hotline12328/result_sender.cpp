#include "adapters/hotline12328/result_sender.hpp"

#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "adapters/hotline12328/result_file.hpp"
#include "core/codec.hpp"
#include "core/log.hpp"
#include "storage/channel_cursors.hpp"
#include "storage/hotline_results.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChannel = "hotline12328";
constexpr const char* kSequenceCursor = "result_sequence";
// Serializes planning, receipts and abandoning a file across senders and gateways.
constexpr const char* kLock = storage::kHotlineResultLock;
// A reply bound to a result file: never taken again by a lease, only settled by the receipt.
constexpr const char* kBound = storage::kBoundToResultFile;

// Parses a Postgres text[] of plain ids (reply ids are [A-Za-z0-9._:-]).
std::vector<std::string> text_array(const std::string& literal) {
  std::vector<std::string> out;
  std::string item;
  bool quoted = false;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\\' && i + 2 < literal.size()) {
      item += literal[++i];
    } else if (c == ',' && !quoted) {
      out.push_back(std::move(item));
      item.clear();
    } else {
      item += c;
    }
  }
  if (literal.size() > 2) out.push_back(std::move(item));
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& s : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

core::ReplyRequested decode_request(const std::string& json) {
  auto decoded = core::decode_event(json);
  const auto* r = decoded ? std::get_if<core::ReplyRequested>(&decoded.event().body) : nullptr;
  if (!r) throw std::runtime_error("a stored reply.requested is unreadable");
  return *r;
}

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
  std::vector<std::pair<std::string, std::vector<std::string>>> planned;
  {
    pqxx::read_transaction txn(*db_);
    for (const auto& row : txn.exec("SELECT name, reply_ids::text FROM hotline_result_files "
                                    "WHERE state = 'planned' ORDER BY sequence")) {
      planned.emplace_back(row[0].c_str(), text_array(row[1].c_str()));
    }
  }
  for (const auto& [name, ids] : planned) {
    // A receipt means the platform has read this name: writing it again would change nothing.
    if (!fs::exists(options_.receipt_dir / receipt_file_name(name))) {
      std::vector<ResultRow> rows;
      {
        pqxx::read_transaction txn(*db_);
        const auto stored = txn.exec_params(
            "SELECT reply_id, request::text FROM reply_ledger "
            "WHERE reply_id = ANY($1::text[])",
            array_literal(ids));
        std::map<std::string, std::string> by_id;
        for (const auto& r : stored) by_id[r[0].c_str()] = r[1].c_str();
        for (const auto& id : ids) rows.push_back(result_row(decode_request(by_id.at(id))));
      }
      // The rows come back in the planned order from immutable requests: the same bytes again.
      write_result_file(options_.import_dir, name, build_result_file(rows, options_.encoding));
    }
    pqxx::work txn(*db_);
    txn.exec_params(
        "UPDATE hotline_result_files SET state = 'written', written_at = now() "
        "WHERE name = $1 AND state = 'planned'",
        name);
    txn.commit();
    ++pass.files_written;
    core::log_info("hotline12328", "result file written",
                   {{"file", name}, {"rows", std::to_string(ids.size())}});
  }
}

bool ResultSender::plan_file() {
  pqxx::work txn(*db_);
  txn.exec(kLock);
  const auto due = txn.exec_params1(
      "SELECT count(*), coalesce(min(next_attempt_at) <= now() - make_interval(secs => $2), "
      "false) FROM reply_ledger WHERE channel = $1 AND state IN ('queued', 'retrying') AND "
      "next_attempt_at <= now()",
      kChannel, static_cast<double>(options_.flush_interval.count()));
  const auto waiting = due[0].as<std::size_t>();
  if (waiting == 0 || (waiting < options_.max_rows && !due[1].as<bool>())) return false;

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
  txn.exec_params(
      "INSERT INTO hotline_result_files (name, sequence, reply_ids) VALUES ($1, $2, $3::text[])",
      name, static_cast<long long>(sequence), array_literal(ids));
  txn.exec_params(
      "UPDATE reply_ledger SET sending_since = $2::timestamptz "
      "WHERE reply_id = ANY($1::text[])",
      array_literal(ids), std::string(kBound));
  storage::save_cursor(txn, kChannel, kSequenceCursor, std::to_string(sequence));
  txn.commit();
  return true;
}

void ResultSender::apply_receipts(ResultPass& pass) {
  std::vector<std::pair<std::string, std::string>> written;  // name, receipt_error
  {
    pqxx::read_transaction txn(*db_);
    for (const auto& row : txn.exec("SELECT name, receipt_error FROM hotline_result_files "
                                    "WHERE state = 'written' ORDER BY sequence")) {
      written.emplace_back(row[0].c_str(), row[1].c_str());
    }
  }
  for (const auto& [name, known_error] : written) {
    const auto path = options_.receipt_dir / receipt_file_name(name);
    if (!fs::exists(path)) continue;
    std::string error;
    const auto receipt = parse_receipt(read_file(path), &error);
    pqxx::work txn(*db_);
    txn.exec(kLock);
    const auto file = txn.exec_params(
        "SELECT reply_ids::text FROM hotline_result_files WHERE name = $1 AND state = 'written' "
        "FOR UPDATE",
        name);
    if (file.empty()) continue;  // another sender applied it meanwhile
    if (!receipt) {
      // The platform may still be writing it; it stays open and is reported when overdue.
      if (error != known_error) {
        core::log_warn("hotline12328", "a receipt cannot be read",
                       {{"file", path.filename().string()}, {"error", error}});
        txn.exec_params("UPDATE hotline_result_files SET receipt_error = $2 WHERE name = $1", name,
                        error);
        txn.commit();
      }
      continue;
    }
    // Receipt rows name orders, in file order: the k-th row of an order answers its k-th reply.
    std::map<std::string, std::vector<const ReceiptRow*>> by_order;
    for (const auto& r : *receipt) by_order[r.order_id].push_back(&r);
    std::map<std::string, std::size_t> used;
    // The file's replies still bound to it, locked, in the file's order.
    const auto ids = text_array(file[0][0].c_str());
    std::map<std::string, storage::ClaimedReply> bound;
    for (const auto& row : txn.exec_params(
             "SELECT reply_id, request::text, attempts, sending_since::text FROM reply_ledger "
             "WHERE reply_id = ANY($1::text[]) AND state = 'sending' AND "
             "sending_since = $2::timestamptz FOR UPDATE",
             array_literal(ids), std::string(kBound))) {
      storage::ClaimedReply c;
      c.request = decode_request(row[1].c_str());
      c.attempt = row[2].as<int>();
      c.sending_since = row[3].c_str();
      bound.emplace(row[0].c_str(), std::move(c));
    }
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
    txn.exec_params(
        "UPDATE hotline_result_files SET state = 'answered', answered_at = now(), "
        "receipt_error = '' WHERE name = $1",
        name);
    txn.commit();
    ++pass.receipts_read;
  }
}

void ResultSender::apply_late_receipts(ResultPass& pass) {
  std::vector<std::string> abandoned;
  {
    pqxx::read_transaction txn(*db_);
    for (const auto& row : txn.exec("SELECT name FROM hotline_result_files "
                                    "WHERE state = 'abandoned' AND late_receipt_at IS NULL")) {
      abandoned.emplace_back(row[0].c_str());
    }
  }
  for (const auto& name : abandoned) {
    const auto path = options_.receipt_dir / receipt_file_name(name);
    if (!fs::exists(path)) continue;
    std::string error;
    const auto receipt = parse_receipt(read_file(path), &error);
    if (!receipt) continue;  // perhaps still being written: read again on the next pass
    std::size_t succeeded = 0;
    std::map<std::string, std::size_t> failures;
    std::map<std::string, std::size_t> successes_by_order;
    for (const auto& r : *receipt) {
      if (r.success) {
        ++succeeded;
        ++successes_by_order[r.order_id];
      } else {
        ++failures[r.reason.empty() ? "失败" : r.reason];
      }
    }
    std::string summary = std::to_string(succeeded) + " 成功";
    for (const auto& [reason, n] : failures) summary += ", " + std::to_string(n) + " " + reason;
    pqxx::work txn(*db_);
    txn.exec(kLock);
    // A reply the platform took after all and that no new file holds yet is delivered now; one
    // already in a new file is settled by that file's receipt (a second 办结 of an order is
    // refused by the platform: 该工单已办结). Nothing is sent twice by this receipt.
    std::vector<std::pair<storage::ClaimedReply, storage::DeliveryAttempt>> settled;
    for (const auto& row : txn.exec_params(
             "UPDATE reply_ledger SET state = 'sending', sending_since = $2::timestamptz "
             "WHERE reply_id = ANY((SELECT reply_ids FROM hotline_result_files WHERE name = "
             "$1)::text[]) "
             "AND state IN ('queued', 'retrying') AND external_id = ANY($3::text[]) "
             "RETURNING reply_id, request::text, attempts, sending_since::text",
             name, std::string(kBound), array_literal([&] {
               std::vector<std::string> orders;
               for (const auto& [order, n] : successes_by_order) orders.push_back(order);
               return orders;
             }()))) {
      storage::ClaimedReply c;
      c.request = decode_request(row[1].c_str());
      c.attempt = row[2].as<int>();
      c.sending_since = row[3].c_str();
      storage::DeliveryAttempt a;
      a.outcome = storage::DeliveryAttempt::Outcome::delivered;
      a.code = "成功";
      a.channel_reply_id = name;
      a.excerpt = name + ": 成功 (late receipt of an abandoned file)";
      settled.emplace_back(std::move(c), std::move(a));
    }
    ledger_.record_all(txn, settled);
    pass.delivered += settled.size();
    txn.exec_params(
        "UPDATE hotline_result_files SET late_receipt_at = now(), late_receipt = $2 "
        "WHERE name = $1",
        name, summary);
    txn.commit();
    core::log_warn(
        "hotline12328", "a receipt came for an abandoned result file",
        {{"file", name}, {"receipt", summary}, {"delivered_now", std::to_string(settled.size())}});
  }
}

void ResultSender::report_overdue(ResultPass& pass) {
  pqxx::work txn(*db_);
  const auto late = txn.exec_params(
      "UPDATE hotline_result_files SET overdue_reported_at = now() WHERE state = 'written' AND "
      "overdue_reported_at IS NULL AND written_at < now() - make_interval(mins => $1) "
      "RETURNING name, to_char(written_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')",
      static_cast<int>(options_.receipt_timeout.count()));
  for (const auto& row : late) {
    core::log_warn("hotline12328", "a result file has no receipt",
                   {{"file", row[0].c_str()},
                    {"written_at", row[1].c_str()},
                    {"timeout_minutes", std::to_string(options_.receipt_timeout.count())}});
  }
  pass.overdue = txn.exec(
                        "SELECT count(*) FROM hotline_result_files WHERE state = 'written' AND "
                        "overdue_reported_at IS NOT NULL")[0][0]
                     .as<std::size_t>();
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
    const auto until = std::chrono::steady_clock::now() + options_.poll_interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace appealhub::adapters::hotline12328
