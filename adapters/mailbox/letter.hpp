#pragma once
// The leader mailbox's letters and ratings (docs/channels/leader-mailbox-api.md) as appeal.v1 events.
//
//   status pending   → appeal.received (event id fact "": a letter seen again is the same event)
//   status spam      → appeal.received with channel_meta.mailbox_status "spam": kept out of
//                      routing by the router, visible to managers
//   status withdrawn → appeal.withdrawn (fact ""); the router parks it if it has no such appeal
//   status replied   → nothing: the hub has it already or it was answered elsewhere
//   rating           → appeal.rated (fact: rated_at as written, so a changed rating is a new event)
//
// A letter's words: type → kind (咨询 投诉 建议 举报 求助 其他; an unknown word → guessed from the
// subject, else `other`); subject and content with HTML entities decoded; the division and the
// business category guessed from the subject and content when clear (else "" and `other`);
// writer → citizen (匿名 → anonymous); public → publication_allowed; attachments as given.
// channel_meta: seq, status, mailbox_status (spam), the type word when it is not a known one, and
// every letter field this adapter does not map. A phone, email or attachment the format refuses
// is moved to channel_meta (unusable_*) instead of failing the letter; a masked ID number that is
// not masked is dropped (never stored). occurred_at is submitted_at (withdrawn: the letter's
// updated_at when given, else the time it was seen), so reading a letter again gives equal events.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.hpp"

namespace appealhub::adapters::mailbox {

inline constexpr std::string_view kChannel = "mailbox";
inline constexpr std::string_view kProducer = "adapter.mailbox";

struct LetterOutcome {
  std::optional<core::Event> event;  // none for a replied letter, or when refused
  // For a withdrawn letter, its appeal.received too (published before `event`): a letter
  // withdrawn before the hub first saw it still becomes a ticket, closed as withdrawn. None when
  // its content cannot be read.
  std::optional<core::Event> received;
  std::string refused;               // why the letter cannot be taken in; "" otherwise
  std::string letter_id;             // as far as it could be read
};

// `seen_at`: when the adapter read the letter (the withdrawal's time when the letter has none).
LetterOutcome letter_to_event(const nlohmann::json& letter, const core::Timestamp& seen_at);

struct RatingOutcome {
  std::optional<core::Event> event;
  std::string refused;
};

RatingOutcome rating_to_event(const nlohmann::json& rating);

}  // namespace appealhub::adapters::mailbox
