// The online-petition platform's messages (JSON from its API and webhooks): any JSON value, or
// each item of its `messages` array, goes through message_to_events. It never throws; a refused
// message gives no event, and every event is a valid appeal.v1 message.
#include <nlohmann/json.hpp>

#include "adapters/petition/message.hpp"
#include "core/json_input.hpp"
#include "fuzz/fuzz_support.hpp"

namespace p = appealhub::adapters::petition;

namespace {

void take(const nlohmann::json& item) {
  const auto read = p::message_to_events(item);
  if (!read.refused.empty()) APPEALHUB_FUZZ_CHECK(read.events.empty());
  for (const auto& event : read.events) appealhub::fuzz::check_event(event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  appealhub::fuzz::quiet_logs();
  // Parsed as the channel API client parses its answers.
  const auto json = appealhub::core::parse_json_bounded(appealhub::fuzz::as_text(data, size));
  if (json.is_discarded()) return 0;
  if (json.is_object() && json.contains("messages") && json["messages"].is_array()) {
    for (const auto& item : json["messages"]) take(item);
  } else {
    take(json);
  }
  return 0;
}
