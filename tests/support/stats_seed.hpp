#pragma once
// Tickets with known histories for the statistics tests, written straight into the tables the
// hub writes (tickets, ticket_events, reply_ledger) as the hub would: on time, late, extended,
// returned, reopened (重办), merged, withdrawn, spam, rated in every channel's scale, called back,
// with failed deliveries; received across the 2025–2026 holidays and make-up days.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/calendar.hpp"

namespace pqxx {
class connection;
}

namespace appealhub::testing {

inline const std::vector<std::string> kSeedDepartments{"GYJT-ZF", "GYJT-YS", "GYJT-GL", "LZ-JT",
                                                       "CX-JT"};

// Writes `count` tickets (ids from `first_id`) with their events; deterministic for a `seed`.
void seed_statistics(pqxx::connection& connection, const core::WorkingCalendar& calendar,
                     int count, unsigned seed, std::int64_t first_id = 1);

}  // namespace appealhub::testing
