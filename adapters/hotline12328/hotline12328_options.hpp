#pragma once
// The 12328 hotline's file interface options (adapters/hotline12328/), with their one set of
// defaults. Plain data on the standard library alone: config/ reads the "hotline12328" section
// straight into them.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "core/setting_problem.hpp"

namespace appealhub::adapters::hotline12328 {

// The text encoding of 12328 files (adapters/hotline12328/encoding.hpp).
enum class Encoding { gb18030, utf8 };

// The intake side (export_intake.hpp); an empty export_dir: not running.
struct ExportIntakeOptions {
  std::filesystem::path export_dir;
  std::chrono::milliseconds poll_interval{5000};
};

// The result side (result_sender.hpp); an empty import_dir: not running.
struct ResultSenderOptions {
  std::filesystem::path import_dir;          // the platform's import/ folder: result files go there
  std::filesystem::path receipt_dir;         // its receipt/ folder
  Encoding encoding = Encoding::gb18030;     // as configured for the unit
  std::string unit = "510800JT";             // the unit in result file names
  std::chrono::seconds flush_interval{60};   // waiting answers are written at least this often
  std::chrono::minutes receipt_timeout{30};  // a result file without a receipt then is reported
  std::chrono::milliseconds poll_interval{1000};  // set from delivery.poll_interval_ms
  std::size_t max_rows = 500;                     // at most kMaxResultRows
};

struct Hotline12328Options {
  ExportIntakeOptions intake;
  ResultSenderOptions results;
};

inline core::SettingProblems validate(const Hotline12328Options& o) {
  core::SettingProblems problems;
  if (!o.results.import_dir.empty() && o.results.receipt_dir.empty()) {
    problems.push_back({"receipt_dir", "must be set with import_dir"});
  }
  if (o.results.unit.empty() || o.results.unit.find_first_of("_/\\ ") != std::string::npos) {
    problems.push_back({"unit_code", "must be a code without _, / or spaces"});
  }
  return problems;
}

}  // namespace appealhub::adapters::hotline12328
