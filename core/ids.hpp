#pragma once
// Deterministic ids. An event's id is derived from the fact it reports, never drawn at random, so
// that a channel fact seen twice (a re-exported 12328 row, a letter on two pages, a webhook and a
// poll bringing the same change) gives the same event id and its redelivery is harmless: consumers
// drop an event id they have processed.

#include <string>
#include <string_view>

namespace appealhub::core {

// "ev1-" followed by the first 32 hex digits (128 bits) of the SHA-256 of
// event + '\x1f' + channel + '\x1f' + external_id + '\x1f' + fact.
// `event` is the event name ("appeal.supplemented"); `fact` tells facts of the same event about
// the same appeal apart and must not depend on when or how often the fact was seen: the
// supplement's or follow-up's id, the rating's time, the reply id. The result is 36 characters of
// [a-z0-9-], a valid event_id. (The unit separator cannot occur in channel ids and is refused in
// external ids, so different parts cannot join to the same input.)
std::string make_event_id(std::string_view event, std::string_view channel,
                          std::string_view external_id, std::string_view fact);

}  // namespace appealhub::core
