// The leader mailbox's letters and ratings (JSON from the channel's API): any JSON value, or each
// item of its `letters` / `ratings` array, goes through letter_to_event and rating_to_event.
// Neither throws; an event they give is a valid appeal.v1 message.
#include <nlohmann/json.hpp>

#include "adapters/mailbox/letter.hpp"
#include "core/json_input.hpp"
#include "core/time.hpp"
#include "fuzz/fuzz_support.hpp"

namespace m = appealhub::adapters::mailbox;

namespace {

void take(const nlohmann::json& item) {
  static const auto seen_at = *appealhub::core::parse_rfc3339("2026-11-28T10:00:00+08:00");
  const auto letter = m::letter_to_event(item, seen_at);
  APPEALHUB_FUZZ_CHECK(!(letter.event && !letter.refused.empty()));
  if (letter.event) appealhub::fuzz::check_event(*letter.event);
  const auto rating = m::rating_to_event(item);
  APPEALHUB_FUZZ_CHECK(rating.event.has_value() == rating.refused.empty());
  if (rating.event) appealhub::fuzz::check_event(*rating.event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  appealhub::fuzz::quiet_logs();
  // Parsed as the channel API client parses its answers.
  const auto json = appealhub::core::parse_json_bounded(appealhub::fuzz::as_text(data, size));
  if (json.is_discarded()) return 0;
  bool paged = false;
  for (const char* member : {"letters", "ratings"}) {
    if (json.is_object() && json.contains(member) && json[member].is_array()) {
      paged = true;
      for (const auto& item : json[member]) take(item);
    }
  }
  if (!paged) take(json);
  return 0;
}
