#include "gateway/api.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

#include "core/log.hpp"
#include "core/time.hpp"
#include "gateway/api_internal.hpp"
#include "gateway/credentials.hpp"
#include "gateway/embedded_files.hpp"
#include "gateway/live_feed.hpp"
#include "gateway/web_files.hpp"
#include "http/url.hpp"
#include "storage/adapter_status.hpp"
#include "storage/backlog.hpp"
#include "storage/migrations.hpp"

namespace appealhub::gateway {
namespace detail {
http::Response auth_login(Context& ctx);
http::Response auth_logout(Context& ctx);
http::Response auth_me(Context& ctx);
http::Response auth_token(Context& ctx);
http::Response auth_tokens(Context& ctx);
http::Response auth_token_revoke(Context& ctx);
}  // namespace detail

using namespace detail;

namespace {

constexpr const char* kSessionCookie = "appealhub_session";

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::optional<std::string> cookie(const http::Request& request, const std::string& name) {
  const auto header = request.header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

// Latency buckets (seconds) of the request histogram.
constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

struct RouteMetrics {
  std::map<std::pair<std::string, int>, std::uint64_t> by_method_status;
  std::uint64_t buckets[std::size(kBuckets)] = {};
  std::uint64_t count = 0;
  double sum = 0;
};

}  // namespace

struct Api::Impl {
  Services services;
  std::vector<ReadinessCheck> readiness;
  MountedHandler petition_webhook;
  std::vector<std::function<void(core::MetricsText&)>> metrics_sources;
  std::vector<RouteDef> routes;
  std::vector<std::vector<std::string>> patterns;  // split once

  mutable std::mutex metrics_mutex;
  mutable std::map<std::string, RouteMetrics> metrics;  // by route pattern

  std::function<void(std::function<void()>)> post_work;  // to a worker thread

  pqxx::connection& connection() const;
  void drop_connection() const;
  void handle(const http::Request& request, const Reply& reply, bool alone,
              std::chrono::steady_clock::time_point started) const;
  http::Response dispatch(const http::Request& request, std::string& route_label,
                          Answering& answering) const;
  http::Response api_route(const http::Request& request, std::string& route_label,
                           Answering& answering) const;
  http::Response readyz() const;
  http::Response metrics_text() const;
  void record(const std::string& route, const std::string& method, int status,
              double seconds) const;
};

namespace {
// One per worker thread; a request never gets one that broke (see storage::KeptConnection).
thread_local std::unique_ptr<storage::KeptConnection> tls_connection;
}  // namespace

pqxx::connection& Api::Impl::connection() const {
  if (!tls_connection)
    tls_connection = std::make_unique<storage::KeptConnection>(services.database);
  return tls_connection->get();
}

void Api::Impl::drop_connection() const {
  if (tls_connection) tls_connection->drop();
}

std::optional<storage::Principal> PrincipalCache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.until < std::chrono::steady_clock::now()) {
    return std::nullopt;
  }
  return it->second.who;
}

void PrincipalCache::put(const std::string& key, const storage::Principal& who) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [&](const auto& e) { return e.second.until < now; });
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  entries_.insert_or_assign(key, Entry{now + kTtl, who});
}

