#include "app/gateway_part.hpp"

#include <algorithm>

#include "app/routing_settings.hpp"
#include "gateway/http_server.hpp"

namespace appealhub::app {

GatewayPart::GatewayPart(const config::AppConfig& c, router::SetupSource setup,
                         bus::BrokerConfig broker) {
  const auto& g = c.gateway;
  gateway::ApiOptions options;
  options.session_lifetime = std::chrono::hours(g.session_hours);
  options.secure_cookies = !g.tls_cert_file.empty();
  options.web_root = g.web_root.empty() ? std::string(APPEALHUB_WEB_DIST) : g.web_root;
  // Each waiting event stream holds a worker: leave at least half of them to requests.
  options.max_event_waits = std::max(1, g.worker_threads / 2);
  options.token_lifetime = std::chrono::hours(24 * g.token_days);
  options.phone_searches_per_minute = g.phone_searches_per_minute;
  options.stats_min_sample = c.stats.min_sample;
  options.stats_instant_answer_minutes = c.stats.instant_answer_minutes;
  options.due_soon_working_days = c.watch.due_soon_working_days;
  api_ = std::make_unique<gateway::Api>(
      options, storage::DatabaseConfig{c.database.uri}, std::move(setup), check_document,
      std::vector<gateway::ReadinessCheck>{{"broker", [broker] {
                                              const auto problem = bus::check_broker(broker);
                                              return problem ? *problem : std::string();
                                            }}});
  gateway::ServerOptions server;
  server.address = g.listen_address;
  server.port = static_cast<unsigned short>(g.port);
  server.io_threads = g.io_threads;
  server.worker_threads = g.worker_threads;
  server.max_connections = g.max_connections;
  server.max_connections_per_address = g.max_connections_per_address;
  server.read_timeout = std::chrono::milliseconds(g.read_timeout_ms);
  server.tls_cert_file = g.tls_cert_file;
  server.tls_key_file = g.tls_key_file;
  auto* api = api_.get();
  server_ = std::make_unique<gateway::HttpServer>(
      server, [api](const http::Request& r) { return api->handle(r); },
      [api](std::string_view method, std::string_view target) {
        return api->body_limit(method, target);
      });
}

GatewayPart::~GatewayPart() = default;

void GatewayPart::start() {
  server_->start();
}
void GatewayPart::drain() {
  server_->drain();
}
unsigned short GatewayPart::port() const {
  return server_->port();
}

}  // namespace appealhub::app
