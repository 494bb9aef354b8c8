#pragma once
// Where export files go (docs/channels/hotline-12328-export.md §1): the hub reads only files whose
// `.ok` marker exists, and after a file is done moves it and its marker to
// `export/processed/YYYY-MM-DD/`, or to `export/rejected/` with `<name>.error.txt` beside it.
// Nothing is ever deleted or overwritten: if the target name is taken, a suffix `.1`, `.2`, … is
// added to the moved file's name.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::adapters::hotline12328 {

// `12328_<unit>_<yyyyMMddHHmmss>_<seq>.csv`
struct ExportFileName {
  std::string unit;
  std::string timestamp;       // 14 digits
  std::uint32_t sequence = 0;  // the six-digit sequence
};
std::optional<ExportFileName> parse_export_file_name(std::string_view name);

// The CSV files in `export_dir` (not its subfolders) whose marker `<name>.ok` exists, ordered by
// sequence, then name; files whose name does not follow the pattern come last, by name. A CSV
// without a marker is never listed (it may still be growing).
std::vector<std::filesystem::path> list_ready_files(const std::filesystem::path& export_dir);

// Moves `csv` and its marker to `<export_dir>/processed/YYYY-MM-DD/` (the CSV first, then the
// marker); when `error_report` is not empty it is written there as `<name>.error.txt` first (rows
// refused in a taken file). Returns the CSV's new path. Throws std::filesystem::filesystem_error.
std::filesystem::path move_to_processed(const std::filesystem::path& csv,
                                        const std::filesystem::path& export_dir,
                                        std::chrono::year_month_day date,
                                        std::string_view error_report = {});

// Moves `csv` and its marker (when there is one) to `<directory of csv>/rejected/` and writes
// `<name>.error.txt` there with `reason` (a full report from format_error_report, or one line).
std::filesystem::path move_to_rejected(const std::filesystem::path& csv, std::string_view reason);

}  // namespace appealhub::adapters::hotline12328
