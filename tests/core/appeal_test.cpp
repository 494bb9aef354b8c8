// Specification of core/appeal.hpp and core/ticket.hpp: the enumerations' names, the channels'
// Chinese words, and plate normalization.

#include "core/appeal.hpp"

#include <gtest/gtest.h>

#include "core/event.hpp"
#include "core/ticket.hpp"

namespace appealhub::core {
namespace {

TEST(AppealKind, HasAWireNameForEveryKindThatParsesBack) {
  for (const auto kind :
       {AppealKind::consultation, AppealKind::complaint, AppealKind::report, AppealKind::suggestion,
        AppealKind::help, AppealKind::praise, AppealKind::disclosure, AppealKind::other}) {
    EXPECT_EQ(parse_appeal_kind(to_string(kind)), kind) << to_string(kind);
  }
  EXPECT_EQ(to_string(AppealKind::disclosure), "disclosure");
  EXPECT_FALSE(parse_appeal_kind("Complaint"));
  EXPECT_FALSE(parse_appeal_kind(""));
}

TEST(AppealKind, MapsEveryChannelsChineseWord) {
  EXPECT_EQ(kind_from_chinese("咨询"), AppealKind::consultation);
  EXPECT_EQ(kind_from_chinese("投诉"), AppealKind::complaint);
  EXPECT_EQ(kind_from_chinese("举报"), AppealKind::report);
  EXPECT_EQ(kind_from_chinese("建议"), AppealKind::suggestion);
  EXPECT_EQ(kind_from_chinese("建言"), AppealKind::suggestion);
  EXPECT_EQ(kind_from_chinese("求助"), AppealKind::help);
  EXPECT_EQ(kind_from_chinese("表扬"), AppealKind::praise);
  EXPECT_EQ(kind_from_chinese("感谢"), AppealKind::praise);
  EXPECT_EQ(kind_from_chinese("依申请公开"), AppealKind::disclosure);
  EXPECT_EQ(kind_from_chinese("其他"), AppealKind::other);
  EXPECT_FALSE(kind_from_chinese("投诉举报"));
  EXPECT_FALSE(kind_from_chinese(" 投诉"));
  EXPECT_EQ(chinese_name(AppealKind::suggestion), "建议");
  EXPECT_EQ(chinese_name(AppealKind::praise), "表扬");
}

TEST(Urgency, HasWireNamesAndThe12328Words) {
  EXPECT_EQ(parse_urgency("critical"), Urgency::critical);
  EXPECT_EQ(to_string(Urgency::normal), "normal");
  EXPECT_FALSE(parse_urgency("high"));
  EXPECT_EQ(urgency_from_chinese("一般"), Urgency::normal);
  EXPECT_EQ(urgency_from_chinese("紧急"), Urgency::urgent);
  EXPECT_EQ(urgency_from_chinese("特急"), Urgency::critical);
  EXPECT_FALSE(urgency_from_chinese("急"));
}

TEST(BusinessCategory, IsTheTwelveCodesOfThe12328List) {
  const auto codes = business_categories();
  ASSERT_EQ(codes.size(), 12u);
  for (const auto code : codes) {
    EXPECT_TRUE(is_business_category(code));
    EXPECT_EQ(category_from_chinese(category_chinese_name(code)), code);
  }
  EXPECT_FALSE(is_business_category("Taxi"));
  EXPECT_FALSE(is_business_category(""));
}

TEST(BusinessCategory, MapsThe12328Words) {
  EXPECT_EQ(category_from_chinese("出租汽车"), "taxi");
  EXPECT_EQ(category_from_chinese("网约车"), "ride_hailing");
  EXPECT_EQ(category_from_chinese("公共汽电车"), "bus");
  EXPECT_EQ(category_from_chinese("道路客运"), "road_passenger");
  EXPECT_EQ(category_from_chinese("道路货运"), "road_freight");
  EXPECT_EQ(category_from_chinese("机动车维修"), "vehicle_repair");
  EXPECT_EQ(category_from_chinese("驾驶员培训"), "driver_training");
  EXPECT_EQ(category_from_chinese("公路路政"), "road_administration");
  EXPECT_EQ(category_from_chinese("公路养护"), "road_maintenance");
  EXPECT_EQ(category_from_chinese("水路运输"), "waterway");
  EXPECT_EQ(category_from_chinese("交通工程建设"), "construction");
  EXPECT_EQ(category_from_chinese("其他"), "other");
  EXPECT_FALSE(category_from_chinese("交通出行"));  // the petition platform's topic, not a category
  EXPECT_EQ(category_chinese_name("nonsense"), "");
}

TEST(Satisfaction, MapsWordsAndPetitionScores) {
  EXPECT_EQ(satisfaction_from_chinese("满意"), Satisfaction::satisfied);
  EXPECT_EQ(satisfaction_from_chinese("基本满意"), Satisfaction::mostly_satisfied);
  EXPECT_EQ(satisfaction_from_chinese("不满意"), Satisfaction::dissatisfied);
  EXPECT_FALSE(satisfaction_from_chinese("非常满意"));
  EXPECT_EQ(satisfaction_from_score(5), Satisfaction::satisfied);
  EXPECT_EQ(satisfaction_from_score(4), Satisfaction::satisfied);
  EXPECT_EQ(satisfaction_from_score(3), Satisfaction::dissatisfied);
  EXPECT_EQ(satisfaction_from_score(1), Satisfaction::dissatisfied);
  EXPECT_FALSE(satisfaction_from_score(0));
  EXPECT_FALSE(satisfaction_from_score(6));
  EXPECT_EQ(parse_satisfaction("mostly_satisfied"), Satisfaction::mostly_satisfied);
}

TEST(ReplyType, HasWireNames) {
  for (const auto type : {ReplyType::final_answer, ReplyType::interim, ReplyType::return_order,
                          ReplyType::extension_request}) {
    EXPECT_EQ(parse_reply_type(to_string(type)), type);
  }
  EXPECT_FALSE(parse_reply_type("answer"));
}

TEST(TicketStatus, HasAWireNameForEveryState) {
  for (const auto status :
       {TicketStatus::received, TicketStatus::triage, TicketStatus::assigned,
        TicketStatus::in_progress, TicketStatus::answered, TicketStatus::delivered,
        TicketStatus::closed, TicketStatus::returned, TicketStatus::reopened,
        TicketStatus::withdrawn, TicketStatus::reassigned_out, TicketStatus::spam,
        TicketStatus::merged}) {
    EXPECT_EQ(parse_ticket_status(to_string(status)), status);
  }
  EXPECT_EQ(to_string(TicketStatus::reassigned_out), "reassigned_out");
  EXPECT_FALSE(parse_ticket_status("open"));
}

TEST(NormalizePlate, DropsSeparatorsAndUpperCases) {
  EXPECT_EQ(normalize_plate("川H·T1234"), "川HT1234");
  EXPECT_EQ(normalize_plate("川HT1234"), "川HT1234");
  EXPECT_EQ(normalize_plate("川h-t1234"), "川HT1234");
  EXPECT_EQ(normalize_plate("川H T1234"), "川HT1234");
  EXPECT_EQ(normalize_plate(" 川H.52731 "), "川H52731");
  EXPECT_EQ(normalize_plate("川H•D12345"), "川HD12345");
  EXPECT_EQ(normalize_plate("川H・1234挂"), "川H1234挂");
  EXPECT_EQ(normalize_plate("川H\xE3\x80\x80"
                            "12345"),
            "川H12345");  // ideographic space
}

TEST(NormalizePlate, TurnsFullWidthLettersAndDigitsIntoAscii) {
  EXPECT_EQ(normalize_plate("川Ｈ·ｔ１２３４"), "川HT1234");
  EXPECT_EQ(normalize_plate("川Ｈ－Ｔ１２３４"), "川HT1234");
}

TEST(NormalizePlate, LeavesWhatItCannotReadForValidationToRefuse) {
  EXPECT_EQ(normalize_plate(""), "");
  EXPECT_EQ(normalize_plate("无牌"), "无牌");
  EXPECT_EQ(normalize_plate("川H?1234"), "川H?1234");
}

TEST(TicketStatus, ChannelNewsMovesATicketOnlyWhereTheLifeSaysSo) {
  using S = TicketStatus;
  EXPECT_EQ(status_after_channel_event(S::assigned, "appeal.withdrawn"), S::withdrawn);
  EXPECT_EQ(status_after_channel_event(S::in_progress, "appeal.reassigned"), S::reassigned_out);
  // A follow-up or a dissatisfied rating after the answer: 重办.
  EXPECT_EQ(status_after_channel_event(S::answered, "appeal.followed_up"), S::reopened);
  EXPECT_EQ(status_after_channel_event(S::delivered, "appeal.rated", true), S::reopened);
  EXPECT_EQ(status_after_channel_event(S::delivered, "appeal.rated", false), std::nullopt);
  EXPECT_EQ(status_after_channel_event(S::assigned, "appeal.rated", true), std::nullopt)
      << "a rating before any answer changes nothing";
  EXPECT_EQ(status_after_channel_event(S::merged, "appeal.withdrawn"), std::nullopt);
}

}  // namespace
}  // namespace appealhub::core
