// The statistics at a million tickets: 1,000,000 tickets and their events over two years (21
// departments, 4 channels, six kinds), the facts derived once, then through a running gateway
// the latency of a month's summary by department, a year's by department × month and by day ×
// channel, the overdue list and the ranking, each beside a baseline in the same run: /healthz on
// the same gateway. Also the first derivation of every ticket and a read after 1,000 tickets
// changed. Targets (issue 16): p99 under 300 ms for the month, under 1 s for the year.
// Needs scripts/services.sh. Usage: stats_bench [TICKETS] [REQUESTS]

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <thread>

#include "bench/bench_users.hpp"
#include "config/holidays.hpp"
#include "storage/database.hpp"
#include "storage/statistics.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void fill(const testing::TestDatabase& db, long tickets) {
  const auto n = std::to_string(tickets);
  // Received evenly over 2025-01-01 … 2026-12-05 at every hour; a tenth of the last month's
  // still open, and a few older ones overdue; one in fifty merged into the one before.
  db.exec(
      "INSERT INTO tickets (channel, external_id, status, kind, category, division, urgency, title,"
      " received_at, deadline, appeal, lead_department, deadline_basis, merged_into) "
      "SELECT (ARRAY['hotline12328','mailbox','petition','operator'])[1 + g % 4], 'SB-' || g,"
      " CASE WHEN g % 50 = 1 AND g > 1 THEN 'merged'"
      "      WHEN r.at > now() - interval '30 days' AND g % 10 < 3 THEN 'assigned'"
      "      WHEN g % 5000 = 7 THEN 'in_progress' ELSE 'closed' END,"
      " k.kind, (ARRAY['taxi','bus','road','freight'])[1 + (g / 7) % 4],"
      " (ARRAY['510802','510811','510812','510821','510822','510823','510824'])[1 + (g / 3) % 7],"
      " 'normal', '诉求 ' || g, r.at,"
      " CASE WHEN k.kind = 'praise' THEN NULL ELSE r.at + k.days * interval '1 day' END, '{}',"
      " (ARRAY['gyjtj','triage','bgs','zhysk','aqjdk','fgk','jsglk','ghjhk','zfzd','zfzd-1',"
      "'zfzd-2','dlys','glsw','ghsw','lzq','zhq','ctq','wcx','qcx','jgx','cxx'])[1 + (g * 7919) % "
      "21],"
      " jsonb_build_object('policy_days', k.days),"
      " CASE WHEN g % 50 = 1 AND g > 1 THEN g - 1 END "
      "FROM generate_series(1::bigint, " +
      n +
      ") g"
      " CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 00:00+08' + (g::double precision / " +
      n +
      ") * interval '704 days' AS at) r"
      " CROSS JOIN LATERAL (SELECT (ARRAY['consultation','complaint','complaint','help',"
      "'suggestion','report','praise'])[1 + (g / 4) % 7] AS kind,"
      " (ARRAY[5, 21, 21, 10, 10, 21, 0])[1 + (g / 4) % 7] AS days) k");
  // The hub's own events (received, routed) and the work: answers (on time and late), ratings,
  // callbacks, returns, extensions, reopening follow-ups and second answers.
  db.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) "
      "SELECT t.id, 'sb-' || t.id || '-' || e.k, e.type, 'bench', e.at, e.data FROM tickets t"
      " CROSS JOIN LATERAL (VALUES"
      " (0, 'appeal.received', t.received_at, '{}'::jsonb, true),"
      " (1, 'ticket.routed', t.received_at + interval '1 minute', '{}'::jsonb, true),"
      " (2, 'answer.interim', t.received_at + interval '3 hours', '{}'::jsonb, t.id % 5 < 2),"
      " (3, 'answer.final', t.received_at + ((t.id * 31) % 400) * interval '1 hour',"
      "  '{}'::jsonb, t.status = 'closed'),"
      " (4, 'appeal.rated', t.received_at + interval '18 days', jsonb_build_object('rating',"
      "  (ARRAY['satisfied','mostly_satisfied','dissatisfied','satisfied'])[1 + t.id % 4]),"
      "  t.status = 'closed' AND t.id % 5 = 3),"
      " (5, 'callback.recorded', t.received_at + interval '19 days', jsonb_build_object("
      "  'reached', true, 'satisfaction', 'satisfied', 'resolved', t.id % 4 <> 0),"
      "  t.status = 'closed' AND t.id % 5 = 4),"
      " (6, 'return.requested', t.received_at + interval '2 hours', '{}'::jsonb, t.id % 20 = 7),"
      " (7, 'extension.requested', t.received_at + interval '2 days', '{}'::jsonb, t.id % 20 = 8),"
      " (8, 'extension.approved', t.received_at + interval '3 days', '{}'::jsonb, t.id % 20 = 8),"
      " (9, 'appeal.followed_up', t.received_at + interval '20 days', '{}'::jsonb,"
      "  t.status = 'closed' AND t.id % 40 = 9),"
      " (10, 'answer.final', t.received_at + interval '25 days', '{}'::jsonb,"
      "  t.status = 'closed' AND t.id % 40 = 9)"
      ") e(k, type, at, data, present) WHERE e.present");
  db.exec("ANALYZE");
}

struct Latency {
  double p50 = 0, p99 = 0;
};

