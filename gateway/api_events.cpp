// GET /api/v1/events: the live feed of ticket changes as server-sent events, for open queues and
// the dispatch desk. Each answer is one stretch of the stream: it waits (up to event_wait) until
// something newer than Last-Event-ID happened, sends it and ends; the browser's EventSource
// reconnects after `retry` with the last id it saw, so nothing is lost across reconnects and a
// worker thread is never held for longer than one stretch (docs/decisions/0011-web-ui.md).

#include <atomic>
#include <thread>

#include "gateway/api_internal.hpp"
#include "storage/ticket_feed.hpp"

namespace appealhub::gateway::detail {
namespace {

constexpr int kBatch = 200;
constexpr auto kPoll = std::chrono::milliseconds(500);

std::int64_t parse_id(const std::string& field, const std::string& text) {
  try {
    std::size_t used = 0;
    const auto v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  bad_request(field, "must be a non-negative whole number");
}

std::string stream_text(const std::vector<storage::FeedEvent>& events, std::int64_t last,
                        int retry_ms) {
  std::string out = "retry: " + std::to_string(retry_ms) + "\n\n";
  for (const auto& e : events) {
    out += "id: " + std::to_string(e.id) + "\nevent: ticket\ndata: " +
           nlohmann::json{{"event_id", e.id},
                          {"ticket_id", e.ticket_id},
                          {"type", e.type},
                          {"status", e.status},
                          {"lead_department", e.lead_department},
                          {"channel", e.channel},
                          {"occurred_at", e.occurred_at}}
               .dump() +
           "\n\n";
  }
  // Nothing new: the id still moves the client's place (on a first connection, to "now").
  if (events.empty()) out += "id: " + std::to_string(last) + "\nevent: ping\ndata: {}\n\n";
  return out;
}

http::Response events(Context& ctx) {
  ctx.allow_query({"after", "wait"});
  const auto& o = ctx.services.options;
  std::optional<std::int64_t> after;
  if (const auto h = ctx.request.header("Last-Event-ID"); h && !h->empty()) {
    after = parse_id("Last-Event-ID", *h);
  } else if (const auto q = ctx.request.query_param("after"); q && !q->empty()) {
    after = parse_id("after", *q);
  }
  auto wait = o.event_wait;
  if (const auto w = ctx.request.query_param("wait")) {
    const auto seconds = parse_id("wait", *w);
    wait = std::min(wait, std::chrono::seconds(seconds));
  }
  // Staff: their departments' tickets only; operators and managers: every ticket.
  std::vector<std::string> departments;
  const bool everything = ctx.is("operator") || ctx.is("manager");
  if (!everything) {
    departments = ctx.user().departments;
    if (departments.empty()) departments.push_back("");  // matches no ticket
  }
  // Only so many answers may wait at once, each holding a worker thread; the rest are told
  // what is there now and to come back later.
  auto& waiting = *ctx.services.event_waits;
  const bool may_wait = waiting.fetch_add(1) < o.max_event_waits;
  struct Release {
    std::atomic<int>& n;
    ~Release() { --n; }
  } release{waiting};
  if (!may_wait) wait = std::chrono::seconds(0);
  const int retry_ms = may_wait ? 1000 : 3000;

  std::vector<storage::FeedEvent> found;
  std::int64_t last = 0;
  const auto until = std::chrono::steady_clock::now() + wait;
  while (true) {
    pqxx::nontransaction txn(ctx.db);
    if (!after) after = storage::latest_feed_id(txn);  // a first connection starts from now
    found = storage::feed_after(txn, *after, departments, kBatch);
    last = found.empty() ? *after : found.back().id;
    if (!found.empty() || std::chrono::steady_clock::now() + kPoll > until) break;
    std::this_thread::sleep_for(kPoll);
  }
  http::Response r;
  r.set_header("Content-Type", "text/event-stream; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  r.body = stream_text(found, last, retry_ms);
  return r;
}

}  // namespace

std::vector<RouteDef> event_routes() {
  return {{"GET", "/api/v1/events", {"operator", "staff", "manager"}, events}};
}

}  // namespace appealhub::gateway::detail
