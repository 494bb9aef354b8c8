#include "tests/support/duplicate_eval.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>
#include <thread>

#include "app/routing_settings.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"
#include "core/codec.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "router/duplicate_scan.hpp"
#include "router/duplicates.hpp"
#include "router/intake_consumer.hpp"
#include "storage/database.hpp"
#include "storage/ticket_intake.hpp"
#include "tests/support/appeal_samples.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kSlot = std::chrono::hours(24 * 62);  // a pair's own time, twice the window
const auto kBase = core::parse_rfc3339("2026-01-05T09:00:00+08:00");

struct Side {
  std::string external_id, body, message_id, channel;
  core::Appeal appeal;
};

// Moves both appeals of pair `pair` so that its first is at kBase + pair * kSlot.
Side make_side(const nlohmann::json& s, std::size_t pair, char which,
               std::chrono::milliseconds shift) {
  auto event = sample_appeal_event(pair * 2 + (which == 'b' ? 1 : 0), s.at("channel"));
  auto& a = std::get<core::AppealReceived>(event.body).appeal;
  a.channel = s.at("channel");
  a.external_id = "E2E-" + std::to_string(pair) + "-" + which;
  a.kind = core::AppealKind::complaint;
  a.category = "other";  // the channels' own categories are not in the labelled set
  a.division.clear();
  a.place.clear();
  a.title = s.at("title");
  a.content = s.at("content");
  a.plate = core::normalize_plate(s.at("plate").get<std::string>());
  a.citizen.phone = s.at("phone");
  a.citizen.anonymous = false;
  a.citizen.name = "市民";
  const auto at = core::parse_rfc3339(s.at("received_at").get<std::string>());
  if (!at) throw std::runtime_error("bad received_at in pair " + std::to_string(pair));
  a.received_at = *at;
  a.received_at.utc += shift;
  if (a.channel != "hotline12328") a.channel_meta = nlohmann::json::object();
  event.event_id = core::make_event_id("appeal.received", a.channel, a.external_id, "new");
  event.occurred_at = a.received_at;
  return {a.external_id, core::encode_event(event), event.event_id, a.channel, a};
}

void publish(const bus::BrokerConfig& broker, const std::vector<Side>& sides) {
  bus::ConfirmedPublisher publisher(broker, 1000);
  for (const auto& s : sides) {
    bus::OutgoingMessage m;
    m.exchange = "appeals";
    m.routing_key = "intake." + s.channel;
    m.body = s.body;
    m.message_id = s.message_id;
    m.type = "appeal.received";
    publisher.publish(std::move(m));
  }
  if (!publisher.flush(60s)) throw std::runtime_error("publish not confirmed");
}

std::string data_path() {
  return repo_root() + "/bench/data/duplicate_e2e_pairs.json";
}

double days_apart(const nlohmann::json& p) {
  const auto a = core::parse_rfc3339(p.at("a").at("received_at").get<std::string>());
  const auto b = core::parse_rfc3339(p.at("b").at("received_at").get<std::string>());
  return std::chrono::duration<double>(b->utc - a->utc).count() / 86400;
}

void count(DuplicateFigures& f, bool duplicate, bool flagged, bool right, bool merged) {
  ++f.pairs;
  f.duplicates += duplicate ? 1 : 0;
  f.flagged += flagged ? 1 : 0;
  f.flagged_right += flagged && right && duplicate ? 1 : 0;
  f.merged += merged ? 1 : 0;
  f.merged_right += merged && right && duplicate ? 1 : 0;
}

}  // namespace

