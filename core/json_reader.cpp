#include "core/json_reader.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/codec.hpp"
#include "core/text.hpp"

namespace appealhub::core {

using nlohmann::json;

std::string JsonError::to_string() const {
  std::string out = where;
  if (!field.empty()) out += ": " + field;
  return out + ": " + message;
}

std::string to_string(const std::vector<JsonError>& errors) {
  std::string out;
  for (const auto& error : errors) {
    if (!out.empty()) out += '\n';
    out += error.to_string();
  }
  return out;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::optional<json> parse_json_file(const std::string& text, const std::string& source,
                                    std::vector<JsonError>& errors) {
  struct TooDeep {};
  try {
    return json::parse(text, [](int depth, json::parse_event_t, json&) {
      if (depth >= kMaxNestingDepth) throw TooDeep{};  // depth counts from 0
      return true;
    });
  } catch (const json::parse_error& e) {
    // e.byte is the 1-based position of the character the parser stopped at; what() is
    // "[json.exception.parse_error.101] parse error at line 3, column 15: syntax error while
    // parsing …": keep the explanation after the position.
    const std::string position = text_position(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string why = e.what();
    const auto colon = why.find(": ", why.find("column"));
    why = colon == std::string::npos ? std::string() : why.substr(colon + 2);
    errors.push_back(
        {source + ":" + position, "", why.empty() ? "not valid JSON" : "not valid JSON: " + why});
  } catch (const TooDeep&) {
    errors.push_back(
        {source, "",
         "not valid JSON: nested deeper than " + std::to_string(kMaxNestingDepth) + " levels"});
  } catch (const json::exception&) {
    errors.push_back({source, "", "not valid JSON: a value out of range"});
  }
  return std::nullopt;
}

bool read_object_list(const std::string& text, const std::string& source, std::string_view list_key,
                      std::vector<JsonError>& errors,
                      const std::function<void(JsonReader*)>& read) {
  const auto root = parse_json_file(text, source, errors);
  if (!root) return false;
  if (!root->is_object()) {
    errors.push_back(
        {source, "", "must be a JSON object with a \"" + std::string(list_key) + "\" list"});
    return false;
  }
  JsonReader file(*root, "", source, errors);
  file.allow_only({list_key}, false);
  file.required(list_key);
  file.each(list_key, "must be a list", [&](JsonReader& entry, std::size_t) {
    if (entry.is_object()) return read(&entry);
    entry.fail("must be an object");
    read(nullptr);
  });
  return true;
}

void fail_entry(std::vector<JsonError>& errors, const std::string& source,
                std::string_view list_key, std::size_t i, const std::string& field,
                std::string message) {
  const std::string entry = std::string(list_key) + "[" + std::to_string(i) + "]";
  for (const auto& e : errors) {
    if (e.field == entry || e.field == entry + field) return;
  }
  errors.push_back({source, entry + field, std::move(message)});
}

JsonReader::JsonReader(const json& value, std::string path, std::string source,
                       std::vector<JsonError>& errors)
    : value_(&value), path_(std::move(path)), source_(std::move(source)), errors_(&errors) {}

JsonReader JsonReader::child(const json& value, std::string path) const {
  return JsonReader(value, std::move(path), source_, *errors_);
}

std::string JsonReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool JsonReader::is_object() const {
  return value_->is_object();
}

void JsonReader::fail(std::string message) const {
  fail_at(path_, std::move(message));
}

void JsonReader::fail_at(std::string field, std::string message) const {
  errors_->push_back({source_, std::move(field), std::move(message)});
}

const json* JsonReader::take(std::string_view key) {
  known_.emplace_back(key);
  if (!value_->is_object()) return nullptr;
  const auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

const json* JsonReader::take_typed(std::string_view key, bool (*is_type)(const json&),
                                   std::string_view message) {
  const auto* v = take(key);
  if (v == nullptr || is_type(*v)) return v;
  fail_at(path_of(key), std::string(message));
  return nullptr;
}

bool JsonReader::required(std::string_view key) {
  if (take(key) != nullptr) return true;
  fail_at(path_of(key), "missing");
  return false;
}

bool JsonReader::text(std::string_view key, std::string& out) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_string(); }, "must be a string");
  if (v == nullptr) return false;
  out = v->get<std::string>();
  return true;
}

bool JsonReader::flag(std::string_view key, bool& out) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_boolean(); }, "must be true or false");
  if (v == nullptr) return false;
  out = v->get<bool>();
  return true;
}

std::optional<long long> JsonReader::integer(std::string_view key, long long min, long long max) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_number_integer(); }, "must be an integer");
  if (v == nullptr) return std::nullopt;
  // An unsigned value beyond long long's range wraps negative: compare it as unsigned first.
  const bool too_big = v->is_number_unsigned() &&
                       v->get<unsigned long long>() > static_cast<unsigned long long>(max);
  const auto n = v->get<long long>();
  if (too_big || n < min || n > max) {
    fail_at(path_of(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

bool JsonReader::fraction(std::string_view key, double& out) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_number(); }, "must be a number");
  if (v == nullptr) return false;
  const auto n = v->get<double>();
  if (n < 0 || n > 1) {
    fail_at(path_of(key), "must be between 0 and 1");
    return false;
  }
  out = n;
  return true;
}

bool JsonReader::strings(std::string_view key, std::vector<std::string>& out,
                         std::string_view not_a_list) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_array(); }, not_a_list);
  if (v == nullptr) return false;
  bool all = true;
  for (std::size_t k = 0; k < v->size(); ++k) {
    if ((*v)[k].is_string()) {
      out.push_back((*v)[k].get<std::string>());
    } else {
      fail_at(path_of(key) + "[" + std::to_string(k) + "]", "must be a string");
      all = false;
    }
  }
  return all;
}

std::optional<JsonReader> JsonReader::object(std::string_view key, std::string_view not_an_object) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_object(); }, not_an_object);
  if (v == nullptr) return std::nullopt;
  return child(*v, path_of(key));
}

bool JsonReader::each(std::string_view key, std::string_view not_a_list,
                      const std::function<void(JsonReader&, std::size_t)>& read) {
  const auto* v = take_typed(
      key, [](const json& j) { return j.is_array(); }, not_a_list);
  if (v == nullptr) return false;
  for (std::size_t i = 0; i < v->size(); ++i) {
    auto item = child((*v)[i], path_of(key) + "[" + std::to_string(i) + "]");
    read(item, i);
  }
  return true;
}

void JsonReader::members(const std::function<void(const std::string&, JsonReader&)>& read) {
  if (!value_->is_object()) return;
  for (const auto& [key, value] : value_->items()) {
    known_.push_back(key);
    auto member = child(value, path_of(key));
    read(key, member);
  }
}

void JsonReader::allow_only(std::initializer_list<std::string_view> keys, bool name_them) {
  if (!value_->is_object()) return;
  std::string message = "unknown key";
  if (name_them) {
    message += " (keys: ";
    for (const auto key : keys) message += std::string(key) + ", ";
    message += "$comment)";
  }
  for (const auto& [key, value] : value_->items()) {
    if (key != "$comment" && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      fail_at(path_of(key), message);
    }
  }
}

void JsonReader::refuse_unknown(std::string_view message, bool comment_allowed) {
  if (!value_->is_object()) return;
  for (const auto& [key, value] : value_->items()) {
    if (comment_allowed && key == "$comment") continue;
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      fail_at(path_of(key), std::string(message));
    }
  }
}

}  // namespace appealhub::core
