#pragma once
// The gateway as a part of the executable: the API (gateway/api.hpp) served by the HTTP(S)
// server (gateway/http_server.hpp) with the configured limits, readiness checks of the database
// and the broker, and the routing settings the process follows.

#include <memory>

#include "bus/broker_config.hpp"
#include "config/app_config.hpp"
#include "gateway/api.hpp"

namespace appealhub::gateway {
class HttpServer;
}

namespace appealhub::app {

class GatewayPart {
 public:
  GatewayPart(const config::AppConfig& config, router::SetupSource setup, bus::BrokerConfig broker);
  ~GatewayPart();
  gateway::Api& api() { return *api_; }
  void start();  // binds and serves; throws when the address cannot be bound
  void drain();  // finishes requests in flight, then stops
  unsigned short port() const;

 private:
  std::unique_ptr<gateway::Api> api_;
  std::unique_ptr<gateway::HttpServer> server_;
};

}  // namespace appealhub::app