void PrincipalCache::erase(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

void PrincipalCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

std::shared_ptr<const router::RoutingSetup> Services::routing() const {
  auto current = setup ? setup() : nullptr;
  if (!current) throw ApiError(503, "not_ready", "the routing settings are not loaded yet");
  return current;
}

Api::Api(ApiOptions options, storage::DatabaseConfig database, router::SetupSource setup,
         DocumentCheck check_document, std::vector<ReadinessCheck> readiness)
    : impl_(std::make_unique<Impl>()) {
  impl_->services =
      Services{options, std::move(database), std::move(setup), std::move(check_document)};
  impl_->readiness = std::move(readiness);
  impl_->routes = {
      {"POST", "/api/v1/auth/login", {}, auth_login, 4096},
      {"POST", "/api/v1/auth/logout", {"*"}, auth_logout},
      {"GET", "/api/v1/auth/me", {"*"}, auth_me},
      {"POST", "/api/v1/auth/tokens", {"*"}, auth_token},
      {"GET", "/api/v1/auth/tokens", {"*"}, auth_tokens},
      {"DELETE", "/api/v1/auth/tokens/{id}", {"*"}, auth_token_revoke},
  };
  for (auto& r : ticket_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : admin_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : reply_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : event_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : rules_try_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : stats_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : knowledge_routes()) impl_->routes.push_back(std::move(r));
  for (auto& r : disclosure_routes()) impl_->routes.push_back(std::move(r));
  for (const auto& r : impl_->routes) impl_->patterns.push_back(split_path(r.pattern));
  // The feed's own connection, used on its thread only.
  auto kept = std::make_shared<storage::KeptConnection>(impl_->services.database);
  LiveFeed::Options feed;
  feed.max_waiting = static_cast<std::size_t>(std::max(0, options.max_event_waits));
  impl_->services.live_feed = std::make_shared<LiveFeed>(
      [kept](std::int64_t after, int limit) {
        try {
          pqxx::nontransaction txn(kept->get());
          return storage::feed_after(txn, after, {}, limit);
        } catch (const std::exception& e) {
          kept->drop_if_broken(e);
          throw;
        }
      },
      feed);
}

Api::~Api() {
  end_waits();
}

void Api::end_waits() {
  impl_->services.live_feed->stop();
}

void Api::mount_petition_webhook(MountedHandler handler) {
  impl_->petition_webhook = std::move(handler);
}

void Api::add_metrics_source(std::function<void(core::MetricsText&)> source) {
  impl_->metrics_sources.push_back(std::move(source));
}

std::vector<RouteInfo> Api::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : impl_->routes) out.push_back({r.method, r.pattern, r.roles});
  return out;
}

std::size_t Api::body_limit(std::string_view method, std::string_view target) const {
  const std::string path(target.substr(0, target.find('?')));
  if (path == "/webhooks/petition") return 1024 * 1024;
  const auto segments = split_path(path);
  for (std::size_t i = 0; i < impl_->routes.size(); ++i) {
    const auto& pattern = impl_->patterns[i];
    if (impl_->routes[i].method != method || pattern.size() != segments.size()) continue;
    bool match = true;
    for (std::size_t k = 0; k < pattern.size() && match; ++k) {
      match = pattern[k].starts_with('{') || pattern[k] == segments[k];
    }
    if (match) {
      const auto limit = impl_->routes[i].body_limit;
      return limit ? limit : impl_->services.options.default_body_limit;
    }
  }
  return impl_->services.options.default_body_limit;  // answered 404 or 405 after reading
}

void Api::handle(const http::Request& request, const Reply& reply) const {
  impl_->handle(request, reply, false, std::chrono::steady_clock::now());
}

void Api::set_worker_pool(std::function<void(std::function<void()>)> post) {
  impl_->post_work = std::move(post);
}

void Api::Impl::handle(const http::Request& request, const Reply& reply, bool alone,
                       std::chrono::steady_clock::time_point started) const {
  // Every answer, now or later, is counted under its route and carries the security headers.
  auto route = std::make_shared<std::string>("unmatched");
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Answering answering;
  answering.alone = alone;
  answering.later = [this, route, answered, started, method = request.method,
                     reply](http::Response response) {
    if (answered->exchange(true)) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    record(*route, method, response.status, seconds);
    add_security_headers(response);
    reply(std::move(response));
  };
  // Copies the request only for a handler that leaves its answer for later.
  answering.again = [this, &request, reply, started]() -> std::function<void()> {
    return [this, request, reply, started] {
      const auto work = [this, request, reply, started] { handle(request, reply, true, started); };
      if (post_work) {
        post_work(work);
      } else {
        work();
      }
    };
  };
  http::Response response;
  try {
    response = dispatch(request, *route, answering);
    if (answering.deferred) return;  // answered through `later`
  } catch (const ApiError& e) {
    response = json_response(e.status, {{"error", e.code}, {"message", e.what()}});
    if (e.retry_after > 0) response.set_header("Retry-After", std::to_string(e.retry_after));
  } catch (const std::exception& e) {
    const bool dropped = tls_connection && tls_connection->drop_if_broken(e);
    if (dropped || storage::is_connection_failure(e)) {
      response =
          json_response(503, {{"error", "unavailable"}, {"message", "database unreachable"}});
    } else {
      core::log_error("gateway", "request failed",
                      {{"method", request.method}, {"route", *route}, {"error", e.what()}});
      response = json_response(500, {{"error", "internal"}, {"message", "internal error"}});
    }
  }
  // Ignored when the handler had answered before it failed (running a shared page for others).
  answering.later(std::move(response));
}

