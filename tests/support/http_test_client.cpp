#include "tests/support/http_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <thread>

namespace appealhub::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

nlohmann::json HttpResult::json() const {
  return nlohmann::json::parse(body, nullptr, false).is_discarded() ? nlohmann::json()
                                                                    : nlohmann::json::parse(body);
}

bool answers_ok_within(unsigned short port, const std::string& target,
                       std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (http_call(port, "GET", target).status == 200) return true;
    } catch (const std::exception&) {
      // Not listening yet.
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

HttpResult http_call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body, const http::Headers& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  beast::http::request<beast::http::string_body> req(beast::http::string_to_verb(method), target,
                                                     11);
  req.set(beast::http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && !http::find_header(headers, "Content-Type")) {
    req.set(beast::http::field::content_type, "application/json");
  }
  req.body() = body;
  req.prepare_payload();
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::http::read(stream, buffer, parser);
  const auto& res = parser.get();
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = res.body();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

HttpResult ApiSession::login(const std::string& username, const std::string& password) {
  auto r = call("POST", "/api/v1/auth/login",
                nlohmann::json{{"username", username}, {"password", password}}.dump(), false);
  if (r.status == 200) {
    const auto set_cookie = r.header("Set-Cookie").value_or("");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_ = r.json().value("csrf_token", "");
  }
  return r;
}

HttpResult ApiSession::call(const std::string& method, const std::string& target,
                            const std::string& body, bool with_csrf) const {
  http::Headers headers;
  if (!bearer_.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_);
  if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
  if (with_csrf && !csrf_.empty()) headers.emplace_back("X-CSRF-Token", csrf_);
  return http_call(port_, method, target, body, headers);
}

unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace appealhub::testing
