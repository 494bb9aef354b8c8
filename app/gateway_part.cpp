#include "app/gateway_part.hpp"

#include <algorithm>

#include "app/part_config.hpp"
#include "app/routing_settings.hpp"
#include "gateway/http_server.hpp"

namespace appealhub::app {

GatewayPart::GatewayPart(const config::AppConfig& c, router::SetupSource setup,
                         bus::BrokerConfig broker) {
  const auto& server = c.gateway.server;
  auto options = c.gateway.api;
  options.secure_cookies = !server.tls_cert_file.empty();
  if (options.web_root.empty()) options.web_root = APPEALHUB_WEB_DIST;
  // Each waiting event stream holds a connection: leave at least half of them to requests.
  options.max_event_waits = std::max(1, server.max_connections / 2);
  options.due_soon_working_days = c.watch.due_soon_working_days;
  api_ = std::make_unique<gateway::Api>(
      options, database_config(c), std::move(setup), check_document,
      std::vector<gateway::ReadinessCheck>{{"broker", [broker] {
                                              const auto problem = bus::check_broker(broker);
                                              return problem ? *problem : std::string();
                                            }}});
  auto* api = api_.get();
  server_ = std::make_unique<gateway::HttpServer>(
      server, [api](const http::Request& r, const gateway::Reply& reply) { api->handle(r, reply); },
      [api](std::string_view method, std::string_view target) {
        return api->body_limit(method, target);
      });
  api->set_worker_pool(
      [server = server_.get()](std::function<void()> work) { server->post(std::move(work)); });
}

GatewayPart::~GatewayPart() {
  api_->end_waits();  // their replies go to the server's connections
}

void GatewayPart::start() {
  server_->start();
}
void GatewayPart::drain() {
  api_->end_waits();
  server_->drain();
}
unsigned short GatewayPart::port() const {
  return server_->port();
}

}  // namespace appealhub::app
