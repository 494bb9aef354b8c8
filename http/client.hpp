#pragma once
// A blocking HTTP/1.1 client for one base URL (`http://host:port/prefix` or `https://…`), as the
// channel adapters, the simulators' tests and the gateway's tests use it.
//
// Contract:
// - One thread uses a client. It keeps one connection open between requests (keep-alive) and
//   opens a new one when the peer said `Connection: close` or closed it.
// - A request on a reused connection that fails before any byte of the answer arrived (the peer
//   closed the idle connection meanwhile) is sent once more on a fresh connection (unless
//   ClientOptions::resend_on_stale_connection is off); every other
//   failure is reported, never retried: the caller decides (and backs off).
// - HTTPS verifies the peer's certificate against `ca_file` (else the system's default verify
//   paths) and its host name, and sends SNI. There is no switch to turn verification off.
// - Transport failures throw TransportError with its kind; any HTTP status is a Response.

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace appealhub::http {

enum class TransportFailure {
  connect_refused,  // nothing listens there (ECONNREFUSED)
  connect_failed,   // the name did not resolve, the network is unreachable, …
  timeout,          // connect or the whole request took longer than allowed
  closed_early,     // the peer reset or closed the connection before the answer was complete
  tls,              // handshake failed: certificate not trusted, wrong host name, protocol
  protocol,         // the answer is not HTTP/1.1 we can read (or larger than the body limit)
};

std::string_view to_string(TransportFailure failure);

class TransportError : public std::runtime_error {
 public:
  TransportError(TransportFailure failure, const std::string& what)
      : std::runtime_error(what), failure_(failure) {}
  TransportFailure failure() const noexcept { return failure_; }

 private:
  TransportFailure failure_;
};

struct ClientOptions {
  // http(s)://host[:port][/prefix]; requests' targets are appended to the prefix.
  std::string base_url;
  // PEM bundle of the CAs to trust for https; empty: the system's default verify paths.
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{5000};   // TCP connect and TLS handshake
  std::chrono::milliseconds request_timeout{30000};  // writing the request and reading the answer
  std::size_t body_limit = 16 * 1024 * 1024;         // larger answers are a protocol failure
  std::string user_agent = "appealhub";
  // Send a request once more when a reused connection turns out closed. Off for signed requests
  // whose nonce the peer may already have seen (the peer would answer replayed_nonce).
  bool resend_on_stale_connection = true;
};

class Client {
 public:
  // Throws std::invalid_argument for a base URL that is not http(s)://host[:port][/prefix], and
  // for a CA file that cannot be loaded.
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Sends `request` (method, target relative to the base URL's prefix, headers, body) and returns
  // the answer. Host, Content-Length and User-Agent are set here. Throws TransportError.
  Response send(const Request& request);
  Response get(const std::string& target, Headers headers = {});
  Response post(const std::string& target, std::string body, Headers headers = {});

  // The request-line target for `target`: the prefix followed by it ("/api" + "/v1/x"). What a
  // signature over the request line must cover.
  std::string request_target(std::string_view target) const;
  const std::string& host() const;
  unsigned short port() const;
  bool secure() const;

  // Drops the kept connection (the next request opens a new one).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace appealhub::http
