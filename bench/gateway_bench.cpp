// The gateway under load: with 1,000,000 tickets (and 3,000,000 timeline events) in the store,
// a department's queue page and a ticket's detail, each under 64 concurrent connections from wrk,
// beside a baseline in the same run: /healthz on the same gateway (HTTP and the worker pool
// without the database). Prints requests a second, p50 and p99 latency, and the ratio.
// Needs scripts/services.sh and wrk. Usage: gateway_bench [TICKETS] [SECONDS]

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "config/holidays.hpp"
#include "gateway/credentials.hpp"
#include "storage/accounts.hpp"
#include "storage/database.hpp"
#include "storage/statistics.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;

struct WrkResult {
  double requests_per_second = 0, p50_ms = 0, p99_ms = 0;
  long non_2xx = 0;
};

double to_ms(const std::string& value, const std::string& unit) {
  const double v = std::stod(value);
  if (unit == "us") return v / 1000;
  if (unit == "s") return v * 1000;
  return v;
}

WrkResult run_wrk(unsigned short port, const std::string& script, const std::string& token,
                  int seconds) {
  const std::string command = "wrk -t2 -c64 -d" + std::to_string(seconds) + "s --latency -s " +
                              script + " -H 'Authorization: Bearer " + token +
                              "' http://127.0.0.1:" + std::to_string(port) + "/ 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run wrk");
  std::string out;
  char buffer[4096];
  while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (::pclose(pipe) != 0) throw std::runtime_error("wrk failed:\n" + out);
  WrkResult r;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    r.requests_per_second = std::stod(m[1]);
  }
  if (std::regex_search(out, m, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s))"))) {
    r.p50_ms = to_ms(m[1], m[2]);
  }
  if (std::regex_search(out, m, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s))"))) {
    r.p99_ms = to_ms(m[1], m[2]);
  }
  if (std::regex_search(out, m, std::regex(R"(Non-2xx or 3xx responses:\s+([0-9]+))"))) {
    r.non_2xx = std::stol(m[1]);
  }
  return r;
}

std::string write_script(const std::string& name, const std::string& body) {
  const std::string path = "/tmp/appealhub_gateway_bench_" + name + ".lua";
  std::ofstream(path) << body;
  return path;
}

void fill(const testing::TestDatabase& db, long tickets) {
  // Departments as the shipped directory has them, spread evenly; deadlines over 40 days.
  db.exec(
      "INSERT INTO tickets (channel, external_id, status, kind, category, division, urgency, "
      "title, citizen_phone, received_at, deadline, appeal, lead_department, "
      "assisting_departments, assigned_at) "
      "SELECT 'hotline12328', 'GY-BENCH-' || g, "
      "(ARRAY['assigned','in_progress','answered','delivered','closed','triage'])[1 + g % 6], "
      "'complaint', 'taxi', '510802', 'normal', '出租车拒载投诉 ' || g, "
      "'139' || lpad((g % 100000000)::text, 8, '0'), now() - (g % 40) * interval '1 day', "
      "now() + ((g * 7919) % 40 - 10) * interval '1 day', "
      "jsonb_build_object('channel', 'hotline12328', 'external_id', 'GY-BENCH-' || g, "
      "'title', '出租车拒载投诉 ' || g, 'content', repeat('乘客反映出租车司机在火车站拒载。', 8), "
      "'citizen', jsonb_build_object('name', '李先生', 'phone', '139' || lpad((g % "
      "100000000)::text, 8, '0'), "
      "'anonymous', false), 'publication_allowed', false), "
      "(ARRAY['gyjtj','bgs','zhysk','aqjdk','fgk','jsglk','ghjhk','zfzd','zfzd-1','zfzd-2','dlys',"
      "'glsw','ghsw','lzq','zhq','ctq','wcx','qcx','jgx','cxx'])[1 + g % 20], "
      "CASE WHEN g % 10 = 0 THEN ARRAY['zfzd'] ELSE '{}' END, now() - interval '1 day' "
      "FROM generate_series(1::bigint, " +
      std::to_string(tickets) + ") g");
  db.exec(
      "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) "
      "SELECT t.id, 'bench-' || t.id || '-' || k, "
      "(ARRAY['appeal.received','ticket.routed','ticket.claimed'])[k], 'bench', "
      "t.received_at + k * interval '1 hour', '{\"note\": \"bench\"}' "
      "FROM tickets t, generate_series(1, 3) k");
  db.exec("ANALYZE");
}

}  // namespace

