// The OpenAPI document describes exactly the routes the gateway serves, with the roles each
// allows (x-roles), so that clients and the web UI can rely on it.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/api.hpp"

namespace appealhub::gateway {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, DocumentsEveryRouteAndNothingElse) {
  const auto doc = nlohmann::json::parse(openapi_document());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  const Api api({}, {"postgresql://unused"}, nullptr, nullptr);
  std::set<std::string> served;
  for (const auto& route : api.routes()) {
    served.insert(route.method + " " + route.pattern);
    ASSERT_TRUE(doc["paths"].contains(route.pattern)) << route.pattern << " is not documented";
    const auto& op = doc["paths"][route.pattern][lower(route.method)];
    ASSERT_TRUE(op.is_object()) << route.method << " " << route.pattern << " is not documented";
    const std::set<std::string> documented_roles = op["x-roles"];
    EXPECT_EQ(documented_roles, route.roles) << route.method << " " << route.pattern;
    if (route.roles.empty()) {
      EXPECT_EQ(op["security"], nlohmann::json::array()) << route.pattern << " needs no login";
    }
  }
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      (void)op;
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      EXPECT_TRUE(served.contains(upper + " " + path))
          << upper << " " << path << " is documented but not served";
    }
  }
}

TEST(OpenApi, BodiesRefuseUnknownFieldsAsTheServerDoes) {
  const auto doc = nlohmann::json::parse(openapi_document());
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      if (!op.contains("requestBody")) continue;
      const auto& schema = op["requestBody"]["content"]["application/json"]["schema"];
      if (schema.contains("properties")) {
        EXPECT_EQ(schema.value("additionalProperties", true), false) << method << " " << path;
      }
    }
  }
}

}  // namespace
}  // namespace appealhub::gateway