DuplicateEvaluation evaluate_duplicates(const std::string& set, const std::string& test_name,
                                        const router::DuplicatePolicy& policy) {
  std::ifstream in(data_path());
  if (!in) throw std::runtime_error("cannot read " + data_path());
  const auto pairs = nlohmann::json::parse(in).at(set);

  TestDatabase db(test_name);
  TestVhost vhost(test_name);
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());
  app::RoutingSettings settings({db.uri()}, {}, policy);
  settings.seed_defaults();
  if (const auto errors = settings.refresh(); !errors.empty()) {
    throw std::runtime_error("routing settings: " + errors.front());
  }

  std::vector<Side> first, second;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto a_at = core::parse_rfc3339(pairs[i].at("a").at("received_at").get<std::string>());
    if (!a_at) throw std::runtime_error("bad received_at in pair " + std::to_string(i));
    const auto shift = std::chrono::duration_cast<std::chrono::milliseconds>(
        kBase->utc + kSlot * static_cast<long>(i) - a_at->utc);
    first.push_back(make_side(pairs[i].at("a"), i, 'a', shift));
    second.push_back(make_side(pairs[i].at("b"), i, 'b', shift));
  }

  DuplicateEvaluation e;
  router::IntakeConsumer consumer(broker, {db.uri()}, router::IntakeOptions{},
                                  [&] { return settings.current(); });
  router::TextScan scan({db.uri()}, [&] { return settings.current(); });
  std::atomic<bool> stop{false};
  std::thread consuming([&] { consumer.run(stop); });
  const auto take_in = [&](const std::vector<Side>& sides, std::uint64_t until) {
    const auto start = Clock::now();
    publish(broker, sides);
    // Every ticket committed (deliveries are counted before their batch commits).
    const auto committed = [&] {
      return std::stoull(db.scalar("SELECT count(*) FROM tickets")) >= until;
    };
    if (!eventually(120s, committed, 20ms)) {
      throw std::runtime_error("intake did not take in every appeal");
    }
    e.intake_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    const auto scan_start = Clock::now();
    scan.run_once();
    e.scan_seconds += std::chrono::duration<double>(Clock::now() - scan_start).count();
  };
  // The first appeal of every pair, then the later ones: each repeat finds its first in the store.
  take_in(first, first.size());
  take_in(second, first.size() + second.size());
  stop = true;
  consuming.join();
  const auto stats = consumer.stats();
  if (stats.rejected > 0) throw std::runtime_error("intake rejected appeals of the labelled set");

  std::map<std::string, std::int64_t> ids;
  for (const auto& row : db.column("SELECT external_id || '=' || id FROM tickets")) {
    const auto eq = row.find('=');
    ids[row.substr(0, eq)] = std::stoll(row.substr(eq + 1));
  }
  e.tickets = static_cast<int>(ids.size());
  struct Link {
    std::int64_t of;
    std::string action, found_by, reason;
    double score = 0;
  };
  std::map<std::int64_t, Link> links;  // the first link of each ticket
  {
    auto c = storage::connect({db.uri()});
    pqxx::work txn(*c);
    for (const auto& row :
         txn.exec("SELECT l.ticket_id, l.duplicate_of, l.action, l.found_by, l.reason, l.score FROM"
                  " duplicate_links l ORDER BY l.created_at")) {
      links.try_emplace(
          row[0].as<std::int64_t>(),
          Link{row[1].as<std::int64_t>(), row[2].as<std::string>(), row[3].as<std::string>(),
               row[4].as<std::string>(), row[5].as<double>()});
    }
    for (const auto& row :
         txn.exec("SELECT id, merged_into FROM tickets WHERE status = 'merged'")) {
      auto& l = links[row[0].as<std::int64_t>()];
      l.of = row[1].as<std::int64_t>();
      l.action = "merged";
    }
  }

  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& p = pairs[i];
    const bool duplicate = p.at("duplicate").get<bool>();
    const auto a = ids.at("E2E-" + std::to_string(i) + "-a");
    const auto b = ids.at("E2E-" + std::to_string(i) + "-b");
    const auto it = links.find(b);
    const bool flagged = it != links.end() && it->second.action != "rejected";
    const bool right = flagged && it->second.of == a;
    const bool merged = flagged && it->second.action == "merged";
    count(e.whole, duplicate, flagged, right, merged);
    count(i % 2 ? e.held_out : e.tuning, duplicate, flagged, right, merged);
    if (flagged && it->second.found_by == "text") {
      e.text_flags.push_back({i, duplicate && right, it->second.score});
    }
    count(e.by_type[p.at("type").get<std::string>()], duplicate, flagged, right, merged);
    count(e.by_link[p.value("linked", "none")], duplicate, flagged, right, merged);
    const double gap = days_apart(p);
    if (!duplicate || (gap >= 8 && gap <= 30)) count(e.late, duplicate, flagged, right, merged);
    if (flagged && right && duplicate) ++(it->second.found_by == "text" ? e.by_text : e.by_keys);
    if (duplicate != (flagged && right) || (merged && !duplicate)) {
      char line[160];
      std::snprintf(line, sizeof line, "pair %zu %s %s (%.0f days, linked %s): ", i,
                    duplicate ? "MISSED" : "FALSE",
                    merged    ? "merge"
                    : flagged ? "suggest"
                              : "",
                    gap, p.value("linked", "none").c_str());
      // What the scorer alone says of the wording, and how many indexed bigrams the two share.
      auto any = policy;
      any.text_threshold = 0;
      const auto& repeat = second[i].appeal;
      const auto& was = first[i].appeal;
      const auto pure = router::find_text_duplicate(
          repeat,
          {{1, was.channel, was.citizen.phone, was.plate, was.division, was.category, was.title,
            was.content, std::chrono::time_point_cast<std::chrono::seconds>(was.received_at.utc)}},
          any);
      const auto ga = router::text_index_grams(router::TextShingles::of(was.title, was.content));
      const auto gb =
          router::text_index_grams(router::TextShingles::of(repeat.title, repeat.content));
      std::vector<std::int32_t> common;
      std::set_intersection(ga.begin(), ga.end(), gb.begin(), gb.end(), std::back_inserter(common));
      char diag[96];
      std::snprintf(diag, sizeof diag, " [text score %.2f, %zu shared index bigrams]",
                    pure ? pure->score : 0.0, common.size());
      e.errors.push_back(line + p.at("note").get<std::string>() + diag +
                         (flagged ? " | " + it->second.reason : ""));
    }
  }
  return e;
}

