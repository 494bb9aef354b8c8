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
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "storage/ticket_routing.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

// A decoded channel event and the message it came in. Everything the store writes is read from
// the event, except the event's data on the timeline and the appeal on its ticket: those are the
// message's own `data` as it arrived (taken out in the statement), not a re-encoding of it.
struct IntakeItem {
  const core::Event* event = nullptr;  // a channel event (core::channel_appeal) that validated
  std::string_view message;            // its appeal.v1 message; both outlive apply()

  // The appeal of an appeal.received, else null.
  const core::Appeal* appeal() const {
    const auto* received = std::get_if<core::AppealReceived>(&event->body);
    return received ? &received->appeal : nullptr;
  }
};

enum class IntakeOutcome {
  created,            // a new ticket
  applied,            // recorded on an existing ticket
  parked,             // kept until its appeal arrives
  duplicate_message,  // this message id was processed before
  duplicate_appeal,   // the appeal already has a ticket (same channel and external id)
  reassigned_back,    // the ticket had been returned to the channel, which sent it again (改派)
};

struct CreatedTicket {
  std::int64_t id;
  std::size_t item;  // index into the batch
};

struct IntakeResult {
  std::vector<IntakeOutcome> outcomes;  // one per item, in batch order
  std::vector<CreatedTicket> created;
  // Tickets back in status `received` because their channel sent the appeal again after the hub
  // returned it (item: the appeal.received carrying the channel's new data); the caller places
  // them again in the same transaction.
  std::vector<CreatedTicket> reassigned_back;
  std::size_t unparked = 0;  // parked events applied to tickets created in this batch
  std::size_t placed = 0;    // tickets inserted placed (with a `place` function)
};

// An appeal.received for an appeal that already has a ticket is a duplicate and changes nothing,
// unless the ticket was returned to its channel: status `returned`, or `closed` after a return
// approved to the channel (退回) that no reassignment has followed yet. Then the channel has sent
// the order again (12328 `改派`): the ticket goes back to `received` with the new channel
// deadline, its timeline gets `appeal.reassigned_back` with the event's data, a return request
// still pending is closed as refused, and the caller places it again. Never a second ticket.
//
// Placement at creation: with a `place` function, apply() asks it where the appeals it is about to
// create go (ids reserved from the tickets' sequence, ascending, one call per batch) and inserts
// each ticket already placed, then writes the placement's timeline event, links and ticket.routed
// messages (record_placed) after the batch's own events. An appeal whose events in this batch or
// parked ones would move a `received` ticket elsewhere (a withdrawal that came first) is inserted
// unplaced and not offered to `place`. Without `place`, tickets are inserted `received` and the
// caller places them.
class TicketIntake {
 public:
  using Place = std::function<std::vector<RoutingRecord>(pqxx::dbtransaction&,
                                                         const std::vector<CreatedTicket>&)>;

  explicit TicketIntake(std::string consumer) : consumer_(std::move(consumer)) {}

  IntakeResult apply(pqxx::dbtransaction& txn, const std::vector<IntakeItem>& items,
                     const Place& place = {}) const;

 private:
  std::string consumer_;
};

}  // namespace appealhub::storage
