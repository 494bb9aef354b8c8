// The end-to-end duplicate evaluation (docs/duplicates.md): the labelled pairs through the real
// intake consumer and store, then the text scan; prints precision, recall and F1 for flagged
// (merged or suggested) and merged pairs, on the whole set and on the text-only variant.
//   duplicates_eval [--verbose | --sweep]   (scripts/bench.sh duplicates; needs
//   scripts/services.sh)
// --sweep runs with a text threshold of 0.10 and prints what higher ones would have given.
// --scan K times the text scan on the set's appeals K times over (see measure_text_scan).

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "tests/support/duplicate_eval.hpp"

int main(int argc, char** argv) {
  using namespace appealhub::testing;
  const bool verbose = argc > 1 && std::strcmp(argv[1], "--verbose") == 0;
  const bool sweep = argc > 1 && std::strcmp(argv[1], "--sweep") == 0;
  try {
    if (argc > 2 && std::strcmp(argv[1], "--scan") == 0) {
      const int copies = std::atoi(argv[2]);
      const auto f = measure_text_scan(copies, "duplicates_scan");
      std::printf(
          "text scan: %d tickets indexed and compared in %.1f s (%.0f/s); then %d more "
          "in %.2f s (%.0f/s)\n",
          f.tickets, f.seconds, f.tickets / f.seconds, f.last_tickets, f.last_seconds,
          f.last_tickets / f.last_seconds);
      return 0;
    }
    if (sweep) {
      appealhub::router::DuplicatePolicy low;
      low.text_threshold = 0.10;
      for (const char* set : {"pairs", "text_only_pairs"}) {
        const auto e = evaluate_duplicates(set, std::string("duplicates_sweep_") + set, low);
        std::printf("%s\n", set);
        print_text_threshold_sweep(e);
      }
      return 0;
    }
    print_duplicate_evaluation("as the channels deliver them",
                               evaluate_duplicates("pairs", "duplicates_eval"), verbose);
    print_duplicate_evaluation("text only (phones and plates removed)",
                               evaluate_duplicates("text_only_pairs", "duplicates_eval_text"),
                               verbose);
  } catch (const std::exception& e) {
    std::cerr << "duplicates_eval: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
