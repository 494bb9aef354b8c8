// Specification of core/codec.hpp, the happy path: every event goes out and comes back equal, in
// the documented wire form.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/codec.hpp"
#include "tests/core/sample_events.hpp"

namespace appealhub::core {
namespace {

using testing::at;
using testing::one_of_each_event;
using testing::sample_appeal;
using testing::sample_event;

TEST(RoundTrip, EveryEventComesBackEqual) {
  for (const auto& event : one_of_each_event()) {
    SCOPED_TRACE(std::string(event.name()));
    ASSERT_TRUE(validate(event).empty()) << to_string(validate(event));
    const auto decoded = decode_event(encode_event(event));
    ASSERT_TRUE(decoded.ok()) << to_string(decoded.errors());
    EXPECT_EQ(decoded.event(), event);
  }
}

TEST(RoundTrip, DecodedMessagesEncodeToTheSameText) {
  for (const auto& event : one_of_each_event()) {
    SCOPED_TRACE(std::string(event.name()));
    const auto text = encode_event(event);
    const auto first = decode_event(text);
    ASSERT_TRUE(first.ok());
    const auto again = encode_event(first.event());
    EXPECT_EQ(again, text);
    const auto second = decode_event(again);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second.event(), first.event());
  }
}

TEST(RoundTrip, KeepsTheOffsetAndMillisecondsOfEveryTime) {
  auto event = sample_event("appeal.received");
  auto& appeal = std::get<AppealReceived>(event.body).appeal;
  appeal.received_at = at("2026-11-27T01:15:32.250Z");
  appeal.channel_deadline = at("2026-12-18T23:59:59-05:00");
  const auto decoded = decode_event(encode_event(event));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.event(), event);
}

TEST(RoundTrip, KeepsAbsentOptionalValuesAbsent) {
  auto event = sample_event("appeal.received");
  auto& appeal = std::get<AppealReceived>(event.body).appeal;
  appeal.channel_deadline.reset();
  appeal.attachments[0].size.reset();
  appeal.related.clear();
  appeal.channel_meta = nlohmann::json::object();
  const auto decoded = decode_event(encode_event(event));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.event(), event);

  auto rated = sample_event("appeal.rated");
  std::get<AppealRated>(rated.body).score.reset();
  EXPECT_EQ(decode_event(encode_event(rated)).event(), rated);
}

TEST(WireFormat, IsTheDocumentedEnvelopeAndSnakeCaseAppeal) {
  Event event;
  event.event_id = "ev1-5b0e2c8d1f7a4e3b9c6d0a1e2f3b4c5d";
  event.occurred_at = at("2026-11-27T16:00:05+08:00");
  event.producer = "adapter.mailbox";
  Appeal a;
  a.channel = "mailbox";
  a.external_id = "L2026112700043";
  a.received_at = at("2026-11-27T10:01:09+08:00");
  a.kind = AppealKind::suggestion;
  a.category = "bus";
  a.title = "建议增开旅游专线";
  a.content = "建议节假日增开专线。";
  a.citizen.name = "匿名";
  a.citizen.email = "someone@example.com";
  a.channel_meta = {{"public", false}};
  event.body = AppealReceived{a};

  EXPECT_EQ(encode_event(event),
            R"({"schema":"appeal.v1","event":"appeal.received",)"
            R"("event_id":"ev1-5b0e2c8d1f7a4e3b9c6d0a1e2f3b4c5d",)"
            R"("occurred_at":"2026-11-27T16:00:05+08:00","producer":"adapter.mailbox",)"
            R"("data":{"appeal":{"channel":"mailbox","external_id":"L2026112700043",)"
            R"("received_at":"2026-11-27T10:01:09+08:00","kind":"suggestion","category":"bus",)"
            R"("division":"","place":"","plate":"","title":"建议增开旅游专线",)"
            R"("content":"建议节假日增开专线。","citizen":{"name":"匿名","phone":"",)"
            R"("email":"someone@example.com","id_number_masked":"","anonymous":false},)"
            R"("urgency":"normal","channel_deadline":null,"related":[],"attachments":[],)"
            R"("publication_allowed":false,"channel_meta":{"public":false}}}})");
}

