#pragma once
// Internal to core: the rule of every appeal.v1 field, in one place, so that validate() (for
// values built in code) and decode_event() (for messages) accept the same values and word a broken
// rule the same way. core/appeal_v1_fields.hpp says which field keeps which rule.
// docs/appeal.v1.schema.json states the same rules for outside producers; keep them in step.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/appeal.hpp"
#include "core/event.hpp"
#include "core/time.hpp"
#include "core/validation.hpp"

namespace appealhub::core::v1 {

// The rule a value breaks, or nullopt when it keeps them all.
using Broken = std::optional<std::string>;

// Words of rules that are not about one field's format.
inline constexpr std::string_view kMissing = "missing";
inline constexpr std::string_view kUnknownField = "unknown field";
inline constexpr std::string_view kDuplicateField = "duplicate field";
inline constexpr std::string_view kMustBeString = "must be a string";
inline constexpr std::string_view kMustBeStringOrNull = "must be a string or null";
inline constexpr std::string_view kMustBeBoolean = "must be a boolean";
inline constexpr std::string_view kMustBeInteger = "must be an integer";
inline constexpr std::string_view kMustBeIntegerOrNull = "must be an integer or null";
inline constexpr std::string_view kMustBeObject = "must be an object";
inline constexpr std::string_view kMustBeArray = "must be an array";
inline constexpr std::string_view kOutOfRange = "is out of range";
inline constexpr std::string_view kNotTime = "not an RFC 3339 time with offset";

inline constexpr std::string_view kSchemaName = "appeal.v1";

// Sizes of lists.
inline constexpr std::size_t kMaxRelated = 100;
inline constexpr std::size_t kMaxAttachments = 100;
inline constexpr std::size_t kMaxAssisting = 20;
inline constexpr int kMaxExtensionDays = 60;

// A field's place in a message. Paths chain on the stack and become text only when a rule is
// broken, so that checking a valid message allocates nothing for them.
class FieldPath {
 public:
  FieldPath() = default;  // the `data` object (or the envelope): children are bare names
  FieldPath child(std::string_view key) const { return FieldPath(this, key, kNoIndex); }
  FieldPath item(std::size_t index) const { return FieldPath(this, {}, index); }
  // "appeal.attachments[2].url"
  std::string str() const;

 private:
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  FieldPath(const FieldPath* parent, std::string_view key, std::size_t index)
      : parent_(parent), key_(key), index_(index) {}
  void append_to(std::string& out) const;

  const FieldPath* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = kNoIndex;
};

// Collects broken rules in the order they are found.
class ErrorList {
 public:
  void add(const FieldPath& path, std::string_view rule);
  void add_root(std::string rule);  // about the message as a whole ("$")
  // Adds the broken rule, if any; returns whether the value kept every rule.
  bool check(const FieldPath& path, const Broken& broken);
  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  std::vector<FieldError> take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

// Free text: `min_chars`..`max_chars` code points of valid UTF-8, without control characters
// (tab, CR and LF allowed when multiline).
struct TextRule {
  std::size_t min_chars = 0;
  std::size_t max_chars = 0;
  bool multiline = false;
};
Broken check_text(std::string_view value, TextRule rule);

// The text rules of the format.
inline constexpr TextRule kExternalIdText{1, 128, false};  // also supplement_id, follow_up_id
inline constexpr TextRule kProducerText{1, 128, false};
inline constexpr TextRule kPlaceText{0, 500, false};
inline constexpr TextRule kTitleText{1, 200, false};
inline constexpr TextRule kContentText{1, 20000, true};
inline constexpr TextRule kCitizenNameText{0, 100, false};
inline constexpr TextRule kAttachmentNameText{0, 255, false};
inline constexpr TextRule kRelatedText{1, 128, false};
inline constexpr TextRule kNoteText{0, 2000, true};  // note, reason, comment
inline constexpr TextRule kUnitText{0, 200, false};  // to_unit
inline constexpr TextRule kRuleNameText{0, 128, false};
inline constexpr TextRule kReplyContentText{0, 20000, true};  // non-empty checked per reply type
inline constexpr TextRule kDepartmentNameText{1, 100, false};
inline constexpr TextRule kHandlerText{0, 100, false};
inline constexpr TextRule kChannelReplyIdText{0, 128, false};
inline constexpr TextRule kFailureReasonText{1, 2000, true};
inline constexpr TextRule kUrlText{1, 2048, false};  // then is_http_url()

// Formatted values (each with the text checks first: valid UTF-8 and no control characters).
Broken check_channel(std::string_view value);
Broken check_event_id(std::string_view value);
Broken check_reply_id(std::string_view value);
Broken check_department_code(std::string_view value);
Broken check_division(std::string_view value);          // may be empty
Broken check_plate(std::string_view value);             // may be empty
Broken check_phone(std::string_view value);             // may be empty
Broken check_email(std::string_view value);             // may be empty
Broken check_id_number_masked(std::string_view value);  // may be empty
Broken check_attachment_url(std::string_view value);
Broken check_sha256(std::string_view value);  // may be empty
Broken check_category(std::string_view value);
Broken check_time(const Timestamp& value);

// Enumerations: what a name outside the enumeration breaks (also a value cast from code).
inline constexpr std::string_view kUnknownKind = "not a known appeal kind";
inline constexpr std::string_view kUnknownUrgency = "not a known urgency";
inline constexpr std::string_view kUnknownStatus = "not a known ticket status";
inline constexpr std::string_view kUnknownRating = "not a known satisfaction rating";
inline constexpr std::string_view kUnknownReplyType = "not a known reply type";

// Numbers.
Broken check_size(std::int64_t value);       // >= 0
Broken check_ticket_id(std::int64_t value);  // >= 1
Broken check_attempts(std::int64_t value);   // >= 1
Broken check_score(std::int64_t value);      // 1..5

// Rules between fields of one object, checked after its fields. A rule is only checked when the
// fields it reads kept their own rules (so one mistake gives one error).
struct ReplyFieldsValid {
  bool type = true;
  bool content = true;
  bool return_reason = true;
  bool extension_days = true;
};
void check_reply_consistency(const ReplyRequested& reply, std::int64_t extension_days,
                             ReplyFieldsValid valid, const FieldPath& data, ErrorList& errors);
void check_rating_consistency(const AppealRated& rated, bool rating_valid, bool score_valid,
                              const FieldPath& data, ErrorList& errors);

}  // namespace appealhub::core::v1
