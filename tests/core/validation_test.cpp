// Specification of core/validation.hpp: what an adapter learns about an Appeal or Event it built
// before publishing it.

#include "core/validation.hpp"

#include <gtest/gtest.h>

#include "core/codec.hpp"
#include "tests/core/sample_events.hpp"

namespace appealhub::core {
namespace {

using testing::one_of_each_event;
using testing::sample_appeal;
using testing::sample_event;

std::vector<std::string> error_texts(const std::vector<FieldError>& errors) {
  std::vector<std::string> texts;
  for (const auto& error : errors) texts.push_back(error.to_string());
  return texts;
}

TEST(Validate, AcceptsTheSamples) {
  EXPECT_TRUE(validate(sample_appeal()).empty());
  for (const auto& event : one_of_each_event()) {
    EXPECT_TRUE(validate(event).empty()) << event.name() << ": " << to_string(validate(event));
  }
}

TEST(Validate, NamesAppealFieldsUnderAppeal) {
  auto appeal = sample_appeal();
  appeal.citizen.phone = "12345";
  EXPECT_EQ(error_texts(validate(appeal)),
            std::vector<std::string>{"appeal.citizen.phone: not a phone number"});
}

TEST(Validate, ReportsEveryBrokenRuleInMemberOrder) {
  auto appeal = sample_appeal();
  appeal.channel = "";
  appeal.title = std::string(201, 'x');
  appeal.plate = "川H·T2231";  // not normalized: adapters call normalize_plate()
  appeal.attachments.push_back(Attachment{"a.jpg", "ftp://x/a.jpg", -5, "xyz"});
  EXPECT_EQ(error_texts(validate(appeal)),
            (std::vector<std::string>{
                "appeal.channel: must be 2 to 32 characters of a-z 0-9 _, starting with a letter",
                "appeal.plate: not a normalized Chinese plate",
                "appeal.title: must be at most 200 characters",
                "appeal.attachments[1].url: must be an http(s) URL",
                "appeal.attachments[1].size: must not be negative",
                "appeal.attachments[1].sha256: must be empty or 64 hex digits",
            }));
}

TEST(Validate, RefusesTextThatIsNotUtf8) {
  auto appeal = sample_appeal();
  appeal.content = "GB18030 bytes \xB3\xF6\xD7\xE2 read as UTF-8";
  appeal.place = "\xFF";
  appeal.plate = "\xB4\xA8H12345";
  EXPECT_EQ(error_texts(validate(appeal)), (std::vector<std::string>{
                                               "appeal.place: not valid UTF-8",
                                               "appeal.plate: not valid UTF-8",
                                               "appeal.content: not valid UTF-8",
                                           }));
}

TEST(Validate, LooksIntoChannelMetaOnlyForUtf8) {
  auto appeal = sample_appeal();
  appeal.channel_meta = {{"anything", {{"goes", {1, "two", nullptr}}}}};
  EXPECT_TRUE(validate(appeal).empty());
  appeal.channel_meta["列"] = {"ok", "\xC0\xAF"};
  EXPECT_EQ(error_texts(validate(appeal)),
            std::vector<std::string>{"appeal.channel_meta: not valid UTF-8"});
  appeal.channel_meta = nlohmann::json::array();
  EXPECT_EQ(error_texts(validate(appeal)),
            std::vector<std::string>{"appeal.channel_meta: must be an object"});
}

TEST(Validate, RefusesChannelMetaNestedDeeperThanTheDecoderReads) {
  // The envelope, `data` and `appeal` are three levels; channel_meta may add 61 more.
  const auto nested = [](int levels) {
    nlohmann::json value = nlohmann::json::object();
    for (int i = 1; i < levels; ++i) value = nlohmann::json{{"d", value}};
    return value;
  };
  auto event = sample_event("appeal.received");
  auto& appeal = std::get<AppealReceived>(event.body).appeal;
  appeal.channel_meta = nested(61);
  EXPECT_TRUE(validate(event).empty());
  EXPECT_TRUE(decode_event(encode_event(event)).ok());
  appeal.channel_meta = nested(62);
  EXPECT_EQ(error_texts(validate(event)),
            std::vector<std::string>{"appeal.channel_meta: nested deeper than 64 levels"});
  EXPECT_EQ(error_texts(decode_event(encode_event(event)).errors()),
            std::vector<std::string>{"$: nested deeper than 64 levels"});
}

TEST(Validate, RefusesEnumValuesOutsideTheEnum) {
  auto appeal = sample_appeal();
  appeal.kind = static_cast<AppealKind>(99);
  appeal.urgency = static_cast<Urgency>(-1);
  EXPECT_EQ(error_texts(validate(appeal)), (std::vector<std::string>{
                                               "appeal.kind: not a known appeal kind",
                                               "appeal.urgency: not a known urgency",
                                           }));
}

TEST(Validate, RefusesTimesThatCannotBeWritten) {
  auto appeal = sample_appeal();
  appeal.received_at.offset_minutes = 24 * 60;
  EXPECT_EQ(error_texts(validate(appeal)),
            std::vector<std::string>{"appeal.received_at: not an RFC 3339 time with offset"});
}

TEST(Validate, ChecksTheEnvelope) {
  auto event = sample_event("appeal.withdrawn");
  event.event_id = "1";
  event.producer = "";
  EXPECT_EQ(error_texts(validate(event)),
            (std::vector<std::string>{
                "event_id: must be 16 to 128 characters of A-Z a-z 0-9 . _ : -",
                "producer: must not be empty",
            }));
}

TEST(Validate, AppliesTheRulesBetweenReplyFields) {
  auto event = sample_event("reply.requested");
  auto& reply = std::get<ReplyRequested>(event.body);
  reply.type = ReplyType::return_order;
  reply.extension_days = 3;
  EXPECT_EQ(error_texts(validate(event)),
            (std::vector<std::string>{
                "return_reason: must not be empty for a return_order",
                "extension_days: must be 0 unless type is extension_request",
            }));
}

TEST(Validate, AppliesTheRuleBetweenRatingAndScore) {
  auto event = sample_event("appeal.rated");
  auto& rated = std::get<AppealRated>(event.body);
  rated.score = 3;
  rated.rating = Satisfaction::mostly_satisfied;
  EXPECT_EQ(error_texts(validate(event)),
            std::vector<std::string>{
                "rating: does not match score (4 and 5 are satisfied, 1 to 3 dissatisfied)"});
  rated.rating = Satisfaction::dissatisfied;
  EXPECT_TRUE(validate(event).empty());
  rated.score.reset();
  rated.rating = Satisfaction::mostly_satisfied;  // 基本满意 from a channel without scores
  EXPECT_TRUE(validate(event).empty());
}

TEST(Validate, AgreesWithTheDecoder) {
  // What validate() refuses, the decoder refuses with the same words.
  auto event = sample_event("ticket.routed");
  auto& routed = std::get<TicketRouted>(event.body);
  routed.ticket_id = 0;
  routed.assisting = {"ok", "not ok"};
  routed.appeal.citizen.email = "li@";
  routed.appeal.division = "5108";
  const auto from_validate = validate(event);
  const auto decoded = decode_event(encode_event(event));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.errors(), from_validate);
  EXPECT_EQ(error_texts(from_validate),
            (std::vector<std::string>{
                "ticket_id: must be positive",
                "assisting[1]: must be 1 to 64 characters of A-Z a-z 0-9 _ -",
                "appeal.division: must be empty or 6 digits",
                "appeal.citizen.email: not an email address",
            }));
}

TEST(FieldError, ReadsAsFieldColonRule) {
  EXPECT_EQ((FieldError{"appeal.citizen.phone", "not a phone number"}).to_string(),
            "appeal.citizen.phone: not a phone number");
  EXPECT_EQ(to_string(std::vector<FieldError>{{"a", "r1"}, {"b", "r2"}}), "a: r1; b: r2");
  EXPECT_EQ(to_string(std::vector<FieldError>{}), "");
}

}  // namespace
}  // namespace appealhub::core
