#include "storage/backlog.hpp"

#include <pqxx/pqxx>

namespace appealhub::storage {

Backlog read_backlog(pqxx::transaction_base& txn) {
  Backlog out;
  const auto row = txn.exec1(
      "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL),"
      " (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox"
      "  WHERE sent_at IS NULL),"
      " (SELECT count(*) FROM rejected_messages),"
      " (SELECT count(*) FROM ticket_events WHERE type = 'reply.failed')");
  out.outbox_unsent = row[0].as<long long>();
  out.outbox_oldest_unsent_seconds = row[1].as<double>();
  out.rejected_messages = row[2].as<long long>();
  out.reply_failures = row[3].as<long long>();
  for (const auto& r :
       txn.exec("SELECT status, count(*) FROM tickets GROUP BY status ORDER BY 1")) {
    out.tickets_by_status.emplace_back(r[0].as<std::string>(), r[1].as<long long>());
  }
  return out;
}

}  // namespace appealhub::storage
