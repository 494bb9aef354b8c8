// The `.ok` marker of a 12328 export file: parse_marker never throws, and a marker it reads is
// written back (marker_text) to text it reads as the same marker.
#include "adapters/hotline12328/marker.hpp"
#include "adapters/hotline12328/result_file.hpp"
#include "fuzz/fuzz_support.hpp"

namespace h = appealhub::adapters::hotline12328;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = h::parse_marker(appealhub::fuzz::as_text(data, size));
  APPEALHUB_FUZZ_CHECK(parsed.marker.has_value() == parsed.error.empty());
  if (parsed.marker) {
    const auto again = h::parse_marker(h::marker_text(*parsed.marker));
    APPEALHUB_FUZZ_CHECK(again.marker && *again.marker == *parsed.marker);
  }
  return 0;
}
