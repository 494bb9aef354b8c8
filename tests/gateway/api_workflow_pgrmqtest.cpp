// The gateway's API against a real hub (`appealhub run` with its gateway) on real PostgreSQL and
// RabbitMQ: every role's daily work, what each role may and may not do, personal data masking,
// and bad input that must change nothing.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/codec.hpp"
#include "storage/database.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ApiSession;
using testing::HttpResult;

constexpr const char* kPassword = "correct horse battery";

// One hub for the whole suite: logins cost a deliberate half second each (PBKDF2).
class Hub : public ::testing::Environment {
 public:
  void SetUp() override {
    db = std::make_unique<testing::TestDatabase>("gateway_api");
    vhost = std::make_unique<testing::TestVhost>("gateway_api");
    port = testing::free_port();
    env = {{"APPEALHUB_PG_URI", db->uri()},
           {"APPEALHUB_AMQP_URI", vhost->uri()},
           {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
           {"APPEALHUB_LOG_LEVEL", "warn"},
           {"APPEALHUB_NEW_USER_PASSWORD", kPassword}};
    // The first administrator comes from the command line.
    testing::ChildProcess add({testing::appealhub_binary(), "user", "add", "admin", "--role",
                               "admin", "--display-name", "管理员"},
                              env, "/tmp/appealhub_gateway_api_user.log");
    add.start();
    add.wait();
    hub = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::appealhub_binary(), "run"}, env,
        "/tmp/appealhub_gateway_api.log");
    hub->start();
    ASSERT_TRUE(testing::eventually(60s, [&] {
      try {
        return testing::http_call(port, "GET", "/readyz").status == 200;
      } catch (const std::exception&) {
        return false;
      }
    })) << "the gateway did not become ready; see /tmp/appealhub_gateway_api.log";
    EXPECT_EQ(json::parse(testing::http_call(port, "GET", "/readyz").body)["checks"],
              (json{{"database", "ok"},
                    {"migrations", "current"},
                    {"connections", "ok"},
                    {"broker", "ok"}}));
  }
  void TearDown() override {
    if (hub) {
      EXPECT_EQ(hub->terminate(), 0) << "the hub did not stop cleanly on SIGTERM";
    }
    hub.reset();
    vhost.reset();
    db.reset();
  }
  std::unique_ptr<testing::TestDatabase> db;
  std::unique_ptr<testing::TestVhost> vhost;
  std::unique_ptr<testing::ChildProcess> hub;
  std::map<std::string, std::string> env;
  unsigned short port = 0;
};

Hub* hub_env = nullptr;

// The last `id:` of an event stream's answer (-1 when none).
std::int64_t last_event_id(const std::string& stream) {
  std::int64_t last = -1;
  std::size_t at = 0;
  while ((at = stream.find("id: ", at)) != std::string::npos) {
    last = std::stoll(stream.substr(at + 4));
    at += 4;
  }
  return last;
}

class GatewayApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sessions_ = new std::map<std::string, ApiSession>();
    auto& admin = session("admin");
    const std::vector<std::tuple<std::string, std::vector<std::string>, std::vector<std::string>>>
        users{{"op", {"operator"}, {}},
              {"staff_a", {"staff"}, {"dlys"}},
              {"staff_b", {"staff"}, {"lzq"}},
              {"mgr", {"manager"}, {}},
              {"lead", {"staff", "manager"}, {"dlys"}}};
    for (const auto& [name, roles, departments] : users) {
      const auto r = admin.post("/api/v1/users", {{"username", name},
                                                  {"roles", roles},
                                                  {"departments", departments},
                                                  {"password", kPassword}});
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  static void TearDownTestSuite() {
    delete sessions_;
    sessions_ = nullptr;
  }

  // A logged-in session per user name; "nobody" is not logged in.
  static ApiSession& session(const std::string& user) {
    auto it = sessions_->find(user);
    if (it == sessions_->end()) {
      it = sessions_->emplace(user, ApiSession(hub_env->port)).first;
      if (user != "nobody") {
        const auto r = it->second.login(user, kPassword);
        EXPECT_EQ(r.status, 200) << user << ": " << r.body;
      }
    }
    return it->second;
  }

  static json ok_json(const HttpResult& r, int status = 200) {
    EXPECT_EQ(r.status, status) << r.body;
    return r.json();
  }

  // Records an appeal at the dispatch desk and waits for its ticket.
  static json record_appeal(const std::string& request_id, const std::string& title,
                            const std::string& content) {
    const auto accepted =
        ok_json(session("op").post("/api/v1/tickets",
                                   {{"request_id", request_id},
                                    {"title", title},
                                    {"content", content},
                                    {"kind", "complaint"},
                                    {"category", "taxi"},
                                    {"division", "510802"},
                                    {"citizen", {{"name", "王建国"}, {"phone", "13908391234"}}}}),
                202);
    return wait_ticket("operator", accepted["external_id"]);
  }

  static json wait_ticket(const std::string& channel, const std::string& external_id) {
    json found;
    testing::eventually(30s, [&] {
      const auto r =
          session("mgr").get("/api/v1/tickets?channel=" + channel + "&external_id=" + external_id);
      if (r.status != 200 || r.json()["tickets"].empty()) return false;
      found = r.json()["tickets"][0];
      return true;
    });
    EXPECT_FALSE(found.is_null()) << "no ticket for " << channel << " " << external_id;
    return found;
  }

  // Places a ticket with a department, whatever the rules did.
  static void place(std::int64_t id, const std::string& department) {
    const auto t = ok_json(session("mgr").get("/api/v1/tickets/" + std::to_string(id)));
    if (t["status"] == "triage") {
      ok_json(session("op").post("/api/v1/tickets/" + std::to_string(id) + "/dispatch",
                                 {{"lead_department", department}}));
    } else if (t["lead_department"] != department) {
      ok_json(session("mgr").post("/api/v1/tickets/" + std::to_string(id) + "/reassign",
                                  {{"lead_department", department}, {"reason", "test placement"}}));
    }
  }

  static std::string t(std::int64_t id, const std::string& action = "") {
    return "/api/v1/tickets/" + std::to_string(id) + (action.empty() ? "" : "/" + action);
  }

  static std::vector<std::string> timeline_types(const json& ticket) {
    std::vector<std::string> out;
    for (const auto& e : ticket["timeline"]) out.push_back(e["type"]);
    return out;
  }

  // Publishes an appeal as a channel adapter would.
  static std::string publish_channel_appeal(
      std::size_t index, const std::string& channel, bool publication_allowed,
      const std::function<void(core::Appeal&)>& change = nullptr) {
    auto event = testing::sample_appeal_event(index, channel);
    auto& appeal = std::get<core::AppealReceived>(event.body).appeal;
    appeal.publication_allowed = publication_allowed;
    if (change) change(appeal);
    bus::BrokerConfig broker;
    broker.uri = hub_env->vhost->uri();
    bus::ConfirmedPublisher publisher(broker, 10);
    bus::OutgoingMessage out;
    out.exchange = "appeals";
    out.routing_key = event.routing_key();
    out.body = core::encode_event(event);
    out.message_id = event.event_id;
    out.type = "appeal.received";
    publisher.publish(std::move(out), nullptr);
    EXPECT_TRUE(publisher.flush(30s)) << publisher.last_error();
    return appeal.external_id;
  }

  static std::map<std::string, ApiSession>* sessions_;
};

std::map<std::string, ApiSession>* GatewayApi::sessions_ = nullptr;

TEST_F(GatewayApi, OperatorRecordsStaffAnswersOperatorCallsBack) {
  const auto ticket = record_appeal("wf-1", "出租车绕路多收费",
                                    "乘坐川H12345出租车从火车站到东坝，司机绕路多收20元。");
  const auto id = ticket["id"].get<std::int64_t>();
  EXPECT_EQ(ticket["citizen"]["phone"], "139****1234") << "lists show masked phones";
  EXPECT_EQ(ticket["citizen"]["name"], "王*");
  place(id, "dlys");

  // Staff A's queue has it, sorted by deadline; staff B cannot see it at all.
  const auto queue = ok_json(session("staff_a").get("/api/v1/tickets?status=assigned"));
  bool in_queue = false;
  for (const auto& q : queue["tickets"]) in_queue = in_queue || q["id"] == id;
  EXPECT_TRUE(in_queue);
  EXPECT_EQ(session("staff_b").get(t(id)).status, 404);
  EXPECT_EQ(session("staff_b").post(t(id, "claim"), json::object()).status, 404);

  ok_json(session("staff_a").post(t(id, "claim"), json::object()));
  EXPECT_EQ(session("staff_a").post(t(id, "claim"), json::object()).status, 409)
      << "a claimed ticket cannot be claimed again";
  ok_json(session("staff_a").post(t(id, "answers"),
                                  {{"type", "interim"}, {"content", "已联系企业核查。"}}),
          201);
  const auto answered = ok_json(
      session("staff_a").post(t(id, "answers"),
                              {{"type", "final_answer"},
                               {"content", "经核查，司机绕路属实，已责令退还多收费用并处罚。"}}),
      201);
  EXPECT_EQ(answered["status"], "answered");
  // The answer left for the operator channel through the outbox, in the same transaction.
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM outbox WHERE routing_key = 'reply.operator' "
                                "AND type = 'reply.requested'"),
            "2");

  // Not satisfied at callback: 重办, back to the department.
  const auto cb = ok_json(session("op").post(t(id, "callback"), {{"reached", true},
                                                                 {"satisfaction", "not_satisfied"},
                                                                 {"resolved", false}}),
                          201);
  EXPECT_EQ(cb["status"], "reopened");
  ok_json(session("staff_a").post(t(id, "answers"),
                                  {{"type", "final_answer"}, {"content", "已全额退还。"}}),
          201);
  ok_json(
      session("op").post(t(id, "callback"),
                         {{"reached", true}, {"satisfaction", "satisfied"}, {"resolved", true}}),
      201);

  const auto detail = ok_json(session("mgr").get(t(id)));
  EXPECT_EQ(detail["status"], "answered");
  const auto types = timeline_types(detail);
  for (const char* expected :
       {"ticket.claimed", "answer.interim", "answer.final", "callback.recorded"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), expected), types.end()) << expected;
  }
  for (const auto& e : detail["timeline"]) {
    if (e["type"] == "ticket.claimed") {
      EXPECT_EQ(e["actor"], "staff_a");
    }
  }
  EXPECT_EQ(detail["answers"].size(), 3u);
  EXPECT_EQ(detail["callbacks"].size(), 2u);
}

