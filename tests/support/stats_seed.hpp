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

#include <pqxx/connection>

namespace appealhub::testing {

// Codes of the shipped department directory (config/data/departments.json).
inline const std::vector<std::string> kSeedDepartments{"zfzd", "dlys", "glsw", "lzq", "cxx"};

// Writes `count` tickets (ids from `first_id`) with their events; deterministic for a `seed`.
void seed_statistics(pqxx::connection& connection, const core::WorkingCalendar& calendar,
                     int count, unsigned seed, std::int64_t first_id = 1);

}  // namespace appealhub::testing
