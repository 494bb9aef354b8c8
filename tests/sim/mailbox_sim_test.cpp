// The mailbox simulator against leader-mailbox-api.md: auth, cursor paging, limits, rate limit,
// the reply idempotency table, the ratings feed, faults and the ledger.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "sim/mailbox_site.hpp"
#include "sim/sim_host.hpp"
#include "tests/sim/sim_client.hpp"

namespace appealhub::sim {
namespace {

using nlohmann::json;
using testing::call;
using testing::Reply;

const std::string kToken = "test-token-5f2a";

class MailboxSimTest : public ::testing::Test {
 protected:
  void start(MailboxOptions mailbox = quiet()) {
    mailbox.token = kToken;
    host_ = std::make_unique<SimHost>(HostOptions{}, make_mailbox_simulation(mailbox));
  }
  static MailboxOptions quiet() {  // no life events, no re-indexing: the test decides
    MailboxOptions o;
    o.withdraw_fraction = o.spam_fraction = o.rating_fraction = o.reindex_fraction = 0;
    o.rate_limit = 1000;
    return o;
  }
  Reply get(const std::string& target, const std::string& token = kToken) {
    return call(host_->port(), "GET", target, "", {{"Authorization", "Bearer " + token}});
  }
  Reply reply(const std::string& id, const json& body, const std::string& key) {
    http::Headers headers = {{"Authorization", "Bearer " + kToken}};
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return call(host_->port(), "POST", "/api/v1/letters/" + id + "/reply", body.dump(), headers);
  }
  std::vector<std::string> generate(int count, json overrides = json::object()) {
    overrides["count"] = count;
    const auto r = call(host_->port(), "POST", "/_sim/generate", overrides.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("ids").get<std::vector<std::string>>();
  }
  json control(const std::string& path, const json& body) {
    const auto r = call(host_->port(), "POST", path, body.dump());
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return r.json();
  }
  json ledger() { return call(host_->port(), "GET", "/_sim/ledger").json(); }
  static json answer(const std::string& content, bool publish) {
    return {{"content", content},
            {"department", "市道路运输事务中心"},
            {"replied_at", "2026-11-28T15:02:11+08:00"},
            {"publish", publish}};
  }

  std::unique_ptr<SimHost> host_;
};

TEST_F(MailboxSimTest, WrongOrMissingTokenGets401) {
  start();
  EXPECT_EQ(call(host_->port(), "GET", "/api/v1/letters").status, 401);
  const auto wrong = get("/api/v1/letters", "not-the-token");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json().at("error"), "unauthorized");
  EXPECT_TRUE(wrong.json().contains("message"));
  EXPECT_EQ(get("/api/v1/letters").status, 200);
  EXPECT_EQ(ledger().at("requests").at("unauthorized_401"), 2);
}

TEST_F(MailboxSimTest, CursorPagesEveryLetterOnceInSeqOrder) {
  start();
  const auto ids = generate(25);
  std::vector<std::string> seen;
  std::int64_t last_seq = 0;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    const auto r = get("/api/v1/letters?limit=10" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    for (const auto& letter : body.at("letters")) {
      EXPECT_GT(letter.at("seq").get<std::int64_t>(), last_seq);
      last_seq = letter.at("seq");
      seen.push_back(letter.at("id"));
      EXPECT_EQ(letter.at("status"), "pending");
      const std::set<std::string> types = {"咨询", "投诉", "建议", "举报", "求助", "其他"};
      EXPECT_TRUE(types.count(letter.at("type"))) << letter.at("type");
      EXPECT_FALSE(letter.at("subject").get<std::string>().empty());
    }
    cursor = body.at("next_cursor");
    if (!body.at("has_more")) break;
    EXPECT_EQ(body.at("letters").size(), 10u);
  }
  EXPECT_EQ(seen, ids);
  // At the end the cursor stays put and the page is empty until a letter comes.
  auto end = get("/api/v1/letters?cursor=" + cursor).json();
  EXPECT_TRUE(end.at("letters").empty());
  EXPECT_EQ(end.at("next_cursor"), cursor);
  const auto more = generate(1);
  end = get("/api/v1/letters?cursor=" + cursor).json();
  ASSERT_EQ(end.at("letters").size(), 1u);
  EXPECT_EQ(end.at("letters")[0].at("id"), more[0]);
  // One letter by id; an unknown one is 404.
  EXPECT_EQ(get("/api/v1/letters/" + ids[3]).json().at("id"), ids[3]);
  EXPECT_EQ(get("/api/v1/letters/L2000010100001").status, 404);
}

TEST_F(MailboxSimTest, LimitOutside1To100AndForeignCursorsGet400) {
  start();
  generate(30);
  EXPECT_EQ(get("/api/v1/letters").json().at("letters").size(), 20u);  // the default
  EXPECT_EQ(get("/api/v1/letters?limit=100").json().at("letters").size(), 30u);
  EXPECT_EQ(get("/api/v1/letters?limit=1").json().at("letters").size(), 1u);
  for (const char* bad : {"0", "101", "-1", "abc", ""}) {
    const auto r = get(std::string("/api/v1/letters?limit=") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json().at("error"), "invalid_limit");
  }
  EXPECT_EQ(get("/api/v1/letters?cursor=%%%").status, 400);
  EXPECT_EQ(get("/api/v1/letters?cursor=bm90LWpzb24").json().at("error"), "invalid_cursor");
  EXPECT_EQ(get("/api/v1/ratings?limit=101").status, 400);
}

TEST_F(MailboxSimTest, ReindexedLetterShowsUpAgainAfterTheCursor) {
  start();
  const auto ids = generate(3);
  const std::string cursor = get("/api/v1/letters").json().at("next_cursor");
  control("/_sim/act", {{"action", "reindex"}, {"id", ids[0]}});
  const auto again = get("/api/v1/letters?cursor=" + cursor).json().at("letters");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].at("id"), ids[0]);
}

