// The HTTP client against an in-test server: answers, keep-alive, and each kind of transport
// failure the adapters back off on.

#include "http/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "tests/http/fake_http_server.hpp"

namespace appealhub::http {
namespace {

using testing::FakeHttpServer;
using testing::FakeReply;
using testing::json_reply;

ClientOptions options(std::string base_url, std::string ca_file = "",
                      std::chrono::milliseconds request_timeout = std::chrono::seconds(30)) {
  ClientOptions o;
  o.base_url = std::move(base_url);
  o.ca_file = std::move(ca_file);
  o.request_timeout = request_timeout;
  return o;
}

TransportFailure failure_of(Client& client, const std::string& target) {
  try {
    client.get(target);
  } catch (const TransportError& e) {
    return e.failure();
  }
  ADD_FAILURE() << "no TransportError";
  return TransportFailure::protocol;
}

TEST(HttpClient, SendsUnderThePrefixAndReturnsTheAnswer) {
  FakeHttpServer server([](const Request& r) {
    auto reply = json_reply(201, R"({"path":")" + r.target + "\"}");
    reply.response.headers.emplace_back("Retry-After", "3");
    return reply;
  });
  Client client(options(server.base_url() + "/api/"));
  EXPECT_EQ(client.request_target("/v1/letters?limit=5"), "/api/v1/letters?limit=5");
  const auto res = client.post("/v1/letters/L1/reply", R"({"a":1})", {{"X-Key", "k1"}});
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, R"({"path":"/api/v1/letters/L1/reply"})");
  EXPECT_EQ(res.header("retry-after"), "3");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, R"({"a":1})");
  EXPECT_EQ(seen[0].header("X-Key"), "k1");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClient, KeepsTheConnectionAlive) {
  FakeHttpServer server([](const Request&) { return json_reply(200, "{}"); });
  Client client(options(server.base_url()));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.get("/x").status, 200);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ReconnectsWhenThePeerClosedTheIdleConnection) {
  FakeHttpServer server([](const Request&) { return json_reply(200, "{}"); });
  Client client(options(server.base_url()));
  EXPECT_EQ(client.get("/x").status, 200);
  server.close_connections();
  EXPECT_EQ(client.get("/x").status, 200);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(HttpClient, ReconnectsAfterConnectionClose) {
  FakeHttpServer server([](const Request&) {
    auto r = json_reply(200, "{}");
    r.close_after = true;
    return r;
  });
  Client client(options(server.base_url()));
  EXPECT_EQ(client.get("/x").status, 200);
  EXPECT_EQ(client.get("/x").status, 200);
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, RefusedConnectionIsConnectRefused) {
  unsigned short port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(
        io, {boost::asio::ip::make_address("127.0.0.1"), 0});  // bound, then closed: nobody there
    port = a.local_endpoint().port();
  }
  Client client(options("http://127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(failure_of(client, "/x"), TransportFailure::connect_refused);
}

TEST(HttpClient, SlowAnswerIsATimeout) {
  FakeHttpServer server([](const Request&) {
    auto r = json_reply(200, "{}");
    r.delay = std::chrono::milliseconds(1500);
    return r;
  });
  Client client(options(server.base_url(), "", std::chrono::milliseconds(200)));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(failure_of(client, "/x"), TransportFailure::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1200));
}

TEST(HttpClient, ConnectionDroppedWithoutAnswerIsClosedEarly) {
  FakeHttpServer server([](const Request&) {
    FakeReply r;
    r.drop = true;
    return r;
  });
  Client client(options(server.base_url()));
  EXPECT_EQ(failure_of(client, "/x"), TransportFailure::closed_early);
  EXPECT_EQ(server.requests().size(), 1u) << "a request on a new connection is not re-sent";
}

TEST(HttpClient, HttpsVerifiesTheCertificateAndTheHostName) {
  const std::string dir = APPEALHUB_TEST_TLS_DIR;
  FakeHttpServer server([](const Request&) { return json_reply(200, R"({"ok":true})"); },
                        {dir + "/localhost.pem", dir + "/localhost.key"});
  Client trusted(options(server.base_url(), dir + "/test-ca.pem"));
  EXPECT_TRUE(trusted.secure());
  EXPECT_EQ(trusted.get("/x").body, R"({"ok":true})");
  EXPECT_EQ(trusted.get("/x").status, 200);
  EXPECT_EQ(server.connections(), 1);

  // The certificate names localhost only.
  Client wrong_name(
      options("https://127.0.0.1:" + std::to_string(server.port()), dir + "/test-ca.pem"));
  EXPECT_EQ(failure_of(wrong_name, "/x"), TransportFailure::tls);
  // The test CA is not among the system's trusted ones.
  Client untrusted(options(server.base_url()));
  EXPECT_EQ(failure_of(untrusted, "/x"), TransportFailure::tls);
}

TEST(HttpClient, RefusesBadBaseUrls) {
  EXPECT_THROW(Client(options("ftp://x")), std::invalid_argument);
  EXPECT_THROW(Client(options("http://")), std::invalid_argument);
  EXPECT_THROW(Client(options("http://h:99999")), std::invalid_argument);
  EXPECT_THROW(Client(options("https://h", "/nonexistent.pem")), std::invalid_argument);
}

}  // namespace
}  // namespace appealhub::http
