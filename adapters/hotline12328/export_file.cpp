#include "adapters/hotline12328/export_file.hpp"

#include <chrono>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <variant>

#include "adapters/hotline12328/encoding.hpp"
#include "core/bytes.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

ExportFileResult rejected(std::string file_name, std::string reason) {
  ExportFileResult r;
  r.file_name = std::move(file_name);
  r.status = ExportStatus::rejected;
  r.reject_reason = std::move(reason);
  return r;
}

// The header row's columns, by name; nullopt with `*reason` when the header cannot be used.
std::optional<ColumnMap> header_columns(const CsvRecord& header, std::string* reason) {
  if (!header.error.empty()) {
    *reason = "header: " + header.error;
    return std::nullopt;
  }
  std::string error;
  auto columns = ColumnMap::from_header(header.fields, &error);
  if (!columns) {
    *reason = "header: " + error;
    return std::nullopt;
  }
  for (const auto required : {column::kOrderId, column::kDispatchType, column::kAcceptedAt}) {
    if (!columns->has(required)) {
      *reason = "header: no column " + std::string(required);
      return std::nullopt;
    }
  }
  return columns;
}

// One data record (spreadsheet row `row`) into an event or a row error.
void map_record(const ColumnMap& columns, const std::string& file_name, CsvRecord& record,
                std::size_t row, std::vector<ExportedEvent>& events,
                std::vector<RowError>& errors) {
  if (!record.error.empty()) {
    errors.push_back(RowError{record.line, "malformed CSV: " + record.error});
    return;
  }
  const RowContext ctx{file_name, record.line, row};
  RowResult result = row_to_event(columns, record.fields, ctx);
  if (result.event) {
    events.push_back(ExportedEvent{record.line, row, std::move(*result.event)});
  } else if (result.error) {
    errors.push_back(std::move(*result.error));
  }
}

std::string decode_error(const Marker& marker, const Utf8Decoder& decoder) {
  return "not " + std::string(to_string(marker.encoding)) +
         " as the marker says: " + decoder.error();
}

std::string sha_error(const std::string& actual, const Marker& marker) {
  return "damaged in transfer: SHA-256 of the file is " + actual + ", the marker says " +
         marker.sha256;
}

std::string rows_error(const Marker& marker, std::size_t data_rows) {
  return "row count mismatch: the marker says " + std::to_string(marker.rows) +
         " rows, the file has " + std::to_string(data_rows);
}

// How long an unusable marker may still be in the middle of being written.
constexpr std::chrono::seconds kMarkerSettle{5};

// The marker beside `csv_path`: not_ready when there is none (or it is unusable and was changed
// in the last kMarkerSettle), rejected when it cannot be used.
std::variant<Marker, ExportFileResult> read_marker_of(const std::filesystem::path& csv_path) {
  namespace fs = std::filesystem;
  const std::string name = csv_path.filename().string();
  const fs::path marker_path = fs::path(csv_path.string() + ".ok");
  const auto not_ready = [&](std::string why) {
    ExportFileResult r;
    r.file_name = name;
    r.status = ExportStatus::not_ready;
    r.reject_reason = std::move(why);
    return r;
  };
  std::error_code ec;
  if (!fs::exists(marker_path, ec))
    return not_ready("no marker " + marker_path.filename().string() + " yet");
  std::ifstream marker_in(marker_path, std::ios::binary);
  std::string marker_text;
  char small[4096];
  while (marker_in.read(small, sizeof small) || marker_in.gcount() > 0) {
    marker_text.append(small, static_cast<std::size_t>(marker_in.gcount()));
    if (marker_text.size() > 65536) return rejected(name, "marker: larger than 64 KiB");
  }
  if (marker_in.bad()) return rejected(name, "marker: cannot be read");
  MarkerResult marker = parse_marker(marker_text);
  if (!marker.marker) {
    // A platform that creates the marker and then writes it can be caught in between: an
    // unusable marker changed within the last seconds is looked at again on the next poll.
    const auto written = fs::last_write_time(marker_path, ec);
    if (!ec && fs::file_time_type::clock::now() - written < kMarkerSettle)
      return not_ready("marker " + marker_path.filename().string() + " still being written");
    return rejected(name, "marker: " + marker.error);
  }
  return std::move(*marker.marker);
}

// Reads `in` in chunks of `size` bytes into `buffer`; the bytes read (0 at the end).
std::string_view read_chunk(std::ifstream& in, std::string& buffer, std::size_t size) {
  buffer.resize(size);
  in.read(buffer.data(), static_cast<std::streamsize>(size));
  return std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount()));
}

}  // namespace

struct ExportReader::State {
  std::string file_name;
  Marker marker;
  core::Sha256Stream sha;
  Utf8Decoder decoder;
  CsvReader csv;
  std::string text;  // decoded text of the current chunk
  std::vector<CsvRecord> records;
  bool decode_failed = false;

