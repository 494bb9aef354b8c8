#pragma once
// The text path of duplicate detection (docs/duplicates.md): after the intake transaction
// committed, new tickets are indexed by their rarer character bigrams (ticket_grams) and compared
// with earlier open tickets that share the most of them. What it finds is only ever a suggestion
// (found_by 'text'), so it can run apart from intake, in batches, without slowing it down.
// Tickets already linked at intake (by a key) and pairs an operator rejected are left alone.

#include <atomic>
#include <chrono>
#include <cstddef>

#include "router/ticket_router.hpp"
#include "storage/database.hpp"

namespace pqxx {
class dbtransaction;
}

namespace appealhub::router {

struct TextScanOptions {
  std::size_t batch = 200;  // tickets per transaction
  std::chrono::milliseconds interval{1000};
  // A bigram held by more than this share of the indexed tickets (and by at least
  // common_gram_floor of them) is common: template and place words that would make long posting
  // lists. Common bigrams are neither stored nor looked up.
  double common_gram_share = 0.02;
  int common_gram_floor = 50;
  // An earlier ticket is scored when it shares at least this many of the new one's rarer bigrams;
  // the `candidates` sharing most are scored.
  int min_shared_grams = 3;
  int candidates = 10;
};

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
