#include "adapters/hotline12328/export_row.hpp"

#include <gtest/gtest.h>

#include <map>

#include "adapters/hotline12328/divisions.hpp"
#include "core/ids.hpp"
#include "core/validation.hpp"
#include "test_support.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

using core::AppealReceived;

struct Row {
  std::map<std::string, std::string> values{
      {"工单编号", "GY12328202611270153"},
      {"派单类型", "新派单"},
      {"受理时间", "2026-11-27 09:15:32"},
      {"来电号码", "13908391234"},
      {"来电人", "李先生"},
      {"诉求类型", "投诉"},
      {"业务类别", "出租汽车"},
      {"所属区县", "利州区"},
      {"事发地点", "万达广场东门"},
      {"车牌号", "川H·T2231"},
      {"诉求标题", "出租车拒载"},
      {"诉求内容", "司机拒载。"},
      {"紧急程度", "一般"},
      {"办理时限", "2026-12-18 23:59:59"},
      {"需要回访", "是"},
      {"关联工单", ""},
      {"附件", ""},
      {"坐席工号", "A1023"},
  };

  RowResult convert(std::size_t line = 2, std::size_t row = 2) const {
    std::vector<std::string> header;
    std::vector<std::string> fields;
    for (const auto& [k, v] : values) {
      header.push_back(k);
      fields.push_back(v);
    }
    const auto columns = ColumnMap::from_header(header);
    return row_to_event(*columns, fields, RowContext{"f.csv", line, row});
  }
};

const core::Appeal& appeal_of(const RowResult& r) {
  return std::get<AppealReceived>(r.event->body).appeal;
}

TEST(ExportRow, NewOrderMapsEveryField) {
  Row row;
  row.values["附件"] = "https://a.example/1.jpg; https://a.example/2.jpg";
  row.values["关联工单"] = "GY1;GY2";
  const auto r = row.convert(7, 5);
  ASSERT_TRUE(r.event) << r.error->message;
  const core::Event& e = *r.event;
  EXPECT_EQ(e.name(), "appeal.received");
  EXPECT_EQ(e.producer, "adapter.hotline12328");
  EXPECT_EQ(e.event_id,
            core::make_event_id("appeal.received", "hotline12328", "GY12328202611270153", "new"));
  EXPECT_TRUE(core::validate(e).empty());
  const core::Appeal& a = appeal_of(r);
  EXPECT_EQ(a.channel, "hotline12328");
  EXPECT_EQ(a.external_id, "GY12328202611270153");
  EXPECT_EQ(core::format_rfc3339(a.received_at), "2026-11-27T09:15:32+08:00");
  EXPECT_EQ(e.occurred_at, a.received_at);
  EXPECT_EQ(a.kind, core::AppealKind::complaint);
  EXPECT_EQ(a.category, "taxi");
  EXPECT_EQ(a.division, "510802");
  EXPECT_EQ(a.place, "万达广场东门");
  EXPECT_EQ(a.plate, "川HT2231");
  EXPECT_EQ(a.title, "出租车拒载");
  EXPECT_EQ(a.content, "司机拒载。");
  EXPECT_EQ(a.citizen.name, "李先生");
  EXPECT_EQ(a.citizen.phone, "13908391234");
  EXPECT_FALSE(a.citizen.anonymous);
  EXPECT_EQ(a.urgency, core::Urgency::normal);
  ASSERT_TRUE(a.channel_deadline);
  EXPECT_EQ(core::format_rfc3339(*a.channel_deadline), "2026-12-18T23:59:59+08:00");
  EXPECT_EQ(a.related, (std::vector<std::string>{"GY1", "GY2"}));
  ASSERT_EQ(a.attachments.size(), 2u);
  EXPECT_EQ(a.attachments[1].url, "https://a.example/2.jpg");
  EXPECT_EQ(a.channel_meta["callback_required"], true);
  EXPECT_EQ(a.channel_meta["坐席工号"], "A1023");
  EXPECT_EQ(a.channel_meta["source_file"], "f.csv");
  EXPECT_EQ(a.channel_meta["source_line"], 7);
}

TEST(ExportRow, OlderDateFormatAndDeadlineToTheMinute) {
  Row row;
  row.values["受理时间"] = "2026/11/27 9:40";
  row.values["办理时限"] = "2026/12/4 18:00";
  const auto r = row.convert();
  ASSERT_TRUE(r.event) << r.error->message;
  EXPECT_EQ(core::format_rfc3339(appeal_of(r).received_at), "2026-11-27T09:40:00+08:00");
  EXPECT_EQ(core::format_rfc3339(*appeal_of(r).channel_deadline), "2026-12-04T18:00:59+08:00");
}

