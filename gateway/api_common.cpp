#include <algorithm>
#include <charconv>

#include "core/codec.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "gateway/api_internal.hpp"
#include "http/url.hpp"

namespace appealhub::gateway::detail {

std::int64_t Context::id_param(const std::string& name) const {
  const auto it = params.find(name);
  std::int64_t value = 0;
  if (it == params.end() || it->second.empty()) bad_request(name, "required");
  const auto* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0) {
    bad_request(name, "must be a positive whole number");
  }
  return value;
}

namespace {

// A text the store can keep as it is: well-formed UTF-8 without NUL (PostgreSQL refuses both, and
// a NUL would cut the text short where it is read back as a C string).
void require_storable(const std::string& field, std::string_view text) {
  if (!core::is_valid_utf8(text)) bad_request(field, "not UTF-8");
  if (text.find('\0') != std::string_view::npos) bad_request(field, "must not contain NUL");
}

// Every string in a JSON body, keys included, is storable; `path` names the field at fault.
void require_storable_json(const nlohmann::json& value, const std::string& path) {
  if (value.is_string()) {
    require_storable(path, value.get_ref<const std::string&>());
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      require_storable(path.empty() ? "body" : path, key);
      require_storable_json(item, path.empty() ? key : path + "." + key);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      require_storable_json(value[i], path + "[" + std::to_string(i) + "]");
    }
  }
}

}  // namespace

namespace {
// Calls fn(name, value) for each non-empty `name[=value]` pair of the query, both
// percent-decoded; value is nullopt for a pair without '='. A malformed query is a 400.
template <class Fn>
void for_each_query_pair(const http::Request& request, Fn fn) {
  const auto pairs = http::parse_query(request.query());
  if (!pairs) bad_request("query", "not a query string (a '%' must start a %XX escape)");
  for (const auto& [key, value] : *pairs) fn(key, value);
}
}  // namespace

void check_request_text(const http::Request& request,
                        const std::map<std::string, std::string>& params) {
  for (const auto& [name, value] : params) require_storable(name, value);
  for_each_query_pair(request, [](const std::string& key, const std::optional<std::string>& value) {
    require_storable("query parameter", key);
    if (value) require_storable(key, *value);
  });
}

void Context::allow_query(const std::set<std::string>& names) const {
  for_each_query_pair(request, [&](const std::string& key, const std::optional<std::string>&) {
    if (!names.contains(key)) bad_request(key, "unknown query parameter");
  });
}

Body::Body(const http::Request& request) : reader_(json_, "", "body", errors_) {
  if (request.body.empty()) {
    json_ = nlohmann::json::object();
    return;
  }
  const auto type = request.header("Content-Type").value_or("");
  if (type.find("application/json") == std::string::npos) {
    throw ApiError(415, "unsupported_media_type", "Content-Type: must be application/json");
  }
  if (!core::is_valid_utf8(request.body)) bad_request("body", "not UTF-8");
  try {
    // Bounded: require_storable_json and every copy recurse once per level.
    json_ = nlohmann::json::parse(
        request.body, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth >= core::kMaxNestingDepth) {  // depth counts from 0
            bad_request("body",
                        "nested deeper than " + std::to_string(core::kMaxNestingDepth) + " levels");
          }
          return true;
        });
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(400, "malformed_json",
                   "body: not JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {
    // A number beyond a double's range (1e999) and the like.
    throw ApiError(400, "malformed_json", "body: a value out of range");
  }
  if (!json_.is_object()) bad_request("body", "must be a JSON object");
  require_storable_json(json_, "");
}

Body::Body(Body& parent, const std::string& name, bool required)
    : json_(parent.object(name, required).value_or(nlohmann::json::object())),
      reader_(json_, parent.reader_.path_of(name), "body", errors_) {}

bool Body::present(const std::string& name, bool required) {
  const auto* v = reader_.take(name);
  if (v == nullptr || v->is_null()) {
    if (required) bad_request(reader_.path_of(name), "required");
    return false;
  }
  return true;
}

void Body::throw_first_error() const {
  if (!errors_.empty()) bad_request(errors_.front().field, errors_.front().message);
}

std::optional<std::string> Body::string(const std::string& name, bool required,
                                        std::size_t max_chars, bool allow_empty) {
  std::string text;
  if (!present(name, required)) return std::nullopt;
  if (!reader_.text(name, text)) throw_first_error();
  const auto length = core::utf8_length(text).value_or(0);
  if (length > max_chars) {
    bad_request(reader_.path_of(name), "at most " + std::to_string(max_chars) +
                                           " characters (has " + std::to_string(length) + ")");
  }
  bool blank = true;
  for (const char c : text) blank = blank && (c == ' ' || c == '\n' || c == '\t' || c == '\r');
  if (blank && !allow_empty) bad_request(reader_.path_of(name), "must not be empty");
  return text;
}

std::optional<bool> Body::boolean(const std::string& name, bool required) {
  bool value = false;
  if (!present(name, required)) return std::nullopt;
  if (!reader_.flag(name, value)) throw_first_error();
  return value;
}

std::optional<std::int64_t> Body::integer(const std::string& name, bool required, std::int64_t min,
                                          std::int64_t max) {
  if (!present(name, required)) return std::nullopt;
  const auto value = reader_.integer(name, min, max);
  if (!value) throw_first_error();
  return *value;
}