TEST_F(GatewayApi, PersonalDataIsMaskedAndEveryUnmaskedViewIsRecorded) {
  const auto ticket = record_appeal("pd-1", "公交车未按站停靠", "5路公交车在东坝站不停车。");
  const auto id = ticket["id"].get<std::int64_t>();
  place(id, "dlys");
  ok_json(session("mgr").post(
      t(id, "reassign"),
      {{"lead_department", "dlys"}, {"assisting_departments", {"lzq"}}, {"reason", "利州区协办"}}));
  const auto detail = ok_json(session("staff_a").get(t(id)));
  EXPECT_EQ(detail["appeal"]["citizen"]["phone"], "139****1234");
  EXPECT_EQ(detail["appeal"]["citizen"]["name"], "王*");

  const auto contact = ok_json(session("staff_a").get(t(id, "contact") + "?purpose=callback"));
  EXPECT_EQ(contact["phone"], "13908391234");
  EXPECT_EQ(contact["name"], "王建国");
  EXPECT_EQ(session("staff_b").get(t(id)).status, 200) << "an assisting department sees the ticket";
  EXPECT_EQ(session("staff_b").get(t(id, "contact")).status, 403)
      << "but only the lead department may call the citizen";
  EXPECT_EQ(session("admin").get(t(id, "contact")).status, 403);
  EXPECT_EQ(session("nobody").get(t(id, "contact")).status, 401);

  const auto after = ok_json(session("mgr").get(t(id)));
  int views = 0;
  for (const auto& e : after["timeline"]) {
    if (e["type"] == "contact.viewed") {
      ++views;
      EXPECT_EQ(e["actor"], "staff_a");
      EXPECT_EQ(e["data"]["purpose"], "callback");
    }
  }
  EXPECT_EQ(views, 1) << "one unmasked view, one event; refused views are not views";
  // Searching a caller's history by phone finds the ticket, still masked.
  const auto history = ok_json(
      session("op").get("/api/v1/tickets?phone=13908391234&purpose=callback&sort=received"));
  ASSERT_FALSE(history["tickets"].empty());
  EXPECT_EQ(history["tickets"][0]["citizen"]["phone"], "139****1234");
}

// What a channel sent that the adapter could not use as contact data stays personal data: masked
// in every view (gone for staff when the citizen is anonymous), unmasked only through /contact.
TEST_F(GatewayApi, ContactDataInChannelMetaIsMaskedLikeTheCitizen) {
  const auto with_unusable = [](bool anonymous) {
    return [anonymous](core::Appeal& a) {
      a.citizen.anonymous = anonymous;
      a.citizen.name = anonymous ? "匿名" : "赵六";
      a.channel_meta["unusable_phone"] = "+86-13900008888";
      a.channel_meta["unusable_email"] = "zhao@example";
      a.channel_meta["writer_mobile"] = "13700004444";
      a.channel_meta["topic"] = "出租车";
    };
  };
  const auto named_id = wait_ticket("mailbox", publish_channel_appeal(301, "mailbox", false,
                                                                      with_unusable(false)))["id"]
                            .get<std::int64_t>();
  const auto anonymous_id =
      wait_ticket("mailbox",
                  publish_channel_appeal(302, "mailbox", false, with_unusable(true)))["id"]
          .get<std::int64_t>();
  place(named_id, "dlys");
  place(anonymous_id, "dlys");

  for (const auto* who : {"staff_a", "op", "mgr"}) {
    const auto meta = ok_json(session(who).get(t(named_id)))["appeal"]["channel_meta"];
    EXPECT_EQ(meta["unusable_phone"], "+86****8888") << who;
    EXPECT_EQ(meta["unusable_email"], "z***@example") << who;
    EXPECT_EQ(meta["writer_mobile"], "137****4444") << who;
    EXPECT_EQ(meta["topic"], "出租车") << who << ": not contact data, shown as it is";
  }
  const auto hidden = ok_json(session("staff_a").get(t(anonymous_id)));
  for (const auto* key : {"unusable_phone", "unusable_email", "writer_mobile"}) {
    EXPECT_FALSE(hidden["appeal"]["channel_meta"].contains(key)) << key;
  }
  EXPECT_EQ(hidden.dump().find("8888"), std::string::npos) << hidden.dump();
  EXPECT_EQ(hidden.dump().find("4444"), std::string::npos) << hidden.dump();

  const auto contact = ok_json(session("mgr").get(t(anonymous_id, "contact") + "?purpose=verify"));
  EXPECT_EQ(contact["channel_meta"]["unusable_phone"], "+86-13900008888");
  EXPECT_EQ(contact["channel_meta"]["writer_mobile"], "13700004444");
  EXPECT_FALSE(contact["channel_meta"].contains("topic"));
  const auto after = ok_json(session("mgr").get(t(anonymous_id)));
  const auto viewed = std::find_if(after["timeline"].begin(), after["timeline"].end(),
                                   [](const json& e) { return e["type"] == "contact.viewed"; });
  ASSERT_NE(viewed, after["timeline"].end());
  EXPECT_NE(std::find((*viewed)["data"]["fields"].begin(), (*viewed)["data"]["fields"].end(),
                      "channel_meta.unusable_phone"),
            (*viewed)["data"]["fields"].end());
}

// docs/api.md: staff see an anonymous citizen as 匿名 with no phone, in lists and the ticket.
TEST_F(GatewayApi, StaffSeeNoPhoneForAnAnonymousCitizen) {
  const auto external_id = publish_channel_appeal(303, "petition", false, [](core::Appeal& a) {
    a.citizen.anonymous = true;
    a.citizen.name = "匿名";
    a.citizen.phone = "13712344444";
  });
  const auto id = wait_ticket("petition", external_id)["id"].get<std::int64_t>();
  place(id, "dlys");
  const auto rows = ok_json(
      session("staff_a").get("/api/v1/tickets?channel=petition&external_id=" + external_id));
  ASSERT_EQ(rows["tickets"].size(), 1u);
  EXPECT_EQ(rows["tickets"][0]["citizen"]["phone"], "");
  EXPECT_EQ(rows["tickets"][0]["citizen"]["name"], "匿名");
  const auto detail = ok_json(session("staff_a").get(t(id)));
  EXPECT_EQ(detail["citizen"]["phone"], "");
  EXPECT_EQ(detail["appeal"]["citizen"]["phone"], "");
  EXPECT_EQ(ok_json(session("op").get(t(id)))["citizen"]["phone"], "137****4444")
      << "operators see the masked phone";
}

