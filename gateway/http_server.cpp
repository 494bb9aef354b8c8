#include "gateway/http_server.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <fstream>
#include <future>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "core/log.hpp"

namespace appealhub::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::string_view kLogPart = "gateway.http";
// Connections being refused (503) at once beyond max_connections: past it, close without a word.
constexpr std::size_t kMaxRefusing = 64;
// How long a closing connection may still send what we will not read (so it sees our answer
// rather than a reset).
constexpr std::chrono::milliseconds kLingerLimit{2000};

http::Response error_response(int status, std::string_view code, std::string_view message) {
  http::Response r;
  r.status = status;
  r.set_header("Content-Type", "application/json");
  r.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
  return r;
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

class SessionBase {
 public:
  explicit SessionBase(asio::any_io_executor executor) : executor_(std::move(executor)) {}
  virtual ~SessionBase() = default;
  SessionBase(const SessionBase&) = delete;
  SessionBase& operator=(const SessionBase&) = delete;
  const asio::any_io_executor& executor() const { return executor_; }
  // Both run on the session's strand.
  virtual void on_drain() = 0;     // close if idle; otherwise answer with Connection: close
  virtual void force_close() = 0;  // the drain timeout passed

 private:
  const asio::any_io_executor executor_;  // the connection's strand
};

}  // namespace

struct detail::ServerState {
  ServerOptions options;
  AsyncHandler handler;
  BodyLimit body_limit;

  std::atomic<std::size_t> open{0}, requests{0}, refused{0}, timeouts{0}, bad_requests{0};
  std::atomic<bool> draining{false};

  // Every live session (served or being refused), for drain.
  std::mutex mutex;
  std::condition_variable sessions_gone;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  std::size_t refusing = 0;  // sessions answering 503, under mutex
  std::unordered_map<std::string, std::size_t> served_by_address;  // under mutex
  bool started = false, stopped = false;

  std::unique_ptr<ssl::context> tls;
  unsigned short bound_port = 0;
  std::optional<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;

  // Declared last: destroyed first, while everything a session touches in its destructor lives.
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(io)};
  tcp::acceptor acceptor{accept_strand};
  asio::steady_timer accept_retry{accept_strand};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  ServerState(ServerOptions o, AsyncHandler h, BodyLimit b)
      : options(std::move(o)),
        handler(std::move(h)),
        body_limit(std::move(b)),
        io(std::max(1, options.io_threads)) {}

  void add_session(const std::shared_ptr<SessionBase>& s, bool refusing_one,
                   const std::string& remote) {
    const std::lock_guard lock(mutex);
    sessions.emplace(s.get(), s);
    if (refusing_one) {
      ++refusing;
    } else {
      ++served_by_address[remote];
    }
  }
  void remove_session(SessionBase* s, bool refusing_one, const std::string& remote) {
    {
      const std::lock_guard lock(mutex);
      sessions.erase(s);
      if (refusing_one) {
        --refusing;
      } else if (const auto it = served_by_address.find(remote);
                 it != served_by_address.end() && --it->second == 0) {
        served_by_address.erase(it);
      }
    }
    sessions_gone.notify_all();
  }
  std::vector<std::shared_ptr<SessionBase>> live_sessions() {
    std::vector<std::shared_ptr<SessionBase>> out;
    const std::lock_guard lock(mutex);
    for (const auto& [raw, weak] : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }
  bool wait_sessions_gone(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return sessions_gone.wait_for(lock, timeout, [this] { return sessions.empty(); });
  }

  void load_tls();
  void listen();
  void accept();
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  void drain();
};

namespace {

using detail::ServerState;

// One connection, plain (beast::tcp_stream) or TLS (ssl::stream over it): reads a request with a
// timeout, hands it to a worker, writes the answer back on the strand, and loops while kept alive.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class State { handshake, idle, reading, handling, writing, closing };

 public:
  Session(ServerState& server, tcp::socket&& socket, std::string remote, bool refuse)
      : SessionBase(socket.get_executor()),
        server_(server),
        stream_(make_stream(server, std::move(socket))),
        remote_(std::move(remote)),
        refuse_(refuse) {
    if (!refuse_) ++server_.open;
  }
  ~Session() override {
    if (!refuse_) --server_.open;
    server_.remove_session(this, refuse_, remote_);
  }

