// The appeal.v1 decoder (messages from the bus, any producer): decode_event never throws, gives
// errors or an event, and an event it gives is valid and survives encode → decode unchanged.
#include "core/codec.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto decoded = appealhub::core::decode_event(appealhub::fuzz::as_text(data, size));
  if (decoded.ok()) {
    appealhub::fuzz::check_event(decoded.event());
  } else {
    APPEALHUB_FUZZ_CHECK(!decoded.errors().empty());
  }
  return 0;
}