// A masked phone cannot be completed by searching: only the roles that take calls may search
// by phone, each search names its purpose, is recorded and is limited per user.
TEST_F(GatewayApi, PhoneSearchIsForCallerHistoryRecordedAndLimited) {
  const auto id =
      record_appeal("ps-1", "出租车拒载", "火车站出租车拒载。")["id"].get<std::int64_t>();
  place(id, "dlys");
  EXPECT_EQ(session("staff_a").get("/api/v1/tickets?phone=13908391234&purpose=x").status, 403);
  EXPECT_EQ(session("op").get("/api/v1/tickets?phone=13908391234").status, 400)
      << "a purpose is required";
  const auto found = ok_json(session("op").get(
      "/api/v1/tickets?phone=13908391234&purpose=%E6%9D%A5%E7%94%B5%E6%9F%A5%E8%AF%A2"));
  ASSERT_FALSE(found["tickets"].empty());
  EXPECT_EQ(found["tickets"][0]["citizen"]["phone"], "139****1234");
  EXPECT_EQ(hub_env->db->scalar("SELECT purpose || ' ' || phone_masked FROM phone_searches WHERE "
                                "username = 'op' ORDER BY id DESC LIMIT 1"),
            "来电查询 139****1234");

  // Parallel searches by one user: exactly the limit (20 a minute) pass, the rest wait.
  const auto token =
      ok_json(session("lead").post("/api/v1/auth/tokens", {{"name", "search test"}}), 201)["token"]
          .get<std::string>();
  std::atomic<int> passed{0}, throttled{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 6; ++k) {
    threads.emplace_back([&, k] {
      ApiSession program(hub_env->port);
      program.use_bearer(token);
      for (int i = 0; i < 5; ++i) {
        const auto r = program.get("/api/v1/tickets?purpose=try&phone=1370000" +
                                   std::to_string(1000 + k * 10 + i));
        if (r.status == 200) ++passed;
        if (r.status == 429 && r.header("Retry-After")) ++throttled;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(passed.load(), 20);
  EXPECT_EQ(throttled.load(), 10);
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM phone_searches WHERE username = 'lead'"),
            "20");
}

TEST_F(GatewayApi, ReturnIsReviewedAndDispatchedAgain) {
  const auto id =
      record_appeal("ret-1", "货车超载", "G108线上有超载货车。")["id"].get<std::int64_t>();
  place(id, "dlys");
  EXPECT_EQ(session("staff_a").post(t(id, "return"), json::object()).status, 400)
      << "a reason is required";
  ok_json(session("staff_a").post(t(id, "return"), {{"reason", "超限超载归执法支队"}}), 201);
  EXPECT_EQ(ok_json(session("mgr").get(t(id)))["status"], "returned");
  const auto waiting = ok_json(session("op").get("/api/v1/tickets?pending=return"));
  bool listed = false;
  for (const auto& q : waiting["tickets"]) listed = listed || q["id"] == id;
  EXPECT_TRUE(listed);
  ok_json(session("op").post(t(id, "return/review"),
                             {{"decision", "approve"}, {"note", "改派执法支队"}}));
  EXPECT_EQ(ok_json(session("mgr").get(t(id)))["status"], "triage");
  ok_json(session("op").post(t(id, "dispatch"),
                             {{"lead_department", "zfzd"}, {"assisting_departments", {"lzq"}}}));
  const auto placed = ok_json(session("mgr").get(t(id)));
  EXPECT_EQ(placed["status"], "assigned");
  EXPECT_EQ(placed["lead_department"], "zfzd");
  // The assisting department sees it; the department that returned it no longer does.
  EXPECT_EQ(session("staff_b").get(t(id)).status, 200);
  EXPECT_EQ(session("staff_a").get(t(id)).status, 404);
  // The departments hear of it: one message to the lead, copied to the assisting department.
  EXPECT_EQ(hub_env->db->scalar(
                "SELECT count(*) FROM outbox WHERE routing_key = 'dept.zfzd' AND cc = "
                "'{dept.lzq}' AND type = 'ticket.routed' AND convert_from(body, 'UTF8')::jsonb #>> "
                "'{data,ticket_id}' = '" +
                std::to_string(id) + "'"),
            "1");
}

TEST_F(GatewayApi, DuplicateSuggestionsAreListedConfirmedOrRejectedForGood) {
  const auto first =
      record_appeal("dup-1", "公交站亭玻璃碎了", "东坝公交站的站亭玻璃碎了一地。")["id"]
          .get<std::int64_t>();
  const auto second = record_appeal("dup-2", "夜班车太少", "晚上十点以后等车要四十分钟。")["id"]
                          .get<std::int64_t>();
  const auto third =
      record_appeal("dup-3", "站牌字看不清", "火车站站牌褪色看不清楚。")["id"].get<std::int64_t>();
  // Suggestions as the text scan writes them.
  for (const auto id : {second, third}) {
    hub_env->db->exec(
        "INSERT INTO duplicate_links (ticket_id, duplicate_of, action, score, reason, found_by)"
        " VALUES (" +
        std::to_string(id) + ", " + std::to_string(first) +
        ", 'suggested', 0.3, 'similar text: text similarity 0.30', 'text') ON CONFLICT DO NOTHING");
  }
  const auto listed = [&](std::int64_t id) {
    const auto list = ok_json(session("op").get("/api/v1/duplicate-suggestions"));
    for (const auto& s : list["suggestions"]) {
      if (s["ticket"]["id"] == id && s["duplicate_of"]["id"] == first) return true;
    }
    return false;
  };
  EXPECT_TRUE(listed(second));
  EXPECT_TRUE(listed(third));
  EXPECT_EQ(session("op").post(t(second, "duplicate/reject"), {{"of", first}}).status, 400)
      << "a reason is required";
  ok_json(session("op").post(t(second, "duplicate/reject"), {{"of", first}, {"reason", "两件事"}}));
  EXPECT_FALSE(listed(second));
  EXPECT_EQ(hub_env->db->scalar("SELECT action FROM duplicate_links WHERE ticket_id = " +
                                std::to_string(second)),
            "rejected");
  EXPECT_EQ(session("op").post(t(second, "duplicate/confirm"), {{"of", first}}).status, 404)
      << "a rejected suggestion cannot be confirmed";
  const auto merged = ok_json(session("mgr").post(t(third, "duplicate/confirm"), {{"of", first}}));
  EXPECT_EQ(merged["status"], "merged");
  EXPECT_EQ(ok_json(session("mgr").get(t(third)))["status"], "merged");
  EXPECT_FALSE(listed(third));
}

TEST_F(GatewayApi, ExtensionNeedsAnotherManager) {
  const auto id =
      record_appeal("ext-1", "驾校乱收费", "某驾校额外收取考试费。")["id"].get<std::int64_t>();
  place(id, "dlys");
  const auto before = ok_json(session("mgr").get(t(id)))["deadline"].get<std::string>();
  ok_json(session("lead").post(t(id, "extension"), {{"days", 5}, {"reason", "需要现场调查"}}), 201);
  EXPECT_EQ(session("lead").post(t(id, "extension"), {{"days", 5}, {"reason", "again"}}).status,
            409)
      << "one pending extension at a time";
  const auto own = session("lead").post(t(id, "extension/review"), {{"decision", "approve"}});
  EXPECT_EQ(own.status, 403) << "approving your own extension: " << own.body;
  EXPECT_EQ(ok_json(session("mgr").get(t(id)))["deadline"], before) << "nothing changed";
  EXPECT_EQ(session("staff_a").post(t(id, "extension/review"), {{"decision", "approve"}}).status,
            403);
  const auto approved =
      ok_json(session("mgr").post(t(id, "extension/review"), {{"decision", "approve"}}));
  EXPECT_EQ(approved["extension"], "approved");
  EXPECT_GT(approved["deadline"].get<std::string>(), before);
  const auto types = timeline_types(ok_json(session("mgr").get(t(id))));
  EXPECT_NE(std::find(types.begin(), types.end(), "extension.approved"), types.end());
}

// The reply.requested a 12328 order's approved extension or return leaves in the outbox.
core::ReplyRequested platform_request(const std::string& reply_id) {
  const auto body = hub_env->db->scalar(
      "SELECT convert_from(body, 'UTF8') FROM outbox WHERE type = 'reply.requested' AND "
      "convert_from(body, 'UTF8') LIKE '%\"reply_id\":\"" +
      reply_id + "\"%'");
  auto decoded = core::decode_event(body);
  EXPECT_TRUE(decoded.ok()) << body;
  if (!decoded.ok()) return {};
  return std::get<core::ReplyRequested>(std::move(decoded).event().body);
}

TEST_F(GatewayApi, A12328OrdersApprovedExtensionAndReturnGoToThePlatform) {
  const auto order =
      wait_ticket("hotline12328", publish_channel_appeal(9003, "hotline12328", true));
  const auto id = order["id"].get<std::int64_t>();
  place(id, "dlys");
  ok_json(session("lead").post(t(id, "extension"), {{"days", 7}, {"reason", "需要现场调查"}}), 201);
  ok_json(session("mgr").post(t(id, "extension/review"), {{"decision", "approve"}}));
  const auto request_id = [&](const std::string& kind) {
    return hub_env->db->scalar("SELECT max(id) FROM ticket_requests WHERE ticket_id = " +
                               std::to_string(id) + " AND kind = '" + kind + "'");
  };
  const auto extension = platform_request("ext-" + request_id("extension"));
  EXPECT_EQ(extension.type, core::ReplyType::extension_request);
  EXPECT_EQ(extension.ticket_id, id);
  EXPECT_EQ(extension.channel, "hotline12328");
  EXPECT_EQ(extension.external_id, order["external_id"]);
  EXPECT_EQ(extension.extension_days, 7);
  EXPECT_EQ(extension.return_reason, "需要现场调查");
  EXPECT_EQ(extension.handler, "lead");
  EXPECT_FALSE(extension.department.empty());

  ok_json(session("staff_a").post(t(id, "return"), {{"reason", "不属本单位职责"}}), 201);
  ok_json(
      session("op").post(t(id, "return/review"), {{"decision", "approve"}, {"to_channel", true}}));
  EXPECT_EQ(ok_json(session("mgr").get(t(id)))["status"], "returned");
  const auto returned = platform_request("ret-" + request_id("return"));
  EXPECT_EQ(returned.type, core::ReplyType::return_order);
  EXPECT_EQ(returned.external_id, order["external_id"]);
  EXPECT_EQ(returned.return_reason, "不属本单位职责");
  EXPECT_EQ(returned.handler, "staff_a");
  EXPECT_EQ(returned.extension_days, 0);
}

TEST_F(GatewayApi, SupervisionIsSeenByTheDepartment) {
  const auto id = record_appeal("sup-1", "客运站秩序混乱", "广元汽车客运站黑车拉客。")["id"]
                      .get<std::int64_t>();
  place(id, "dlys");
  EXPECT_EQ(session("op").post(t(id, "supervise"), {{"note", "x"}}).status, 403);
  ok_json(session("mgr").post(t(id, "supervise"), {{"note", "请三日内办结"}}));
  const auto seen = ok_json(session("staff_a").get(t(id)));
  EXPECT_TRUE(seen["supervised"].get<bool>());
  EXPECT_EQ(seen["supervision_note"], "请三日内办结");
  const auto flagged = ok_json(session("staff_a").get("/api/v1/tickets?supervised=true"));
  bool listed = false;
  for (const auto& q : flagged["tickets"]) listed = listed || q["id"] == id;
  EXPECT_TRUE(listed);
}

TEST_F(GatewayApi, AnswersTheChannelCouldNeverTakeAreRefusedAndChangeNothing) {
  // A letter whose writer refused publication, and a 12328 order (2,000 characters at most).
  const auto letter = wait_ticket("mailbox", publish_channel_appeal(9001, "mailbox", false));
  const auto order =
      wait_ticket("hotline12328", publish_channel_appeal(9002, "hotline12328", true));
  const auto letter_id = letter["id"].get<std::int64_t>();
  const auto order_id = order["id"].get<std::int64_t>();
  place(letter_id, "dlys");
  place(order_id, "dlys");
  const auto outbox_before =
      hub_env->db->scalar("SELECT count(*) FROM outbox WHERE type = 'reply.requested'");

  const auto published = session("staff_a").post(
      t(letter_id, "answers"), {{"type", "final_answer"}, {"content", "答复"}, {"publish", true}});
  EXPECT_EQ(published.status, 422) << published.body;
  EXPECT_EQ(published.json()["error"], "publication_refused");
  std::string long_answer;
  for (int i = 0; i < 2001; ++i) long_answer += "答";
  const auto too_long = session("staff_a").post(
      t(order_id, "answers"), {{"type", "final_answer"}, {"content", long_answer}});
  EXPECT_EQ(too_long.status, 422) << too_long.body;
  EXPECT_NE(too_long.json()["message"].get<std::string>().find("2000"), std::string::npos);
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM answers WHERE ticket_id IN (" +
                                std::to_string(letter_id) + "," + std::to_string(order_id) + ")"),
            "0");
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM outbox WHERE type = 'reply.requested'"),
            outbox_before);
  EXPECT_EQ(ok_json(session("mgr").get(t(letter_id)))["status"], "assigned");

  // A withdrawn ticket takes no answer.
  hub_env->db->exec("UPDATE tickets SET status = 'withdrawn' WHERE id = " +
                    std::to_string(order_id));
  const auto withdrawn = session("staff_a").post(t(order_id, "answers"),
                                                 {{"type", "final_answer"}, {"content", "答复"}});
  EXPECT_EQ(withdrawn.status, 409) << withdrawn.body;
  EXPECT_NE(withdrawn.body.find("withdrawn"), std::string::npos);
}

// A mailbox letter takes one reply (409 already_replied for a second key): staff see it on the
// ticket, an interim answer is refused, an over-long one is 422, and a redone answer after 重办
// goes to the operators' callback list with the reason.
TEST_F(GatewayApi, OneReplyChannelsTakeOneReplyAndRedoneAnswersGoToTheCallbackList) {
  const auto letter = wait_ticket("mailbox", publish_channel_appeal(9101, "mailbox", true));
  const auto id = letter["id"].get<std::int64_t>();
  place(id, "dlys");
  auto& staff = session("staff_a");
  const auto detail = ok_json(staff.get(t(id)));
  EXPECT_EQ(detail["channel_rules"], (json{{"max_answer_chars", 5000},
                                           {"interim_answers", false},
                                           {"replies", "one"},
                                           {"publication", true}}));

  auto r = staff.post(t(id, "answers"), {{"type", "interim"}, {"content", "正在核查。"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"], "interim_not_accepted");
  std::string long_answer;
  for (int i = 0; i < 5001; ++i) long_answer += "答";
  r = staff.post(t(id, "answers"), {{"type", "final_answer"}, {"content", long_answer}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"], "answer_too_long");
  EXPECT_NE(r.json()["message"].get<std::string>().find("5000"), std::string::npos);
  EXPECT_EQ(
      hub_env->db->scalar("SELECT count(*) FROM answers WHERE ticket_id = " + std::to_string(id)),
      "0");

  const auto first = ok_json(
      staff.post(t(id, "answers"), {{"type", "final_answer"}, {"content", "已处理。"}}), 201);
  EXPECT_TRUE(first["callbacks"].empty());
  ok_json(session("op").post(
              t(id, "callback"),
              {{"reached", true}, {"satisfaction", "not_satisfied"}, {"resolved", false}}),
          201);
  const auto redone = ok_json(
      staff.post(t(id, "answers"), {{"type", "final_answer"}, {"content", "已再次处理。"}}), 201);
  ASSERT_EQ(redone["callbacks"].size(), 1u) << redone.dump();
  const auto callback_id = redone["callbacks"][0]["reply_id"].get<std::string>();
  EXPECT_NE(redone["callbacks"][0]["reason"].get<std::string>().find("one reply"),
            std::string::npos);
  EXPECT_EQ(hub_env->db->scalar("SELECT string_agg(routing_key, ',' ORDER BY id) FROM outbox "
                                "WHERE type = 'reply.requested' AND convert_from(body, "
                                "'UTF8')::jsonb->'data'->>'ticket_id' = '" +
                                std::to_string(id) + "'"),
            "reply.mailbox,reply.operator")
      << "the letter got one reply; the redone answer went to the operators";
  json listed;
  ASSERT_TRUE(testing::eventually(20s, [&] {
    listed = session("op")
                 .get("/api/v1/replies?channel=operator&ticket_id=" + std::to_string(id))
                 .json();
    return listed["replies"].size() == 1u;
  })) << listed.dump();
  EXPECT_EQ(listed["replies"][0]["reply_id"], callback_id);
  EXPECT_NE(listed["replies"][0]["callback_reason"].get<std::string>().find("mailbox"),
            std::string::npos);
}

// The 12328 lists for operators and managers, and a manager abandoning a swallowed result file
// (the file-level logic is in tests/adapters/hotline12328/result_sender_pgtest.cpp).
TEST_F(GatewayApi, Hotline12328RefusalsAndResultFilesForOperatorsAndManagers) {
  auto& db = *hub_env->db;
  db.exec(
      "INSERT INTO hotline_refused (file, line, reason) VALUES "
      "('12328_510800JT_20261127155000_000117.csv', 2, '派单类型: unknown')");
  const auto refused = ok_json(session("op").get("/api/v1/hotline12328/refused?limit=10"));
  ASSERT_FALSE(refused["refused"].empty());
  EXPECT_EQ(refused["refused"][0]["file"], "12328_510800JT_20261127155000_000117.csv");
  EXPECT_EQ(refused["refused"][0]["line"], 2);
  EXPECT_EQ(refused["refused"][0]["reason"], "派单类型: unknown");
  EXPECT_EQ(session("staff_a").get("/api/v1/hotline12328/refused").status, 403);

  const std::string name = "12328_510800JT_RESULT_20261127091500_009001.csv";
  db.exec(
      "INSERT INTO hotline_result_files (name, sequence, reply_ids, state, written_at) "
      "VALUES ('" +
      name + "', 9001, '{}', 'written', now())");
  const auto path = "/api/v1/hotline12328/result-files/" + name + "/abandon";
  auto r = session("mgr").post(path, json::object());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.json()["message"].get<std::string>().find("receipt alarm"), std::string::npos);
  EXPECT_EQ(session("op").post(path, json::object()).status, 403);
  db.exec("UPDATE hotline_result_files SET overdue_reported_at = now() WHERE name = '" + name +
          "'");
  EXPECT_EQ(ok_json(session("mgr").post(path, json::object()))["state"], "abandoned");
  EXPECT_EQ(session("mgr").post(path, json::object()).status, 409);
  EXPECT_EQ(session("mgr")
                .post("/api/v1/hotline12328/result-files/no_such_file.csv/abandon", json::object())
                .status,
            404);
  const auto files =
      ok_json(session("op").get("/api/v1/hotline12328/result-files?state=abandoned"));
  ASSERT_EQ(files["result_files"].size(), 1u);
  EXPECT_EQ(files["result_files"][0]["abandoned_by"], "mgr");
}

TEST_F(GatewayApi, BadInputGetsTheRightErrorAndChangesNothing) {
  const auto id =
      record_appeal("bad-1", "道路坑洼", "G212线某处路面坑洼。")["id"].get<std::int64_t>();
  place(id, "dlys");
  auto& staff = session("staff_a");
  const auto events_before = hub_env->db->scalar(
      "SELECT count(*) FROM ticket_events WHERE ticket_id = " + std::to_string(id));

  auto r = staff.call("POST", t(id, "answers"), "{\"type\": \"final_answer\", ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "malformed_json");
  r = staff.post(t(id, "answers"), {{"type", "final_answer"}, {"content", 42}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["message"], "content: must be a string");
  r = staff.post(t(id, "answers"), {{"type", "final_answer"}, {"content", "好"}, {"sign", "x"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "unknown_field");
  EXPECT_NE(r.json()["message"].get<std::string>().find("sign"), std::string::npos);
  r = staff.post(t(id, "answers"), {{"type", "final"}, {"content", "好"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json()["message"].get<std::string>().find("type"), std::string::npos);
  r = staff.call("POST", t(id, "answers"), std::string(200 * 1024, 'x'));
  EXPECT_EQ(r.status, 413);
  r = staff.get("/api/v1/tickets?colour=red");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json()["message"].get<std::string>().find("colour"), std::string::npos);
  r = staff.get("/api/v1/tickets?limit=1000");
  EXPECT_EQ(r.status, 400);
  r = staff.get("/api/v1/tickets/abc");
  EXPECT_EQ(r.status, 400);
  r = staff.call("POST", t(id, "answers"), json{{"type", "interim"}, {"content", "x"}}.dump(),
                 false);
  EXPECT_EQ(r.status, 403) << "no CSRF token";
  EXPECT_EQ(r.json()["error"], "csrf");
  r = staff.call("DELETE", t(id));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = " +
                                std::to_string(id)),
            events_before);
  EXPECT_EQ(
      hub_env->db->scalar("SELECT count(*) FROM answers WHERE ticket_id = " + std::to_string(id)),
      "0");
}

// Input that once reached a 500: numbers out of range, text that is not UTF-8, NUL characters.
// Each is a 400 naming its field, and nothing is stored.
TEST_F(GatewayApi, OddInputIsA400NeverA500) {
  const auto id = record_appeal("odd-1", "道路积水", "G5高速某处积水。")["id"].get<std::int64_t>();
  place(id, "dlys");
  auto& staff = session("staff_a");
  const auto events_before = hub_env->db->scalar(
      "SELECT count(*) FROM ticket_events WHERE ticket_id = " + std::to_string(id));

  auto r = ApiSession(hub_env->port)
               .call("POST", "/api/v1/auth/login", R"({"username":"mgr","password":1e999})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"], "malformed_json");
  r = staff.call("POST", t(id, "answers"), R"({"type":"final_answer","content":-1e999})");
  EXPECT_EQ(r.status, 400) << r.body;

  for (const auto* param : {"q", "channel", "category", "status", "external_id"}) {
    r = session("op").get(std::string("/api/v1/tickets?") + param + "=%FF");
    EXPECT_EQ(r.status, 400) << param << ": " << r.body;
    EXPECT_EQ(r.json()["message"].get<std::string>().rfind(param, 0), 0u) << r.body;
  }
  r = session("op").get("/api/v1/tickets?phone=%FF&purpose=x");
  EXPECT_EQ(r.status, 400) << r.body;
  r = session("op").get("/api/v1/tickets?phone=13908391234&purpose=%C3%28");
  EXPECT_EQ(r.status, 400) << r.body;
  r = session("op").get(t(id, "contact") + "?purpose=%FF");
  EXPECT_EQ(r.status, 400) << r.body;
  r = session("op").get("/api/v1/tickets/%FF");
  EXPECT_EQ(r.status, 400) << r.body;
  r = session("op").get("/api/v1/tickets?q=a%00b");
  EXPECT_EQ(r.status, 400) << r.body;

  r = staff.call("POST", t(id, "return"), R"({"reason":"a\u0000b"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["message"], "reason: must not contain NUL");
  r = staff.call("POST", t(id, "answers"), R"({"type":"interim","content":"x\u0000"})");
  EXPECT_EQ(r.status, 400) << r.body;
  const auto mgr_id = hub_env->db->scalar("SELECT id FROM users WHERE username = 'mgr'");
  const auto name_before =
      hub_env->db->scalar("SELECT display_name FROM users WHERE username = 'mgr'");
  r = session("admin").call("PATCH", "/api/v1/users/" + mgr_id, R"({"display_name":"a\u0000b"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(hub_env->db->scalar("SELECT display_name FROM users WHERE username = 'mgr'"),
            name_before)
      << "refused, not cut short";

  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = " +
                                std::to_string(id)),
            events_before);
  // LIKE's wildcards are taken literally.
  EXPECT_TRUE(ok_json(session("op").get("/api/v1/tickets?q=%25"))["tickets"].empty());
  EXPECT_TRUE(ok_json(session("op").get("/api/v1/tickets?q=_"))["tickets"].empty());
}

// Sixteen wrong passwords at once for one user: exactly the limit is counted and checked,
// the rest are refused before any check.
TEST_F(GatewayApi, ParallelLoginFailuresCannotPassTheLimit) {
  ok_json(session("admin").post(
              "/api/v1/users",
              {{"username", "racer"}, {"roles", {"operator"}}, {"password", kPassword}}),
          201);
  std::atomic<int> refused{0}, throttled{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      const auto r = ApiSession(hub_env->port).login("racer", "wrong password, surely");
      if (r.status == 401) ++refused;
      if (r.status == 429) ++throttled;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(throttled.load(), 11);
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM login_failures WHERE username = 'racer'"),
            "5");
  hub_env->db->exec("DELETE FROM login_failures");
}

// An unknown user name is refused after the same work as a wrong password: one hash check.
TEST_F(GatewayApi, UnknownUserNamesCannotBeToldApartByTiming) {
  const auto seconds = [](const std::string& user) {
    hub_env->db->exec("DELETE FROM login_failures");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(ApiSession(hub_env->port).login(user, "not the password").status, 401);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  seconds("nobody-at-all");  // the first unknown name also makes the gateway's dummy hash
  // Taken in turns, so that whatever else the machine does weighs on both alike.
  std::vector<double> unknown_runs, wrong_runs;
  for (int i = 0; i < 7; ++i) {
    unknown_runs.push_back(seconds("nobody-at-all"));
    wrong_runs.push_back(seconds("mgr"));
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double unknown = median(unknown_runs);
  const double wrong = median(wrong_runs);
  // Before: an unknown name cost two hashes (about twice as long).
  EXPECT_LT(unknown, wrong * 1.5) << "unknown " << unknown << " s, wrong password " << wrong
                                  << " s";
  EXPECT_GT(unknown, wrong / 1.5) << "unknown " << unknown << " s, wrong password " << wrong
                                  << " s";
  hub_env->db->exec("DELETE FROM login_failures");
}

TEST_F(GatewayApi, TokensExpireAndCanBeRevoked) {
  auto& mgr = session("mgr");
  const auto created = ok_json(mgr.post("/api/v1/auth/tokens", {{"name", "monthly report"}}), 201);
  ASSERT_FALSE(created["expires_at"].is_null()) << "a token without a lifetime gets the default";
  EXPECT_EQ(hub_env->db->scalar("SELECT (expires_at - created_at) = interval '90 days' FROM "
                                "api_tokens WHERE id = " +
                                std::to_string(created["id"].get<std::int64_t>())),
            "t");
  ApiSession program(hub_env->port);
  program.use_bearer(created["token"]);
  ASSERT_EQ(program.get("/api/v1/auth/me").status, 200);

  const auto listed = ok_json(mgr.get("/api/v1/auth/tokens"))["tokens"];
  const auto mine = std::find_if(listed.begin(), listed.end(),
                                 [&](const json& x) { return x["id"] == created["id"]; });
  ASSERT_NE(mine, listed.end());
  EXPECT_EQ((*mine)["name"], "monthly report");
  EXPECT_FALSE(mine->contains("token"));
  EXPECT_EQ(listed.dump().find(created["token"].get<std::string>()), std::string::npos);

  const auto path = "/api/v1/auth/tokens/" + std::to_string(created["id"].get<std::int64_t>());
  EXPECT_EQ(session("op").call("DELETE", path).status, 404) << "not someone else's";
  EXPECT_EQ(session("op").get("/api/v1/auth/tokens?all=true").status, 403);
  ok_json(mgr.call("DELETE", path));
  EXPECT_EQ(program.get("/api/v1/auth/me").status, 401) << "revoked at once on this gateway";

  // From the command line, by label.
  const auto second = ok_json(mgr.post("/api/v1/auth/tokens", {{"name", "cron"}}), 201);
  ApiSession cron(hub_env->port);
  cron.use_bearer(second["token"]);
  ASSERT_EQ(cron.get("/api/v1/auth/me").status, 200);
  testing::ChildProcess revoke({testing::appealhub_binary(), "user", "revoke-token", "mgr", "cron"},
                               hub_env->env, "/tmp/appealhub_gateway_api_revoke.log");
  revoke.start();
  revoke.wait();
  EXPECT_TRUE(testing::eventually(5s, [&] { return cron.get("/api/v1/auth/me").status == 401; }))
      << "refused within the principal cache's second";
}

TEST_F(GatewayApi, FailedLoginsAreThrottledAndTokensWorkForPrograms) {
  ApiSession stranger(hub_env->port);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(stranger.login("mgr", "wrong password!").status, 401);
  const auto throttled = stranger.login("mgr", kPassword);
  EXPECT_EQ(throttled.status, 429) << "even the right password waits after 5 failures";
  EXPECT_TRUE(throttled.header("Retry-After").has_value());
  hub_env->db->exec("DELETE FROM login_failures");

  const auto token =
      ok_json(session("mgr").post("/api/v1/auth/tokens", {{"name", "report script"}}), 201);
  ApiSession program(hub_env->port);
  program.use_bearer(token["token"]);
  EXPECT_EQ(program.get("/api/v1/auth/me").json()["user"]["username"], "mgr");
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM api_tokens WHERE token_hash = '" +
                                token["token"].get<std::string>() + "'"),
            "0")
      << "only the hash is stored";
  ApiSession forged(hub_env->port);
  forged.use_bearer("0123456789abcdef");
  EXPECT_EQ(forged.get("/api/v1/auth/me").status, 401);

  ApiSession browser(hub_env->port);
  const auto login = browser.login("op", kPassword);
  const auto cookie = login.header("Set-Cookie").value_or("");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(browser.get("/api/v1/auth/me").status, 200);
  EXPECT_EQ(browser.post("/api/v1/auth/logout", json::object()).status, 200);
  EXPECT_EQ(browser.get("/api/v1/auth/me").status, 401) << "the session ended on the server";
  EXPECT_EQ(ApiSession(hub_env->port).call("POST", "/api/v1/auth/logout", "{}").status, 401);
}

// Every route as every role: allowed roles get past authorization (any answer but 401/403);
// refused roles get 403, and nobody gets 401.
TEST_F(GatewayApi, AuthorizationMatrix) {
  const auto other =
      record_appeal("mx-1", "网约车", "网约车司机态度恶劣。")["id"].get<std::int64_t>();
  place(other, "lzq");  // not staff_a's department
  const std::string id = std::to_string(other);
  // A shipped knowledge entry that staff_a's department (dlys) owns.
  const auto entry =
      hub_env->db->scalar("SELECT min(id) FROM kb_entries WHERE owner_department = 'dlys'");
  ASSERT_FALSE(entry.empty());
  struct Case {
    std::string method, target;
    std::set<std::string> allowed;
  };
  const std::set<std::string> workers{"op", "staff_a", "mgr"};
  const std::vector<Case> cases{
      {"GET", "/api/v1/auth/me", {"op", "staff_a", "mgr", "admin"}},
      {"POST", "/api/v1/auth/tokens", {"op", "staff_a", "mgr", "admin"}},
      {"GET", "/api/v1/auth/tokens", {"op", "staff_a", "mgr", "admin"}},
      {"DELETE", "/api/v1/auth/tokens/none", {"op", "staff_a", "mgr", "admin"}},
      {"GET", "/api/v1/tickets", workers},
      {"POST", "/api/v1/tickets", {"op"}},
      {"GET", "/api/v1/tickets/" + id, {"op", "mgr"}},
      {"GET", "/api/v1/tickets/" + id + "/contact", {"op", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/claim", {}},
      {"POST", "/api/v1/tickets/" + id + "/answers", {}},
      {"POST", "/api/v1/tickets/" + id + "/return", {}},
      {"POST", "/api/v1/tickets/" + id + "/return/review", {"op", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/extension", {}},
      {"POST", "/api/v1/tickets/" + id + "/extension/review", {"mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/dispatch", {"op", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/reassign", {"mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/supervise", {"mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/callback", {"op"}},
      {"POST", "/api/v1/tickets/" + id + "/merge", {"op", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/unmerge", {"op", "mgr"}},
      {"GET", "/api/v1/duplicate-suggestions", {"op", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/duplicate/confirm", {"op", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/duplicate/reject", {"op", "mgr"}},
      {"GET", "/api/v1/users", {"admin"}},
      {"POST", "/api/v1/users", {"admin"}},
      {"PATCH", "/api/v1/users/1", {"admin"}},
      {"GET", "/api/v1/departments", {"op", "staff_a", "mgr", "admin"}},
      {"PUT", "/api/v1/departments", {"admin"}},
      {"GET", "/api/v1/rules", {"mgr", "admin"}},
      {"PUT", "/api/v1/rules", {"admin"}},
      {"GET", "/api/v1/calendar", {"op", "staff_a", "mgr", "admin"}},
      {"PUT", "/api/v1/calendar", {"admin"}},
      {"GET", "/api/v1/replies", workers},
      {"POST", "/api/v1/replies/{reply_id}/resend", {"mgr"}},
      {"GET", "/api/v1/events?wait=0", workers},
      {"POST", "/api/v1/rules/try", {"mgr", "admin"}},
      {"GET", "/api/v1/hotline12328/result-files", {"op", "mgr"}},
      {"POST", "/api/v1/hotline12328/result-files/{name}/abandon", {"mgr"}},
      {"GET", "/api/v1/hotline12328/refused", {"op", "mgr"}},
      {"GET", "/api/v1/stats/summary", workers},
      {"GET", "/api/v1/stats/summary/export.csv", workers},
      {"GET", "/api/v1/stats/summary/export.xlsx", workers},
      {"GET", "/api/v1/stats/overdue", workers},
      {"GET", "/api/v1/stats/overdue/export.csv", workers},
      {"GET", "/api/v1/stats/overdue/export.xlsx", workers},
      {"GET", "/api/v1/stats/ranking", workers},
      {"GET", "/api/v1/stats/ranking/export.csv", workers},
      {"GET", "/api/v1/stats/ranking/export.xlsx", workers},
      {"GET", "/api/v1/knowledge", workers},
      {"POST", "/api/v1/knowledge", {"staff_a", "mgr"}},
      {"POST", "/api/v1/knowledge/suggest", workers},
      {"GET", "/api/v1/knowledge/" + entry, workers},
      {"PUT", "/api/v1/knowledge/" + entry, {"staff_a", "mgr"}},
      {"POST", "/api/v1/tickets/" + id + "/instant-answer", {"op"}},
      {"GET", "/api/v1/tickets/" + id + "/suggestions", {"op", "mgr"}},
      {"GET", "/api/v1/disclosure/forms", workers},
      {"POST", "/api/v1/tickets/" + id + "/disclosure-documents", {}},
      {"GET", "/api/v1/disclosure-documents/none/docx", workers},
  };
  // Every route the gateway serves is in the matrix.
  const auto doc = testing::http_call(hub_env->port, "GET", "/api/v1/openapi.json").json();
  std::size_t documented = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      (void)op;
      ++documented;
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(c));
      const bool covered = std::any_of(cases.begin(), cases.end(), [&](const Case& c) {
        std::string pattern = path;
        const auto brace = pattern.find("{id}");
        std::string target = c.target.substr(0, c.target.find('?'));
        if (brace != std::string::npos) {
          // Compare with the id put back as a placeholder.
          const auto prefix = pattern.substr(0, brace);
          if (target.rfind(prefix, 0) != 0) return false;
          const auto rest = target.substr(prefix.size());
          const auto slash = rest.find('/');
          target = prefix + "{id}" + (slash == std::string::npos ? "" : rest.substr(slash));
        }
        return c.method == upper && target == pattern;
      });
      if (path == "/api/v1/auth/login" || path == "/api/v1/auth/logout") continue;  // tested apart
      EXPECT_TRUE(covered) << upper << " " << path << " is not in the matrix";
    }
  }
  EXPECT_EQ(documented, cases.size() + 2) << "login and logout are tested apart";

  for (const auto& c : cases) {
    for (const std::string user : {"nobody", "op", "staff_a", "mgr", "admin"}) {
      // Empty bodies: an allowed role gets a 400 (required field) or a 409, never a change.
      const auto r = session(user).call(c.method, c.target, c.method == "GET" ? "" : "{}");
      const std::string what =
          user + " " + c.method + " " + c.target + " -> " + std::to_string(r.status) + " " + r.body;
      if (user == "nobody") {
        EXPECT_EQ(r.status, 401) << what;
      } else if (c.allowed.contains(user)) {
        EXPECT_TRUE(r.status != 401 && r.status != 403 && r.status != 404) << what;
      } else if (user == "staff_a" && c.target.find("/tickets/" + id) != std::string::npos) {
        // Another department's ticket does not exist for this user, whatever the action.
        EXPECT_TRUE(r.status == 404 || r.status == 403) << what;
        if (c.method == "GET") {
          EXPECT_EQ(r.status, 404) << what;
        }
      } else {
        EXPECT_EQ(r.status, 403) << what;
      }
    }
  }
}

// The live feed (GET /api/v1/events): a client that comes back with the last id it saw gets
// what happened meanwhile, and staff only hear of their departments' tickets.
TEST_F(GatewayApi, EventStreamResumesFromTheLastIdAndKeepsStaffToTheirDepartments) {
  const auto last_id = last_event_id;
  const auto now = session("mgr").get("/api/v1/events?wait=0");
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.header("Content-Type").value_or(""), "text/event-stream; charset=utf-8");
  EXPECT_NE(now.body.find("retry: "), std::string::npos) << now.body;
  const auto start = last_id(now.body);
  ASSERT_GE(start, 0) << "a first answer carries the current position: " << now.body;

  const auto id = record_appeal("ev-1", "公交车拒载", "公交车到站不停。")["id"].get<std::int64_t>();
  place(id, "lzq");
  const std::string needle = "\"ticket_id\":" + std::to_string(id) + ",";
  // A program reconnecting with Last-Event-ID (a bearer token: no cookie, no CSRF).
  const auto token = ok_json(session("mgr").post("/api/v1/auth/tokens", {{"name", "events"}}), 201);
  const auto resumed =
      testing::http_call(hub_env->port, "GET", "/api/v1/events?wait=5", "",
                         {{"Authorization", "Bearer " + token["token"].get<std::string>()},
                          {"Last-Event-ID", std::to_string(start)}});
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_NE(resumed.body.find("event: ticket"), std::string::npos) << resumed.body;
  EXPECT_NE(resumed.body.find(needle), std::string::npos) << resumed.body;
  EXPECT_GT(last_id(resumed.body), start);
  // Nothing is sent twice: from the last id on, this ticket's past is not repeated.
  const auto after =
      session("mgr").get("/api/v1/events?wait=0&after=" + std::to_string(last_id(resumed.body)));
  EXPECT_EQ(after.body.find(needle), std::string::npos) << after.body;

  const auto from = "/api/v1/events?wait=0&after=" + std::to_string(start);
  EXPECT_NE(session("staff_b").get(from).body.find(needle), std::string::npos) << "lzq leads it";
  EXPECT_EQ(session("staff_a").get(from).body.find(needle), std::string::npos)
      << "dlys must not hear of another department's ticket";
  EXPECT_EQ(session("mgr").get("/api/v1/events?after=x").status, 400);
}

// Event streams waiting for news hold no worker (gateway/live_feed.hpp): three times as many as
// the gateway has workers wait at once, other requests are still answered meanwhile, and one
// change answers every waiting stream that may see it with it; a department that may not keeps
// waiting and gets a ping with its place at the end of its wait. The clerks are of jgx and cxx,
// departments no rule and no other test gives tickets, so nothing else answers them first.
TEST_F(GatewayApi, EventStreamsWaitingForNewsHoldNoWorkerAndOneChangeAnswersThemAll) {
  for (const auto& [name, department] : {std::pair{"staff_j", "jgx"}, {"staff_c", "cxx"}}) {
    ASSERT_EQ(session("admin")
                  .post("/api/v1/users", {{"username", name},
                                          {"roles", {"staff"}},
                                          {"departments", {department}},
                                          {"password", kPassword}})
                  .status,
              201);
  }
  const auto& clerk = session("staff_j");
  const auto& other = session("staff_c");
  const auto start = last_event_id(session("mgr").get("/api/v1/events?wait=0").body);
  ASSERT_GE(start, 0);
  const auto waiting = [&] {
    const auto m = testing::http_call(hub_env->port, "GET", "/metrics").body;
    const std::string name = "\nappealhub_gateway_event_streams_waiting ";
    const auto at = m.find(name);
    return at == std::string::npos ? -1 : std::stoi(m.substr(at + name.size()));
  };
  constexpr int kStreams = 24, kOthers = 4;  // the gateway has 8 workers
  const auto from = "&after=" + std::to_string(start);
  std::vector<std::string> bodies(kStreams + kOthers);
  std::vector<std::chrono::steady_clock::duration> took(kStreams + kOthers);
  std::vector<std::thread> streams;
  struct JoinAll {  // on every way out: a joinable thread's destructor ends the process
    std::vector<std::thread>& threads;
    ~JoinAll() {
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } join_all{streams};
  for (int s = 0; s < kStreams + kOthers; ++s) {
    streams.emplace_back([&, s] {
      const auto began = std::chrono::steady_clock::now();
      bodies[s] = s < kStreams ? clerk.get("/api/v1/events?wait=20" + from).body
                               : other.get("/api/v1/events?wait=10" + from).body;
      took[s] = std::chrono::steady_clock::now() - began;
    });
  }
  EXPECT_TRUE(testing::eventually(10s, [&] { return waiting() == kStreams + kOthers; }))
      << waiting() << " streams waiting";
  const auto me = clerk.get("/api/v1/auth/me");
  EXPECT_EQ(me.status, 200) << "waiting streams hold the workers";
  const auto ticket =
      record_appeal("ev-wait", "隧道照明损坏", "剑门关隧道内多盏照明灯损坏，夜间行车看不清路面。");
  const auto id = ticket.is_object() ? ticket.value("id", std::int64_t{0}) : 0;
  if (id > 0) place(id, "jgx");
  for (auto& t : streams) t.join();
  ASSERT_GT(id, 0);
  const std::string needle = "\"ticket_id\":" + std::to_string(id) + ",";
  for (int s = 0; s < kStreams; ++s) {
    // Answered by the change, not by the end of the wait.
    EXPECT_NE(bodies[s].find(needle), std::string::npos) << s << ": " << bodies[s];
    EXPECT_GT(last_event_id(bodies[s]), start) << bodies[s];
    EXPECT_LT(took[s], 15s) << s;
  }
  for (int s = kStreams; s < kStreams + kOthers; ++s) {
    EXPECT_EQ(bodies[s].find(needle), std::string::npos) << "cxx heard of jgx's ticket";
    EXPECT_GE(last_event_id(bodies[s]), start) << bodies[s];
  }
  EXPECT_EQ(waiting(), 0);
}

// "Try these rules": where a sample appeal goes under the rules in force or under an edited
// document, and nothing is written.
TEST_F(GatewayApi, RulesAreTriedOnASampleAppealWithoutWritingAnything) {
  const json appeal{{"kind", "complaint"},
                    {"category", "taxi"},
                    {"division", "510802"},
                    {"title", "出租车拒载"},
                    {"content", "司机拒载，态度恶劣。"}};
  const auto tickets_before = hub_env->db->scalar("SELECT count(*) FROM ticket_events");
  const auto in_force = ok_json(session("admin").post("/api/v1/rules/try", {{"appeal", appeal}}));
  EXPECT_FALSE(in_force["reason"].get<std::string>().empty()) << in_force;
  const json edited{
      {"rules", {{{"id", "try-me"}, {"match", {{"keywords", {"拒载"}}}}, {"lead", "dlys"}}}}};
  const auto tried =
      ok_json(session("mgr").post("/api/v1/rules/try", {{"rules", edited}, {"appeal", appeal}}));
  EXPECT_EQ(tried["lead"], "dlys") << tried;
  EXPECT_EQ(tried["rule_id"], "try-me") << tried;
  EXPECT_FALSE(tried["lead_name"].get<std::string>().empty());
  EXPECT_EQ(tried["triage"], false);
  const auto nothing = ok_json(session("admin").post(
      "/api/v1/rules/try", {{"rules", {{"rules", json::array()}}}, {"appeal", appeal}}));
  EXPECT_EQ(nothing["triage"], true) << nothing;
  const json broken{{"rules", {{{"id", "bad"}, {"lead", "nowhere"}}}}};
  const auto refused =
      session("admin").post("/api/v1/rules/try", {{"rules", broken}, {"appeal", appeal}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("nowhere"), std::string::npos) << refused.body;
  EXPECT_EQ(session("admin").post("/api/v1/rules/try", {{"appeal", {{"kind", "rant"}}}}).status,
            400);
  EXPECT_EQ(hub_env->db->scalar("SELECT count(*) FROM ticket_events"), tickets_before);
}

// ---- knowledge base (docs/knowledge.md) --------------------------------------------------------

json knowledge_entry(const std::string& question, const std::string& owner,
                     const std::string& review_date = "2030-01-01") {
  return {{"question", question},
          {"answer", "测试答复：" + question},
          {"keywords", {"测试"}},
          {"category", "taxi"},
          {"policy",
           {{"title", "巡游出租汽车经营服务管理规定"}, {"number", "交通运输部令2014年第16号"}}},
          {"owner_department", owner},
          {"review_date", review_date},
          {"state", "published"}};
}

// Managers edit every entry, staff only their departments' ones; every save is a version.
TEST_F(GatewayApi, KnowledgeEntriesAreEditedByManagersAndTheOwnerDepartment) {
  auto mine = ok_json(session("staff_a").post("/api/v1/knowledge",
                                              knowledge_entry("道路运输证补办要多久？", "dlys")),
                      201);
  EXPECT_EQ(mine["version"], 1);
  EXPECT_EQ(mine["updated_by"], "staff_a");
  EXPECT_EQ(session("staff_a").post("/api/v1/knowledge", knowledge_entry("利州问题", "lzq")).status,
            403)
      << "staff write only for their own departments";
  const auto path = "/api/v1/knowledge/" + std::to_string(mine["id"].get<std::int64_t>());
  auto change = knowledge_entry("道路运输证补办要多久？", "dlys");
  change["answer"] = "材料齐全的，5个工作日内补发。";
  change["version"] = 1;
  change["note"] = "补充时限";
  EXPECT_EQ(session("staff_b").call("PUT", path, change.dump()).status, 403)
      << "another department's entry";
  const auto saved = ok_json(session("mgr").call("PUT", path, change.dump()));
  EXPECT_EQ(saved["version"], 2);
  const auto stale = session("staff_a").call("PUT", path, change.dump());
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json()["error"], "version_conflict");
  const auto read = ok_json(session("op").get(path));
  ASSERT_EQ(read["versions"].size(), 2u);
  EXPECT_EQ(read["versions"][0]["changed_by"], "mgr");
  EXPECT_EQ(read["versions"][0]["note"], "补充时限");
  EXPECT_EQ(read["versions"][1]["entry"]["answer"], "测试答复：道路运输证补办要多久？");
  EXPECT_EQ(read["may_edit"], false) << "operators read only";
  EXPECT_EQ(ok_json(session("staff_a").get(path))["may_edit"], true);
  change["owner_department"] = "lzq";
  change["version"] = 2;
  EXPECT_EQ(session("staff_a").call("PUT", path, change.dump()).status, 403)
      << "staff cannot give an entry away";
  auto broken = knowledge_entry("", "dlys");
  broken["review_date"] = "next year";
  const auto refused = session("mgr").post("/api/v1/knowledge", broken);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("question"), std::string::npos) << refused.body;
  broken["questoin"] = "道路运输证补办要多久？";  // a typo is named before what it causes
  const auto typo = session("mgr").post("/api/v1/knowledge", broken);
  EXPECT_EQ(typo.json()["error"], "unknown_field") << typo.body;
  EXPECT_EQ(typo.json()["message"], "questoin: unknown field");
  change.erase("version");
  change["owner_department"] = "dlys";
  const auto unversioned = session("mgr").call("PUT", path, change.dump());
  EXPECT_EQ(unversioned.status, 400);
  EXPECT_EQ(unversioned.json()["message"], "version: required, the version you changed");
}

// The owner sees its entries past their review date; expired entries are never suggested.
TEST_F(GatewayApi, EntriesPastReviewAreFlaggedAndExpiredOnesNeverSuggested) {
  const auto old = ok_json(
      session("mgr").post("/api/v1/knowledge",
                          knowledge_entry("货车年审逾期了怎么处理？", "dlys", "2024-01-01")),
      201);
  EXPECT_EQ(old["review_due"], true);
  const auto due =
      ok_json(session("staff_a").get("/api/v1/knowledge?department=mine&review_due=true"));
  bool listed = false;
  for (const auto& e : due["entries"]) listed = listed || e["id"] == old["id"];
  EXPECT_TRUE(listed) << due;
  const auto others =
      ok_json(session("staff_b").get("/api/v1/knowledge?department=mine&review_due=true"));
  for (const auto& e : others["entries"]) EXPECT_NE(e["id"], old["id"]);

  const json question{{"title", "货车年审逾期"}, {"content", "我的货车年审逾期了怎么处理"}};
  auto found = ok_json(session("op").post("/api/v1/knowledge/suggest", question));
  ASSERT_FALSE(found["entries"].empty());
  EXPECT_EQ(found["entries"][0]["id"], old["id"]);
  auto expire = knowledge_entry("货车年审逾期了怎么处理？", "dlys", "2024-01-01");
  expire["state"] = "expired";
  expire["version"] = 1;
  ok_json(session("staff_a").call(
      "PUT", "/api/v1/knowledge/" + std::to_string(old["id"].get<std::int64_t>()), expire.dump()));
  found = ok_json(session("op").post("/api/v1/knowledge/suggest", question));
  for (const auto& e : found["entries"])
    EXPECT_NE(e["id"], old["id"]) << "expired: never suggested";
}

// 即时答复 end to end: the operator records a phone consultation, picks a suggested entry, and the
// ticket is answered and closed at once with the entry cited; the statistics count it.
TEST_F(GatewayApi, OperatorAnswersAPhoneConsultationAtOnceAndItIsCountedAsInstant) {
  const auto totals = [] {
    return ok_json(
        session("mgr").get("/api/v1/stats/summary?from=2025-01-01&to=2026-12-31"))["total"];
  };
  const auto before = totals();
  const auto consultation = [](const std::string& request_id, const std::string& title,
                               const std::string& content) {
    const auto accepted =
        ok_json(session("op").post("/api/v1/tickets",
                                   {{"request_id", request_id},
                                    {"title", title},
                                    {"content", content},
                                    {"kind", "consultation"},
                                    {"category", "taxi"},
                                    {"division", "510802"},
                                    {"citizen", {{"name", "李明"}, {"phone", "13908395678"}}}}),
                202);
    return wait_ticket("operator", accepted["external_id"]);
  };
  // While the call goes on, the operator gets suggestions from what was typed.
  const auto suggested = ok_json(
      session("op").post("/api/v1/knowledge/suggest", {{"title", "出租车起步价"},
                                                       {"content", "市民来电：出租车起步价多少？"},
                                                       {"division", "510802"}}));
  ASSERT_FALSE(suggested["entries"].empty()) << suggested;
  const auto& entry = suggested["entries"][0];
  EXPECT_EQ(entry["question"], "广元城区出租车起步价和计价标准是多少？") << suggested;
  const auto ticket = consultation("ia-1", "出租车起步价", "市民来电：出租车起步价多少？");
  const auto id = ticket["id"].get<std::int64_t>();
  const auto answered =
      ok_json(session("op").post(t(id, "instant-answer"), {{"entry_id", entry["id"]}}), 201);
  EXPECT_EQ(answered["status"], "closed");
  const auto view = ok_json(session("mgr").get(t(id)));
  EXPECT_EQ(view["status"], "closed");
  ASSERT_EQ(view["knowledge_citations"].size(), 1u) << view;
  EXPECT_EQ(view["knowledge_citations"][0]["entry_id"], entry["id"]);
  EXPECT_EQ(view["knowledge_citations"][0]["instant"], true);
  ASSERT_FALSE(view["answers"].empty());
  EXPECT_EQ(view["answers"].back()["content"], entry["answer"]);
  bool instant_event = false;
  for (const auto& e : view["timeline"]) {
    if (e["type"] == "answer.final") instant_event = e["data"].value("instant", false);
  }
  EXPECT_TRUE(instant_event) << view["timeline"];
  EXPECT_EQ(session("op").post(t(id, "instant-answer"), {{"entry_id", entry["id"]}}).status, 409)
      << "answered already";
  // A consultation still waiting for its answer, and a complaint that cannot be answered so.
  consultation("ia-2", "网约车驾驶员证", "网约车驾驶员证怎么办？");
  const auto complaint =
      record_appeal("ia-3", "出租车拒载", "出租车拒载。")["id"].get<std::int64_t>();
  EXPECT_EQ(session("op").post(t(complaint, "instant-answer"), {{"entry_id", entry["id"]}}).status,
            422);
  const auto after = totals();
  EXPECT_EQ(after["consultations"].get<int>() - before["consultations"].get<int>(), 2);
  EXPECT_EQ(after["instant_answers"].get<int>() - before["instant_answers"].get<int>(), 1);
  EXPECT_EQ(after["instant_answer_rate"]["numerator"], after["instant_answers"]);
}

// Staff writing an answer get the best entries and their department's earlier answers.
TEST_F(GatewayApi, StaffGetEntriesAndTheirDepartmentsEarlierAnswersAsSuggestions) {
  const auto first =
      record_appeal("sg-1", "网约车驾驶员证办理", "想跑网约车，驾驶员证在哪里办？")["id"]
          .get<std::int64_t>();
  place(first, "dlys");
  ok_json(session("staff_a").post(t(first, "claim"), json::object()));
  ok_json(session("staff_a").post(
              t(first, "answers"),
              {{"type", "final_answer"}, {"content", "请到市道路运输事务中心报名考试。"}}),
          201);
  // Another citizen (the same caller's second appeal would be merged as a repeat).
  const auto accepted =
      ok_json(session("op").post("/api/v1/tickets",
                                 {{"request_id", "sg-2"},
                                  {"title", "网约车驾驶员证怎么办"},
                                  {"content", "网约车驾驶员证怎么考？"},
                                  {"kind", "consultation"},
                                  {"category", "ride_hailing"},
                                  {"division", "510824"},  // not staff_b's (lzq)
                                  {"citizen", {{"name", "赵六"}, {"phone", "13508390000"}}}}),
              202);
  const auto second = wait_ticket("operator", accepted["external_id"])["id"].get<std::int64_t>();
  place(second, "dlys");
  const auto s = ok_json(session("staff_a").get(t(second, "suggestions")));
  ASSERT_FALSE(s["entries"].empty()) << s;
  EXPECT_NE(s["entries"][0]["question"].get<std::string>().find("网约车"), std::string::npos) << s;
  ASSERT_FALSE(s["previous_answers"].empty()) << s;
  EXPECT_EQ(s["previous_answers"][0]["ticket_id"], first);
  EXPECT_EQ(s["previous_answers"][0]["answer"], "请到市道路运输事务中心报名考试。");
  EXPECT_EQ(session("staff_b").get(t(second, "suggestions")).status, 404);
}

// Every answer carries the security headers the web UI relies on.
// The hub's backends that ran (or run) a department's queue page (storage's department_queue_sql).
constexpr const char* kQueuePageBackends =
    "datname = current_database() AND pid <> pg_backend_pid() AND query LIKE "
    "'%DISTINCT ON (u.sort_key%'";

TEST_F(GatewayApi, WaitersForAQueuePageHoldNoWorkerAndRunAloneWhenTheirRunFails) {
  // The tickets table is locked, so the first request's run blocks in PostgreSQL while the
  // others wait for it: as callbacks, so the gateway's 8 workers still answer other requests.
  // That run is then cut: its own request gets 503, each waiter runs its own query (they block
  // on the lock too, one backend each), and once the lock goes every waiter gets its page.
  const auto& clerk = session("staff_a");
  const std::string page = "/api/v1/tickets?status=assigned,in_progress&sort=deadline";
  const auto waiting_backends = [&] {
    return std::stoi(hub_env->db->scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND " +
        std::string(kQueuePageBackends)));
  };
  auto holder = storage::connect({hub_env->db->uri()});
  auto lock = std::make_unique<pqxx::work>(*holder);
  lock->exec0("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE");
  constexpr int kClerks = 8;  // as many as the gateway has workers
  std::vector<int> statuses(kClerks);
  std::vector<std::thread> clerks;
  for (int c = 0; c < kClerks; ++c) {
    clerks.emplace_back([&, c] { statuses[c] = clerk.get(page).status; });
    if (c == 0) {
      EXPECT_TRUE(testing::eventually(10s, [&] { return waiting_backends() == 1; }));
    }
  }
  std::this_thread::sleep_for(300ms);  // the others' requests reach the gateway
  EXPECT_EQ(waiting_backends(), 1) << "the waiters ran queries of their own";
  const auto me = clerk.get("/api/v1/auth/me");
  EXPECT_EQ(me.status, 200) << "no worker was free: waiters hold workers";
  hub_env->db->exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
      "AND " +
      std::string(kQueuePageBackends));
  EXPECT_TRUE(testing::eventually(10s, [&] { return waiting_backends() == kClerks - 1; }))
      << waiting_backends() << " waiters ran alone";
  lock->commit();
  for (auto& t : clerks) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 503), 1)
      << ::testing::PrintToString(statuses);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), kClerks - 1)
      << ::testing::PrintToString(statuses);
}

TEST_F(GatewayApi, QueuePagesAskedAtOnceAreEachAnsweredOnceThroughBrokenConnections) {
  // Clerks polling one queue share database runs (gateway/shared_reads.hpp); the connections
  // those runs use are cut twice meanwhile. Every request still gets one answer: the page, or
  // 503 from a request whose own connection broke (its run or, when a shared run failed, the
  // run it then made alone).
  record_appeal("shared-runs-1", "出租车拒载", "乘客反映出租车在火车站拒载。");
  const auto shared_before = [&] {
    const auto m = testing::http_call(hub_env->port, "GET", "/metrics").body;
    const std::string name = "\nappealhub_gateway_list_shared_total ";
    const auto at = m.find(name);
    return at == std::string::npos ? -1.0 : std::stod(m.substr(at + name.size()));
  };
  const double shared_at_start = shared_before();
  const auto& clerk = session("staff_a");  // logged in before the threads share it
  constexpr int kClerks = 8, kPolls = 60;
  std::atomic<int> asked{0}, pages{0}, unavailable{0};
  std::mutex mutex;
  std::map<int, int> other;  // status → count, for anything else
  std::vector<std::thread> clerks;
  for (int c = 0; c < kClerks; ++c) {
    clerks.emplace_back([&] {
      for (int i = 0; i < kPolls; ++i) {
        ++asked;
        const auto r = clerk.get("/api/v1/tickets?status=assigned,in_progress,triage");
        if (r.status == 200 && r.json().contains("tickets")) {
          ++pages;
        } else if (r.status == 503) {
          ++unavailable;
        } else {
          std::lock_guard lock(mutex);
          ++other[r.status];
        }
      }
    });
  }
  int cut = 0;
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(testing::eventually(30s, [&] { return asked.load() > (round + 1) * 120; }));
    cut += static_cast<int>(
        hub_env->db
            ->column("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE " +
                     std::string(kQueuePageBackends))
            .size());
  }
  for (auto& t : clerks) t.join();
  EXPECT_GT(cut, 0) << "no connection that ran a queue page was cut";
  EXPECT_EQ(asked.load(), kClerks * kPolls);
  EXPECT_EQ(pages.load() + unavailable.load(), kClerks * kPolls) << ::testing::PrintToString(other);
  EXPECT_LE(unavailable.load(), 2 * cut) << "a cut connection fails its own request and the one "
                                            "its owner then runs again alone, no more";
  EXPECT_GT(shared_before(), shared_at_start) << "no request shared a run";
  // A cut connection that no request used since answers its next request 503, then reconnects.
  int calls = 0;
  EXPECT_TRUE(testing::eventually(10s, [&] {
    ++calls;
    return clerk.get("/api/v1/tickets?status=assigned,in_progress,triage").status == 200;
  }));
  EXPECT_LE(calls, cut + 1);
}

TEST_F(GatewayApi, EveryAnswerCarriesTheSecurityHeaders) {
  for (const auto& r :
       {session("mgr").get("/api/v1/auth/me"), session("nobody").get("/api/v1/auth/me"),
        testing::http_call(hub_env->port, "GET", "/healthz")}) {
    EXPECT_EQ(r.header("X-Frame-Options").value_or(""), "DENY");
    EXPECT_EQ(r.header("X-Content-Type-Options").value_or(""), "nosniff");
    const auto csp = r.header("Content-Security-Policy").value_or("");
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  }
}

}  // namespace
}  // namespace appealhub

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  appealhub::hub_env = new appealhub::Hub();
  ::testing::AddGlobalTestEnvironment(appealhub::hub_env);
  return RUN_ALL_TESTS();
}
