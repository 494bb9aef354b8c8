#include "tests/support/stats_seed.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>

#include "core/deadline.hpp"
#include "core/time.hpp"

namespace appealhub::testing {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;
using namespace std::chrono_literals;

struct Event {
  std::string type;
  sys_seconds at;
  nlohmann::json data = nlohmann::json::object();
};

struct Ticket {
  std::int64_t id = 0;
  std::string channel, kind, category, division, department, status = "assigned";
  sys_seconds received{};
  std::optional<sys_seconds> deadline;
  int policy_days = 0;
  std::optional<std::int64_t> merged_into;
  std::vector<Event> events;
  std::vector<sys_seconds> failed_replies;
};

sys_seconds china(int y, unsigned m, unsigned d, int hour = 0) {
  return sys_seconds{std::chrono::sys_days{std::chrono::year{y} / m / d}} + hours{hour} - 8h;
}

// Days the tests must cross: holidays, make-up working days (调休), year ends.
const std::vector<sys_seconds>& special_days() {
  static const std::vector<sys_seconds> list{
      china(2025, 1, 26), china(2025, 1, 27),  china(2025, 2, 8),   china(2025, 4, 27),
      china(2025, 9, 28), china(2025, 9, 30),  china(2025, 10, 1),  china(2025, 10, 11),
      china(2025, 12, 31), china(2026, 1, 4),  china(2026, 2, 13),  china(2026, 2, 14),
      china(2026, 2, 28), china(2026, 9, 20),  china(2026, 9, 30),  china(2026, 10, 2),
      china(2026, 10, 10), china(2026, 12, 31)};
  return list;
}

std::string rfc3339(sys_seconds t) {
  return core::format_rfc3339(core::Timestamp{std::chrono::time_point_cast<std::chrono::milliseconds>(t)});
}

}  // namespace

