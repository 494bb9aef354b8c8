#include "storage/text_scan.hpp"

#include <pqxx/pqxx>

#include "storage/statement.hpp"

namespace appealhub::storage {
namespace {

constexpr const char* kTicketColumns =
    "t.id, t.channel, t.citizen_phone, t.plate, t.division, t.category, t.title,"
    " coalesce(t.appeal->>'content', ''), extract(epoch FROM t.received_at)::bigint, t.status";

TextScanTicket ticket_of(const pqxx::row& row) {
  TextScanTicket t;
  t.id = row[0].as<std::int64_t>();
  t.channel = row[1].as<std::string>();
  t.phone = row[2].as<std::string>();
  t.plate = row[3].as<std::string>();
  t.division = row[4].as<std::string>();
  t.category = row[5].as<std::string>();
  t.title = row[6].as<std::string>();
  t.content = row[7].as<std::string>();
  t.received_at = std::chrono::sys_seconds(std::chrono::seconds(row[8].as<long long>()));
  t.status = row[9].as<std::string>();
  return t;
}

template <typename Number>
std::string int_array(const std::vector<Number>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "}";
}

}  // namespace

long long lock_text_scan(pqxx::dbtransaction& txn) {
  return txn.exec1("SELECT tickets FROM text_scan_state WHERE id = 1 FOR UPDATE")[0]
      .as<long long>();
}

std::vector<TextScanTicket> queued_for_text_scan(pqxx::dbtransaction& txn, int limit) {
  std::vector<TextScanTicket> out;
  for (const auto& row : txn.exec_params(
           std::string("SELECT ") + kTicketColumns +
               ", EXISTS (SELECT 1 FROM duplicate_links l WHERE l.ticket_id = t.id AND l.action"
               " IN ('merged', 'suggested')) FROM text_scan_queue q JOIN tickets t ON t.id ="
               " q.ticket_id ORDER BY q.ticket_id LIMIT $1",
           limit)) {
    out.push_back(ticket_of(row));
    out.back().linked = row[10].as<bool>();
  }
  return out;
}

std::set<std::int32_t> common_grams(pqxx::dbtransaction& txn,
                                    const std::vector<std::int32_t>& grams, long long cap) {
  std::set<std::int32_t> out;
  for (const auto& row :
       txn.exec_params("SELECT gram FROM gram_counts WHERE gram = ANY($1::int[]) AND tickets > $2",
                       int_array(grams), cap)) {
    out.insert(row[0].as<std::int32_t>());
  }
  return out;
}

void index_grams(pqxx::dbtransaction& txn, const std::vector<TextScanTicket>& tickets,
                 const std::vector<std::vector<std::int32_t>>& grams_of_each,
                 const std::map<std::int32_t, int>& counts) {
  std::vector<std::int32_t> grams;
  std::vector<std::int64_t> ids, times;
  for (std::size_t i = 0; i < tickets.size(); ++i) {
    for (const auto g : grams_of_each[i]) {
      grams.push_back(g);
      ids.push_back(tickets[i].id);
      times.push_back(tickets[i].received_at.time_since_epoch().count());
    }
  }
  if (!grams.empty()) {
    txn.exec_params(
        "INSERT INTO ticket_grams (gram, ticket_id, received_at) SELECT g, t, to_timestamp(r)"
        " FROM unnest($1::int[], $2::bigint[], $3::double precision[]) AS v(g, t, r)",
        int_array(grams), int_array(ids), int_array(times));
  }
  std::vector<std::int32_t> counted;
  std::vector<int> tallies;
  for (const auto& [g, n] : counts) {
    counted.push_back(g);
    tallies.push_back(n);
  }
  txn.exec_params(
      "INSERT INTO gram_counts (gram, tickets) SELECT g, n FROM unnest($1::int[], $2::int[])"
      " AS v(g, n) ON CONFLICT (gram) DO UPDATE SET tickets = gram_counts.tickets +"
      " EXCLUDED.tickets",
      int_array(counted), int_array(tallies));
}

std::vector<TextScanTicket> text_candidates(pqxx::dbtransaction& txn, const TextCandidateQuery& q) {
  std::vector<TextScanTicket> out;
  for (const auto& row : txn.exec_params(
           std::string("WITH c AS (SELECT g.ticket_id, count(*) AS shared FROM ticket_grams g"
                       " WHERE g.gram = ANY($1::int[]) AND g.received_at BETWEEN to_timestamp($2)"
                       " AND to_timestamp($3) AND g.ticket_id < $4 GROUP BY g.ticket_id HAVING"
                       " count(*) >= $5 ORDER BY count(*) DESC, g.ticket_id DESC LIMIT $6)"
                       " SELECT ") +
               kTicketColumns +
               " FROM c JOIN tickets t ON t.id = c.ticket_id WHERE"
               " t.status NOT IN ('withdrawn', 'reassigned_out', 'spam', 'merged', 'closed')"
               " AND (t.category = $7 OR $7 IN ('', 'other') OR t.category IN ('', 'other') OR"
               " (t.division <> '' AND t.division = $8)) AND NOT EXISTS (SELECT 1 FROM"
               " duplicate_links r WHERE r.ticket_id = $4 AND r.duplicate_of = t.id AND r.action"
               " = 'rejected') ORDER BY c.shared DESC",
           int_array(q.grams), static_cast<double>(q.from.time_since_epoch().count()),
           static_cast<double>(q.to.time_since_epoch().count()), q.before_id, q.min_shared, q.limit,
           q.category, q.division)) {
    out.push_back(ticket_of(row));
  }
  return out;
}

void suggest_by_text(pqxx::dbtransaction& txn, const std::vector<TextSuggestion>& suggestions) {
  if (suggestions.empty()) return;
  ColumnArrays rows({"bigint", "bigint", "double precision", "text"});
  for (const auto& s : suggestions) {
    rows.add(0, std::to_string(s.ticket_id));
    rows.add(1, std::to_string(s.duplicate_of));
    rows.add(2, std::to_string(s.score));
    rows.add(3, s.reason);
  }
  Statement st(
      "INSERT INTO duplicate_links (ticket_id, duplicate_of, action, score, reason, found_by)"
      " SELECT v.ticket_id, v.duplicate_of, 'suggested', v.score, v.reason, 'text' FROM ");
  std::move(rows).unnest_into(st, "ticket_id, duplicate_of, score, reason");
  st.sql(" ORDER BY v.n ON CONFLICT DO NOTHING");
  st.exec(txn);
}

void finish_text_scan(pqxx::dbtransaction& txn, const std::vector<std::int64_t>& scanned) {
  txn.exec_params("DELETE FROM text_scan_queue WHERE ticket_id = ANY($1::bigint[])",
                  int_array(scanned));
  txn.exec_params("UPDATE text_scan_state SET tickets = tickets + $1 WHERE id = 1",
                  static_cast<long long>(scanned.size()));
}

}  // namespace appealhub::storage
