#include "storage/hotline_result_files.hpp"

#include <pqxx/pqxx>
#include <stdexcept>

#include "storage/hotline_results.hpp"
#include "storage/statement.hpp"

namespace appealhub::storage {
namespace {

// A reply bound to a file from (reply_id, request, attempts, sending_since).
ClaimedReply claimed_from(const pqxx::row& row) {
  ClaimedReply c;
  c.request = decode_reply_request(row[1].c_str());
  c.attempt = row[2].as<int>();
  c.sending_since = row[3].c_str();
  return c;
}

}  // namespace

void lock_hotline_results(pqxx::dbtransaction& txn) {
  txn.exec(kHotlineResultLock);
}

DueReplies due_replies(pqxx::transaction_base& txn, const std::string& channel,
                       std::chrono::seconds flush_interval) {
  const auto due = txn.exec_params1(
      "SELECT count(*), coalesce(min(next_attempt_at) <= now() - make_interval(secs => $2), "
      "false) FROM reply_ledger WHERE channel = $1 AND state IN ('queued', 'retrying') AND "
      "next_attempt_at <= now()",
      channel, static_cast<double>(flush_interval.count()));
  return {due[0].as<std::size_t>(), due[1].as<bool>()};
}

void plan_result_file(pqxx::dbtransaction& txn, const std::string& name, std::uint64_t sequence,
                      const std::vector<std::string>& reply_ids) {
  const auto ids = text_array_literal(reply_ids);
  txn.exec_params(
      "INSERT INTO hotline_result_files (name, sequence, reply_ids) VALUES ($1, $2, $3::text[])",
      name, static_cast<long long>(sequence), ids);
  txn.exec_params(
      "UPDATE reply_ledger SET sending_since = $2::timestamptz WHERE reply_id = ANY($1::text[])",
      ids, std::string(kBoundToResultFile));
}

std::vector<ResultFileRecord> result_files_in_state(pqxx::transaction_base& txn,
                                                    const std::string& state) {
  std::vector<ResultFileRecord> out;
  // One row per reply, in each file's order (no text[] to parse).
  for (const auto& row :
       txn.exec_params("SELECT h.name, h.receipt_error, f.id FROM hotline_result_files h "
                       "LEFT JOIN LATERAL unnest(h.reply_ids) WITH ORDINALITY AS f(id, n) ON true "
                       "WHERE h.state = $1 ORDER BY h.sequence, f.n",
                       state)) {
    if (out.empty() || out.back().name != row[0].c_str()) {
      out.push_back({row[0].as<std::string>(), {}, row[1].as<std::string>()});
    }
    if (!row[2].is_null()) out.back().reply_ids.push_back(row[2].as<std::string>());
  }
  return out;
}

std::vector<core::ReplyRequested> reply_requests(pqxx::transaction_base& txn,
                                                 const std::vector<std::string>& reply_ids) {
  std::map<std::string, std::string> by_id;
  for (const auto& r : txn.exec_params("SELECT reply_id, request::text FROM reply_ledger "
                                       "WHERE reply_id = ANY($1::text[])",
                                       text_array_literal(reply_ids))) {
    by_id[r[0].c_str()] = r[1].c_str();
  }
  std::vector<core::ReplyRequested> out;
  for (const auto& id : reply_ids) {
    const auto it = by_id.find(id);
    if (it == by_id.end()) throw std::runtime_error("no reply " + id + " in the ledger");
    out.push_back(decode_reply_request(it->second));
  }
  return out;
}

void mark_result_file_written(pqxx::dbtransaction& txn, const std::string& name) {
  txn.exec_params(
      "UPDATE hotline_result_files SET state = 'written', written_at = now() "
      "WHERE name = $1 AND state = 'planned'",
      name);
}

bool lock_written_result_file(pqxx::dbtransaction& txn, const std::string& name) {
  return !txn.exec_params(
                 "SELECT 1 FROM hotline_result_files WHERE name = $1 AND state = 'written' "
                 "FOR UPDATE",
                 name)
              .empty();
}

void record_receipt_error(pqxx::dbtransaction& txn, const std::string& name,
                          const std::string& error) {
  txn.exec_params("UPDATE hotline_result_files SET receipt_error = $2 WHERE name = $1", name,
                  error);
}

std::map<std::string, ClaimedReply> replies_bound_to_file(
    pqxx::dbtransaction& txn, const std::vector<std::string>& reply_ids) {
  std::map<std::string, ClaimedReply> out;
  for (const auto& row : txn.exec_params(
           "SELECT reply_id, request::text, attempts, sending_since::text FROM reply_ledger "
           "WHERE reply_id = ANY($1::text[]) AND state = 'sending' AND "
           "sending_since = $2::timestamptz FOR UPDATE",
           text_array_literal(reply_ids), std::string(kBoundToResultFile))) {
    out.emplace(row[0].c_str(), claimed_from(row));
  }
  return out;
}

void mark_result_file_answered(pqxx::dbtransaction& txn, const std::string& name) {
  txn.exec_params(
      "UPDATE hotline_result_files SET state = 'answered', answered_at = now(), "
      "receipt_error = '' WHERE name = $1",
      name);
}

std::vector<std::string> abandoned_without_late_receipt(pqxx::transaction_base& txn) {
  std::vector<std::string> out;
  for (const auto& row : txn.exec("SELECT name FROM hotline_result_files "
                                  "WHERE state = 'abandoned' AND late_receipt_at IS NULL "
                                  "ORDER BY sequence")) {
    out.emplace_back(row[0].c_str());
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> result_file_orders(pqxx::transaction_base& txn,
                                                                    const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row :
       txn.exec_params("SELECT f.id, l.external_id FROM hotline_result_files h, "
                       "unnest(h.reply_ids) WITH ORDINALITY AS f(id, n) "
                       "JOIN reply_ledger l ON l.reply_id = f.id WHERE h.name = $1 ORDER BY f.n",
                       name)) {
    out.emplace_back(row[0].c_str(), row[1].c_str());
  }
  return out;
}

std::vector<ClaimedReply> bind_waiting_replies(pqxx::dbtransaction& txn,
                                               const std::vector<std::string>& reply_ids) {
  std::vector<ClaimedReply> out;
  for (const auto& row :
       txn.exec_params("UPDATE reply_ledger SET state = 'sending', sending_since = $2::timestamptz "
                       "WHERE reply_id = ANY($1::text[]) AND state IN ('queued', 'retrying') "
                       "RETURNING reply_id, request::text, attempts, sending_since::text",
                       text_array_literal(reply_ids), std::string(kBoundToResultFile))) {
    out.push_back(claimed_from(row));
  }
  return out;
}

void record_late_receipt(pqxx::dbtransaction& txn, const std::string& name,
                         const std::string& summary) {
  txn.exec_params(
      "UPDATE hotline_result_files SET late_receipt_at = now(), late_receipt = $2 "
      "WHERE name = $1",
      name, summary);
}

std::vector<std::pair<std::string, std::string>> mark_overdue_result_files(
    pqxx::dbtransaction& txn, std::chrono::minutes timeout) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : txn.exec_params(
           "UPDATE hotline_result_files SET overdue_reported_at = now() WHERE state = 'written' "
           "AND overdue_reported_at IS NULL AND written_at < now() - make_interval(mins => $1) "
           "RETURNING name, "
           "to_char(written_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')",
           static_cast<int>(timeout.count()))) {
    out.emplace_back(row[0].c_str(), row[1].c_str());
  }
  return out;
}

std::size_t count_overdue_result_files(pqxx::transaction_base& txn) {
  return txn
      .exec(
          "SELECT count(*) FROM hotline_result_files WHERE state = 'written' AND "
          "overdue_reported_at IS NOT NULL")[0][0]
      .as<std::size_t>();
}

}  // namespace appealhub::storage
