#include "tests/support/appeal_samples.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "core/codec.hpp"
#include "core/ids.hpp"

namespace appealhub::testing {
namespace {

struct Template {
  core::AppealKind kind;
  const char* category;
  const char* title;
  const char* content;
};

constexpr std::array<Template, 6> kTemplates{{
    {core::AppealKind::complaint, "taxi", "出租车拒载并绕路",
     "晚上九点在利州区万达广场打车，司机先是拒载，后来绕路多收了十五元，要求处理并退款。"},
    {core::AppealKind::consultation, "road_passenger", "咨询春节期间客运班次",
     "请问春节期间广元客运中心到剑阁县的班车是否加开，最早一班几点发车？"},
    {core::AppealKind::complaint, "bus", "公交车到站不停",
     "6路公交车在东坝站多次到站不停，乘客在站台招手也不停车，希望加强管理。"},
    {core::AppealKind::suggestion, "bus", "建议增开夜班公交",
     "昭化古城晚上游客多，公交末班车太早，建议夏季增开夜班公交到城区。"},
    {core::AppealKind::report, "road_freight", "举报货车超限超载",
     "每天夜里有多辆货车在国道108线苍溪段超载行驶，路面已经压坏，请执法部门查处。"},
    {core::AppealKind::help, "road_maintenance", "山区道路塌方求助",
     "青川县乔庄镇到青溪镇的县道因降雨塌方，车辆无法通行，请尽快抢修。"},
}};

constexpr std::array<const char*, 7> kDivisions{"510802", "510811", "510812", "510821",
                                                "510822", "510823", "510824"};

}  // namespace

core::Event sample_appeal_event(std::size_t index, const std::string& channel) {
  const auto& t = kTemplates[index % kTemplates.size()];
  core::Appeal a;
  a.channel = channel;
  a.external_id = "T" + std::to_string(1000000 + index);
  a.received_at = *core::parse_rfc3339("2026-11-27T09:00:00+08:00");
  a.received_at.utc += std::chrono::seconds(index % 86400);
  a.kind = t.kind;
  a.category = t.category;
  a.division = kDivisions[index % kDivisions.size()];
  a.place = "广元市";
  a.plate = index % 3 == 0 ? "川H" + std::to_string(10000 + index % 89999) : "";
  a.title = t.title;
  a.content = t.content;
  a.citizen.name = index % 5 == 0 ? "匿名" : "张先生";
  a.citizen.phone = "139" + std::to_string(10000000 + index % 89999999);
  a.citizen.anonymous = index % 5 == 0;
  a.publication_allowed = index % 2 == 0;
  // What a 12328 export row brings besides the normalized fields (about 1 KiB per message).
  a.channel_meta = {
      {"坐席工号", "A" + std::to_string(1000 + index % 200)},
      {"需要回访", index % 2 ? "是" : "否"},
      {"派单类型", "新派单"},
      {"source_file", "12328_510800JT_20261127160000_000118.csv"},
      {"source_line", std::to_string(2 + index % 500)},
      {"受理渠道", "电话"},
      {"来电归属地", "四川省广元市"},
      {"备注", "来电人情绪较激动，要求尽快回复处理结果，并希望相关部门加强日常监管。"}};
  core::Event e;
  e.event_id = core::make_event_id("appeal.received", channel, a.external_id, "new");
  e.occurred_at = a.received_at;
  e.producer = "test:" + channel;
  e.body = core::AppealReceived{std::move(a)};
  return e;
}

std::string sample_appeal_json(std::size_t index, const std::string& channel) {
  return core::encode_event(sample_appeal_event(index, channel));
}

InvalidSample sample_invalid_appeal(std::size_t index, const std::string& channel) {
  auto doc = nlohmann::json::parse(sample_appeal_json(index, channel));
  InvalidSample s;
  s.message_id = "invalid-" + std::to_string(index);
  doc["event_id"] = core::make_event_id("appeal.received", channel, s.message_id, "bad");
  switch (index % 5) {
    case 0:
      s.body = "{\"schema\": \"appeal.v1\", \"event\": \"appeal.rec";  // cut off in transfer
      s.expected_field = "$";
      return s;
    case 1:
      doc["data"]["appeal"]["citizen"]["phone"] = "1390839";
      s.expected_field = "appeal.citizen.phone";
      break;
    case 2:
      doc["data"]["appeal"]["division"] = "5108";
      s.expected_field = "appeal.division";
      break;
    case 3:
      doc["event"] = "appeal.teleported";
      s.expected_field = "event";
      break;
    default:
      doc["data"]["appeal"].erase("received_at");
      s.expected_field = "appeal.received_at";
      break;
  }
  s.body = doc.dump();
  return s;
}

core::Event sample_reply_event(std::int64_t ticket_id, const std::string& channel,
                               const std::string& external_id, const std::string& reply_id,
                               const std::string& content) {
  core::ReplyRequested r;
  r.ticket_id = ticket_id;
  r.channel = channel;
  r.external_id = external_id;
  r.reply_id = reply_id;
  r.content = content;
  r.department = "广元市交通运输局";
  r.answered_at = *core::parse_rfc3339("2026-11-28T15:02:11+08:00");
  core::Event e;
  e.event_id = core::make_event_id("reply.requested", channel, external_id, reply_id);
  e.occurred_at = r.answered_at;
  e.producer = "test";
  e.body = std::move(r);
  return e;
}

}  // namespace appealhub::testing
