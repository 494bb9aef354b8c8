#pragma once
// The API's options (gateway/api.hpp), with their one set of defaults. Plain data on the standard
// library alone: config/ reads the "gateway" and "stats" sections into it.

#include <chrono>
#include <cstddef>
#include <string>

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
  // holds an open connection, no worker thread: gateway/live_feed.hpp).
  std::chrono::seconds event_wait{20};
  int max_event_waits = 512;
  // The web UI's built files (web/dist); "" or a folder without index.html: no UI served.
  std::string web_root;
  std::chrono::seconds token_lifetime{90 * 24 * 3600};  // API tokens created without a lifetime
  int phone_searches_per_minute = 20;                   // per user; then 429
  // docs/statistics.md (the "stats" section): rates over fewer than stats_min_sample are flagged
  // small_sample; a consultation answered within stats_instant_answer_minutes is 即时答复.
  int stats_min_sample = 10;
  int stats_instant_answer_minutes = 60;
  int due_soon_working_days = 1;  // the overdue list's "due soon" (watch.due_soon_working_days)
};

}  // namespace appealhub::gateway
