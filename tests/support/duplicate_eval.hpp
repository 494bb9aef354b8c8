#pragma once
// The end-to-end duplicate evaluation (docs/duplicates.md): the labelled pairs of
// bench/data/duplicate_e2e_pairs.json are published to the bus as each channel's appeals, taken in
// by the real intake consumer into a fresh database, the text scan runs as it does beside the
// deadline watch, and the links the store made are counted against the labels. Each pair lives in
// a time slot of its own (62 days apart, twice the window), so pairs never meet one another.
// Used by bench/duplicates_eval (prints) and duplicates_e2e_pgrmqtest (asserts).

#include <map>
#include <string>
#include <vector>

#include "core/appeal.hpp"
#include "router/duplicates.hpp"
#include "router/ticket_router.hpp"

namespace appealhub::testing {

struct DuplicateFigures {
  int pairs = 0, duplicates = 0;
  int flagged = 0, flagged_right = 0;  // b linked to a (merged or suggested)
  int merged = 0, merged_right = 0;    // b merged into a
  static double ratio(int n, int d) { return d ? static_cast<double>(n) / d : 1.0; }
  double precision() const { return ratio(flagged_right, flagged); }
  double recall() const { return ratio(flagged_right, duplicates); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  double merge_precision() const { return ratio(merged_right, merged); }
  double merge_recall() const { return ratio(merged_right, duplicates); }
  double merge_f1() const {
    const double p = merge_precision(), r = merge_recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};

struct DuplicateEvaluation {
  DuplicateFigures whole;
  DuplicateFigures tuning, held_out;                         // even and odd pairs
  std::map<std::string, DuplicateFigures> by_type, by_link;  // label type; phone/masked/plate/none
  DuplicateFigures late;         // duplicates 8-30 days apart (and every negative)
  int by_keys = 0, by_text = 0;  // right flags found at intake by a key / by the text scan
  double intake_seconds = 0, scan_seconds = 0;
  int tickets = 0;
  std::vector<std::string> errors;  // one line per wrong or missed pair
  struct TextFlag {
    std::size_t pair;
    bool right;
    double score;
  };
  std::vector<TextFlag> text_flags;  // pairs flagged by the text scan
};

// `set`: "pairs" (as the channels deliver them) or "text_only_pairs" (phones and plates removed).
DuplicateEvaluation evaluate_duplicates(const std::string& set, const std::string& test_name,
                                        const router::DuplicatePolicy& policy = {});

// The text scan on a larger store: the labelled set's appeals `copies` times over (each copy with
// its own external ids, in the same time slots, so every text has copies-1 twins in its window:
// a pessimistic case for the bigram index), taken in and scanned; then one more copy of the first
// appeals is taken in and scanned alone. Returns {tickets in the store, seconds for the whole
// scan, tickets in the last batch, seconds for it}.
struct ScanFigures {
  int tickets = 0;
  double seconds = 0;
  int last_tickets = 0;
  double last_seconds = 0;
};
ScanFigures measure_text_scan(int copies, const std::string& test_name);

// Takes the appeals in through the store's intake (storage::TicketIntake) and places the new
// tickets, in one transaction, as the intake consumer does without the bus.
router::RoutingStats take_in_and_place(const std::string& db_uri, const router::RoutingSetup& setup,
                                       const std::vector<core::Appeal>& appeals);

// Prints the figures (and, with `verbose`, the errors) to stdout.
void print_duplicate_evaluation(const std::string& title, const DuplicateEvaluation& e,
                                bool verbose);

// Precision and recall had the text threshold been higher than the one `e` was run with.
void print_text_threshold_sweep(const DuplicateEvaluation& e);

}  // namespace appealhub::testing
