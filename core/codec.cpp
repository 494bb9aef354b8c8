#include "core/codec.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/appeal_v1_rules.hpp"

namespace appealhub::core {
namespace {

// Members keep the order they have in the message (for errors in document order) and the order
// they are written in (for readable messages).
using Json = nlohmann::ordered_json;
using v1::ErrorList;
using v1::FieldPath;

// ---------------------------------------------------------------------------------------------
// Encoding

// Appends a member without the look-up ordered_json's operator[] does: keys here are distinct.
void put(Json& object, std::string_view key, Json value) {
  object.get_ref<Json::object_t&>().emplace_back(std::string(key), std::move(value));
}

Json time_json(const Timestamp& t) {
  return format_rfc3339(t);
}

Json optional_time_json(const std::optional<Timestamp>& t) {
  return t ? time_json(*t) : Json(nullptr);
}

Json strings_json(const std::vector<std::string>& values) {
  Json array = Json::array();
  for (const auto& value : values) array.push_back(value);
  return array;
}

Json attachments_json(const std::vector<Attachment>& attachments) {
  Json array = Json::array();
  for (const auto& a : attachments) {
    Json item = Json::object();
    put(item, "name", a.name);
    put(item, "url", a.url);
    put(item, "size", a.size ? Json(*a.size) : Json(nullptr));
    put(item, "sha256", a.sha256);
    array.push_back(std::move(item));
  }
  return array;
}

Json appeal_json(const Appeal& a) {
  Json citizen = Json::object();
  put(citizen, "name", a.citizen.name);
  put(citizen, "phone", a.citizen.phone);
  put(citizen, "email", a.citizen.email);
  put(citizen, "id_number_masked", a.citizen.id_number_masked);
  put(citizen, "anonymous", a.citizen.anonymous);

  Json j = Json::object();
  put(j, "channel", a.channel);
  put(j, "external_id", a.external_id);
  put(j, "received_at", time_json(a.received_at));
  put(j, "kind", to_string(a.kind));
  put(j, "category", a.category);
  put(j, "division", a.division);
  put(j, "place", a.place);
  put(j, "plate", a.plate);
  put(j, "title", a.title);
  put(j, "content", a.content);
  put(j, "citizen", std::move(citizen));
  put(j, "urgency", to_string(a.urgency));
  put(j, "channel_deadline", optional_time_json(a.channel_deadline));
  put(j, "related", strings_json(a.related));
  put(j, "attachments", attachments_json(a.attachments));
  put(j, "publication_allowed", a.publication_allowed);
  put(j, "channel_meta", a.channel_meta.is_object() ? Json(a.channel_meta) : Json::object());
  return j;
}

struct BodyEncoder {
  Json operator()(const AppealReceived& e) const {
    Json j = Json::object();
    put(j, "appeal", appeal_json(e.appeal));
    return j;
  }
  Json operator()(const AppealSupplemented& e) const {
    Json j = appeal_ref(e.channel, e.external_id);
    put(j, "supplement_id", e.supplement_id);
    put(j, "content", e.content);
    put(j, "attachments", attachments_json(e.attachments));
    put(j, "at", time_json(e.at));
    return j;
  }
  Json operator()(const AppealFollowedUp& e) const {
    Json j = appeal_ref(e.channel, e.external_id);
    put(j, "follow_up_id", e.follow_up_id);
    put(j, "content", e.content);
    put(j, "at", time_json(e.at));
    return j;
  }
  Json operator()(const AppealUrged& e) const {
    Json j = appeal_ref(e.channel, e.external_id);
    put(j, "note", e.note);
    put(j, "at", time_json(e.at));
    return j;
  }
  Json operator()(const AppealWithdrawn& e) const {
    Json j = appeal_ref(e.channel, e.external_id);
    put(j, "reason", e.reason);
    put(j, "at", time_json(e.at));
    return j;
  }
  Json operator()(const AppealReassigned& e) const {
    Json j = appeal_ref(e.channel, e.external_id);
    put(j, "to_unit", e.to_unit);
    put(j, "reason", e.reason);
    put(j, "at", time_json(e.at));
    return j;
  }
  Json operator()(const AppealRated& e) const {
    Json j = appeal_ref(e.channel, e.external_id);
    put(j, "rating", to_string(e.rating));
    put(j, "score", e.score ? Json(*e.score) : Json(nullptr));
    put(j, "comment", e.comment);
    put(j, "rated_at", time_json(e.rated_at));
    return j;
  }
  Json operator()(const TicketRouted& e) const {
    Json j = Json::object();
    put(j, "ticket_id", e.ticket_id);
    put(j, "department", e.department);
    put(j, "assisting", strings_json(e.assisting));
    put(j, "status", to_string(e.status));
    put(j, "deadline", optional_time_json(e.deadline));
    put(j, "rule", e.rule);
    put(j, "reason", e.reason);
    put(j, "appeal", appeal_json(e.appeal));
    return j;
  }
  Json operator()(const ReplyRequested& e) const {
    Json j = reply_ref(e.reply_id, e.ticket_id, e.channel, e.external_id);
    put(j, "type", to_string(e.type));
    put(j, "content", e.content);
    put(j, "department", e.department);
    put(j, "handler", e.handler);
    put(j, "contact_phone", e.contact_phone);
    put(j, "answered_at", time_json(e.answered_at));
    put(j, "publish", e.publish);
    put(j, "reply_to", e.reply_to ? Json(*e.reply_to) : Json(nullptr));
    put(j, "return_reason", e.return_reason);
    put(j, "extension_days", e.extension_days);
    return j;
  }
  Json operator()(const ReplyDelivered& e) const {
    Json j = reply_ref(e.reply_id, e.ticket_id, e.channel, e.external_id);
    put(j, "channel_reply_id", e.channel_reply_id);
    put(j, "attempts", e.attempts);
    put(j, "delivered_at", time_json(e.delivered_at));
    return j;
  }
  Json operator()(const ReplyFailed& e) const {
    Json j = reply_ref(e.reply_id, e.ticket_id, e.channel, e.external_id);
    put(j, "reason", e.reason);
    put(j, "final", e.final);
    put(j, "attempts", e.attempts);
    put(j, "failed_at", time_json(e.failed_at));
    return j;
  }

