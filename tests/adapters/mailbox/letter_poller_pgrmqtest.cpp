// The mailbox poller against an in-test website (FakeHttpServer speaking leader-mailbox-api.md):
// in process for the cursor, the lease and the peer's failures; and end to end, `appealhub run`
// turning letters into tickets, surviving a SIGKILL in the middle of paging without losing or
// doubling a letter. Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "adapters/common/channel_api.hpp"
#include "adapters/mailbox/letter_poller.hpp"
#include "bus/topology.hpp"
#include "tests/http/fake_http_server.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kToken = "mailbox-test-token";

// The website: `count` pending letters L0001…, paged by cursor "after:<seq>"; later letters can be
// added (a withdrawal re-indexed with a new seq). Ratings: one per letter in `rated`.
struct FakeWebsite {
  std::mutex mutex;
  std::vector<nlohmann::json> letters;
  std::vector<nlohmann::json> ratings;
  std::atomic<int> delay_ms{0};
  std::atomic<int> fail_next{0};  // answer this many requests with the status below
  std::atomic<int> fail_status{503};
  testing::FakeHttpServer server{[this](const http::Request& r) { return answer(r); }};

  explicit FakeWebsite(int count) {
    for (int i = 1; i <= count; ++i) add_letter(i, "pending");
  }

  void add_letter(int n, const std::string& status) {
    const std::lock_guard lock(mutex);
    char id[16];
    std::snprintf(id, sizeof id, "L%04d", n);
    letters.push_back(
        {{"id", id},
         {"seq", static_cast<int>(letters.size()) + 1},
         {"submitted_at", "2026-11-27T09:15:32+08:00"},
         // A phone of its own: letters from one phone are compared as repeats.
         {"writer",
          {{"name", "李某"}, {"phone", std::to_string(13908390000LL + n)}, {"email", ""}}},
         {"type", "投诉"},
         {"subject", "利州区公交站台无人清扫 " + std::to_string(n)},
         {"content", "第" + std::to_string(n) + "封信：站台垃圾 &amp; 站牌遮挡。"},
         {"public", true},
         {"attachments", nlohmann::json::array()},
         {"status", status}});
  }

  testing::FakeReply answer(const http::Request& r) {
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
    if (r.header("Authorization") != "Bearer " + kToken) {
      return testing::json_reply(401, R"({"error":"unauthorized","message":"token"})");
    }
    if (fail_next > 0) {
      --fail_next;
      auto reply = testing::json_reply(fail_status, R"({"error":"busy","message":"later"})");
      if (fail_status == 429) reply.response.headers.emplace_back("Retry-After", "1");
      return reply;
    }
    const int limit = std::stoi(r.query_param("limit").value_or("0"));
    if (limit < 1 || limit > 100) return testing::json_reply(400, R"({"error":"invalid"})");
    const auto cursor = r.query_param("cursor").value_or("after:0");
    const int after = std::stoi(cursor.substr(6));
    const std::lock_guard lock(mutex);
    const bool letters_feed = r.path() == "/api/v1/letters";
    const auto& feed = letters_feed ? letters : ratings;
    nlohmann::json items = nlohmann::json::array();
    int last = after;
    for (int i = after; i < static_cast<int>(feed.size()) && static_cast<int>(items.size()) < limit;
         ++i) {
      items.push_back(feed[static_cast<std::size_t>(i)]);
      last = i + 1;
    }
    const bool more = last < static_cast<int>(feed.size());
    return testing::json_reply(200, nlohmann::json{{letters_feed ? "letters" : "ratings", items},
                                                   {"next_cursor", "after:" + std::to_string(last)},
                                                   {"has_more", more}}
                                        .dump());
  }

  std::size_t letter_requests() {
    std::size_t n = 0;
    for (const auto& r : server.requests()) n += r.path() == "/api/v1/letters";
    return n;
  }
};

adapters::mailbox::MailboxPollerOptions options(const std::string& base_url) {
  adapters::mailbox::MailboxPollerOptions o;
  o.api.base_url = base_url;
  o.api.request_timeout = 2s;
  o.token = kToken;
  o.api.page_size = 10;
  o.confirm_timeout = 3s;
  return o;
}