void seed_statistics(pqxx::connection& connection, const core::WorkingCalendar& calendar,
                     int count, unsigned seed, std::int64_t first_id) {
  std::mt19937 rng(seed);
  const auto uniform = [&](long long lo, long long hi) {
    return std::uniform_int_distribution<long long>(lo, hi)(rng);
  };
  const auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const auto pick = [&](const std::vector<std::string>& from) {
    return from[static_cast<std::size_t>(uniform(0, static_cast<long long>(from.size()) - 1))];
  };
  const core::DeadlinePolicy policy;
  const std::vector<std::string> channels{"hotline12328", "mailbox", "petition", "operator"};
  const std::vector<std::string> kinds{"consultation", "consultation", "complaint", "complaint",
                                       "help",         "suggestion",   "report",    "praise"};
  const std::vector<std::string> categories{"taxi", "bus", "road"};
  const std::vector<std::string> divisions{"510802", "510811", "510824"};
  const sys_seconds start = china(2025, 1, 1);

  std::vector<Ticket> tickets;
  for (int i = 0; i < count; ++i) {
    Ticket t;
    t.id = first_id + i;
    t.channel = pick(channels);
    t.kind = pick(kinds);
    t.category = pick(categories);
    t.division = pick(divisions);
    t.department = chance(0.03) ? "" : pick(kSeedDepartments);
    t.received = chance(0.15) ? special_days()[static_cast<std::size_t>(uniform(
                                    0, static_cast<long long>(special_days().size()) - 1))] +
                                    seconds{uniform(0, 86399)}
                              : start + seconds{uniform(0, 700LL * 86400)};
    std::optional<sys_seconds> channel_deadline;
    if (t.channel == "petition" && chance(0.3)) {
      channel_deadline = core::end_of_china_day(core::china_date(t.received + days{5})) - 6h + 1s;
    }
    const auto computed =
        core::compute_deadline(calendar, policy, t.kind, chance(0.05) ? "urgent" : "normal",
                               t.received, channel_deadline);
    t.deadline = computed.deadline;
    t.policy_days = computed.policy_days;
    auto now = t.received;
    const auto later = [&](long long lo, long long hi) {
      now += seconds{uniform(lo, hi)};
      return now;
    };
    const auto add = [&](std::string type, sys_seconds at, nlohmann::json data = nlohmann::json::object()) {
      t.events.push_back({std::move(type), at, std::move(data)});
    };
    const double fate = std::uniform_real_distribution<double>(0, 1)(rng);
    if (fate < 0.04 && !tickets.empty()) {
      t.status = "merged";
      t.merged_into = tickets[static_cast<std::size_t>(uniform(0, static_cast<long long>(tickets.size()) - 1))].id;
      add("ticket.merged", later(60, 7200), {{"into", *t.merged_into}});
      if (chance(0.3)) add("appeal.rated", later(86400, 5 * 86400), {{"rating", "satisfied"}, {"score", nullptr}});
      tickets.push_back(std::move(t));
      continue;
    }
    if (fate < 0.07) {
      t.status = "spam";
      tickets.push_back(std::move(t));
      continue;
    }
    if (fate < 0.12) {
      t.status = "withdrawn";
      if (chance(0.4)) add("answer.interim", later(600, 86400));
      add("appeal.withdrawn", later(3600, 20 * 86400));
      tickets.push_back(std::move(t));
      continue;
    }
    if (chance(0.1)) {
      add("return.requested", later(600, 7200), {{"reason", "not ours"}});
      add("ticket.dispatched", later(600, 7200));
    }
    if (chance(0.4)) add("answer.interim", later(600, 3 * 86400));
    if (t.deadline && chance(0.12)) {
      add("extension.requested", later(600, 86400), {{"days", 5}});
      if (chance(0.75)) {
        const int more = static_cast<int>(uniform(1, 10));
        const auto moved = core::extend_deadline(calendar, *t.deadline, more);
        add("extension.approved", later(600, 86400),
            {{"days", more}, {"from", rfc3339(*t.deadline)}, {"to", rfc3339(moved)}});
        t.deadline = moved;
      } else {
        add("extension.refused", later(600, 86400));
      }
    }
    if (chance(0.1)) {  // still open: maybe overdue now
      t.status = chance(0.2) ? "returned" : (chance(0.5) ? "in_progress" : "assigned");
      if (t.status == "returned") add("return.requested", later(60, 3600));
      tickets.push_back(std::move(t));
      continue;
    }
    // The final answer: at once, on time, exactly at the deadline, or late.
    sys_seconds final_at;
    const double when = std::uniform_real_distribution<double>(0, 1)(rng);
    if (t.kind == "consultation" && when < 0.3) {
      final_at = t.received + seconds{uniform(60, 5400)};
    } else if (!t.deadline || when < 0.65) {
      final_at = t.deadline && *t.deadline > now ? now + seconds{uniform(0, (*t.deadline - now).count())}
                                                 : now + seconds{uniform(600, 10 * 86400)};
    } else if (when < 0.7) {
      final_at = *t.deadline;
    } else if (when < 0.72) {
      final_at = *t.deadline + 1s;
    } else {
      final_at = *t.deadline + seconds{uniform(1, 12 * 86400)};
    }
    final_at = std::max(final_at, now + 1s);
    now = final_at;
    add("answer.final", final_at);
    t.status = chance(0.5) ? "delivered" : (chance(0.5) ? "closed" : "answered");
    if (chance(0.06)) t.failed_replies.push_back(final_at + 3600s);
    // Ratings in the channel's own scale, and callbacks.
    bool reopened = false;
    const auto rate = [&]() {
      if (t.channel == "petition") {
        const int score = static_cast<int>(uniform(1, 5));
        const char* rating = score >= 4 ? "satisfied" : "dissatisfied";
        add("appeal.rated", later(3600, 5 * 86400), {{"rating", rating}, {"score", score}});
        return std::string(rating);
      }
      const auto rating = pick({"satisfied", "mostly_satisfied", "dissatisfied"});
      add("appeal.rated", later(3600, 5 * 86400), {{"rating", rating}, {"score", nullptr}});
      return rating;
    };
    const auto call = [&]() {
      const bool reached = chance(0.85);
      nlohmann::json data{{"reached", reached}, {"satisfaction", nullptr}, {"resolved", nullptr}, {"note", ""}};
      if (reached) {
        data["satisfaction"] = pick({"satisfied", "mostly_satisfied", "not_satisfied"});
        if (chance(0.8)) data["resolved"] = chance(0.7);
      }
      add("callback.recorded", later(3600, 3 * 86400), data);
      return reached && data["satisfaction"] == "not_satisfied";
    };
    const bool phone = t.channel == "hotline12328" || t.channel == "operator";
    if (!phone && chance(0.55)) {
      reopened = rate() == "dissatisfied" && t.status != "closed";
      if (!reopened && chance(0.2)) reopened = rate() == "dissatisfied" && t.status != "closed";
    }
    if (!reopened && chance(phone ? 0.6 : 0.1)) reopened = call();
    if (!reopened && chance(0.04) && t.status != "closed") {
      add("appeal.followed_up", later(3600, 4 * 86400), {{"follow_up_id", "f" + std::to_string(t.id)}});
      reopened = true;
    }
    if (reopened) {
      t.status = "reopened";
      if (chance(0.75)) {
        add("answer.final", later(3600, 20 * 86400));
        t.status = "answered";
        if (chance(0.5)) {
          if (phone) call(); else rate();
        }
      }
    }
    if (chance(0.03)) add("sla.urge", t.deadline ? *t.deadline - 3600s : now);
    tickets.push_back(std::move(t));
  }

  pqxx::work txn(connection);
  const auto flush = [&](std::string& sql, const std::string& tail) {
    if (sql.empty()) return;
    txn.exec(sql + tail);
    sql.clear();
  };
  std::string ticket_sql, event_sql, reply_sql;
  const auto ts = [&](sys_seconds t) {
    return "to_timestamp(" + std::to_string(t.time_since_epoch().count()) + ")";
  };
  for (const auto& t : tickets) {
    ticket_sql += ticket_sql.empty() ? "INSERT INTO tickets (id, channel, external_id, status, kind, category, division, urgency, title, received_at, deadline, appeal, lead_department, deadline_basis, merged_into) VALUES " : ",";
    ticket_sql += "(" + std::to_string(t.id) + "," + txn.quote(t.channel) + "," +
                  txn.quote("S" + std::to_string(t.id)) + "," + txn.quote(t.status) + "," +
                  txn.quote(t.kind) + "," + txn.quote(t.category) + "," + txn.quote(t.division) +
                  ",'normal'," + txn.quote("诉求 " + std::to_string(t.id)) + "," + ts(t.received) +
                  "," + (t.deadline ? ts(*t.deadline) : "NULL") + ",'{}'," +
                  (t.department.empty() ? "NULL" : txn.quote(t.department)) + "," +
                  txn.quote(nlohmann::json{{"policy_days", t.policy_days}}.dump()) + "," +
                  (t.merged_into ? std::to_string(*t.merged_into) : "NULL") + ")";
    int n = 0;
    for (const auto& e : t.events) {
      event_sql += event_sql.empty() ? "INSERT INTO ticket_events (ticket_id, event_id, type, actor, occurred_at, data) VALUES " : ",";
      event_sql += "(" + std::to_string(t.id) + "," +
                   txn.quote("seed:" + std::to_string(t.id) + ":" + std::to_string(n++)) + "," +
                   txn.quote(e.type) + ",'seed'," + ts(e.at) + "," + txn.quote(e.data.dump()) + ")";
    }
    int r = 0;
    for (const auto& f : t.failed_replies) {
      reply_sql += reply_sql.empty() ? "INSERT INTO reply_ledger (reply_id, ticket_id, channel, external_id, type, request, state, failed_at) VALUES " : ",";
      reply_sql += "(" + txn.quote("seed-" + std::to_string(t.id) + "-" + std::to_string(r++)) +
                   "," + std::to_string(t.id) + "," + txn.quote(t.channel) + "," +
                   txn.quote("S" + std::to_string(t.id)) + ",'final_answer','{}','failed'," + ts(f) + ")";
    }
    if (ticket_sql.size() > 200000) flush(ticket_sql, "");
  }
  flush(ticket_sql, "");
  // Events in id order per ticket, as the hub appends them.
  flush(event_sql, "");
  flush(reply_sql, "");
  txn.exec("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))");
  txn.commit();
}

}  // namespace appealhub::testing