  void start() {
    asio::dispatch(executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void on_drain() override {
    if (state_ == State::handshake ||
        (state_ == State::idle && buffer_.size() == 0 && !(parser_ && parser_->got_some()))) {
      close_now();
    }
    // reading / handling / writing: the answer goes out with Connection: close (see send()).
  }
  void force_close() override { close_now(); }

 private:
  static Stream make_stream(ServerState& server, tcp::socket&& socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server.tls);
    } else {
      (void)server;
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void begin() {
    if constexpr (kTls) {
      state_ = State::handshake;
      lowest().expires_after(server_.options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](const beast::error_code& ec) {
                                self->on_handshake(ec);
                              });
    } else {
      after_handshake();
    }
  }
  void on_handshake(const beast::error_code& ec) {
    if (ec) {
      if (ec == beast::error::timeout) ++server_.timeouts;
      close_now();
      return;
    }
    after_handshake();
  }
  void after_handshake() {
    if (refuse_) {
      close_after_ = true;
      send(error_response(503, "unavailable", "too many connections"));
      return;
    }
    read_head();
  }

  void read_head() {
    if (closed_) return;
    if (server_.draining) {
      graceful_close();
      return;
    }
    state_ = State::idle;
    parser_.emplace();
    const auto limit = std::min<std::size_t>(server_.options.header_limit,
                                             std::numeric_limits<std::uint32_t>::max());
    parser_->header_limit(static_cast<std::uint32_t>(limit));
    parser_->body_limit(boost::none);  // the route's limit is set once the head is known
    lowest().expires_after(server_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](const beast::error_code& ec,
                                                               std::size_t) { self->on_head(ec); });
  }

  void on_head(const beast::error_code& ec) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    state_ = State::reading;
    ++server_.requests;
    const auto& head = parser_->get();
    head_request_ = head.method() == bhttp::verb::head;
    std::size_t limit = 0;
    try {
      limit = server_.body_limit(head.method_string(), head.target());
    } catch (const std::exception& e) {
      core::log_error(kLogPart, "body limit threw", {{"error", e.what()}});
      close_after_ = true;
      send(error_response(500, "internal", "internal error"));
      return;
    }
    const auto length = parser_->content_length();
    if (length && *length > limit) {
      ++server_.bad_requests;
      close_after_ = true;  // the body stays unread: the connection cannot go on
      send(error_response(413, "payload_too_large", "request body over the limit of this route"));
      return;
    }
    parser_->body_limit(limit);
    if (parser_->is_done()) {
      on_request();
      return;
    }
    const auto expect = head[bhttp::field::expect];
    if (iequals(expect, "100-continue")) {
      continue_.emplace(bhttp::status::continue_, head.version());
      lowest().expires_after(server_.options.write_timeout);
      bhttp::async_write(
          stream_, *continue_,
          [self = this->shared_from_this()](const beast::error_code& wec, std::size_t) {
            if (wec) {
              self->on_write_error(wec);
              return;
            }
            self->read_body();
          });
      return;
    }
    read_body();
  }

  void read_body() {
    if (closed_) return;
    lowest().expires_after(server_.options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                        if (ec) {
                          self->on_read_error(ec);
                          return;
                        }
                        self->on_request();
                      });
  }

  void on_read_error(const beast::error_code& ec) {
    if (closed_) return;
    if (ec == beast::error::timeout) {
      ++server_.timeouts;
      close_now();
    } else if (ec == bhttp::error::header_limit) {
      ++server_.bad_requests;
      close_after_ = true;
      send(error_response(431, "header_too_large", "request head over the limit"));
    } else if (ec == bhttp::error::body_limit) {
      ++server_.bad_requests;
      close_after_ = true;
      send(error_response(413, "payload_too_large", "request body over the limit of this route"));
    } else if (is_http_error(ec) && ec != bhttp::error::end_of_stream &&
               ec != bhttp::error::partial_message) {
      ++server_.bad_requests;
      close_after_ = true;
      send(error_response(400, "bad_request", "malformed request: " + ec.message()));
    } else {
      close_now();  // the peer left, reset, or we closed it
    }
  }

  void on_request() {
    state_ = State::handling;
    auto& message = parser_->get();
    http::Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_;
    request.secure = kTls;
    if (!message.keep_alive()) close_after_ = true;
    parser_.reset();

    asio::post(*server_.workers, [self = this->shared_from_this(), request = std::move(request)] {
      // The reply may come from any thread: the answer is written on the connection's strand.
      // It holds the session until the first answer only, however long a copy of it is kept.
      struct Pending {
        std::mutex mutex;
        std::shared_ptr<Session> session;
      };
      auto pending = std::make_shared<Pending>();
      pending->session = self;
      const Reply reply = [pending](http::Response response) {
        std::shared_ptr<Session> session;
        {
          const std::lock_guard lock(pending->mutex);
          session = std::move(pending->session);
        }
        if (!session) return;  // answered already
        asio::post(session->executor(), [session, response = std::move(response)]() mutable {
          session->send(std::move(response));
        });
      };
      try {
        self->server_.handler(request, reply);
        return;
      } catch (const std::exception& e) {
        core::log_error(
            kLogPart, "handler threw",
            {{"method", request.method}, {"path", request.path()}, {"error", e.what()}});
      } catch (...) {
        core::log_error(kLogPart, "handler threw", {{"method", request.method}});
      }
      reply(error_response(500, "internal", "internal error"));
    });
  }

  void send(http::Response answer) {
    if (closed_) return;
    state_ = State::writing;
    if (server_.draining) close_after_ = true;
    if (answer.status < 100 || answer.status > 599) {
      core::log_error(kLogPart, "handler answered an invalid status",
                      {{"status", std::to_string(answer.status)}});
      answer = error_response(500, "internal", "internal error");
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(answer.status));
    for (auto& [name, value] : answer.headers) {
      if (iequals(name, "Content-Length") || iequals(name, "Connection") ||
          iequals(name, "Transfer-Encoding") || has_line_break(name) || has_line_break(value)) {
        continue;
      }
      response_.insert(name, value);
    }
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    if (head_request_) {
      // HEAD: the length GET would have, no body.
      const auto length = response_.body().size();
      response_.body().clear();
      response_.content_length(length);
    }
    response_.keep_alive(!close_after_);
    lowest().expires_after(server_.options.write_timeout);
    bhttp::async_write(stream_, response_,
                       [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                         self->on_write(ec);
                       });
  }

  void on_write(const beast::error_code& ec) {
    if (ec) {
      on_write_error(ec);
      return;
    }
    head_request_ = false;
    if (close_after_ || server_.draining) {
      graceful_close();
    } else {
      read_head();
    }
  }
  void on_write_error(const beast::error_code& ec) {
    if (ec == beast::error::timeout) ++server_.timeouts;
    close_now();
  }

  // Ends the connection so that the peer still reads our last answer: TLS close_notify, or a
  // half-close and discarding what the peer still sends (an unread body would otherwise turn our
  // close into a reset that can destroy the answer in the peer's buffers).
  void graceful_close() {
    if (closed_ || state_ == State::closing) return;
    state_ = State::closing;
    lowest().expires_after(std::min(server_.options.write_timeout, kLingerLimit));
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](const beast::error_code&) { self->close_now(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      linger();
    }
  }
  void linger() {
    lowest().async_read_some(
        asio::buffer(linger_buffer_),
        [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
          if (ec) {
            self->close_now();
          } else {
            self->linger();
          }
        });
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    state_ = State::closing;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();  // pending operations end with operation_aborted
  }

  ServerState& server_;
  Stream stream_;
  const std::string remote_;
  const bool refuse_;
  State state_ = State::idle;
  bool closed_ = false;
  bool close_after_ = false;
  bool head_request_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 4096> linger_buffer_{};
};

