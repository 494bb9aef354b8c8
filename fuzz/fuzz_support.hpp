#pragma once
// What the fuzzers share: quiet logs and splitting one input into parts.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"

namespace appealhub::fuzz {

// Logs go nowhere: a fuzzer runs millions of inputs, and a warning per refused input would
// dominate the time.
inline void quiet_logs() {
  static const bool done = [] {
    core::set_log_sink([](std::string_view) {});
    return true;
  }();
  (void)done;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits at the first `separator`: {before, after}; {text, ""} when it does not occur.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view text,
                                                                std::string_view separator) {
  const auto at = text.find(separator);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + separator.size())};
}

}  // namespace appealhub::fuzz

// A property the code promises does not hold: report and abort, so libFuzzer keeps the input.
#define APPEALHUB_FUZZ_CHECK(condition)                                                  \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

#include "core/codec.hpp"
#include "core/validation.hpp"

namespace appealhub::fuzz {

// An adapter's event is a valid appeal.v1 message that decodes back to itself.
inline void check_event(const core::Event& event) {
  APPEALHUB_FUZZ_CHECK(core::validate(event).empty());
  const auto decoded = core::decode_event(core::encode_event(event));
  APPEALHUB_FUZZ_CHECK(decoded.ok());
  APPEALHUB_FUZZ_CHECK(decoded.event() == event);
}

}  // namespace appealhub::fuzz