http::Response Api::Impl::dispatch(const http::Request& request, std::string& route,
                                   Answering& answering) const {
  const auto path = request.path();
  if (path == "/healthz" && request.method == "GET") {
    route = "/healthz";
    return json_response(200, {{"status", "ok"}});
  }
  if (path == "/readyz" && request.method == "GET") {
    route = "/readyz";
    return readyz();
  }
  if (path == "/metrics" && request.method == "GET") {
    route = "/metrics";
    return metrics_text();
  }
  if (path == "/api/v1/openapi.json" && request.method == "GET") {
    route = path;
    http::Response r;
    r.set_header("Content-Type", "application/json");
    r.body = std::string(openapi_document());
    return r;
  }
  if (path == "/webhooks/petition") {
    route = path;
    if (request.method != "POST") {
      throw ApiError(405, "method_not_allowed", "use POST");
    }
    if (!petition_webhook) {
      throw ApiError(404, "not_found", "the petition channel is not configured here");
    }
    return petition_webhook(request);
  }
  const bool api = path.starts_with("/api/") || path == "/api";
  if (!api && (request.method == "GET" || request.method == "HEAD") &&
      !services.options.web_root.empty()) {
    if (auto page = serve_web_file(services.options.web_root, path)) {
      route = "web";
      return std::move(*page);
    }
  }
  return api_route(request, route, answering);
}

http::Response Api::Impl::api_route(const http::Request& request, std::string& route,
                                    Answering& answering) const {
  const auto segments = split_path(request.path());
  const RouteDef* found = nullptr;
  std::map<std::string, std::string> params;
  bool path_known = false;
  for (std::size_t i = 0; i < routes.size() && !found; ++i) {
    const auto& pattern = patterns[i];
    if (pattern.size() != segments.size()) continue;
    std::map<std::string, std::string> candidate;
    bool match = true;
    for (std::size_t k = 0; k < pattern.size() && match; ++k) {
      if (pattern[k].starts_with('{')) {
        auto value = http::decode_path_segment(segments[k]);
        match = value && !value->empty();
        if (match) candidate[pattern[k].substr(1, pattern[k].size() - 2)] = std::move(*value);
      } else {
        match = pattern[k] == segments[k];
      }
    }
    if (!match) continue;
    path_known = true;
    if (routes[i].method == request.method) {
      found = &routes[i];
      params = std::move(candidate);
    }
  }
  if (!found) {
    if (path_known)
      throw ApiError(405, "method_not_allowed", request.method + " is not allowed here");
    throw ApiError(404, "not_found", "no such resource: " + request.path());
  }
  route = found->pattern;

  auto& db = connection();
  Context ctx{request, std::move(params), std::nullopt, db, services, answering};
  if (!found->roles.empty()) {
    // Keys: "t" or "s" (API token or session) and the credential's hash.
    const auto principal = [&](const std::string& key) {
      if (auto cached = services.principals->find(key)) return cached;
      pqxx::nontransaction txn(db);  // one statement: no BEGIN/COMMIT round trips
      const auto hash = key.substr(1);
      auto who =
          key[0] == 't' ? storage::find_api_token(txn, hash) : storage::find_session(txn, hash);
      if (who) services.principals->put(key, *who);
      return who;
    };
    if (const auto auth = request.header("Authorization")) {
      if (!auth->starts_with("Bearer ")) {
        throw ApiError(401, "unauthenticated", "Authorization: expected a Bearer token");
      }
      ctx.who = principal("t" + token_hash(auth->substr(7)));
    } else if (const auto token = cookie(request, kSessionCookie)) {
      ctx.who = principal("s" + token_hash(*token));
    }
    if (!ctx.who) throw ApiError(401, "unauthenticated", "log in first");
    if (!found->roles.contains("*")) {
      const bool allowed =
          std::any_of(ctx.who->user.roles.begin(), ctx.who->user.roles.end(),
                      [&](const std::string& r) { return found->roles.contains(r); });
      if (!allowed) forbidden("your roles do not allow " + request.method + " " + found->pattern);
    }
    if (ctx.who->session && request.method != "GET" && request.method != "HEAD") {
      const auto csrf = request.header("X-CSRF-Token");
      if (!csrf || ctx.who->csrf_token.empty() || *csrf != ctx.who->csrf_token) {
        throw ApiError(403, "csrf", "X-CSRF-Token: missing or wrong for this session");
      }
    }
  }
  check_request_text(request, ctx.params);
  return found->handler(ctx);
}