 private:
  static Json appeal_ref(const std::string& channel, const std::string& external_id) {
    Json j = Json::object();
    put(j, "channel", channel);
    put(j, "external_id", external_id);
    return j;
  }
  static Json reply_ref(const std::string& reply_id, std::int64_t ticket_id,
                        const std::string& channel, const std::string& external_id) {
    Json j = Json::object();
    put(j, "reply_id", reply_id);
    put(j, "ticket_id", ticket_id);
    put(j, "channel", channel);
    put(j, "external_id", external_id);
    return j;
  }
};

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
// Reading: every field is checked where it stands in the message, with the rules validate() uses.

// Calls on_member(key, value, path) for each member in document order; on_member returns false
// for a key it does not know. Afterwards reports each of `required` that was absent. Returns false
// (after reporting) when `value` is not an object.
template <class OnMember>
bool read_object(const Json& value, const FieldPath& path, ErrorList& errors,
                 std::initializer_list<std::string_view> required, OnMember&& on_member) {
  if (!value.is_object()) {
    errors.add(path, v1::kMustBeObject);
    return false;
  }
  std::uint32_t seen = 0;  // bit i: required[i] was present
  for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
    const auto member_path = path.child(key);
    std::uint32_t bit = 1;
    for (const auto name : required) {
      if (name == key) seen |= bit;
      bit <<= 1;
    }
    if (!on_member(std::string_view(key), member, member_path)) {
      errors.add(member_path, v1::kUnknownField);
    }
  }
  std::uint32_t bit = 1;
  for (const auto name : required) {
    if ((seen & bit) == 0) errors.add(path.child(name), v1::kMissing);
    bit <<= 1;
  }
  return true;
}

// Typed reads of one value. Each reports what is wrong and returns false, or stores the value
// and returns true.
class ValueReader {
 public:
  explicit ValueReader(ErrorList& errors) : errors_(errors) {}

