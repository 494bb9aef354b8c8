#include "adapters/hotline12328/marker.hpp"

#include <charconv>

namespace appealhub::adapters::hotline12328 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

MarkerResult fail(std::string message) {
  return MarkerResult{std::nullopt, std::move(message)};
}

}  // namespace

MarkerResult parse_marker(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::optional<std::uint64_t> rows;
  std::optional<Encoding> encoding;
  std::optional<std::string> sha;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    line = trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    const std::string where = "line " + std::to_string(line_no) + ": ";
    if (eq == std::string_view::npos) {
      return fail(where + "expected key=value, got '" + std::string(line) + "'");
    }
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    if (key == "rows") {
      if (rows) return fail(where + "rows: repeated");
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc{} || end != value.data() + value.size() ||
          value.size() > 12) {
        return fail(where + "rows: not a number: '" + std::string(value) + "'");
      }
      rows = n;
    } else if (key == "encoding") {
      if (encoding) return fail(where + "encoding: repeated");
      encoding = parse_encoding(value);
      if (!encoding) {
        return fail(where + "encoding: unsupported '" + std::string(value) +
                    "' (expected GB18030 or UTF-8)");
      }
    } else if (key == "sha256") {
      if (sha) return fail(where + "sha256: repeated");
      std::string hex;
      for (const char c : value) {
        if (c >= '0' && c <= '9') {
          hex += c;
        } else if (c >= 'a' && c <= 'f') {
          hex += c;
        } else if (c >= 'A' && c <= 'F') {
          hex += static_cast<char>(c - 'A' + 'a');
        } else {
          hex.clear();
          break;
        }
      }
      if (hex.size() != 64 || value.size() != 64) {
        return fail(where + "sha256: not 64 hex digits: '" + std::string(value) + "'");
      }
      sha = std::move(hex);
    }
    // Unknown keys are ignored.
  }
  if (!rows) return fail("missing rows=");
  if (!encoding) return fail("missing encoding=");
  if (!sha) return fail("missing sha256=");
  return MarkerResult{Marker{*rows, *encoding, std::move(*sha)}, {}};
}

}  // namespace appealhub::adapters::hotline12328