bool readable(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return file.good() && file.peek() != std::ifstream::traits_type::eof();
}

}  // namespace

void detail::ServerState::load_tls() {
  const auto& cert = options.tls_cert_file;
  const auto& key = options.tls_key_file;
  if (cert.empty() && key.empty()) return;
  if (cert.empty() || key.empty()) {
    throw std::runtime_error("HTTPS needs both a certificate file and a key file (only " +
                             (cert.empty() ? "key file " + key : "certificate file " + cert) +
                             " is set)");
  }
  if (!readable(cert)) throw std::runtime_error("cannot read TLS certificate file " + cert);
  if (!readable(key)) throw std::runtime_error("cannot read TLS key file " + key);
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 at least, whatever the system's OpenSSL configuration says.
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot require TLS 1.2");
  }
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2: forward secrecy and AEAD only (no CBC, no SHA-1 MACs, no static RSA key exchange).
  // TLS 1.3's suites are all of that kind already.
  if (SSL_CTX_set_cipher_list(context->native_handle(),
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) {
    throw std::runtime_error("cannot set the TLS 1.2 cipher suites");
  }
  beast::error_code ec;
  context->use_certificate_chain_file(cert, ec);
  if (ec) throw std::runtime_error("TLS certificate file " + cert + ": " + ec.message());
  context->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS key file " + key + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error("TLS key file " + key + " does not match certificate file " + cert);
  }
  tls = std::move(context);
}

