#pragma once
// A plain blocking HTTP/1.1 client for tests that talk to a real gateway: one connection per
// request, a cookie jar for the session, and the CSRF header once logged in.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace appealhub::testing {

struct HttpResult {
  int status = 0;
  http::Headers headers;
  std::string body;
  nlohmann::json json() const;  // null when the body is not JSON
  std::optional<std::string> header(const std::string& name) const {
    return http::find_header(headers, name);
  }
};

// Sends one request to 127.0.0.1:port; throws std::runtime_error when the connection fails.
HttpResult http_call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = "", const http::Headers& headers = {});

// Whether GET `target` on 127.0.0.1:port answers 200 within `timeout` (asked every 100 ms): a
// gateway started by the test or bench is up.
bool answers_ok_within(unsigned short port, const std::string& target,
                       std::chrono::milliseconds timeout);

// A logged-in (or anonymous) user of the API.
class ApiSession {
 public:
  explicit ApiSession(unsigned short port) : port_(port) {}
  // POST /api/v1/auth/login; keeps the session cookie and CSRF token when it succeeds.
  HttpResult login(const std::string& username, const std::string& password);
  void use_bearer(const std::string& token) { bearer_ = token; }
  // Sends what follows to another gateway of the same hub (the session is the hub's, not the
  // gateway's).
  void use_port(unsigned short port) { port_ = port; }
  unsigned short port() const { return port_; }
  HttpResult get(const std::string& target) const { return call("GET", target); }
  HttpResult post(const std::string& target, const nlohmann::json& body) const {
    return call("POST", target, body.dump());
  }
  HttpResult call(const std::string& method, const std::string& target,
                  const std::string& body = "", bool with_csrf = true) const;

 private:
  unsigned short port_;
  std::string cookie_, csrf_, bearer_;
};

// A TCP port that was free a moment ago on 127.0.0.1.
unsigned short free_port();

}  // namespace appealhub::testing
