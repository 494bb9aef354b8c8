#pragma once
// The simulators' own small HTTP/1.1 server: one thread per connection, keep-alive, and the
// failures a real website shows (a slow answer, a connection closed without an answer). Beast
// stays in sim_server.cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"
#include "http/url.hpp"

namespace appealhub::sim {

// What to do with one request: answer it, after `delay`, or close the connection unanswered.
struct Outcome {
  http::Response response;
  bool drop = false;
  std::chrono::milliseconds delay{0};
};

using Handler = std::function<Outcome(const http::Request&)>;

class SimServer {
 public:
  // Listens at once (port 0 picks a free port); throws std::runtime_error when it cannot bind.
  SimServer(const std::string& address, unsigned short port, Handler handler);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  unsigned short port() const;
  // Stops accepting, cuts open connections and waits for their threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The result of one outgoing request (webhooks); status 0 with `error` when no answer came.
struct ClientResult {
  int status = 0;
  std::string body;
  std::string error;
};

// POSTs `body` to an http:// URL (no TLS: the local hub's webhook endpoint).
ClientResult http_post(const std::string& url, const http::Headers& headers,
                       const std::string& body, std::chrono::milliseconds timeout);

// "http://host:port/path?query" taken apart; nullopt when the URL is not plain http.
std::optional<http::HttpUrl> plain_http_url(const std::string& url);

}  // namespace appealhub::sim
