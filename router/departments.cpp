#include "router/departments.hpp"

#include <set>

#include "core/field_rules.hpp"
#include "core/text.hpp"

namespace appealhub::router {

using nlohmann::json;

namespace {

bool is_code(std::string_view code) {
  if (code.size() < 2 || code.size() > 32) return false;
  for (const char c : code) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_service_number(std::string_view phone) {
  if (phone.size() < 3 || phone.size() > 6) return false;
  for (const char c : phone) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

}  // namespace

// Checks a list of departments and, when it is sound, indexes it.
struct DirectoryBuilder {
  static DepartmentsLoad build(std::vector<Department> given, const std::string& file,
                               std::vector<core::JsonError> parse_errors) {
    DirectoryBuilder b{std::move(given), file, std::move(parse_errors), {}};
    b.index_codes();
    for (std::size_t i = 0; i < b.departments.size(); ++i) b.check_entry(i);
    b.check_cycles();
    b.check_triage();
    DepartmentsLoad load;
    load.source = file;
    load.errors = std::move(b.errors);
    if (load.errors.empty()) load.directory = b.directory();
    return load;
  }

  std::vector<Department> departments;
  const std::string& source;
  std::vector<core::JsonError> errors;
  std::unordered_map<std::string, std::size_t> index;  // code -> position

  // Records `message` at departments[i]<field>, naming the department when asked and it has a
  // code to name.
  void fail(std::size_t i, const std::string& field, std::string message, bool name_it = true) {
    if (name_it && is_code(departments[i].code)) {
      message += " (department " + in_quotes(departments[i].code) + ")";
    }
    core::fail_entry(errors, source, "departments", i, field, std::move(message));
  }

  // Each well-formed code once, by its first position.
  void index_codes() {
    for (std::size_t i = 0; i < departments.size(); ++i) {
      const auto& d = departments[i];
      if (!is_code(d.code)) {
        fail(i, ".code",
             d.code.empty() ? "missing"
                            : in_quotes(d.code) +
                                  " is not a department code (2 to 32 characters of "
                                  "a-z 0-9 _ -, it becomes the routing key dept.<code>)",
             false);
        continue;
      }
      const auto [it, inserted] = index.emplace(d.code, i);
      if (!inserted) {
        fail(i, ".code",
             in_quotes(d.code) + " is already used by departments[" + std::to_string(it->second) +
                 "]",
             false);
      }
    }
  }

  // One department's name, phone, parent and divisions.
  void check_entry(std::size_t i) {
    const auto& d = departments[i];
    if (d.name.empty()) {
      fail(i, ".name", "missing");
    } else if (!core::is_valid_utf8(d.name) || core::has_control_characters(d.name, false) ||
               d.name.size() > 200) {
      fail(i, ".name", "must be one line of text, at most 200 bytes");
    }
    if (!d.phone.empty() && !core::is_phone_number(d.phone) && !is_service_number(d.phone)) {
      fail(i, ".phone",
           in_quotes(d.phone) + " is not a phone number (0839-3269293, 13908391234 or 12328)");
    }
    if (!d.parent.empty()) {
      if (d.parent == d.code) {
        fail(i, ".parent", "a department cannot be its own parent");
      } else if (!index.contains(d.parent)) {
        fail(i, ".parent", "unknown department " + in_quotes(d.parent));
      }
    }
    std::set<std::string_view> seen;
    for (std::size_t k = 0; k < d.divisions.size(); ++k) {
      const auto& division = d.divisions[k];
      const std::string field = ".divisions[" + std::to_string(k) + "]";
      if (!core::is_division_code(division)) {
        fail(i, field, in_quotes(division) + " is not a division code (6 digits, 510802)");
      } else if (!seen.insert(division).second) {
        fail(i, field, in_quotes(division) + " is listed twice");
      }
    }
  }

  // Cycles: follow each chain of parents; a chain that comes back to where it started is
  // reported once, at its first member in file order.
  void check_cycles() {
    std::set<std::string> in_reported_cycle;
    for (std::size_t i = 0; i < departments.size(); ++i) {
      if (!is_code(departments[i].code) || in_reported_cycle.contains(departments[i].code)) {
        continue;
      }
      std::vector<std::string> chain{departments[i].code};
      std::set<std::string> visited{departments[i].code};
      std::string next = departments[i].parent;
      while (!next.empty() && next != departments[i].code) {
        const auto it = index.find(next);
        if (it == index.end() || !visited.insert(next).second) break;  // unknown, or another loop
        chain.push_back(next);
        next = departments[it->second].parent;
      }
      if (next == departments[i].code && chain.size() > 1) {
        std::string path;
        for (const auto& code : chain) {
          path += in_quotes(code) + " -> ";
          in_reported_cycle.insert(code);
        }
        fail(i, ".parent", "the parents form a cycle: " + path + in_quotes(departments[i].code));
      }
    }
  }

  void check_triage() {
    const auto triage = index.find(std::string(kTriage));
    if (triage == index.end()) {
      errors.push_back(
          {source, "departments",
           "the dispatch desk 'triage' (分拨中心) is missing; every directory needs it"});
    } else if (!departments[triage->second].active) {
      fail(triage->second, ".active", "the dispatch desk cannot be inactive");
    }
  }

  // The checked list, indexed by code and by the divisions its active departments serve.
  DepartmentDirectory directory() {
    DepartmentDirectory out;
    out.departments_ = std::move(departments);
    out.index_ = std::move(index);
    for (std::size_t i = 0; i < out.departments_.size(); ++i) {
      const auto& d = out.departments_[i];
      if (!d.active) continue;
      for (const auto& division : d.divisions) out.served_[division].push_back(i);
    }
    return out;
  }
};

const Department* DepartmentDirectory::find(std::string_view code) const {
  const auto it = index_.find(std::string(code));
  return it == index_.end() ? nullptr : &departments_[it->second];
}

std::vector<const Department*> DepartmentDirectory::children(std::string_view code) const {
  std::vector<const Department*> out;
  for (const auto& d : departments_) {
    if (!d.parent.empty() && d.parent == code) out.push_back(&d);
  }
  return out;
}

std::vector<const Department*> DepartmentDirectory::serving(std::string_view division) const {
  std::vector<const Department*> out;
  const auto it = served_.find(std::string(division));
  if (it == served_.end()) return out;
  for (const auto i : it->second) out.push_back(&departments_[i]);
  return out;
}

DepartmentsLoad make_directory(std::vector<Department> departments, const std::string& source) {
  return DirectoryBuilder::build(std::move(departments), source, {});
}

DepartmentsLoad parse_departments(const std::string& text, const std::string& source) {
  std::vector<core::JsonError> errors;
  std::vector<Department> departments;
  const bool read =
      core::read_object_list(text, source, "departments", errors, [&](core::JsonReader* entry) {
        Department& d = departments.emplace_back();  // one per entry keeps the indexes right
        if (entry == nullptr) return;
        entry->allow_only({"code", "name", "phone", "parent", "divisions", "active"});
        entry->text("code", d.code);
        entry->text("name", d.name);
        entry->text("phone", d.phone);
        entry->text("parent", d.parent);
        entry->strings("divisions", d.divisions, "must be a list of division codes");
        entry->flag("active", d.active);
      });
  if (!read) return {{}, std::move(errors), source};  // not JSON, or not an object
  return DirectoryBuilder::build(std::move(departments), source, std::move(errors));
}

DepartmentsLoad load_departments_file(const std::string& path) {
  const auto text = core::read_text_file(path);
  if (!text) {
    DepartmentsLoad load;
    load.source = path;
    load.errors.push_back({path, "", "cannot be read"});
    return load;
  }
  return parse_departments(*text, path);
}

json to_json(const Department& department) {
  json out = {{"code", department.code}, {"name", department.name}};
  if (!department.phone.empty()) out["phone"] = department.phone;
  if (!department.parent.empty()) out["parent"] = department.parent;
  if (!department.divisions.empty()) out["divisions"] = department.divisions;
  if (!department.active) out["active"] = false;
  return out;
}

}  // namespace appealhub::router
