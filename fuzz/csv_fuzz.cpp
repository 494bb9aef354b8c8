// The 12328 CSV reader and decoder: the first byte picks a chunk size, the rest is the file.
// Reading in chunks gives the records of reading at once (whatever the chunk size), decoding
// GB18030 and UTF-8 in chunks gives the text of decoding at once, and the header's ColumnMap
// answers for every record.
#include <algorithm>
#include <string>
#include <vector>

#include "adapters/hotline12328/csv_reader.hpp"
#include "adapters/hotline12328/encoding.hpp"
#include "fuzz/fuzz_support.hpp"

namespace h = appealhub::adapters::hotline12328;

namespace {

void check_decoder(std::string_view bytes, h::Encoding encoding, std::size_t chunk) {
  std::string error;
  const auto whole = h::decode_to_utf8(bytes, encoding, &error);
  h::Utf8Decoder decoder(encoding);
  std::string text;
  bool ok = true;
  for (std::size_t at = 0; ok && at < bytes.size(); at += chunk) {
    ok = decoder.feed(bytes.substr(at, chunk), text);
  }
  if (ok) ok = decoder.finish(text);
  APPEALHUB_FUZZ_CHECK(ok == whole.has_value());
  if (ok) APPEALHUB_FUZZ_CHECK(text == *whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const auto text = appealhub::fuzz::as_text(data + 1, size - 1);

  const auto whole = h::parse_csv(text);
  h::CsvReader reader;
  std::vector<h::CsvRecord> chunked;
  for (std::size_t at = 0; at < text.size(); at += chunk)
    reader.feed(text.substr(at, chunk), chunked);
  reader.finish(chunked);
  APPEALHUB_FUZZ_CHECK(chunked == whole);

  if (!whole.empty()) {
    std::string error;
    if (const auto columns = h::ColumnMap::from_header(whole.front().fields, &error)) {
      for (const auto& record : whole) {
        for (const auto& name : columns->names()) {
          APPEALHUB_FUZZ_CHECK(columns->has(name));
          (void)columns->get(record.fields, name);
        }
      }
    } else {
      APPEALHUB_FUZZ_CHECK(!error.empty());
    }
  }

  check_decoder(text, h::Encoding::gb18030, chunk);
  check_decoder(text, h::Encoding::utf8, chunk);
  return 0;
}
