// Duplicate detection end to end (docs/duplicates.md): the labelled pairs of
// bench/data/duplicate_e2e_pairs.json through the real intake consumer, store and text scan.
// Asserts the targets of issue 18. Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>

#include "tests/support/duplicate_eval.hpp"

namespace appealhub::testing {
namespace {

TEST(DuplicatesEndToEnd, AsTheChannelsDeliverThem) {
  const auto e = evaluate_duplicates("pairs", "duplicates_e2e");
  print_duplicate_evaluation("as the channels deliver them", e, true);
  ASSERT_GE(e.whole.pairs, 300);
  EXPECT_GE(e.whole.recall(), 0.85);
  EXPECT_GE(e.whole.precision(), 0.90);
  EXPECT_GE(e.whole.merge_precision(), 0.99);
  EXPECT_GT(e.whole.merged, 0);
  // The hard parts are found too: repeats weeks later, and repeats linked by nothing but text.
  EXPECT_GE(e.late.recall(), 0.80);
  EXPECT_GE(e.by_link.at("none").recall(), 0.75);
}

TEST(DuplicatesEndToEnd, TextOnly) {
  const auto e = evaluate_duplicates("text_only_pairs", "duplicates_e2e_text");
  print_duplicate_evaluation("text only (phones and plates removed)", e, true);
  EXPECT_GE(e.whole.recall(), 0.80);
  EXPECT_GE(e.whole.precision(), 0.90);
  EXPECT_EQ(e.whole.merged, 0) << "nothing merges on wording alone";
}

}  // namespace
}  // namespace appealhub::testing
