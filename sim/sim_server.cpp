#include "sim/sim_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace appealhub::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct SimServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Handler handler;
  std::thread accept_thread;
  std::mutex mutex;
  std::condition_variable idle;
  std::set<int> open_fds;  // connections to cut on stop
  int active = 0;
  std::atomic<bool> stopping{false};
  bool stopped = false;

  void accept_loop();
  void serve(tcp::socket socket);
  void sleep_unless_stopping(std::chrono::milliseconds delay);
};

SimServer::SimServer(const std::string& address, unsigned short port, Handler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(address, ec), port);
  if (ec) throw std::runtime_error("bad listen address " + address);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
  impl_->accept_thread = std::thread([impl = impl_.get()] { impl->accept_loop(); });
}

SimServer::~SimServer() {
  stop();
}

unsigned short SimServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void SimServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  // shutdown(2) wakes a thread blocked in accept(2) or recv(2) on Linux; close would race.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  std::unique_lock lock(impl_->mutex);
  for (const int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
  impl_->idle.notify_all();  // wakes delayed answers
  impl_->idle.wait(lock, [&] { return impl_->active == 0; });
  lock.unlock();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

void SimServer::Impl::accept_loop() {
  while (!stopping) {
    boost::system::error_code ec;
    tcp::socket socket = acceptor.accept(ec);
    if (ec) {
      if (stopping) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    std::lock_guard lock(mutex);
    if (stopping) return;
    ++active;
    open_fds.insert(socket.native_handle());
    std::thread([this, s = std::move(socket)]() mutable { serve(std::move(s)); }).detach();
  }
}

void SimServer::Impl::sleep_unless_stopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex);
  idle.wait_for(lock, delay, [&] { return stopping.load(); });
}

void SimServer::Impl::serve(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string remote_address = ec ? std::string() : remote.address().to_string();
  beast::flat_buffer buffer;
  while (!stopping) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(1024 * 1024);
    bhttp::read(socket, buffer, parser, ec);
    if (ec) break;
    const auto& req = parser.get();
    http::Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = req.body();
    request.remote_address = remote_address;
    Outcome outcome;
    try {
      outcome = handler(request);
    } catch (const std::exception&) {
      outcome.response.status = 500;
      outcome.response.set_header("Content-Type", "text/plain");
      outcome.response.body = "simulator error";
    }
    if (outcome.delay.count() > 0) sleep_unless_stopping(outcome.delay);
    if (outcome.drop || stopping) break;
    bhttp::response<bhttp::string_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(outcome.response.status));
    for (const auto& [name, value] : outcome.response.headers) res.set(name, value);
    res.body() = std::move(outcome.response.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    bhttp::write(socket, res, ec);
    if (ec || !res.keep_alive()) break;
  }
  {
    // Unregister before closing so that stop() never shuts down a reused descriptor.
    std::lock_guard lock(mutex);
    open_fds.erase(socket.native_handle());
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
  std::lock_guard lock(mutex);
  --active;
  idle.notify_all();
}

std::optional<http::HttpUrl> plain_http_url(const std::string& url) {
  try {
    auto parsed = http::parse_http_url(url);
    if (parsed.tls || parsed.has_user_info || parsed.has_fragment) return std::nullopt;
    return parsed;
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

ClientResult http_post(const std::string& url, const http::Headers& headers,
                       const std::string& body, std::chrono::milliseconds timeout) {
  ClientResult result;
  const auto url_parts = plain_http_url(url);
  if (!url_parts) {
    result.error = "not an http:// URL";
    return result;
  }
  const http::HttpUrl& parsed = *url_parts;
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(parsed.host, std::to_string(parsed.port)));
    bhttp::request<bhttp::string_body> req(bhttp::verb::post, parsed.target, 11);
    req.set(bhttp::field::host, parsed.host + ":" + std::to_string(parsed.port));
    req.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.keep_alive(false);
    req.prepare_payload();
    stream.expires_after(timeout);
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    result.status = static_cast<int>(res.result_int());
    result.body = res.body();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    result.status = 0;
    result.error = e.what();
  }
  return result;
}

}  // namespace appealhub::sim
