// The gateway under load: with 1,000,000 tickets (and 3,000,000 timeline events) in the store,
// a department's queue page, every department's queue page (a manager's, one of 20 at random, so
// that few requests share a database run: gateway/shared_reads.hpp) and a ticket's detail, each
// under 64 concurrent connections from wrk, beside a baseline in the same run: /healthz on the
// same gateway (HTTP and the worker pool without the database). Prints requests a second, p50 and
// p99 latency, the ratio, and the CPU time each request cost the gateway and PostgreSQL. A closed
// loop of 64 connections on 2 shared cores measures mostly queueing (even /healthz has a p99 of ~20
// ms there), so the same pages are also asked at fixed open-loop rates (by default 500 and 1000 a
// second): each request is due at its own instant whether or not earlier ones were answered, and
// its latency counts from that instant (no coordinated omission). GATEWAY_BENCH_BEFORE=<an older
// appealhub binary> measures that gateway too, first, and prints this build's figures as ratios to
// its (the machine's load changes between runs). Needs scripts/services.sh and wrk. Usage:
// gateway_bench [TICKETS] [SECONDS] [RATE,RATE…]

#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <regex>
#include <sstream>
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

// CPU time (user + system) a process has used so far, from /proc.
double cpu_seconds(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state; utime is 14, stime 15
    if (i == 14 || i == 15) ticks += std::stod(field);
    if (i == 15) break;
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The gateway's and its PostgreSQL backends' CPU time (the backends of the bench's database).
struct CpuMeter {
  int gateway_pid;
  std::string database_uri;
  std::pair<double, double> now() const {
    double pg = 0;
    auto connection = storage::connect({database_uri});
    pqxx::nontransaction txn(*connection);
    for (const auto& row :
         txn.exec("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                  "pg_backend_pid()")) {
      pg += cpu_seconds(row[0].as<int>());
    }
    return {cpu_seconds(gateway_pid), pg};
  }
};

struct CpuPerRequest {
  double gateway_us = 0, postgres_us = 0;
};

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

struct OpenLoopResult {
  double rate = 0, achieved = 0, p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  long non_2xx = 0, errors = 0, requests = 0;
};

// Asks `targets` (one at random per request) at `rate` a second for `seconds`, over up to
// `max_connections` keep-alive connections opened as needed (64, as many as the gateway accepts
// from one address by default, and as wrk uses). Request i is due at start + i/rate;
// a request that finds every connection busy waits in a queue, and its latency still counts
// from when it was due.
OpenLoopResult open_loop(unsigned short port, const std::vector<std::string>& targets,
                         const std::string& token, double rate, int seconds,
                         std::size_t max_connections = 64) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace bhttp = boost::beast::http;
  using Clock = std::chrono::steady_clock;
  using tcp = asio::ip::tcp;
  asio::io_context io;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  const auto total = static_cast<long>(rate * seconds);
  const auto start = Clock::now() + 100ms;
  const auto due = [&](long i) {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(i) / rate));
  };
  std::mt19937 random(16);
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(total));
  OpenLoopResult r;
  r.rate = rate;

  struct Connection {
    explicit Connection(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::empty_body> request;
    bhttp::response<bhttp::string_body> response;
    bool open = false;
  };
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<Connection*> idle;
  std::deque<long> waiting;  // due but no connection free
  long next = 0, done = 0;

  std::function<void(Connection&, long)> send;
  const auto finish = [&](Connection& c, long i, bool ok) {
    ++done;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due(i)).count());
    if (!ok) {
      ++r.errors;
      beast::error_code ignored;
      c.stream.socket().close(ignored);
      c.open = false;
    } else if (c.response.result_int() >= 300) {
      ++r.non_2xx;
    }
    if (!waiting.empty()) {
      const auto j = waiting.front();
      waiting.pop_front();
      send(c, j);
    } else {
      idle.push_back(&c);
    }
  };
  send = [&](Connection& c, long i) {
    c.request = {bhttp::verb::get, targets[random() % targets.size()], 11};
    c.request.set(bhttp::field::host, "127.0.0.1");
    c.request.set(bhttp::field::authorization, "Bearer " + token);
    c.response = {};
    const auto exchange = [&, i, c = &c] {
      bhttp::async_write(c->stream, c->request, [&, i, c](beast::error_code ec, std::size_t) {
        if (ec) return finish(*c, i, false);
        bhttp::async_read(c->stream, c->buffer, c->response,
                          [&, i, c](beast::error_code rec, std::size_t) {
                            finish(*c, i, !rec && c->response.keep_alive());
                          });
      });
    };
    if (c.open) return exchange();
    c.stream.async_connect(endpoint, [&, i, c = &c, exchange](beast::error_code ec) {
      if (ec) return finish(*c, i, false);
      c->open = true;
      c->stream.socket().set_option(tcp::no_delay(true));
      exchange();
    });
  };
  asio::steady_timer timer(io);
  std::function<void()> tick = [&] {
    const auto now = Clock::now();
    for (; next < total && due(next) <= now; ++next) {
      if (idle.empty() && connections.size() < max_connections) {
        connections.push_back(std::make_unique<Connection>(io));
        idle.push_back(connections.back().get());
      }
      if (idle.empty()) {
        waiting.push_back(next);
      } else {
        auto* c = idle.back();
        idle.pop_back();
        send(*c, next);
      }
    }
    if (next < total) {
      timer.expires_at(due(next));
      timer.async_wait([&](beast::error_code) { tick(); });
    }
  };
  timer.expires_at(start);
  timer.async_wait([&](beast::error_code) { tick(); });
  io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  r.requests = done;
  r.achieved = static_cast<double>(done) / elapsed;
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) {
    return latencies.empty()
               ? 0.0
               : latencies[std::min(
                     latencies.size() - 1,
                     static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
  };
  r.p50_ms = at(0.50);
  r.p99_ms = at(0.99);
  r.p999_ms = at(0.999);
  r.max_ms = latencies.empty() ? 0 : latencies.back();
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

  // A staff member of dlys with an API token, as a department's program would use it, and a
  // manager, who asks any department's queue (department=…).
  auto users = storage::connect({db.uri()});
  const auto token = bench::api_token_for(*users, "bench_staff_", {"staff"}, {"dlys"});
  const auto manager_token = bench::api_token_for(*users, "bench_manager_", {"manager"}, {});
  const auto ids = db.column(
      "SELECT id FROM tickets WHERE lead_department = 'dlys' ORDER BY random() LIMIT 1000");
  const auto departments =
      db.column("SELECT DISTINCT lead_department FROM tickets ORDER BY lead_department");

  const auto port = testing::free_port();
  {
    // Stores the shipped departments, rules and calendar the gateway follows.
    testing::ChildProcess migrate({testing::appealhub_binary(), "migrate"},
                                  {{"APPEALHUB_PG_URI", db.uri()}, {"APPEALHUB_LOG_LEVEL", "warn"}},
                                  "/tmp/appealhub_gateway_bench.log");
    migrate.start();
    while (migrate.running()) std::this_thread::sleep_for(50ms);
  }
  std::string id_list;
  for (const auto& id : ids) id_list += (id_list.empty() ? "" : ",") + id;
  const auto healthz = write_script("healthz", "wrk.path = '/healthz'\n");
  const auto queue =
      write_script("queue", "wrk.path = '/api/v1/tickets?status=assigned,in_progress&limit=50'\n");
  std::string department_list;
  for (const auto& d : departments)
    department_list += (department_list.empty() ? "'" : ",'") + d + "'";
  const auto queues = write_script(
      "queues", "local d = {" + department_list +
                    "}\nrequest = function()\n  return wrk.format('GET', "
                    "'/api/v1/tickets?status=assigned,in_progress&limit=50&department=' .. "
                    "d[math.random(#d)])\nend\n");
  const auto detail = write_script(
      "detail", "local ids = {" + id_list +
                    "}\nrequest = function()\n  return wrk.format('GET', '/api/v1/tickets/' .. "
                    "ids[math.random(#ids)])\nend\n");
  std::vector<double> rates;
  {
    std::istringstream list(argc > 3 ? argv[3] : "500,1000");
    for (std::string item; std::getline(list, item, ',');) rates.push_back(std::stod(item));
  }
  const std::vector<std::string> queue_targets = {
      "/api/v1/tickets?status=assigned,in_progress&limit=50"};
  std::vector<std::string> detail_targets;
  for (const auto& id : ids) detail_targets.push_back("/api/v1/tickets/" + id);

  struct Measured {
    std::string binary, load_before, load_after;
    WrkResult base, queue, queues, detail;
    CpuPerRequest base_cpu, queue_cpu, queues_cpu, detail_cpu;
    double queue_sharing = 0, queues_sharing = 0;  // requests per database run
    std::vector<std::pair<std::string, OpenLoopResult>> open;
    long peak_rss_mb = 0;
  };
  // One gateway from `binary`, through every measurement.
  const auto measure = [&](const std::string& binary) -> std::optional<Measured> {
    Measured m;
    m.binary = binary;
    testing::ChildProcess gateway({binary, "gateway"},
                                  {{"APPEALHUB_PG_URI", db.uri()},
                                   {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
                                   {"APPEALHUB_LOG_LEVEL", "warn"}},
                                  "/tmp/appealhub_gateway_bench.log");
    gateway.start();
    if (!testing::answers_ok_within(port, "/healthz", 30s)) return std::nullopt;
    const CpuMeter meter{gateway.pid(), db.uri()};
    // wrk's run, and the CPU time each request cost the gateway and PostgreSQL meanwhile.
    // The gateway's count of ticket list runs (identical pages asked at once share one), from
    // /metrics. Asked again until the gateway takes the connection: after a run it may still be
    // answering wrk's last requests, and it refuses a 65th connection from one address.
    const auto list_runs = [&] {
      for (int attempt = 0; attempt < 150; ++attempt) {
        const auto r = testing::http_call(port, "GET", "/metrics");
        if (r.status == 200) {
          std::smatch found;
          return std::regex_search(r.body, found,
                                   std::regex(R"(\nappealhub_gateway_list_runs_total ([0-9.e+]+))"))
                     ? std::stod(found[1])
                     : -1.0;  // an older gateway without the count
        }
        std::this_thread::sleep_for(200ms);
      }
      return -1.0;
    };
    const auto closed = [&](const std::string& script, WrkResult& r, CpuPerRequest& cpu,
                            const std::string& as = "", double* sharing = nullptr) {
      const double runs_before = list_runs();  // outside the meter: /metrics sums statistics too
      const auto before = meter.now();
      r = run_wrk(port, script, as.empty() ? token : as, seconds);
      const auto after = meter.now();
      std::this_thread::sleep_for(1s);  // the gateway closes wrk's connections before the next run
      if (sharing && runs_before >= 0) {
        const double runs = list_runs() - runs_before;
        if (runs > 0) *sharing = r.requests_per_second * seconds / runs;
      }
      const double n = std::max(1.0, r.requests_per_second * seconds);
      cpu = {(after.first - before.first) / n * 1e6, (after.second - before.second) / n * 1e6};
    };
    run_wrk(port, queue, token, 3);  // warm the caches and the connections
    list_runs();                     // and the statistics' copy /metrics reads
    m.load_before = load_average();
    closed(healthz, m.base, m.base_cpu);
    closed(queue, m.queue, m.queue_cpu, token, &m.queue_sharing);
    closed(queues, m.queues, m.queues_cpu, manager_token, &m.queues_sharing);
    closed(detail, m.detail, m.detail_cpu);
    // The same pages at fixed rates: what a user waits for when the gateway is not saturated.
    for (const auto rate : rates) {
      m.open.emplace_back("queue page", open_loop(port, queue_targets, token, rate, seconds));
      m.open.emplace_back("ticket detail", open_loop(port, detail_targets, token, rate, seconds));
    }
    m.load_after = load_average();
    m.peak_rss_mb = gateway.peak_rss_kib() / 1024;
    gateway.terminate();
    return m;
  };
  const auto report = [&](const Measured& m) {
    std::printf("\ngateway %s; load average %s before, %s after\n", m.binary.c_str(),
                m.load_before.c_str(), m.load_after.c_str());
    const auto heading = "64 connections (closed loop), " + std::to_string(seconds) + " s each";
    std::printf("%-52s %8s %8s %8s %7s %6s %9s %8s\n", heading.c_str(), "req/s", "p50 ms", "p99 ms",
                "non-2xx", "ratio", "gw us/req", "pg us/req");
    const auto line = [&](const char* name, const WrkResult& r, const CpuPerRequest& cpu) {
      std::printf("%-52s %8.0f %8.2f %8.2f %7ld %6.2f %9.0f %8.0f\n", name, r.requests_per_second,
                  r.p50_ms, r.p99_ms, r.non_2xx, r.requests_per_second / m.base.requests_per_second,
                  cpu.gateway_us, cpu.postgres_us);
    };
    line("baseline: GET /healthz (no database)", m.base, m.base_cpu);
    line("queue page: 50 open tickets of dlys by deadline", m.queue, m.queue_cpu);
    line("queue pages of every department (a manager's)", m.queues, m.queues_cpu);
    line("ticket detail with timeline (random dlys ids)", m.detail, m.detail_cpu);
    std::printf("%-52s %8s %8s %8s %8s %8s %7s\n", "open loop (latency from each due instant)",
                "asked/s", "done/s", "p50 ms", "p99 ms", "p99.9 ms", "failed");
    for (const auto& [name, r] : m.open) {
      std::printf("%-52s %8.0f %8.0f %8.2f %8.2f %8.2f %7ld\n", name.c_str(), r.rate, r.achieved,
                  r.p50_ms, r.p99_ms, r.p999_ms, r.non_2xx + r.errors);
    }
    const auto met = [](double p99) { return p99 > 0 && p99 < 20 ? "met" : "MISSED"; };
    if (m.queue_sharing > 0) {
      std::printf("requests one database run answered: queue page %.2f, every department's %.2f\n",
                  m.queue_sharing, m.queues_sharing);
    }
    std::printf("target p99 < 20 ms, closed loop: queue %s, detail %s\n", met(m.queue.p99_ms),
                met(m.detail.p99_ms));
    for (const auto& [name, r] : m.open) {
      std::printf("target p99 < 20 ms, open loop %.0f/s: %s %s\n", r.rate, name.c_str(),
                  met(r.p99_ms));
    }
    std::printf("gateway peak RSS %ld MB\n", m.peak_rss_mb);
  };

  // GATEWAY_BENCH_BEFORE=<an older appealhub binary>: measured first, in the same run, and the
  // figures of this build given as ratios to its.
  std::optional<Measured> before;
  if (const char* older = std::getenv("GATEWAY_BENCH_BEFORE")) {
    before = measure(older);
    if (!before) {
      std::fprintf(stderr,
                   "the older gateway did not start; see /tmp/appealhub_gateway_bench.log\n");
      return 1;
    }
    report(*before);
  }
  const auto now = measure(testing::appealhub_binary());
  if (!now) {
    std::fprintf(stderr, "the gateway did not start; see /tmp/appealhub_gateway_bench.log\n");
    return 1;
  }
  report(*now);
  if (before) {
    std::printf("\nthis build / before (lower is better but for req/s)  %8s %8s %9s %8s\n", "req/s",
                "p99 ms", "gw us/req", "pg us/req");
    const auto ratio = [](const char* name, const WrkResult& a, const CpuPerRequest& ac,
                          const WrkResult& b, const CpuPerRequest& bc) {
      std::printf("%-52s %8.2f %8.2f %9.2f %8.2f\n", name,
                  a.requests_per_second / b.requests_per_second, a.p99_ms / b.p99_ms,
                  ac.gateway_us / bc.gateway_us, ac.postgres_us / bc.postgres_us);
    };
    ratio("closed loop: queue page", now->queue, now->queue_cpu, before->queue, before->queue_cpu);
    ratio("closed loop: every department's queue page", now->queues, now->queues_cpu,
          before->queues, before->queues_cpu);
    ratio("closed loop: ticket detail", now->detail, now->detail_cpu, before->detail,
          before->detail_cpu);
    for (std::size_t i = 0; i < now->open.size(); ++i) {
      std::printf("open loop %5.0f/s: %-34s %8s %8.2f\n", now->open[i].second.rate,
                  now->open[i].first.c_str(), "",
                  now->open[i].second.p99_ms / before->open[i].second.p99_ms);
    }
  }
  return 0;
}