TEST_F(MailboxSimTest, TenRequestsASecondPerTokenThen429WithRetryAfter) {
  MailboxOptions options = quiet();
  options.rate_limit = 10;
  start(options);
  int ok = 0, limited = 0;
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < 15; ++i) {
    const auto r = get("/api/v1/letters");
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      EXPECT_GE(std::stoi(r.header("Retry-After").value_or("0")), 1);
      EXPECT_EQ(r.json().at("error"), "rate_limited");
    }
  }
  // The bucket holds 10 and refills at 10 a second while the loop runs.
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  EXPECT_GE(ok, 10);
  EXPECT_LE(ok, 10 + static_cast<int>(took * 10) + 1);
  EXPECT_EQ(ok + limited, 15);
  EXPECT_EQ(ledger().at("requests").at("rate_limited_429"), limited);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(get("/api/v1/letters").status, 200);
}

TEST_F(MailboxSimTest, ReplyIdempotencyTable) {
  start();
  const auto open = generate(4, {{"public", true}});
  const auto closed = generate(1, {{"public", false}});
  const json body = answer("您好，已责成相关公交公司整改。", true);

  const auto missing = reply(open[0], body, "");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json().at("error"), "missing_idempotency_key");

  const auto first = reply(open[0], body, "k-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string reply_id = first.json().at("reply_id");
  const auto again = reply(open[0], body, "k-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("reply_id"), reply_id);
  // Same body with the keys in another order is the same body.
  const json reordered = json::parse(R"({"publish": true, "replied_at": "2026-11-28T15:02:11+08:00",
      "department": "市道路运输事务中心", "content": "您好，已责成相关公交公司整改。"})");
  EXPECT_EQ(reply(open[0], reordered, "k-1").status, 200);

  EXPECT_EQ(reply(open[0], answer("另一个答复", true), "k-1").status, 422);  // other body
  EXPECT_EQ(reply(open[1], body, "k-1").status, 422);                        // other letter
  const auto twice = reply(open[0], answer("再答一次", true), "k-2");
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.json().at("error"), "already_replied");

  control("/_sim/act", {{"action", "withdraw"}, {"id", open[2]}});
  const auto withdrawn = reply(open[2], body, "k-3");
  EXPECT_EQ(withdrawn.status, 410);
  EXPECT_EQ(withdrawn.json().at("error"), "withdrawn");
  EXPECT_EQ(get("/api/v1/letters/" + open[2]).json().at("status"), "withdrawn");

  EXPECT_EQ(reply("L2000010100001", body, "k-4").json().at("error"), "not_found");
  EXPECT_EQ(reply(open[1], answer("", true), "k-5").status, 422);
  EXPECT_EQ(reply(open[1], answer("   ", true), "k-5").status, 422);
  std::string too_long;
  for (int i = 0; i < 5001; ++i) too_long += "路";
  EXPECT_EQ(reply(open[1], answer(too_long, true), "k-6").status, 422);
  EXPECT_EQ(reply(closed[0], answer("答复", true), "k-7").json().at("error"), "invalid");
  EXPECT_EQ(reply(closed[0], answer("答复", false), "k-8").status, 201);
  too_long.resize(too_long.size() - 3);  // 5000 characters is allowed
  EXPECT_EQ(reply(open[1], answer(too_long, true), "k-9").status, 201);
  EXPECT_EQ(get("/api/v1/letters/" + open[1]).json().at("status"), "replied");

  const json replies = ledger().at("received").at("replies");
  ASSERT_EQ(replies.size(), 3u);
  for (const auto& r : replies) {
    EXPECT_EQ(r.at("accepted_new"), 1);
    if (r.at("idempotency_key") == "k-1") {
      EXPECT_EQ(r.at("repeated"), 2);
      EXPECT_EQ(r.at("conflicting"), 2);
    }
  }
}

