#pragma once
// An online-petition message (docs/channels/online-petition-api.md) as appeal.v1 events. A message
// carries its whole state, so every poll and every webhook turns it into the full list of facts
// it shows, each with a deterministic event id; the router applies each once.
//
//   the message                → appeal.received   (fact "")
//   each follow-up (追问)      → appeal.followed_up (fact: the follow-up's id)
//   rating                     → appeal.rated       (fact: rated_at as written; 4–5 satisfied)
//   state withdrawn            → appeal.withdrawn   (fact "")
//   state reassigned           → appeal.reassigned  (fact "")
//
// In that order, so that intake meets the appeal before the news about it.
// The appeal: title (one line; derived from the content when empty), content, received_at =
// created_at, kind and category from the title's and then the topic's words when clear (else
// `other`), division = region_code (6 digits; otherwise kept in channel_meta), citizen name =
// nickname and phone = phone_masked, channel_deadline = deadline_at, attachments. channel_meta:
// topic, region_code, citizen_verified and every field not mapped, except the ones that change
// over the message's life (state, updated_at, follow_ups, rating), so that reading a message again
// gives an equal appeal.received. A phone or attachment the format refuses is set aside in
// channel_meta (unusable_*) instead of failing the message.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"

namespace appealhub::adapters::petition {

inline constexpr std::string_view kChannel = "petition";
inline constexpr std::string_view kProducer = "adapter.petition";

struct MessageEvents {
  std::string msg_id;                         // as far as it could be read
  std::vector<core::Event> events;            // empty when refused
  std::optional<core::Timestamp> updated_at;  // the message's updated_at, when readable
  std::string refused;                        // why the whole message cannot be taken in
  std::vector<std::string> problems;          // parts left out (a follow-up, the rating) and why
};

MessageEvents message_to_events(const nlohmann::json& message);

}  // namespace appealhub::adapters::petition