  bool text(const Json& value, const FieldPath& path, std::string& out, v1::TextRule rule) {
    if (!value.is_string()) return fail(path, v1::kMustBeString);
    out = value.get_ref<const std::string&>();
    return errors_.check(path, v1::check_text(out, rule));
  }

  bool formatted(const Json& value, const FieldPath& path, std::string& out,
                 v1::Broken (*check)(std::string_view)) {
    if (!value.is_string()) return fail(path, v1::kMustBeString);
    out = value.get_ref<const std::string&>();
    return errors_.check(path, check(out));
  }

  template <class Enum>
  bool enumeration(const Json& value, const FieldPath& path, Enum& out,
                   std::optional<Enum> (*parse)(std::string_view), std::string_view unknown) {
    if (!value.is_string()) return fail(path, v1::kMustBeString);
    const auto parsed = parse(value.get_ref<const std::string&>());
    if (!parsed) return fail(path, unknown);
    out = *parsed;
    return true;
  }

  bool boolean(const Json& value, const FieldPath& path, bool& out) {
    if (!value.is_boolean()) return fail(path, v1::kMustBeBoolean);
    out = value.get<bool>();
    return true;
  }

  bool time(const Json& value, const FieldPath& path, Timestamp& out) {
    if (!value.is_string()) return fail(path, v1::kMustBeString);
    const auto parsed = parse_rfc3339(value.get_ref<const std::string&>());
    if (!parsed) return fail(path, v1::kNotTime);
    out = *parsed;
    return true;
  }

  bool optional_time(const Json& value, const FieldPath& path, std::optional<Timestamp>& out) {
    if (value.is_null()) {
      out.reset();
      return true;
    }
    if (!value.is_string()) return fail(path, v1::kMustBeStringOrNull);
    Timestamp t;
    if (!time(value, path, t)) return false;
    out = t;
    return true;
  }

  // JSON Schema's "integer": any number with no fraction, so 5.0 is 5.
  std::optional<std::int64_t> integer(const Json& value, const FieldPath& path,
                                      std::string_view type_rule = v1::kMustBeInteger) {
    if (value.is_number_unsigned()) {
      const auto u = value.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(path, v1::kOutOfRange);
        return std::nullopt;
      }
      return static_cast<std::int64_t>(u);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number_float()) {
      const double d = value.get<double>();
      constexpr double kExactLimit = 9007199254740992.0;  // 2^53: beyond, doubles skip integers
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= kExactLimit) {
        return static_cast<std::int64_t>(d);
      }
      if (std::isfinite(d) && std::floor(d) == d) {
        fail(path, v1::kOutOfRange);
        return std::nullopt;
      }
    }
    fail(path, type_rule);
    return std::nullopt;
  }

  // An integer that must fit an int (counts, days, scores).
  std::optional<int> small_integer(const Json& value, const FieldPath& path,
                                   std::string_view type_rule = v1::kMustBeInteger) {
    const auto n = integer(value, path, type_rule);
    if (!n) return std::nullopt;
    if (*n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max()) {
      fail(path, v1::kOutOfRange);
      return std::nullopt;
    }
    return static_cast<int>(*n);
  }

  // Calls read_item(item, path) for each element; refuses non-arrays and arrays over max_items.
  template <class ReadItem>
  bool array(const Json& value, const FieldPath& path, std::size_t max_items,
             ReadItem&& read_item) {
    if (!value.is_array()) return fail(path, v1::kMustBeArray);
    if (value.size() > max_items) {
      return fail(path, "must have at most " + std::to_string(max_items) + " items");
    }
    for (std::size_t i = 0; i < value.size(); ++i) read_item(value[i], path.item(i));
    return true;
  }

  bool fail(const FieldPath& path, std::string_view rule) {
    errors_.add(path, rule);
    return false;
  }

 private:
  ErrorList& errors_;
};

