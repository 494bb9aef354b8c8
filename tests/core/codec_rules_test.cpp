// Specification of the appeal.v1 field rules as decode_event() applies them: each case takes a
// valid message, changes one value (JSON pointer → new JSON value, or removes it) and states the
// one error the decoder must report, as "field: rule".

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/codec.hpp"
#include "tests/core/sample_events.hpp"

namespace appealhub::core {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kRemove = "<remove>";

struct RuleCase {
  const char* name;     // the test's name
  const char* event;    // which sample message to start from
  const char* pointer;  // JSON pointer to the value to change
  std::string value;    // the new value as JSON text, or kRemove
  const char* error;    // the one error expected, "" for none
};

std::string repeat(const std::string& text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

// A JSON string literal of `n` copies of a character, for length limits.
std::string json_string_of(std::size_t n, const std::string& character = "字") {
  return "\"" + repeat(character, n) + "\"";
}

Json sample_message(const std::string& event) {
  return Json::parse(encode_event(testing::sample_event(event)));
}

std::vector<std::string> error_texts(const DecodeResult& result) {
  std::vector<std::string> texts;
  for (const auto& error : result.errors()) texts.push_back(error.to_string());
  return texts;
}

std::vector<std::string> decode_changed(const RuleCase& c) {
  Json message = sample_message(c.event);
  const Json::json_pointer pointer(c.pointer);
  if (c.value == kRemove) {
    message.at(pointer.parent_pointer()).erase(pointer.back());
  } else {
    message[pointer] = Json::parse(c.value);
  }
  return error_texts(decode_event(message.dump()));
}

class FieldRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(FieldRule, IsReportedAsFieldAndRule) {
  const RuleCase& c = GetParam();
  const auto errors = decode_changed(c);
  if (std::string(c.error).empty()) {
    EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  } else {
    EXPECT_EQ(errors, std::vector<std::string>{c.error});
  }
}

std::string case_name(const ::testing::TestParamInfo<RuleCase>& info) {
  return info.param.name;
}

// clang-format off
const RuleCase kEnvelopeRules[] = {
  {"schema_other_version", "appeal.received", "/schema", R"("appeal.v2")", R"(schema: must be "appeal.v1")"},
  {"schema_not_a_string", "appeal.received", "/schema", "1", "schema: must be a string"},
  {"schema_missing", "appeal.received", "/schema", kRemove, "schema: missing"},
  {"event_unknown", "appeal.received", "/event", R"("appeal.created")", "event: not a known event"},
  {"event_not_a_string", "appeal.received", "/event", "null", "event: must be a string"},
  {"event_id_too_short", "appeal.received", "/event_id", R"("ev1-123")", "event_id: must be 16 to 128 characters of A-Z a-z 0-9 . _ : -"},
  {"event_id_with_space", "appeal.received", "/event_id", R"("ev1 0123456789abcdef")", "event_id: must be 16 to 128 characters of A-Z a-z 0-9 . _ : -"},
  {"event_id_too_long", "appeal.received", "/event_id", json_string_of(129, "a"), "event_id: must be 16 to 128 characters of A-Z a-z 0-9 . _ : -"},
  {"event_id_missing", "appeal.received", "/event_id", kRemove, "event_id: missing"},
  {"occurred_at_local", "appeal.received", "/occurred_at", R"("2026-11-27 16:00:05")", "occurred_at: not an RFC 3339 time with offset"},
  {"occurred_at_without_offset", "appeal.received", "/occurred_at", R"("2026-11-27T16:00:05")", "occurred_at: not an RFC 3339 time with offset"},
  {"occurred_at_number", "appeal.received", "/occurred_at", "1764230405", "occurred_at: must be a string"},
  {"producer_empty", "appeal.received", "/producer", R"("")", "producer: must not be empty"},
  {"producer_too_long", "appeal.received", "/producer", json_string_of(129, "p"), "producer: must be at most 128 characters"},
  {"unknown_envelope_field", "appeal.received", "/priority", "1", "priority: unknown field"},
  {"data_not_an_object", "appeal.received", "/data", "[]", "data: must be an object"},
  {"data_missing", "appeal.received", "/data", kRemove, "data: missing"},
  {"unknown_data_field", "appeal.received", "/data/ticket", "{}", "ticket: unknown field"},
  {"appeal_missing", "appeal.received", "/data/appeal", kRemove, "appeal: missing"},
  {"appeal_not_an_object", "appeal.received", "/data/appeal", R"("…")", "appeal: must be an object"},
};

const RuleCase kAppealRules[] = {
  {"channel_upper_case", "appeal.received", "/data/appeal/channel", R"("Hotline12328")", "appeal.channel: must be 2 to 32 characters of a-z 0-9 _, starting with a letter"},
  {"channel_with_dot", "appeal.received", "/data/appeal/channel", R"("hot.line")", "appeal.channel: must be 2 to 32 characters of a-z 0-9 _, starting with a letter"},
  {"channel_one_letter", "appeal.received", "/data/appeal/channel", R"("h")", "appeal.channel: must be 2 to 32 characters of a-z 0-9 _, starting with a letter"},
  {"channel_too_long", "appeal.received", "/data/appeal/channel", json_string_of(33, "a"), "appeal.channel: must be 2 to 32 characters of a-z 0-9 _, starting with a letter"},
  {"channel_number", "appeal.received", "/data/appeal/channel", "12328", "appeal.channel: must be a string"},
  {"channel_missing", "appeal.received", "/data/appeal/channel", kRemove, "appeal.channel: missing"},
  {"external_id_empty", "appeal.received", "/data/appeal/external_id", R"("")", "appeal.external_id: must not be empty"},
  {"external_id_too_long", "appeal.received", "/data/appeal/external_id", json_string_of(129, "9"), "appeal.external_id: must be at most 128 characters"},
  {"external_id_128_chinese", "appeal.received", "/data/appeal/external_id", json_string_of(128), ""},
  {"external_id_control", "appeal.received", "/data/appeal/external_id", R"("GY\u0001")", "appeal.external_id: contains control characters"},
  {"external_id_line_break", "appeal.received", "/data/appeal/external_id", R"("GY\n1")", "appeal.external_id: contains control characters"},
  {"received_at_without_offset", "appeal.received", "/data/appeal/received_at", R"("2026-11-27T09:15:32")", "appeal.received_at: not an RFC 3339 time with offset"},
  {"received_at_impossible_date", "appeal.received", "/data/appeal/received_at", R"("2026-02-30T09:15:32+08:00")", "appeal.received_at: not an RFC 3339 time with offset"},
  {"received_at_missing", "appeal.received", "/data/appeal/received_at", kRemove, "appeal.received_at: missing"},
  {"kind_chinese", "appeal.received", "/data/appeal/kind", R"("投诉")", "appeal.kind: not a known appeal kind"},
  {"kind_not_a_string", "appeal.received", "/data/appeal/kind", "2", "appeal.kind: must be a string"},
  {"kind_disclosure", "appeal.received", "/data/appeal/kind", R"("disclosure")", ""},
  {"category_chinese", "appeal.received", "/data/appeal/category", R"("出租汽车")", "appeal.category: not a known business category"},
  {"category_empty", "appeal.received", "/data/appeal/category", R"("")", "appeal.category: not a known business category"},
  {"category_missing", "appeal.received", "/data/appeal/category", kRemove, "appeal.category: missing"},
  {"division_five_digits", "appeal.received", "/data/appeal/division", R"("51080")", "appeal.division: must be empty or 6 digits"},
  {"division_name", "appeal.received", "/data/appeal/division", R"("利州区")", "appeal.division: must be empty or 6 digits"},
  {"division_empty", "appeal.received", "/data/appeal/division", R"("")", ""},
  {"place_too_long", "appeal.received", "/data/appeal/place", json_string_of(501), "appeal.place: must be at most 500 characters"},
  {"place_line_break", "appeal.received", "/data/appeal/place", R"("东门\n西门")", "appeal.place: contains control characters"},
  {"plate_not_normalized", "appeal.received", "/data/appeal/plate", R"("川H·T2231")", "appeal.plate: not a normalized Chinese plate"},
  {"plate_lower_case", "appeal.received", "/data/appeal/plate", R"("川ht2231")", "appeal.plate: not a normalized Chinese plate"},
  {"plate_unknown_province", "appeal.received", "/data/appeal/plate", R"("港H12345")", "appeal.plate: not a normalized Chinese plate"},
  {"plate_too_short", "appeal.received", "/data/appeal/plate", R"("川H1234")", "appeal.plate: not a normalized Chinese plate"},
  {"plate_empty", "appeal.received", "/data/appeal/plate", R"("")", ""},
  {"plate_new_energy", "appeal.received", "/data/appeal/plate", R"("川HD12345")", ""},
  {"plate_trailer", "appeal.received", "/data/appeal/plate", R"("川H1234挂")", ""},
  {"title_empty", "appeal.received", "/data/appeal/title", R"("")", "appeal.title: must not be empty"},
  {"title_too_long", "appeal.received", "/data/appeal/title", json_string_of(201), "appeal.title: must be at most 200 characters"},
  {"title_200_characters", "appeal.received", "/data/appeal/title", json_string_of(200), ""},
  {"title_line_break", "appeal.received", "/data/appeal/title", R"("拒载\n投诉")", "appeal.title: contains control characters"},
  {"title_missing", "appeal.received", "/data/appeal/title", kRemove, "appeal.title: missing"},
  {"content_empty", "appeal.received", "/data/appeal/content", R"("")", "appeal.content: must not be empty"},
  {"content_too_long", "appeal.received", "/data/appeal/content", json_string_of(20001), "appeal.content: must be at most 20000 characters"},
  {"content_20000_characters", "appeal.received", "/data/appeal/content", json_string_of(20000), ""},
  {"content_line_breaks_and_tabs", "appeal.received", "/data/appeal/content", R"("第一行\r\n第二行\t完")", ""},
  {"content_nul", "appeal.received", "/data/appeal/content", R"("a\u0000b")", "appeal.content: contains control characters"},
  {"content_c1_control", "appeal.received", "/data/appeal/content", R"("a\u0085b")", "appeal.content: contains control characters"},
  {"content_missing", "appeal.received", "/data/appeal/content", kRemove, "appeal.content: missing"},
  {"citizen_not_an_object", "appeal.received", "/data/appeal/citizen", R"("李先生")", "appeal.citizen: must be an object"},
  {"citizen_name_too_long", "appeal.received", "/data/appeal/citizen/name", json_string_of(101), "appeal.citizen.name: must be at most 100 characters"},
  {"citizen_phone_short", "appeal.received", "/data/appeal/citizen/phone", R"("12345")", "appeal.citizen.phone: not a phone number"},
  {"citizen_phone_international", "appeal.received", "/data/appeal/citizen/phone", R"("+8613908391234")", "appeal.citizen.phone: not a phone number"},
  {"citizen_phone_masked", "appeal.received", "/data/appeal/citizen/phone", R"("139****1234")", ""},
  {"citizen_phone_landline", "appeal.received", "/data/appeal/citizen/phone", R"("0839-3301234")", ""},
  {"citizen_phone_empty", "appeal.received", "/data/appeal/citizen/phone", R"("")", ""},
  {"citizen_email_without_domain", "appeal.received", "/data/appeal/citizen/email", R"("li@")", "appeal.citizen.email: not an email address"},
  {"citizen_id_number_unmasked", "appeal.received", "/data/appeal/citizen/id_number_masked", R"("510802199001011234")", "appeal.citizen.id_number_masked: must be empty or a masked ID number"},
  {"citizen_anonymous_string", "appeal.received", "/data/appeal/citizen/anonymous", R"("yes")", "appeal.citizen.anonymous: must be a boolean"},
  {"citizen_unknown_field", "appeal.received", "/data/appeal/citizen/nickname", R"("蜀道行者")", "appeal.citizen.nickname: unknown field"},
  {"urgency_unknown", "appeal.received", "/data/appeal/urgency", R"("high")", "appeal.urgency: not a known urgency"},
  {"urgency_missing_means_normal", "appeal.received", "/data/appeal/urgency", kRemove, ""},
  {"channel_deadline_words", "appeal.received", "/data/appeal/channel_deadline", R"("tomorrow")", "appeal.channel_deadline: not an RFC 3339 time with offset"},
  {"channel_deadline_number", "appeal.received", "/data/appeal/channel_deadline", "5", "appeal.channel_deadline: must be a string or null"},
  {"channel_deadline_null", "appeal.received", "/data/appeal/channel_deadline", "null", ""},
  {"related_not_an_array", "appeal.received", "/data/appeal/related", R"("GY1")", "appeal.related: must be an array"},
  {"related_empty_id", "appeal.received", "/data/appeal/related", R"(["GY1", ""])", "appeal.related[1]: must not be empty"},
  {"related_number", "appeal.received", "/data/appeal/related", "[1]", "appeal.related[0]: must be a string"},
  {"related_too_many", "appeal.received", "/data/appeal/related", "[" + repeat(R"("GY",)", 100) + R"("GY"])", "appeal.related: must have at most 100 items"},
  {"attachments_not_an_array", "appeal.received", "/data/appeal/attachments", "{}", "appeal.attachments: must be an array"},
  {"attachment_not_an_object", "appeal.received", "/data/appeal/attachments/0", R"("https://a.example/1.jpg")", "appeal.attachments[0]: must be an object"},
  {"attachment_third_url_ftp", "appeal.received", "/data/appeal/attachments", R"([{"url":"https://a.example/1"},{"url":"http://a.example/2"},{"url":"ftp://a.example/3"}])", "appeal.attachments[2].url: must be an http(s) URL"},
  {"attachment_url_missing", "appeal.received", "/data/appeal/attachments/0/url", kRemove, "appeal.attachments[0].url: missing"},
  {"attachment_url_with_space", "appeal.received", "/data/appeal/attachments/0/url", R"("https://a.example/a b.jpg")", "appeal.attachments[0].url: must be an http(s) URL"},
  {"attachment_url_too_long", "appeal.received", "/data/appeal/attachments/0/url", "\"https://a.example/" + repeat("文", 2031) + "\"", "appeal.attachments[0].url: must be at most 2048 characters"},
  {"attachment_url_2048_characters", "appeal.received", "/data/appeal/attachments/0/url", "\"https://a.example/" + repeat("文", 2030) + "\"", ""},
  {"attachment_size_negative", "appeal.received", "/data/appeal/attachments/0/size", "-1", "appeal.attachments[0].size: must not be negative"},
  {"attachment_size_string", "appeal.received", "/data/appeal/attachments/0/size", R"("183422")", "appeal.attachments[0].size: must be an integer or null"},
  {"attachment_size_fraction", "appeal.received", "/data/appeal/attachments/0/size", "1.5", "appeal.attachments[0].size: must be an integer or null"},
  {"attachment_size_null", "appeal.received", "/data/appeal/attachments/0/size", "null", ""},
  {"attachment_sha256_short", "appeal.received", "/data/appeal/attachments/0/sha256", R"("abc")", "appeal.attachments[0].sha256: must be empty or 64 hex digits"},
  {"attachment_name_too_long", "appeal.received", "/data/appeal/attachments/0/name", json_string_of(256, "n"), "appeal.attachments[0].name: must be at most 255 characters"},
  {"attachment_unknown_field", "appeal.received", "/data/appeal/attachments/0/type", R"("image/jpeg")", "appeal.attachments[0].type: unknown field"},
  {"publication_allowed_string", "appeal.received", "/data/appeal/publication_allowed", R"("true")", "appeal.publication_allowed: must be a boolean"},
  {"channel_meta_not_an_object", "appeal.received", "/data/appeal/channel_meta", "[]", "appeal.channel_meta: must be an object"},
  {"channel_meta_holds_anything", "appeal.received", "/data/appeal/channel_meta", R"({"坐席工号":"A1023","x":[1,{"y":null}]})", ""},
  {"appeal_unknown_field", "appeal.received", "/data/appeal/priority", "1", "appeal.priority: unknown field"},
};

const RuleCase kChannelEventRules[] = {
  {"supplement_id_empty", "appeal.supplemented", "/data/supplement_id", R"("")", "supplement_id: must not be empty"},
  {"supplement_content_missing", "appeal.supplemented", "/data/content", kRemove, "content: missing"},
  {"supplement_attachment_url", "appeal.supplemented", "/data/attachments/0/url", R"("file:///etc/passwd")", "attachments[0].url: must be an http(s) URL"},
  {"supplement_at_local", "appeal.supplemented", "/data/at", R"("2026-11-27 11:20:05")", "at: not an RFC 3339 time with offset"},
  {"supplement_channel_bad", "appeal.supplemented", "/data/channel", R"("12328")", "channel: must be 2 to 32 characters of a-z 0-9 _, starting with a letter"},
  {"follow_up_id_missing", "appeal.followed_up", "/data/follow_up_id", kRemove, "follow_up_id: missing"},
  {"follow_up_content_too_long", "appeal.followed_up", "/data/content", json_string_of(20001), "content: must be at most 20000 characters"},
  {"follow_up_unknown_field", "appeal.followed_up", "/data/reply_to", R"("F0")", "reply_to: unknown field"},
  {"urge_note_too_long", "appeal.urged", "/data/note", json_string_of(2001), "note: must be at most 2000 characters"},
  {"urge_note_may_be_left_out", "appeal.urged", "/data/note", kRemove, ""},
  {"urge_at_missing", "appeal.urged", "/data/at", kRemove, "at: missing"},
  {"withdrawal_reason_control", "appeal.withdrawn", "/data/reason", R"("bell\u0007")", "reason: contains control characters"},
  {"withdrawal_channel_missing", "appeal.withdrawn", "/data/channel", kRemove, "channel: missing"},
  {"reassignment_to_unit_too_long", "appeal.reassigned", "/data/to_unit", json_string_of(201), "to_unit: must be at most 200 characters"},
  {"reassignment_external_id_number", "appeal.reassigned", "/data/external_id", "5", "external_id: must be a string"},
  {"rating_chinese", "appeal.rated", "/data/rating", R"("好评")", "rating: not a known satisfaction rating"},
  {"rating_missing", "appeal.rated", "/data/rating", kRemove, "rating: missing"},
  {"score_above_five", "appeal.rated", "/data/score", "6", "score: must be 1 to 5"},
  {"score_zero", "appeal.rated", "/data/score", "0", "score: must be 1 to 5"},
  {"score_string", "appeal.rated", "/data/score", R"("5")", "score: must be an integer or null"},
  {"score_fraction", "appeal.rated", "/data/score", "4.5", "score: must be an integer or null"},
  {"score_null", "appeal.rated", "/data/score", "null", ""},
  {"score_disagrees_with_rating", "appeal.rated", "/data/score", "2", "rating: does not match score (4 and 5 are satisfied, 1 to 3 dissatisfied)"},
  {"comment_too_long", "appeal.rated", "/data/comment", json_string_of(2001), "comment: must be at most 2000 characters"},
  {"rated_at_missing", "appeal.rated", "/data/rated_at", kRemove, "rated_at: missing"},
};

const RuleCase kTicketRoutedRules[] = {
  {"ticket_id_zero", "ticket.routed", "/data/ticket_id", "0", "ticket_id: must be positive"},
  {"ticket_id_string", "ticket.routed", "/data/ticket_id", R"("1042")", "ticket_id: must be an integer"},
  {"ticket_id_beyond_int64", "ticket.routed", "/data/ticket_id", "18446744073709551615", "ticket_id: is out of range"},
  {"department_with_dot", "ticket.routed", "/data/department", R"("law.enforcement")", "department: must be 1 to 64 characters of A-Z a-z 0-9 _ -"},
  {"department_missing", "ticket.routed", "/data/department", kRemove, "department: missing"},
  {"assisting_bad_code", "ticket.routed", "/data/assisting", R"(["ok", "bad code"])", "assisting[1]: must be 1 to 64 characters of A-Z a-z 0-9 _ -"},
  {"assisting_too_many", "ticket.routed", "/data/assisting", "[" + repeat(R"("d",)", 20) + R"("d"])", "assisting: must have at most 20 items"},
  {"status_unknown", "ticket.routed", "/data/status", R"("open")", "status: not a known ticket status"},
  {"deadline_missing", "ticket.routed", "/data/deadline", kRemove, "deadline: missing"},
  {"rule_too_long", "ticket.routed", "/data/rule", json_string_of(129, "r"), "rule: must be at most 128 characters"},
  {"rule_empty_when_a_person_placed_it", "ticket.routed", "/data/rule", R"("")", ""},
  {"routed_appeal_phone", "ticket.routed", "/data/appeal/citizen/phone", R"("110")", "appeal.citizen.phone: not a phone number"},
  {"routed_appeal_missing", "ticket.routed", "/data/appeal", kRemove, "appeal: missing"},
};

const RuleCase kReplyRules[] = {
  {"reply_id_with_space", "reply.requested", "/data/reply_id", R"("rp 1")", "reply_id: must be 1 to 128 characters of A-Z a-z 0-9 . _ : -"},
  {"reply_ticket_id_negative", "reply.requested", "/data/ticket_id", "-3", "ticket_id: must be positive"},
  {"reply_type_unknown", "reply.requested", "/data/type", R"("answer")", "type: not a known reply type"},
  {"reply_type_missing", "reply.requested", "/data/type", kRemove, "type: missing"},
  {"final_answer_without_content", "reply.requested", "/data/content", R"("")", "content: must not be empty for a final_answer or interim reply"},
  {"reply_content_too_long", "reply.requested", "/data/content", json_string_of(20001), "content: must be at most 20000 characters"},
  {"reply_department_empty", "reply.requested", "/data/department", R"("")", "department: must not be empty"},
  {"reply_handler_too_long", "reply.requested", "/data/handler", json_string_of(101), "handler: must be at most 100 characters"},
  {"reply_contact_phone", "reply.requested", "/data/contact_phone", R"("3301234")", "contact_phone: not a phone number"},
  {"reply_answered_at_without_offset", "reply.requested", "/data/answered_at", R"("2026-12-03T15:02:11")", "answered_at: not an RFC 3339 time with offset"},
  {"reply_publish_string", "reply.requested", "/data/publish", R"("yes")", "publish: must be a boolean"},
  {"reply_to_empty", "reply.requested", "/data/reply_to", R"("")", "reply_to: must not be empty"},
  {"reply_to_number", "reply.requested", "/data/reply_to", "1", "reply_to: must be a string or null"},
  {"reply_to_follow_up", "reply.requested", "/data/reply_to", R"("F1")", ""},
  {"extension_days_on_final_answer", "reply.requested", "/data/extension_days", "5", "extension_days: must be 0 unless type is extension_request"},
  {"extension_days_string", "reply.requested", "/data/extension_days", R"("5")", "extension_days: must be an integer"},
  {"delivered_attempts_zero", "reply.delivered", "/data/attempts", "0", "attempts: must be at least 1"},
  {"delivered_channel_reply_id_too_long", "reply.delivered", "/data/channel_reply_id", json_string_of(129, "R"), "channel_reply_id: must be at most 128 characters"},
  {"delivered_at_missing", "reply.delivered", "/data/delivered_at", kRemove, "delivered_at: missing"},
  {"failure_reason_empty", "reply.failed", "/data/reason", R"("")", "reason: must not be empty"},
  {"failure_final_missing", "reply.failed", "/data/final", kRemove, "final: missing"},
  {"failure_final_number", "reply.failed", "/data/final", "1", "final: must be a boolean"},
  {"failure_attempts_beyond_int", "reply.failed", "/data/attempts", "3000000000", "attempts: is out of range"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Envelope, FieldRule, ::testing::ValuesIn(kEnvelopeRules), case_name);
INSTANTIATE_TEST_SUITE_P(Appeal, FieldRule, ::testing::ValuesIn(kAppealRules), case_name);
INSTANTIATE_TEST_SUITE_P(ChannelEvents, FieldRule, ::testing::ValuesIn(kChannelEventRules),
                         case_name);
INSTANTIATE_TEST_SUITE_P(TicketRouted, FieldRule, ::testing::ValuesIn(kTicketRoutedRules),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Replies, FieldRule, ::testing::ValuesIn(kReplyRules), case_name);

// Rules between the fields of reply.requested depend on its type.
std::vector<std::string> decode_reply(const std::string& type, const Json& changes) {
  Json message = sample_message("reply.requested");
  message["data"]["type"] = type;
  for (const auto& [key, value] : changes.items()) message["data"][key] = value;
  return error_texts(decode_event(message.dump()));
}

TEST(ReplyRequestedRules, AReturnNeedsAReason) {
  EXPECT_EQ(decode_reply("return_order", {{"return_reason", ""}}),
            std::vector<std::string>{"return_reason: must not be empty for a return_order"});
  EXPECT_EQ(decode_reply("return_order", {{"content", ""}, {"return_reason", "不属于本单位职责"}}),
            std::vector<std::string>{});
}

TEST(ReplyRequestedRules, AnExtensionRequestNeeds1To60Days) {
  EXPECT_EQ(decode_reply("extension_request", {{"extension_days", 0}}),
            std::vector<std::string>{"extension_days: must be 1 to 60 for an extension_request"});
  EXPECT_EQ(decode_reply("extension_request", {{"extension_days", 61}}),
            std::vector<std::string>{"extension_days: must be 1 to 60 for an extension_request"});
  EXPECT_EQ(decode_reply("extension_request", {{"extension_days", 5}, {"content", ""}}),
            std::vector<std::string>{});
}

TEST(ReplyRequestedRules, AnInterimAnswerNeedsContent) {
  EXPECT_EQ(
      decode_reply("interim", {{"content", ""}}),
      std::vector<std::string>{"content: must not be empty for a final_answer or interim reply"});
}

TEST(ReplyRequestedRules, AnUnknownTypeGivesOneErrorNotThree) {
  EXPECT_EQ(decode_reply("answer", {{"content", ""}, {"extension_days", 3}}),
            std::vector<std::string>{"type: not a known reply type"});
}

TEST(Decode, ReportsEveryErrorInDocumentOrder) {
  const auto result = decode_event(R"({
    "data": {"appeal": {
      "title": "",
      "channel": "mailbox",
      "citizen": {"phone": "12345", "nickname": "x"},
      "external_id": "L1",
      "kind": "complaint",
      "received_at": "2026-11-27T09:15:32+08:00",
      "category": "bus",
      "attachments": [{"url": "https://a.example/1"}, {"url": "ftp://x", "size": -1}]
    }},
    "event": "appeal.received",
    "schema": "appeal.v2",
    "event_id": "ev1-0123456789abcdef0123456789abcdef",
    "occurred_at": "2026-11-27T16:00:05+08:00",
    "extra": true
  })");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(error_texts(result), (std::vector<std::string>{
                                     "appeal.title: must not be empty",
                                     "appeal.citizen.phone: not a phone number",
                                     "appeal.citizen.nickname: unknown field",
                                     "appeal.attachments[1].url: must be an http(s) URL",
                                     "appeal.attachments[1].size: must not be negative",
                                     "appeal.content: missing",
                                     "schema: must be \"appeal.v1\"",
                                     "extra: unknown field",
                                     "producer: missing",
                                 }));
}

TEST(Decode, NamesTheByteWhereMalformedJsonStops) {
  const auto result = decode_event(R"({"schema": "appeal.v1",, "event": 1})");
  ASSERT_EQ(result.errors().size(), 1u);
  EXPECT_EQ(result.errors()[0].field, "$");
  EXPECT_TRUE(result.errors()[0].rule.starts_with("malformed JSON at byte 23: "))
      << result.errors()[0].rule;
}

TEST(Decode, RefusesWhatIsNotOneJsonObject) {
  for (const std::string text : {"", "   ", "{", "{} {}", "{\"a\":1,}", "{'a':1}", "nul"}) {
    const auto result = decode_event(text);
    ASSERT_EQ(result.errors().size(), 1u) << text;
    EXPECT_EQ(result.errors()[0].field, "$") << text;
    EXPECT_TRUE(result.errors()[0].rule.starts_with("malformed JSON at byte ")) << text;
  }
  EXPECT_EQ(error_texts(decode_event("[]")), std::vector<std::string>{"$: must be an object"});
  EXPECT_EQ(error_texts(decode_event("\"appeal\"")),
            std::vector<std::string>{"$: must be an object"});
}

TEST(Decode, RefusesBytesThatAreNotUtf8AsMalformedJson) {
  Json message = sample_message("appeal.received");
  std::string text = message.dump();
  const auto title = text.find("出租车拒载");
  ASSERT_NE(title, std::string::npos);
  text[title + 1] = '\xFF';
  const auto result = decode_event(text);
  ASSERT_EQ(result.errors().size(), 1u);
  EXPECT_EQ(result.errors()[0].field, "$");
  EXPECT_TRUE(result.errors()[0].rule.starts_with("malformed JSON at byte "))
      << result.errors()[0].rule;
}

TEST(Decode, RefusesARepeatedKeyAndNamesIt) {
  const auto with_repeat = [](const std::string& pointer_to_object, const std::string& key) {
    Json message = sample_message("appeal.received");
    const Json::json_pointer pointer(pointer_to_object);
    std::string text = message.dump();
    // Write the object with the key once more at its end, which ordered_json cannot hold.
    const std::string member = "\"" + key + "\":" + message[pointer][key].dump();
    const std::string object = message[pointer].dump();
    const auto at = text.find(object);
    text.insert(at + object.size() - 1, "," + member);
    return error_texts(decode_event(text));
  };
  EXPECT_EQ(with_repeat("/data/appeal", "title"),
            std::vector<std::string>{"appeal.title: duplicate field"});
  EXPECT_EQ(with_repeat("/data/appeal/citizen", "phone"),
            std::vector<std::string>{"appeal.citizen.phone: duplicate field"});
  EXPECT_EQ(with_repeat("/data/appeal/attachments/0", "url"),
            std::vector<std::string>{"appeal.attachments[0].url: duplicate field"});
  EXPECT_EQ(with_repeat("/data/appeal/channel_meta", "operator"),
            std::vector<std::string>{"appeal.channel_meta.operator: duplicate field"});
  EXPECT_EQ(error_texts(decode_event(R"({"event":"appeal.received","event":"appeal.urged"})")),
            std::vector<std::string>{"event: duplicate field"});
}

TEST(Decode, FindsARepeatedKeyInABigObject) {
  Json message = sample_message("appeal.received");
  Json meta = Json::object();
  for (int i = 0; i < 1000; ++i) meta["k" + std::to_string(i)] = i;
  message["data"]["appeal"]["channel_meta"] = meta;
  std::string text = message.dump();
  const auto end = text.find("\"k999\":999") + std::string("\"k999\":999").size();
  text.insert(end, ",\"k500\":0");
  EXPECT_EQ(error_texts(decode_event(text)),
            std::vector<std::string>{"appeal.channel_meta.k500: duplicate field"});
}

TEST(Decode, RefusesDeepNesting) {
  Json message = sample_message("appeal.received");
  Json deep = Json::object();
  for (int i = 0; i < 70; ++i) deep = Json{{"d", deep}};
  message["data"]["appeal"]["channel_meta"] = deep;
  EXPECT_EQ(error_texts(decode_event(message.dump())),
            std::vector<std::string>{"$: nested deeper than 64 levels"});
}

TEST(Decode, RefusesMessagesOverOneMebibyte) {
  Json message = sample_message("appeal.received");
  message["data"]["appeal"]["channel_meta"]["padding"] = std::string(kMaxMessageBytes, 'x');
  EXPECT_EQ(error_texts(decode_event(message.dump())),
            std::vector<std::string>{"$: larger than 1048576 bytes"});
}

TEST(Decode, AnUnknownEventLeavesItsDataUnread) {
  Json message = sample_message("appeal.received");
  message["event"] = "appeal.deleted";
  EXPECT_EQ(error_texts(decode_event(message.dump())),
            std::vector<std::string>{"event: not a known event"});
}

TEST(Decode, DataIsReadAsTheEventSaysEvenWhenEventComesLater) {
  Json message = sample_message("appeal.urged");
  Json reordered = Json::object();
  reordered["data"] = message["data"];
  for (const auto& [key, value] : message.items()) {
    if (key != "data") reordered[key] = value;
  }
  const auto result = decode_event(reordered.dump());
  ASSERT_TRUE(result.ok()) << to_string(result.errors());
  EXPECT_EQ(result.event(), testing::sample_event("appeal.urged"));
}

TEST(Decode, ReadsTheDataOfAnotherEventAsUnknownFields) {
  Json message = sample_message("appeal.urged");
  message["event"] = "appeal.withdrawn";
  EXPECT_EQ(error_texts(decode_event(message.dump())),
            std::vector<std::string>{"note: unknown field"});
}

}  // namespace
}  // namespace appealhub::core
