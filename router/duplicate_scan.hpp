#pragma once
// The text path of duplicate detection (docs/duplicates.md): after the intake transaction
// committed, new tickets are indexed by their rarer character bigrams (ticket_grams) and compared
// with earlier open tickets that share the most of them. What it finds is only ever a suggestion
// (found_by 'text'), so it can run apart from intake, in batches, without slowing it down.
// Tickets already linked at intake (by a key) and pairs an operator rejected are left alone.

#include <atomic>
#include <chrono>
#include <cstddef>

#include "router/duplicate_options.hpp"
#include "router/ticket_router.hpp"
#include "storage/database.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::router {

struct TextScanStats {
  std::size_t scanned = 0, suggested = 0;
};

// Indexes and compares up to options.batch tickets not yet scanned (oldest first), in the
// caller's transaction. Several scanners take turns (the state row is locked).
TextScanStats scan_text_duplicates(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                                   const TextScanOptions& options);

class TextScan {
 public:
  TextScan(storage::DatabaseConfig database, SetupSource setup, TextScanOptions options = {});

  // Batches until nothing is left to scan; returns what was done.
  TextScanStats run_once();

  // Passes every `interval` until `stop`.
  void run(const std::atomic<bool>& stop);

 private:
  storage::DatabaseConfig database_;
  SetupSource setup_;
  TextScanOptions options_;
};

}  // namespace appealhub::router
