#include "tests/http/fake_http_server.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace appealhub::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct FakeHttpServer::State {
  Handler handler;
  FakeTls tls;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<ssl::context> tls_context;
  std::atomic<bool> stopping{false};
  unsigned short port = 0;
  mutable std::mutex mutex;
  std::vector<http::Request> requests;
  std::vector<int> open_sockets;
  std::vector<std::thread> threads;
  int accepted = 0;

  template <class Stream>
  void serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      beast::http::request_parser<beast::http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      beast::error_code ec;
      beast::http::read(stream, buffer, parser, ec);
      if (ec) return;
      const auto& req = parser.get();
      http::Request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& f : req) r.headers.emplace_back(f.name_string(), f.value());
      r.body = req.body();
      r.remote_address = "127.0.0.1";
      {
        const std::lock_guard lock(mutex);
        requests.push_back(r);
      }
      FakeReply reply = handler(r);
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      if (reply.drop) return;
      beast::http::response<beast::http::string_body> res;
      res.version(11);
      res.result(static_cast<unsigned>(reply.response.status));
      for (const auto& [k, v] : reply.response.headers) res.set(k, v);
      res.body() = reply.response.body;
      res.keep_alive(req.keep_alive() && !reply.close_after);
      res.prepare_payload();
      beast::http::write(stream, res, ec);
      if (ec || !res.keep_alive()) return;
    }
  }

  void connection(tcp::socket socket) {
    if (!tls_context) {
      serve(socket);
    } else {
      ssl::stream<tcp::socket&> stream(socket, *tls_context);
      beast::error_code ec;
      stream.handshake(ssl::stream_base::server, ec);
      if (!ec) serve(stream);
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    const std::lock_guard lock(mutex);
    std::erase(open_sockets, socket.native_handle());
  }

  void accept_loop() {
    while (!stopping) {
      tcp::socket socket(io);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping) return;
      const std::lock_guard lock(mutex);
      ++accepted;
      open_sockets.push_back(socket.native_handle());
      threads.emplace_back([this, s = std::move(socket)]() mutable { connection(std::move(s)); });
    }
  }
};

FakeHttpServer::FakeHttpServer(Handler handler, FakeTls tls) : state_(std::make_shared<State>()) {
  auto& s = *state_;
  s.handler = std::move(handler);
  s.tls = std::move(tls);
  if (!s.tls.cert_file.empty()) {
    s.tls_context = std::make_unique<ssl::context>(ssl::context::tls_server);
    s.tls_context->use_certificate_chain_file(s.tls.cert_file);
    s.tls_context->use_private_key_file(s.tls.key_file, ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(tcp::acceptor::reuse_address(true));
  s.acceptor.bind(endpoint);
  s.acceptor.listen();
  s.port = s.acceptor.local_endpoint().port();
  s.threads.emplace_back([state = state_] { state->accept_loop(); });
}

FakeHttpServer::~FakeHttpServer() {
  auto& s = *state_;
  s.stopping = true;
  ::shutdown(s.acceptor.native_handle(), SHUT_RDWR);
  close_connections();
  // Threads may still be added by the accept loop until it returns: join the first one first.
  std::thread accept_thread;
  {
    const std::lock_guard lock(s.mutex);
    accept_thread = std::move(s.threads.front());
  }
  accept_thread.join();
  close_connections();
  for (std::size_t i = 1; i < s.threads.size(); ++i) s.threads[i].join();
}

unsigned short FakeHttpServer::port() const {
  return state_->port;
}

std::string FakeHttpServer::base_url() const {
  return state_->tls_context ? "https://localhost:" + std::to_string(port())
                             : "http://127.0.0.1:" + std::to_string(port());
}

std::vector<http::Request> FakeHttpServer::requests() const {
  const std::lock_guard lock(state_->mutex);
  return state_->requests;
}

int FakeHttpServer::connections() const {
  const std::lock_guard lock(state_->mutex);
  return state_->accepted;
}

void FakeHttpServer::close_connections() {
  const std::lock_guard lock(state_->mutex);
  for (const int fd : state_->open_sockets) ::shutdown(fd, SHUT_RDWR);
}

FakeReply json_reply(int status, const std::string& body) {
  FakeReply r;
  r.response.status = status;
  r.response.headers.emplace_back("Content-Type", "application/json");
  r.response.body = body;
  return r;
}

}  // namespace appealhub::testing
