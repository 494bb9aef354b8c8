// The platform's signing rule, against vectors computed by hand with the OpenSSL command line:
//   printf '%s' "$STRING_TO_SIGN" | openssl dgst -sha256 -hmac unit-secret-0001

#include "adapters/petition/signing.hpp"

#include <gtest/gtest.h>

#include <set>

namespace appealhub::adapters::petition {
namespace {

using namespace std::chrono_literals;

const std::string kSecret = "unit-secret-0001";
const std::chrono::system_clock::time_point kNow{1795741200s};

TEST(PetitionSigning, GetVectorFromTheDocument) {
  const std::string target =
      "/open/v2/messages?updated_since=2026-11-27T00%3A00%3A00%2B08%3A00&page_size=50";
  const auto text =
      string_to_sign("GET", target, "1795741200", "abcdefghijklmnop0123456789ABCDEF", "");
  EXPECT_EQ(text, "GET\n" + target +
                      "\n1795741200\nabcdefghijklmnop0123456789ABCDEF\n"
                      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hmac_sha256_hex(kSecret, text),
            "287d69a1d3ba32d26a85d61718ef663a40ef0ba7ee351878fc6702504565c50e");
}

TEST(PetitionSigning, PostVectorHashesTheBody) {
  const std::string body = R"({"event_id":"E7781","type":"message.assigned"})";
  const auto text =
      string_to_sign("POST", "/webhooks/petition", "1795741200", "Zz9Yy8Xx7Ww6Vv5U", body);
  EXPECT_TRUE(text.ends_with("16918c13004b064b6385ffe006b37ef712eed7769d7c975d17441bebfda1c9bd"));
  EXPECT_EQ(hmac_sha256_hex(kSecret, text),
            "2bc86e6ba9fab7dd23c42076d0a839f711df4cb4f67b803cc44f639ccd7f67c3");
}

TEST(PetitionSigning, NoncesAre32AlphanumericsAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto nonce = random_nonce();
    ASSERT_EQ(nonce.size(), 32u);
    for (const char c : nonce) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << nonce;
    EXPECT_TRUE(seen.insert(nonce).second);
  }
}

http::Request signed_request(const std::string& body, std::chrono::system_clock::time_point at) {
  http::Request r;
  r.method = "POST";
  r.target = "/webhooks/petition";
  r.body = body;
  r.headers = signature_headers("app-7", kSecret, r.method, r.target, r.body, at);
  return r;
}

TEST(PetitionSigning, HeadersCarryWhatTheRuleNeeds) {
  const auto r = signed_request("{}", kNow);
  EXPECT_EQ(r.header("X-App-Id"), "app-7");
  EXPECT_EQ(r.header("X-Timestamp"), "1795741200");
  EXPECT_EQ(r.header("X-Signature"),
            hmac_sha256_hex(kSecret, string_to_sign("POST", "/webhooks/petition", "1795741200",
                                                    *r.header("X-Nonce"), "{}")));
}

TEST(PetitionSigning, ChecksSignatureAppIdAndTimestamp) {
  const auto good = signed_request(R"({"a":1})", kNow);
  EXPECT_EQ(check_signature(good, "app-7", kSecret, kNow), SignatureCheck::ok);
  EXPECT_EQ(check_signature(good, "app-7", kSecret, kNow + 300s), SignatureCheck::ok);
  EXPECT_EQ(check_signature(good, "app-7", kSecret, kNow - 300s), SignatureCheck::ok);
  EXPECT_EQ(check_signature(good, "app-7", kSecret, kNow + 301s), SignatureCheck::stale_timestamp);
  EXPECT_EQ(check_signature(good, "app-7", kSecret, kNow - 301s), SignatureCheck::stale_timestamp);
  EXPECT_EQ(check_signature(good, "app-8", kSecret, kNow), SignatureCheck::bad_signature);
  EXPECT_EQ(check_signature(good, "app-7", "another-secret", kNow), SignatureCheck::bad_signature);

  auto forged = good;
  forged.body = R"({"a":2})";
  EXPECT_EQ(check_signature(forged, "app-7", kSecret, kNow), SignatureCheck::bad_signature);
  forged = good;
  forged.target = "/webhooks/petition?x=1";
  EXPECT_EQ(check_signature(forged, "app-7", kSecret, kNow), SignatureCheck::bad_signature);
  forged = good;
  forged.headers.erase(forged.headers.begin() + 2);  // no nonce
  EXPECT_EQ(check_signature(forged, "app-7", kSecret, kNow), SignatureCheck::bad_signature);
  EXPECT_EQ(to_string(SignatureCheck::stale_timestamp), "stale_timestamp");
}

// Found with the webhook fuzzer's harness (fuzz/corpus/webhook/crash-timestamp-min.req): the
// distance to a timestamp of -2^63 overflowed (UBSan) and, wrapped negative, passed as fresh.
TEST(PetitionSigning, ExtremeTimestampsAreStale) {
  for (const char* timestamp : {"-9223372036854775808", "9223372036854775807"}) {
    auto r = signed_request("{}", kNow);
    for (auto& [name, value] : r.headers) {
      if (name == "X-Timestamp") value = timestamp;
    }
    for (auto& [name, value] : r.headers) {
      if (name == "X-Signature") {
        value = hmac_sha256_hex(kSecret, string_to_sign(r.method, r.target, timestamp,
                                                        *r.header("X-Nonce"), r.body));
      }
    }
    EXPECT_EQ(check_signature(r, "app-7", kSecret, kNow), SignatureCheck::stale_timestamp)
        << timestamp;
  }
}

}  // namespace
}  // namespace appealhub::adapters::petition
