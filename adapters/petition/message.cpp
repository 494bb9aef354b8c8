#include "adapters/petition/message.hpp"

#include <set>

#include "adapters/common/text_clues.hpp"
#include "core/ids.hpp"
#include "core/validation.hpp"

namespace appealhub::adapters::petition {
namespace {

// Fields mapped, or changing over the message's life (carried by other events).
const std::set<std::string, std::less<>> kNotInMeta{
    "msg_id", "title",       "content", "created_at", "updated_at", "citizen",    "region_code",
    "topic",  "deadline_at", "state",   "follow_ups", "rating",     "attachments"};

std::string text_of(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

core::Event event_of(std::string_view name, const std::string& msg_id, std::string_view fact,
                     const core::Timestamp& occurred_at, core::EventBody body) {
  core::Event e;
  e.event_id = core::make_event_id(name, kChannel, msg_id, fact);
  e.occurred_at = occurred_at;
  e.producer = std::string(kProducer);
  e.body = std::move(body);
  return e;
}

core::Appeal appeal_of(const nlohmann::json& m, const std::string& msg_id,
                       const core::Timestamp& created_at) {
  core::Appeal a;
  a.channel = std::string(kChannel);
  a.external_id = msg_id;
  a.received_at = created_at;
  std::string title = text_of(m, "title");
  for (char& c : title) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  a.content = text_of(m, "content");
  if (is_blank(a.content)) a.content = title;
  a.title = first_characters(is_blank(title) ? a.content : title, 200);
  const std::string topic = text_of(m, "topic");
  a.kind = kind_from_text(title).value_or(kind_from_text(topic).value_or(core::AppealKind::other));
  a.category = category_from_text(title).value_or(category_from_text(topic).value_or("other"));
  const std::string region = text_of(m, "region_code");
  const bool six_digits =
      region.size() == 6 && region.find_first_not_of("0123456789") == std::string::npos;
  if (six_digits) a.division = region;
  if (!region.empty()) a.channel_meta["region_code"] = region;
  if (!topic.empty()) a.channel_meta["topic"] = topic;
  if (const auto c = m.find("citizen"); c != m.end() && c->is_object()) {
    a.citizen.name = text_of(*c, "nickname");
    a.citizen.phone = text_of(*c, "phone_masked");
    for (const auto& [k, v] : c->items()) {
      if (k != "nickname" && k != "phone_masked") a.channel_meta["citizen_" + k] = v;
    }
  }
  const std::string deadline = text_of(m, "deadline_at");
  if (const auto d = core::parse_rfc3339(deadline)) {
    a.channel_deadline = *d;
  } else if (!deadline.empty()) {
    a.channel_meta["unusable_deadline_at"] = deadline;
  }
  if (const auto list = m.find("attachments"); list != m.end() && list->is_array()) {
    for (const auto& item : *list) {
      core::Attachment att;
      att.name = text_of(item, "name");
      att.url = text_of(item, "url");
      att.sha256 = text_of(item, "sha256");
      if (item.is_object() && item.contains("size") && item["size"].is_number_integer()) {
        att.size = item["size"].get<std::int64_t>();
      }
      a.attachments.push_back(std::move(att));
    }
  }
  for (const auto& [k, v] : m.items()) {
    if (!kNotInMeta.contains(k)) a.channel_meta[k] = v;
  }
  // Set aside what the format refuses in optional parts, keeping the appeal.
  for (const auto& e : core::validate(a)) {
    if (e.field == "appeal.citizen.phone" && !a.citizen.phone.empty()) {
      a.channel_meta["unusable_phone"] = a.citizen.phone;
      a.citizen.phone.clear();
    } else if (e.field == "appeal.citizen.name" && !a.citizen.name.empty()) {
      a.channel_meta["unusable_nickname"] = a.citizen.name;
      a.citizen.name.clear();
    } else if (e.field.starts_with("appeal.attachments[")) {
      const auto i = std::stoul(e.field.substr(19));
      if (i < a.attachments.size() && !a.attachments[i].url.empty()) {
        a.channel_meta["unusable_attachments"].push_back(a.attachments[i].url);
        a.attachments[i].url.clear();  // marked; removed below
      }
    }
  }
  std::erase_if(a.attachments, [](const core::Attachment& att) { return att.url.empty(); });
  return a;
}

// The follow-ups of message `id`; one that is not valid is a problem, not an event.
void add_follow_ups(const nlohmann::json& m, const std::string& id, core::Timestamp changed_at,
                    MessageEvents& out) {
  if (const auto list = m.find("follow_ups"); list != m.end() && list->is_array()) {
    for (const auto& f : *list) {
      core::AppealFollowedUp up;
      up.channel = std::string(kChannel);
      up.external_id = id;
      up.follow_up_id = text_of(f, "id");
      up.content = text_of(f, "content");
      up.at = core::parse_rfc3339(text_of(f, "created_at")).value_or(changed_at);
      // The fact is copied first: the body is moved into the event.
      const std::string fact = up.follow_up_id;
      const core::Timestamp at = up.at;
      auto event = event_of("appeal.followed_up", id, fact, at, std::move(up));
      if (const auto errors = core::validate(event); !errors.empty()) {
        out.problems.push_back("message " + id + " follow-up '" + text_of(f, "id") +
                               "': " + core::to_string(errors));
        continue;
      }
      out.events.push_back(std::move(event));
    }
  }
}

// The citizen's rating of message `id`, when there is one.
void add_rating(const nlohmann::json& m, const std::string& id, MessageEvents& out) {
  if (const auto r = m.find("rating"); r != m.end() && r->is_object()) {
    const std::string rated_text = text_of(*r, "rated_at");
    const auto rated_at = core::parse_rfc3339(rated_text);
    // Compared wide before narrowing: get<int>() would cut 4294967300 to 4 (satisfied).
    std::optional<int> score;
    if (const auto s = r->find("score"); s != r->end() && s->is_number_integer()) {
      const bool in_range = s->is_number_unsigned()
                                ? s->get<std::uint64_t>() <= 5
                                : s->get<std::int64_t>() >= 1 && s->get<std::int64_t>() <= 5;
      if (in_range) score = static_cast<int>(s->get<std::int64_t>());
    }
    const auto satisfaction = score ? core::satisfaction_from_score(*score) : std::nullopt;
    if (!rated_at || !satisfaction) {
      out.problems.push_back("message " + id + " rating: needs a score of 1 to 5 and rated_at");
    } else {
      core::AppealRated rated;
      rated.channel = std::string(kChannel);
      rated.external_id = id;
      rated.rating = *satisfaction;
      rated.score = score;
      rated.comment = text_of(*r, "comment");
      rated.rated_at = *rated_at;
      auto event = event_of("appeal.rated", id, rated_text, *rated_at, std::move(rated));
      if (const auto errors = core::validate(event); !errors.empty()) {
        out.problems.push_back("message " + id + " rating: " + core::to_string(errors));
      } else {
        out.events.push_back(std::move(event));
      }
    }
  }
}

// What the message's state says happened to it: withdrawn or reassigned (the others say nothing
// the events above do not).
void add_state_change(const nlohmann::json& m, const std::string& id, core::Timestamp changed_at,
                      MessageEvents& out) {
  const std::string state = text_of(m, "state");
  if (state == "withdrawn") {
    core::AppealWithdrawn w{std::string(kChannel), id, "", changed_at};
    out.events.push_back(event_of("appeal.withdrawn", id, "", changed_at, std::move(w)));
  } else if (state == "reassigned") {
    core::AppealReassigned moved{std::string(kChannel), id,
                                 first_characters(text_of(m, "reassigned_to"), 200), "",
                                 changed_at};
    out.events.push_back(event_of("appeal.reassigned", id, "", changed_at, std::move(moved)));
  } else if (state != "assigned" && state != "replied" && state != "rated") {
    out.problems.push_back("message " + id + ": unknown state '" + state + "'");
  }
}

}  // namespace

MessageEvents message_to_events(const nlohmann::json& m) {
  MessageEvents out;
  if (!m.is_object()) {
    out.refused = "a message is not a JSON object";
    return out;
  }
  out.msg_id = text_of(m, "msg_id");
  const std::string created_text = text_of(m, "created_at");
  const auto created_at = core::parse_rfc3339(created_text);
  out.updated_at = core::parse_rfc3339(text_of(m, "updated_at"));
  if (out.msg_id.empty() || !created_at) {
    out.refused = "message '" + out.msg_id + "': needs msg_id and created_at (RFC 3339)";
    return out;
  }
  const std::string& id = out.msg_id;
  const core::Timestamp changed_at = out.updated_at.value_or(*created_at);

  core::Appeal appeal = appeal_of(m, id, *created_at);
  if (const auto errors = core::validate(appeal); !errors.empty()) {
    out.refused = "message " + id + ": " + core::to_string(errors);
    return out;
  }
  out.events.push_back(
      event_of("appeal.received", id, "", *created_at, core::AppealReceived{std::move(appeal)}));

  add_follow_ups(m, id, changed_at, out);
  add_rating(m, id, out);
  add_state_change(m, id, changed_at, out);
  return out;
}

}  // namespace appealhub::adapters::petition
