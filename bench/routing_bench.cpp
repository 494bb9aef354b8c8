// Routing: throughput with 200 rules and 100,000 open tickets in the store for the duplicate
// search, beside a baseline in the same run (the same intake with the shipped rules into an empty
// store); then intake-to-routed latency (publish -> ticket.routed on the bus) at a steady rate.
// Needs scripts/services.sh to be running. Usage: routing_bench [N] [RATE]

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "app/routing_settings.hpp"
#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "config/shipped_defaults.hpp"
#include "core/codec.hpp"
#include "storage/settings_documents.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The shipped rules with 170-odd more in front of the last one: district-specific keyword rules
// that rarely match, so that placement walks most of the list.
std::string two_hundred_rules() {
  auto doc = nlohmann::json::parse(config::shipped_default("routing-rules.json"));
  auto& rules = doc["rules"];
  const std::vector<std::string> divisions{"510802", "510811", "510812", "510821",
                                           "510822", "510823", "510824"};
  nlohmann::json extra = nlohmann::json::array();
  for (int i = 0; rules.size() + extra.size() < 200; ++i) {
    extra.push_back(
        {{"id", "bench-" + std::to_string(i)},
         {"match",
          {{"divisions", {divisions[i % divisions.size()]}},
           {"keywords", {"专项整治" + std::to_string(i), "试点线路" + std::to_string(i)}}}},
         {"lead", "triage"}});
  }
  rules.insert(rules.begin() + static_cast<long>(rules.size()) - 1, extra.begin(), extra.end());
  return doc.dump();
}

// 100,000 open tickets whose phones and plates overlap the benchmark's appeals.
void fill_open_tickets(const std::string& uri, int count) {
  auto c = storage::connect({uri});
  pqxx::work txn(*c);
  txn.exec(
      "INSERT INTO tickets (channel, external_id, status, kind, category, division, urgency, title,"
      " citizen_phone, plate, received_at, deadline, appeal, lead_department)"
      " SELECT 'hotline12328', 'OPEN' || g, 'assigned', 'complaint', 'taxi', '510802', 'normal',"
      " '出租车拒载', '139' || (10000000 + g % 89999999)::text, '', now() - interval '1 day',"
      " now() + interval '10 days', jsonb_build_object('content', "
      "'出租车司机拒载并绕路，多收费用。第' || g || '单'),"
      " 'zfzd' FROM generate_series(1, " +
      std::to_string(count) + ") g");
  txn.exec("ANALYZE tickets");
  txn.commit();
}

struct Run {
  double rate = 0;
  std::vector<double> latencies_ms;
};

// Publishes N appeals (at `per_second`, 0 = as fast as possible) to a hub running `appealhub run`
// and waits for every ticket.routed on the bus (the rate counts what arrived).
Run run_intake(const std::string& name, std::size_t n, double per_second, bool big_store,
               bool many_rules) {
  testing::TestDatabase db(name);
  testing::TestVhost vhost(name);
  app::RoutingSettings settings({db.uri()});
  settings.seed_defaults();
  if (many_rules) {
    auto c = storage::connect({db.uri()});
    pqxx::work txn(*c);
    storage::save_document(txn, app::kRulesDocument, two_hundred_rules(), "bench");
    txn.commit();
  }
  if (big_store) fill_open_tickets(db.uri(), 100000);
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  auto topology = bus::hub_topology();
  topology.queues.push_back({"bench.routed", {"dept.#"}, {}, 20});
  bus::declare_topology(broker, topology);

  // `run`: intake and the outbox relay, which publishes ticket.routed.
  testing::ChildProcess hub({testing::appealhub_binary(), "run"},
                            {{"APPEALHUB_PG_URI", db.uri()},
                             {"APPEALHUB_AMQP_URI", vhost.uri()},
                             {"APPEALHUB_LOG_LEVEL", "warn"}},
                            "/tmp/appealhub_routing_bench.log");
  hub.start();
  std::this_thread::sleep_for(1s);

  std::mutex mutex;
  std::map<std::string, Clock::time_point> sent;  // external id -> publish time
  Run run;
  std::atomic<bool> done{false};
  std::thread listener([&] {
    bus::Consumer consumer(broker, "bench.routed", 2000);
    std::size_t seen = 0;
    while (seen < n) {
      auto d = consumer.next(30s);
      if (!d) break;
      const auto decoded = core::decode_event(d->body);
      consumer.ack(*d);
      if (!decoded.ok()) continue;
      const auto& routed = std::get<core::TicketRouted>(decoded.event().body);
      if (routed.department != d->routing_key.substr(5)) continue;  // one per ticket: the lead's
      const std::lock_guard lock(mutex);
      const auto it = sent.find(routed.appeal.external_id);
      if (it == sent.end()) continue;
      run.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
      ++seen;
    }
    done = true;
  });

  if (!hub.running()) throw std::runtime_error("appealhub exited; see its log");
  const auto start = Clock::now();
  {
    bus::ConfirmedPublisher publisher(broker, 2000);
    for (std::size_t i = 0; i < n; ++i) {
      if (per_second > 0) {
        std::this_thread::sleep_until(
            start + std::chrono::microseconds(static_cast<long long>(1e6 * i / per_second)));
      }
      // Phones from the same range as the open tickets: the duplicate search finds candidates.
      const auto event = testing::sample_appeal_event(i + 500000);
      bus::OutgoingMessage m;
      m.exchange = "appeals";
      m.routing_key = "intake.hotline12328";
      m.body = core::encode_event(event);
      m.message_id = event.event_id;
      m.type = "appeal.received";
      {
        const std::lock_guard lock(mutex);
        sent[std::get<core::AppealReceived>(event.body).appeal.external_id] = Clock::now();
      }
      publisher.publish(std::move(m));
      if (per_second > 0) publisher.poll();
    }
    publisher.flush(120s);
  }
  listener.join();
  run.rate = static_cast<double>(run.latencies_ms.size()) /
             std::chrono::duration<double>(Clock::now() - start).count();
  hub.terminate();
  return run;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 20000;
  const double rate = argc > 2 ? std::stod(argv[2]) : 1000;

  const auto baseline = run_intake("bench_route_base", n, 0, false, false);
  std::printf("baseline (shipped rules, empty store):              %8.0f appeals/s routed (%zu)\n",
              baseline.rate, baseline.latencies_ms.size());
  const auto loaded = run_intake("bench_route_load", n, 0, true, true);
  std::printf(
      "200 rules, 100,000 open tickets for duplicate search: %8.0f appeals/s routed (%zu)\n",
      loaded.rate, loaded.latencies_ms.size());
  std::printf("ratio loaded/baseline: %.2f\n", loaded.rate / baseline.rate);
  const auto paced =
      run_intake("bench_route_paced", static_cast<std::size_t>(rate * 20), rate, true, true);
  std::printf(
      "intake-to-routed latency at %.0f appeals/s for 20 s (200 rules, 100,000 open):"
      " p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu routed)\n",
      rate, percentile(paced.latencies_ms, 0.5), percentile(paced.latencies_ms, 0.99),
      percentile(paced.latencies_ms, 1.0), paced.latencies_ms.size());
  return 0;
}
