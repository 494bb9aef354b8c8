#pragma once
// A small HTTP/1.1 server for tests of HTTP clients: plain or TLS on 127.0.0.1, an ephemeral
// port, a handler per request, keep-alive, and the faults a peer can show (no answer and a
// closed connection, a slow answer, closing after answering).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace appealhub::testing {

struct FakeReply {
  http::Response response;
  bool drop = false;                   // close the connection without answering
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool close_after = false;            // answer with Connection: close
};

struct FakeTls {
  std::string cert_file, key_file;  // PEM
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeReply(const http::Request&)>;

  // Starts listening at once; tls empty: plain HTTP.
  explicit FakeHttpServer(Handler handler, FakeTls tls = {});
  ~FakeHttpServer();

  unsigned short port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT or https://localhost:PORT
  std::vector<http::Request> requests() const;
  int connections() const;  // connections accepted so far
  // Closes every open connection (as a peer that drops idle keep-alive connections does).
  void close_connections();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// A JSON response.
FakeReply json_reply(int status, const std::string& body);

}  // namespace appealhub::testing