bus::BrokerConfig broker(const std::string& uri) {
  bus::BrokerConfig b;
  b.uri = uri;
  b.connect_timeout = 1s;
  b.reconnect_max = 500ms;
  return b;
}

TEST(MailboxPoller, PagesToTheEndStoresTheCursorAndTheStatus) {
  testing::TestDatabase db("mailbox_poller_pages");
  testing::TestVhost vhost("mailbox_poller_pages");
  bus::declare_topology(broker(vhost.uri()), bus::hub_topology());
  FakeWebsite site(25);
  site.ratings.push_back({{"letter_id", "L0001"},
                          {"rating", "满意"},
                          {"comment", ""},
                          {"rated_at", "2026-11-29T10:00:00+08:00"}});
  adapters::mailbox::MailboxPoller poller(options(site.server.base_url()), broker(vhost.uri()),
                                          {db.uri()});
  ASSERT_TRUE(poller.run_once());
  EXPECT_EQ(site.letter_requests(), 3u);  // 10 + 10 + 5
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE channel = 'mailbox' AND name = "
                      "'letters'"),
            "after:25");
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE channel = 'mailbox' AND name = "
                      "'ratings'"),
            "after:1");
  EXPECT_EQ(poller.health().count("events_published"), 26u);

  // The next pass starts at the cursor: only the new letter (a re-indexed withdrawal) comes.
  site.add_letter(3, "withdrawn");
  ASSERT_TRUE(poller.run_once());
  EXPECT_EQ(poller.health().count("events_published"), 27u);
  EXPECT_EQ(poller.health().count("events_withdrawn"), 1u);
  const auto requests = site.server.requests();
  EXPECT_EQ(requests[requests.size() - 2].query_param("cursor"), "after:25");

  poller.health().store(*storage::connect({db.uri()}));
  EXPECT_EQ(db.scalar("SELECT counters->>'events_published' FROM adapter_status"
                      " WHERE adapter = 'mailbox'"),
            "27");
  EXPECT_EQ(db.scalar("SELECT last_success_at IS NOT NULL FROM adapter_status"), "t");
  core::MetricsText text;
  adapters::adapter_metrics(text);
  const std::string metrics = text.text();
  EXPECT_NE(metrics.find("appealhub_adapter_events_published_total{adapter=\"mailbox\"} 27"),
            std::string::npos)
      << metrics;
}

TEST(MailboxPoller, KeepsTheCursorWhenTheBrokerDoesNotConfirm) {
  testing::TestDatabase db("mailbox_poller_no_broker");
  FakeWebsite site(5);
  // Nothing listens there: no confirms.
  adapters::mailbox::MailboxPoller poller(options(site.server.base_url()),
                                          broker("amqp://guest:guest@127.0.0.1:1/"), {db.uri()});
  EXPECT_THROW(poller.run_once(), std::runtime_error);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM channel_cursors"), "0");
}

TEST(MailboxPoller, TellsRateLimitsTransientFailuresAndBadTokensApart) {
  testing::TestDatabase db("mailbox_poller_failures");
  testing::TestVhost vhost("mailbox_poller_failures");
  bus::declare_topology(broker(vhost.uri()), bus::hub_topology());
  FakeWebsite site(3);
  auto poller = std::make_unique<adapters::mailbox::MailboxPoller>(
      options(site.server.base_url()), broker(vhost.uri()), storage::DatabaseConfig{db.uri()});
  const auto failure_of =
      [](adapters::mailbox::MailboxPoller& p) -> std::pair<adapters::ApiFailure, long long> {
    try {
      p.run_once();
    } catch (const adapters::ChannelApiError& e) {
      return {e.failure(), e.retry_after() ? e.retry_after()->count() : -1};
    }
    ADD_FAILURE() << "no ChannelApiError";
    return {adapters::ApiFailure::malformed, -1};
  };
  site.fail_status = 429;
  site.fail_next = 1;
  EXPECT_EQ(failure_of(*poller), std::make_pair(adapters::ApiFailure::rate_limited, 1LL));
  site.fail_status = 503;
  site.fail_next = 1;
  EXPECT_EQ(failure_of(*poller).first, adapters::ApiFailure::transient);
  site.delay_ms = 2500;  // over the 2 s request timeout
  EXPECT_EQ(failure_of(*poller).first, adapters::ApiFailure::transient);
  site.delay_ms = 0;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM channel_cursors"), "0");
  EXPECT_TRUE(poller->run_once());
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE name = 'letters'"), "after:3");
  poller.reset();  // frees the lease

  auto wrong = options(site.server.base_url());
  wrong.token = "stolen";
  adapters::mailbox::MailboxPoller intruder(wrong, broker(vhost.uri()), {db.uri()});
  EXPECT_EQ(failure_of(intruder).first, adapters::ApiFailure::unauthorized);
}

