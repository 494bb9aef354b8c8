#include "core/json_input.hpp"

namespace appealhub::core {

nlohmann::json parse_json_bounded(std::string_view text, int max_depth) {
  struct TooDeep {};
  try {
    return nlohmann::json::parse(
        text,
        [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth >= max_depth) throw TooDeep{};  // depth counts from 0
          return true;
        },
        false);
  } catch (const TooDeep&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

}  // namespace appealhub::core
