#include "router/duplicate_scan.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "router/duplicates.hpp"
#include "storage/statement.hpp"
#include "storage/timeline.hpp"

namespace appealhub::router {
namespace {

struct Scanned {
  std::int64_t id = 0;
  core::Appeal appeal;
  std::string status;
  bool linked = false;  // already linked at intake (merged or suggested by a key)
  std::vector<std::int32_t> grams;
};

core::Appeal appeal_of(const pqxx::row& row) {
  core::Appeal a;
  a.channel = row[1].as<std::string>();
  a.citizen.phone = row[2].as<std::string>();
  a.plate = row[3].as<std::string>();
  a.division = row[4].as<std::string>();
  a.category = row[5].as<std::string>();
  a.title = row[6].as<std::string>();
  a.content = row[7].as<std::string>();
  a.received_at = {std::chrono::sys_time<std::chrono::milliseconds>(
                       std::chrono::seconds(row[8].as<long long>())),
                   480};
  return a;
}

constexpr const char* kTicketColumns =
    "t.id, t.channel, t.citizen_phone, t.plate, t.division, t.category, t.title,"
    " coalesce(t.appeal->>'content', ''), extract(epoch FROM t.received_at)::bigint, t.status";

constexpr const char* kOpen =
    "t.status NOT IN ('withdrawn', 'reassigned_out', 'spam', 'merged', 'closed')";

std::string int_array(const std::vector<std::int32_t>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "}";
}

}  // namespace

TextScanStats scan_text_duplicates(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                                   const TextScanOptions& options) {
  TextScanStats stats;
  const auto total =
      txn.exec1("SELECT tickets FROM text_scan_state WHERE id = 1 FOR UPDATE")[0].as<long long>();
  std::vector<Scanned> batch;
  for (const auto& row :
       txn.exec(std::string("SELECT ") + kTicketColumns +
                ", EXISTS (SELECT 1 FROM duplicate_links l WHERE l.ticket_id = t.id AND l.action IN"
                " ('merged', 'suggested')) FROM text_scan_queue q JOIN tickets t ON t.id ="
                " q.ticket_id ORDER BY q.ticket_id LIMIT " +
                std::to_string(options.batch))) {
    Scanned s;
    s.id = row[0].as<std::int64_t>();
    s.appeal = appeal_of(row);
    s.status = row[9].as<std::string>();
    s.linked = row[10].as<bool>();
    s.grams = text_index_grams(TextShingles::of(s.appeal.title, s.appeal.content));
    batch.push_back(std::move(s));
  }
  if (batch.empty()) return stats;

  // Which of the batch's bigrams are common, as counted before this batch.
  std::map<std::int32_t, int> in_batch;
  for (const auto& s : batch)
    for (auto g : s.grams) ++in_batch[g];
  std::vector<std::int32_t> all;
  for (const auto& [g, n] : in_batch) all.push_back(g);
  const double cap = std::max<double>(options.common_gram_floor,
                                      options.common_gram_share * static_cast<double>(total));
  std::set<std::int32_t> common;
  for (const auto& row :
       txn.exec_params("SELECT gram FROM gram_counts WHERE gram = ANY($1::int[]) AND tickets > $2",
                       int_array(all), static_cast<long long>(cap))) {
    common.insert(row[0].as<std::int32_t>());
  }
  for (auto& s : batch) {
    std::erase_if(s.grams, [&](std::int32_t g) { return common.count(g) > 0; });
  }

  // Index the batch first, so that a ticket finds an earlier one of the same batch.
  {
    std::string grams, tickets, times;
    for (const auto& s : batch) {
      const auto at = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         s.appeal.received_at.utc.time_since_epoch())
                                         .count());
      for (auto g : s.grams) {
        grams += (grams.empty() ? "" : ",") + std::to_string(g);
        tickets += (tickets.empty() ? "" : ",") + std::to_string(s.id);
        times += (times.empty() ? "" : ",") + at;
      }
    }
    if (!grams.empty()) {
      txn.exec_params(
          "INSERT INTO ticket_grams (gram, ticket_id, received_at) SELECT g, t, to_timestamp(r)"
          " FROM unnest($1::int[], $2::bigint[], $3::double precision[]) AS v(g, t, r)",
          "{" + grams + "}", "{" + tickets + "}", "{" + times + "}");
    }
    std::string counted, counts;
    for (const auto& [g, n] : in_batch) {
      counted += (counted.empty() ? "" : ",") + std::to_string(g);
      counts += (counts.empty() ? "" : ",") + std::to_string(n);
    }
    txn.exec_params(
        "INSERT INTO gram_counts (gram, tickets) SELECT g, n FROM unnest($1::int[], $2::int[])"
        " AS v(g, n) ON CONFLICT (gram) DO UPDATE SET tickets = gram_counts.tickets +"
        " EXCLUDED.tickets",
        "{" + counted + "}", "{" + counts + "}");
  }

  std::vector<storage::TimelineRow> events;
  std::string links;
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(setup.duplicates.window);
  for (const auto& s : batch) {
    if (s.linked || s.grams.empty() || s.status == "merged" || s.status == "spam" ||
        s.status == "withdrawn" || s.status == "closed" || s.status == "reassigned_out")
      continue;
    const auto received = std::chrono::duration_cast<std::chrono::seconds>(
                              s.appeal.received_at.utc.time_since_epoch())
                              .count();
    // The earlier tickets sharing most of its rarer bigrams, then only the open ones of the same
    // category or division that an operator did not reject as its duplicate.
    const auto rows = txn.exec_params(
        std::string("WITH c AS (SELECT g.ticket_id, count(*) AS shared FROM ticket_grams g WHERE"
                    " g.gram = ANY($1::int[]) AND g.received_at BETWEEN to_timestamp($2) AND"
                    " to_timestamp($3) AND g.ticket_id < $4 GROUP BY g.ticket_id HAVING"
                    " count(*) >= $5 ORDER BY count(*) DESC, g.ticket_id DESC LIMIT $6) SELECT ") +
            kTicketColumns + " FROM c JOIN tickets t ON t.id = c.ticket_id WHERE " + kOpen +
            " AND (t.category = $7 OR $7 IN ('', 'other') OR t.category IN ('', 'other') OR"
            " (t.division <> '' AND t.division = $8)) AND NOT EXISTS (SELECT 1 FROM"
            " duplicate_links r WHERE r.ticket_id = $4 AND r.duplicate_of = t.id AND r.action ="
            " 'rejected') ORDER BY c.shared DESC",
        int_array(s.grams), static_cast<double>(received - window.count()),
        static_cast<double>(received + window.count()), s.id, options.min_shared_grams,
        options.candidates * 3, s.appeal.category, s.appeal.division);
    std::vector<DuplicateCandidate> candidates;
    for (const auto& row : rows) {
      if (static_cast<int>(candidates.size()) >= options.candidates) break;
      const auto a = appeal_of(row);
      candidates.push_back(
          {row[0].as<std::int64_t>(), a.channel, a.citizen.phone, a.plate, a.division, a.category,
           a.title, a.content,
           std::chrono::sys_seconds(std::chrono::seconds(row[8].as<long long>()))});
    }
    const auto verdict = find_text_duplicate(s.appeal, candidates, setup.duplicates);
    if (!verdict) continue;
    ++stats.suggested;
    links += std::string(links.empty() ? "" : ",") + "(" + std::to_string(s.id) + "," +
             std::to_string(verdict->ticket_id) + ",'suggested'," + std::to_string(verdict->score) +
             "," + txn.quote(verdict->reason) + ",'text')";
    events.push_back({s.id, "duplicate-text:" + std::to_string(s.id), "ticket.duplicate_suggested",
                      "router", "",
                      nlohmann::json{{"duplicate_of", verdict->ticket_id},
                                     {"score", verdict->score},
                                     {"reason", verdict->reason},
                                     {"found_by", "text"}}
                          .dump(),
                      false});
  }
  if (!links.empty()) {
    txn.exec(
        "INSERT INTO duplicate_links (ticket_id, duplicate_of, action, score, reason, found_by)"
        " VALUES " +
        links + " ON CONFLICT DO NOTHING");
  }
  storage::insert_timeline(txn, events);
  std::string ids;
  for (const auto& s : batch) ids += (ids.empty() ? "" : ",") + std::to_string(s.id);
  txn.exec("DELETE FROM text_scan_queue WHERE ticket_id IN (" + ids + ")");
  txn.exec("UPDATE text_scan_state SET tickets = tickets + " + std::to_string(batch.size()) +
           " WHERE id = 1");
  stats.scanned = batch.size();
  return stats;
}

TextScan::TextScan(storage::DatabaseConfig database, SetupSource setup, TextScanOptions options)
    : database_(std::move(database)), setup_(std::move(setup)), options_(options) {}

TextScanStats TextScan::run_once() {
  TextScanStats total;
  const auto setup = setup_();
  if (!setup) return total;
  auto connection = storage::connect(database_);
  for (;;) {
    pqxx::work txn(*connection);
    const auto stats = scan_text_duplicates(txn, *setup, options_);
    txn.commit();
    total.scanned += stats.scanned;
    total.suggested += stats.suggested;
    if (stats.scanned < options_.batch) return total;
  }
}

void TextScan::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    try {
      const auto stats = run_once();
      if (stats.suggested > 0) {
        core::log_info("duplicate-scan", "suggested by text",
                       {{"scanned", std::to_string(stats.scanned)},
                        {"suggested", std::to_string(stats.suggested)}});
      }
    } catch (const std::exception& e) {
      core::log_warn("duplicate-scan", "pass failed", {{"error", e.what()}});
    }
    const auto until = std::chrono::steady_clock::now() + options_.interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace appealhub::router