void read_attachments(const Json& value, const FieldPath& path, std::vector<Attachment>& out,
                      ErrorList& errors) {
  ValueReader read(errors);
  read.array(value, path, v1::kMaxAttachments, [&](const Json& item, const FieldPath& item_path) {
    Attachment& a = out.emplace_back();
    read_object(item, item_path, errors, {"url"},
                [&](std::string_view key, const Json& member, const FieldPath& p) {
                  if (key == "name") {
                    read.text(member, p, a.name, v1::kAttachmentNameText);
                  } else if (key == "url") {
                    read.formatted(member, p, a.url, v1::check_attachment_url);
                  } else if (key == "size") {
                    if (member.is_null()) {
                      a.size.reset();
                    } else if (const auto n = read.integer(member, p, v1::kMustBeIntegerOrNull)) {
                      if (errors.check(p, v1::check_size(*n))) a.size = *n;
                    }
                  } else if (key == "sha256") {
                    read.formatted(member, p, a.sha256, v1::check_sha256);
                  } else {
                    return false;
                  }
                  return true;
                });
  });
}

void read_citizen(const Json& value, const FieldPath& path, Citizen& c, ErrorList& errors) {
  ValueReader read(errors);
  read_object(value, path, errors, {},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (key == "name") {
                  read.text(member, p, c.name, v1::kCitizenNameText);
                } else if (key == "phone") {
                  read.formatted(member, p, c.phone, v1::check_phone);
                } else if (key == "email") {
                  read.formatted(member, p, c.email, v1::check_email);
                } else if (key == "id_number_masked") {
                  read.formatted(member, p, c.id_number_masked, v1::check_id_number_masked);
                } else if (key == "anonymous") {
                  read.boolean(member, p, c.anonymous);
                } else {
                  return false;
                }
                return true;
              });
}

void read_appeal(const Json& value, const FieldPath& path, Appeal& a, ErrorList& errors) {
  ValueReader read(errors);
  read_object(
      value, path, errors,
      {"channel", "external_id", "received_at", "kind", "category", "title", "content"},
      [&](std::string_view key, const Json& member, const FieldPath& p) {
        if (key == "channel") {
          read.formatted(member, p, a.channel, v1::check_channel);
        } else if (key == "external_id") {
          read.text(member, p, a.external_id, v1::kExternalIdText);
        } else if (key == "received_at") {
          read.time(member, p, a.received_at);
        } else if (key == "kind") {
          read.enumeration(member, p, a.kind, parse_appeal_kind, v1::kUnknownKind);
        } else if (key == "category") {
          read.formatted(member, p, a.category, v1::check_category);
        } else if (key == "division") {
          read.formatted(member, p, a.division, v1::check_division);
        } else if (key == "place") {
          read.text(member, p, a.place, v1::kPlaceText);
        } else if (key == "plate") {
          read.formatted(member, p, a.plate, v1::check_plate);
        } else if (key == "title") {
          read.text(member, p, a.title, v1::kTitleText);
        } else if (key == "content") {
          read.text(member, p, a.content, v1::kContentText);
        } else if (key == "citizen") {
          read_citizen(member, p, a.citizen, errors);
        } else if (key == "urgency") {
          read.enumeration(member, p, a.urgency, parse_urgency, v1::kUnknownUrgency);
        } else if (key == "channel_deadline") {
          read.optional_time(member, p, a.channel_deadline);
        } else if (key == "related") {
          read.array(member, p, v1::kMaxRelated, [&](const Json& item, const FieldPath& item_path) {
            read.text(item, item_path, a.related.emplace_back(), v1::kRelatedText);
          });
        } else if (key == "attachments") {
          read_attachments(member, p, a.attachments, errors);
        } else if (key == "publication_allowed") {
          read.boolean(member, p, a.publication_allowed);
        } else if (key == "channel_meta") {
          // Anything goes inside, by design: it carries what the hub does not understand.
          if (!member.is_object()) {
            read.fail(p, v1::kMustBeObject);
          } else {
            a.channel_meta = nlohmann::json(member);
          }
        } else {
          return false;
        }
        return true;
      });
}

// Reads the two members every event about a known appeal has; false when `key` is neither.
bool read_appeal_ref(std::string_view key, const Json& member, const FieldPath& p,
                     std::string& channel, std::string& external_id, ValueReader& read) {
  if (key == "channel") {
    read.formatted(member, p, channel, v1::check_channel);
  } else if (key == "external_id") {
    read.text(member, p, external_id, v1::kExternalIdText);
  } else {
    return false;
  }
  return true;
}

