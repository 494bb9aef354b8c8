#include "core/ids.hpp"

#include "core/bytes.hpp"

namespace appealhub::core {

std::string make_event_id(std::string_view event, std::string_view channel,
                          std::string_view external_id, std::string_view fact) {
  std::string input;
  input.reserve(event.size() + channel.size() + external_id.size() + fact.size() + 3);
  input.append(event).append(1, '\x1f');
  input.append(channel).append(1, '\x1f');
  input.append(external_id).append(1, '\x1f');
  input.append(fact);
  return "ev1-" + sha256_hex(input).substr(0, 32);
}

}  // namespace appealhub::core
