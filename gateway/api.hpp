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
#include "http/message.hpp"
#include "router/ticket_router.hpp"
#include "storage/database.hpp"

namespace appealhub::gateway {

struct ApiOptions {
  std::chrono::seconds session_lifetime{8 * 3600};
  int login_failures_per_user = 5;     // within the window, then 429 until the oldest ages out
  int login_failures_per_remote = 20;  // from one address
  std::chrono::seconds login_window{15 * 60};
  bool secure_cookies = false;  // Secure attribute on cookies (set when serving HTTPS)
  std::size_t default_body_limit = 64 * 1024;
  int return_window_working_days = 2;  // returns within this many working days of dispatch
  // GET /api/v1/events: how long one answer waits for news, and how many may wait at once (each
  // holds a worker thread; keep it well under the server's worker_threads).
  std::chrono::seconds event_wait{20};
  int max_event_waits = 4;
  // The web UI's built files (web/dist); "" or a folder without index.html: no UI served.
  std::string web_root;
  std::chrono::seconds token_lifetime{90 * 24 * 3600};  // API tokens created without a lifetime
  int phone_searches_per_minute = 20;                   // per user; then 429
  int stats_min_sample = 10;                            // docs/statistics.md, "Small samples"
  int stats_instant_answer_minutes = 60;
  int due_soon_working_days = 1;  // the overdue list's "due soon" (watch.due_soon_working_days)
};

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

  // Answers one request. Never throws.
  http::Response handle(const http::Request& request) const;
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