TEST(WireFormat, OptionalMembersMayBeLeftOut) {
  const auto decoded = decode_event(R"({"schema":"appeal.v1","event":"appeal.received",
    "event_id":"ev1-5b0e2c8d1f7a4e3b9c6d0a1e2f3b4c5d","occurred_at":"2026-11-27T16:00:05+08:00",
    "producer":"district-system","data":{"appeal":{"channel":"district_bureau","external_id":"7",
    "received_at":"2026-11-27T10:01:09+08:00","kind":"help","category":"other","title":"求助",
    "content":"求助内容"}}})");
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.errors());
  const auto& appeal = std::get<AppealReceived>(decoded.event().body).appeal;
  EXPECT_EQ(appeal.urgency, Urgency::normal);
  EXPECT_EQ(appeal.citizen, Citizen{});
  EXPECT_FALSE(appeal.channel_deadline);
  EXPECT_FALSE(appeal.publication_allowed);
  EXPECT_EQ(appeal.channel_meta, nlohmann::json::object());
}

TEST(WireFormat, MemberOrderDoesNotMatter) {
  const auto event = sample_event("reply.failed");
  auto message = nlohmann::json::parse(encode_event(event));  // std::map: members sorted by name
  const auto decoded = decode_event(message.dump());
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.errors());
  EXPECT_EQ(decoded.event(), event);
}

TEST(WireFormat, ReadsIntegersWrittenWithAZeroFraction) {
  auto message = nlohmann::ordered_json::parse(encode_event(sample_event("reply.delivered")));
  message["data"]["attempts"] = 2.0;
  message["data"]["ticket_id"] = 1042.0;
  const auto decoded = decode_event(message.dump());
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.errors());
  EXPECT_EQ(std::get<ReplyDelivered>(decoded.event().body).attempts, 2);
}

TEST(WireFormat, ChannelMetaCarriesAnything) {
  auto event = sample_event("appeal.received");
  std::get<AppealReceived>(event.body).appeal.channel_meta = {
      {"未知列", "值"}, {"nested", {{"list", {1, 2.5, nullptr, true, "x"}}}}, {"big", 1u << 31}};
  const auto decoded = decode_event(encode_event(event));
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.errors());
  EXPECT_EQ(decoded.event(), event);
}

TEST(Encode, NeverThrowsOnInvalidUtf8ButReplacesIt) {
  auto event = sample_event("appeal.urged");
  std::get<AppealUrged>(event.body).note = "bad \xFF byte";
  ASSERT_EQ(to_string(validate(event)), "note: not valid UTF-8");
  std::string text;
  ASSERT_NO_THROW(text = encode_event(event));
  const auto decoded = decode_event(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<AppealUrged>(decoded.event().body).note, "bad \xEF\xBF\xBD byte");
}

TEST(Event, NamesAndRoutingKeysFollowTheDesign) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"appeal.received", "intake.hotline12328"},    {"appeal.supplemented", "intake.hotline12328"},
      {"appeal.followed_up", "intake.hotline12328"}, {"appeal.urged", "intake.hotline12328"},
      {"appeal.withdrawn", "intake.hotline12328"},   {"appeal.reassigned", "intake.hotline12328"},
      {"appeal.rated", "intake.hotline12328"},       {"ticket.routed", "dept.law_enforcement"},
      {"reply.requested", "reply.hotline12328"},     {"reply.delivered", "delivery.hotline12328"},
      {"reply.failed", "delivery.hotline12328"},
  };
  const auto events = one_of_each_event();
  ASSERT_EQ(events.size(), expected.size());
  ASSERT_EQ(event_names().size(), expected.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].name(), expected[i].first);
    EXPECT_EQ(event_names()[i], expected[i].first);
    EXPECT_EQ(events[i].routing_key(), expected[i].second);
  }
}

}  // namespace
}  // namespace appealhub::core
