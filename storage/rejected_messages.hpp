#pragma once
// A message a consumer refuses for good: recorded in rejected_messages (the record that
// survives) and dead-lettered to appeals.dlx through the outbox, in the caller's transaction.

#include <string>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct RejectedMessage {
  std::string key;                   // the message id, or sha256 of the body when there is none
  std::string consumer;              // the queue that refused it
  std::string routing_key;           // as delivered
  std::string original_routing_key;  // where it was first published (the dead letter's key)
  std::string exchange, type, message_id, body;
  std::string error;  // what and where: "data.appeal.phone: …"
};

// Returns false when the message was refused before (its dead letter is already on its way).
bool record_rejected(pqxx::dbtransaction& txn, const RejectedMessage& message);

}  // namespace appealhub::storage
