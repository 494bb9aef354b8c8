// A 12328 export file and its marker. Input: a flags byte, a chunk-size byte, then
// `<marker text>\n====\n<CSV bytes>`. Flags: bit 0 UTF-8 instead of GB18030 (for a marker
// written by the fuzzer), bit 1 the fuzzer writes a marker that matches the CSV (SHA-256 and row
// count, so that the rows are mapped) instead of using the given text, bit 2 the file is also
// read from disk in two passes (check_export_file, ExportRowStream), which must agree with the
// reading in memory.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/hotline12328/export_file.hpp"
#include "adapters/hotline12328/result_file.hpp"
#include "core/bytes.hpp"
#include "fuzz/fuzz_support.hpp"

namespace h = appealhub::adapters::hotline12328;
namespace fs = std::filesystem;

namespace {

std::string matching_marker(std::string_view csv, h::Encoding encoding) {
  h::Marker marker;
  marker.encoding = encoding;
  marker.sha256 = appealhub::core::sha256_hex(csv);
  if (const auto text = h::decode_to_utf8(csv, encoding)) {
    const auto records = h::parse_csv(*text);
    marker.rows = records.empty() ? 0 : records.size() - 1;
  }
  return h::marker_text(marker);
}

void write(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Pass 1 and pass 2 from disk must take what the reading in memory took, with the same events
// and refused rows.
void check_disk(const h::ExportFileResult& memory, std::string_view marker_text,
                std::string_view csv) {
  // One folder per process, removed at exit.
  static const struct Folder {
    fs::path path =
        fs::temp_directory_path() / ("appealhub-fuzz-export-" + std::to_string(::getpid()));
    Folder() { fs::create_directories(path); }
    ~Folder() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } folder;
  const fs::path& dir = folder.path;
  const fs::path csv_path = dir / "12328_510800JT_20261127160000_000001.csv";
  write(csv_path, csv);
  write(fs::path(csv_path.string() + ".ok"), marker_text);

  h::Marker marker;
  const auto checked = h::check_export_file(csv_path.string(), &marker);
  if (!memory.taken()) {
    APPEALHUB_FUZZ_CHECK(!checked.taken());
    return;
  }
  APPEALHUB_FUZZ_CHECK(checked.taken());
  APPEALHUB_FUZZ_CHECK(checked.data_rows == memory.data_rows);
  h::ExportRowStream stream(csv_path.string(), marker, 1 + csv.size() % 97);
  std::vector<h::ExportedEvent> events, batch;
  std::vector<h::RowError> errors;
  bool more = true;
  while (more) {
    more = stream.next(3, batch, errors);
    events.insert(events.end(), batch.begin(), batch.end());
  }
  APPEALHUB_FUZZ_CHECK(stream.unchanged());
  APPEALHUB_FUZZ_CHECK(errors == memory.row_errors);
  APPEALHUB_FUZZ_CHECK(events.size() == memory.events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    APPEALHUB_FUZZ_CHECK(events[i].line == memory.events[i].line);
    APPEALHUB_FUZZ_CHECK(events[i].row == memory.events[i].row);
    APPEALHUB_FUZZ_CHECK(events[i].event == memory.events[i].event);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  appealhub::fuzz::quiet_logs();
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t chunk = 1 + data[1];
  auto [marker_part, csv] =
      appealhub::fuzz::split_once(appealhub::fuzz::as_text(data + 2, size - 2), "\n====\n");
  const auto encoding = (flags & 1) ? h::Encoding::utf8 : h::Encoding::gb18030;
  const std::string marker =
      (flags & 2) ? matching_marker(csv, encoding) : std::string(marker_part);

  const auto result =
      h::read_export_bytes("12328_510800JT_20261127160000_000001.csv", marker, csv, chunk);
  APPEALHUB_FUZZ_CHECK(result.status != h::ExportStatus::not_ready);
  APPEALHUB_FUZZ_CHECK(result.taken() || result.events.empty());
  (void)h::format_error_report(result);
  if (flags & 4) check_disk(result, marker, csv);
  return 0;
}
