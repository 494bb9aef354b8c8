#include "core/appeal_v1_rules.hpp"

#include "core/field_rules.hpp"
#include "core/text.hpp"

namespace appealhub::core::v1 {
namespace {

// Valid UTF-8 without control characters: what every formatted value must be before its format
// is looked at, so that a bad byte is reported as such and not as a bad format.
Broken check_plain_text(std::string_view value) {
  if (!is_valid_utf8(value)) return "not valid UTF-8";
  if (has_control_characters(value, false)) return "contains control characters";
  return std::nullopt;
}

Broken format_rule(std::string_view value, bool (*keeps)(std::string_view), bool may_be_empty,
                   std::string_view rule) {
  if (may_be_empty && value.empty()) return std::nullopt;
  if (auto broken = check_plain_text(value)) return broken;
  if (!keeps(value)) return std::string(rule);
  return std::nullopt;
}

}  // namespace

std::string FieldPath::str() const {
  std::string out;
  append_to(out);
  return out;
}

void FieldPath::append_to(std::string& out) const {
  if (parent_ == nullptr) return;
  parent_->append_to(out);
  if (index_ != kNoIndex) {
    out += '[';
    out += std::to_string(index_);
    out += ']';
    return;
  }
  if (!out.empty()) out += '.';
  out += key_;
}

void ErrorList::add(const FieldPath& path, std::string_view rule) {
  errors_.push_back(FieldError{path.str(), std::string(rule)});
}

void ErrorList::add_root(std::string rule) {
  errors_.push_back(FieldError{"$", std::move(rule)});
}

bool ErrorList::check(const FieldPath& path, const Broken& broken) {
  if (!broken) return true;
  add(path, *broken);
  return false;
}

Broken check_text(std::string_view value, TextRule rule) {
  const auto length = utf8_length(value);
  if (!length) return "not valid UTF-8";
  if (*length < rule.min_chars) {
    if (rule.min_chars == 1) return "must not be empty";
    return "must be at least " + std::to_string(rule.min_chars) + " characters";
  }
  if (*length > rule.max_chars) {
    return "must be at most " + std::to_string(rule.max_chars) + " characters";
  }
  if (has_control_characters(value, rule.multiline)) return "contains control characters";
  return std::nullopt;
}

Broken check_channel(std::string_view value) {
  return format_rule(value, is_channel_id, false,
                     "must be 2 to 32 characters of a-z 0-9 _, starting with a letter");
}

Broken check_event_id(std::string_view value) {
  return format_rule(value, is_event_id, false,
                     "must be 16 to 128 characters of A-Z a-z 0-9 . _ : -");
}

Broken check_reply_id(std::string_view value) {
  return format_rule(value, is_reply_id, false,
                     "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
}

Broken check_department_code(std::string_view value) {
  return format_rule(value, is_department_code, false,
                     "must be 1 to 64 characters of A-Z a-z 0-9 _ -");
}

Broken check_division(std::string_view value) {
  return format_rule(value, is_division_code, true, "must be empty or 6 digits");
}

Broken check_plate(std::string_view value) {
  return format_rule(value, is_normalized_plate, true, "not a normalized Chinese plate");
}

Broken check_phone(std::string_view value) {
  return format_rule(value, is_phone_number, true, "not a phone number");
}

Broken check_email(std::string_view value) {
  return format_rule(value, is_email_address, true, "not an email address");
}

Broken check_id_number_masked(std::string_view value) {
  return format_rule(value, is_masked_id_number, true, "must be empty or a masked ID number");
}

Broken check_attachment_url(std::string_view value) {
  if (auto broken = check_text(value, kUrlText)) return broken;
  if (!is_http_url(value)) return "must be an http(s) URL";
  return std::nullopt;
}

Broken check_sha256(std::string_view value) {
  return format_rule(value, is_sha256_hex, true, "must be empty or 64 hex digits");
}

Broken check_category(std::string_view value) {
  if (is_business_category(value)) return std::nullopt;
  if (auto broken = check_plain_text(value)) return broken;
  return "not a known business category";
}

Broken check_time(const Timestamp& value) {
  if (is_representable(value)) return std::nullopt;
  return std::string(kNotTime);
}

Broken check_size(std::int64_t value) {
  if (value >= 0) return std::nullopt;
  return "must not be negative";
}

Broken check_ticket_id(std::int64_t value) {
  if (value >= 1) return std::nullopt;
  return "must be positive";
}

Broken check_attempts(std::int64_t value) {
  if (value >= 1) return std::nullopt;
  return "must be at least 1";
}

Broken check_score(std::int64_t value) {
  if (value >= 1 && value <= 5) return std::nullopt;
  return "must be 1 to 5";
}

void check_reply_consistency(const ReplyRequested& reply, std::int64_t extension_days,
                             ReplyFieldsValid valid, const FieldPath& data, ErrorList& errors) {
  if (!valid.type) return;
  const bool answers = reply.type == ReplyType::final_answer || reply.type == ReplyType::interim;
  if (valid.content && answers && reply.content.empty()) {
    errors.add(data.child("content"), "must not be empty for a final_answer or interim reply");
  }
  if (valid.return_reason && reply.type == ReplyType::return_order && reply.return_reason.empty()) {
    errors.add(data.child("return_reason"), "must not be empty for a return_order");
  }
  if (valid.extension_days) {
    if (reply.type == ReplyType::extension_request) {
      if (extension_days < 1 || extension_days > kMaxExtensionDays) {
        errors.add(data.child("extension_days"), "must be 1 to 60 for an extension_request");
      }
    } else if (extension_days != 0) {
      errors.add(data.child("extension_days"), "must be 0 unless type is extension_request");
    }
  }
}

void check_rating_consistency(const AppealRated& rated, bool rating_valid, bool score_valid,
                              const FieldPath& data, ErrorList& errors) {
  if (!rating_valid || !score_valid || !rated.score) return;
  if (satisfaction_from_score(*rated.score) != rated.rating) {
    errors.add(data.child("rating"),
               "does not match score (4 and 5 are satisfied, 1 to 3 dissatisfied)");
  }
}

}  // namespace appealhub::core::v1
