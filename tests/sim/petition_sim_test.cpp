// The petition simulator against online-petition-api.md: signing (accepted, bad_signature,
// stale_timestamp, replayed_nonce), updated_since paging with page tokens bound to their query,
// the reply table, the rate limit, and webhooks delivered signed and retried.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "sim/petition_platform.hpp"
#include "sim/sim_host.hpp"
#include "http/url.hpp"
#include "tests/sim/sim_client.hpp"

namespace appealhub::sim {
namespace {

using nlohmann::json;
using testing::call;
using testing::Reply;

const std::string kAppId = "gy-jtj-001";
const std::string kSecret = "s3cr3t-for-tests";

// Written apart from the simulator's own code so that a shared mistake cannot hide.
std::string hex(const unsigned char* data, unsigned size) {
  std::string out;
  char buffer[3];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", data[i]);
    out += buffer;
  }
  return out;
}
std::string sign(const std::string& secret, const std::string& method, const std::string& target,
                 const std::string& timestamp, const std::string& nonce, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(body.data(), body.size(), digest, &size, EVP_sha256(), nullptr);
  const std::string text =
      method + "\n" + target + "\n" + timestamp + "\n" + nonce + "\n" + hex(digest, size);
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &size);
  return hex(digest, size);
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string fresh_nonce() {
  static std::atomic<int> counter{0};
  return "testnonce" + std::to_string(now_s()) + "n" + std::to_string(++counter);
}

class PetitionSimTest : public ::testing::Test {
 protected:
  void start(PetitionOptions options = quiet()) {
    options.app_id = kAppId;
    options.secret = kSecret;
    host_ = std::make_unique<SimHost>(HostOptions{}, make_petition_simulation(options));
  }
  static PetitionOptions quiet() {
    PetitionOptions o;
    o.follow_up_fraction = o.rating_fraction = o.withdraw_fraction = o.reassign_fraction = 0;
    o.rate_limit = 1000;
    return o;
  }
  Reply signed_call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::int64_t skew = 0, std::string nonce = "",
                    const std::string& secret = kSecret) {
    if (nonce.empty()) nonce = fresh_nonce();
    const std::string ts = std::to_string(now_s() + skew);
    return call(host_->port(), method, target, body,
                {{"X-App-Id", kAppId},
                 {"X-Timestamp", ts},
                 {"X-Nonce", nonce},
                 {"X-Signature", sign(secret, method, target, ts, nonce, body)}});
  }
  std::vector<std::string> generate(int count) {
    const auto r = call(host_->port(), "POST", "/_sim/generate", json{{"count", count}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("ids").get<std::vector<std::string>>();
  }
  json act(const std::string& action, const std::string& id, json extra = json::object()) {
    extra["action"] = action;
    extra["id"] = id;
    const auto r = call(host_->port(), "POST", "/_sim/act", extra.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  Reply post_reply(const std::string& msg_id, const json& body) {
    return signed_call("POST", "/open/v2/messages/" + msg_id + "/replies", body.dump());
  }
  json ledger() { return call(host_->port(), "GET", "/_sim/ledger").json(); }
  static std::string since_hour_ago() {
    return "updated_since=" + http::percent_encode(rfc3339(now_s() - 3600));
  }
  static json answer(const std::string& request_id, const std::string& content,
                     json reply_to = nullptr) {
    json body = {{"request_id", request_id},
                 {"content", content},
                 {"handler_unit", "剑阁县交通运输局"},
                 {"handled_at", "2026-11-28T10:00:00+08:00"}};
    if (!reply_to.is_null()) body["reply_to"] = reply_to;
    return body;
  }

  std::unique_ptr<SimHost> host_;
};

TEST_F(PetitionSimTest, SigningAcceptedBadSignatureStaleTimestampReplayedNonce) {
  start();
  const std::string target = "/open/v2/messages?" + since_hour_ago() + "&page_size=50";
  EXPECT_EQ(signed_call("GET", target).status, 200);
  EXPECT_EQ(signed_call("GET", target, "", -250).status, 200);  // drift inside the window

  const auto wrong_secret = signed_call("GET", target, "", 0, "", "another-secret");
  EXPECT_EQ(wrong_secret.status, 401);
  EXPECT_EQ(wrong_secret.json().at("code"), "bad_signature");
  // Signed for one query, sent with another.
  const std::string ts = std::to_string(now_s());
  const std::string nonce = fresh_nonce();
  const auto moved = call(host_->port(), "GET", target + "0", "",
                          {{"X-App-Id", kAppId},
                           {"X-Timestamp", ts},
                           {"X-Nonce", nonce},
                           {"X-Signature", sign(kSecret, "GET", target, ts, nonce, "")}});
  EXPECT_EQ(moved.json().at("code"), "bad_signature");
  EXPECT_EQ(call(host_->port(), "GET", target).json().at("code"), "bad_signature");  // unsigned
  EXPECT_EQ(signed_call("GET", target, "", 0, "short").json().at("code"), "bad_signature");

  for (const std::int64_t skew : {-301, 400}) {
    const auto stale = signed_call("GET", target, "", skew);
    EXPECT_EQ(stale.status, 401);
    EXPECT_EQ(stale.json().at("code"), "stale_timestamp") << skew;
  }
  const std::string reused = fresh_nonce();
  EXPECT_EQ(signed_call("GET", target, "", 0, reused).status, 200);
  const auto replay = signed_call("GET", target, "", 0, reused);
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(replay.json().at("code"), "replayed_nonce");

  const json details = ledger().at("requests").at("details");
  EXPECT_EQ(details.at("401 bad_signature"), 4);
  EXPECT_EQ(details.at("401 stale_timestamp"), 2);
  EXPECT_EQ(details.at("401 replayed_nonce"), 1);
}

TEST_F(PetitionSimTest, UpdatedSincePagingWithTokensBoundToTheirQuery) {
  start();
  const auto ids = generate(7);
  const std::string query = "/open/v2/messages?" + since_hour_ago() + "&page_size=3";
  std::vector<std::string> seen;
  std::string token;
  std::vector<std::string> tokens;
  for (int page = 0; page < 5; ++page) {
    const auto r = signed_call("GET", token.empty() ? query : query + "&page_token=" + token);
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    for (const auto& m : body.at("messages")) seen.push_back(m.at("msg_id"));
    if (body.at("next_page_token").is_null()) break;
    token = body.at("next_page_token");
    tokens.push_back(token);
  }
  EXPECT_EQ(seen, ids);
  ASSERT_EQ(tokens.size(), 2u);

  // The token alone carries its query; with another query it is refused.
  EXPECT_EQ(
      signed_call("GET", "/open/v2/messages?page_token=" + tokens[0]).json().at("messages").size(),
      3u);
  const auto other_size = signed_call(
      "GET", "/open/v2/messages?" + since_hour_ago() + "&page_size=4&page_token=" + tokens[0]);
  EXPECT_EQ(other_size.status, 400);
  EXPECT_EQ(other_size.json().at("code"), "invalid_page_token");
  const auto other_since = signed_call(
      "GET", "/open/v2/messages?updated_since=" + http::percent_encode(rfc3339(now_s() - 60)) +
                 "&page_size=3&page_token=" + tokens[0]);
  EXPECT_EQ(other_since.json().at("code"), "invalid_page_token");
  std::string forged = tokens[0];
  forged[2] = forged[2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(signed_call("GET", "/open/v2/messages?page_token=" + forged).status, 400);

  for (const char* size : {"0", "51", "x"}) {
    EXPECT_EQ(
        signed_call("GET", "/open/v2/messages?" + since_hour_ago() + "&page_size=" + size).status,
        400);
  }
  EXPECT_EQ(signed_call("GET", "/open/v2/messages?page_size=5").status, 400);  // no updated_since
  // A '+' left unencoded is a space: not a time.
  EXPECT_EQ(signed_call("GET", "/open/v2/messages?updated_since=2026-11-27T00:00:00+08:00").status,
            400);

  // Inclusive: a message updated at exactly updated_since is in; one second later it is out.
  const json one = signed_call("GET", "/open/v2/messages/" + ids[6]).json();
  const std::string at = one.at("updated_at");
  const auto from_at =
      signed_call("GET",
                  "/open/v2/messages?updated_since=" + http::percent_encode(at) + "&page_size=50")
          .json();
  bool included = false;
  for (const auto& m : from_at.at("messages")) included |= m.at("msg_id") == ids[6];
  EXPECT_TRUE(included);
  const std::int64_t at_s = *parse_rfc3339_ms(at) / 1000;
  const auto after =
      signed_call("GET", "/open/v2/messages?updated_since=" +
                             http::percent_encode(rfc3339(at_s + 1)) + "&page_size=50")
          .json();
  EXPECT_TRUE(after.at("messages").empty());
}

TEST_F(PetitionSimTest, MessageChangedDuringPagingAppearsTwice) {
  start();
  const auto ids = generate(5);
  const std::string query = "/open/v2/messages?" + since_hour_ago() + "&page_size=2";
  const json first = signed_call("GET", query).json();
  ASSERT_EQ(first.at("messages")[0].at("msg_id"), ids[0]);
  act("follow_up", ids[0], {{"content", "请问什么时候整改？"}});
  std::string token = first.at("next_page_token");
  std::vector<json> later;
  while (!token.empty()) {
    const json page = signed_call("GET", query + "&page_token=" + token).json();
    for (const auto& m : page.at("messages")) later.push_back(m);
    token =
        page.at("next_page_token").is_null() ? "" : page.at("next_page_token").get<std::string>();
  }
  ASSERT_EQ(later.size(), 4u);
  EXPECT_EQ(later.back().at("msg_id"), ids[0]);
  EXPECT_EQ(later.back().at("follow_ups")[0].at("id"), "F1");
}

TEST_F(PetitionSimTest, RepliesTable) {
  start();
  const auto ids = generate(4);
  const json body = answer("req-1", "您好，已安排普安镇班车按时发车。");
  const auto first = post_reply(ids[0], body);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = post_reply(ids[0], body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("reply_id"), first.json().at("reply_id"));
  EXPECT_EQ(post_reply(ids[0], answer("req-1", "别的内容")).json().at("code"), "invalid");
  EXPECT_EQ(post_reply(ids[1], body).status, 422);  // the request_id of another message
  EXPECT_EQ(signed_call("GET", "/open/v2/messages/" + ids[0]).json().at("state"), "replied");

  EXPECT_EQ(post_reply(ids[1], answer("req-2", "")).status, 422);
  EXPECT_EQ(post_reply(ids[1], answer("req-3", std::string(3001, 'a'))).status, 422);
  EXPECT_EQ(post_reply(ids[1], answer("req-4", "答复", "F1")).status, 422);  // no such follow-up
  act("follow_up", ids[1]);
  EXPECT_EQ(post_reply(ids[1], answer("req-5", "关于追问的答复", "F1")).status, 201);
  EXPECT_EQ(post_reply(ids[1], answer("req-4", "答复", "F1")).status, 201);  // a new id is new

  act("withdraw", ids[2]);
  const auto withdrawn = post_reply(ids[2], answer("req-6", "答复"));
  EXPECT_EQ(withdrawn.status, 409);
  EXPECT_EQ(withdrawn.json().at("code"), "state_conflict");
  act("reassign", ids[3]);
  EXPECT_EQ(post_reply(ids[3], answer("req-7", "答复")).status, 409);
  EXPECT_EQ(post_reply("WZ2000-0101-000001", answer("req-8", "答复")).status, 404);

  // Stored before the connection dropped: the retry is a 200, accepted once.
  call(host_->port(), "POST", "/_sim/faults", R"({"drop_after_store": 1})");
  const json lost = answer("req-9", "答复九");
  EXPECT_TRUE(post_reply(ids[0], lost).dropped);
  call(host_->port(), "POST", "/_sim/faults", R"({"drop_after_store": 0})");
  EXPECT_EQ(post_reply(ids[0], lost).status, 200);

  const json replies = ledger().at("received").at("replies");
  for (const auto& r : replies) {
    EXPECT_EQ(r.at("accepted_new"), 1) << r.dump();
  }
  EXPECT_EQ(replies.size(), 4u);
}

TEST_F(PetitionSimTest, TwentyRequestsASecondPerApp) {
  PetitionOptions options = quiet();
  options.rate_limit = 20;
  start(options);
  const std::string target = "/open/v2/messages?" + since_hour_ago();
  int ok = 0, limited = 0;
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    const auto r = signed_call("GET", target);
    ok += r.status == 200;
    if (r.status == 429) {
      ++limited;
      EXPECT_TRUE(r.header("Retry-After").has_value());
      EXPECT_EQ(r.json().at("code"), "rate_limited");
    }
  }
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  EXPECT_GE(ok, 20);
  EXPECT_LE(ok, 20 + static_cast<int>(took * 20) + 1);
  EXPECT_EQ(ok + limited, 30);
}

// A tiny webhook receiver: checks the signature on its own, answers 500 to the first attempt.
struct Receiver {
  std::mutex mutex;
  std::vector<json> events;
  std::vector<std::string> nonces;
  int attempts = 0;
  int bad = 0;
  std::unique_ptr<SimServer> server;

  Receiver() {
    server = std::make_unique<SimServer>("127.0.0.1", 0, [this](const http::Request& r) {
      std::lock_guard lock(mutex);
      ++attempts;
      const auto ts = r.header("X-Timestamp").value_or("0");
      const auto nonce = r.header("X-Nonce").value_or("");
      const bool good =
          r.header("X-App-Id") == kAppId &&
          r.header("X-Signature") == sign(kSecret, r.method, r.target, ts, nonce, r.body) &&
          std::llabs(now_s() - std::stoll(ts)) <= 300 && nonce.size() >= 16 && nonce.size() <= 64 &&
          std::find(nonces.begin(), nonces.end(), nonce) == nonces.end();
      Outcome out;
      if (!good) {
        ++bad;
        out.response.status = 401;
        return out;
      }
      nonces.push_back(nonce);
      out.response.status = attempts == 1 ? 500 : 200;
      if (out.response.status == 200) events.push_back(json::parse(r.body));
      return out;
    });
  }
};

TEST_F(PetitionSimTest, WebhookDeliveredSignedAndRetriedOnNon200) {
  Receiver receiver;
  PetitionOptions options = quiet();
  options.webhook_url =
      "http://127.0.0.1:" + std::to_string(receiver.server->port()) + "/webhooks/petition?src=sim";
  options.webhook_retry_initial_ms = 50;
  options.webhook_duplicate_fraction = 0;
  options.webhook_reorder_fraction = 0;
  start(options);
  const auto ids = generate(1);
  act("follow_up", ids[0]);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(receiver.mutex);
      if (receiver.events.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::lock_guard lock(receiver.mutex);
  EXPECT_EQ(receiver.bad, 0);
  ASSERT_EQ(receiver.events.size(), 2u);
  EXPECT_GE(receiver.attempts, 3);  // the first one got a 500
  std::set<std::string> types;
  for (const auto& e : receiver.events) {
    types.insert(e.at("type"));
    EXPECT_EQ(e.at("message").at("msg_id"), ids[0]);
    EXPECT_TRUE(e.contains("event_id"));
    EXPECT_TRUE(e.contains("occurred_at"));
  }
  EXPECT_EQ(types, (std::set<std::string>{"message.assigned", "message.follow_up"}));
  const json hooks = ledger().at("issued").at("webhooks");
  int retried = 0;
  for (const auto& h : hooks) {
    EXPECT_EQ(h.at("delivered"), 1);
    if (h.at("statuses").size() == 2) {
      EXPECT_EQ(h.at("statuses")[0], 500);
      EXPECT_EQ(h.at("statuses")[1], 200);
      ++retried;
    }
  }
  EXPECT_EQ(retried, 1);
}

TEST_F(PetitionSimTest, WebhooksSometimesTwice) {
  Receiver receiver;
  PetitionOptions options = quiet();
  options.webhook_url = "http://127.0.0.1:" + std::to_string(receiver.server->port()) + "/hook";
  options.webhook_retry_initial_ms = 50;
  options.webhook_duplicate_fraction = 1.0;
  start(options);
  generate(1);
  for (int i = 0; i < 150; ++i) {
    {
      std::lock_guard lock(receiver.mutex);
      if (receiver.events.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::lock_guard lock(receiver.mutex);
  ASSERT_EQ(receiver.events.size(), 2u);
  EXPECT_EQ(receiver.events[0].at("event_id"), receiver.events[1].at("event_id"));
}

}  // namespace
}  // namespace appealhub::sim