// The same for events about a reply.
bool read_reply_ref(std::string_view key, const Json& member, const FieldPath& p,
                    std::string& reply_id, std::int64_t& ticket_id, std::string& channel,
                    std::string& external_id, ValueReader& read, ErrorList& errors) {
  if (key == "reply_id") {
    read.formatted(member, p, reply_id, v1::check_reply_id);
  } else if (key == "ticket_id") {
    if (const auto n = read.integer(member, p)) {
      ticket_id = *n;
      errors.check(p, v1::check_ticket_id(*n));
    }
  } else {
    return read_appeal_ref(key, member, p, channel, external_id, read);
  }
  return true;
}

void read_body(const Json& data, ErrorList& errors, AppealReceived& e) {
  const FieldPath root;
  read_object(data, root, errors, {"appeal"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (key != "appeal") return false;
                read_appeal(member, p, e.appeal, errors);
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, AppealSupplemented& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors,
              {"channel", "external_id", "supplement_id", "content", "at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_appeal_ref(key, member, p, e.channel, e.external_id, read)) return true;
                if (key == "supplement_id") {
                  read.text(member, p, e.supplement_id, v1::kExternalIdText);
                } else if (key == "content") {
                  read.text(member, p, e.content, v1::kContentText);
                } else if (key == "attachments") {
                  read_attachments(member, p, e.attachments, errors);
                } else if (key == "at") {
                  read.time(member, p, e.at);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, AppealFollowedUp& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors,
              {"channel", "external_id", "follow_up_id", "content", "at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_appeal_ref(key, member, p, e.channel, e.external_id, read)) return true;
                if (key == "follow_up_id") {
                  read.text(member, p, e.follow_up_id, v1::kExternalIdText);
                } else if (key == "content") {
                  read.text(member, p, e.content, v1::kContentText);
                } else if (key == "at") {
                  read.time(member, p, e.at);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, AppealUrged& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors, {"channel", "external_id", "at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_appeal_ref(key, member, p, e.channel, e.external_id, read)) return true;
                if (key == "note") {
                  read.text(member, p, e.note, v1::kNoteText);
                } else if (key == "at") {
                  read.time(member, p, e.at);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, AppealWithdrawn& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors, {"channel", "external_id", "at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_appeal_ref(key, member, p, e.channel, e.external_id, read)) return true;
                if (key == "reason") {
                  read.text(member, p, e.reason, v1::kNoteText);
                } else if (key == "at") {
                  read.time(member, p, e.at);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, AppealReassigned& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors, {"channel", "external_id", "at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_appeal_ref(key, member, p, e.channel, e.external_id, read)) return true;
                if (key == "to_unit") {
                  read.text(member, p, e.to_unit, v1::kUnitText);
                } else if (key == "reason") {
                  read.text(member, p, e.reason, v1::kNoteText);
                } else if (key == "at") {
                  read.time(member, p, e.at);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, AppealRated& e) {
  ValueReader read(errors);
  bool rating_valid = true;
  bool score_valid = true;
  const FieldPath root;
  const bool is_object = read_object(
      data, root, errors, {"channel", "external_id", "rating", "rated_at"},
      [&](std::string_view key, const Json& member, const FieldPath& p) {
        if (read_appeal_ref(key, member, p, e.channel, e.external_id, read)) return true;
        if (key == "rating") {
          rating_valid =
              read.enumeration(member, p, e.rating, parse_satisfaction, v1::kUnknownRating);
        } else if (key == "score") {
          if (member.is_null()) {
            e.score.reset();
          } else if (const auto n = read.small_integer(member, p, v1::kMustBeIntegerOrNull)) {
            score_valid = errors.check(p, v1::check_score(*n));
            e.score = *n;
          } else {
            score_valid = false;
          }
        } else if (key == "comment") {
          read.text(member, p, e.comment, v1::kNoteText);
        } else if (key == "rated_at") {
          read.time(member, p, e.rated_at);
        } else {
          return false;
        }
        return true;
      });
  if (is_object && data.contains("rating")) {
    v1::check_rating_consistency(e, rating_valid, score_valid, root, errors);
  }
}

void read_body(const Json& data, ErrorList& errors, TicketRouted& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors,
              {"ticket_id", "department", "status", "deadline", "appeal"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (key == "ticket_id") {
                  if (const auto n = read.integer(member, p)) {
                    e.ticket_id = *n;
                    errors.check(p, v1::check_ticket_id(*n));
                  }
                } else if (key == "department") {
                  read.formatted(member, p, e.department, v1::check_department_code);
                } else if (key == "assisting") {
                  read.array(member, p, v1::kMaxAssisting,
                             [&](const Json& item, const FieldPath& item_path) {
                               read.formatted(item, item_path, e.assisting.emplace_back(),
                                              v1::check_department_code);
                             });
                } else if (key == "status") {
                  read.enumeration(member, p, e.status, parse_ticket_status, v1::kUnknownStatus);
                } else if (key == "deadline") {
                  read.optional_time(member, p, e.deadline);
                } else if (key == "rule") {
                  read.text(member, p, e.rule, v1::kRuleNameText);
                } else if (key == "reason") {
                  read.text(member, p, e.reason, v1::kNoteText);
                } else if (key == "appeal") {
                  read_appeal(member, p, e.appeal, errors);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, ReplyRequested& e) {
  ValueReader read(errors);
  v1::ReplyFieldsValid valid;
  bool has_type = false;
  std::int64_t extension_days = 0;
  const FieldPath root;
  const bool is_object = read_object(
      data, root, errors,
      {"reply_id", "ticket_id", "channel", "external_id", "type", "department", "answered_at"},
      [&](std::string_view key, const Json& member, const FieldPath& p) {
        if (read_reply_ref(key, member, p, e.reply_id, e.ticket_id, e.channel, e.external_id, read,
                           errors)) {
          return true;
        }
        if (key == "type") {
          has_type = true;
          valid.type = read.enumeration(member, p, e.type, parse_reply_type, v1::kUnknownReplyType);
        } else if (key == "content") {
          valid.content = read.text(member, p, e.content, v1::kReplyContentText);
        } else if (key == "department") {
          read.text(member, p, e.department, v1::kDepartmentNameText);
        } else if (key == "handler") {
          read.text(member, p, e.handler, v1::kHandlerText);
        } else if (key == "contact_phone") {
          read.formatted(member, p, e.contact_phone, v1::check_phone);
        } else if (key == "answered_at") {
          read.time(member, p, e.answered_at);
        } else if (key == "publish") {
          read.boolean(member, p, e.publish);
        } else if (key == "reply_to") {
          if (member.is_null()) {
            e.reply_to.reset();
          } else if (!member.is_string()) {
            read.fail(p, v1::kMustBeStringOrNull);
          } else {
            read.text(member, p, e.reply_to.emplace(), v1::kExternalIdText);
          }
        } else if (key == "return_reason") {
          valid.return_reason = read.text(member, p, e.return_reason, v1::kNoteText);
        } else if (key == "extension_days") {
          const auto n = read.small_integer(member, p);
          valid.extension_days = n.has_value();
          extension_days = n.value_or(0);
          e.extension_days = n.value_or(0);
        } else {
          return false;
        }
        return true;
      });
  valid.type = valid.type && has_type;
  if (is_object) v1::check_reply_consistency(e, extension_days, valid, root, errors);
}

void read_body(const Json& data, ErrorList& errors, ReplyDelivered& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors,
              {"reply_id", "ticket_id", "channel", "external_id", "attempts", "delivered_at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_reply_ref(key, member, p, e.reply_id, e.ticket_id, e.channel,
                                   e.external_id, read, errors)) {
                  return true;
                }
                if (key == "channel_reply_id") {
                  read.text(member, p, e.channel_reply_id, v1::kChannelReplyIdText);
                } else if (key == "attempts") {
                  if (const auto n = read.small_integer(member, p)) {
                    e.attempts = *n;
                    errors.check(p, v1::check_attempts(*n));
                  }
                } else if (key == "delivered_at") {
                  read.time(member, p, e.delivered_at);
                } else {
                  return false;
                }
                return true;
              });
}

void read_body(const Json& data, ErrorList& errors, ReplyFailed& e) {
  ValueReader read(errors);
  read_object(data, FieldPath(), errors,
              {"reply_id", "ticket_id", "channel", "external_id", "reason", "final", "attempts",
               "failed_at"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (read_reply_ref(key, member, p, e.reply_id, e.ticket_id, e.channel,
                                   e.external_id, read, errors)) {
                  return true;
                }
                if (key == "reason") {
                  read.text(member, p, e.reason, v1::kFailureReasonText);
                } else if (key == "final") {
                  read.boolean(member, p, e.final);
                } else if (key == "attempts") {
                  if (const auto n = read.small_integer(member, p)) {
                    e.attempts = *n;
                    errors.check(p, v1::check_attempts(*n));
                  }
                } else if (key == "failed_at") {
                  read.time(member, p, e.failed_at);
                } else {
                  return false;
                }
                return true;
              });
}

// Makes `body` hold the alternative at `index` (an index into event_names()) and reads it.
template <std::size_t I = 0>
void read_body_at(std::size_t index, const Json& data, ErrorList& errors, EventBody& body) {
  if constexpr (I < std::variant_size_v<EventBody>) {
    if (index == I) {
      read_body(data, errors, body.emplace<I>());
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

}  // namespace

const std::vector<FieldError>& DecodeResult::errors() const {
  static const std::vector<FieldError> kNone;
  if (const auto* errors = std::get_if<std::vector<FieldError>>(&value_)) return *errors;
  return kNone;
}

std::string encode_event(const Event& event) {
  Json message = Json::object();
  put(message, "schema", v1::kSchemaName);
  put(message, "event", event.name());
  put(message, "event_id", event.event_id);
  put(message, "occurred_at", time_json(event.occurred_at));
  put(message, "producer", event.producer);
  put(message, "data", std::visit(BodyEncoder{}, event.body));
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

DecodeResult decode_event(std::string_view json_text) {
  ErrorList errors;
  const auto document = parse_document(json_text, errors);
  if (!document) return DecodeResult(errors.take());

  const FieldPath envelope;
  if (!document->is_object()) {
    errors.add_root(std::string(v1::kMustBeObject));
    return DecodeResult(errors.take());
  }

  // The shape of `data` depends on `event`, wherever the two stand in the message.
  std::optional<std::size_t> body_index;
  if (const auto it = document->find("event"); it != document->end() && it->is_string()) {
    body_index = event_index(it->get_ref<const std::string&>());
  }

  Event event;
  ValueReader read(errors);
  read_object(*document, envelope, errors,
              {"schema", "event", "event_id", "occurred_at", "producer", "data"},
              [&](std::string_view key, const Json& member, const FieldPath& p) {
                if (key == "schema") {
                  if (!member.is_string()) {
                    read.fail(p, v1::kMustBeString);
                  } else if (member.get_ref<const std::string&>() != v1::kSchemaName) {
                    read.fail(p, "must be \"appeal.v1\"");
                  }
                } else if (key == "event") {
                  if (!member.is_string()) {
                    read.fail(p, v1::kMustBeString);
                  } else if (!body_index) {
                    read.fail(p, "not a known event");
                  }
                } else if (key == "event_id") {
                  read.formatted(member, p, event.event_id, v1::check_event_id);
                } else if (key == "occurred_at") {
                  read.time(member, p, event.occurred_at);
                } else if (key == "producer") {
                  read.text(member, p, event.producer, v1::kProducerText);
                } else if (key == "data") {
                  if (!member.is_object()) {
                    read.fail(p, v1::kMustBeObject);
                  } else if (body_index) {
                    read_body_at(*body_index, member, errors, event.body);
                  }
                } else {
                  return false;
                }
                return true;
              });

  if (!errors.empty()) return DecodeResult(errors.take());
  return DecodeResult(std::move(event));
}

}  // namespace appealhub::core
