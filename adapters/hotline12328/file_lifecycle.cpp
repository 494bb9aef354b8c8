#include "adapters/hotline12328/file_lifecycle.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace appealhub::adapters::hotline12328 {
namespace fs = std::filesystem;
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `dir/name`, or `dir/name.1`, `dir/name.2`, … when taken: never overwrite.
fs::path free_target(const fs::path& dir, const std::string& name) {
  fs::path target = dir / name;
  for (int i = 1; fs::exists(target); ++i) target = dir / (name + "." + std::to_string(i));
  return target;
}

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!text.empty() && text.back() != '\n') out.put('\n');
  out.close();
  if (!out) {
    throw fs::filesystem_error("cannot write", path, std::make_error_code(std::errc::io_error));
  }
}

fs::path move_pair(const fs::path& csv, const fs::path& dir, std::string_view report) {
  fs::create_directories(dir);
  const std::string name = csv.filename().string();
  if (!report.empty()) write_text(free_target(dir, name + ".error.txt"), report);
  const fs::path target = free_target(dir, name);
  fs::rename(csv, target);
  const fs::path marker = fs::path(csv.string() + ".ok");
  if (fs::exists(marker)) fs::rename(marker, free_target(dir, target.filename().string() + ".ok"));
  return target;
}

}  // namespace

std::optional<ExportFileName> parse_export_file_name(std::string_view name) {
  if (!name.starts_with("12328_") || !name.ends_with(".csv")) return std::nullopt;
  std::string_view rest = name.substr(6, name.size() - 6 - 4);
  // <unit>_<14 digits>_<6 digits>; the unit itself has no '_' constraint beyond the last two parts.
  const auto last = rest.rfind('_');
  if (last == std::string_view::npos) return std::nullopt;
  const std::string_view seq = rest.substr(last + 1);
  rest = rest.substr(0, last);
  const auto second = rest.rfind('_');
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view stamp = rest.substr(second + 1);
  const std::string_view unit = rest.substr(0, second);
  if (unit.empty() || stamp.size() != 14 || !all_digits(stamp) || seq.size() != 6 ||
      !all_digits(seq)) {
    return std::nullopt;
  }
  ExportFileName parsed;
  parsed.unit = std::string(unit);
  parsed.timestamp = std::string(stamp);
  parsed.sequence = static_cast<std::uint32_t>(std::stoul(std::string(seq)));
  return parsed;
}

std::vector<fs::path> list_ready_files(const fs::path& export_dir) {
  struct Entry {
    std::optional<std::uint32_t> sequence;
    std::string name;
    fs::path path;
  };
  std::vector<Entry> entries;
  for (const auto& item : fs::directory_iterator(export_dir)) {
    if (!item.is_regular_file()) continue;
    const std::string name = item.path().filename().string();
    if (!name.ends_with(".csv")) continue;
    if (!fs::is_regular_file(fs::path(item.path().string() + ".ok"))) continue;
    const auto parsed = parse_export_file_name(name);
    entries.push_back(
        Entry{parsed ? std::optional(parsed->sequence) : std::nullopt, name, item.path()});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.sequence.has_value() != b.sequence.has_value()) return a.sequence.has_value();
    if (a.sequence != b.sequence) return *a.sequence < *b.sequence;
    return a.name < b.name;
  });
  std::vector<fs::path> paths;
  paths.reserve(entries.size());
  for (auto& e : entries) paths.push_back(std::move(e.path));
  return paths;
}

fs::path move_to_processed(const fs::path& csv, const fs::path& export_dir,
                           std::chrono::year_month_day date, std::string_view error_report) {
  if (!date.ok()) throw std::invalid_argument("move_to_processed: invalid date");
  char day[16];
  std::snprintf(day, sizeof day, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return move_pair(csv, export_dir / "processed" / day, error_report);
}

fs::path move_to_rejected(const fs::path& csv, std::string_view reason) {
  const std::string text = reason.empty() ? std::string("rejected") : std::string(reason);
  return move_pair(csv, csv.parent_path() / "rejected", text);
}

}  // namespace appealhub::adapters::hotline12328
