#include "core/validation.hpp"

#include <variant>

#include "core/appeal_v1_rules.hpp"
#include "core/codec.hpp"
#include "core/text.hpp"

namespace appealhub::core {
namespace {

using v1::ErrorList;
using v1::FieldPath;

// channel_meta may hold anything JSON holds, but its strings must be valid UTF-8 like the rest,
// and it must not nest deeper than the decoder reads.
enum class MetaProblem { none, invalid_utf8, too_deep };

MetaProblem check_channel_meta(const nlohmann::json& value, int depth_left) {
  if (value.is_string()) {
    return is_valid_utf8(value.get_ref<const std::string&>()) ? MetaProblem::none
                                                              : MetaProblem::invalid_utf8;
  }
  if (!value.is_structured()) return MetaProblem::none;
  if (depth_left == 0) return MetaProblem::too_deep;
  for (const auto& [key, member] : value.items()) {
    if (value.is_object() && !is_valid_utf8(key)) return MetaProblem::invalid_utf8;
    if (const auto problem = check_channel_meta(member, depth_left - 1);
        problem != MetaProblem::none) {
      return problem;
    }
  }
  return MetaProblem::none;
}

// The message's envelope, `data` and `appeal` objects hold channel_meta.
constexpr int kChannelMetaDepth = kMaxNestingDepth - 3;

void validate_attachments(const std::vector<Attachment>& attachments, const FieldPath& path,
                          ErrorList& errors) {
  if (attachments.size() > v1::kMaxAttachments) {
    errors.add(path, "must have at most 100 items");
    return;
  }
  for (std::size_t i = 0; i < attachments.size(); ++i) {
    const auto item = path.item(i);
    const Attachment& a = attachments[i];
    errors.check(item.child("name"), v1::check_text(a.name, v1::kAttachmentNameText));
    errors.check(item.child("url"), v1::check_attachment_url(a.url));
    if (a.size) errors.check(item.child("size"), v1::check_size(*a.size));
    errors.check(item.child("sha256"), v1::check_sha256(a.sha256));
  }
}

void validate_appeal(const Appeal& a, const FieldPath& path, ErrorList& errors) {
  errors.check(path.child("channel"), v1::check_channel(a.channel));
  errors.check(path.child("external_id"), v1::check_text(a.external_id, v1::kExternalIdText));
  errors.check(path.child("received_at"), v1::check_time(a.received_at));
  errors.check(path.child("kind"), v1::check_kind(a.kind));
  errors.check(path.child("category"), v1::check_category(a.category));
  errors.check(path.child("division"), v1::check_division(a.division));
  errors.check(path.child("place"), v1::check_text(a.place, v1::kPlaceText));
  errors.check(path.child("plate"), v1::check_plate(a.plate));
  errors.check(path.child("title"), v1::check_text(a.title, v1::kTitleText));
  errors.check(path.child("content"), v1::check_text(a.content, v1::kContentText));

  const auto citizen = path.child("citizen");
  errors.check(citizen.child("name"), v1::check_text(a.citizen.name, v1::kCitizenNameText));
  errors.check(citizen.child("phone"), v1::check_phone(a.citizen.phone));
  errors.check(citizen.child("email"), v1::check_email(a.citizen.email));
  errors.check(citizen.child("id_number_masked"),
               v1::check_id_number_masked(a.citizen.id_number_masked));

  errors.check(path.child("urgency"), v1::check_urgency(a.urgency));
  if (a.channel_deadline) {
    errors.check(path.child("channel_deadline"), v1::check_time(*a.channel_deadline));
  }
  const auto related = path.child("related");
  if (a.related.size() > v1::kMaxRelated) {
    errors.add(related, "must have at most 100 items");
  } else {
    for (std::size_t i = 0; i < a.related.size(); ++i) {
      errors.check(related.item(i), v1::check_text(a.related[i], v1::kRelatedText));
    }
  }
  validate_attachments(a.attachments, path.child("attachments"), errors);
  const auto meta = path.child("channel_meta");
  if (!a.channel_meta.is_object()) {
    errors.add(meta, v1::kMustBeObject);
  } else {
    switch (check_channel_meta(a.channel_meta, kChannelMetaDepth)) {
      case MetaProblem::none:
        break;
      case MetaProblem::invalid_utf8:
        errors.add(meta, "not valid UTF-8");
        break;
      case MetaProblem::too_deep:
        errors.add(meta, "nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
        break;
    }
  }
}

// The fields every event about a known appeal starts with.
void validate_appeal_ref(const std::string& channel, const std::string& external_id,
                         const FieldPath& data, ErrorList& errors) {
  errors.check(data.child("channel"), v1::check_channel(channel));
  errors.check(data.child("external_id"), v1::check_text(external_id, v1::kExternalIdText));
}

struct BodyValidator {
  const FieldPath& data;
  ErrorList& errors;

  void operator()(const AppealReceived& e) const {
    validate_appeal(e.appeal, data.child("appeal"), errors);
  }

  void operator()(const AppealSupplemented& e) const {
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("supplement_id"), v1::check_text(e.supplement_id, v1::kExternalIdText));
    errors.check(data.child("content"), v1::check_text(e.content, v1::kContentText));
    validate_attachments(e.attachments, data.child("attachments"), errors);
    errors.check(data.child("at"), v1::check_time(e.at));
  }

  void operator()(const AppealFollowedUp& e) const {
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("follow_up_id"), v1::check_text(e.follow_up_id, v1::kExternalIdText));
    errors.check(data.child("content"), v1::check_text(e.content, v1::kContentText));
    errors.check(data.child("at"), v1::check_time(e.at));
  }