std::optional<std::vector<std::string>> Body::strings(const std::string& name, bool required) {
  std::vector<std::string> out;
  if (!present(name, required)) return std::nullopt;
  if (!reader_.strings(name, out)) throw_first_error();
  return out;
}

std::optional<nlohmann::json> Body::object(const std::string& name, bool required) {
  if (!present(name, required)) return std::nullopt;
  const auto member = reader_.object(name);
  if (!member) throw_first_error();
  return member->value();
}

std::optional<std::string> Body::choice(const std::string& name, bool required,
                                        const std::set<std::string>& allowed) {
  auto value = string(name, required, 64);
  if (value && !allowed.contains(*value)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    bad_request(reader_.path_of(name), "must be one of " + list);
  }
  return value;
}

void Body::read(const std::function<void(core::JsonReader&)>& read) {
  read(reader_);
}

void Body::finish() {
  const auto read_errors = errors_.size();
  reader_.refuse_unknown("unknown field", false);
  if (errors_.size() > read_errors) {
    const auto& unknown = errors_[read_errors];
    throw ApiError(400, "unknown_field", unknown.field + ": " + unknown.message);
  }
  throw_first_error();
}

http::Response json_response(int status, const nlohmann::json& body) {
  return json_text_response(status,
                            body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response json_text_response(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.set_header("Content-Type", "application/json; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

std::string china_rfc3339(std::chrono::sys_seconds t) {
  return core::format_rfc3339(
      core::Timestamp{std::chrono::time_point_cast<std::chrono::milliseconds>(t)});
}

std::optional<std::chrono::sys_seconds> parse_time_param(const std::string& name,
                                                         const std::string& text) {
  if (text.empty()) return std::nullopt;
  const auto parsed = core::parse_rfc3339(text);
  if (!parsed) bad_request(name, "must be an RFC 3339 time such as 2026-11-28T10:00:00+08:00");
  return std::chrono::time_point_cast<std::chrono::seconds>(parsed->utc);
}

// ---- personal data ----------------------------------------------------------------------------

std::string mask_phone(const std::string& phone) {
  if (phone.empty()) return phone;
  // Keep the first 3 and last 4 characters (139****1234); shorter numbers keep the last 2.
  if (phone.size() >= 8) return phone.substr(0, 3) + "****" + phone.substr(phone.size() - 4);
  return "****" + phone.substr(phone.size() >= 2 ? phone.size() - 2 : 0);
}

std::string mask_name(const std::string& name) {
  if (name.empty() || name == "匿名") return name;
  // The first character (the family name) and one star.
  const std::size_t first = core::character_length(name, 0);
  return name.substr(0, first) + "*";
}

std::string mask_email(const std::string& email) {
  const auto at = email.find('@');
  if (email.empty() || at == std::string::npos) return email.empty() ? email : "***";
  return email.substr(0, 1) + "***" + email.substr(at);
}

int query_int(const Context& ctx, const std::string& name, int fallback, int min, int max) {
  const auto text = ctx.request.query_param(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    const int value = std::stoi(*text, &used);
    if (used != text->size() || value < min || value > max) throw std::out_of_range(name);
    return value;
  } catch (const std::exception&) {
    bad_request(
        name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void mask_citizen(nlohmann::json& citizen) {
  if (!citizen.is_object()) return;
  if (citizen.contains("phone")) citizen["phone"] = mask_phone(citizen["phone"].get<std::string>());
  if (citizen.contains("name")) citizen["name"] = mask_name(citizen["name"].get<std::string>());
  if (citizen.contains("email")) citizen["email"] = mask_email(citizen["email"].get<std::string>());
}

namespace {
bool has_word(const std::string& key, std::initializer_list<std::string_view> words) {
  std::string lower = key;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}
}  // namespace

bool is_contact_meta(const std::string& key) {
  // The adapters keep the channel's own citizen fields as citizen_* (petition) and writer_*
  // (mailbox), and what they could not use as unusable_*.
  return key.starts_with("citizen_") || key.starts_with("writer_") ||
         has_word(key, {"phone", "mobile", "tel", "email", "name", "id_number", "idcard", "id_card",
                        "address", "contact"});
}

void redact_channel_meta(nlohmann::json& meta, bool remove) {
  if (!meta.is_object()) return;
  for (auto it = meta.begin(); it != meta.end();) {
    const std::string key = it.key();
    if (!is_contact_meta(key)) {
      ++it;
    } else if (remove || !it->is_string()) {
      it = meta.erase(it);
    } else {
      const auto& text = it->get_ref<const std::string&>();
      *it = has_word(key, {"email"})                    ? mask_email(text)
            : has_word(key, {"phone", "mobile", "tel"}) ? mask_phone(text)
            : has_word(key, {"name"})                   ? mask_name(text)
                                                        : std::string("***");
      ++it;
    }
  }
}

nlohmann::json contact_channel_meta(const nlohmann::json& meta) {
  nlohmann::json out = nlohmann::json::object();
  if (!meta.is_object()) return out;
  for (const auto& [key, value] : meta.items()) {
    if (is_contact_meta(key)) out[key] = value;
  }
  return out;
}

}  // namespace appealhub::gateway::detail
