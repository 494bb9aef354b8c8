#pragma once
// A streaming RFC 4180 reader over UTF-8 text: comma separator, CRLF (or LF) record ends, `"`
// quoting with `""` for a quote; quoted fields may hold commas, quotes and line breaks.
//
// Feed the text in chunks of any size; complete records come out as soon as their line ends. Each
// record carries the physical line (1-based) where it starts, which is what error reports cite.
// Line breaks inside quoted fields are given as LF (a CRLF inside a field becomes LF).
// Empty lines between records are skipped (a trailing line break is not a record).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::adapters::hotline12328 {

struct CsvRecord {
  std::size_t line = 0;  // physical line where the record starts, 1-based
  std::vector<std::string> fields;
  std::string error;  // not empty when the record is malformed (its fields are then best effort)

  friend bool operator==(const CsvRecord&, const CsvRecord&) = default;
};

class CsvReader {
 public:
  // Appends to `out` every record that `text` completes.
  void feed(std::string_view text, std::vector<CsvRecord>& out);
  // End of input: the last record (without a final line break) if any. A quoted field still open
  // gives a record with error "unterminated quoted field (opened on line N)".
  void finish(std::vector<CsvRecord>& out);

 private:
  enum class State { field_start, unquoted, quoted, quote_in_quoted };
  void end_field();
  void end_record(std::vector<CsvRecord>& out);
  void start_record_if_needed();

  State state_ = State::field_start;
  std::size_t line_ = 1;  // current physical line
  bool in_record_ = false;
  bool cr_pending_ = false;  // a CR outside quotes, waiting to see whether LF follows
  bool field_quoted_ = false;
  std::size_t quote_line_ = 0;  // where the open quoted field started
  std::string field_;
  CsvRecord record_;
};

// Parses a whole text (convenience for tests and small files).
std::vector<CsvRecord> parse_csv(std::string_view text);

// Maps header names to column positions, so that rows are read by name, not position.
class ColumnMap {
 public:
  // Header names are trimmed of spaces. Fails (nullopt, `*error` set) on an empty or repeated name.
  static std::optional<ColumnMap> from_header(const std::vector<std::string>& header,
                                              std::string* error = nullptr);

  const std::vector<std::string>& names() const { return names_; }
  std::optional<std::size_t> index(std::string_view name) const;
  bool has(std::string_view name) const { return index(name).has_value(); }
  // The value of column `name` in `fields`; "" when the column or the field is missing.
  std::string_view get(const std::vector<std::string>& fields, std::string_view name) const;

 private:
  std::vector<std::string> names_;
};

}  // namespace appealhub::adapters::hotline12328
