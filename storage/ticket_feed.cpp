#include "storage/ticket_feed.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace appealhub::storage {

std::int64_t latest_feed_id(pqxx::transaction_base& txn) {
  return txn.exec1("SELECT coalesce(max(id), 0) FROM ticket_events")[0].as<std::int64_t>();
}

std::vector<FeedEvent> feed_after(pqxx::transaction_base& txn, std::int64_t after,
                                  const std::vector<std::string>& departments, int limit) {
  std::string departments_literal = "{";
  for (std::size_t i = 0; i < departments.size(); ++i) {
    if (i) departments_literal += ',';
    departments_literal += '"';
    for (const char c : departments[i]) {
      if (c == '"' || c == '\\') departments_literal += '\\';
      departments_literal += c;
    }
    departments_literal += '"';
  }
  departments_literal += '}';
  const auto rows = txn.exec_params(
      "SELECT e.id, e.ticket_id, e.type, t.status, coalesce(t.lead_department, ''), t.channel,"
      " to_char(e.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00'),"
      " coalesce(array_to_json(t.assisting_departments)::text, '[]')"
      " FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
      " WHERE e.id > $1 AND (cardinality($2::text[]) = 0 OR t.lead_department = ANY($2::text[])"
      " OR t.assisting_departments && $2::text[])"
      " ORDER BY e.id LIMIT $3",
      after, departments_literal, limit);
  std::vector<FeedEvent> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].c_str(), r[3].c_str(),
                   r[4].c_str(), r[5].c_str(), r[6].c_str(),
                   nlohmann::json::parse(r[7].c_str()).get<std::vector<std::string>>()});
  }
  return out;
}

}  // namespace appealhub::storage
