#include "router/ticket_router.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/codec.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "core/validation.hpp"
#include "storage/outbox.hpp"
#include "storage/ticket_routing.hpp"

namespace appealhub::router {
namespace {

// Earlier tickets a new one is compared with, newest first.
constexpr std::size_t kDuplicateCandidates = 20;

std::chrono::sys_seconds seconds_of(const core::Timestamp& t) {
  return std::chrono::time_point_cast<std::chrono::seconds>(t.utc);
}

core::Timestamp china_time(std::chrono::sys_seconds t) {
  return {std::chrono::time_point_cast<std::chrono::milliseconds>(t), 480};
}

std::string date_text(std::chrono::year_month_day d) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return out;
}

// How the deadline was computed, for the ticket's timeline.
nlohmann::json basis_of(const core::DeadlineComputation& c) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& d : c.skipped_days) skipped.push_back(date_text(d));
  const auto time_or_null = [](const std::optional<std::chrono::sys_seconds>& t) -> nlohmann::json {
    return t ? nlohmann::json(core::format_rfc3339(china_time(*t))) : nlohmann::json(nullptr);
  };
  return {{"policy", c.policy},
          {"policy_days", c.policy_days},
          {"received_date", date_text(c.received_date)},
          {"policy_deadline", time_or_null(c.policy_deadline)},
          {"channel_deadline", time_or_null(c.channel_deadline)},
          {"channel_deadline_won", c.channel_deadline_won},
          {"skipped_days", skipped},
          {"uncovered_years", c.uncovered_years},
          {"explain", c.explain()}};
}

// Citizens who asked not to be named are not named to departments' systems either.
core::Appeal for_departments(const core::Appeal& appeal) {
  core::Appeal out = appeal;
  if (out.citizen.anonymous) {
    out.citizen.name.clear();
    out.citizen.phone.clear();
    out.citizen.email.clear();
    out.citizen.id_number_masked.clear();
  }
  return out;
}

// One ticket.routed message per placement: to dept.<lead>, copied by the broker (CC) to
// dept.<each assisting department>; its id is the lead's, as when each department had its own.
storage::OutboxMessage routed_message(const core::TicketRouted& routed, const std::string& occasion,
                                      const std::string& producer) {
  core::Event event;
  event.event_id = core::make_event_id("ticket.routed", "hub", std::to_string(routed.ticket_id),
                                       occasion + ":" + routed.department);
  event.occurred_at = china_time(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  event.producer = producer;
  event.body = routed;
  storage::OutboxMessage m;
  m.message_id = event.event_id;
  m.exchange = "appeals";
  m.routing_key = "dept." + routed.department;
  for (const auto& code : routed.assisting) m.cc.push_back("dept." + code);
  m.type = "ticket.routed";
  m.body = core::encode_event(event);
  m.mandatory = false;  // a department without its own system binds no queue
  return m;
}

}  // namespace

RoutingStats route_new_tickets(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                               const std::vector<NewTicket>& tickets, const std::string& occasion) {
  auto decision = decide_routing(txn, setup, tickets, occasion);
  storage::record_routing(txn, decision.records, "router");
  return decision.stats;
}

namespace {

// What the tickets of one first routing are compared with: earlier open tickets sharing a key
// (phone, masked phone, landline, plate), read for all at once, and the batch's tickets decided so
// far, which later ones may repeat.
struct BatchCandidates {
  std::map<std::int64_t, DuplicateKeys> keys;
  std::map<std::int64_t, std::vector<DuplicateCandidate>> candidates;
  std::vector<DuplicateCandidate> decided;