TEST_F(MailboxSimTest, FaultAfterStoredThenRetryWithSameKeyGets200) {
  start();
  const auto ids = generate(1, {{"public", true}});
  control("/_sim/faults", {{"drop_after_store", 1.0}});
  const auto lost = reply(ids[0], answer("已处理。", true), "k-lost");
  EXPECT_TRUE(lost.dropped);
  control("/_sim/faults", {{"drop_after_store", 0.0}});
  const auto retry = reply(ids[0], answer("已处理。", true), "k-lost");
  EXPECT_EQ(retry.status, 200);
  const json l = ledger();
  EXPECT_EQ(l.at("received").at("replies")[0].at("accepted_new"), 1);
  EXPECT_EQ(l.at("received").at("replies")[0].at("repeated"), 1);
  EXPECT_EQ(l.at("faults").at("injected").at("drop_after_store"), 1);
}

TEST_F(MailboxSimTest, FaultsAreSwitchedAtRunTime) {
  start();
  control("/_sim/faults", {{"error_5xx", 1.0}});
  std::set<int> statuses;
  for (int i = 0; i < 20; ++i) statuses.insert(get("/api/v1/letters").status);
  EXPECT_TRUE(std::all_of(statuses.begin(), statuses.end(),
                          [](int s) { return s == 500 || s == 502 || s == 503; }));
  control("/_sim/faults", {{"error_5xx", 0.0}, {"drop", 1.0}});
  EXPECT_TRUE(get("/api/v1/letters").dropped);
  control("/_sim/faults", {{"drop", 0.0}, {"burst_429_now_ms", 1500}});
  EXPECT_EQ(get("/api/v1/letters").status, 429);
  control("/_sim/faults", {{"burst_429_now_ms", 1}});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  control("/_sim/faults", {{"slow", 1.0}, {"slow_ms", 300}});
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(get("/api/v1/letters").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(300));
  EXPECT_EQ(call(host_->port(), "POST", "/_sim/faults", R"({"drop": 2})").status, 400);
  const json injected = ledger().at("faults").at("injected");
  EXPECT_EQ(injected.at("drop"), 1);
  EXPECT_EQ(injected.at("slow"), 1);
  EXPECT_EQ(call(host_->port(), "GET", "/_sim/healthz").json().at("simulator"), "mailbox");
}