  State(std::string name, Marker m)
      : file_name(std::move(name)), marker(std::move(m)), decoder(marker.encoding) {}
};

ExportReader::ExportReader(std::string file_name, Marker marker)
    : state_(std::make_unique<State>(std::move(file_name), std::move(marker))) {}

ExportReader::~ExportReader() = default;

void ExportReader::feed(std::string_view bytes) {
  State& s = *state_;
  s.sha.update(bytes);
  if (s.decode_failed) return;  // keep hashing: a damaged file is reported as such first
  s.text.clear();
  if (!s.decoder.feed(bytes, s.text)) {
    s.decode_failed = true;
    return;
  }
  s.csv.feed(s.text, s.records);
}

ExportFileResult ExportReader::finish() {
  State& s = *state_;
  const std::string actual_sha = s.sha.hex();
  if (actual_sha != s.marker.sha256) return rejected(s.file_name, sha_error(actual_sha, s.marker));
  if (!s.decode_failed) {
    s.text.clear();
    if (s.decoder.finish(s.text)) {
      s.csv.feed(s.text, s.records);
      s.csv.finish(s.records);
    } else {
      s.decode_failed = true;
    }
  }
  if (s.decode_failed) return rejected(s.file_name, decode_error(s.marker, s.decoder));
  if (s.records.empty()) return rejected(s.file_name, "no header row");
  const std::size_t data_rows = s.records.size() - 1;
  if (data_rows != s.marker.rows) return rejected(s.file_name, rows_error(s.marker, data_rows));
  std::string reason;
  const auto columns = header_columns(s.records.front(), &reason);
  if (!columns) return rejected(s.file_name, reason);

  ExportFileResult result;
  result.file_name = s.file_name;
  result.status = ExportStatus::taken;
  result.data_rows = data_rows;
  result.events.reserve(data_rows);
  for (std::size_t i = 1; i < s.records.size(); ++i) {
    map_record(*columns, s.file_name, s.records[i], i + 1, result.events, result.row_errors);
  }
  s.records.clear();
  return result;
}

ExportFileResult read_export_bytes(std::string_view file_name, std::string_view marker_text,
                                   std::string_view csv_bytes, std::size_t chunk_size) {
  const MarkerResult marker = parse_marker(marker_text);
  if (!marker.marker) {
    return rejected(std::string(file_name), "marker: " + marker.error);
  }
  ExportReader reader(std::string(file_name), *marker.marker);
  if (chunk_size == 0) chunk_size = 1;
  for (std::size_t i = 0; i < csv_bytes.size(); i += chunk_size) {
    reader.feed(csv_bytes.substr(i, chunk_size));
  }
  return reader.finish();
}

ExportFileResult read_export_file(const std::string& csv_path) {
  const std::filesystem::path path(csv_path);
  const std::string name = path.filename().string();
  auto marker = read_marker_of(path);
  if (auto* r = std::get_if<ExportFileResult>(&marker)) return std::move(*r);
  std::ifstream in(path, std::ios::binary);
  if (!in) return rejected(name, "cannot open " + csv_path);
  ExportReader reader(name, std::get<Marker>(marker));
  std::string buffer;
  while (true) {
    const auto chunk = read_chunk(in, buffer, 65536);
    if (chunk.empty()) break;
    reader.feed(chunk);
  }
  if (in.bad()) return rejected(name, "read error on " + csv_path);
  return reader.finish();
}

ExportFileResult check_export_file(const std::string& csv_path, Marker* marker_out) {
  const std::filesystem::path path(csv_path);
  const std::string name = path.filename().string();
  auto read = read_marker_of(path);
  if (auto* r = std::get_if<ExportFileResult>(&read)) return std::move(*r);
  const Marker& marker = std::get<Marker>(read);
  std::ifstream in(path, std::ios::binary);
  if (!in) return rejected(name, "cannot open " + csv_path);

  core::Sha256Stream sha;
  Utf8Decoder decoder(marker.encoding);
  CsvReader csv;
  std::string buffer, text;
  std::vector<CsvRecord> records;
  std::optional<CsvRecord> header;
  std::size_t data_rows = 0;
  bool decode_failed = false;
  const auto count = [&] {
    for (auto& r : records) {
      if (!header) {
        header = std::move(r);
      } else {
        ++data_rows;
      }
    }
    records.clear();
  };
  while (true) {
    const auto chunk = read_chunk(in, buffer, 65536);
    if (chunk.empty()) break;
    sha.update(chunk);
    if (decode_failed) continue;  // keep hashing: a damaged file is reported as such first
    text.clear();
    if (!decoder.feed(chunk, text)) {
      decode_failed = true;
      continue;
    }
    csv.feed(text, records);
    count();
  }
  if (in.bad()) return rejected(name, "read error on " + csv_path);
  const std::string actual_sha = sha.hex();
  if (actual_sha != marker.sha256) return rejected(name, sha_error(actual_sha, marker));
  if (!decode_failed) {
    text.clear();
    decode_failed = !decoder.finish(text);
    if (!decode_failed) {
      csv.feed(text, records);
      csv.finish(records);
      count();
    }
  }
  if (decode_failed) return rejected(name, decode_error(marker, decoder));
  if (!header) return rejected(name, "no header row");
  if (data_rows != marker.rows) return rejected(name, rows_error(marker, data_rows));
  std::string reason;
  if (!header_columns(*header, &reason)) return rejected(name, reason);

  ExportFileResult result;
  result.file_name = name;
  result.status = ExportStatus::taken;
  result.data_rows = data_rows;
  if (marker_out != nullptr) *marker_out = marker;
  return result;
}

