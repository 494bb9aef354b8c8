// Specification of core/ids.hpp: ids derived from facts, so that redelivery is harmless.

#include "core/bytes.hpp"
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include "core/field_rules.hpp"

namespace appealhub::core {
namespace {

TEST(Sha256Hex, MatchesTheStandardTestVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string("\0", 1)),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(EventId, IsTheSameForTheSameFact) {
  const auto first =
      make_event_id("appeal.supplemented", "hotline12328", "GY12328202611270153", "row-000119-5");
  const auto again =
      make_event_id("appeal.supplemented", "hotline12328", "GY12328202611270153", "row-000119-5");
  EXPECT_EQ(first, again);
}

TEST(EventId, IsKnownInAdvance) {
  // "ev1-" + the first 32 hex digits of
  // SHA-256("appeal.received\x1fmailbox\x1fL2026112700042\x1f").
  const auto expected = "ev1-" + sha256_hex(std::string("appeal.received\x1f"
                                                        "mailbox\x1f"
                                                        "L2026112700042\x1f"))
                                     .substr(0, 32);
  EXPECT_EQ(make_event_id("appeal.received", "mailbox", "L2026112700042", ""), expected);
}

TEST(EventId, DiffersWhenAnyPartDiffers) {
  const auto base = make_event_id("appeal.rated", "petition", "WZ2026-1127-008812", "2026-12-01");
  EXPECT_NE(base, make_event_id("appeal.urged", "petition", "WZ2026-1127-008812", "2026-12-01"));
  EXPECT_NE(base, make_event_id("appeal.rated", "mailbox", "WZ2026-1127-008812", "2026-12-01"));
  EXPECT_NE(base, make_event_id("appeal.rated", "petition", "WZ2026-1127-008813", "2026-12-01"));
  EXPECT_NE(base, make_event_id("appeal.rated", "petition", "WZ2026-1127-008812", "2026-12-02"));
}

TEST(EventId, KeepsPartsApart) {
  // Without a separator, ("ab", "c") and ("a", "bc") would hash the same input.
  EXPECT_NE(make_event_id("appeal.received", "ab", "c", ""),
            make_event_id("appeal.received", "a", "bc", ""));
  EXPECT_NE(make_event_id("appeal.received", "mailbox", "L1", "2"),
            make_event_id("appeal.received", "mailbox", "L12", ""));
}

TEST(EventId, IsAValidAppealV1EventId) {
  const auto id = make_event_id("appeal.received", "mailbox", "L2026112700042", "");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_TRUE(id.starts_with("ev1-"));
  EXPECT_TRUE(is_event_id(id));
}

}  // namespace
}  // namespace appealhub::core
