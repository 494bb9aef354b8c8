#pragma once
// Shared by the gateway's handler files: the request context, API errors and strict JSON body
// reading. Not for use outside gateway/.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json_reader.hpp"
#include "gateway/api.hpp"
#include "gateway/shared_reads.hpp"
#include "storage/accounts.hpp"

namespace appealhub::storage {
struct TicketSummary;
}

namespace appealhub::gateway {
class LiveFeed;  // gateway/live_feed.hpp: only the files that use it include its thread headers
}

namespace appealhub::gateway::detail {

// An answer other than success: status, code and a message that names the field at fault.
struct ApiError : std::runtime_error {
  ApiError(int status_code, std::string error_code, const std::string& message)
      : std::runtime_error(message), status(status_code), code(std::move(error_code)) {}
  int status;
  std::string code;
  long long retry_after = 0;  // seconds, for a 429: sent as Retry-After
};

[[noreturn]] inline void bad_request(const std::string& field, const std::string& why) {
  throw ApiError(400, "invalid", field + ": " + why);
}
[[noreturn]] inline void not_found(const std::string& what) {
  throw ApiError(404, "not_found", what + " not found");
}
[[noreturn]] inline void conflict(const std::string& why) {
  throw ApiError(409, "invalid_state", why);
}
[[noreturn]] inline void forbidden(const std::string& why) {
  throw ApiError(403, "forbidden", why);
}

// Who presented a credential (an API token's or a session's hash), as the database said within
// the last kTtl: every request authenticates, and that lookup was a database round trip of its
// own (without the cache, bench/gateway_bench served ~20% fewer details a second). The price:
// a revoked token, a deactivated user or an expired session may still be accepted for up to kTtl
// by a gateway that read it just before; what this gateway changes itself (logout, user changes)
// it forgets at once. Nothing else is kept, so gateways behind a load balancer need no shared
// state. Bounded: at kMaxEntries it starts again empty.
class PrincipalCache {
 public:
  static constexpr std::chrono::seconds kTtl{1};
  static constexpr std::size_t kMaxEntries = 4096;

  std::optional<storage::Principal> find(const std::string& key) const;
  void put(const std::string& key, const storage::Principal& who);
  void erase(const std::string& key);
  void clear();

 private:
  struct Entry {
    std::chrono::steady_clock::time_point until;
    storage::Principal who;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

// What handlers share: settings, the database and the routing setup (departments, calendar).
struct Services {
  ApiOptions options;
  storage::DatabaseConfig database;
  router::SetupSource setup;
  DocumentCheck check_document;
  std::shared_ptr<PrincipalCache> principals = std::make_shared<PrincipalCache>();
  // Event stream answers waiting for news (api_events.cpp), at most options.max_event_waits.
  std::shared_ptr<LiveFeed> live_feed{};
  // Identical list pages asked at once share one run (api_tickets.cpp).
  std::shared_ptr<SharedReads> shared_reads = std::make_shared<SharedReads>();
  // The routing setup in force; throws ApiError 503 when there is none yet.
  std::shared_ptr<const router::RoutingSetup> routing() const;
};

// How a request is answered. For a handler that answers later (a shared list page): `later`
// answers the request once, from any thread, with the metrics and headers of every answer; the
// handler sets `deferred` and what it returns is ignored. `again()`, called while handling, gives
// a function that works the request out anew, alone (`alone` set), on a worker thread, whenever
// it is called.
struct Answering {
  Reply later;
  std::function<std::function<void()>()> again;
  bool alone = false;
  bool deferred = false;
};

struct Context {
  const http::Request& request;
  std::map<std::string, std::string> params;  // path parameters: {id} → "42"
  std::optional<storage::Principal> who;
  pqxx::connection& db;
  const Services& services;
  Answering& answering;  // how this request is answered (a handler may answer later)

