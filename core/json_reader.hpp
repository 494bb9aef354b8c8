#pragma once
// The one strict reader for JSON files and sections (configuration, holidays, departments,
// routing rules): a cursor over a parsed value that knows where it is ("rules[3].match.kind"),
// reads typed members, refuses keys nobody read, and records every problem as a JsonError instead
// of stopping at the first one. Only the forward declarations of nlohmann are included here.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::core {

// One problem in a JSON input: the file, the field and what is wrong with it.
struct JsonError {
  std::string where;    // "routing-rules.json", or "routing-rules.json:12:5" for JSON syntax
  std::string field;    // "rules[3].lead", "intake.batch_size"; empty for the whole document
  std::string message;  // "must be between 1 and 5000"
  // "where: field: message", or "where: message" without a field.
  std::string to_string() const;

  friend bool operator==(const JsonError&, const JsonError&) = default;
};

// All errors, one a line.
std::string to_string(const std::vector<JsonError>& errors);

// The whole file, or nothing when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path);

// Parses the text of a JSON file named `source` (nesting bounded as for the appeal.v1 codec).
// Malformed text gives nothing and records "source:line:col: not valid JSON: <why>".
std::optional<nlohmann::json> parse_json_file(const std::string& text, const std::string& source,
                                              std::vector<JsonError>& errors);

class JsonReader;

// A file that is one object holding one list of objects, {"<list_key>": [{…}, …]} and "$comment"
// beside it (the departments, the routing rules): calls `read` once per entry, with a reader at
// "<list_key>[i]", or nullptr for an entry that is not an object (already reported), so that the
// caller keeps one item per entry. False, with the error recorded, when the text is not JSON or
// not an object; then `read` was never called.
bool read_object_list(const std::string& text, const std::string& source, std::string_view list_key,
                      std::vector<JsonError>& errors,
                      const std::function<void(JsonReader* entry)>& read);

// A problem found after read_object_list, in entry i of "<list_key>" ("departments[3]" + ".code"):
// recorded unless the reading already reported that entry or that field (a "must be a string"
// needs no "missing" beside it).
void fail_entry(std::vector<JsonError>& errors, const std::string& source,
                std::string_view list_key, std::size_t i, const std::string& field,
                std::string message);

class JsonReader {
 public:
  // Reads `value`, found at `path` ("" for the document) of the file `source`; problems are
  // appended to `errors`, which must outlive the reader and its children.
  JsonReader(const nlohmann::json& value, std::string path, std::string source,
             std::vector<JsonError>& errors);

  const nlohmann::json& value() const { return *value_; }
  const std::string& path() const { return path_; }
  // The path of a member: "rules[3]" + "lead" -> "rules[3].lead"; "" + "rules" -> "rules".
  std::string path_of(std::string_view key) const;
  bool is_object() const;

  // Records a problem with this value, or with a field given by its whole path.
  void fail(std::string message) const;
  void fail_at(std::string field, std::string message) const;

  // Members. Each returns whether the member was there and of the right type; an absent member
  // leaves `out` alone and is no error unless required() said so. Reading marks the key as known.
  bool required(std::string_view key);  // "missing" when absent
  const nlohmann::json* take(std::string_view key);
  bool text(std::string_view key, std::string& out);  // "must be a string"
  bool flag(std::string_view key, bool& out);         // "must be true or false"
  // "must be an integer", "must be between <min> and <max>".
  std::optional<long long> integer(std::string_view key, long long min, long long max);
  bool fraction(std::string_view key, double& out);  // a number from 0 to 1
  // A list of strings; an item that is not one is reported at "key[k]": "must be a string".
  bool strings(std::string_view key, std::vector<std::string>& out,
               std::string_view not_a_list = "must be a list of strings");
  // A member object, or nothing (and `not_an_object` when it is there but is something else).
  std::optional<JsonReader> object(std::string_view key,
                                   std::string_view not_an_object = "must be an object");
  // Each item of a member list, as a reader at "key[i]"; false when absent or not a list.
  bool each(std::string_view key, std::string_view not_a_list,
            const std::function<void(JsonReader& item, std::size_t index)>& read);
  // Each member of this object, in the file's order, as a reader at "path.key"; marks all known.
  void members(const std::function<void(const std::string& key, JsonReader& member)>& read);

  // Reports at once every key not in `keys` (nor "$comment"): "unknown key", followed by the
  // list of keys when `name_them`. For files whose typos should come before other complaints.
  void allow_only(std::initializer_list<std::string_view> keys, bool name_them = true);

  // Every key no reader asked for: `message` at its path. "$comment" is free text unless
  // `comment_allowed` is false.
  void refuse_unknown(std::string_view message = "unknown key", bool comment_allowed = true);

 private:
  JsonReader child(const nlohmann::json& value, std::string path) const;
  // The member when it is there and `is_type`; `message` when it is there and is not.
  const nlohmann::json* take_typed(std::string_view key, bool (*is_type)(const nlohmann::json&),
                                   std::string_view message);
  const nlohmann::json* value_;
  std::string path_;
  std::string source_;
  std::vector<JsonError>* errors_;
  std::vector<std::string> known_;
};

}  // namespace appealhub::core
