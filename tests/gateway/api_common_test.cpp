// The gateway's JSON body reader (api_common.cpp) on what anyone may send, without a database.

#include <gtest/gtest.h>

#include <string>

#include "core/codec.hpp"
#include "gateway/api_internal.hpp"

namespace appealhub::gateway::detail {
namespace {

http::Request post(std::string body) {
  http::Request request;
  request.method = "POST";
  request.target = "/api/v1/auth/login";
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  return request;
}

std::string nested(int depth) {
  return R"({"reason":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

// Found with the gateway_request fuzzer (corpus/gateway_request/crash-deep-nesting.txt): 32,000
// nested arrays in a 64 KiB body overflowed the stack in the UTF-8 check of every string, which
// recursed once per level and built a longer path string at each.
TEST(GatewayBody, DeepNestingIsA400) {
  try {
    Body body(post(nested(32000)));
    FAIL() << "accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.code, "invalid");
    EXPECT_STREQ(e.what(), "body: nested deeper than 64 levels");
  }
  EXPECT_THROW(Body(post(nested(core::kMaxNestingDepth))), ApiError);
  Body shallow(post(nested(core::kMaxNestingDepth - 1)));
  EXPECT_TRUE(shallow.json()["reason"].is_array());
}

TEST(GatewayBody, MalformedAndOutOfRangeAre400s) {
  for (const char* body : {R"({"password":1e999})", R"({"a":)", "[1]"}) {
    try {
      Body b(post(body));
      FAIL() << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status, 400) << body;
    }
  }
}

}  // namespace
}  // namespace appealhub::gateway::detail
