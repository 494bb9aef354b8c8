#include "router/duplicate_scan.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "core/pause.hpp"
#include "router/duplicates.hpp"
#include "storage/text_scan.hpp"
#include "storage/timeline.hpp"

namespace appealhub::router {
namespace {

core::Appeal appeal_of(const storage::TextScanTicket& t) {
  core::Appeal a;
  a.channel = t.channel;
  a.citizen.phone = t.phone;
  a.plate = t.plate;
  a.division = t.division;
  a.category = t.category;
  a.title = t.title;
  a.content = t.content;
  a.received_at = {std::chrono::sys_time<std::chrono::milliseconds>(t.received_at), 480};
  return a;
}

bool is_settled(const std::string& status) {
  return status == "merged" || status == "spam" || status == "withdrawn" || status == "closed" ||
         status == "reassigned_out";
}

}  // namespace

TextScanStats scan_text_duplicates(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                                   const TextScanOptions& options) {
  TextScanStats stats;
  const auto total = storage::lock_text_scan(txn);
  const auto batch = storage::queued_for_text_scan(txn, static_cast<int>(options.batch));
  if (batch.empty()) return stats;
  std::vector<std::vector<std::int32_t>> grams;
  for (const auto& t : batch)
    grams.push_back(text_index_grams(TextShingles::of(t.title, t.content)));

  // Which of the batch's bigrams are common, as counted before this batch.
  std::map<std::int32_t, int> in_batch;
  for (const auto& g : grams)
    for (const auto gram : g) ++in_batch[gram];
  std::vector<std::int32_t> all;
  for (const auto& [g, n] : in_batch) all.push_back(g);
  const double cap = std::max<double>(options.common_gram_floor,
                                      options.common_gram_share * static_cast<double>(total));
  const auto common = storage::common_grams(txn, all, static_cast<long long>(cap));
  for (auto& g : grams) {
    std::erase_if(g, [&](std::int32_t gram) { return common.count(gram) > 0; });
  }
  // Index the batch first, so that a ticket finds an earlier one of the same batch.
  storage::index_grams(txn, batch, grams, in_batch);

  std::vector<storage::TimelineRow> events;
  std::vector<storage::TextSuggestion> suggestions;
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(setup.duplicates.window);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& t = batch[i];
    if (t.linked || grams[i].empty() || is_settled(t.status)) continue;
    // The earlier tickets sharing most of its rarer bigrams, then only the open ones of the same
    // category or division that an operator did not reject as its duplicate.
    std::vector<DuplicateCandidate> candidates;
    for (const auto& c : storage::text_candidates(
             txn, {grams[i], t.received_at - window, t.received_at + window, t.id,
                   options.min_shared_grams, options.candidates * 3, t.category, t.division})) {
      if (static_cast<int>(candidates.size()) >= options.candidates) break;
      candidates.push_back({c.id, c.channel, c.phone, c.plate, c.division, c.category, c.title,
                            c.content, c.received_at});
    }
    const auto verdict = find_text_duplicate(appeal_of(t), candidates, setup.duplicates);
    if (!verdict) continue;
    ++stats.suggested;
    suggestions.push_back({t.id, verdict->ticket_id, verdict->score, verdict->reason});
    events.push_back({t.id, "duplicate-text:" + std::to_string(t.id), "ticket.duplicate_suggested",
                      "router", "",
                      nlohmann::json{{"duplicate_of", verdict->ticket_id},
                                     {"score", verdict->score},
                                     {"reason", verdict->reason},
                                     {"found_by", "text"}}
                          .dump(),
                      false});
  }
  storage::suggest_by_text(txn, suggestions);
  storage::insert_timeline(txn, events);
  std::vector<std::int64_t> ids;
  for (const auto& t : batch) ids.push_back(t.id);
  storage::finish_text_scan(txn, ids);
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
    core::pause_unless_stopped(stop, options_.interval);
  }
}

}  // namespace appealhub::router
