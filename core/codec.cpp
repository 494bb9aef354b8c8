#include "core/codec.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/appeal_v1_fields.hpp"

namespace appealhub::core {
namespace {

using v1::ErrorList;
using v1::FieldPath;
using v1::Json;

// ---------------------------------------------------------------------------------------------
// Parsing: nlohmann's parser, through a SAX handler that builds the document while refusing what
// the plain parser lets through: a repeated key (the plain parser keeps the last value silently)
// and unbounded nesting.

class StrictDocumentBuilder {
 public:
  explicit StrictDocumentBuilder(Json& root, ErrorList& errors) : root_(root), errors_(errors) {}

  bool null() { return add(Json(nullptr)) != nullptr; }
  bool boolean(bool value) { return add(Json(value)) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)) != nullptr; }
  bool number_float(Json::number_float_t value, const std::string& /*text*/) {
    return add(Json(value)) != nullptr;
  }
  bool string(std::string& value) { return add(Json(std::move(value))) != nullptr; }
  bool binary(Json::binary_t& /*value*/) { return false; }  // JSON text has no binary values

  bool start_object(std::size_t /*size*/) { return open(Json::object()); }
  bool start_array(std::size_t /*size*/) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& key) {
    Frame& frame = stack_.back();
    auto& members = frame.value->get_ref<Json::object_t&>();
    if (is_repeated(frame, members, key)) {
      report_repeated(key);
      return false;
    }
    members.emplace_back(std::move(key), nullptr);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 5: <detail>";
    // the detail is the useful part, the position is counted from 1.
    std::string_view detail = e.what();
    if (const auto column = detail.find(", column "); column != std::string_view::npos) {
      if (const auto colon = detail.find(": ", column); colon != std::string_view::npos) {
        detail.remove_prefix(colon + 2);
      }
    } else if (const auto bracket = detail.find("] "); bracket != std::string_view::npos) {
      detail.remove_prefix(bracket + 2);
    }
    // "; last read: '…'" would echo the message's bytes (personal data, maybe not UTF-8) into
    // logs and dead-letter reasons; the offset is enough to find the fault.
    if (const auto echo = detail.find("; last read:"); echo != std::string_view::npos) {
      detail = detail.substr(0, echo);
    }
    errors_.add_root("malformed JSON at byte " + std::to_string(position > 0 ? position - 1 : 0) +
                     ": " + std::string(detail));
    return false;
  }

 private:
  // Objects bigger than this get a hash set of their keys, so that a message with very many keys
  // cannot make the duplicate check quadratic.
  static constexpr std::size_t kLinearKeyCheck = 16;

  struct Frame {
    Json* value;
    std::unique_ptr<std::unordered_set<std::string>> keys;  // for big objects only
  };

  bool is_repeated(Frame& frame, const Json::object_t& members, const std::string& key) {
    if (frame.keys) return !frame.keys->insert(key).second;
    for (const auto& member : members) {
      if (member.first == key) return true;
    }
    if (members.size() + 1 >= kLinearKeyCheck) {
      frame.keys = std::make_unique<std::unordered_set<std::string>>();
      for (const auto& member : members) frame.keys->insert(member.first);
      frame.keys->insert(key);
    }
    return false;
  }

  // Puts a value where the parser is: the root, the end of an array, or the member whose key
  // came last. Returns where it went.
  Json* add(Json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& container = *stack_.back().value;
    if (container.is_array()) {
      container.push_back(std::move(value));
      return &container.back();
    }
    Json& slot = container.get_ref<Json::object_t&>().back().second;
    slot = std::move(value);
    return &slot;
  }

  bool open(Json&& empty_container) {
    if (stack_.size() >= static_cast<std::size_t>(kMaxNestingDepth)) {
      errors_.add_root("nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
      return false;
    }
    stack_.push_back(Frame{add(std::move(empty_container)), nullptr});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  // The path of the repeated key, as decode errors name fields (the `data.` prefix dropped).
  void report_repeated(std::string_view key) {
    std::vector<std::string> parts;
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Json& container = *stack_[i].value;
      if (container.is_array()) {
        parts.push_back("[" + std::to_string(container.size() - 1) + "]");
      } else {
        parts.push_back(container.get_ref<const Json::object_t&>().back().first);
      }
    }
    parts.emplace_back(key);
    std::string path;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i == 0 && parts[i] == "data" && parts.size() > 1) continue;
      if (!path.empty() && parts[i].front() != '[') path += '.';
      path += parts[i];
    }
    errors_.add(FieldPath().child(path), v1::kDuplicateField);
  }

  Json& root_;
  ErrorList& errors_;
  std::vector<Frame> stack_;
};