  void load(pqxx::dbtransaction& txn, const RoutingSetup& setup,
            const std::vector<NewTicket>& tickets) {
    std::vector<storage::DuplicateQuery> queries;
    for (const auto& t : tickets) {
      const auto& a = *t.appeal;
      auto& k = keys[t.id] = duplicate_keys(a.citizen.phone, a.plate, a.title, a.content);
      queries.push_back({t.id, k.lookup, seconds_of(a.received_at)});
    }
    for (auto& row : storage::find_duplicate_candidates(
             txn, queries, std::chrono::duration_cast<std::chrono::hours>(setup.duplicates.window),
             static_cast<int>(kDuplicateCandidates))) {
      candidates[row.for_ticket].push_back({row.ticket_id, row.channel, row.phone, row.plate,
                                            row.division, row.category, row.title, row.content,
                                            row.received});
    }
  }

  // Adds to t's candidates the tickets decided earlier in this batch that share a key with it.
  void add_earlier_in_batch(const NewTicket& t, std::chrono::seconds window) {
    auto& found = candidates[t.id];  // from the store, newest first
    std::vector<DuplicateCandidate> out;
    const auto received = seconds_of(t.appeal->received_at);
    const auto& lookup = keys[t.id].lookup;
    for (auto it = decided.rbegin(); it != decided.rend(); ++it) {
      const auto& c = *it;
      const auto& stored_keys = keys[c.ticket_id].stored;
      const bool shares_key = std::any_of(lookup.begin(), lookup.end(), [&](const auto& k) {
        return std::binary_search(stored_keys.begin(), stored_keys.end(), k);
      });
      const bool stored = std::any_of(found.begin(), found.end(),
                                      [&](const auto& f) { return f.ticket_id == c.ticket_id; });
      if (c.ticket_id < t.id && shares_key && !stored && c.received >= received - window) {
        out.push_back(c);
      }
    }
    out.insert(out.end(), found.begin(), found.end());
    if (out.size() > kDuplicateCandidates) out.resize(kDuplicateCandidates);
    found = std::move(out);
  }

  void add_decided(const NewTicket& t) {
    const auto& appeal = *t.appeal;
    decided.push_back({t.id, appeal.channel, appeal.citizen.phone, appeal.plate, appeal.division,
                       appeal.category, appeal.title, appeal.content,
                       seconds_of(appeal.received_at)});
  }
};

// Places `r`'s ticket by the routing rules and writes its ticket.routed message.
void place(const RoutingSetup& setup, const NewTicket& t, const core::DeadlineComputation& computed,
           const std::string& occasion, storage::RoutingRecord& r, RoutingStats& stats) {
  const auto& appeal = *t.appeal;
  const auto placement = setup.rules->place(appeal);
  r.status = placement.triage ? "triage" : "assigned";
  r.lead = placement.lead;
  r.assisting = placement.assisting;
  r.rule = placement.rule_id;
  r.reason = placement.reason;
  ++(placement.triage ? stats.triage : stats.assigned);

  core::TicketRouted routed;
  routed.ticket_id = t.id;
  routed.department = placement.lead;
  routed.assisting = placement.assisting;
  routed.status = placement.triage ? core::TicketStatus::triage : core::TicketStatus::assigned;
  if (computed.deadline) routed.deadline = china_time(*computed.deadline);
  routed.rule = placement.rule_id;
  routed.reason = placement.reason;
  routed.appeal = for_departments(appeal);
  r.routed = routed_message(routed, occasion, "router");
}

}  // namespace