void detail::ServerState::listen() {
  const std::string where = options.address + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(options.address, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(io);
    const auto results =
        resolver.resolve(options.address, std::to_string(options.port),
                         tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve listen address " + where + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  const auto fail = [&](std::string_view step) {
    throw std::runtime_error("cannot " + std::string(step) + " " + where + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("set SO_REUSEADDR on");
  acceptor.bind(endpoint, ec);
  if (ec) fail("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  bound_port = acceptor.local_endpoint(ec).port();
  if (ec) fail("read the port of");
}

void detail::ServerState::accept() {
  acceptor.async_accept(asio::make_strand(io),
                        [this](const beast::error_code& ec, tcp::socket socket) {
                          on_accept(ec, std::move(socket));
                        });
}

void detail::ServerState::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (!acceptor.is_open() || draining) {
    if (!ec) ++refused;  // accepted just as the drain began: cut
    return;
  }
  if (ec) {
    // Out of descriptors and the like: try again shortly rather than spin.
    core::log_warn(kLogPart, "accept failed", {{"error", ec.message()}});
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](const beast::error_code& wait_ec) {
      if (!wait_ec) accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const auto peer = socket.remote_endpoint(ignored);
  std::string remote = ignored ? std::string() : peer.address().to_string();

  bool refuse = open.load() >= static_cast<std::size_t>(std::max(0, options.max_connections));
  if (!refuse) {
    const std::lock_guard lock(mutex);
    const auto it = served_by_address.find(remote);
    refuse =
        it != served_by_address.end() &&
        it->second >= static_cast<std::size_t>(std::max(0, options.max_connections_per_address));
  }
  if (refuse) {
    ++refused;
    const std::lock_guard lock(mutex);
    if (refusing >= kMaxRefusing) {
      socket.close(ignored);  // a flood: not even a 503
      accept();
      return;
    }
  }
  const std::string address = remote;
  if (tls) {
    auto s = std::make_shared<Session<ssl::stream<beast::tcp_stream>>>(*this, std::move(socket),
                                                                       std::move(remote), refuse);
    add_session(s, refuse, address);
    s->start();
  } else {
    auto s = std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket),
                                                          std::move(remote), refuse);
    add_session(s, refuse, address);
    s->start();
  }
  accept();
}

void detail::ServerState::drain() {
  {
    const std::lock_guard lock(mutex);
    if (!started || stopped) return;
    stopped = true;
  }
  draining = true;
  // Stop accepting, on the acceptor's strand; from then on new connections are refused.
  std::promise<void> closed;
  asio::post(accept_strand, [this, &closed] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  for (auto& s : live_sessions()) {
    asio::post(s->executor(), [s] { s->on_drain(); });
  }
  if (!wait_sessions_gone(options.drain_timeout)) {
    const auto left = live_sessions();
    core::log_warn(kLogPart, "drain timeout: closing connections",
                   {{"connections", std::to_string(left.size())}});
    for (const auto& s : left) {
      asio::post(s->executor(), [s] { s->force_close(); });
    }
  }
  // Handlers already running finish (they cannot be interrupted); their answers meet closed
  // connections when the timeout passed.
  workers->join();
  wait_sessions_gone(kLingerLimit);
  work.reset();
  io.stop();
  for (auto& t : io_threads) t.join();
  io_threads.clear();
  core::log_info(kLogPart, "drained", {{"port", std::to_string(bound_port)}});
}

HttpServer::HttpServer(ServerOptions options, AsyncHandler handler, BodyLimit body_limit)
    : impl_(std::make_unique<detail::ServerState>(std::move(options), std::move(handler),
                                                  std::move(body_limit))) {}

HttpServer::HttpServer(ServerOptions options, Handler handler, BodyLimit body_limit)
    : HttpServer(std::move(options),
                 handler ? AsyncHandler([handler = std::move(handler)](const http::Request& r,
                                                                       const Reply& reply) {
                   reply(handler(r));
                 })
                         : AsyncHandler(),
                 std::move(body_limit)) {}

HttpServer::~HttpServer() {
  drain();
}

void HttpServer::start() {
  auto& s = *impl_;
  {
    const std::lock_guard lock(s.mutex);
    if (s.started) throw std::logic_error("HttpServer::start called twice");
  }
  if (!s.handler || !s.body_limit) throw std::invalid_argument("HttpServer needs a handler");
  s.load_tls();
  s.listen();
  s.workers.emplace(static_cast<std::size_t>(std::max(1, s.options.worker_threads)));
  s.work.emplace(asio::make_work_guard(s.io));
  asio::post(s.accept_strand, [&s] { s.accept(); });
  for (int i = 0; i < std::max(1, s.options.io_threads); ++i) {
    s.io_threads.emplace_back([&s] { s.io.run(); });
  }
  {
    const std::lock_guard lock(s.mutex);
    s.started = true;
  }
  core::log_info(kLogPart, "listening",
                 {{"address", s.options.address},
                  {"port", std::to_string(s.bound_port)},
                  {"tls", s.tls ? "true" : "false"}});
}

unsigned short HttpServer::port() const {
  return impl_->bound_port;
}

void HttpServer::drain() {
  impl_->drain();
}

void HttpServer::post(std::function<void()> work) {
  asio::post(*impl_->workers, std::move(work));
}

ServerStats HttpServer::stats() const {
  const auto& s = *impl_;
  return ServerStats{s.open.load(), s.requests.load(), s.refused.load(), s.timeouts.load(),
                     s.bad_requests.load()};
}

}  // namespace appealhub::gateway