std::optional<Json> parse_document(std::string_view text, ErrorList& errors) {
  if (text.size() > kMaxMessageBytes) {
    errors.add_root("larger than " + std::to_string(kMaxMessageBytes) + " bytes");
    return std::nullopt;
  }
  Json root;
  StrictDocumentBuilder builder(root, errors);
  const std::size_t before = errors.size();
  const bool parsed = Json::sax_parse(text.begin(), text.end(), &builder);
  if (!parsed || errors.size() != before) {
    if (errors.size() == before) errors.add_root("malformed JSON");
    return std::nullopt;
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Reading and writing bodies: each event's description (core/appeal_v1_fields.hpp) drives both.

// Makes `body` hold the alternative at `index` (an index into event_names()) and reads it.
template <std::size_t I = 0>
void read_body_at(std::size_t index, const Json& data, ErrorList& errors, EventBody& body) {
  if constexpr (I < std::variant_size_v<EventBody>) {
    if (index == I) {
      v1::read_object(data, FieldPath(), errors, body.emplace<I>());
    } else {
      read_body_at<I + 1>(index, data, errors, body);
    }
  }
}

std::optional<std::size_t> event_index(std::string_view name) {
  const auto names = event_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  return std::nullopt;
}

// The index of `event` in event_names() when the message names a known event, wherever `event`
// stands: the shape of `data` depends on it.
std::optional<std::size_t> body_index_of(const Json& document) {
  if (const auto it = document.find("event"); it != document.end() && it->is_string()) {
    return event_index(it->get_ref<const std::string&>());
  }
  return std::nullopt;
}

// Reads the envelope's members in document order: schema, event and data here, the rest by
// v1::kEnvelopeFields.
void read_envelope(const Json& document, std::optional<std::size_t> body_index, ErrorList& errors,
                   Event& event) {
  const FieldPath envelope;
  std::uint32_t present = 0;
  std::uint32_t kept = 0;
  for (const auto& [key, member] : document.get_ref<const Json::object_t&>()) {
    const auto p = envelope.child(key);
    if (key == "schema") {
      if (!member.is_string()) {
        v1::fail(p, errors, v1::kMustBeString);
      } else if (member.get_ref<const std::string&>() != v1::kSchemaName) {
        v1::fail(p, errors, "must be \"appeal.v1\"");
      }
    } else if (key == "event") {
      if (!member.is_string()) {
        v1::fail(p, errors, v1::kMustBeString);
      } else if (!body_index) {
        v1::fail(p, errors, "not a known event");
      }
    } else if (key == "data") {
      if (!member.is_object()) {
        v1::fail(p, errors, v1::kMustBeObject);
      } else if (body_index) {
        read_body_at(*body_index, member, errors, event.body);
      }
    } else if (!v1::read_member(v1::kEnvelopeFields, key, member, p, errors, event, present,
                                kept)) {
      errors.add(p, v1::kUnknownField);
    }
  }
  for (const std::string_view name :
       {"schema", "event", "event_id", "occurred_at", "producer", "data"}) {
    if (!document.contains(name)) errors.add(envelope.child(name), v1::kMissing);
  }
}

}  // namespace

const std::vector<FieldError>& DecodeResult::errors() const {
  static const std::vector<FieldError> kNone;
  if (const auto* errors = std::get_if<std::vector<FieldError>>(&value_)) return *errors;
  return kNone;
}

std::string encode_event(const Event& event) {
  Json message = Json::object();
  auto& members = message.get_ref<Json::object_t&>();
  members.reserve(6);
  members.emplace_back("schema", v1::kSchemaName);
  members.emplace_back("event", event.name());
  v1::for_each_field(v1::kEnvelopeFields, [&](const auto& f, std::size_t /*index*/) {
    members.emplace_back(std::string(f.name), f.kind.write(event.*f.member));
  });
  members.emplace_back(
      "data", std::visit([](const auto& body) { return v1::write_object(body); }, event.body));
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

DecodeResult decode_event(std::string_view json_text) {
  ErrorList errors;
  const auto document = parse_document(json_text, errors);
  if (!document) return DecodeResult(errors.take());
  if (!document->is_object()) {
    errors.add_root(std::string(v1::kMustBeObject));
    return DecodeResult(errors.take());
  }
  Event event;
  read_envelope(*document, body_index_of(*document), errors, event);
  if (!errors.empty()) return DecodeResult(errors.take());
  return DecodeResult(std::move(event));
}

}  // namespace appealhub::core
