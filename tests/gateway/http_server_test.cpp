// The gateway's HTTP(S) server over real sockets on 127.0.0.1: answers, keep-alive, limits,
// timeouts, connection cap, drain, handler failures and TLS. The client here is Beast with a
// deadline on every step, so a server that never answers fails a test instead of hanging it.

#include "gateway/http_server.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace appealhub::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStep = 5s;  // the longest any single client step may take before the test fails

using Answer = bhttp::response<bhttp::string_body>;

// Runs one asynchronous operation on `io` to completion and returns its error.
template <class Start>
beast::error_code run(asio::io_context& io, Start start) {
  beast::error_code result = asio::error::would_block;
  start([&result](const beast::error_code& ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

// One client connection (plain or TLS) with a deadline on each step.
template <class Stream>
class BasicClient {
 public:
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  void close() { tcp().close(); }

  beast::error_code write_raw(std::string_view bytes) {
    tcp().expires_after(kStep);
    return run(io_, [&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }
  beast::error_code write(bhttp::request<bhttp::string_body>& request) {
    request.prepare_payload();
    tcp().expires_after(kStep);
    return run(io_, [&](auto done) { bhttp::async_write(stream_, request, done); });
  }
  beast::error_code read(Answer& answer) {
    tcp().expires_after(kStep);
    return run(io_, [&](auto done) { bhttp::async_read(stream_, buffer_, answer, done); });
  }
  beast::error_code read(bhttp::response_parser<bhttp::string_body>& parser) {
    tcp().expires_after(kStep);
    return run(io_, [&](auto done) { bhttp::async_read(stream_, buffer_, parser, done); });
  }
  // Sends a request and reads the answer; fails the test when either step fails.
  Answer call(std::string method, std::string target, std::string body = "",
              bhttp::fields extra = {}) {
    bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(method), target, 11);
    for (const auto& f : extra) request.set(f.name_string(), f.value());
    request.set(bhttp::field::host, "127.0.0.1");
    request.body() = std::move(body);
    Answer answer;
    const auto wec = write(request);
    EXPECT_FALSE(wec) << wec.message();
    const auto rec = read(answer);
    EXPECT_FALSE(rec) << rec.message();
    return answer;
  }
  // Waits until the server closes the connection: the error that ended the wait (eof or reset
  // when it closed; timeout when it did not within `limit`).
  beast::error_code wait_closed(std::chrono::milliseconds limit = 5000ms) {
    tcp().expires_after(limit);
    char byte;
    for (;;) {
      const auto ec =
          run(io_, [&](auto done) { stream_.async_read_some(asio::buffer(&byte, 1), done); });
      if (ec) return ec;
    }
  }

 protected:
  asio::io_context io_;
  Stream stream_;
  beast::flat_buffer buffer_;

  template <class... Args>
  explicit BasicClient(Args&&... args) : stream_(io_, std::forward<Args>(args)...) {}
  beast::error_code connect(unsigned short port) {
    tcp().expires_after(kStep);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    return run(io_, [&](auto done) { tcp().async_connect(endpoint, done); });
  }
};

class Client : public BasicClient<beast::tcp_stream> {
 public:
  explicit Client(unsigned short port) {
    const auto ec = connect(port);
    if (ec) throw std::runtime_error("connect: " + ec.message());
  }
  static beast::error_code try_connect(unsigned short port) {
    asio::io_context io;
    tcp::socket socket(io);
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return ec;
  }
};

// Waits (bounded) for what the server does right after the client saw the connection end: a
// tcp_stream timeout closes the socket before the read's completion handler counts it.
template <class Condition>
bool eventually(Condition condition) {
  const auto start = Clock::now();
  while (!condition()) {
    if (Clock::now() - start > kStep) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

nlohmann::json json_of(const Answer& a) {
  return nlohmann::json::parse(a.body(), nullptr, false);
}

http::Response text(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.set_header("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// "METHOD TARGET remote=… secure=…|BODY": what the server handed to the handler.
http::Response echo(const http::Request& r) {
  return text(200, r.method + " " + r.target + " remote=" + r.remote_address +
                       " secure=" + (r.secure ? "1" : "0") + "|" + r.body);
}

std::size_t default_limit(std::string_view, std::string_view target) {
  if (target.starts_with("/small")) return 10;
  if (target.starts_with("/big")) return 4 * 1024 * 1024;
  return 64 * 1024;
}

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.io_threads = 2;
  o.worker_threads = 2;
  o.read_timeout = 5000ms;
  o.write_timeout = 5000ms;
  o.drain_timeout = 5000ms;
  return o;
}

TEST(HttpServer, AnswersGetAndPostWithTheirBodies) {
  HttpServer server(test_options(), echo, default_limit);
  server.start();
  ASSERT_NE(server.port(), 0);
  Client client(server.port());

  auto get = client.call("GET", "/api/v1/tickets?status=open");
  EXPECT_EQ(get.result_int(), 200);
  EXPECT_EQ(get.body(), "GET /api/v1/tickets?status=open remote=127.0.0.1 secure=0|");
  EXPECT_EQ(get[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(get[bhttp::field::content_length], std::to_string(get.body().size()));

  auto post = client.call("POST", "/api/v1/x", "{\"a\":1}", bhttp::fields{});
  EXPECT_EQ(post.result_int(), 200);
  EXPECT_EQ(post.body(), "POST /api/v1/x remote=127.0.0.1 secure=0|{\"a\":1}");
  EXPECT_EQ(server.stats().requests, 2u);
}

TEST(HttpServer, KeepsTheConnectionForTheNextRequest) {
  std::atomic<int> calls{0};
  HttpServer server(
      test_options(),
      [&](const http::Request& r) {
        ++calls;
        return echo(r);
      },
      default_limit);
  server.start();
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    auto a = client.call("GET", "/n/" + std::to_string(i));
    EXPECT_EQ(a.result_int(), 200);
    EXPECT_TRUE(a.keep_alive());
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(server.stats().open_connections, 1u);  // all three on one connection
}

TEST(HttpServer, ClosesWhenTheClientAsks) {
  HttpServer server(test_options(), echo, default_limit);
  server.start();
  Client client(server.port());
  bhttp::fields close;
  close.set(bhttp::field::connection, "close");
  auto a = client.call("GET", "/", "", close);
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_FALSE(a.keep_alive());
  EXPECT_EQ(client.wait_closed(), asio::error::eof);
}

TEST(HttpServer, HeadAnswersTheLengthWithoutTheBody) {
  HttpServer server(
      test_options(), [](const http::Request&) { return text(200, "12345"); }, default_limit);
  server.start();
  Client client(server.port());
  bhttp::request<bhttp::string_body> request(bhttp::verb::head, "/", 11);
  ASSERT_FALSE(client.write(request));
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(true);  // a response to HEAD has no body, whatever Content-Length says
  ASSERT_FALSE(client.read(parser));
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(parser.get()[bhttp::field::content_length], "5");
  EXPECT_EQ(parser.get().body(), "");
  EXPECT_EQ(client.call("GET", "/").body(), "12345");  // nothing of the HEAD answer was left over
}

TEST(HttpServer, RefusesABodyOverTheRoutesLimitWithoutCallingTheHandler) {
  std::atomic<int> calls{0};
  HttpServer server(
      test_options(),
      [&](const http::Request& r) {
        ++calls;
        return echo(r);
      },
      default_limit);
  server.start();

  {  // Content-Length over the limit: refused from the head alone.
    Client client(server.port());
    auto a = client.call("POST", "/small", std::string(100, 'x'));
    EXPECT_EQ(a.result_int(), 413);
    EXPECT_EQ(json_of(a)["error"], "payload_too_large");
    EXPECT_FALSE(a.keep_alive());
  }
  {  // Chunked: refused when the body passes the limit.
    Client client(server.port());
    ASSERT_FALSE(
        client.write_raw("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"));
    Answer a;
    ASSERT_FALSE(client.read(a));
    EXPECT_EQ(a.result_int(), 413);
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(server.stats().bad_requests, 2u);

  {  // Another route may take more than Beast's default 1 MB.
    Client client(server.port());
    auto a = client.call("POST", "/big", std::string(2 * 1024 * 1024, 'y'));
    EXPECT_EQ(a.result_int(), 200);
    EXPECT_EQ(a.body().size(),
              std::string("POST /big remote=127.0.0.1 secure=0|").size() + 2 * 1024 * 1024);
  }
}

TEST(HttpServer, AnswersContinueBeforeReadingTheBody) {
  HttpServer server(test_options(), echo, default_limit);
  server.start();
  Client client(server.port());
  ASSERT_FALSE(client.write_raw(
      "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  Answer interim;
  ASSERT_FALSE(client.read(interim));
  EXPECT_EQ(interim.result_int(), 100);
  ASSERT_FALSE(client.write_raw("hello"));
  Answer a;
  ASSERT_FALSE(client.read(a));
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_EQ(a.body(), "POST /x remote=127.0.0.1 secure=0|hello");
}

TEST(HttpServer, RefusesAHeadOverTheLimitWith431) {
  auto options = test_options();
  options.header_limit = 1024;
  std::atomic<int> calls{0};
  HttpServer server(
      options,
      [&](const http::Request& r) {
        ++calls;
        return echo(r);
      },
      default_limit);
  server.start();
  Client client(server.port());
  bhttp::fields big;
  big.set("X-Padding", std::string(4096, 'p'));
  auto a = client.call("GET", "/", "", big);
  EXPECT_EQ(a.result_int(), 431);
  EXPECT_EQ(json_of(a)["error"], "header_too_large");
  EXPECT_EQ(a[bhttp::field::content_type], "application/json");
  EXPECT_EQ(calls, 0);

  Client small(server.port());  // a head under the limit still passes
  EXPECT_EQ(small.call("GET", "/").result_int(), 200);
}

TEST(HttpServer, AnswersAMalformedRequestWith400) {
  HttpServer server(test_options(), echo, default_limit);
  server.start();
  for (const std::string raw : {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                                "GET / HTTP/9.9\r\n\r\n", "G@T / HTTP/1.1\r\n\r\n"}) {
    Client client(server.port());
    ASSERT_FALSE(client.write_raw(raw));
    Answer a;
    ASSERT_FALSE(client.read(a)) << raw;
    EXPECT_EQ(a.result_int(), 400) << raw;
    const auto body = json_of(a);
    EXPECT_EQ(body["error"], "bad_request") << raw;
    EXPECT_TRUE(body["message"].is_string());
    EXPECT_EQ(a[bhttp::field::content_length], std::to_string(a.body().size()));
    EXPECT_EQ(client.wait_closed(), asio::error::eof);
  }
  EXPECT_EQ(server.stats().bad_requests, 3u);
}

TEST(HttpServer, ClosesAnIdleConnectionAfterTheReadTimeout) {
  auto options = test_options();
  options.read_timeout = 300ms;
  HttpServer server(options, echo, default_limit);
  server.start();

  Client fresh(server.port());  // never sends anything
  const auto start = Clock::now();
  EXPECT_EQ(fresh.wait_closed(5000ms), asio::error::eof);
  EXPECT_GE(Clock::now() - start, 250ms);

  Client kept(server.port());  // idle between keep-alive requests
  EXPECT_EQ(kept.call("GET", "/").result_int(), 200);
  EXPECT_EQ(kept.wait_closed(5000ms), asio::error::eof);
  EXPECT_TRUE(eventually([&] { return server.stats().timeouts == 2; }));
}

TEST(HttpServer, ClosesASlowlorisConnection) {
  auto options = test_options();
  options.read_timeout = 300ms;
  HttpServer server(options, echo, default_limit);
  server.start();
  Client client(server.port());
  ASSERT_FALSE(client.write_raw("GET / HTTP/1.1\r\nHost: x\r\n"));
  const auto start = Clock::now();
  bool cut = false;
  // A header line every 50 ms keeps the connection busy but never finishes the head: the
  // timeout covers the whole head, so the server cuts it.
  while (Clock::now() - start < 5s) {
    if (client.write_raw("X-Slow: 1\r\n")) {
      cut = true;
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(cut);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_TRUE(eventually([&] { return server.stats().timeouts == 1; }));
}

TEST(HttpServer, AnswersConnectionsOverTheCapWith503) {
  auto options = test_options();
  options.max_connections = 2;
  HttpServer server(options, echo, default_limit);
  server.start();
  auto first = std::make_unique<Client>(server.port());
  Client second(server.port());
  ASSERT_EQ(first->call("GET", "/").result_int(), 200);
  ASSERT_EQ(second.call("GET", "/").result_int(), 200);

  Client third(server.port());
  auto refused = third.call("GET", "/");
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_EQ(json_of(refused)["error"], "unavailable");
  EXPECT_FALSE(refused.keep_alive());
  EXPECT_EQ(third.wait_closed(), asio::error::eof);
  EXPECT_EQ(server.stats().refused_connections, 1u);

  // A place frees up once a connection ends.
  first.reset();
  const auto start = Clock::now();
  while (server.stats().open_connections > 1 && Clock::now() - start < kStep) {
    std::this_thread::sleep_for(10ms);
  }
  Client fourth(server.port());
  EXPECT_EQ(fourth.call("GET", "/").result_int(), 200);
}

TEST(HttpServer, OneAddressCannotTakeEveryConnection) {
  auto options = test_options();
  options.max_connections = 100;
  options.max_connections_per_address = 2;
  HttpServer server(options, echo, default_limit);
  server.start();
  auto first = std::make_unique<Client>(server.port());
  Client second(server.port());
  ASSERT_EQ(first->call("GET", "/").result_int(), 200);
  ASSERT_EQ(second.call("GET", "/").result_int(), 200);

  Client third(server.port());
  const auto refused = third.call("GET", "/");
  EXPECT_EQ(refused.result_int(), 503) << "a third connection from the same address";
  EXPECT_EQ(third.wait_closed(), asio::error::eof);

  first.reset();
  EXPECT_TRUE(eventually([&] { return server.stats().open_connections == 1; }));
  Client fourth(server.port());
  EXPECT_EQ(fourth.call("GET", "/").result_int(), 200) << "its place is free again";
}

TEST(HttpServer, AnswersAThrowingHandlerWith500AndKeepsServing) {
  HttpServer server(
      test_options(),
      [](const http::Request& r) -> http::Response {
        if (r.target == "/boom") throw std::runtime_error("database on fire");
        return echo(r);
      },
      default_limit);
  server.start();
  Client client(server.port());
  auto a = client.call("GET", "/boom");
  EXPECT_EQ(a.result_int(), 500);
  EXPECT_EQ(json_of(a)["error"], "internal");
  EXPECT_EQ(a.body().find("fire"), std::string::npos);  // no internals leak to the client
  EXPECT_EQ(client.call("GET", "/ok").result_int(), 200);
}

// A handler that blocks on /slow until the test releases it.
struct SlowHandler {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
  std::string big_body = std::string(512 * 1024, 'z');

  Handler handler() {
    return [this](const http::Request& r) {
      if (r.target == "/slow") {
        entered.set_value();
        released.wait();
        return text(200, big_body);
      }
      return echo(r);
    };
  }
};

TEST(HttpServer, DrainFinishesRequestsInFlightAndRefusesNewConnections) {
  SlowHandler slow;
  HttpServer server(test_options(), slow.handler(), default_limit);
  server.start();
  const auto port = server.port();

  Client idle(port);
  ASSERT_EQ(idle.call("GET", "/").result_int(), 200);
  Client busy(port);
  bhttp::request<bhttp::string_body> request(bhttp::verb::get, "/slow", 11);
  ASSERT_FALSE(busy.write(request));
  ASSERT_EQ(slow.entered.get_future().wait_for(kStep), std::future_status::ready);

  auto drained = std::async(std::launch::async, [&] { server.drain(); });
  // The idle keep-alive connection is closed (after the listener was closed) …
  EXPECT_EQ(idle.wait_closed(), asio::error::eof);
  EXPECT_EQ(Client::try_connect(port), asio::error::connection_refused);
  // … while the request in flight holds the drain.
  EXPECT_EQ(drained.wait_for(0ms), std::future_status::timeout);

  slow.release.set_value();
  Answer a;
  ASSERT_FALSE(busy.read(a));
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_EQ(a.body(), slow.big_body);
  EXPECT_FALSE(a.keep_alive());
  EXPECT_EQ(a[bhttp::field::connection], "close");
  EXPECT_EQ(busy.wait_closed(), asio::error::eof);
  busy.close();
  EXPECT_EQ(drained.wait_for(kStep), std::future_status::ready);
  EXPECT_EQ(server.stats().open_connections, 0u);
}

TEST(HttpServer, DrainClosesWhatIsLeftAfterTheDrainTimeout) {
  auto options = test_options();
  options.drain_timeout = 200ms;
  SlowHandler slow;
  HttpServer server(options, slow.handler(), default_limit);
  server.start();
  Client busy(server.port());
  bhttp::request<bhttp::string_body> request(bhttp::verb::get, "/slow", 11);
  ASSERT_FALSE(busy.write(request));
  ASSERT_EQ(slow.entered.get_future().wait_for(kStep), std::future_status::ready);

  auto drained = std::async(std::launch::async, [&] { server.drain(); });
  // The handler is still blocked: the connection is cut without an answer after the timeout.
  const auto ec = busy.wait_closed();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  slow.release.set_value();  // drain waits for handlers that run, then returns
  EXPECT_EQ(drained.wait_for(kStep), std::future_status::ready);
}

TEST(HttpServer, AHandlerAnswersLaterFromAnotherThreadOnceAndFreesItsWorker) {
  // One worker: the first request's handler returns without answering; the second request is
  // served by the same worker meanwhile and answers the first from its thread, twice (the
  // second answer is dropped), then throws (no third answer either).
  auto options = test_options();
  options.worker_threads = 1;
  std::mutex mutex;
  Reply parked;
  HttpServer server(
      options,
      [&](const http::Request& r, const Reply& reply) {
        std::lock_guard lock(mutex);
        if (r.target == "/park") {
          parked = reply;
          return;
        }
        std::thread([first = parked] {
          first(text(200, "answered later"));
          first(text(500, "a second answer"));
        }).join();
        reply(text(200, "released"));
        throw std::runtime_error("after answering");
      },
      default_limit);
  server.start();
  auto parked_answer = std::async(std::launch::async, [&] {
    Client client(server.port());
    return client.call("GET", "/park");
  });
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mutex);
      if (parked) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  Client other(server.port());
  const auto released = other.call("GET", "/release");
  EXPECT_EQ(released.result_int(), 200);
  EXPECT_EQ(released.body(), "released");
  ASSERT_EQ(parked_answer.wait_for(kStep), std::future_status::ready);
  const auto later = parked_answer.get();
  EXPECT_EQ(later.result_int(), 200);
  EXPECT_EQ(later.body(), "answered later");
  EXPECT_EQ(other.call("GET", "/park-not").body(), "released") << "the connection still works";
}

TEST(HttpServer, StartNamesTheAddressItCannotBind) {
  HttpServer first(test_options(), echo, default_limit);
  first.start();
  auto options = test_options();
  options.port = first.port();
  HttpServer second(options, echo, default_limit);
  try {
    second.start();
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
  }
}

// ---- TLS ----

// Before OpenSSL initializes (first TLS context): the system configuration (Debian: TLS 1.2 and
// security level 2) would refuse TLS 1.1 by itself and hide whether the server does.
const bool kPermissiveOpenssl = setenv("OPENSSL_CONF", APPEALHUB_GATEWAY_TEST_OPENSSL_CONF, 1) == 0;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "appealhub-gw-XXXXXX").string();
    if (!mkdtemp(name.data())) throw std::runtime_error("mkdtemp failed");
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// A self-signed P-256 certificate for IP 127.0.0.1 and its key, as PEM files in `dir`.
void make_certificate(const std::filesystem::path& cert_file,
                      const std::filesystem::path& key_file) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  BIO* out = BIO_new_file(cert_file.c_str(), "w");
  ASSERT_NE(out, nullptr);
  PEM_write_bio_X509(out, cert);
  BIO_free(out);
  out = BIO_new_file(key_file.c_str(), "w");
  ASSERT_NE(out, nullptr);
  PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(out);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class TlsClient : public BasicClient<ssl::stream<beast::tcp_stream>> {
 public:
  TlsClient(ssl::context& context) : BasicClient(context) {}
  beast::error_code connect_and_handshake(unsigned short port) {
    if (auto ec = connect(port)) return ec;
    stream_.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    tcp().expires_after(kStep);
    return run(io_, [&](auto done) { stream_.async_handshake(ssl::stream_base::client, done); });
  }
};

class HttpsServer : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path cert = dir.path / "server.pem", key = dir.path / "server.key";
  void SetUp() override { make_certificate(cert, key); }

  // A client that trusts only the test certificate and checks the host.
  ssl::context verifying_client() {
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(cert.string());
    context.set_verify_mode(ssl::verify_peer);
    return context;
  }
  // Same, but willing to speak old protocols (OpenSSL 3 forbids them below security level 0).
  ssl::context old_client(int max_version) {
    auto context = verifying_client();
    SSL_CTX_set_security_level(context.native_handle(), 0);
    SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
    return context;
  }
  ServerOptions tls_options() {
    auto o = test_options();
    o.tls_cert_file = cert.string();
    o.tls_key_file = key.string();
    return o;
  }
};

TEST_F(HttpsServer, AnswersAVerifyingClient) {
  HttpServer server(tls_options(), echo, default_limit);
  server.start();
  auto context = verifying_client();
  TlsClient client(context);
  const auto ec = client.connect_and_handshake(server.port());
  ASSERT_FALSE(ec) << ec.message();
  auto a = client.call("POST", "/x", "secret");
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_EQ(a.body(), "POST /x remote=127.0.0.1 secure=1|secret");
  EXPECT_EQ(client.call("GET", "/again").result_int(), 200);  // keep-alive over TLS
}

TEST_F(HttpsServer, RefusesTls11) {
  ASSERT_TRUE(kPermissiveOpenssl);
  {  // A context with no minimum of its own would take TLS 1.0.
    ssl::context probe(ssl::context::tls_server);
    ASSERT_EQ(SSL_CTX_get_security_level(probe.native_handle()), 0);
    ASSERT_EQ(SSL_CTX_get_min_proto_version(probe.native_handle()), TLS1_VERSION);
  }
  HttpServer server(tls_options(), echo, default_limit);
  server.start();
  {  // The relaxed client itself works when it may use TLS 1.2 …
    auto context = old_client(TLS1_2_VERSION);
    TlsClient client(context);
    ASSERT_FALSE(client.connect_and_handshake(server.port()));
    EXPECT_EQ(client.call("GET", "/").result_int(), 200);
  }
  {  // … so its failure with TLS 1.1 at most is the server's refusal.
    auto context = old_client(TLS1_1_VERSION);
    TlsClient client(context);
    EXPECT_TRUE(client.connect_and_handshake(server.port()));
  }
}

TEST_F(HttpsServer, OffersTls12OnlyForwardSecretAeadSuites) {
  ASSERT_TRUE(kPermissiveOpenssl);
  HttpServer server(tls_options(), echo, default_limit);
  server.start();
  const auto handshake_with = [&](const char* suites) {
    auto context = old_client(TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(context.native_handle(), suites);
    TlsClient client(context);
    return client.connect_and_handshake(server.port());
  };
  EXPECT_FALSE(handshake_with("ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0"));
  EXPECT_FALSE(handshake_with("ECDHE-ECDSA-CHACHA20-POLY1305:@SECLEVEL=0"));
  EXPECT_TRUE(handshake_with("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0"))
      << "CBC with SHA-1 is refused";
  EXPECT_TRUE(handshake_with("ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0"))
      << "CBC is refused";
  EXPECT_TRUE(handshake_with("AES128-GCM-SHA256:AES256-GCM-SHA384:@SECLEVEL=0"))
      << "suites without forward secrecy are refused";
}

TEST_F(HttpsServer, StartNamesAnUnreadableFile) {
  auto options = tls_options();
  options.tls_key_file = (dir.path / "missing.key").string();
  HttpServer server(options, echo, default_limit);
  try {
    server.start();
    FAIL() << "started without a key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.key"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace appealhub::gateway
