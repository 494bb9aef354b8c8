#pragma once
// Reading one 12328 export file (docs/channels/hotline-12328-export.md §1): the marker is checked first
// (SHA-256 of the CSV bytes, number of data rows) and a mismatch rejects the whole file before any
// row is taken; then every data row becomes an event or a row error with its line number.
//
// Two ways to read:
// - From disk, in two streaming passes (what the folder intake does): check_export_file() hashes,
//   decodes and counts the records, holding one chunk at a time, and says taken or rejected;
//   then ExportRowStream decodes, parses and maps the rows a bounded number at a time. Memory does
//   not grow with the file.
// - In one pass over bytes (read_export_file / read_export_bytes / ExportReader): the records are
//   kept until the checks pass and every event is returned in one vector. For tests and small
//   files only; memory grows with the rows.

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

// Pass 1 of a file on disk: reads the marker `<csv_path>.ok`, then streams the CSV through the
// SHA-256, the decoder and the CSV reader, checking the hash, the encoding, the row count and the
// header; nothing but the header is kept. Status not_ready (no marker), rejected (with the reason),
// or taken with `data_rows` set and no events (they come from pass 2). When taken, `*marker` (if
// given) receives the marker to hand to ExportRowStream.
ExportFileResult check_export_file(const std::string& csv_path, Marker* marker = nullptr);

// Pass 2 of a file that check_export_file() took: its rows in file order, at most `max_events`
// events per call, keeping only the current chunk of the file and the events not yet handed out.
class ExportRowStream {
 public:
  // Throws std::runtime_error when the file cannot be opened.
  ExportRowStream(const std::string& csv_path, Marker marker, std::size_t chunk_bytes = 65536);
  ~ExportRowStream();
  ExportRowStream(const ExportRowStream&) = delete;
  ExportRowStream& operator=(const ExportRowStream&) = delete;

  // Replaces `events` with the next events (at most `max_events`) and appends the rows refused
  // meanwhile to `errors`. Returns false once the file is exhausted (`events` may then still hold
  // the last ones). Throws std::runtime_error on a read error, a header or decoding failure (the
  // file changed since pass 1).
  bool next(std::size_t max_events, std::vector<ExportedEvent>& events,
            std::vector<RowError>& errors);
  // After the last next(): whether this pass read the same bytes as pass 1 (SHA-256 and row count
  // still match the marker). When false the file changed under us and must not be marked done.
  bool unchanged() const;
  std::size_t data_rows() const;  // data records read so far

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
