#pragma once
// The file bits of the 12328 platform's side (docs/channels/hotline-12328-export.md), written
// for the simulator alone (it is an independent peer and shares no code with the hub): RFC 4180
// CSV with CRLF, GB18030 / UTF-8 (with or without BOM) through iconv, SHA-256 through OpenSSL,
// the `.ok` marker, and files that appear whole (temporary name, then rename).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::sim::hotline {

enum class FileEncoding { gb18030, utf8, utf8_bom };

// "GB18030", "UTF-8", "UTF-8-BOM" (case-insensitive; "utf8" too); nullopt for anything else.
std::optional<FileEncoding> parse_file_encoding(std::string_view name);
// What the marker says: "GB18030" or "UTF-8" (a BOM is not an encoding of its own).
std::string marker_encoding_name(FileEncoding encoding);

// UTF-8 text into the file's bytes (a BOM first for utf8_bom). Throws std::runtime_error when a
// character has no GB18030 form (none in practice: GB18030 covers Unicode).
std::string encode_text(std::string_view utf8, FileEncoding encoding);
// File bytes in `encoding` (GB18030 or UTF-8; a leading BOM is dropped) into UTF-8; nullopt when
// the bytes are not valid in that encoding.
std::optional<std::string> decode_text(std::string_view bytes, bool gb18030);

std::string sha256_hex(std::string_view bytes);

// One CSV record: fields quoted when they hold a comma, a quote or a line break (line breaks
// inside fields are written CRLF), CRLF at the end.
std::string csv_record(const std::vector<std::string>& fields);
// A whole CSV text into records (RFC 4180; CRLF or LF). nullopt when a quoted field is not closed.
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);

// `.ok` marker text: rows, encoding, sha256, one `key=value` per line.
std::string marker_text(std::size_t rows, std::string_view encoding, std::string_view sha256);
struct MarkerFields {
  std::optional<std::uint64_t> rows;
  std::string encoding;
  std::string sha256;
};
MarkerFields parse_marker_text(std::string_view text);

std::string read_file(const std::filesystem::path& path);
// Writes `bytes` under a temporary name in the same folder, then renames: readers never see half
// a file.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Number of Unicode code points of UTF-8 text.
std::size_t utf8_length(std::string_view text);

}  // namespace appealhub::sim::hotline