ScanFigures measure_text_scan(int copies, const std::string& test_name) {
  std::ifstream in(data_path());
  const auto pairs = nlohmann::json::parse(in).at("pairs");
  TestDatabase db(test_name);
  app::RoutingSettings settings({db.uri()});
  settings.seed_defaults();
  if (const auto errors = settings.refresh(); !errors.empty()) {
    throw std::runtime_error("routing settings: " + errors.front());
  }
  const auto setup = settings.current();
  const auto appeals_of = [&](int copy, bool firsts_only) {
    std::vector<core::Appeal> out;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto a_at = core::parse_rfc3339(pairs[i].at("a").at("received_at").get<std::string>());
      const auto shift = std::chrono::duration_cast<std::chrono::milliseconds>(
          kBase->utc + kSlot * static_cast<long>(i) - a_at->utc);
      for (const char* side : {"a", "b"}) {
        if (firsts_only && side[0] == 'b') continue;
        auto a = make_side(pairs[i].at(side), i, side[0], shift).appeal;
        a.external_id += "-" + std::to_string(copy);
        out.push_back(std::move(a));
      }
    }
    return out;
  };
  for (int copy = 0; copy < copies; ++copy)
    take_in_and_place(db.uri(), *setup, appeals_of(copy, false));
  router::TextScan scan({db.uri()}, [&] { return setup; });
  ScanFigures f;
  auto start = Clock::now();
  scan.run_once();
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.tickets = std::stoi(db.scalar("SELECT count(*) FROM tickets"));
  const auto last = appeals_of(copies, true);
  take_in_and_place(db.uri(), *setup, last);
  start = Clock::now();
  f.last_tickets = static_cast<int>(scan.run_once().scanned);
  f.last_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return f;
}