int main(int argc, char** argv) {
  const long tickets = argc > 1 ? std::stol(argv[1]) : 1000000;
  const int seconds = argc > 2 ? std::stoi(argv[2]) : 15;
  // GATEWAY_BENCH_KEEP=1: the store is kept for the next run, which fills it only when empty.
  const testing::TestDatabase db =
      std::getenv("GATEWAY_BENCH_KEEP") != nullptr
          ? testing::TestDatabase::kept("gateway_bench_" + std::to_string(tickets))
          : testing::TestDatabase("gateway_bench");
  const auto filled_at = std::chrono::steady_clock::now();
  if (db.scalar("SELECT count(*) FROM tickets") == "0") fill(db, tickets);
  std::printf("store: %ld tickets, %ld timeline events, filled in %.0f s\n", tickets, tickets * 3,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - filled_at).count());
  {
    // The statistics' facts and their indexes in place, as in production (docs/statistics.md).
    const auto started = std::chrono::steady_clock::now();
    auto connection = storage::connect({db.uri()});
    storage::refresh_statistics(*connection,
                                *config::load_holidays(config::shipped_holidays_path()).calendar);
    db.exec("ANALYZE stats_tickets");
    std::printf("statistics: %s tickets' facts derived in %.0f s\n",
                db.scalar("SELECT count(*) FROM stats_tickets").c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  // A staff member of dlys with an API token, as a department's program would use it.
  const std::string token = gateway::random_token();
  {
    auto connection = storage::connect({db.uri()});
    pqxx::work txn(*connection);
    const auto user =
        storage::create_user(txn, {"bench_staff_" + token.substr(0, 8),
                                   "",
                                   gateway::hash_password("not used in this bench", 1),
                                   {"staff"},
                                   {"dlys"}});
    storage::create_api_token(txn, gateway::token_hash(token), user.id, "bench", std::nullopt);
    txn.commit();
  }
  const auto ids = db.column(
      "SELECT id FROM tickets WHERE lead_department = 'dlys' ORDER BY random() LIMIT 1000");

  const auto port = testing::free_port();
  {
    // Stores the shipped departments, rules and calendar the gateway follows.
    testing::ChildProcess migrate({testing::appealhub_binary(), "migrate"},
                                  {{"APPEALHUB_PG_URI", db.uri()}, {"APPEALHUB_LOG_LEVEL", "warn"}},
                                  "/tmp/appealhub_gateway_bench.log");
    migrate.start();
    while (migrate.running()) std::this_thread::sleep_for(50ms);
  }
  testing::ChildProcess gateway({testing::appealhub_binary(), "gateway"},
                                {{"APPEALHUB_PG_URI", db.uri()},
                                 {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
                                 {"APPEALHUB_LOG_LEVEL", "warn"}},
                                "/tmp/appealhub_gateway_bench.log");
  gateway.start();
  if (!testing::eventually(30s, [&] {
        try {
          return testing::http_call(port, "GET", "/healthz").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      })) {
    std::fprintf(stderr, "the gateway did not start; see /tmp/appealhub_gateway_bench.log\n");
    return 1;
  }

  std::string id_list;
  for (const auto& id : ids) id_list += (id_list.empty() ? "" : ",") + id;
  const auto healthz = write_script("healthz", "wrk.path = '/healthz'\n");
  const auto queue =
      write_script("queue", "wrk.path = '/api/v1/tickets?status=assigned,in_progress&limit=50'\n");
  const auto detail = write_script(
      "detail", "local ids = {" + id_list +
                    "}\nrequest = function()\n  return wrk.format('GET', '/api/v1/tickets/' .. "
                    "ids[math.random(#ids)])\nend\n");

  run_wrk(port, queue, token, 3);  // warm the caches and the connections
  const auto base = run_wrk(port, healthz, token, seconds);
  const auto q = run_wrk(port, queue, token, seconds);
  const auto d = run_wrk(port, detail, token, seconds);
  const auto heading = "64 connections, " + std::to_string(seconds) + " s each";
  std::printf("%-46s %10s %9s %9s %8s %7s\n", heading.c_str(), "req/s", "p50 ms", "p99 ms",
              "non-2xx", "ratio");
  const auto line = [&](const char* name, const WrkResult& r) {
    std::printf("%-46s %10.0f %9.2f %9.2f %8ld %7.2f\n", name, r.requests_per_second, r.p50_ms,
                r.p99_ms, r.non_2xx, r.requests_per_second / base.requests_per_second);
  };
  line("baseline: GET /healthz (no database)", base);
  line("queue page: 50 open tickets of dlys by deadline", q);
  line("ticket detail with timeline (random dlys ids)", d);
  std::printf("target p99 < 20 ms: queue %s, detail %s; gateway peak RSS %ld MB\n",
              q.p99_ms > 0 && q.p99_ms < 20 ? "met" : "MISSED",
              d.p99_ms > 0 && d.p99_ms < 20 ? "met" : "MISSED", gateway.peak_rss_kib() / 1024);
  gateway.terminate();
  return 0;
}