http::Response Api::Impl::readyz() const {
  nlohmann::json checks = nlohmann::json::object();
  bool ready = true;
  try {
    auto& db = connection();
    const bool current = storage::migrations_current(db);
    checks["database"] = "ok";
    checks["migrations"] = current ? "current" : "pending";
    ready = current;
  } catch (const std::exception& e) {
    drop_connection();
    checks["database"] = std::string("unreachable");
    ready = false;
  }
  // Every looping part of this process must have its database connection back too.
  std::string failing;
  for (const auto& [part, since] : storage::failing_connections()) {
    failing += (failing.empty() ? "" : ", ") + part + " (" + std::to_string(since.count()) + " s)";
  }
  checks["connections"] = failing.empty() ? "ok" : "cannot reconnect: " + failing;
  ready = ready && failing.empty();
  for (const auto& check : readiness) {
    const auto problem = check.problem();
    checks[check.name] = problem.empty() ? "ok" : problem;
    ready = ready && problem.empty();
  }
  return json_response(ready ? 200 : 503, {{"ready", ready}, {"checks", checks}});
}

void Api::Impl::record(const std::string& route, const std::string& method, int status,
                       double seconds) const {
  std::lock_guard lock(metrics_mutex);
  auto& m = metrics[route];
  ++m.by_method_status[{method, status}];
  ++m.count;
  m.sum += seconds;
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++m.buckets[i];
  }
}

