#include "http/client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "http/url.hpp"

namespace appealhub::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

std::string_view to_string(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::connect_refused:
      return "connect_refused";
    case TransportFailure::connect_failed:
      return "connect_failed";
    case TransportFailure::timeout:
      return "timeout";
    case TransportFailure::closed_early:
      return "closed_early";
    case TransportFailure::tls:
      return "tls";
    case TransportFailure::protocol:
      return "protocol";
  }
  return "";
}

namespace {

struct BaseUrl {
  bool tls = false;
  std::string host;
  unsigned short port = 80;
  std::string prefix;  // "" or "/something" without a trailing slash
};

BaseUrl parse_base_url(const std::string& url) {
  const auto parsed = parse_http_url(url);  // throws naming what is wrong
  const auto bad = [&url](const std::string& why) {
    return std::invalid_argument("base URL '" + url + "': " + why);
  };
  if (parsed.has_query || parsed.has_fragment) throw bad("no query or fragment");
  if (parsed.has_user_info) throw bad("no user information");
  BaseUrl b{parsed.tls, parsed.host, parsed.port, parsed.path};
  while (b.prefix.ends_with('/')) b.prefix.pop_back();
  return b;
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool is_closed_early(const beast::error_code& ec) {
  return ec == beast::http::error::end_of_stream || ec == beast::http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == asio::error::not_connected || ec == ssl::error::stream_truncated;
}

}  // namespace

struct Client::Impl {
  ClientOptions options;
  BaseUrl base;
  asio::io_context io;
  std::unique_ptr<ssl::context> tls_context;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool connected() const { return plain || secure; }

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  void drop() {
    beast::error_code ignored;
    if (connected()) {
      lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest().socket().close(ignored);
    }
    secure.reset();
    plain.reset();
    buffer.clear();
  }

  std::string where(const std::string& method, const std::string& target) const {
    return method + " " + (base.tls ? "https://" : "http://") + base.host + ":" +
           std::to_string(base.port) + target;
  }

