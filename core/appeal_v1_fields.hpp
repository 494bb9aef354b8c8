#pragma once
// Internal to core: every appeal.v1 event described once, field by field (docs/appeal-v1.md),
// and the three walks over a description: read_object() (decode_event), write_object()
// (encode_event) and check_object() (validate). A description lists, in the documented order,
// each member's name, the struct member it maps to, its kind of value (JSON type and rule) and
// whether it is required; rules between fields of one object are the description's between().

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "core/appeal_v1_rules.hpp"

namespace appealhub::core::v1 {

// Members keep the order they have in the message (for errors in document order) and the order
// they are written in (for readable messages).
using Json = nlohmann::ordered_json;

// Adds the broken rule and returns false, for `return fail(…)` in readers.
inline bool fail(const FieldPath& path, ErrorList& errors, std::string_view rule) {
  errors.add(path, rule);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Kinds of value. Each reads a JSON value into its C++ type (reporting what is wrong and
// returning whether the value kept its rules), writes it back, and checks a value built in code.
// `type_rule` is what a value of the wrong JSON type breaks; nullable() turns it into "… or null".

// A string: free text by `rule`, or a formatted value when `format` is set.
struct Text {
  TextRule rule{};
  Broken (*format)(std::string_view) = nullptr;
  std::string_view type_rule = kMustBeString;

  Broken broken(std::string_view value) const {
    return format ? format(value) : check_text(value, rule);
  }
  bool read(const Json& value, const FieldPath& path, ErrorList& errors, std::string& out) const;
  Json write(const std::string& value) const { return value; }
  bool check(const std::string& value, const FieldPath& path, ErrorList& errors) const {
    return errors.check(path, broken(value));
  }
};
constexpr Text text(TextRule rule) {
  return Text{rule};
}
constexpr Text formatted(Broken (*format)(std::string_view)) {
  return Text{{}, format};
}

// An RFC 3339 time with offset.
struct Time {
  std::string_view type_rule = kMustBeString;

  bool read(const Json& value, const FieldPath& path, ErrorList& errors, Timestamp& out) const;
  Json write(const Timestamp& value) const;
  bool check(const Timestamp& value, const FieldPath& path, ErrorList& errors) const {
    return errors.check(path, check_time(value));
  }
};

struct Flag {
  bool read(const Json& value, const FieldPath& path, ErrorList& errors, bool& out) const;
  Json write(bool value) const { return value; }
  bool check(bool /*value*/, const FieldPath& /*path*/, ErrorList& /*errors*/) const {
    return true;
  }
};

// A string naming one value of `E`; to_string(E) gives the name ("" for a value outside E).
template <class E>
struct Enumeration {
  std::optional<E> (*parse)(std::string_view);
  std::string_view unknown;  // the rule a name outside E breaks
  std::string_view type_rule = kMustBeString;

  bool read(const Json& value, const FieldPath& path, ErrorList& errors, E& out) const {
    if (!value.is_string()) return fail(path, errors, type_rule);
    const auto parsed = parse(value.get_ref<const std::string&>());
    if (!parsed) return fail(path, errors, unknown);
    out = *parsed;
    return true;
  }
  Json write(E value) const { return std::string(to_string(value)); }
  bool check(E value, const FieldPath& path, ErrorList& errors) const {
    return !to_string(value).empty() || fail(path, errors, unknown);
  }
};

// JSON Schema's "integer": any number with no fraction, so 5.0 is 5. Integers beyond int64 (or
// int for `int` members) are "is out of range". `rule`, when set, is checked after.
std::optional<std::int64_t> read_integer(const Json& value, const FieldPath& path,
                                         ErrorList& errors, std::string_view type_rule,
                                         bool fits_int);

template <class Int>
struct Integer {
  Broken (*rule)(std::int64_t) = nullptr;
  std::string_view type_rule = kMustBeInteger;

  bool read(const Json& value, const FieldPath& path, ErrorList& errors, Int& out) const {
    const auto n = read_integer(value, path, errors, type_rule, std::is_same_v<Int, int>);
    if (!n) return false;
    out = static_cast<Int>(*n);
    return check(out, path, errors);
  }
  Json write(Int value) const { return value; }
  bool check(Int value, const FieldPath& path, ErrorList& errors) const {
    return rule == nullptr || errors.check(path, rule(value));
  }
};

// channel_meta: any JSON object, by design (it carries what the hub does not understand); its
// strings must be valid UTF-8 and it must not nest deeper than a message may.
struct Meta {
  bool read(const Json& value, const FieldPath& path, ErrorList& errors, nlohmann::json& out) const;
  Json write(const nlohmann::json& value) const;
  bool check(const nlohmann::json& value, const FieldPath& path, ErrorList& errors) const;
};

// std::optional<T>, written as null when absent.
template <class Kind>
struct Nullable {
  Kind kind;

  template <class T>
  bool read(const Json& value, const FieldPath& path, ErrorList& errors,
            std::optional<T>& out) const {
    if (value.is_null()) {
      out.reset();
      return true;
    }
    return kind.read(value, path, errors, out.emplace());
  }
  template <class T>
  Json write(const std::optional<T>& value) const {
    return value ? kind.write(*value) : Json(nullptr);
  }
  template <class T>
  bool check(const std::optional<T>& value, const FieldPath& path, ErrorList& errors) const {
    return !value || kind.check(*value, path, errors);
  }
};
template <class Kind>
constexpr Nullable<Kind> nullable(Kind kind, std::string_view type_rule) {
  kind.type_rule = type_rule;
  return Nullable<Kind>{kind};
}

// "must have at most <max_items> items"; returns false.
bool too_many_items(std::size_t max_items, const FieldPath& path, ErrorList& errors);

// std::vector<T>, at most `max_items` of them.
template <class Kind>
struct List {
  Kind item;
  std::size_t max_items;

  template <class T>
  bool read(const Json& value, const FieldPath& path, ErrorList& errors,
            std::vector<T>& out) const {
    if (!value.is_array()) return fail(path, errors, kMustBeArray);
    if (value.size() > max_items) return too_many_items(max_items, path, errors);
    bool kept = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
      kept = item.read(value[i], path.item(i), errors, out.emplace_back()) && kept;
    }
    return kept;
  }
  template <class T>
  Json write(const std::vector<T>& values) const {
    Json array = Json::array();
    for (const auto& value : values) array.push_back(item.write(value));
    return array;
  }
  template <class T>
  bool check(const std::vector<T>& values, const FieldPath& path, ErrorList& errors) const {
    if (values.size() > max_items) return too_many_items(max_items, path, errors);
    bool kept = true;
    for (std::size_t i = 0; i < values.size(); ++i) {
      kept = item.check(values[i], path.item(i), errors) && kept;
    }
    return kept;
  }
};

template <class S>
bool read_object(const Json& value, const FieldPath& path, ErrorList& errors, S& out);
template <class S>
Json write_object(const S& value);
template <class S>
bool check_object(const S& value, const FieldPath& path, ErrorList& errors);

// A nested object with its own Description.
template <class S>
struct Object {
  bool read(const Json& value, const FieldPath& path, ErrorList& errors, S& out) const {
    return read_object(value, path, errors, out);
  }
  Json write(const S& value) const { return write_object(value); }
  bool check(const S& value, const FieldPath& path, ErrorList& errors) const {
    return check_object(value, path, errors);
  }
};

// ---------------------------------------------------------------------------------------------
// Fields and descriptions

template <class S, class M, class Kind>
struct Field {
  std::string_view name;
  M S::*member;
  Kind kind;
  bool required;
};
template <class S, class M, class Kind>
constexpr Field<S, M, Kind> field(std::string_view name, M S::*member, Kind kind) {
  return {name, member, kind, false};
}
template <class S, class M, class Kind>
constexpr Field<S, M, Kind> required(std::string_view name, M S::*member, Kind kind) {
  return {name, member, kind, true};
}

// Description<S>::fields is a tuple of Fields of S in the documented order. A description may
// have `static void between(const S&, const Kept<S>&, const FieldPath&, ErrorList&)`: the rules
// between its fields, checked after them.
template <class S>
struct Description;

// Calls fn(field, index) for each field in order.
template <class Fields, class Fn>
constexpr void for_each_field(const Fields& fields, Fn&& fn) {
  std::apply(
      [&](const auto&... each) {
        std::size_t i = 0;
        (fn(each, i++), ...);
      },
      fields);
}

// Calls fn(field, index) in order until one returns true; returns whether one did.
template <class Fields, class Fn>
constexpr bool any_field(const Fields& fields, Fn&& fn) {
  return std::apply(
      [&](const auto&... each) {
        std::size_t i = 0;
        return (fn(each, i++) || ...);
      },
      fields);
}

// Which fields of an S kept their own rules (one bit per field; an absent optional field counts
// as kept, an absent required one does not), so that a rule between fields is only checked when
// the fields it reads are sound and one mistake gives one error.
template <class S>
class Kept {
 public:
  explicit Kept(std::uint32_t bits) : bits_(bits) {}
  bool operator()(std::string_view name) const {
    bool kept = false;
    any_field(Description<S>::fields, [&](const auto& f, std::size_t i) {
      kept = f.name == name && ((bits_ >> i) & 1U) != 0;
      return f.name == name;
    });
    return kept;
  }

 private:
  std::uint32_t bits_;
};

template <class S>
concept HasBetween = requires(const S& value, const Kept<S>& kept, const FieldPath& path,
                              ErrorList& errors) {
  Description<S>::between(value, kept, path, errors);
};

// Reads `member` into the field of `out` named `key`, setting its bit in `present` and, when it
// kept its rules, in `kept`. False when no field has that name.
template <class Fields, class S>
bool read_member(const Fields& fields, std::string_view key, const Json& member,
                 const FieldPath& path, ErrorList& errors, S& out, std::uint32_t& present,
                 std::uint32_t& kept) {
  return any_field(fields, [&](const auto& f, std::size_t i) {
    if (f.name != key) return false;
    present |= 1U << i;
    if (f.kind.read(member, path, errors, out.*f.member)) kept |= 1U << i;
    return true;
  });
}

// Every member in document order (unknown ones refused), then every required field that was
// absent, then the rules between fields. True when nothing was wrong.
template <class S>
bool read_object(const Json& value, const FieldPath& path, ErrorList& errors, S& out) {
  if (!value.is_object()) return fail(path, errors, kMustBeObject);
  constexpr const auto& fields = Description<S>::fields;
  static_assert(std::tuple_size_v<std::remove_cvref_t<decltype(fields)>> <= 32);
  const std::size_t before = errors.size();
  std::uint32_t present = 0;
  std::uint32_t kept = 0;
  for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
    const auto member_path = path.child(key);
    if (!read_member(fields, key, member, member_path, errors, out, present, kept)) {
      errors.add(member_path, kUnknownField);
    }
  }
  for_each_field(fields, [&](const auto& f, std::size_t i) {
    if (((present >> i) & 1U) != 0) return;
    if (f.required) {
      errors.add(path.child(f.name), kMissing);
    } else {
      kept |= 1U << i;
    }
  });
  if constexpr (HasBetween<S>) Description<S>::between(out, Kept<S>(kept), path, errors);
  return errors.size() == before;
}

// An object with every field, in the described order (optional ones too, absent ones as null).
template <class S>
Json write_object(const S& value) {
  constexpr const auto& fields = Description<S>::fields;
  Json object = Json::object();
  auto& members = object.get_ref<Json::object_t&>();
  members.reserve(std::tuple_size_v<std::remove_cvref_t<decltype(fields)>>);
  for_each_field(fields, [&](const auto& f, std::size_t /*index*/) {
    members.emplace_back(std::string(f.name), f.kind.write(value.*f.member));
  });
  return object;
}

// Every field's rule in the described order, then the rules between fields. True when all held.
template <class S>
bool check_object(const S& value, const FieldPath& path, ErrorList& errors) {
  const std::size_t before = errors.size();
  std::uint32_t kept = 0;
  for_each_field(Description<S>::fields, [&](const auto& f, std::size_t i) {
    if (f.kind.check(value.*f.member, path.child(f.name), errors)) kept |= 1U << i;
  });
  if constexpr (HasBetween<S>) Description<S>::between(value, Kept<S>(kept), path, errors);
  return errors.size() == before;
}

// ---------------------------------------------------------------------------------------------
// The descriptions of appeal.v1 (docs/appeal-v1.md)

// The envelope's members that are fields of Event; `schema`, `event` and `data` are the codec's.
inline constexpr auto kEnvelopeFields =
    std::tuple{required("event_id", &Event::event_id, formatted(check_event_id)),
               required("occurred_at", &Event::occurred_at, Time{}),
               required("producer", &Event::producer, text(kProducerText))};

template <>
struct Description<Attachment> {
  static constexpr auto fields =
      std::tuple{field("name", &Attachment::name, text(kAttachmentNameText)),
                 required("url", &Attachment::url, formatted(check_attachment_url)),
                 field("size", &Attachment::size,
                       nullable(Integer<std::int64_t>{check_size}, kMustBeIntegerOrNull)),
                 field("sha256", &Attachment::sha256, formatted(check_sha256))};
};

template <>
struct Description<Citizen> {
  static constexpr auto fields = std::tuple{
      field("name", &Citizen::name, text(kCitizenNameText)),
      field("phone", &Citizen::phone, formatted(check_phone)),
      field("email", &Citizen::email, formatted(check_email)),
      field("id_number_masked", &Citizen::id_number_masked, formatted(check_id_number_masked)),
      field("anonymous", &Citizen::anonymous, Flag{})};
};

template <>
struct Description<Appeal> {
  static constexpr auto fields = std::tuple{
      required("channel", &Appeal::channel, formatted(check_channel)),
      required("external_id", &Appeal::external_id, text(kExternalIdText)),
      required("received_at", &Appeal::received_at, Time{}),
      required("kind", &Appeal::kind, Enumeration<AppealKind>{parse_appeal_kind, kUnknownKind}),
      required("category", &Appeal::category, formatted(check_category)),
      field("division", &Appeal::division, formatted(check_division)),
      field("place", &Appeal::place, text(kPlaceText)),
      field("plate", &Appeal::plate, formatted(check_plate)),
      required("title", &Appeal::title, text(kTitleText)),
      required("content", &Appeal::content, text(kContentText)),
      field("citizen", &Appeal::citizen, Object<Citizen>{}),
      field("urgency", &Appeal::urgency, Enumeration<Urgency>{parse_urgency, kUnknownUrgency}),
      field("channel_deadline", &Appeal::channel_deadline, nullable(Time{}, kMustBeStringOrNull)),
      field("related", &Appeal::related, List<Text>{text(kRelatedText), kMaxRelated}),
      field("attachments", &Appeal::attachments, List<Object<Attachment>>{{}, kMaxAttachments}),
      field("publication_allowed", &Appeal::publication_allowed, Flag{}),
      field("channel_meta", &Appeal::channel_meta, Meta{})};
};

// The fields every event about a known appeal starts with.
template <class S>
constexpr auto appeal_ref_fields() {
  return std::tuple{required("channel", &S::channel, formatted(check_channel)),
                    required("external_id", &S::external_id, text(kExternalIdText))};
}

// The fields every event about a reply starts with.
template <class S>
constexpr auto reply_ref_fields() {
  return std::tuple_cat(
      std::tuple{required("reply_id", &S::reply_id, formatted(check_reply_id)),
                 required("ticket_id", &S::ticket_id, Integer<std::int64_t>{check_ticket_id})},
      appeal_ref_fields<S>());
}

template <>
struct Description<AppealReceived> {
  static constexpr auto fields =
      std::tuple{required("appeal", &AppealReceived::appeal, Object<Appeal>{})};
};

template <>
struct Description<AppealSupplemented> {
  using S = AppealSupplemented;
  static constexpr auto fields = std::tuple_cat(
      appeal_ref_fields<S>(),
      std::tuple{
          required("supplement_id", &S::supplement_id, text(kExternalIdText)),
          required("content", &S::content, text(kContentText)),
          field("attachments", &S::attachments, List<Object<Attachment>>{{}, kMaxAttachments}),
          required("at", &S::at, Time{})});
};

template <>
struct Description<AppealFollowedUp> {
  using S = AppealFollowedUp;
  static constexpr auto fields =
      std::tuple_cat(appeal_ref_fields<S>(),
                     std::tuple{required("follow_up_id", &S::follow_up_id, text(kExternalIdText)),
                                required("content", &S::content, text(kContentText)),
                                required("at", &S::at, Time{})});
};

template <>
struct Description<AppealUrged> {
  using S = AppealUrged;
  static constexpr auto fields = std::tuple_cat(
      appeal_ref_fields<S>(),
      std::tuple{field("note", &S::note, text(kNoteText)), required("at", &S::at, Time{})});
};

template <>
struct Description<AppealWithdrawn> {
  using S = AppealWithdrawn;
  static constexpr auto fields = std::tuple_cat(
      appeal_ref_fields<S>(),
      std::tuple{field("reason", &S::reason, text(kNoteText)), required("at", &S::at, Time{})});
};

template <>
struct Description<AppealReassigned> {
  using S = AppealReassigned;
  static constexpr auto fields = std::tuple_cat(
      appeal_ref_fields<S>(),
      std::tuple{field("to_unit", &S::to_unit, text(kUnitText)),
                 field("reason", &S::reason, text(kNoteText)), required("at", &S::at, Time{})});
};

template <>
struct Description<AppealRated> {
  using S = AppealRated;
  static constexpr auto fields = std::tuple_cat(
      appeal_ref_fields<S>(),
      std::tuple{
          required("rating", &S::rating,
                   Enumeration<Satisfaction>{parse_satisfaction, kUnknownRating}),
          field("score", &S::score, nullable(Integer<int>{check_score}, kMustBeIntegerOrNull)),
          field("comment", &S::comment, text(kNoteText)),
          required("rated_at", &S::rated_at, Time{})});
  static void between(const S& rated, const Kept<S>& kept, const FieldPath& path,
                      ErrorList& errors) {
    check_rating_consistency(rated, kept("rating"), kept("score"), path, errors);
  }
};

template <>
struct Description<TicketRouted> {
  using S = TicketRouted;
  static constexpr auto fields =
      std::tuple{required("ticket_id", &S::ticket_id, Integer<std::int64_t>{check_ticket_id}),
                 required("department", &S::department, formatted(check_department_code)),
                 field("assisting", &S::assisting,
                       List<Text>{formatted(check_department_code), kMaxAssisting}),
                 required("status", &S::status,
                          Enumeration<TicketStatus>{parse_ticket_status, kUnknownStatus}),
                 required("deadline", &S::deadline, nullable(Time{}, kMustBeStringOrNull)),
                 field("rule", &S::rule, text(kRuleNameText)),
                 field("reason", &S::reason, text(kNoteText)),
                 required("appeal", &S::appeal, Object<Appeal>{})};
};

template <>
struct Description<ReplyRequested> {
  using S = ReplyRequested;
  static constexpr auto fields = std::tuple_cat(
      reply_ref_fields<S>(),
      std::tuple{
          required("type", &S::type, Enumeration<ReplyType>{parse_reply_type, kUnknownReplyType}),
          field("content", &S::content, text(kReplyContentText)),
          required("department", &S::department, text(kDepartmentNameText)),
          field("handler", &S::handler, text(kHandlerText)),
          field("contact_phone", &S::contact_phone, formatted(check_phone)),
          required("answered_at", &S::answered_at, Time{}), field("publish", &S::publish, Flag{}),
          field("reply_to", &S::reply_to, nullable(text(kExternalIdText), kMustBeStringOrNull)),
          field("return_reason", &S::return_reason, text(kNoteText)),
          field("extension_days", &S::extension_days, Integer<int>{})});
  static void between(const S& reply, const Kept<S>& kept, const FieldPath& path,
                      ErrorList& errors) {
    check_reply_consistency(
        reply, reply.extension_days,
        {kept("type"), kept("content"), kept("return_reason"), kept("extension_days")}, path,
        errors);
  }
};

template <>
struct Description<ReplyDelivered> {
  using S = ReplyDelivered;
  static constexpr auto fields = std::tuple_cat(
      reply_ref_fields<S>(),
      std::tuple{field("channel_reply_id", &S::channel_reply_id, text(kChannelReplyIdText)),
                 required("attempts", &S::attempts, Integer<int>{check_attempts}),
                 required("delivered_at", &S::delivered_at, Time{})});
};

template <>
struct Description<ReplyFailed> {
  using S = ReplyFailed;
  static constexpr auto fields =
      std::tuple_cat(reply_ref_fields<S>(),
                     std::tuple{required("reason", &S::reason, text(kFailureReasonText)),
                                required("final", &S::final, Flag{}),
                                required("attempts", &S::attempts, Integer<int>{check_attempts}),
                                required("failed_at", &S::failed_at, Time{})});
};

}  // namespace appealhub::core::v1