router::RoutingStats take_in_and_place(const std::string& db_uri, const router::RoutingSetup& setup,
                                       const std::vector<core::Appeal>& appeals) {
  std::vector<core::Event> events;
  for (const auto& a : appeals) {
    core::Event e;
    e.event_id = core::make_event_id("appeal.received", a.channel, a.external_id, "new");
    e.occurred_at = a.received_at;
    e.producer = "test";
    e.body = core::AppealReceived{a};
    events.push_back(std::move(e));
  }
  std::vector<std::string> messages;
  for (const auto& e : events) messages.push_back(core::encode_event(e));
  std::vector<storage::IntakeItem> items;
  for (std::size_t i = 0; i < events.size(); ++i) items.push_back({&events[i], messages[i]});
  auto c = storage::connect({db_uri});
  pqxx::work txn(*c);
  const auto result = storage::TicketIntake("router.intake").apply(txn, items);
  std::vector<router::NewTicket> created;
  for (const auto& t : result.created) created.push_back({t.id, items[t.item].appeal()});
  const auto stats = router::route_new_tickets(txn, setup, created);
  txn.commit();
  return stats;
}

void print_duplicate_evaluation(const std::string& title, const DuplicateEvaluation& e,
                                bool verbose) {
  const auto row = [](const std::string& name, const DuplicateFigures& f) {
    std::printf("  %-34s %4d %4d | %4d %5.3f %5.3f %5.3f | %4d %5.3f %5.3f %5.3f\n", name.c_str(),
                f.pairs, f.duplicates, f.flagged, f.precision(), f.recall(), f.f1(), f.merged,
                f.merge_precision(), f.merge_recall(), f.merge_f1());
  };
  std::printf("%s: %d tickets taken in in %.2f s, text scan %.2f s\n", title.c_str(), e.tickets,
              e.intake_seconds, e.scan_seconds);
  std::printf("  %-34s %4s %4s | %4s %5s %5s %5s | %4s %5s %5s %5s\n", "", "pair", "dup", "flag",
              "P", "R", "F1", "merg", "P", "R", "F1");
  row("whole set", e.whole);
  row("tuning half (even pairs)", e.tuning);
  row("held-out half (odd pairs)", e.held_out);
  row("duplicates 8-30 days apart (+neg)", e.late);
  for (const auto& [link, f] : e.by_link) row("linked by " + link, f);
  for (const auto& [type, f] : e.by_type) row(type, f);
  std::printf("  right flags found by keys at intake: %d, by the text scan: %d\n", e.by_keys,
              e.by_text);
  if (verbose)
    for (const auto& line : e.errors) std::printf("  %s\n", line.c_str());
}

void print_text_threshold_sweep(const DuplicateEvaluation& e) {
  // The text suggestions made at the run's (low) threshold, as if a higher one had been set.
  std::printf("  text threshold sweep (tuning half | held-out half | whole set: P R)\n");
  for (double t = 0.10; t < 0.61; t += 0.02) {
    DuplicateFigures f[3];
    const DuplicateFigures* base[3] = {&e.tuning, &e.held_out, &e.whole};
    for (int k = 0; k < 3; ++k) {
      f[k] = *base[k];
      for (const auto& flag : e.text_flags) {
        if ((k == 0 && flag.pair % 2) || (k == 1 && !(flag.pair % 2)) || flag.score >= t) continue;
        --f[k].flagged;  // would not have been suggested
        f[k].flagged_right -= flag.right ? 1 : 0;
      }
    }
    std::printf("  %.2f  %.3f %.3f | %.3f %.3f | %.3f %.3f\n", t, f[0].precision(), f[0].recall(),
                f[1].precision(), f[1].recall(), f[2].precision(), f[2].recall());
  }
}

}  // namespace appealhub::testing