TEST(ExportRow, EveryDispatchType) {
  Row row;
  const auto id = [](std::string_view ev, std::string_view fact) {
    return core::make_event_id(ev, "hotline12328", "GY12328202611270153", fact);
  };
  row.values["派单类型"] = "补充";
  auto r = row.convert(9, 5);
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.event->name(), "appeal.supplemented");
  EXPECT_EQ(r.event->event_id, id("appeal.supplemented", "f.csv:5"));
  const auto& s = std::get<core::AppealSupplemented>(r.event->body);
  EXPECT_EQ(s.supplement_id, "f.csv:5");
  EXPECT_EQ(s.content, "司机拒载。");

  row.values["派单类型"] = "催办";
  r = row.convert(9, 5);
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.event->name(), "appeal.urged");
  EXPECT_EQ(r.event->event_id, id("appeal.urged", "f.csv:5"));
  EXPECT_EQ(std::get<core::AppealUrged>(r.event->body).note, "司机拒载。");

  row.values["派单类型"] = "撤销";
  r = row.convert(9, 5);
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.event->name(), "appeal.withdrawn");
  EXPECT_EQ(r.event->event_id, id("appeal.withdrawn", "f.csv:5"));
  EXPECT_EQ(std::get<core::AppealWithdrawn>(r.event->body).reason, "司机拒载。");

  row.values["派单类型"] = "改派";
  r = row.convert(9, 5);
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.event->name(), "appeal.received");
  EXPECT_EQ(r.event->event_id, id("appeal.received", "f.csv:5"));
  EXPECT_NE(r.event->event_id, id("appeal.received", "new"));
  EXPECT_EQ(appeal_of(r).external_id, "GY12328202611270153");

  row.values["派单类型"] = "转办";
  r = row.convert(9, 5);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 9u);
  EXPECT_EQ(r.error->message,
            "派单类型: unknown '转办' (expected 新派单, 补充, 催办, 撤销 or 改派)");
}

TEST(ExportRow, MissingRequiredFieldsAreRowErrors) {
  Row row;
  row.values["工单编号"] = "";
  auto r = row.convert(4);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, (RowError{4, "工单编号: missing"}));
  row = Row{};
  row.values["受理时间"] = " ";
  r = row.convert(4);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, (RowError{4, "受理时间: missing"}));
  row.values["受理时间"] = "2026-02-30 10:00:00";
  r = row.convert(4);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("受理时间: not a time"), std::string::npos);
  row = Row{};
  row.values["诉求内容"] = "";
  r = row.convert(4);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("诉求内容 (appeal.content)"), std::string::npos)
      << r.error->message;
}

TEST(ExportRow, AnonymousLandlineAndUnknownValues) {
  Row row;
  row.values["来电人"] = "匿名";
  row.values["来电号码"] = " 0839 - 3301234 ";
  row.values["业务类别"] = "城市停车";
  row.values["诉求类型"] = "意见";
  row.values["所属区县"] = "成都市";
  row.values["需要回访"] = "否";
  const auto r = row.convert();
  ASSERT_TRUE(r.event) << r.error->message;
  const auto& a = appeal_of(r);
  EXPECT_TRUE(a.citizen.anonymous);
  EXPECT_EQ(a.citizen.phone, "0839-3301234");
  EXPECT_EQ(a.category, "other");
  EXPECT_EQ(a.channel_meta["业务类别"], "城市停车");
  EXPECT_EQ(a.kind, core::AppealKind::other);
  EXPECT_EQ(a.channel_meta["诉求类型"], "意见");
  EXPECT_EQ(a.division, "");
  EXPECT_EQ(a.channel_meta["所属区县"], "成都市");
  EXPECT_EQ(a.channel_meta["callback_required"], false);
}

TEST(ExportRow, UnreadablePlateAndPhoneGoToChannelMeta) {
  Row row;
  row.values["车牌号"] = "不清楚";
  row.values["来电号码"] = "12345";
  const auto r = row.convert();
  ASSERT_TRUE(r.event) << r.error->message;
  EXPECT_EQ(appeal_of(r).plate, "");
  EXPECT_EQ(appeal_of(r).channel_meta["车牌号"], "不清楚");
  EXPECT_EQ(appeal_of(r).citizen.phone, "");
  EXPECT_EQ(appeal_of(r).channel_meta["来电号码"], "12345");
}

TEST(ExportRow, PlateNormalization) {
  for (const std::string plate : {"川H·T2231", "川HT2231", "川h-t2231", "川H T2231"}) {
    Row row;
    row.values["车牌号"] = plate;
    const auto r = row.convert();
    ASSERT_TRUE(r.event);
    EXPECT_EQ(appeal_of(r).plate, "川HT2231") << plate;
  }
}

TEST(ExportRow, TitleFromContentWhenEmpty) {
  Row row;
  row.values["诉求标题"] = "";
  row.values["诉求内容"] =
      "报名驾校后因工作调动想退费，驾校说只能退一半，\n请问有没有相关规定？合同上写的是未开始培训全"
      "额退费";
  const auto r = row.convert();
  ASSERT_TRUE(r.event);
  EXPECT_EQ(appeal_of(r).title, "报名驾校后因工作调动想退费，驾校说只能退一半， 请问有没有相");
}

TEST(Divisions, NamesFormerNamesAndCodes) {
  EXPECT_EQ(guangyuan_division_code("利州区"), "510802");
  EXPECT_EQ(guangyuan_division_code("昭化区"), "510811");
  EXPECT_EQ(guangyuan_division_code("元坝区"), "510811");
  EXPECT_EQ(guangyuan_division_code(" 苍溪县 "), "510824");
  EXPECT_EQ(guangyuan_division_code("510823"), "510823");
  EXPECT_FALSE(guangyuan_division_code("510101"));
  EXPECT_FALSE(guangyuan_division_code(""));
}

TEST(ExportRow, DivisionCodeColumn) {
  Row row;
  row.values["所属区县"] = "510821";
  auto r = row.convert();
  ASSERT_TRUE(r.event);
  EXPECT_EQ(appeal_of(r).division, "510821");
  row.values["所属区县"] = "元坝区";
  r = row.convert();
  EXPECT_EQ(appeal_of(r).division, "510811");
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
