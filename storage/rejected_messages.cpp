#include "storage/rejected_messages.hpp"

#include <pqxx/pqxx>

#include "storage/outbox.hpp"

namespace appealhub::storage {

bool record_rejected(pqxx::dbtransaction& txn, const RejectedMessage& m) {
  const auto rows = txn.exec_params(
      "INSERT INTO rejected_messages (message_key, consumer, routing_key, error, body)"
      " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1",
      m.key, m.consumer, m.routing_key, m.error, pqxx::binarystring(m.body.data(), m.body.size()));
  if (rows.empty()) return false;
  // Header names as bus/retry_and_dead_letter.hpp defines them (storage does not link the bus).
  OutboxMessage dead;
  dead.message_id = "dead:" + m.key;
  dead.exchange = "appeals.dlx";
  dead.routing_key = m.original_routing_key;
  dead.type = m.type;
  dead.body = m.body;
  dead.headers = {{"x-appealhub-error", m.error.substr(0, 4000)},
                  {"x-appealhub-queue", m.consumer},
                  {"x-original-exchange", m.exchange},
                  {"x-original-routing-key", m.original_routing_key},
                  {"x-original-message-id", m.message_id}};
  enqueue_outbox(txn, dead);
  return true;
}

}  // namespace appealhub::storage