TEST_F(MailboxSimTest, RatingsFeedKeepsEveryEntryNewerOnesLast) {
  start();
  const auto ids = generate(3, {{"public", true}});
  ASSERT_EQ(reply(ids[0], answer("答复一", true), "r-1").status, 201);
  ASSERT_EQ(reply(ids[1], answer("答复二", true), "r-2").status, 201);
  ASSERT_EQ(reply(ids[2], answer("答复三", false), "r-3").status, 201);
  EXPECT_EQ(
      call(host_->port(), "POST", "/_sim/act", json{{"action", "rate"}, {"id", ids[2]}}.dump())
          .status,
      409);  // not published: nothing to rate
  control("/_sim/act", {{"action", "rate"}, {"id", ids[0]}, {"rating", "不满意"}});
  control("/_sim/act", {{"action", "rate"}, {"id", ids[1]}, {"rating", "满意"}});
  control("/_sim/act", {{"action", "rate"}, {"id", ids[0]}, {"rating", "基本满意"}});

  const json first = get("/api/v1/ratings?limit=2").json();
  ASSERT_EQ(first.at("ratings").size(), 2u);
  EXPECT_TRUE(first.at("has_more"));
  EXPECT_EQ(first.at("ratings")[0].at("letter_id"), ids[0]);
  EXPECT_EQ(first.at("ratings")[0].at("rating"), "不满意");
  const json second =
      get("/api/v1/ratings?limit=2&cursor=" + first.at("next_cursor").get<std::string>()).json();
  ASSERT_EQ(second.at("ratings").size(), 1u);
  EXPECT_FALSE(second.at("has_more"));
  EXPECT_EQ(second.at("ratings")[0].at("letter_id"), ids[0]);
  EXPECT_EQ(second.at("ratings")[0].at("rating"), "基本满意");
  // A letters cursor is not a ratings cursor.
  const std::string letters_cursor = get("/api/v1/letters").json().at("next_cursor");
  EXPECT_EQ(get("/api/v1/ratings?cursor=" + letters_cursor).status, 400);
}

TEST_F(MailboxSimTest, LifeWithdrawsLettersAndRatesPublishedReplies) {
  MailboxOptions options = quiet();
  options.withdraw_fraction = 1.0;
  options.rating_fraction = 1.0;
  options.life_seconds = 0.2;
  start(options);
  const auto ids = generate(2, {{"public", true}});
  ASSERT_EQ(reply(ids[0], answer("及时答复", true), "life-1").status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(get("/api/v1/letters/" + ids[1]).json().at("status"), "withdrawn");
  EXPECT_EQ(get("/api/v1/letters/" + ids[0]).json().at("status"), "replied");  // too late
  const json ratings = get("/api/v1/ratings").json().at("ratings");
  ASSERT_GE(ratings.size(), 1u);
  EXPECT_EQ(ratings[0].at("letter_id"), ids[0]);
  // The withdrawn letter is re-indexed so that a reader past it sees the change.
  const json letters = get("/api/v1/letters").json().at("letters");
  EXPECT_EQ(letters.back().at("id"), ids[1]);
  EXPECT_EQ(letters.back().at("status"), "withdrawn");
  bool logged = false;
  const json events = ledger().at("issued").at("events");
  for (const auto& e : events) {
    logged |= e.at("kind") == "withdrawn" && e.at("letter_id") == ids[1];
  }
  EXPECT_TRUE(logged);
}

TEST_F(MailboxSimTest, GeneratorRunsAtItsRateUpToItsCount) {
  MailboxOptions mailbox = quiet();
  mailbox.token = kToken;
  HostOptions options;
  options.rate = 50;
  options.count = 5;
  host_ = std::make_unique<SimHost>(options, make_mailbox_simulation(mailbox));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const json letters = get("/api/v1/letters?limit=100").json().at("letters");
  EXPECT_EQ(letters.size(), 5u);
  control("/_sim/pause", json::object());
  EXPECT_TRUE(ledger().at("generation").at("paused"));
}

}  // namespace
}  // namespace appealhub::sim