TEST(MailboxPoller, OnlyOneProcessPollsAtATime) {
  testing::TestDatabase db("mailbox_poller_lease");
  testing::TestVhost vhost("mailbox_poller_lease");
  bus::declare_topology(broker(vhost.uri()), bus::hub_topology());
  FakeWebsite site(2);
  auto first = std::make_unique<adapters::mailbox::MailboxPoller>(
      options(site.server.base_url()), broker(vhost.uri()), storage::DatabaseConfig{db.uri()});
  adapters::mailbox::MailboxPoller second(options(site.server.base_url()), broker(vhost.uri()),
                                          {db.uri()});
  EXPECT_TRUE(first->run_once());
  EXPECT_FALSE(second.run_once());
  first.reset();  // its session ends: the lease is free
  EXPECT_TRUE(second.run_once());
}

// `appealhub run` with the mailbox: every letter becomes one ticket, the withdrawn one is
// withdrawn, and a SIGKILL while paging loses and doubles nothing.
TEST(MailboxPoller, HubTakesEveryLetterOnceAcrossASigkill) {
  testing::TestDatabase db("mailbox_hub");
  testing::TestVhost vhost("mailbox_hub");
  FakeWebsite site(60);
  site.delay_ms = 150;  // about 1 s for the 60 letters in pages of 5: time to kill in between
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_mailbox_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path config = root / "appealhub.json";
  std::ofstream(config) << nlohmann::json{
      {"mailbox",
       {{"base_url", site.server.base_url()},
        {"poll_interval_ms", 200},
        {"page_size", 5}}}}.dump();
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_MAILBOX_TOKEN", kToken}};
  {
    testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config.string()},
                              env, (root / "hub1.log").string());
    hub.start();
    ASSERT_TRUE(testing::eventually(60s, [&] { return site.letter_requests() >= 5; }))
        << "see " << (root / "hub1.log");
    hub.kill(SIGKILL);
  }
  EXPECT_NE(db.scalar("SELECT value FROM channel_cursors WHERE name = 'letters'"), "after:60")
      << "killed while paging";
  site.add_letter(7, "withdrawn");
  site.delay_ms = 0;
  testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config.string()}, env,
                            (root / "hub2.log").string());
  hub.start();
  ASSERT_TRUE(testing::eventually(
      60s,
      [&] {
        return db.scalar("SELECT count(*) FROM tickets WHERE channel = 'mailbox'") == "60" &&
               db.scalar("SELECT status FROM tickets WHERE external_id = 'L0007'") == "withdrawn";
      }))
      << "see " << (root / "hub2.log");
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT external_id) FROM tickets"), "60");
  EXPECT_EQ(db.scalar("SELECT appeal->>'division' FROM tickets WHERE external_id = 'L0001'"),
            "510802");
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE name = 'letters'"), "after:61");
  ASSERT_TRUE(testing::eventually(10s, [&] {
    return db.scalar("SELECT count(*) FROM adapter_status WHERE adapter = 'mailbox'") == "1";
  }));
  EXPECT_EQ(hub.terminate(), 0);
}

}  // namespace
}  // namespace appealhub