  void operator()(const AppealUrged& e) const {
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("note"), v1::check_text(e.note, v1::kNoteText));
    errors.check(data.child("at"), v1::check_time(e.at));
  }

  void operator()(const AppealWithdrawn& e) const {
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("reason"), v1::check_text(e.reason, v1::kNoteText));
    errors.check(data.child("at"), v1::check_time(e.at));
  }

  void operator()(const AppealReassigned& e) const {
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("to_unit"), v1::check_text(e.to_unit, v1::kUnitText));
    errors.check(data.child("reason"), v1::check_text(e.reason, v1::kNoteText));
    errors.check(data.child("at"), v1::check_time(e.at));
  }

  void operator()(const AppealRated& e) const {
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    const bool rating_valid = errors.check(data.child("rating"), v1::check_rating(e.rating));
    const bool score_valid =
        !e.score || errors.check(data.child("score"), v1::check_score(*e.score));
    errors.check(data.child("comment"), v1::check_text(e.comment, v1::kNoteText));
    errors.check(data.child("rated_at"), v1::check_time(e.rated_at));
    v1::check_rating_consistency(e, rating_valid, score_valid, data, errors);
  }

  void operator()(const TicketRouted& e) const {
    errors.check(data.child("ticket_id"), v1::check_ticket_id(e.ticket_id));
    errors.check(data.child("department"), v1::check_department_code(e.department));
    const auto assisting = data.child("assisting");
    if (e.assisting.size() > v1::kMaxAssisting) {
      errors.add(assisting, "must have at most 20 items");
    } else {
      for (std::size_t i = 0; i < e.assisting.size(); ++i) {
        errors.check(assisting.item(i), v1::check_department_code(e.assisting[i]));
      }
    }
    errors.check(data.child("status"), v1::check_status(e.status));
    if (e.deadline) errors.check(data.child("deadline"), v1::check_time(*e.deadline));
    errors.check(data.child("rule"), v1::check_text(e.rule, v1::kRuleNameText));
    errors.check(data.child("reason"), v1::check_text(e.reason, v1::kNoteText));
    validate_appeal(e.appeal, data.child("appeal"), errors);
  }

  void operator()(const ReplyRequested& e) const {
    v1::ReplyFieldsValid valid;
    errors.check(data.child("reply_id"), v1::check_reply_id(e.reply_id));
    errors.check(data.child("ticket_id"), v1::check_ticket_id(e.ticket_id));
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    valid.type = errors.check(data.child("type"), v1::check_reply_type(e.type));
    valid.content =
        errors.check(data.child("content"), v1::check_text(e.content, v1::kReplyContentText));
    errors.check(data.child("department"), v1::check_text(e.department, v1::kDepartmentNameText));
    errors.check(data.child("handler"), v1::check_text(e.handler, v1::kHandlerText));
    errors.check(data.child("contact_phone"), v1::check_phone(e.contact_phone));
    errors.check(data.child("answered_at"), v1::check_time(e.answered_at));
    if (e.reply_to) {
      errors.check(data.child("reply_to"), v1::check_text(*e.reply_to, v1::kExternalIdText));
    }
    valid.return_reason =
        errors.check(data.child("return_reason"), v1::check_text(e.return_reason, v1::kNoteText));
    v1::check_reply_consistency(e, e.extension_days, valid, data, errors);
  }

  void operator()(const ReplyDelivered& e) const {
    errors.check(data.child("reply_id"), v1::check_reply_id(e.reply_id));
    errors.check(data.child("ticket_id"), v1::check_ticket_id(e.ticket_id));
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("channel_reply_id"),
                 v1::check_text(e.channel_reply_id, v1::kChannelReplyIdText));
    errors.check(data.child("attempts"), v1::check_attempts(e.attempts));
    errors.check(data.child("delivered_at"), v1::check_time(e.delivered_at));
  }

  void operator()(const ReplyFailed& e) const {
    errors.check(data.child("reply_id"), v1::check_reply_id(e.reply_id));
    errors.check(data.child("ticket_id"), v1::check_ticket_id(e.ticket_id));
    validate_appeal_ref(e.channel, e.external_id, data, errors);
    errors.check(data.child("reason"), v1::check_text(e.reason, v1::kFailureReasonText));
    errors.check(data.child("attempts"), v1::check_attempts(e.attempts));
    errors.check(data.child("failed_at"), v1::check_time(e.failed_at));
  }
};

}  // namespace

std::string FieldError::to_string() const {
  return field + ": " + rule;
}

std::string to_string(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& error : errors) {
    if (!out.empty()) out += "; ";
    out += error.to_string();
  }
  return out;
}

std::vector<FieldError> validate(const Appeal& appeal) {
  ErrorList errors;
  const FieldPath data;
  validate_appeal(appeal, data.child("appeal"), errors);
  return errors.take();
}

std::vector<FieldError> validate(const Event& event) {
  ErrorList errors;
  const FieldPath envelope;
  errors.check(envelope.child("event_id"), v1::check_event_id(event.event_id));
  errors.check(envelope.child("occurred_at"), v1::check_time(event.occurred_at));
  errors.check(envelope.child("producer"), v1::check_text(event.producer, v1::kProducerText));
  std::visit(BodyValidator{envelope, errors}, event.body);
  return errors.take();
}

}  // namespace appealhub::core
