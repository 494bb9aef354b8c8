#pragma once
// The department directory: who can be given a ticket. Each department's code is the word of its
// routing key on the bus (`dept.<code>`), so a department's own system binds a queue to it.
//
// The file (shipped default: config/data/departments.json; the format is in docs/routing.md):
//
//   {"$comment": "…",
//    "departments": [
//      {"code": "gyjtj", "name": "广元市交通运输局", "phone": "0839-3269293"},
//      {"code": "lzq", "name": "利州区交通运输局", "phone": "…", "divisions": ["510802"]},
//      {"code": "zfzd-1", "name": "…一大队", "parent": "zfzd", "active": false}, …]}
//
// Rules: a code is 2 to 32 characters of `a-z 0-9 _ -` and is used once; a name is required; a
// phone is empty, a phone number (0839-3269293, 13908391234) or a 3-to-6-digit service number
// (12328); a parent names another department of the file, and parents form no cycle; a division
// is a 6-digit code, listed once per department; `active` is true or false (default true). The
// dispatch desk `triage` must be there and active. Unknown keys are errors; "$comment" is
// allowed anywhere. Every error names the file, the entry and the field:
// "departments.json: departments[3].parent: unknown department 'xyz' (department 'lzq')".
//
// Pure: no I/O except load_departments_file().

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json_reader.hpp"

namespace appealhub::router {

// The dispatch desk (分拨中心): tickets no rule placed, and returned tickets, wait here for an
// operator. Every directory has it.
inline constexpr std::string_view kTriage = "triage";

struct Department {
  std::string code;                    // `[a-z0-9_-]{2,32}`: the routing key dept.<code>
  std::string name;                    // 广元市交通运输局
  std::string phone;                   // may be empty
  std::string parent;                  // code of the unit it belongs to, empty for a top-level unit
  std::vector<std::string> divisions;  // division codes it serves (district/county bureaus)
  bool active = true;  // an inactive department stays in the directory but takes no tickets

  friend bool operator==(const Department&, const Department&) = default;
};

// A checked, immutable directory. Build one with parse_departments(), load_departments_file() or
// make_directory(); a default-constructed one is empty (it has not even `triage`).
class DepartmentDirectory {
 public:
  DepartmentDirectory() = default;

  // nullptr when there is no such code.
  const Department* find(std::string_view code) const;
  bool contains(std::string_view code) const { return find(code) != nullptr; }
  // Every department, in file order.
  const std::vector<Department>& list() const { return departments_; }
  std::size_t size() const { return departments_.size(); }
  // The departments whose parent is `code`, in file order.
  std::vector<const Department*> children(std::string_view code) const;
  // The active departments that list `division`, in file order. The first one is the one
  // that leads or assists "by division" in the routing rules.
  std::vector<const Department*> serving(std::string_view division) const;

  friend struct DirectoryBuilder;

 private:
  std::vector<Department> departments_;
  std::unordered_map<std::string, std::size_t> index_;                // code -> position
  std::unordered_map<std::string, std::vector<std::size_t>> served_;  // division -> positions
};

struct DepartmentsLoad {
  std::optional<DepartmentDirectory> directory;  // set only when errors is empty
  std::vector<core::JsonError> errors;           // each names the file and the field
  std::string source;
};

// From the JSON text of a departments file; `source` names it in errors.
DepartmentsLoad parse_departments(const std::string& text, const std::string& source);
// Reads a departments file; a file that cannot be read gives an error, not an exception.
DepartmentsLoad load_departments_file(const std::string& path);
// From departments already in memory (an administrator's edit): the same checks, the same
// "departments[i].field" names in errors.
DepartmentsLoad make_directory(std::vector<Department> departments, const std::string& source);

// A department as it appears in the file (for the admin API and for writing the file back).
nlohmann::json to_json(const Department& department);

}  // namespace appealhub::router
