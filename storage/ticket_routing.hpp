#pragma once
// Writing where new tickets were placed, in the intake transaction: the placement and deadline on
// the ticket, the routing event on its timeline, duplicate links, and the `ticket.routed` outbox
// message (to the lead, copied to the assisting departments). The decisions themselves are the
// router's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/outbox.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

// A new ticket to look for earlier open tickets it may repeat, by its lookup keys
// (router::duplicate_keys).
struct DuplicateQuery {
  std::int64_t ticket_id;
  std::vector<std::string> keys;
  std::chrono::sys_seconds received;
};

// An open ticket whose stored keys meet a new ticket's lookup keys, received within the window
// before it.
struct DuplicateCandidateRow {
  std::int64_t for_ticket;  // the new ticket it may be repeated by
  std::int64_t ticket_id;
  std::string channel, phone, plate, division, category, title, content;
  std::chrono::sys_seconds received;
};

// Earlier open or answered tickets (not ended, not merged) whose keys (ticket_keys) meet each
// query's keys, at most `per_ticket` most recent ones per query. One statement (one btree
// lookup) for the whole batch.
std::vector<DuplicateCandidateRow> find_duplicate_candidates(
    pqxx::dbtransaction& txn, const std::vector<DuplicateQuery>& queries, std::chrono::hours window,
    int per_ticket = 20);

struct RoutingRecord {
  std::int64_t ticket_id;
  std::string event_id;  // the timeline event's id; empty: "route:<ticket id>" (first placement)
  std::string status;    // "assigned", "triage" or "merged"
  std::string lead;
  std::vector<std::string> assisting;
  std::string rule, reason;
  std::optional<std::chrono::sys_seconds> deadline;
  std::string deadline_basis;      // JSON: how the deadline was computed
  std::string deadline_explained;  // the same in one sentence, for the timeline
  struct Duplicate {
    std::int64_t of;
    double score;
    bool merged;
    std::string reason;
  };
  std::optional<Duplicate> duplicate;
  // Stored for a new ticket (ticket_keys) for later appeals to find it; first placement only.
  std::vector<std::string> duplicate_keys;
  // ticket.routed for the outbox: to dept.<lead>, copied (CC) to dept.<each assisting> (none for
  // a merged ticket).
  std::optional<OutboxMessage> routed;
};

// Records the decisions for tickets still in status `received` (others, e.g. withdrawn by an
// event applied in the same batch, keep their status and get nothing); returns how many were
// placed. Timeline event ids are deterministic (first placement: "route:<ticket id>").
std::size_t record_routing(pqxx::dbtransaction& txn, const std::vector<RoutingRecord>& records,
                           const std::string& actor);

// Appends the placement columns' values as parameters, in the order status, lead_department,
// assisting_departments, routing_rule, routing_reason, deadline (Unix seconds: wrap it in
// to_timestamp()), deadline_basis, merged_into.
class Statement;
void placement_values(Statement& statement, const RoutingRecord& record);

// What record_routing writes besides the ticket's own columns (the timeline event, duplicate
// links, ticket.routed messages), for the records of `placed` tickets: intake inserts new tickets
// already placed and then calls this.
void record_placed(pqxx::dbtransaction& txn, const std::vector<RoutingRecord>& records,
                   const std::set<std::int64_t>& placed, const std::string& actor);

// Undoes the merge of `ticket_id` into the ticket it was found to repeat: the link is marked
// undone (kept as history), both timelines get a `ticket.unmerged` event, and the ticket is back in
// status `received`, to be placed again by the caller in the same transaction. Returns the ticket
// it had been merged into; throws std::invalid_argument when the ticket is not merged.
std::int64_t undo_merge(pqxx::dbtransaction& txn, std::int64_t ticket_id, const std::string& actor,
                        const std::string& reason);

// The normalized appeal a ticket was created from (appeal.v1 JSON of the `appeal` object).
std::string ticket_appeal_json(pqxx::dbtransaction& txn, std::int64_t ticket_id);

}  // namespace appealhub::storage
