// A 12328 receipt (UTF-8 CSV the platform writes back): parse_receipt never throws, and says
// why whenever it refuses.
#include "adapters/hotline12328/result_file.hpp"
#include "fuzz/fuzz_support.hpp"

namespace h = appealhub::adapters::hotline12328;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string error;
  const auto rows = h::parse_receipt(appealhub::fuzz::as_text(data, size), &error);
  APPEALHUB_FUZZ_CHECK(rows.has_value() || !error.empty());
  return 0;
}
