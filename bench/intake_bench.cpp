// The spine's throughput: N appeals through publish -> intake consumer -> PostgreSQL commit -> ack,
// beside a bare baseline with the same durability in the same run:
//   baseline: publish with confirms to a quorum queue, consume with acks (prefetch 2000), insert
//   the
//             same rows in 500-row multi-row INSERT transactions, ack after commit;
//   spine:    the same messages published to intake.hotline12328 and taken in by `appealhub intake`
//             (a separate process: decode, validate, de-duplicate, tickets + events, placement,
//             deadline, duplicate search, ticket.routed outbox rows, ack).
// The spine runs without and with the statistics (storage/statistics.hpp): their change queue's
// triggers, and a reader deriving the queued tickets' facts every 5 s, in alternating rounds
// (ROUNDS, default 3); the ratio is the median of the rounds'. Both use the hub's bus client for
// AMQP (rabbitmq-c underneath). Prints rates, their ratios and the hub's peak RSS. Needs
// scripts/services.sh to be running. Usage: intake_bench [N [ROUNDS]]

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

#include "app/routing_settings.hpp"
#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "config/holidays.hpp"
#include "storage/database.hpp"
#include "storage/statistics.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void publish_all(const bus::BrokerConfig& broker, const std::vector<std::string>& bodies,
                 const std::vector<std::string>& ids, const std::string& exchange,
                 const std::string& key) {
  bus::ConfirmedPublisher publisher(broker, 2000);
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    bus::OutgoingMessage m;
    m.exchange = exchange;
    m.routing_key = key;
    m.body = bodies[i];
    m.message_id = ids[i];
    m.type = "appeal.received";
    publisher.publish(std::move(m));
  }
  if (!publisher.flush(300s)) throw std::runtime_error("publish not confirmed");
}

