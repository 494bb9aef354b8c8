#pragma once
// Reading one 12328 export file (channels/hotline-12328-export.md §1): the marker is checked first
// (SHA-256 of the CSV bytes, number of data rows) and a mismatch rejects the whole file before any
// row is taken; then every data row becomes an event or a row error with its line number.
//
// The file is read once, in chunks: hashing, decoding and CSV parsing run on each chunk, so the raw
// bytes are never held whole. The parsed records are kept until the checks have passed (memory
// grows with the rows, about the size of the file in UTF-8) and the events are returned in one
// vector: fine for the platform's files (hundreds of rows); a very large file would want a callback
// per event instead.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hotline12328/csv_reader.hpp"
#include "adapters/hotline12328/export_row.hpp"
#include "adapters/hotline12328/marker.hpp"
#include "core/event.hpp"

namespace appealhub::adapters::hotline12328 {

struct ExportedEvent {
  std::size_t line = 0;  // physical line where the row starts
  std::size_t row = 0;   // spreadsheet row number (header 1)
  core::Event event;
};

enum class ExportStatus {
  taken,      // checks passed; `events` holds every good row, `row_errors` the others
  rejected,   // the whole file is refused (`reject_reason`); no event at all
  not_ready,  // no marker yet: the file may still be growing; leave it alone
};

struct ExportFileResult {
  std::string file_name;  // without directories
  ExportStatus status = ExportStatus::rejected;
  std::string reject_reason;
  std::size_t data_rows = 0;  // data records read (header excluded)
  std::vector<ExportedEvent> events;
  std::vector<RowError> row_errors;  // in line order

  bool taken() const { return status == ExportStatus::taken; }
};

// Reads `<csv_path>` with its marker `<csv_path>.ok`. Never throws for bad content; I/O errors
// (unreadable file) give a rejected result naming the error.
ExportFileResult read_export_file(const std::string& csv_path);

// The same checks and mapping over bytes already in memory, fed in chunks of `chunk_size`
// (tests use small chunks to split multi-byte characters and records).
ExportFileResult read_export_bytes(std::string_view file_name, std::string_view marker_text,
                                   std::string_view csv_bytes, std::size_t chunk_size = 65536);

// The chunk-by-chunk machinery behind both: feed the CSV's bytes, then finish().
class ExportReader {
 public:
  ExportReader(std::string file_name, Marker marker);
  ~ExportReader();
  ExportReader(const ExportReader&) = delete;
  ExportReader& operator=(const ExportReader&) = delete;

  void feed(std::string_view bytes);
  ExportFileResult finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The text of `<name>.error.txt`: the file, whether it was rejected and why, then one line per
// refused row: "line 7: 受理时间: missing".
std::string format_error_report(const ExportFileResult& result);
// Writes format_error_report(result) to `<dir>/<file_name>.error.txt` (replacing an older report
// of the same file) and returns its path.
std::filesystem::path write_error_report(const ExportFileResult& result,
                                         const std::filesystem::path& dir);

}  // namespace appealhub::adapters::hotline12328
