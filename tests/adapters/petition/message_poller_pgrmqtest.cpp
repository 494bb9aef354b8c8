// The petition poller and webhook against an in-test platform (FakeHttpServer checking
// signatures the way online-petition-api.md says): position and overlap, page tokens, nonces kept
// in PostgreSQL, and a poll and a webhook bringing the same change applied once by the hub.
// Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/petition/message_poller.hpp"
#include "adapters/petition/signing.hpp"
#include "adapters/petition/webhook.hpp"
#include "bus/topology.hpp"
#include "core/time.hpp"
#include "tests/http/fake_http_server.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kAppId = "gy-transport";
const std::string kSecret = "petition-test-secret";

std::string minute(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "2026-11-27T%02d:%02d:00+08:00", 8 + n / 60, n % 60);
  return text;
}

nlohmann::json message(int n, int updated_minute) {
  char id[32];
  std::snprintf(id, sizeof id, "WZ2026-1127-%06d", n);
  return {
      {"msg_id", id},
      {"title", "剑阁县班车不按时发车 " + std::to_string(n)},
      {"content", "班车经常晚发，耽误上班。"},
      {"created_at", minute(n)},
      {"updated_at", minute(updated_minute)},
      {"citizen", {{"nickname", "蜀道行者"}, {"phone_masked", "139****1234"}, {"verified", true}}},
      {"region_code", "510823"},
      {"topic", "交通出行"},
      {"deadline_at", "2026-12-11T23:59:59+08:00"},
      {"state", "assigned"},
      {"follow_ups", nlohmann::json::array()},
      {"rating", nullptr},
      {"attachments", nlohmann::json::array()}};
}

// The platform: messages by updated_at, oldest change first, page tokens "<offset>@<query>".
struct FakePlatform {
  std::mutex mutex;
  std::vector<nlohmann::json> messages;
  std::set<std::string> nonces;
  int refused = 0;
  testing::FakeHttpServer server{[this](const http::Request& r) { return answer(r); }};

  testing::FakeReply answer(const http::Request& r) {
    const std::lock_guard lock(mutex);
    const auto check =
        adapters::petition::check_signature(r, kAppId, kSecret, std::chrono::system_clock::now());
    if (check != adapters::petition::SignatureCheck::ok) {
      ++refused;
      return testing::json_reply(
          401, nlohmann::json{{"code", adapters::petition::to_string(check)}}.dump());
    }
    if (!nonces.insert(*r.header("X-Nonce")).second) {
      ++refused;
      return testing::json_reply(401, R"({"code":"replayed_nonce"})");
    }
    const auto since = core::parse_rfc3339(r.query_param("updated_since").value_or(""));
    const int size = std::stoi(r.query_param("page_size").value_or("0"));
    if (!since || size < 1 || size > 50) return testing::json_reply(400, R"({"code":"invalid"})");
    std::size_t offset = 0;
    if (const auto token = r.query_param("page_token")) {
      const auto at = token->find('@');
      if (token->substr(at + 1) != *r.query_param("updated_since")) {
        return testing::json_reply(400, R"({"code":"invalid","message":"token of another query"})");
      }
      offset = std::stoul(token->substr(0, at));
    }
    std::vector<nlohmann::json> changed;
    for (const auto& m : messages) {
      if (*core::parse_rfc3339(m["updated_at"].get<std::string>()) >= *since) changed.push_back(m);
    }
    std::stable_sort(changed.begin(), changed.end(), [](const auto& a, const auto& b) {
      return *core::parse_rfc3339(a["updated_at"].template get<std::string>()) <
             *core::parse_rfc3339(b["updated_at"].template get<std::string>());
    });
    nlohmann::json page = nlohmann::json::array();
    for (std::size_t i = offset; i < changed.size() && page.size() < static_cast<std::size_t>(size);
         ++i) {
      page.push_back(changed[i]);
    }
    const std::size_t next = offset + page.size();
    return testing::json_reply(
        200, nlohmann::json{{"messages", page},
                            {"next_page_token",
                             next < changed.size() ? nlohmann::json(std::to_string(next) + "@" +
                                                                    *r.query_param("updated_since"))
                                                   : nlohmann::json()}}
                 .dump());
  }
};

bus::BrokerConfig broker(const std::string& uri) {
  bus::BrokerConfig b;
  b.uri = uri;
  b.connect_timeout = 1s;
  b.reconnect_max = 500ms;
  return b;
}

adapters::petition::PetitionPollerOptions options(const std::string& base_url) {
  adapters::petition::PetitionPollerOptions o;
  o.api.base_url = base_url;
  o.api.app_id = kAppId;
  o.secret = kSecret;
  o.api.page_size = 5;
  o.confirm_timeout = 3s;
  return o;
}