  // Runs one asynchronous operation to completion on the private io_context; the stream's expiry
  // time turns a stuck operation into beast::error::timeout.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  void connect(const std::string& what) {
    tcp::resolver resolver(io);
    asio::steady_timer timer(io);
    std::optional<beast::error_code> resolved;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(base.host, std::to_string(base.port),
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             resolved = ec;
                             endpoints = std::move(r);
                             timer.cancel();
                           });
    timer.expires_after(options.connect_timeout);
    timer.async_wait([&](beast::error_code ec) {
      if (!ec && !resolved) resolver.cancel();
    });
    io.restart();
    io.run();
    if (!resolved || *resolved == asio::error::operation_aborted) {
      throw TransportError(TransportFailure::timeout, what + ": resolving the host timed out");
    }
    if (*resolved) {
      throw TransportError(TransportFailure::connect_failed,
                           what + ": cannot resolve host: " + resolved->message());
    }
    auto stream = std::make_unique<beast::tcp_stream>(io);
    stream->expires_after(options.connect_timeout);
    const auto ec = run([&](auto handler) { stream->async_connect(endpoints, handler); });
    if (ec == beast::error::timeout) {
      throw TransportError(TransportFailure::timeout, what + ": connect timed out");
    }
    if (ec == asio::error::connection_refused) {
      throw TransportError(TransportFailure::connect_refused, what + ": connection refused");
    }
    if (ec) throw TransportError(TransportFailure::connect_failed, what + ": " + ec.message());
    stream->socket().set_option(tcp::no_delay(true));
    if (!base.tls) {
      plain = std::move(stream);
      return;
    }
    auto tls_stream =
        std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), *tls_context);
    // SNI for names only (RFC 6066 forbids IP literals); the host name is checked in any case.
    if (!is_ip_literal(base.host) &&
        !SSL_set_tlsext_host_name(tls_stream->native_handle(), base.host.c_str())) {
      throw TransportError(TransportFailure::tls, what + ": cannot set SNI");
    }
    tls_stream->set_verify_mode(ssl::verify_peer);
    tls_stream->set_verify_callback(ssl::host_name_verification(base.host));
    beast::get_lowest_layer(*tls_stream).expires_after(options.connect_timeout);
    const auto hs =
        run([&](auto handler) { tls_stream->async_handshake(ssl::stream_base::client, handler); });
    if (hs == beast::error::timeout) {
      throw TransportError(TransportFailure::timeout, what + ": TLS handshake timed out");
    }
    if (hs && is_closed_early(hs)) {
      throw TransportError(TransportFailure::closed_early,
                           what + ": closed during the TLS handshake: " + hs.message());
    }
    if (hs) throw TransportError(TransportFailure::tls, what + ": TLS handshake: " + hs.message());
    secure = std::move(tls_stream);
  }

  template <class Stream>
  beast::error_code exchange(Stream& stream, beast::http::request<beast::http::string_body>& req,
                             beast::http::response_parser<beast::http::string_body>& parser) {
    auto ec = run([&](auto handler) { beast::http::async_write(stream, req, handler); });
    if (ec) return ec;
    return run([&](auto handler) { beast::http::async_read(stream, buffer, parser, handler); });
  }

  Response send(const Request& request) {
    const std::string target = base.prefix + request.target;
    const std::string what = where(request.method, target);
    beast::http::request<beast::http::string_body> req;
    const auto verb = beast::http::string_to_verb(request.method);
    if (verb == beast::http::verb::unknown) {
      req.method_string(request.method);
    } else {
      req.method(verb);
    }
    req.target(target);
    req.version(11);
    const bool default_port = base.port == (base.tls ? 443 : 80);
    req.set(beast::http::field::host,
            default_port ? base.host : base.host + ":" + std::to_string(base.port));
    req.set(beast::http::field::user_agent, options.user_agent);
    for (const auto& [name, value] : request.headers) req.set(name, value);
    if (!request.body.empty() && !find_header(request.headers, "Content-Type")) {
      req.set(beast::http::field::content_type, "application/json");
    }
    req.body() = request.body;
    req.prepare_payload();

    bool reused = connected();
    for (;;) {
      if (!connected()) connect(what);
      beast::http::response_parser<beast::http::string_body> parser;
      parser.body_limit(options.body_limit);
      lowest().expires_after(options.request_timeout);
      const auto ec = secure ? exchange(*secure, req, parser) : exchange(*plain, req, parser);
      if (!ec) {
        auto& res = parser.get();
        Response out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& field : res) {
          out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        out.body = std::move(res.body());
        if (!res.keep_alive()) drop();
        return out;
      }
      const bool nothing_came = !parser.got_some();
      drop();
      // An idle keep-alive connection the peer closed: the request never reached it.
      if (options.resend_on_stale_connection && reused && nothing_came && is_closed_early(ec)) {
        reused = false;
        continue;
      }
      if (ec == beast::error::timeout) {
        throw TransportError(TransportFailure::timeout,
                             what + ": no complete answer within " +
                                 std::to_string(options.request_timeout.count()) + " ms");
      }
      if (is_closed_early(ec)) {
        throw TransportError(
            TransportFailure::closed_early,
            what + ": connection closed before the answer was complete: " + ec.message());
      }
      if (ec.category() == asio::error::get_ssl_category()) {
        throw TransportError(TransportFailure::tls, what + ": " + ec.message());
      }
      if (ec.category() ==
          beast::http::make_error_code(beast::http::error::bad_target).category()) {
        throw TransportError(TransportFailure::protocol,
                             what + ": unreadable answer: " + ec.message());
      }
      throw TransportError(TransportFailure::closed_early, what + ": " + ec.message());
    }
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->base = parse_base_url(options.base_url);
  impl_->options = std::move(options);
  if (impl_->base.tls) {
    impl_->tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(impl_->tls_context->native_handle(), TLS1_2_VERSION);
    impl_->tls_context->set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (impl_->options.ca_file.empty()) {
      impl_->tls_context->set_default_verify_paths(ec);
    } else {
      impl_->tls_context->load_verify_file(impl_->options.ca_file, ec);
    }
    if (ec) {
      throw std::invalid_argument("CA file '" + impl_->options.ca_file +
                                  "' cannot be loaded: " + ec.message());
    }
  }
}

Client::~Client() {
  if (impl_) impl_->drop();
}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Response Client::send(const Request& request) {
  return impl_->send(request);
}

Response Client::get(const std::string& target, Headers headers) {
  Request r;
  r.method = "GET";
  r.target = target;
  r.headers = std::move(headers);
  return send(r);
}

Response Client::post(const std::string& target, std::string body, Headers headers) {
  Request r;
  r.method = "POST";
  r.target = target;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return send(r);
}

std::string Client::request_target(std::string_view target) const {
  return impl_->base.prefix + std::string(target);
}
const std::string& Client::host() const {
  return impl_->base.host;
}
unsigned short Client::port() const {
  return impl_->base.port;
}
bool Client::secure() const {
  return impl_->base.tls;
}
void Client::close() {
  impl_->drop();
}

}  // namespace appealhub::http
