#include "storage/hotline_results.hpp"

#include <pqxx/pqxx>

#include "storage/statement.hpp"
#include "storage/ticket_work.hpp"

namespace appealhub::storage {
namespace {

constexpr const char* kChinaTime = "'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'";

std::string china_time(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'Asia/Shanghai', " + kChinaTime + ")";
}

nlohmann::json text_or_null(const pqxx::field& f) {
  return f.is_null() ? nlohmann::json() : nlohmann::json(f.c_str());
}

}  // namespace

AbandonOutcome abandon_result_file(pqxx::dbtransaction& txn, const std::string& name,
                                   const std::string& actor) {
  txn.exec(kHotlineResultLock);
  const auto file = txn.exec_params(
      "SELECT state, overdue_reported_at IS NOT NULL FROM hotline_result_files WHERE name = $1 "
      "FOR UPDATE",
      name);
  AbandonOutcome out;
  if (file.empty()) return out;
  const std::string state = file[0][0].c_str();
  out.result = AbandonOutcome::refused;
  if (state != "written") {
    out.reason = "result file " + name + " is " + state +
                 "; only a written file without a "
                 "receipt can be abandoned";
    return out;
  }
  if (!file[0][1].as<bool>()) {
    out.reason = "result file " + name +
                 " has not passed the receipt alarm yet; the platform "
                 "may still answer it";
    return out;
  }
  out.result = AbandonOutcome::abandoned;
  const std::string error = "12328: result file " + name + " had no receipt and was abandoned by " +
                            actor + "; the reply goes into a new result file";
  const auto requeued = txn.exec_params(
      "UPDATE reply_ledger SET state = 'queued', next_attempt_at = now(), sending_since = NULL, "
      "budget_from = attempts, last_error = $3, updated_at = now() "
      "WHERE reply_id = ANY((SELECT reply_ids FROM hotline_result_files WHERE name = $1)::text[]) "
      "AND state = 'sending' AND sending_since = $2::timestamptz RETURNING reply_id, ticket_id, "
      "attempts",
      name, std::string(kBoundToResultFile), error);
  for (const auto& r : requeued) {
    const std::string reply_id = r[0].c_str();
    out.reply_ids.push_back(reply_id);
    txn.exec_params(
        "INSERT INTO reply_attempts (reply_id, attempt, started_at, duration_ms, outcome, code, "
        "excerpt, actor) VALUES ($1, $2, now(), 0, 'retry', 'file_abandoned', $3, $4)",
        reply_id, r[2].as<int>(), name + ": abandoned without receipt", actor);
    const auto ticket_id = r[1].as<std::int64_t>();
    if (!txn.exec_params("SELECT 1 FROM tickets WHERE id = $1", ticket_id).empty()) {
      append_ticket_event(txn, ticket_id, "reply.resend", actor,
                          {{"reply_id", reply_id}, {"was", "sending"}, {"result_file", name}});
    }
  }
  txn.exec_params(
      "UPDATE hotline_result_files SET state = 'abandoned', abandoned_at = now(), "
      "abandoned_by = $2 WHERE name = $1",
      name, actor);
  return out;
}

nlohmann::json list_result_files(pqxx::transaction_base& txn,
                                 const std::vector<std::string>& states, int limit, int offset) {
  Statement q("SELECT name, sequence, state, cardinality(reply_ids), ");
  q.sql(china_time("created_at") + ", " + china_time("written_at") + ", " +
        china_time("answered_at") + ", overdue_reported_at IS NOT NULL AND state = 'written', " +
        china_time("abandoned_at") + ", abandoned_by, " + china_time("late_receipt_at") +
        ", late_receipt, receipt_error FROM hotline_result_files");
  if (!states.empty()) q.sql(" WHERE state = ANY(").text_array(states).sql(")");
  q.sql(" ORDER BY sequence DESC LIMIT " + std::to_string(limit + 1) + " OFFSET " +
        std::to_string(offset));
  auto out = nlohmann::json::array();
  for (const auto& r : q.exec(txn)) {
    out.push_back({{"name", r[0].c_str()},
                   {"sequence", r[1].as<long long>()},
                   {"state", r[2].c_str()},
                   {"rows", r[3].as<int>()},
                   {"created_at", r[4].c_str()},
                   {"written_at", text_or_null(r[5])},
                   {"answered_at", text_or_null(r[6])},
                   {"receipt_overdue", r[7].as<bool>()},
                   {"abandoned_at", text_or_null(r[8])},
                   {"abandoned_by", r[9].c_str()},
                   {"late_receipt_at", text_or_null(r[10])},
                   {"late_receipt", r[11].c_str()},
                   {"receipt_error", r[12].c_str()}});
  }
  return out;
}

