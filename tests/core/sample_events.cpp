#include "tests/core/sample_events.hpp"

#include <stdexcept>

#include "core/ids.hpp"

namespace appealhub::core::testing {

Timestamp at(const std::string& rfc3339) {
  const auto t = parse_rfc3339(rfc3339);
  if (!t) throw std::invalid_argument("bad test time " + rfc3339);
  return *t;
}

Appeal sample_appeal() {
  Appeal a;
  a.channel = "hotline12328";
  a.external_id = "GY12328202611270153";
  a.received_at = at("2026-11-27T09:15:32+08:00");
  a.kind = AppealKind::complaint;
  a.category = "taxi";
  a.division = "510802";
  a.place = "万达广场东门";
  a.plate = "川HT2231";
  a.title = "出租车拒载";
  a.content =
      "今天早上9点左右在万达广场东门打车，司机听说去火车站就说不顺路，拒绝载客。\n希望严肃处理。";
  a.citizen = Citizen{"李先生", "13908391234", "li@example.com", "5108**********1234", false};
  a.urgency = Urgency::urgent;
  a.channel_deadline = at("2026-12-18T23:59:59+08:00");
  a.related = {"GY12328202611200011"};
  a.attachments = {Attachment{"photo1.jpg", "https://files.12328.example/att/8812.jpg", 183422,
                              std::string(64, 'a')}};
  a.publication_allowed = true;
  a.channel_meta = {{"operator", "A1023"}, {"callback_required", true}, {"row", {{"line", 2}}}};
  return a;
}

std::vector<Event> one_of_each_event() {
  const auto envelope = [](const std::string& name, const std::string& fact, EventBody body) {
    return Event{make_event_id(name, "hotline12328", "GY12328202611270153", fact),
                 at("2026-11-27T16:00:05+08:00"), "adapter.hotline12328", std::move(body)};
  };
  std::vector<Event> events;
  events.push_back(envelope("appeal.received", "", AppealReceived{sample_appeal()}));
  events.push_back(
      envelope("appeal.supplemented", "s1",
               AppealSupplemented{
                   "hotline12328",
                   "GY12328202611270153",
                   "row-000119-5",
                   "补充：当时还有一位同行的老人，司机态度很差，有行车记录仪可以查。",
                   {Attachment{"", "http://files.12328.example/att/8813.jpg", std::nullopt, ""}},
                   at("2026-11-27T11:20:05+08:00")}));
  events.push_back(
      envelope("appeal.followed_up", "F1",
               AppealFollowedUp{"hotline12328", "GY12328202611270153", "F1",
                                "请问处理结果什么时候能出来？", at("2026-12-02T10:00:00+08:00")}));
  events.push_back(
      envelope("appeal.urged", "2026-12-19T14:00:00+08:00",
               AppealUrged{"hotline12328", "GY12328202611270153",
                           "该工单已超过办理时限，请尽快办理。", at("2026-12-19T14:00:00+08:00")}));
  events.push_back(envelope(
      "appeal.withdrawn", "",
      AppealWithdrawn{"hotline12328", "GY12328202611270153", "来电人表示问题已解决，申请撤销。",
                      at("2026-11-28T15:30:00+08:00")}));
  events.push_back(
      envelope("appeal.reassigned", "",
               AppealReassigned{"hotline12328", "GY12328202611270153", "四川省交通运输厅",
                                "不属于市级事权", at("2026-11-28T09:00:00+08:00")}));
  events.push_back(
      envelope("appeal.rated", "2026-12-05T20:11:00+08:00",
               AppealRated{"hotline12328", "GY12328202611270153", Satisfaction::satisfied, 5,
                           "处理及时，谢谢。", at("2026-12-05T20:11:00+08:00")}));

  TicketRouted routed;
  routed.ticket_id = 1042;
  routed.department = "law_enforcement";
  routed.assisting = {"lizhou_transport"};
  routed.status = TicketStatus::assigned;
  routed.deadline = at("2026-12-18T23:59:59+08:00");
  routed.rule = "taxi-complaints";
  routed.reason = "出租汽车投诉由执法支队办理";
  routed.appeal = sample_appeal();
  Event routed_event = envelope("ticket.routed", "1042", routed);
  routed_event.producer = "router";
  events.push_back(std::move(routed_event));

  ReplyRequested reply;
  reply.reply_id = "rp-1042-1";
  reply.ticket_id = 1042;
  reply.channel = "hotline12328";
  reply.external_id = "GY12328202611270153";
  reply.type = ReplyType::final_answer;
  reply.content = "经调查，该驾驶员拒载属实，已依法处罚。";
  reply.department = "广元市交通运输综合行政执法支队";
  reply.handler = "王强";
  reply.contact_phone = "0839-3301234";
  reply.answered_at = at("2026-12-03T15:02:11+08:00");
  reply.publish = true;
  reply.reply_to = std::nullopt;
  Event reply_event = envelope("reply.requested", reply.reply_id, reply);
  reply_event.producer = "relay";
  events.push_back(std::move(reply_event));

  events.push_back(envelope("reply.delivered", "rp-1042-1",
                            ReplyDelivered{"rp-1042-1", 1042, "hotline12328", "GY12328202611270153",
                                           "", 2, at("2026-12-03T15:10:00+08:00")}));
  events.push_back(envelope("reply.failed", "rp-1042-1",
                            ReplyFailed{"rp-1042-1", 1042, "hotline12328", "GY12328202611270153",
                                        "工单已撤销", true, 1, at("2026-12-03T15:10:00+08:00")}));
  return events;
}

Event sample_event(const std::string& name) {
  for (auto& event : one_of_each_event()) {
    if (event.name() == name) return event;
  }
  throw std::invalid_argument("no sample event " + name);
}

}  // namespace appealhub::core::testing