  const storage::User& user() const { return who->user; }
  bool is(const char* role) const { return who && who->user.has_role(role); }
  std::int64_t id_param(const std::string& name = "id") const;
  // The query parameters the route knows; any other is a 400.
  void allow_query(const std::set<std::string>& names) const;
};

// Reads a JSON object body field by field through the strict reader (core/json_reader.hpp); the
// first problem is a 400 naming the field ("tags[1]: must be a string"). A null member counts as
// absent. finish() refuses fields nobody read.
class Body {
 public:
  explicit Body(const http::Request& request);
  // The object member `name` of `parent` (a 400 when it is absent and required, or not an
  // object), read the same way; errors name it: "citizen.phone: must be a string".
  Body(Body& parent, const std::string& name, bool required);
  bool empty() const { return json_.empty(); }
  Body(const Body&) = delete;  // the reader points into json_
  Body& operator=(const Body&) = delete;
  std::optional<std::string> string(const std::string& name, bool required, std::size_t max_chars,
                                    bool allow_empty = false);
  std::optional<bool> boolean(const std::string& name, bool required);
  std::optional<std::int64_t> integer(const std::string& name, bool required, std::int64_t min,
                                      std::int64_t max);
  std::optional<std::vector<std::string>> strings(const std::string& name, bool required);
  std::optional<nlohmann::json> object(const std::string& name, bool required);
  // A string that must be one of `allowed`.
  std::optional<std::string> choice(const std::string& name, bool required,
                                    const std::set<std::string>& allowed);
  // Members read by a reader shared with files (a knowledge entry): its problems are collected
  // and reported by finish(), after any unknown field.
  void read(const std::function<void(core::JsonReader& reader)>& read);
  // A 400 for the first field nobody read ("unknown_field"), else for the first problem read().
  void finish();
  const nlohmann::json& json() const { return json_; }

 private:
  bool present(const std::string& name, bool required);
  void throw_first_error() const;
  nlohmann::json json_;
  std::vector<core::JsonError> errors_;
  core::JsonReader reader_;
};

// Every path parameter and query parameter (name and value) is well-formed UTF-8 without NUL:
// a 400 naming it otherwise, before any handler reads it.
void check_request_text(const http::Request& request,
                        const std::map<std::string, std::string>& params);

http::Response json_response(int status, const nlohmann::json& body);
// The same for a body already written as JSON.
http::Response json_text_response(int status, std::string body);

// RFC 3339 +08:00 for a stored instant.
std::string china_rfc3339(std::chrono::sys_seconds t);
std::optional<std::chrono::sys_seconds> parse_time_param(const std::string& name,
                                                         const std::string& text);

// A whole-number query parameter from min to max (a 400 naming it otherwise), or fallback.
int query_int(const Context& ctx, const std::string& name, int fallback, int min, int max);

// The items of a comma-separated query parameter, empty ones left out.
std::vector<std::string> split_list(const std::string& text);

// Masking of citizens' personal data (docs/api.md, "Personal data").
std::string mask_phone(const std::string& phone);
std::string mask_name(const std::string& name);
std::string mask_email(const std::string& email);
void mask_citizen(nlohmann::json& citizen);
// channel_meta members that hold contact data (a phone, e-mail, name or ID number the adapter
// could not use, or the channel's own citizen fields), by their names.
bool is_contact_meta(const std::string& key);
// Masks those members for a view (like the citizen's fields), or removes them when `remove`.
void redact_channel_meta(nlohmann::json& meta, bool remove);
// Only those members, unmasked (for /contact).
nlohmann::json contact_channel_meta(const nlohmann::json& meta);

// Handlers, by file.
using HandlerFn = http::Response (*)(Context&);
struct RouteDef {
  const char* method;
  const char* pattern;
  std::set<std::string> roles;
  HandlerFn handler;
  std::size_t body_limit = 0;  // 0: the default
};
nlohmann::json public_user(const storage::User& user);
// Staff's answer on a ticket their department leads, in the caller's transaction: checks, the
// answer, a reply per channel (or the operators' callback list) and the timeline event; returns
// {answer_id, reply_ids, callbacks, status} (gateway/api_tickets.cpp).
nlohmann::json write_answer(Context& ctx, pqxx::work& txn, std::int64_t id, const std::string& type,
                            const std::string& content, bool publish,
                            const std::optional<std::string>& reply_to);
// A 404 for a ticket outside the caller's reach (gateway/api_tickets.cpp).
void require_ticket_visible(const Context& ctx, const storage::TicketSummary& ticket);

std::vector<RouteDef> ticket_routes();
std::vector<RouteDef> admin_routes();
std::vector<RouteDef> reply_routes();
std::vector<RouteDef> event_routes();
std::vector<RouteDef> rules_try_routes();
std::vector<RouteDef> stats_routes();
std::vector<RouteDef> knowledge_routes();   // gateway/api_knowledge.cpp
std::vector<RouteDef> disclosure_routes();  // gateway/api_disclosure.cpp
// The statistics gauges for /metrics (gateway/api_stats.cpp).
void stats_metrics(pqxx::connection& db, const Services& services, core::MetricsText& out);

}  // namespace appealhub::gateway::detail
