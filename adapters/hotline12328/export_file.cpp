#include "adapters/hotline12328/export_file.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <optional>
#include <stdexcept>

#include "adapters/hotline12328/encoding.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("SHA-256 unavailable");
    }
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_, digest, &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xF];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

ExportFileResult rejected(std::string file_name, std::string reason) {
  ExportFileResult r;
  r.file_name = std::move(file_name);
  r.status = ExportStatus::rejected;
  r.reject_reason = std::move(reason);
  return r;
}

}  // namespace

struct ExportReader::State {
  std::string file_name;
  Marker marker;
  Sha256 sha;
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
  if (actual_sha != s.marker.sha256) {
    return rejected(s.file_name, "damaged in transfer: SHA-256 of the file is " + actual_sha +
                                     ", the marker says " + s.marker.sha256);
  }
  if (!s.decode_failed) {
    s.text.clear();
    if (s.decoder.finish(s.text)) {
      s.csv.feed(s.text, s.records);
      s.csv.finish(s.records);
    } else {
      s.decode_failed = true;
    }
  }
  if (s.decode_failed) {
    return rejected(s.file_name, "not " + std::string(to_string(s.marker.encoding)) +
                                     " as the marker says: " + s.decoder.error());
  }
  if (s.records.empty()) return rejected(s.file_name, "no header row");
  const std::size_t data_rows = s.records.size() - 1;
  if (data_rows != s.marker.rows) {
    return rejected(s.file_name, "row count mismatch: the marker says " +
                                     std::to_string(s.marker.rows) + " rows, the file has " +
                                     std::to_string(data_rows));
  }
  const CsvRecord& header = s.records.front();
  if (!header.error.empty()) return rejected(s.file_name, "header: " + header.error);
  std::string header_error;
  const auto columns = ColumnMap::from_header(header.fields, &header_error);
  if (!columns) return rejected(s.file_name, "header: " + header_error);
  for (const auto required : {column::kOrderId, column::kDispatchType, column::kAcceptedAt}) {
    if (!columns->has(required)) {
      return rejected(s.file_name, "header: no column " + std::string(required));
    }
  }

  ExportFileResult result;
  result.file_name = s.file_name;
  result.status = ExportStatus::taken;
  result.data_rows = data_rows;
  result.events.reserve(data_rows);
  for (std::size_t i = 1; i < s.records.size(); ++i) {
    CsvRecord record = std::move(s.records[i]);
    if (!record.error.empty()) {
      result.row_errors.push_back(RowError{record.line, "malformed CSV: " + record.error});
      continue;
    }
    const RowContext ctx{s.file_name, record.line, i + 1};
    RowResult row = row_to_event(*columns, record.fields, ctx);
    if (row.event) {
      result.events.push_back(ExportedEvent{record.line, i + 1, std::move(*row.event)});
    } else if (row.error) {
      result.row_errors.push_back(std::move(*row.error));
    }
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
  namespace fs = std::filesystem;
  const fs::path path(csv_path);
  const std::string name = path.filename().string();
  const fs::path marker_path = fs::path(csv_path + ".ok");
  std::error_code ec;
  if (!fs::exists(marker_path, ec)) {
    ExportFileResult r;
    r.file_name = name;
    r.status = ExportStatus::not_ready;
    r.reject_reason = "no marker " + marker_path.filename().string() + " yet";
    return r;
  }
  std::ifstream marker_in(marker_path, std::ios::binary);
  std::string marker_text;
  char small[4096];
  while (marker_in.read(small, sizeof small) || marker_in.gcount() > 0) {
    marker_text.append(small, static_cast<std::size_t>(marker_in.gcount()));
    if (marker_text.size() > 65536) return rejected(name, "marker: larger than 64 KiB");
  }
  if (marker_in.bad()) return rejected(name, "marker: cannot be read");
  const MarkerResult marker = parse_marker(marker_text);
  if (!marker.marker) return rejected(name, "marker: " + marker.error);

  std::ifstream in(path, std::ios::binary);
  if (!in) return rejected(name, "cannot open " + csv_path);
  ExportReader reader(name, *marker.marker);
  std::string chunk(65536, '\0');
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    reader.feed(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return rejected(name, "read error on " + csv_path);
  return reader.finish();
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
  text += "taken: " + std::to_string(result.events.size()) + " of " +
          std::to_string(result.data_rows) + " rows\n";
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