TEST(PetitionPoller, PagesWithTokensKeepsThePositionAndOverlaps) {
  testing::TestDatabase db("petition_poller");
  testing::TestVhost vhost("petition_poller");
  bus::declare_topology(broker(vhost.uri()), bus::hub_topology());
  FakePlatform platform;
  for (int i = 1; i <= 12; ++i) platform.messages.push_back(message(i, i));
  adapters::petition::PetitionPoller poller(options(platform.server.base_url()),
                                            broker(vhost.uri()), {db.uri()});
  ASSERT_TRUE(poller.run_once());
  EXPECT_EQ(platform.refused, 0) << "every request was signed as documented";
  EXPECT_EQ(platform.server.requests().size(), 3u);  // 5 + 5 + 2
  EXPECT_EQ(poller.health().count("events_published"), 12u);
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE channel = 'petition'"), minute(12));

  // A follow-up changes message 3; the next poll asks from the position minus 5 minutes.
  platform.messages[2]["follow_ups"].push_back(
      {{"id", "F1"}, {"content", "还是晚发"}, {"created_at", minute(20)}});
  platform.messages[2]["updated_at"] = minute(20);
  ASSERT_TRUE(poller.run_once());
  const auto last = platform.server.requests().back();
  EXPECT_EQ(last.query_param("updated_since"), minute(7));
  EXPECT_EQ(poller.health().count("events_published"), 13u) << "only the follow-up is new";
  EXPECT_GE(poller.health().count("events_already_confirmed"), 6u);
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE channel = 'petition'"), minute(20));
}

std::string webhook_body(const nlohmann::json& m) {
  return nlohmann::json{{"event_id", "E1"},
                        {"type", "message.follow_up"},
                        {"occurred_at", minute(30)},
                        {"message", m}}
      .dump();
}

http::Request signed_post(const std::string& body) {
  http::Request r;
  r.method = "POST";
  r.target = "/webhooks/petition";
  r.body = body;
  r.headers = adapters::petition::signature_headers(kAppId, kSecret, "POST", r.target, body,
                                                    std::chrono::system_clock::now());
  return r;
}

TEST(PetitionWebhook, NoncesAreSharedInPostgresAndKeptOnlyWhenTakenIn) {
  testing::TestDatabase db("petition_webhook");
  testing::TestVhost vhost("petition_webhook");
  bus::declare_topology(broker(vhost.uri()), bus::hub_topology());
  const auto make = [&](const std::string& broker_uri) {
    return std::make_unique<adapters::petition::PetitionWebhook>(
        adapters::petition::PetitionWebhookOptions{kAppId, kSecret, 300s, {}},
        adapters::petition::make_webhook_intake(broker(broker_uri), {db.uri()}, 15min, 2s));
  };
  // Two gateways, one database.
  auto first = make(vhost.uri());
  auto second = make(vhost.uri());
  const auto request = signed_post(webhook_body(message(1, 1)));
  EXPECT_EQ(first->handle(request).status, 200);
  const auto replay = second->handle(request);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(replay.body.find("replayed_nonce"), std::string::npos);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM channel_nonces"), "1");

  // A broker that does not confirm: 503, and the nonce is not kept, so the retry can succeed.
  auto cut_off = make("amqp://guest:guest@127.0.0.1:1/");
  const auto later = signed_post(webhook_body(message(2, 2)));
  EXPECT_EQ(cut_off->handle(later).status, 503);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM channel_nonces"), "1");
  EXPECT_EQ(first->handle(later).status, 200);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM channel_nonces"), "2");
}

// The hub polls the platform while the same follow-up also arrives by webhook: one ticket, one
// follow-up on it.
TEST(PetitionPoller, APollAndAWebhookBringingTheSameChangeApplyOnce) {
  testing::TestDatabase db("petition_hub");
  testing::TestVhost vhost("petition_hub");
  FakePlatform platform;
  auto m = message(1, 1);
  m["follow_ups"].push_back({{"id", "F1"}, {"content", "还是晚发"}, {"created_at", minute(2)}});
  m["updated_at"] = minute(2);
  platform.messages.push_back(m);
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_petition_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path config = root / "appealhub.json";
  std::ofstream(config) << nlohmann::json{{"petition",
                                           {{"base_url", platform.server.base_url()},
                                            {"app_id", kAppId},
                                            {"poll_interval_ms", 200}}}}
                               .dump();
  testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config.string()},
                            {{"APPEALHUB_PG_URI", db.uri()},
                             {"APPEALHUB_AMQP_URI", vhost.uri()},
                             {"APPEALHUB_PETITION_SECRET", kSecret}},
                            (root / "hub.log").string());
  hub.start();
  ASSERT_TRUE(testing::eventually(
      60s,
      [&] { return db.scalar("SELECT count(*) FROM tickets WHERE channel = 'petition'") == "1"; }))
      << "see " << (root / "hub.log");
  adapters::petition::PetitionWebhook webhook(
      {kAppId, kSecret, 300s, {}},
      adapters::petition::make_webhook_intake(broker(vhost.uri()), {db.uri()}, 15min, 5s));
  EXPECT_EQ(webhook.handle(signed_post(webhook_body(m))).status, 200);
  std::this_thread::sleep_for(2s);  // several more polls bring the same facts again
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets"), "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ticket_events WHERE type = 'appeal.followed_up'"), "1");
  EXPECT_EQ(db.scalar("SELECT division FROM tickets"), "510823");
  EXPECT_EQ(platform.refused, 0);
  EXPECT_EQ(hub.terminate(), 0);
}

}  // namespace
}  // namespace appealhub
