#pragma once
// What a part's validate() finds wrong across the fields of its options: the setting as its
// section names it ("receipt_dir") and the problem. The configuration loader reports it with the
// file and the section ("hub.json: hotline12328.receipt_dir: must be set with import_dir").
// Plain data on the standard library alone, for the parts' *_options.hpp.

#include <string>
#include <vector>

namespace appealhub::core {

struct SettingProblem {
  std::string setting;
  std::string message;
};
using SettingProblems = std::vector<SettingProblem>;

}  // namespace appealhub::core
