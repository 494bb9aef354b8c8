#pragma once
// The hub's JSON API under /api/v1 and the endpoints beside it (/healthz, /readyz, /metrics,
// /webhooks/petition): routing of requests to handlers, who is calling (session cookie or bearer
// token), what each role may do, and errors as {"error": code, "message": text}. Every answer is
// computed from the database: any number of gateways can serve the same users.

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.hpp"
#include "gateway/api_options.hpp"
#include "gateway/http_server.hpp"
#include "http/message.hpp"
#include "router/ticket_router.hpp"
#include "storage/database.hpp"

namespace appealhub::gateway {

// What /readyz checks besides the database: the broker, and anything else the process runs. The
// name is the check's key in the answer; `problem` returns "" when ready, else why not.
struct ReadinessCheck {
  std::string name;
  std::function<std::string()> problem;
};

// Checks a settings document ("departments", "routing_rules", "calendar_days") before it is saved,
// against the current departments; returns the errors, each naming the place and field.
using DocumentCheck = std::function<std::vector<std::string>(
    const std::string& name, const std::string& body, const std::string& departments_body)>;

// A handler mounted from another part (the petition adapter's webhook).
using MountedHandler = std::function<http::Response(const http::Request&)>;

struct RouteInfo {
  std::string method, pattern;  // "GET", "/api/v1/tickets/{id}"
  std::set<std::string> roles;  // empty: no login needed; {"*"}: any logged-in user
};

class Api {
 public:
  Api(ApiOptions options, storage::DatabaseConfig database, router::SetupSource setup,
      DocumentCheck check_document, std::vector<ReadinessCheck> readiness = {});
  ~Api();

  // Answers one request through `reply`: before returning, or later from another thread (a
  // ticket list page shared with the callers who asked it meanwhile: gateway/shared_reads.hpp).
  // Never throws.
  void handle(const http::Request& request, const Reply& reply) const;
  // Runs work on a worker thread: where an answer left for later is worked out again when the
  // run it waited for failed. Without it, that work runs on the thread that found the failure.
  void set_worker_pool(std::function<void(std::function<void()>)> post);
  // Answers every event stream waiting for news now (its client reconnects, to another gateway
  // when this one drains) and lets no more wait. Call before the server stops.
  void end_waits();
  // The largest body a route accepts, from the request line alone.
  std::size_t body_limit(std::string_view method, std::string_view target) const;
  // Every route, for the OpenAPI check and the authorization matrix.
  std::vector<RouteInfo> routes() const;

  void mount_petition_webhook(MountedHandler handler);
  // More Prometheus text for /metrics (counters kept by other parts of the process).
  void add_metrics_source(std::function<void(core::MetricsText&)> source);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The OpenAPI 3 document served at /api/v1/openapi.json.
std::string_view openapi_document();

}  // namespace appealhub::gateway