http::Response Api::Impl::metrics_text() const {
  using Type = core::MetricsText::Type;
  core::MetricsText out;
  out.declare("appealhub_http_requests_total", Type::counter,
              "Requests answered, by route, method and status.");
  out.declare("appealhub_http_request_duration_seconds", Type::histogram,
              "Time to answer, by route.");
  {
    std::lock_guard lock(metrics_mutex);
    for (const auto& [route, m] : metrics) {
      for (const auto& [key, count] : m.by_method_status) {
        out.add("appealhub_http_requests_total",
                {{"route", route}, {"method", key.first}, {"status", std::to_string(key.second)}},
                static_cast<double>(count));
      }
      const std::string histogram = "appealhub_http_request_duration_seconds";
      for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
        out.add(histogram, {{"route", route}, {"le", core::metric_value(kBuckets[i])}},
                static_cast<double>(m.buckets[i]), "_bucket");
      }
      out.add(histogram, {{"route", route}, {"le", "+Inf"}}, static_cast<double>(m.count),
              "_bucket");
      out.add(histogram, {{"route", route}}, m.sum, "_sum");
      out.add(histogram, {{"route", route}}, static_cast<double>(m.count), "_count");
    }
  }
  {
    const auto shared = services.shared_reads->counts();
    out.declare("appealhub_gateway_list_runs_total", Type::counter,
                "Ticket list queries run (identical ones asked at once share a run).");
    out.add("appealhub_gateway_list_runs_total", {}, static_cast<double>(shared.runs));
    out.declare("appealhub_gateway_list_shared_total", Type::counter,
                "Ticket list requests answered by a run shared with others.");
    out.add("appealhub_gateway_list_shared_total", {}, static_cast<double>(shared.shared));
  }
  out.declare("appealhub_gateway_event_streams_waiting", Type::gauge,
              "Event stream answers waiting for news (they hold no worker).");
  out.add("appealhub_gateway_event_streams_waiting", {},
          static_cast<double>(services.live_feed->waiting()));
  out.declare("appealhub_database_up", Type::gauge, "Whether /metrics could read the store.");
  try {
    auto& db = connection();
    pqxx::read_transaction txn(db);
    const auto backlog = storage::read_backlog(txn);
    out.declare("appealhub_tickets", Type::gauge, "Tickets in the store, by status.");
    for (const auto& [status, count] : backlog.tickets_by_status) {
      out.add("appealhub_tickets", {{"status", status}}, static_cast<double>(count));
    }
    out.declare("appealhub_outbox_unsent", Type::gauge, "Messages decided but not yet on the bus.");
    out.add("appealhub_outbox_unsent", {}, static_cast<double>(backlog.outbox_unsent));
    out.declare("appealhub_outbox_lag_seconds", Type::gauge, "Age of the oldest unsent message.");
    out.add("appealhub_outbox_lag_seconds", {}, backlog.outbox_oldest_unsent_seconds);
    // Every process's adapters, from adapter_status: declared before this process's own
    // (adapter_metrics), so the store's view of a channel is the one reported.
    out.declare("appealhub_adapter_lag_seconds", Type::gauge,
                "Time since a channel poller last reached the end of its feed.");
    out.declare("appealhub_adapter_last_success_age_seconds", Type::gauge,
                "Time since a channel poller's last good pass (-1: never).");
    for (const auto& a : storage::read_adapter_status(txn)) {
      out.add("appealhub_adapter_lag_seconds", {{"adapter", a.adapter}}, a.lag_seconds);
      out.add("appealhub_adapter_last_success_age_seconds", {{"adapter", a.adapter}},
              a.last_success_age_seconds);
    }
    out.declare("appealhub_delivery_failures_total", Type::counter,
                "Replies a channel refused or that failed.");
    out.add("appealhub_delivery_failures_total", {}, static_cast<double>(backlog.reply_failures));
    out.declare("appealhub_rejected_messages_total", Type::counter, "Messages intake refused.");
    out.add("appealhub_rejected_messages_total", {},
            static_cast<double>(backlog.rejected_messages));
    out.add("appealhub_database_up", {}, 1);
  } catch (const std::exception& e) {
    drop_connection();
    out.add("appealhub_database_up", {}, 0);
  }
  try {
    stats_metrics(connection(), services, out);
  } catch (const std::exception& e) {
    core::log_warn("gateway", "statistics metrics unavailable", {{"error", e.what()}});
  }
  for (const auto& source : metrics_sources) source(out);
  http::Response r;
  r.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.body = out.text();
  return r;
}

// ---- auth ----------------------------------------------------------------------------------