struct ExportRowStream::State {
  std::string path, file_name;
  Marker marker;
  std::size_t chunk_bytes;
  std::ifstream in;
  core::Sha256Stream sha;
  Utf8Decoder decoder;
  CsvReader csv;
  std::string buffer, text;
  std::vector<CsvRecord> parsed;  // records of the last chunk, handed out from `next_record`
  std::size_t next_record = 0;
  std::optional<ColumnMap> columns;
  std::size_t data_rows = 0;
  bool at_end = false;
  std::string final_sha;

  State(std::string p, Marker m, std::size_t chunk)
      : path(std::move(p)),
        file_name(std::filesystem::path(path).filename().string()),
        marker(std::move(m)),
        chunk_bytes(chunk == 0 ? 65536 : chunk),
        in(path, std::ios::binary),
        decoder(marker.encoding) {}

  // Reads and parses the next chunk; false at the end of the file.
  bool refill() {
    if (at_end) return false;
    parsed.clear();
    next_record = 0;
    const auto chunk = read_chunk(in, buffer, chunk_bytes);
    text.clear();
    if (!chunk.empty()) {
      sha.update(chunk);
      if (!decoder.feed(chunk, text)) throw std::runtime_error(decode_error(marker, decoder));
      csv.feed(text, parsed);
    } else {
      if (in.bad()) throw std::runtime_error("read error on " + path);
      if (!decoder.finish(text)) throw std::runtime_error(decode_error(marker, decoder));
      csv.feed(text, parsed);
      csv.finish(parsed);
      at_end = true;
      final_sha = sha.hex();
    }
    if (!columns && !parsed.empty()) {
      std::string reason;
      columns = header_columns(parsed.front(), &reason);
      if (!columns) throw std::runtime_error(reason);
      next_record = 1;
    }
    return true;
  }
};

ExportRowStream::ExportRowStream(const std::string& csv_path, Marker marker,
                                 std::size_t chunk_bytes)
    : state_(std::make_unique<State>(csv_path, std::move(marker), chunk_bytes)) {
  if (!state_->in) throw std::runtime_error("cannot open " + csv_path);
}

ExportRowStream::~ExportRowStream() = default;

bool ExportRowStream::next(std::size_t max_events, std::vector<ExportedEvent>& events,
                           std::vector<RowError>& errors) {
  State& s = *state_;
  events.clear();
  if (max_events == 0) max_events = 1;
  while (events.size() < max_events) {
    if (s.next_record < s.parsed.size()) {
      ++s.data_rows;
      // Spreadsheet row: the header is row 1, so data record k is row k + 1.
      map_record(*s.columns, s.file_name, s.parsed[s.next_record++], s.data_rows + 1, events,
                 errors);
      continue;
    }
    if (!s.refill()) return false;
  }
  return s.next_record < s.parsed.size() || !s.at_end;
}

bool ExportRowStream::unchanged() const {
  const State& s = *state_;
  return s.at_end && s.final_sha == s.marker.sha256 && s.data_rows == s.marker.rows;
}

std::size_t ExportRowStream::data_rows() const {
  return state_->data_rows;
}

std::string format_error_report(const ExportFileResult& result) {
  std::string text = "file: " + result.file_name + "\n";
  if (result.status == ExportStatus::rejected) {
    text += "rejected: " + result.reject_reason + "\n";
    text += "no row of this file was taken\n";
    return text;
  }
  if (result.status == ExportStatus::not_ready) {
    text += "not ready: " + result.reject_reason + "\n";
    return text;
  }
  // Every data row is either taken or refused (the streaming reader hands its events out apart).
  const std::size_t taken = result.data_rows >= result.row_errors.size()
                                ? result.data_rows - result.row_errors.size()
                                : 0;
  text += "taken: " + std::to_string(taken) + " of " + std::to_string(result.data_rows) + " rows\n";
  text += "refused rows: " + std::to_string(result.row_errors.size()) + "\n";
  for (const RowError& e : result.row_errors) {
    text += "line " + std::to_string(e.line) + ": " + e.message + "\n";
  }
  return text;
}

std::filesystem::path write_error_report(const ExportFileResult& result,
                                         const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / (result.file_name + ".error.txt");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string text = format_error_report(result);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

}  // namespace appealhub::adapters::hotline12328
