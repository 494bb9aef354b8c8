#pragma once
// Applying channel events to tickets, idempotently, a batch per transaction.
//
// Idempotency has two keys: the message id (event id) per consumer, recorded in
// processed_messages in the caller's transaction, and (channel, external_id) for appeals, so that a
// re-export of the same appeal under another event id changes nothing. Events about an appeal the
// hub does not have yet are parked and applied in the transaction that creates its ticket.
//
// The caller owns the transaction: it commits after apply() (and whatever else belongs with the
// ticket's creation) and acknowledges the messages only after the commit.

#include <cstdint>
#include <string>
#include <vector>

#include "core/appeal.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct IntakeItem {
  std::string message_id;  // the event id
  std::string event;       // appeal.v1 event name, e.g. "appeal.received"
  std::string channel;
  std::string external_id;
  std::string occurred_at;  // RFC 3339
  std::string actor;        // who did it, e.g. "channel:mailbox"
  std::string body;         // the validated message; ticket and event data are taken from it
  const core::Appeal* appeal = nullptr;  // set for appeal.received
};

enum class IntakeOutcome {
  created,            // a new ticket
  applied,            // recorded on an existing ticket
  parked,             // kept until its appeal arrives
  duplicate_message,  // this message id was processed before
  duplicate_appeal,   // the appeal already has a ticket (same channel and external id)
};

struct CreatedTicket {
  std::int64_t id;
  std::size_t item;  // index into the batch
};

struct IntakeResult {
  std::vector<IntakeOutcome> outcomes;  // one per item, in batch order
  std::vector<CreatedTicket> created;
  std::size_t unparked = 0;  // parked events applied to tickets created in this batch
};

class TicketIntake {
 public:
  explicit TicketIntake(std::string consumer) : consumer_(std::move(consumer)) {}

  IntakeResult apply(pqxx::dbtransaction& txn, const std::vector<IntakeItem>& items) const;

 private:
  std::string consumer_;
};

}  // namespace appealhub::storage
