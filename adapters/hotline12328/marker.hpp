#pragma once
// The `.ok` marker of a 12328 export file (docs/channels/hotline-12328-export.md §1): a small text file,
// `key=value` per line (LF or CRLF), written by the platform after the CSV is complete:
//   rows=118
//   encoding=GB18030
//   sha256=9f2c…(64 hex digits of the CSV file's bytes)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/hotline12328/encoding.hpp"

namespace appealhub::adapters::hotline12328 {

struct Marker {
  std::uint64_t rows = 0;  // data rows (not the header, not physical lines)
  Encoding encoding = Encoding::gb18030;
  std::string sha256;  // 64 lowercase hex digits

  friend bool operator==(const Marker&, const Marker&) = default;
};

struct MarkerResult {
  std::optional<Marker> marker;  // set when the marker is well-formed
  std::string error;             // otherwise why not, e.g. "line 2: rows: not a number: 'x'"
};

// Reads a marker. Keys are case-sensitive (`rows`, `encoding`, `sha256`); spaces around keys and
// values are ignored, blank lines too, a leading UTF-8 BOM as well. A missing or repeated key, a
// line without `=`, a value that is not a number / known encoding / 64 hex digits is an error.
// Unknown keys are ignored (the platform may add some).
MarkerResult parse_marker(std::string_view text);

}  // namespace appealhub::adapters::hotline12328