void record_hotline_refused(pqxx::dbtransaction& txn, const std::string& file,
                            const std::vector<HotlineRefusal>& refusals) {
  for (const auto& r : refusals) {
    Statement q("INSERT INTO hotline_refused (file, line, reason) VALUES (");
    q.param(file).sql(", ");
    if (r.line) {
      q.param(std::to_string(*r.line), "::integer");
    } else {
      q.sql("NULL");
    }
    q.sql(", ").param(r.reason).sql(
        ") ON CONFLICT (file, (coalesce(line, 0))) DO UPDATE SET reason = EXCLUDED.reason");
    q.exec(txn);
  }
}

nlohmann::json list_hotline_refused(pqxx::transaction_base& txn, const std::string& file, int limit,
                                    int offset) {
  Statement q("SELECT id, file, line, reason, ");
  q.sql(china_time("refused_at") + " FROM hotline_refused");
  if (!file.empty()) q.sql(" WHERE file = ").param(file);
  q.sql(" ORDER BY refused_at DESC, id DESC LIMIT " + std::to_string(limit + 1) + " OFFSET " +
        std::to_string(offset));
  auto out = nlohmann::json::array();
  for (const auto& r : q.exec(txn)) {
    out.push_back(
        {{"id", r[0].as<long long>()},
         {"file", r[1].c_str()},
         {"line", r[2].is_null() ? nlohmann::json() : nlohmann::json(r[2].as<long long>())},
         {"reason", r[3].c_str()},
         {"refused_at", r[4].c_str()}});
  }
  return out;
}

HotlineResultsHealth hotline_results_health(pqxx::transaction_base& txn) {
  HotlineResultsHealth out{{}, nlohmann::json::array(), nlohmann::json::object()};
  for (const auto& r : txn.exec("SELECT name FROM hotline_result_files WHERE state = 'written' AND "
                                "overdue_reported_at IS NOT NULL ORDER BY sequence")) {
    out.without_receipt.push_back(r[0].as<std::string>());
  }
  for (const auto& r :
       txn.exec("SELECT name, abandoned_by, late_receipt FROM hotline_result_files WHERE state = "
                "'abandoned' AND abandoned_at > now() - interval '7 days' ORDER BY sequence")) {
    out.abandoned.push_back(
        {{"file", r[0].c_str()}, {"abandoned_by", r[1].c_str()}, {"late_receipt", r[2].c_str()}});
  }
  const auto counts = txn.exec1(
      "SELECT count(*) FILTER (WHERE line IS NULL), count(*) FILTER (WHERE line IS NOT NULL) "
      "FROM hotline_refused WHERE refused_at > now() - interval '7 days'");
  auto latest = nlohmann::json::array();
  for (const auto& r :
       txn.exec("SELECT file, line, reason FROM hotline_refused WHERE refused_at > now() - "
                "interval '7 days' ORDER BY refused_at DESC, id DESC LIMIT 20")) {
    latest.push_back({{"file", r[0].c_str()},
                      {"line", r[1].is_null() ? nlohmann::json() : nlohmann::json(r[1].as<int>())},
                      {"reason", r[2].c_str()}});
  }
  out.refused = {{"files", counts[0].as<long long>()},
                 {"rows", counts[1].as<long long>()},
                 {"latest", latest}};
  return out;
}

}  // namespace appealhub::storage
