#include "adapters/mailbox/letter.hpp"

#include <set>

#include "adapters/common/text_clues.hpp"
#include "core/ids.hpp"
#include "core/validation.hpp"

namespace appealhub::adapters::mailbox {
namespace {

const std::set<std::string, std::less<>> kMappedFields{
    "id",      "seq",     "submitted_at", "writer",      "type",
    "subject", "content", "public",       "attachments", "status"};

std::string text_of(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

core::Attachment attachment_of(const nlohmann::json& a) {
  core::Attachment out;
  if (!a.is_object()) return out;
  out.name = text_of(a, "name");
  out.url = text_of(a, "url");
  out.sha256 = text_of(a, "sha256");
  if (const auto it = a.find("size"); it != a.end() && it->is_number_integer()) {
    out.size = it->get<std::int64_t>();
  }
  return out;
}

// Moves what the format refuses in optional fields to channel_meta; true when something moved.
bool set_aside_unusable(core::Appeal& a, const std::vector<core::FieldError>& errors) {
  bool moved = false;
  std::set<std::size_t, std::greater<>> bad_attachments;
  for (const auto& e : errors) {
    if (e.field == "appeal.citizen.phone" && !a.citizen.phone.empty()) {
      a.channel_meta["unusable_phone"] = a.citizen.phone;
      a.citizen.phone.clear();
      moved = true;
    } else if (e.field == "appeal.citizen.email" && !a.citizen.email.empty()) {
      a.channel_meta["unusable_email"] = a.citizen.email;
      a.citizen.email.clear();
      moved = true;
    } else if (e.field == "appeal.citizen.id_number_masked" &&
               !a.citizen.id_number_masked.empty()) {
      // Possibly a full ID number: never keep it.
      a.channel_meta["id_number_dropped"] = "not masked";
      a.citizen.id_number_masked.clear();
      moved = true;
    } else if (e.field == "appeal.citizen.name" && !a.citizen.name.empty()) {
      a.channel_meta["unusable_name"] = a.citizen.name;
      a.citizen.name.clear();
      moved = true;
    } else if (e.field.starts_with("appeal.attachments[")) {
      bad_attachments.insert(std::stoul(e.field.substr(19)));
    }
  }
  for (const auto i : bad_attachments) {
    if (i >= a.attachments.size()) continue;
    const auto& bad = a.attachments[i];
    a.channel_meta["unusable_attachments"].push_back(
        {{"name", bad.name}, {"url", bad.url}, {"sha256", bad.sha256}});
    a.attachments.erase(a.attachments.begin() + static_cast<std::ptrdiff_t>(i));
    moved = true;
  }
  return moved;
}

// The appeal.received of a letter (pending, spam, or withdrawn before the hub first saw it); none
// when the letter cannot be read, with `refused` saying why.
std::optional<core::Event> received_event(const nlohmann::json& letter, const std::string& id,
                                          const std::string& status, std::string& refused) {
  core::Event event;
  event.producer = std::string(kProducer);
  const auto submitted = core::parse_rfc3339(text_of(letter, "submitted_at"));
  if (!submitted) {
    refused = "letter " + id + ": submitted_at is not an RFC 3339 time";
    return std::nullopt;
  }
  core::Appeal a;
  a.channel = std::string(kChannel);
  a.external_id = id;
  a.received_at = *submitted;
  const std::string subject = one_line(decode_html_entities(text_of(letter, "subject")));
  a.content = decode_html_entities(text_of(letter, "content"));
  if (a.content.find_first_not_of(" \t\r\n") == std::string::npos) a.content = subject;
  a.title = first_characters(subject.empty() ? a.content : subject, 200);

  const std::string type = text_of(letter, "type");
  if (const auto kind = core::kind_from_chinese(type)) {
    a.kind = *kind;
  } else {
    a.kind = kind_from_text(subject).value_or(core::AppealKind::other);
    a.channel_meta["type"] = type;
  }
  a.division = division_from_text(subject + "\n" + a.content).value_or("");
  a.category =
      category_from_text(subject).value_or(category_from_text(a.content).value_or("other"));

  if (const auto w = letter.find("writer"); w != letter.end() && w->is_object()) {
    a.citizen.name = text_of(*w, "name");
    a.citizen.phone = text_of(*w, "phone");
    a.citizen.email = text_of(*w, "email");
    a.citizen.id_number_masked = text_of(*w, "id_number_masked");
    a.citizen.anonymous = a.citizen.name == "匿名";
    for (const auto& [k, v] : w->items()) {
      if (k != "name" && k != "phone" && k != "email" && k != "id_number_masked") {
        a.channel_meta["writer_" + k] = v;
      }
    }
  }
  if (const auto p = letter.find("public"); p != letter.end() && p->is_boolean()) {
    a.publication_allowed = p->get<bool>();
  }
  if (const auto list = letter.find("attachments"); list != letter.end() && list->is_array()) {
    for (const auto& item : *list) a.attachments.push_back(attachment_of(item));
  }
  if (const auto seq = letter.find("seq"); seq != letter.end()) a.channel_meta["seq"] = *seq;
  a.channel_meta["status"] = status;
  if (status == "spam") a.channel_meta["mailbox_status"] = "spam";
  for (const auto& [k, v] : letter.items()) {
    if (!kMappedFields.contains(k)) a.channel_meta[k] = v;
  }
  auto errors = core::validate(a);
  if (!errors.empty() && set_aside_unusable(a, errors)) errors = core::validate(a);
  if (!errors.empty()) {
    refused = "letter " + id + ": " + core::to_string(errors);
    return std::nullopt;
  }
  event.occurred_at = a.received_at;
  // A letter re-indexed as spam is a new fact about it: its own event, so intake sees it.
  event.event_id = core::make_event_id("appeal.received", kChannel, id,
                                       status == "spam" ? "spam" : "");
  event.body = core::AppealReceived{std::move(a)};
  if (const auto invalid = core::validate(event); !invalid.empty()) {
    refused = "letter " + id + ": " + core::to_string(invalid);
    return std::nullopt;
  }
  return event;
}

}  // namespace

LetterOutcome letter_to_event(const nlohmann::json& letter, const core::Timestamp& seen_at) {
  LetterOutcome out;
  if (!letter.is_object()) {
    out.refused = "a letter is not a JSON object";
    return out;
  }
  out.letter_id = text_of(letter, "id");
  if (out.letter_id.empty()) {
    out.refused = "letter without an id";
    return out;
  }
  const std::string status = text_of(letter, "status");
  if (status == "replied") return out;
  if (status != "pending" && status != "spam" && status != "withdrawn") {
    out.refused = "letter " + out.letter_id + ": unknown status '" + status + "'";
    return out;
  }

  core::Event event;
  event.producer = std::string(kProducer);
  if (status == "withdrawn") {
    core::AppealWithdrawn w;
    w.channel = std::string(kChannel);
    w.external_id = out.letter_id;
    const auto updated = core::parse_rfc3339(text_of(letter, "updated_at"));
    w.at = updated.value_or(seen_at);
    event.occurred_at = w.at;
    event.event_id = core::make_event_id("appeal.withdrawn", kChannel, out.letter_id, "");
    event.body = std::move(w);
    // The hub may never have seen the letter pending (withdrawn between two polls): the appeal
    // was received all the same and is counted, as a ticket that the withdrawal then closes. The
    // same event id as when it was pending, so a ticket the hub has is not doubled.
    std::string unreadable;
    out.received = received_event(letter, out.letter_id, status, unreadable);
  } else {
    auto received = received_event(letter, out.letter_id, status, out.refused);
    if (!received) return out;
    event = std::move(*received);
  }
  if (const auto errors = core::validate(event); !errors.empty()) {
    out.refused = "letter " + out.letter_id + ": " + core::to_string(errors);
    return out;
  }
  out.event = std::move(event);
  return out;
}

RatingOutcome rating_to_event(const nlohmann::json& rating) {
  RatingOutcome out;
  if (!rating.is_object()) {
    out.refused = "a rating is not a JSON object";
    return out;
  }
  const std::string letter_id = text_of(rating, "letter_id");
  const std::string rated_at_text = text_of(rating, "rated_at");
  const auto rated_at = core::parse_rfc3339(rated_at_text);
  const auto satisfaction = core::satisfaction_from_chinese(text_of(rating, "rating"));
  if (letter_id.empty() || !rated_at || !satisfaction) {
    out.refused =
        "rating of letter '" + letter_id +
        "': needs letter_id, rated_at (RFC 3339) and a rating of 满意, 基本满意 or 不满意";
    return out;
  }
  core::AppealRated r;
  r.channel = std::string(kChannel);
  r.external_id = letter_id;
  r.rating = *satisfaction;
  r.comment = decode_html_entities(text_of(rating, "comment"));
  r.rated_at = *rated_at;
  core::Event event;
  event.producer = std::string(kProducer);
  event.occurred_at = *rated_at;
  event.event_id = core::make_event_id("appeal.rated", kChannel, letter_id, rated_at_text);
  event.body = std::move(r);
  if (const auto errors = core::validate(event); !errors.empty()) {
    out.refused = "rating of letter " + letter_id + ": " + core::to_string(errors);
    return out;
  }
  out.event = std::move(event);
  return out;
}

}  // namespace appealhub::adapters::mailbox
