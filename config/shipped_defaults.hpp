#pragma once
// The defaults shipped inside the binary (config/data/*.json): the department directory, the
// routing rules and the public-holiday calendar. `appealhub migrate` stores each as version 1 of
// its settings document when the database has none, so a fresh installation routes at once and
// administrators edit from there.

#include <string_view>

namespace appealhub::config {

// The text of a shipped file by name ("departments.json", "routing-rules.json",
// "cn-public-holidays.json"); empty for an unknown name.
std::string_view shipped_default(std::string_view file_name);

}  // namespace appealhub::config