namespace detail {

namespace {

nlohmann::json user_json(const storage::User& u) {
  return {{"id", u.id},       {"username", u.username},       {"display_name", u.display_name},
          {"roles", u.roles}, {"departments", u.departments}, {"active", u.active}};
}

std::string session_cookie(const Services& s, const std::string& value, long max_age) {
  return std::string(kSessionCookie) + "=" + value +
         "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Strict" +
         (s.options.secure_cookies ? "; Secure" : "");
}

}  // namespace

nlohmann::json public_user(const storage::User& u) {
  return user_json(u);
}

http::Response auth_login(Context& ctx) {
  Body body(ctx.request);
  const auto username = *body.string("username", true, 64);
  const auto password = *body.string("password", true, 128);
  body.finish();
  const auto& o = ctx.services.options;
  const auto remote = ctx.request.remote_address;
  {
    // Counted as a failure before the password is checked: see storage::open_login_attempt.
    pqxx::work gate_txn(ctx.db);
    const auto gate =
        storage::open_login_attempt(gate_txn, username, remote, o.login_window,
                                    o.login_failures_per_user, o.login_failures_per_remote);
    gate_txn.commit();
    if (!gate.allowed) {
      auto r = json_response(429, {{"error", "too_many_attempts"},
                                   {"message", "too many failed logins; try again later"}});
      r.set_header("Retry-After", std::to_string(gate.retry_after.count()));
      return r;
    }
  }
  pqxx::work txn(ctx.db);
  const auto credentials = storage::find_credentials(txn, username);
  // A missing user costs the same time as a wrong password (one hash check against a hash made
  // once), so names cannot be told apart by timing.
  static const std::string unknown_user_hash = hash_password(random_token(), kPasswordIterations);
  const bool ok = credentials ? verify_password(password, credentials->password_hash)
                              : (verify_password(password, unknown_user_hash), false);
  if (!ok) throw ApiError(401, "invalid_credentials", "wrong user name or password");
  storage::clear_login_failures(txn, username);
  const auto token = random_token();
  const auto csrf = random_token(16);
  storage::create_session(txn, token_hash(token), credentials->user.id, csrf, o.session_lifetime,
                          remote);
  txn.commit();
  core::log_info("gateway", "login", {{"user", username}});
  auto r = json_response(200, {{"user", user_json(credentials->user)}, {"csrf_token", csrf}});
  r.headers.emplace_back("Set-Cookie",
                         session_cookie(ctx.services, token, o.session_lifetime.count()));
  return r;
}

http::Response auth_logout(Context& ctx) {
  Body(ctx.request).finish();
  if (ctx.who->session) {
    const auto token = cookie(ctx.request, kSessionCookie);
    pqxx::work txn(ctx.db);
    storage::delete_session(txn, token_hash(token.value_or("")));
    txn.commit();
    ctx.services.principals->erase("s" + token_hash(token.value_or("")));
  }
  auto r = json_response(200, {{"logged_out", true}});
  r.headers.emplace_back("Set-Cookie", session_cookie(ctx.services, "", 0));
  return r;
}

http::Response auth_me(Context& ctx) {
  ctx.allow_query({});
  return json_response(200, {{"user", user_json(ctx.user())}});
}

http::Response auth_token(Context& ctx) {
  Body body(ctx.request);
  const auto name = *body.string("name", true, 100);
  const auto days = body.integer("expires_in_days", false, 1, 3650);
  body.finish();
  const auto token = random_token();
  pqxx::work txn(ctx.db);
  storage::create_api_token(
      txn, token_hash(token), ctx.user().id, name,
      days ? std::chrono::seconds(*days * 86400) : ctx.services.options.token_lifetime);
  const auto created = storage::list_api_tokens(txn, ctx.user().id).front();
  txn.commit();
  return json_response(
      201,
      {{"token", token}, {"id", created.id}, {"name", name}, {"expires_at", created.expires_at}});
}

http::Response auth_tokens(Context& ctx) {
  ctx.allow_query({"all"});
  // Administrators may list everyone's tokens (all=true); everyone else their own.
  const bool all = ctx.request.query_param("all").value_or("") == "true";
  if (all && !ctx.is("admin")) forbidden("only administrators list every user's tokens");
  pqxx::work txn(ctx.db);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t :
       storage::list_api_tokens(txn, all ? std::nullopt : std::optional(ctx.user().id))) {
    const auto time_or_null = [](const std::string& v) {
      return v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v);
    };
    out.push_back({{"id", t.id},
                   {"name", t.name},
                   {"username", t.username},
                   {"created_at", t.created_at},
                   {"expires_at", time_or_null(t.expires_at)},
                   {"revoked_at", time_or_null(t.revoked_at)}});
  }
  return json_response(200, {{"tokens", out}});
}

http::Response auth_token_revoke(Context& ctx) {
  ctx.allow_query({});
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const bool done = storage::revoke_api_token(
      txn, id, ctx.is("admin") ? std::nullopt : std::optional(ctx.user().id));
  if (!done) not_found("token " + std::to_string(id));
  txn.commit();
  // This gateway forgets every cached principal at once; others within PrincipalCache::kTtl.
  ctx.services.principals->clear();
  return json_response(200, {{"id", id}, {"revoked", true}});
}

}  // namespace detail
}  // namespace appealhub::gateway

namespace appealhub::gateway {
std::string_view openapi_document() {
  return embedded_file("openapi.json");
}
}  // namespace appealhub::gateway
