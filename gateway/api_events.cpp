// GET /api/v1/events: the live feed of ticket changes as server-sent events, for open queues and
// the dispatch desk. Each answer is one stretch of the stream: it waits (up to event_wait) until
// something newer than Last-Event-ID happened, sends it and ends; the browser's EventSource
// reconnects after `retry` with the last id it saw, so nothing is lost across reconnects. A
// waiting answer holds no worker thread: it waits in the gateway's LiveFeed (decision 0027).

#include <algorithm>

#include "gateway/api_internal.hpp"
#include "gateway/live_feed.hpp"
#include "storage/ticket_feed.hpp"

namespace appealhub::gateway::detail {
namespace {

constexpr auto kBatch = static_cast<int>(LiveFeed::kMaxAnswer);

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
  // The id moves the client's place past what it may not see: to the end of what was read, or
  // on a first connection to "now".
  if (events.empty() || last > events.back().id) {
    out += "id: " + std::to_string(last) + "\nevent: ping\ndata: {}\n\n";
  }
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
  const auto answer = [](const std::vector<storage::FeedEvent>& events, std::int64_t last,
                         int retry_ms) {
    http::Response r;
    r.set_header("Content-Type", "text/event-stream; charset=utf-8");
    r.set_header("Cache-Control", "no-store");
    r.body = stream_text(events, last, retry_ms);
    return r;
  };
  // Waits in the live feed, holding no worker; false past max_event_waits waiting at once.
  auto& feed = *ctx.services.live_feed;
  const auto wait_in_feed = [&](std::int64_t place) {
    if (wait.count() <= 0 ||
        !feed.wait(place, departments, std::chrono::steady_clock::now() + wait,
                   [later = ctx.answering.later, answer](std::vector<storage::FeedEvent> events,
                                                         std::int64_t last) {
                     later(answer(events, last, 1000));
                   })) {
      return false;
    }
    ctx.answering.deferred = true;
    return true;
  };
  // A client reconnecting with the place its last answer gave (the end of what the feed read)
  // waits without a statement of its own: the feed's next read covers what came after it.
  if (after && feed.near(*after) && wait_in_feed(*after)) return {};

  pqxx::nontransaction txn(ctx.db);
  const auto latest = storage::latest_feed_id(txn);
  feed.saw(latest);
  if (!after) after = latest;  // a first connection starts from now
  auto found = storage::feed_after(txn, *after, departments, kBatch);
  if (!found.empty()) {
    // All of theirs up to `latest` sent: the place moves there.
    const auto all = found.size() < static_cast<std::size_t>(kBatch);
    return answer(found, all ? std::max(found.back().id, latest) : found.back().id, 1000);
  }
  // Nothing up to `latest` is theirs: the place moves there, so the feed's shared read starts
  // near its end for this waiter too. Past max_event_waits waiting at once, the answer is the
  // place, with a slower retry.
  const auto place = std::max(*after, latest);
  if (wait_in_feed(place)) return {};
  return answer(found, place, wait.count() > 0 ? 3000 : 1000);
}

}  // namespace

std::vector<RouteDef> event_routes() {
  return {{"GET", "/api/v1/events", {"operator", "staff", "manager"}, events}};
}

}  // namespace appealhub::gateway::detail