double run_baseline(const bus::BrokerConfig& broker, const std::string& db_uri,
                    const std::vector<std::string>& bodies, const std::vector<std::string>& ids) {
  bus::TopologySpec spec = bus::hub_topology();
  spec.queues = {{"bench.baseline", {"bench.baseline"}, {}, 20}};
  bus::declare_topology(broker, spec);
  {
    auto c = storage::connect({db_uri});
    pqxx::work txn(*c);
    txn.exec(
        "CREATE TABLE IF NOT EXISTS bench_rows (message_id text PRIMARY KEY, body jsonb NOT NULL)");
    txn.commit();
  }
  const auto start = Clock::now();
  std::thread producer([&] { publish_all(broker, bodies, ids, "appeals", "bench.baseline"); });
  bus::Consumer consumer(broker, "bench.baseline", 2000);
  auto db = storage::connect({db_uri});
  std::size_t taken = 0;
  while (taken < bodies.size()) {
    std::vector<bus::Delivery> batch;
    while (batch.size() < 500) {
      auto d = consumer.next(batch.empty() ? 5000ms : 20ms);
      if (!d) break;
      batch.push_back(std::move(*d));
    }
    if (batch.empty()) break;
    pqxx::work txn(*db);
    std::string values;
    for (const auto& d : batch) {
      if (!values.empty()) values += ',';
      values += "(" + txn.quote(d.message_id) + "," + txn.quote(d.body) + "::jsonb)";
    }
    txn.exec("INSERT INTO bench_rows VALUES " + values + " ON CONFLICT DO NOTHING");
    txn.commit();
    consumer.ack(batch.back(), true);
    taken += batch.size();
  }
  producer.join();
  return static_cast<double>(taken) / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 50000;
  const int rounds = std::max(argc > 2 ? std::stoi(argv[2]) : 3, 1);
  std::vector<std::string> bodies, ids;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto e = testing::sample_appeal_event(i);
    bodies.push_back(testing::sample_appeal_json(i));
    ids.push_back(e.event_id);
    bytes += bodies.back().size();
  }
  std::printf("intake_bench: %zu appeals, %.0f bytes each on average\n", n,
              static_cast<double>(bytes) / static_cast<double>(n));

  double baseline = 0;
  {
    testing::TestDatabase db("bench_baseline", false);
    testing::TestVhost vhost("bench_baseline");
    bus::BrokerConfig broker;
    broker.uri = vhost.uri();
    baseline = run_baseline(broker, db.uri(), bodies, ids);
  }
  std::printf("baseline (publish+confirm, consume+ack, 500-row INSERTs): %8.0f appeals/s\n",
              baseline);

  // The spine, with or without the statistics' change queue (migration 0012's triggers), to see
  // what the statistics cost the intake in the same run.
  const auto calendar = config::load_holidays(config::shipped_holidays_path()).calendar;
  int refreshes = 0;
  const auto run_spine = [&](bool statistics, long& rss_kib) {
    testing::TestDatabase db(statistics ? "bench_spine" : "bench_spine_nostats");
    app::RoutingSettings({db.uri()}).seed_defaults();
    if (!statistics) {
      db.exec("ALTER TABLE ticket_events DISABLE TRIGGER stats_events_dirty");
      db.exec("ALTER TABLE tickets DISABLE TRIGGER stats_tickets_dirty");
      db.exec("ALTER TABLE tickets DISABLE TRIGGER stats_ticket_changed");
    }
    testing::TestVhost vhost("bench_spine");
    bus::BrokerConfig broker;
    broker.uri = vhost.uri();
    bus::declare_topology(broker, bus::hub_topology());
    testing::ChildProcess hub({testing::appealhub_binary(), "intake"},
                              {{"APPEALHUB_PG_URI", db.uri()},
                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                               {"APPEALHUB_LOG_LEVEL", "info"}},
                              "/tmp/appealhub_intake_bench.log");
    hub.start();
    std::this_thread::sleep_for(500ms);
    const auto start = Clock::now();
    std::thread producer(
        [&] { publish_all(broker, bodies, ids, "appeals", "intake.hotline12328"); });
    // With the statistics, their upkeep runs as in production: a reader (a Prometheus scrape)
    // derives the queued tickets' facts every few seconds while the intake goes on.
    std::atomic<bool> done{false};
    std::thread reader([&] {
      if (!statistics) return;
      auto connection = storage::connect({db.uri()});
      while (!done) {
        for (int i = 0; i < 50 && !done; ++i) std::this_thread::sleep_for(100ms);
        storage::refresh_statistics(*connection, *calendar);
        ++refreshes;
      }
    });
    auto c = storage::connect({db.uri()});
    while (true) {
      pqxx::read_transaction txn(*c);
      // max(id) reads one index page; count(*) every 20 ms would load the server it measures.
      if (txn.exec1("SELECT coalesce(max(id), 0) FROM tickets")[0].as<std::size_t>() >= n) break;
      txn.commit();
      std::this_thread::sleep_for(20ms);
      if (seconds_since(start) > 600) throw std::runtime_error("spine did not finish in 600 s");
      if (!hub.running()) throw std::runtime_error("appealhub intake exited; see its log");
    }
    // Ids can skip (a transaction retried after a deadlock between the two consumers): finish
    // on the real count.
    while (true) {
      pqxx::read_transaction txn(*c);
      if (txn.exec1("SELECT count(*) FROM tickets")[0].as<std::size_t>() >= n) break;
      txn.commit();
      std::this_thread::sleep_for(20ms);
      if (seconds_since(start) > 600) throw std::runtime_error("spine did not finish in 600 s");
    }
    const double rate = static_cast<double>(n) / seconds_since(start);
    done = true;
    reader.join();
    producer.join();
    rss_kib = hub.peak_rss_kib();
    hub.terminate();
    return rate;
  };
  // Rounds alternate without and with, so that the load of a shared machine falls on both alike;
  // the rates are each taken at their best round, the ratio as the median of the rounds' ratios
  // (a round's two runs are closest in time).
  long rss_kib = 0, rss_nostats_kib = 0;
  double spine_nostats = 0, spine = 0;
  std::vector<double> ratios;
  for (int round = 1; round <= rounds; ++round) {
    const double without = run_spine(false, rss_nostats_kib);
    const double with = run_spine(true, rss_kib);
    std::printf("round %d: without the statistics' queue %8.0f, with %8.0f appeals/s (%.2f)\n",
                round, without, with, with / without);
    ratios.push_back(with / without);
    spine_nostats = std::max(spine_nostats, without);
    spine = std::max(spine, with);
  }
  std::printf("spine without the statistics' change queue (best):          %8.0f appeals/s\n",
              spine_nostats);
  std::printf("spine    (publish -> appealhub intake -> tickets -> ack):   %8.0f appeals/s\n",
              spine);
  std::printf("ratio spine/baseline: %.2f   (target >= 0.50; and >= 5000 appeals/s)\n",
              spine / baseline);
  std::sort(ratios.begin(), ratios.end());
  std::printf(
      "with/without the statistics' queue and upkeep, median of the rounds: %.2f   (target >= "
      "0.90; %d refreshes of the facts every 5 s during the runs with)\n",
      ratios[ratios.size() / 2], refreshes);
  std::printf("appealhub intake peak RSS: %.1f MB (target < 150 MB)\n",
              static_cast<double>(rss_kib) / 1024.0);
  return 0;
}
