#pragma once
// The options of the search for repeated appeals (router/duplicates.hpp,
// router/duplicate_scan.hpp), with their one set of defaults. Plain data on the standard library
// alone: config/ reads the "duplicates" section straight into them.

#include <chrono>
#include <cstddef>

namespace appealhub::router {

struct DuplicatePolicy {
  // Candidates received further apart than this (either way) are never duplicates.
  std::chrono::hours window{24 * 30};
  // At or above, with strong evidence (the same full phone, or the same plate within
  // strong_plate_gap): merge into the open ticket. Tuned on the labelled set (docs/duplicates.md).
  double merge_threshold = 0.45;
  // At or above (and not merged): suggest the link to an operator.
  double suggest_threshold = 0.20;
  // Candidates linked by nothing but their wording (found by the text index): suggested at or
  // above this score, never merged.
  double text_threshold = 0.22;
  // The same plate is strong evidence (a merge) only when the two were received this close.
  std::chrono::hours strong_plate_gap{72};
};

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

}  // namespace appealhub::router
