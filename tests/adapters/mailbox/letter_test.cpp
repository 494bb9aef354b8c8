// Letters and ratings of the leader mailbox as appeal.v1 events, starting from the website's own
// sample page (channels/samples/mailbox-letters-page.json, copied into data/).

#include "adapters/mailbox/letter.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "adapters/common/text_clues.hpp"
#include "core/ids.hpp"
#include "core/validation.hpp"

namespace appealhub::adapters::mailbox {
namespace {

nlohmann::json sample_letters() {
  std::ifstream in(std::string(MAILBOX_TEST_DATA) + "/mailbox-letters-page.json");
  return nlohmann::json::parse(in)["letters"];
}

const core::Timestamp kSeen = *core::parse_rfc3339("2026-11-28T08:00:00+08:00");

const core::Appeal& appeal_of(const core::Event& e) {
  return std::get<core::AppealReceived>(e.body).appeal;
}

TEST(MailboxLetter, SampleComplaintBecomesAReceivedAppeal) {
  const auto out = letter_to_event(sample_letters()[0], kSeen);
  ASSERT_TRUE(out.refused.empty()) << out.refused;
  ASSERT_TRUE(out.event);
  const auto& e = *out.event;
  EXPECT_EQ(e.name(), "appeal.received");
  EXPECT_EQ(e.routing_key(), "intake.mailbox");
  EXPECT_EQ(e.producer, "adapter.mailbox");
  // The id the format's own example (docs/appeal-v1.md) gives this letter.
  EXPECT_EQ(e.event_id, "ev1-944861a99fb3824fd97d96b426294d4d");
  EXPECT_EQ(e.event_id, core::make_event_id("appeal.received", "mailbox", "L2026112700042", ""));
  EXPECT_EQ(core::format_rfc3339(e.occurred_at), "2026-11-27T09:15:32+08:00");
  const auto& a = appeal_of(e);
  EXPECT_EQ(a.external_id, "L2026112700042");
  EXPECT_EQ(a.kind, core::AppealKind::complaint);
  EXPECT_EQ(a.category, "bus");     // 公交站台
  EXPECT_EQ(a.division, "510802");  // 利州区
  EXPECT_EQ(a.title, "利州区东坝公交站台长期无人清扫");
  EXPECT_EQ(a.content,
            "东坝片区的公交站台垃圾堆积已经一个多月了，& 站牌也被遮挡。\n希望相关部门尽快处理。");
  EXPECT_EQ(a.citizen.name, "李某");
  EXPECT_EQ(a.citizen.phone, "13908391234");
  EXPECT_EQ(a.citizen.id_number_masked, "5108**********1234");
  EXPECT_FALSE(a.citizen.anonymous);
  EXPECT_TRUE(a.publication_allowed);
  ASSERT_EQ(a.attachments.size(), 1u);
  EXPECT_EQ(a.attachments[0].url, "https://www.example.gov.cn/f/9a1c.jpg");
  EXPECT_EQ(a.attachments[0].size, 183422);
  EXPECT_EQ(a.attachments[0].sha256.size(), 64u);
  EXPECT_EQ(a.channel_meta, (nlohmann::json{{"seq", 1042}, {"status", "pending"}}));
  EXPECT_TRUE(core::validate(e).empty());
}

TEST(MailboxLetter, SampleSuggestionFromAnAnonymousWriter) {
  const auto out = letter_to_event(sample_letters()[1], kSeen);
  ASSERT_TRUE(out.event) << out.refused;
  const auto& a = appeal_of(*out.event);
  EXPECT_EQ(a.kind, core::AppealKind::suggestion);
  EXPECT_EQ(a.division, "510822");          // 青川东河口
  EXPECT_EQ(a.category, "road_passenger");  // the content: 没有直达班车
  EXPECT_TRUE(a.citizen.anonymous);
  EXPECT_EQ(a.citizen.email, "someone@example.com");
  EXPECT_FALSE(a.publication_allowed);
  EXPECT_TRUE(a.attachments.empty());
}

TEST(MailboxLetter, ALetterSeenAgainIsTheSameEvent) {
  const auto letter = sample_letters()[0];
  const auto later = *core::parse_rfc3339("2026-12-01T10:00:00+08:00");
  EXPECT_EQ(*letter_to_event(letter, kSeen).event, *letter_to_event(letter, later).event);
}

TEST(MailboxLetter, SpamIsReceivedButMarked) {
  auto letter = sample_letters()[0];
  letter["status"] = "spam";
  const auto out = letter_to_event(letter, kSeen);
  ASSERT_TRUE(out.event);
  EXPECT_EQ(out.event->name(), "appeal.received");
  EXPECT_EQ(appeal_of(*out.event).channel_meta["mailbox_status"], "spam");
  EXPECT_EQ(appeal_of(*out.event).channel_meta["status"], "spam");
}

TEST(MailboxLetter, WithdrawnIsAWithdrawalAndRepliedIsNothing) {
  auto letter = sample_letters()[0];
  letter["status"] = "withdrawn";
  const auto out = letter_to_event(letter, kSeen);
  ASSERT_TRUE(out.event);
  EXPECT_EQ(out.event->name(), "appeal.withdrawn");
  EXPECT_EQ(out.event->event_id,
            core::make_event_id("appeal.withdrawn", "mailbox", "L2026112700042", ""));
  EXPECT_EQ(std::get<core::AppealWithdrawn>(out.event->body).at, kSeen);
  EXPECT_EQ(
      letter_to_event(letter, *core::parse_rfc3339("2026-12-01T10:00:00+08:00")).event->event_id,
      out.event->event_id);

  // Withdrawn before the hub first saw it: the appeal comes too, under the id it has when
  // pending, so that it is counted (a ticket closed as withdrawn) and never doubled.
  ASSERT_TRUE(out.received);
  EXPECT_EQ(out.received->name(), "appeal.received");
  auto pending = letter;
  pending["status"] = "pending";
  EXPECT_EQ(out.received->event_id, letter_to_event(pending, kSeen).event->event_id);
  EXPECT_EQ(appeal_of(*out.received).external_id, "L2026112700042");
  EXPECT_FALSE(letter_to_event(pending, kSeen).received);

  letter["status"] = "replied";
  const auto replied = letter_to_event(letter, kSeen);
  EXPECT_FALSE(replied.event);
  EXPECT_TRUE(replied.refused.empty());

  letter["status"] = "archived";
  EXPECT_NE(letter_to_event(letter, kSeen).refused.find("unknown status"), std::string::npos);
}

TEST(MailboxLetter, UnusableWriterDetailsAreSetAsideNotFatal) {
  auto letter = sample_letters()[0];
  letter["writer"]["phone"] = "call me";
  letter["writer"]["id_number_masked"] = "510802199001011234";  // a full ID number
  letter["attachments"][0]["url"] = "ftp://x/y";
  letter["type"] = "表扬信";
  letter["channel"] = "web";
  const auto out = letter_to_event(letter, kSeen);
  ASSERT_TRUE(out.event) << out.refused;
  const auto& a = appeal_of(*out.event);
  EXPECT_EQ(a.citizen.phone, "");
  EXPECT_EQ(a.channel_meta["unusable_phone"], "call me");
  EXPECT_EQ(a.citizen.id_number_masked, "");
  EXPECT_EQ(a.channel_meta.dump().find("199001011234"), std::string::npos)
      << "a full ID number is never kept";
  EXPECT_TRUE(a.attachments.empty());
  EXPECT_EQ(a.channel_meta["unusable_attachments"][0]["url"], "ftp://x/y");
  EXPECT_EQ(a.kind, core::AppealKind::other);
  EXPECT_EQ(a.channel_meta["type"], "表扬信");
  EXPECT_EQ(a.channel_meta["channel"], "web");
}

TEST(MailboxLetter, LettersThatCannotBeReadAreRefusedWithTheReason) {
  auto letter = sample_letters()[0];
  letter["submitted_at"] = "yesterday";
  EXPECT_NE(letter_to_event(letter, kSeen).refused.find("submitted_at"), std::string::npos);
  letter = sample_letters()[0];
  letter["subject"] = "";
  letter["content"] = "";
  EXPECT_FALSE(letter_to_event(letter, kSeen).refused.empty());
  letter.erase("id");
  EXPECT_EQ(letter_to_event(letter, kSeen).refused, "letter without an id");
}

TEST(MailboxRating, RatingsAreEventsAndAChangedRatingIsANewOne) {
  const nlohmann::json rating{{"letter_id", "L2026112700042"},
                              {"rating", "基本满意"},
                              {"comment", "还行 &amp; 谢谢"},
                              {"rated_at", "2026-11-29T10:00:00+08:00"}};
  const auto out = rating_to_event(rating);
  ASSERT_TRUE(out.event) << out.refused;
  const auto& r = std::get<core::AppealRated>(out.event->body);
  EXPECT_EQ(r.rating, core::Satisfaction::mostly_satisfied);
  EXPECT_EQ(r.comment, "还行 & 谢谢");
  EXPECT_FALSE(r.score);
  EXPECT_EQ(out.event->event_id, core::make_event_id("appeal.rated", "mailbox", "L2026112700042",
                                                     "2026-11-29T10:00:00+08:00"));
  auto changed = rating;
  changed["rating"] = "不满意";
  changed["rated_at"] = "2026-11-30T08:00:00+08:00";
  const auto second = rating_to_event(changed);
  ASSERT_TRUE(second.event);
  EXPECT_NE(second.event->event_id, out.event->event_id);
  EXPECT_EQ(std::get<core::AppealRated>(second.event->body).rating,
            core::Satisfaction::dissatisfied);

  changed["rating"] = "很好";
  EXPECT_FALSE(rating_to_event(changed).refused.empty());
}

TEST(TextClues, DecodesHtmlEntities) {
  EXPECT_EQ(decode_html_entities("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#x27; &#20013;"),
            "a & b <c> \"d\" 'e' 中");
  EXPECT_EQ(decode_html_entities("AT&T & &unknown; &#0; &#xD800;"),
            "AT&T & &unknown; &#0; &#xD800;");
  EXPECT_EQ(decode_html_entities("&amp;amp;"), "&amp;");
}

TEST(TextClues, GuessesOnlyWhenClear) {
  EXPECT_EQ(division_from_text("剑阁县普安镇"), "510823");
  EXPECT_EQ(division_from_text("原元坝区"), "510811");
  EXPECT_FALSE(division_from_text("从利州区到苍溪县"));
  EXPECT_FALSE(division_from_text("成都"));
  EXPECT_EQ(category_from_text("出租车不打表"), "taxi");
  EXPECT_FALSE(category_from_text("公交车和出租车都不好"));
  EXPECT_EQ(kind_from_text("投诉班车司机"), core::AppealKind::complaint);
  EXPECT_FALSE(kind_from_text("投诉并建议"));
  EXPECT_EQ(first_characters("  一二三\n四五  ", 5), "一二三 四");
  EXPECT_EQ(first_characters("  一二三\n四五  ", 4), "一二三");
}

}  // namespace
}  // namespace appealhub::adapters::mailbox
