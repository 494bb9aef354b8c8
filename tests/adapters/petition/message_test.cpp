// Online-petition messages as appeal.v1 events, from the platform's sample page
// (channels/samples/petition-messages-page.json, copied into data/).

#include "adapters/petition/message.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/ids.hpp"
#include "core/validation.hpp"

namespace appealhub::adapters::petition {
namespace {

nlohmann::json sample_messages() {
  std::ifstream in(std::string(PETITION_TEST_DATA) + "/petition-messages-page.json");
  return nlohmann::json::parse(in)["messages"];
}

std::vector<std::string> names(const MessageEvents& read) {
  std::vector<std::string> out;
  for (const auto& e : read.events) out.emplace_back(e.name());
  return out;
}

TEST(PetitionMessage, NewMessageBecomesAReceivedAppeal) {
  const auto read = message_to_events(sample_messages()[0]);
  ASSERT_TRUE(read.refused.empty()) << read.refused;
  ASSERT_EQ(names(read), std::vector<std::string>{"appeal.received"});
  const auto& e = read.events[0];
  EXPECT_EQ(e.event_id,
            core::make_event_id("appeal.received", "petition", "WZ2026-1127-008812", ""));
  EXPECT_EQ(e.routing_key(), "intake.petition");
  const auto& a = std::get<core::AppealReceived>(e.body).appeal;
  EXPECT_EQ(a.division, "510823");
  EXPECT_EQ(a.category, "road_passenger");  // 班车
  EXPECT_EQ(a.kind, core::AppealKind::other);
  EXPECT_EQ(a.title, "剑阁县普安镇至县城班车经常不按时发车");
  EXPECT_EQ(a.citizen.name, "蜀道行者");
  EXPECT_EQ(a.citizen.phone, "139****1234");
  ASSERT_TRUE(a.channel_deadline);
  EXPECT_EQ(core::format_rfc3339(*a.channel_deadline), "2026-12-11T23:59:59+08:00");
  EXPECT_EQ(core::format_rfc3339(a.received_at), "2026-11-27T08:01:12+08:00");
  EXPECT_EQ(a.channel_meta,
            (nlohmann::json{
                {"citizen_verified", true}, {"region_code", "510823"}, {"topic", "交通出行"}}));
  EXPECT_TRUE(core::validate(e).empty());
}

TEST(PetitionMessage, FollowUpsAreEventsOfTheirOwn) {
  const auto read = message_to_events(sample_messages()[1]);
  ASSERT_EQ(names(read), (std::vector<std::string>{"appeal.received", "appeal.followed_up"}));
  const auto& up = std::get<core::AppealFollowedUp>(read.events[1].body);
  EXPECT_EQ(up.follow_up_id, "F1");
  EXPECT_EQ(read.events[1].event_id,
            core::make_event_id("appeal.followed_up", "petition", "WZ2026-1120-003301", "F1"));
  EXPECT_EQ(std::get<core::AppealReceived>(read.events[0].body).appeal.category, "taxi");
  EXPECT_EQ(core::format_rfc3339(*read.updated_at), "2026-11-27T12:30:00+08:00");
}

TEST(PetitionMessage, TheSameFactsGiveTheSameEventsWhateverTheStateNow) {
  auto message = sample_messages()[1];
  const auto first = message_to_events(message);
  message["state"] = "rated";
  message["updated_at"] = "2026-12-05T20:11:00+08:00";
  message["follow_ups"].push_back(
      {{"id", "F2"}, {"content", "还有问题"}, {"created_at", "2026-12-01T09:00:00+08:00"}});
  message["rating"] = {{"score", 4}, {"comment", "好"}, {"rated_at", "2026-12-05T20:11:00+08:00"}};
  const auto later = message_to_events(message);
  ASSERT_EQ(names(later), (std::vector<std::string>{"appeal.received", "appeal.followed_up",
                                                    "appeal.followed_up", "appeal.rated"}));
  EXPECT_EQ(later.events[0], first.events[0]) << "appeal.received is the same message";
  EXPECT_EQ(later.events[1], first.events[1]);
  const auto& rated = std::get<core::AppealRated>(later.events[3].body);
  EXPECT_EQ(rated.rating, core::Satisfaction::satisfied);
  EXPECT_EQ(rated.score, 4);
  EXPECT_EQ(later.events[3].event_id,
            core::make_event_id("appeal.rated", "petition", "WZ2026-1120-003301",
                                "2026-12-05T20:11:00+08:00"));

  message["rating"]["score"] = 2;
  message["rating"]["rated_at"] = "2026-12-06T08:00:00+08:00";
  const auto rerated = message_to_events(message);
  EXPECT_EQ(std::get<core::AppealRated>(rerated.events[3].body).rating,
            core::Satisfaction::dissatisfied);
  EXPECT_NE(rerated.events[3].event_id, later.events[3].event_id);
}

TEST(PetitionMessage, WithdrawnAndReassigned) {
  auto message = sample_messages()[0];
  message["state"] = "withdrawn";
  message["updated_at"] = "2026-11-28T09:00:00+08:00";
  auto read = message_to_events(message);
  ASSERT_EQ(names(read), (std::vector<std::string>{"appeal.received", "appeal.withdrawn"}));
  EXPECT_EQ(core::format_rfc3339(std::get<core::AppealWithdrawn>(read.events[1].body).at),
            "2026-11-28T09:00:00+08:00");
  message["state"] = "reassigned";
  read = message_to_events(message);
  ASSERT_EQ(names(read), (std::vector<std::string>{"appeal.received", "appeal.reassigned"}));
  EXPECT_EQ(read.events[1].event_id,
            core::make_event_id("appeal.reassigned", "petition", "WZ2026-1127-008812", ""));
}

TEST(PetitionMessage, BadPartsAreLeftOutBadMessagesRefused) {
  auto message = sample_messages()[0];
  message["citizen"]["phone_masked"] = "保密";
  message["region_code"] = "5108";
  message["follow_ups"] = {{{"id", "F1"}, {"content", ""}, {"created_at", "x"}}};
  message["rating"] = {{"score", 9}, {"rated_at", "2026-12-05T20:11:00+08:00"}};
  const auto read = message_to_events(message);
  ASSERT_EQ(names(read), std::vector<std::string>{"appeal.received"});
  EXPECT_EQ(read.problems.size(), 2u);
  const auto& a = std::get<core::AppealReceived>(read.events[0].body).appeal;
  EXPECT_EQ(a.citizen.phone, "");
  EXPECT_EQ(a.channel_meta["unusable_phone"], "保密");
  EXPECT_EQ(a.division, "");
  EXPECT_EQ(a.channel_meta["region_code"], "5108");

  message.erase("created_at");
  EXPECT_FALSE(message_to_events(message).refused.empty());
  EXPECT_TRUE(message_to_events(message).events.empty());
}

// A score beyond int was cut to its low 32 bits: 4294967300 read as 4 (satisfied).
TEST(PetitionMessage, ScoreBeyondIntIsNotARating) {
  auto message = sample_messages()[0];
  for (const nlohmann::json& score :
       {nlohmann::json(4294967300LL), nlohmann::json(18446744073709551615ULL),
        nlohmann::json(-4294967291LL)}) {
    message["rating"] = {{"score", score}, {"rated_at", "2026-12-05T20:11:00+08:00"}};
    const auto read = message_to_events(message);
    EXPECT_EQ(names(read), std::vector<std::string>{"appeal.received"}) << score;
    EXPECT_EQ(read.problems.size(), 1u) << score;
  }
}

}  // namespace
}  // namespace appealhub::adapters::petition