RoutingDecision decide_routing(pqxx::dbtransaction& txn, const RoutingSetup& setup,
                               const std::vector<NewTicket>& tickets, const std::string& occasion) {
  RoutingDecision decision;
  auto& stats = decision.stats;
  auto& records = decision.records;
  if (tickets.empty()) return decision;
  const bool first = occasion == "first";
  BatchCandidates batch;
  if (first) batch.load(txn, setup, tickets);

  records.reserve(tickets.size());
  for (const auto& t : tickets) {
    const auto& appeal = *t.appeal;
    if (first) batch.add_earlier_in_batch(t, setup.duplicates.window);
    storage::RoutingRecord r;
    r.ticket_id = t.id;
    if (first) r.duplicate_keys = batch.keys[t.id].stored;
    if (!first) r.event_id = "route:" + std::to_string(t.id) + ":" + occasion;

    const auto computed = core::compute_deadline(
        *setup.calendar, setup.deadlines, core::to_string(appeal.kind),
        core::to_string(appeal.urgency), seconds_of(appeal.received_at),
        appeal.channel_deadline ? std::optional(seconds_of(*appeal.channel_deadline))
                                : std::nullopt);
    r.deadline = computed.deadline;
    r.deadline_basis = basis_of(computed).dump();
    r.deadline_explained = computed.explain();

    // A letter the website marked as spam stays visible to managers but goes to no department.
    if (appeal.channel_meta.is_object() &&
        appeal.channel_meta.value("mailbox_status", "") == "spam") {
      r.status = "spam";
      r.deadline.reset();
      r.reason = "the channel marked it as spam";
      records.push_back(std::move(r));
      continue;
    }

    if (const auto it = batch.candidates.find(t.id); it != batch.candidates.end()) {
      if (auto verdict = find_duplicate(appeal, it->second, setup.duplicates)) {
        const bool merge = verdict->action == DuplicateVerdict::Action::merge;
        r.duplicate = storage::RoutingRecord::Duplicate{verdict->ticket_id, verdict->score, merge,
                                                        verdict->reason};
        if (merge) {
          r.status = "merged";
          r.reason =
              "repeats ticket " + std::to_string(verdict->ticket_id) + ": " + verdict->reason;
          ++stats.merged;
          records.push_back(std::move(r));
          continue;
        }
        ++stats.suggested;
      }
    }

    place(setup, t, computed, occasion, r, stats);
    if (first) batch.add_decided(t);
    records.push_back(std::move(r));
  }
  return decision;
}

std::int64_t undo_merge(pqxx::dbtransaction& txn, const RoutingSetup& setup, std::int64_t ticket_id,
                        const std::string& actor, const std::string& reason) {
  const auto primary = storage::undo_merge(txn, ticket_id, actor, reason);
  const auto appeal = stored_appeal(txn, ticket_id);
  const auto occasion =
      "unmerged-" + std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  route_new_tickets(txn, setup, {{ticket_id, &appeal}}, occasion);
  return primary;
}

core::Appeal stored_appeal(pqxx::dbtransaction& txn, std::int64_t ticket_id) {
  const std::string wrapped =
      R"({"schema":"appeal.v1","event":"appeal.received","event_id":"stored-appeal-ticket-)" +
      std::to_string(ticket_id) +
      R"(","occurred_at":"2000-01-01T00:00:00+08:00","producer":"store",)"
      R"("data":{"appeal":)" +
      storage::ticket_appeal_json(txn, ticket_id) + "}}";
  auto decoded = core::decode_event(wrapped);
  if (!decoded.ok()) {
    throw std::runtime_error("ticket " + std::to_string(ticket_id) +
                             ": stored appeal no longer decodes: " + to_string(decoded.errors()));
  }
  auto event = std::move(decoded).event();
  return std::move(std::get<core::AppealReceived>(event.body).appeal);
}

void publish_placement(pqxx::dbtransaction& txn, std::int64_t ticket_id, const std::string& lead,
                       const std::vector<std::string>& assisting,
                       std::optional<std::chrono::sys_seconds> deadline, const std::string& reason,
                       const std::string& occasion) {
  core::TicketRouted routed;
  routed.ticket_id = ticket_id;
  routed.department = lead;
  routed.assisting = assisting;
  routed.status = core::TicketStatus::assigned;
  if (deadline) routed.deadline = china_time(*deadline);
  routed.reason = reason;
  routed.appeal = for_departments(stored_appeal(txn, ticket_id));
  storage::enqueue_outbox(txn, routed_message(routed, occasion, "gateway"));
}

}  // namespace appealhub::router
