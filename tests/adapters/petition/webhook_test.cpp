// The petition webhook's rules without servers: a fake intake stands for PostgreSQL (nonces) and
// the broker (events). Forged, stale and replayed requests get 401 and take nothing in.

#include "adapters/petition/webhook.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "adapters/petition/signing.hpp"

namespace appealhub::adapters::petition {
namespace {

using namespace std::chrono_literals;

const std::chrono::system_clock::time_point kNow{1795741200s};

struct FakeIntake : WebhookIntake {
  std::set<std::string> nonces;
  std::vector<core::Event> taken;
  bool broker_down = false;
  Intake take(const std::string& nonce, const std::vector<core::Event>& events,
              std::string& problem) override {
    if (nonces.contains(nonce)) return Intake::replayed_nonce;
    if (broker_down) {
      problem = "broker did not confirm";
      return Intake::unavailable;
    }
    nonces.insert(nonce);
    taken.insert(taken.end(), events.begin(), events.end());
    return Intake::taken;
  }
};

std::string webhook_body() {
  std::ifstream in(std::string(PETITION_TEST_DATA) + "/petition-messages-page.json");
  const auto page = nlohmann::json::parse(in);
  return nlohmann::json{{"event_id", "E7781"},
                        {"type", "message.follow_up"},
                        {"occurred_at", "2026-11-27T12:30:01+08:00"},
                        {"message", page["messages"][1]}}
      .dump();
}

http::Request signed_post(const std::string& body, std::chrono::system_clock::time_point at,
                          const std::string& secret = "hook-secret") {
  http::Request r;
  r.method = "POST";
  r.target = "/webhooks/petition";
  r.body = body;
  r.headers = signature_headers("app-7", secret, "POST", r.target, body, at);
  return r;
}

struct Fixture {
  FakeIntake* intake;
  PetitionWebhook webhook;
  Fixture() : Fixture(std::make_unique<FakeIntake>()) {}
  explicit Fixture(std::unique_ptr<FakeIntake> i)
      : intake(i.get()),
        webhook({"app-7", "hook-secret", 300s, [] { return kNow; }}, std::move(i)) {}
};

std::string code_of(const http::Response& r) {
  return nlohmann::json::parse(r.body).value("code", "");
}

TEST(PetitionWebhook, TakesASignedEventInAndAnswers200) {
  Fixture f;
  const auto r = f.webhook.handle(signed_post(webhook_body(), kNow - 20s));
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(f.intake->taken.size(), 2u);
  EXPECT_EQ(f.intake->taken[0].name(), "appeal.received");
  EXPECT_EQ(f.intake->taken[1].name(), "appeal.followed_up");
  EXPECT_EQ(f.intake->nonces.size(), 1u);
  EXPECT_EQ(f.webhook.health().count("taken"), 1u);
}

TEST(PetitionWebhook, ForgedStaleAndReplayedAre401AndTakeNothing) {
  Fixture f;
  auto forged = signed_post(webhook_body(), kNow);
  forged.body += " ";
  auto r = f.webhook.handle(forged);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "bad_signature");

  r = f.webhook.handle(signed_post(webhook_body(), kNow, "guessed-secret"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "bad_signature");

  r = f.webhook.handle(signed_post(webhook_body(), kNow - 301s));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "stale_timestamp");
  EXPECT_TRUE(f.intake->taken.empty());
  EXPECT_TRUE(f.intake->nonces.empty()) << "no nonce is recorded for a refused request";

  const auto good = signed_post(webhook_body(), kNow);
  EXPECT_EQ(f.webhook.handle(good).status, 200);
  r = f.webhook.handle(good);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "replayed_nonce");
  EXPECT_EQ(f.intake->taken.size(), 2u) << "the replay took nothing in";
}

TEST(PetitionWebhook, NotConfirmedIs503AndTheSameRequestMayComeAgain) {
  Fixture f;
  f.intake->broker_down = true;
  const auto request = signed_post(webhook_body(), kNow);
  EXPECT_EQ(f.webhook.handle(request).status, 503);
  f.intake->broker_down = false;
  EXPECT_EQ(f.webhook.handle(request).status, 200);
}

TEST(PetitionWebhook, SignedNonsenseIs400AndOtherMethods405) {
  Fixture f;
  auto r = f.webhook.handle(signed_post(R"({"type":"message.assigned"})", kNow));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "invalid");
  r = f.webhook.handle(signed_post(R"({"message":{"msg_id":"X"}})", kNow));
  EXPECT_EQ(r.status, 400);
  http::Request get;
  get.method = "GET";
  get.target = "/webhooks/petition";
  EXPECT_EQ(f.webhook.handle(get).status, 405);
  EXPECT_TRUE(f.intake->taken.empty());
}

}  // namespace
}  // namespace appealhub::adapters::petition
