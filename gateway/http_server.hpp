#pragma once
// The gateway's HTTP(S) server: the transport under the API, and nothing more. It keeps no state
// that another gateway process lacks, so any number of gateways can run behind a load balancer.
//
// HTTP/1.1 with keep-alive, one request at a time per connection, on Boost.Beast (asynchronous,
// a strand per connection, `io_threads` threads); handlers block (PostgreSQL) and so run on a
// pool of `worker_threads`, never on the socket threads. A handler may also leave its answer for
// later and return, freeing its worker (AsyncHandler). A timeout runs before every read (TLS
// handshake, request head, body, and the idle wait between keep-alive requests) and every write.
// Errors of the server itself are JSON `{"error": code, "message": text}`:
//   400 bad_request (malformed request), 413 payload_too_large (body over the route's limit),
//   431 header_too_large, 503 unavailable (too many connections), 500 internal (handler threw).
// After an error the connection is closed; a read timeout closes it without an answer.
// Every answer carries Content-Length; Connection: close when the client asked or when draining.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/server_options.hpp"
#include "http/message.hpp"

namespace appealhub::gateway {

namespace detail {
struct ServerState;  // http_server.cpp
}

// Blocking handler, called on a worker thread; must not throw (the server answers 500 if it does).
// The response's Content-Length, Connection and Transfer-Encoding headers are the server's.
using Handler = std::function<http::Response(const http::Request&)>;
// The answer to one request: call it once, from any thread, now or after the handler returned.
using Reply = std::function<void(http::Response)>;
// A handler that may answer later: called on a worker thread with the request's Reply. If it
// throws without having answered, the server answers 500.
using AsyncHandler = std::function<void(const http::Request&, Reply)>;
// The body limit for a request, chosen from its head before the body is read; over it: 413.
// Called on a socket thread: it must be quick and must not block.
using BodyLimit = std::function<std::size_t(std::string_view method, std::string_view target)>;

struct ServerStats {
  std::size_t open_connections;     // connections being served now
  std::size_t requests;             // request heads read completely (answered by handler or error)
  std::size_t refused_connections;  // answered 503 for max_connections, or cut while draining
  std::size_t timeouts;             // connections closed because a read or write timed out
  std::size_t bad_requests;         // answered 400, 413 or 431
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler, BodyLimit body_limit);
  HttpServer(ServerOptions options, AsyncHandler handler, BodyLimit body_limit);
  ~HttpServer();  // drains if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens, starts threads; throws std::runtime_error naming address:port when it cannot
  // (or naming the TLS file that cannot be read). Call once.
  void start();
  unsigned short port() const;  // the bound port (after start)
  // Graceful drain: stop accepting; requests in flight finish and are answered with
  // Connection: close; idle keep-alive connections are closed; after drain_timeout whatever is
  // left is closed. Returns when all threads stopped. Idempotent; never call it from a handler.
  void drain();
  ServerStats stats() const;
  // Runs `work` on a worker thread (after start, until drain), as a handler runs: for answers a
  // handler left for later that need a thread of their own.
  void post(std::function<void()> work);

 private:
  std::unique_ptr<detail::ServerState> impl_;
};

}  // namespace appealhub::gateway