Latency measure(unsigned short port, const std::string& token, const std::string& target,
                int requests) {
  std::vector<double> ms;
  for (int i = 0; i < requests; ++i) {
    const auto start = Clock::now();
    const auto r =
        testing::http_call(port, "GET", target, "", {{"Authorization", "Bearer " + token}});
    ms.push_back(seconds_since(start) * 1000);
    if (r.status != 200) {
      std::fprintf(stderr, "%s: %d %s\n", target.c_str(), r.status, r.body.substr(0, 300).c_str());
      std::exit(1);
    }
  }
  std::sort(ms.begin(), ms.end());
  const auto at = [&](int percent) {  // nearest rank
    const auto rank = (static_cast<std::size_t>(percent) * ms.size() + 99) / 100;
    return ms[std::max<std::size_t>(rank, 1) - 1];
  };
  return {at(50), at(99)};
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const long tickets = argc > 1 ? std::stol(argv[1]) : 1000000;
  const int requests = argc > 2 ? std::stoi(argv[2]) : 20;
  // STATS_BENCH_KEEP=1: the store is kept for the next run, which fills it only when empty.
  const bool keep = std::getenv("STATS_BENCH_KEEP") != nullptr;
  const testing::TestDatabase db =
      keep ? testing::TestDatabase::kept("stats_bench_" + std::to_string(tickets))
           : testing::TestDatabase("stats_bench");
  auto filled_at = Clock::now();
  if (db.scalar("SELECT count(*) FROM tickets") == "0") fill(db, tickets);
  std::printf("store: %ld tickets, %s events, filled in %.0f s\n", tickets,
              db.scalar("SELECT count(*) FROM ticket_events").c_str(), seconds_since(filled_at));

  const auto holidays = config::load_holidays(config::shipped_holidays_path());
  auto connection = storage::connect({db.uri()});
  auto started = Clock::now();
  storage::refresh_statistics(*connection, *holidays.calendar);
  std::printf("first derivation of every ticket's facts: %.1f s\n", seconds_since(started));
  db.exec("ANALYZE stats_tickets");
  db.exec("ANALYZE stats_events");

  const auto token = bench::api_token_for(*connection, "bench_manager_", {"manager"}, {});
  const auto port = testing::free_port();
  {
    testing::ChildProcess migrate({testing::appealhub_binary(), "migrate"},
                                  {{"APPEALHUB_PG_URI", db.uri()}, {"APPEALHUB_LOG_LEVEL", "warn"}},
                                  "/tmp/appealhub_stats_bench.log");
    migrate.start();
    while (migrate.running()) std::this_thread::sleep_for(50ms);
  }
  testing::ChildProcess gateway({testing::appealhub_binary(), "gateway"},
                                {{"APPEALHUB_PG_URI", db.uri()},
                                 {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
                                 {"APPEALHUB_LOG_LEVEL", "warn"}},
                                "/tmp/appealhub_stats_bench.log");
  gateway.start();
  if (!testing::answers_ok_within(port, "/healthz", 30s)) {
    std::fprintf(stderr, "the gateway did not start; see /tmp/appealhub_stats_bench.log\n");
    return 1;
  }
  const std::string month = "from=2026-10-01&to=2026-10-31";
  const std::string year = "from=2025-12-01&to=2026-11-30";
  // The gateway's first statistics read copies every ticket's facts into its memory.
  const auto first =
      measure(port, token, "/api/v1/stats/summary?" + month + "&group_by=department", 1);
  std::printf("first read of a new gateway (copies the facts): %.0f ms\n", first.p50);
  measure(port, token, "/api/v1/stats/summary?" + month + "&group_by=department", 3);  // warm
  const auto base = measure(port, token, "/healthz", requests);
  struct Case {
    const char* name;
    std::string target;
    double target_ms;
  };
  const std::vector<Case> cases{
      {"month by department", "/api/v1/stats/summary?" + month + "&group_by=department", 300},
      {"year by department x month", "/api/v1/stats/summary?" + year + "&group_by=department,month",
       1000},
      {"year by day x channel", "/api/v1/stats/summary?" + year + "&group_by=day,channel", 1000},
      {"overdue list", "/api/v1/stats/overdue", 1000},
      {"ranking, a year", "/api/v1/stats/ranking?" + year, 1000},
      {"month by department, CSV",
       "/api/v1/stats/summary/export.csv?" + month + "&group_by=department", 300},
  };
  std::printf("%d sequential requests each        %9s %9s %9s %8s\n", requests, "p50 ms", "p99 ms",
              "target", "p50/base");
  std::printf("%-34s %9.2f %9.2f %9s %8s\n", "baseline: GET /healthz", base.p50, base.p99, "", "1");
  for (const auto& c : cases) {
    const auto l = measure(port, token, c.target, requests);
    std::printf("%-34s %9.2f %9.2f %9.0f %8.0f %s\n", c.name, l.p50, l.p99, c.target_ms,
                l.p50 / std::max(base.p50, 0.01), l.p99 < c.target_ms ? "met" : "MISSED");
  }
  // Work since the last read is derived by the next one.
  db.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) SELECT id,"
      " 'sb-late-' || id || '-' || txid_current(), 'callback.recorded', 'bench', now(), "
      "'{\"reached\": true, "
      "\"satisfaction\": \"satisfied\", \"resolved\": true}' FROM tickets WHERE status = 'closed'"
      " ORDER BY id DESC LIMIT 1000");
  const auto after =
      measure(port, token, "/api/v1/stats/summary?" + month + "&group_by=department", 1);
  std::printf("%-34s %9.2f\n", "month after 1,000 tickets changed", after.p50);
  std::printf("gateway peak RSS %ld MB\n", gateway.peak_rss_kib() / 1024);
  if (const char* pause = std::getenv("STATS_BENCH_PAUSE_SECONDS")) {  // to look at the store
    std::printf("store kept for %s s: %s\n", pause, db.uri().c_str());
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(std::stoi(pause)));
  }
  gateway.terminate();
  return 0;
}
