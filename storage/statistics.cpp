#include "storage/statistics.hpp"

#include <malloc.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>
#include <unordered_map>

#include "core/bytes.hpp"
#include "storage/statement.hpp"

namespace appealhub::storage {
namespace {

using std::chrono::year_month_day;

// Arbitrary constant naming the statistics refresh's advisory lock.
constexpr long long kRefreshLock = 0x5354415453LL;  // "STATS"
// The dates the calendar table holds; working time outside them is not counted.
constexpr year_month_day kCalendarFirst{std::chrono::year{2000}, std::chrono::January,
                                        std::chrono::day{1}};
constexpr year_month_day kCalendarLast{std::chrono::year{2100}, std::chrono::December,
                                       std::chrono::day{31}};

std::string date_text(year_month_day d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

// The calendar table's content and a digest that changes whenever it does.
struct CalendarDays {
  std::string working;  // a boolean[] literal, one element per date from kCalendarFirst
  std::string version;
};
CalendarDays calendar_days(const core::WorkingCalendar& calendar) {
  // Every read checks the calendar: remember the last one (working days depend only on the
  // listed days).
  static std::mutex mutex;
  static std::vector<core::SpecialDay> last_days;
  static CalendarDays remembered;
  auto listed = calendar.days();
  {
    std::lock_guard lock(mutex);
    if (!remembered.version.empty() && listed == last_days) return remembered;
  }
  CalendarDays out;
  out.working = "{";
  const std::chrono::sys_days last{kCalendarLast};
  for (std::chrono::sys_days d{kCalendarFirst}; d <= last; d += std::chrono::days{1}) {
    if (out.working.size() > 1) out.working += ',';
    out.working += calendar.is_working_day(year_month_day{d}) ? 't' : 'f';
  }
  out.working += '}';
  out.version = core::sha256_hex(out.working);
  std::lock_guard lock(mutex);
  last_days = std::move(listed);
  remembered = out;
  return out;
}

void sync_calendar(pqxx::transaction_base& txn, const core::WorkingCalendar& calendar) {
  const auto days = calendar_days(calendar);
  if (txn.exec1("SELECT calendar_version FROM stats_state WHERE id = 1")[0].as<std::string>() ==
      days.version) {
    return;
  }
  // The dates whose working flag changes, and the tickets whose derived times cross them.
  Statement changed("SELECT min(c.day), max(c.day) FROM stats_calendar c JOIN unnest(");
  changed.param(days.working, "::boolean[]")
      .sql(") WITH ORDINALITY AS u(w, i) ON c.day = ")
      .param(date_text(kCalendarFirst), "::date")
      .sql(" + (u.i - 1)::int WHERE c.working <> u.w");
  const auto range = changed.exec(txn)[0];
  if (!range[0].is_null()) {
    const auto first = txn.quote(range[0].as<std::string>());
    const auto last = txn.quote(range[1].as<std::string>());
    txn.exec("INSERT INTO stats_dirty SELECT ticket_id FROM stats_tickets WHERE received_day <= " +
             last + " AND (greatest(first_day, final_day) >= " + first +
             " OR (reopen_event IS NOT NULL AND reopened_day <= " + last + "))");
  }
  txn.exec("DELETE FROM stats_calendar");
  Statement s("INSERT INTO stats_calendar (day, working, n) SELECT ");
  s.param(date_text(kCalendarFirst), "::date")
      .sql(" + (u.i - 1)::int, u.w, sum(u.w::int) OVER (ORDER BY u.i) FROM unnest(")
      .param(days.working, "::boolean[]")
      .sql(") WITH ORDINALITY AS u(w, i)");
  s.exec(txn);
  txn.exec("UPDATE stats_state SET calendar_version = " + txn.quote(days.version) +
           " WHERE id = 1");
}

// The facts of the tickets in stats_batch (docs/statistics.md, "Per-ticket facts").
constexpr const char* kDeriveTickets = R"SQL(
INSERT INTO stats_tickets (ticket_id, department, channel, kind, category, division, received_at,
  received_day, is_ticket, due_at, due_day, on_time, open, first_at, first_day, final_at,
  final_day, first_wsec, first_csec, final_wsec, final_csec, called_back, reopen_event,
  reopened_at, reopened_day, reopen_due_at, reopen_due_day, reopen_on_time)
SELECT t.id, coalesce(t.lead_department, ''), t.channel, t.kind, t.category, t.division,
  rt.at, stats_day(rt.at), t.status <> 'merged',
  due.at, stats_day(due.at), coalesce(f.final_at <= due.at, false),
  t.status IN ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened'),
  f.first_at, stats_day(f.first_at), f.final_at, stats_day(f.final_at),
  greatest(0, stats_w(f.first_at, cf.n, cf.working) - stats_w(rt.at, cr.n, cr.working)),
  greatest(0, extract(epoch FROM f.first_at - rt.at)::bigint),
  greatest(0, stats_w(f.final_at, cl.n, cl.working) - stats_w(rt.at, cr.n, cr.working)),
  greatest(0, extract(epoch FROM f.final_at - rt.at)::bigint),
  f.called_back,
  r.id, r.at, stats_day(r.at), rd.at, stats_day(rd.at), coalesce(r2.final_at <= rd.at, false)
FROM stats_batch b JOIN tickets t ON t.id = b.ticket_id
CROSS JOIN LATERAL (SELECT date_trunc('second', t.received_at) AS at) rt
CROSS JOIN LATERAL (
  SELECT date_trunc('second', min(e.occurred_at)
           FILTER (WHERE e.type IN ('answer.interim', 'answer.final'))) AS first_at,
         date_trunc('second', min(e.occurred_at) FILTER (WHERE e.type = 'answer.final')) AS final_at,
         min(e.occurred_at) FILTER (WHERE e.type = 'appeal.withdrawn') AS withdrawn_at,
         coalesce(bool_or(e.type = 'callback.recorded'), false) AS called_back
  FROM ticket_events e WHERE e.ticket_id = t.id) f
LEFT JOIN stats_calendar cr ON cr.day = stats_day(rt.at)
LEFT JOIN stats_calendar cf ON cf.day = stats_day(f.first_at)
LEFT JOIN stats_calendar cl ON cl.day = stats_day(f.final_at)
CROSS JOIN LATERAL (
  SELECT CASE WHEN t.status NOT IN ('merged', 'spam', 'reassigned_out') AND t.kind <> 'praise'
              AND t.deadline IS NOT NULL
              AND (f.withdrawn_at IS NULL OR f.withdrawn_at > t.deadline)
         THEN t.deadline END AS at) due
LEFT JOIN LATERAL (
  SELECT e.id, date_trunc('second', e.occurred_at) AS at FROM ticket_events e
  WHERE e.ticket_id = t.id AND f.final_at IS NOT NULL AND e.occurred_at > f.final_at
    AND (e.type = 'appeal.followed_up'
         OR (e.type = 'appeal.rated' AND e.data->>'rating' = 'dissatisfied')
         OR (e.type = 'callback.recorded' AND e.data->>'satisfaction' = 'not_satisfied'))
  ORDER BY e.occurred_at, e.id LIMIT 1) r ON true
LEFT JOIN LATERAL (
  SELECT date_trunc('second', min(e.occurred_at)) AS final_at FROM ticket_events e
  WHERE e.ticket_id = t.id AND e.type = 'answer.final' AND e.id > r.id) r2 ON true
LEFT JOIN LATERAL (
  SELECT CASE WHEN p.days = 0 THEN stats_midnight(stats_day(r.at) + 1) - interval '1 second'
         ELSE (SELECT stats_midnight(min(c2.day) + 1) - interval '1 second'
               FROM stats_calendar c1 JOIN stats_calendar c2 ON c2.working AND c2.n = c1.n + p.days
               WHERE c1.day = stats_day(r.at)) END AS at
  FROM (SELECT (t.deadline_basis->>'policy_days')::int AS days) p
  WHERE r.id IS NOT NULL AND due.at IS NOT NULL AND p.days IS NOT NULL) rd ON true
)SQL";

// Dated activity of the tickets in stats_batch (docs/statistics.md, "Activity rows").
constexpr const char* kDeriveEvents = R"SQL(
INSERT INTO stats_events (ticket_id, type, at, day, flag, department, channel, kind, category,
  division)
SELECT s.ticket_id, x.type, x.at, stats_day(x.at), x.flag, s.department, s.channel, s.kind,
  s.category, s.division
FROM stats_batch b JOIN stats_tickets s ON s.ticket_id = b.ticket_id AND s.is_ticket
CROSS JOIN LATERAL (
  SELECT CASE e.type WHEN 'return.requested' THEN 'return'
                     WHEN 'extension.requested' THEN 'extension_asked'
                     ELSE 'extension_approved' END AS type,
         date_trunc('second', e.occurred_at) AS at, false AS flag
  FROM ticket_events e WHERE e.ticket_id = s.ticket_id
    AND e.type IN ('return.requested', 'extension.requested', 'extension.approved')
  UNION ALL
  SELECT 'delivery_failure', date_trunc('second', l.failed_at), false FROM reply_ledger l
  WHERE l.ticket_id = s.ticket_id AND l.state = 'failed' AND l.failed_at IS NOT NULL
  UNION ALL
  (SELECT DISTINCT ON (v.round) 'rating'::text, v.at, v.ok FROM (
     SELECT date_trunc('second', e.occurred_at) AS at, e.occurred_at AS o, e.id,
            CASE WHEN e.id > s.reopen_event THEN 2 ELSE 1 END AS round,
            coalesce(e.data->>'rating', e.data->>'satisfaction')
              IN ('satisfied', 'mostly_satisfied') AS ok
     FROM ticket_events e WHERE e.ticket_id = s.ticket_id
       AND ((e.type = 'appeal.rated'
             AND e.data->>'rating' IN ('satisfied', 'mostly_satisfied', 'dissatisfied'))
            OR (e.type = 'callback.recorded'
                AND e.data->>'satisfaction' IN ('satisfied', 'mostly_satisfied', 'not_satisfied')))
   ) v ORDER BY v.round, v.o DESC, v.id DESC)
  UNION ALL
  (SELECT DISTINCT ON (v.round) 'resolution'::text, v.at, v.ok FROM (
     SELECT date_trunc('second', e.occurred_at) AS at, e.occurred_at AS o, e.id,
            CASE WHEN e.id > s.reopen_event THEN 2 ELSE 1 END AS round,
            (e.data->>'resolved')::boolean AS ok
     FROM ticket_events e WHERE e.ticket_id = s.ticket_id AND e.type = 'callback.recorded'
       AND e.data->>'reached' = 'true' AND jsonb_typeof(e.data->'resolved') = 'boolean'
   ) v ORDER BY v.round, v.o DESC, v.id DESC)
) x
)SQL";

// ---- the facts copied into memory ----------------------------------------------------------
// docs/decisions/0018-statistics-summed-in-memory-from-the-facts.md: each reading process keeps
// a copy of stats_tickets and stats_events, brought up to date inside the reader's snapshot from
// the log of derived tickets (stats_changes), and sums a summary from it.

constexpr std::int32_t kNoDay = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kNoValue = std::numeric_limits<std::int64_t>::min();

enum TicketFlag : std::uint8_t {
  kPresent = 1,
  kIsTicket = 2,
  kOnTime = 4,
  kOpen = 8,
  kCalledBack = 16,
  kReopenOnTime = 32
};
// The ticket dimensions, in kStatsDimensions' order.
constexpr std::size_t kTicketDimensions = 5;

// One stats_tickets row. Days are days since 1970-01-01 (kNoDay: none); times are seconds.
struct TicketFact {
  std::int64_t due_at = 0;
  std::int64_t first_w = kNoValue, first_c = kNoValue, final_w = kNoValue, final_c = kNoValue;
  std::int32_t received = kNoDay, due = kNoDay, first = kNoDay, final = kNoDay, reopened = kNoDay,
               reopen_due = kNoDay;
  std::uint32_t dims[kTicketDimensions]{};  // codes in FactsCopy::names
  std::uint8_t flags = 0;
};

enum class Activity : std::uint8_t {
  return_,
  extension_asked,
  extension_approved,
  rating,
  resolution,
  delivery_failure
};
// One stats_events row; its dimensions are its ticket's (both are derived together).
struct EventFact {
  std::uint32_t ticket;  // id
  std::int32_t day;
  Activity type;
  bool flag;
};

// A group's key: per dimension, a value code (ticket dimensions) or a day number (the day, the
// Monday of the ISO week, the first of the month).
using GroupKey = std::array<std::int64_t, 2>;
struct GroupKeyHash {
  std::size_t operator()(const GroupKey& k) const {
    return std::hash<std::int64_t>{}(k[0] * 1000003 + k[1]);
  }
};

// What a summary adds up for a group: the figures and the answer times to take percentiles of.
struct Sums {
  Figures figures;
  std::vector<std::int64_t> first_w, first_c, final_w, final_c;
  void reset() {
    figures = Figures{};
    for (auto* v : {&first_w, &first_c, &final_w, &final_c}) v->clear();
  }
};

struct FactsCopy {
  std::mutex mutex;  // held while brought up to date and while summed
  std::string instance;
  std::int64_t version = -1;        // the stats_state.version it reflects; -1: not read yet
  std::vector<TicketFact> tickets;  // by ticket id
  std::vector<EventFact> events;    // one flat array: no small allocations to fragment the heap
  std::vector<std::string> names;   // dimension values by code
  std::unordered_map<std::string, std::uint32_t> codes;
  // A summary's sums, kept between summaries (one at a time, under the mutex) so that their
  // buffers are allocated once rather than for every read.
  std::vector<Sums> sums;
  std::unordered_map<GroupKey, std::size_t, GroupKeyHash> groups;  // → index in sums

  std::uint32_t code(const std::string& name) {
    const auto [at, added] = codes.try_emplace(name, static_cast<std::uint32_t>(names.size()));
    if (added) names.push_back(name);
    return at->second;
  }
};

std::int32_t day_field(const pqxx::field& f) {
  return f.is_null() ? kNoDay : f.as<std::int32_t>();
}
std::int64_t value_field(const pqxx::field& f) {
  return f.is_null() ? kNoValue : f.as<std::int64_t>();
}

// Reads the facts of the tickets `where` (a condition on ticket_id) selects.
void read_facts(pqxx::transaction_base& txn, FactsCopy& copy, const std::string& where) {
  const std::string only = " WHERE " + where;
  const auto day = [](const char* column) {
    return std::string("(") + column + " - date '1970-01-01')";
  };
  for (const auto& r : txn.exec(
           "SELECT ticket_id, department, channel, kind, category, division,"
           " extract(epoch FROM due_at)::bigint, first_wsec, first_csec, final_wsec, final_csec, " +
           day("received_day") + ", " + day("due_day") + ", " + day("first_day") + ", " +
           day("final_day") + ", " + day("reopened_day") + ", " + day("reopen_due_day") +
           ", is_ticket, on_time, open, called_back, reopen_on_time FROM stats_tickets" + only)) {
    const auto id = r[0].as<std::int64_t>();
    if (id < 0) continue;
    if (static_cast<std::size_t>(id) >= copy.tickets.size()) {
      copy.tickets.resize(static_cast<std::size_t>(id) + 1);
    }
    TicketFact t;
    for (std::size_t d = 0; d < kTicketDimensions; ++d) {
      t.dims[d] = copy.code(r[static_cast<int>(1 + d)].as<std::string>());
    }
    t.due_at = r[6].is_null() ? 0 : r[6].as<std::int64_t>();
    t.first_w = value_field(r[7]);
    t.first_c = value_field(r[8]);
    t.final_w = value_field(r[9]);
    t.final_c = value_field(r[10]);
    t.received = day_field(r[11]);
    t.due = day_field(r[12]);
    t.first = day_field(r[13]);
    t.final = day_field(r[14]);
    t.reopened = day_field(r[15]);
    t.reopen_due = day_field(r[16]);
    t.flags = kPresent;
    const std::pair<int, TicketFlag> flags[] = {
        {17, kIsTicket}, {18, kOnTime}, {19, kOpen}, {20, kCalledBack}, {21, kReopenOnTime}};
    for (const auto& [column, flag] : flags) {
      if (r[column].as<bool>()) t.flags |= flag;
    }
    copy.tickets[static_cast<std::size_t>(id)] = t;
  }
  static const std::map<std::string, Activity> types{
      {"return", Activity::return_},
      {"extension_asked", Activity::extension_asked},
      {"extension_approved", Activity::extension_approved},
      {"rating", Activity::rating},
      {"resolution", Activity::resolution},
      {"delivery_failure", Activity::delivery_failure}};
  for (const auto& r :
       txn.exec("SELECT ticket_id, type, " + day("day") + ", flag FROM stats_events" + only)) {
    const auto id = r[0].as<std::int64_t>();
    const auto type = types.find(r[1].as<std::string>());
    if (id < 0 || static_cast<std::size_t>(id) >= copy.tickets.size() || type == types.end()) {
      continue;
    }
    copy.events.push_back(
        {static_cast<std::uint32_t>(id), r[2].as<std::int32_t>(), type->second, r[3].as<bool>()});
  }
}

// Brings `copy` up to what `txn` sees (or leaves it when it is already newer).
void bring_up_to_date(pqxx::transaction_base& txn, FactsCopy& copy) {
  const auto state = txn.exec1("SELECT instance::text, version, log_from FROM stats_state");
  const auto instance = state[0].as<std::string>();
  const auto version = state[1].as<std::int64_t>();
  if (version <= copy.version && instance == copy.instance) return;
  // A few changed tickets are read by id; many (or a copy older than the log) read everything.
  constexpr std::size_t kByIdAtMost = 20000;
  std::vector<std::int64_t> changed;
  bool whole = instance != copy.instance || copy.version < state[2].as<std::int64_t>();
  if (!whole) {
    for (const auto& r :
         txn.exec("SELECT DISTINCT ticket_id FROM stats_changes WHERE version > " +
                  std::to_string(copy.version) + " LIMIT " + std::to_string(kByIdAtMost + 1))) {
      changed.push_back(r[0].as<std::int64_t>());
    }
    whole = changed.size() > kByIdAtMost;
  }
  if (whole) {
    copy.tickets.clear();
    copy.events.clear();
    copy.names.clear();
    copy.codes.clear();
    copy.instance = instance;
    // In slices, so that no query result holds a million rows at once.
    constexpr std::int64_t kSlice = 50000;
    const auto last =
        txn.exec1("SELECT coalesce(max(ticket_id), 0) FROM stats_tickets")[0].as<std::int64_t>();
    copy.tickets.shrink_to_fit();
    copy.events.shrink_to_fit();
    copy.tickets.reserve(static_cast<std::size_t>(last) + 1);
    for (std::int64_t from = 0; from <= last; from += kSlice) {
      read_facts(txn, copy,
                 "ticket_id >= " + std::to_string(from) + " AND ticket_id < " +
                     std::to_string(from + kSlice));
    }
    malloc_trim(0);  // the slices' query results are freed: give the memory back
  } else {
    std::string ids;
    std::vector<bool> gone(copy.tickets.size());
    for (const auto id : changed) {
      if (id >= 0 && static_cast<std::size_t>(id) < copy.tickets.size()) {
        copy.tickets[static_cast<std::size_t>(id)] = TicketFact{};
        gone[static_cast<std::size_t>(id)] = true;
      }
      ids += (ids.empty() ? "" : ",") + std::to_string(id);
    }
    std::erase_if(copy.events, [&](const EventFact& e) { return gone[e.ticket]; });
    read_facts(txn, copy, "ticket_id = ANY('{" + ids + "}'::bigint[])");
  }
  copy.version = version;
}

// The copy of the store `txn` reads, up to date and locked.
std::pair<std::shared_ptr<FactsCopy>, std::unique_lock<std::mutex>> facts_copy(
    pqxx::transaction_base& txn) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<FactsCopy>> copies;  // by server and database
  const auto text = [](const char* s) { return std::string(s ? s : ""); };
  const auto database =
      text(txn.conn().dbname()) + "@" + text(txn.conn().hostname()) + ":" + text(txn.conn().port());
  std::shared_ptr<FactsCopy> copy;
  {
    std::lock_guard lock(mutex);
    auto at = copies.find(database);
    if (at == copies.end()) {
      // Tests make many stores in one process: forget the ones no reader holds.
      std::erase_if(copies, [](const auto& entry) { return entry.second.use_count() == 1; });
      at = copies.emplace(database, std::make_shared<FactsCopy>()).first;
    }
    copy = at->second;
  }
  std::unique_lock lock(copy->mutex);
  try {
    bring_up_to_date(txn, *copy);
  } catch (...) {
    copy->instance.clear();  // half brought up to date: read it again whole next time
    copy->version = -1;
    throw;
  }
  return {std::move(copy), std::move(lock)};
}

// ---- the summary ----------------------------------------------------------------------------

std::int32_t day_number(year_month_day d) {
  return static_cast<std::int32_t>(std::chrono::sys_days{d}.time_since_epoch().count());
}
year_month_day date_of(std::int64_t day) {
  return year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

std::int64_t time_key(const std::string& dimension, std::int32_t day) {
  if (dimension == "day") return day;
  if (dimension == "week") return day - ((day + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  const auto d = date_of(day);
  return day_number(d.year() / d.month() / std::chrono::day{1});
}

std::string key_text(const FactsCopy& copy, const std::string& dimension, std::int64_t key) {
  if (dimension == "day" || dimension == "month") {
    const auto text = date_text(date_of(key));
    return dimension == "day" ? text : text.substr(0, 7);
  }
  if (dimension == "week") {  // ISO week: the year of its Thursday
    const auto thursday = date_of(key + 3);
    const auto jan1 = day_number(thursday.year() / std::chrono::January / std::chrono::day{1});
    char text[16];
    std::snprintf(text, sizeof text, "%04d-W%02d", static_cast<int>(thursday.year()),
                  static_cast<int>((key + 3 - jan1) / 7 + 1));
    return text;
  }
  return copy.names[static_cast<std::size_t>(key)];
}

// Nearest rank (⌈p·N⌉), as percentile_disc.
std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t>& values, int percent) {
  if (values.empty()) return std::nullopt;
  const auto n = static_cast<std::int64_t>(values.size());
  const auto rank = std::max<std::int64_t>((percent * n + 99) / 100, 1);
  const auto at = values.begin() + (rank - 1);
  std::nth_element(values.begin(), at, values.end());
  return *at;
}
Percentiles percentiles(std::vector<std::int64_t>& values) {
  return {nearest_rank(values, 50), nearest_rank(values, 90)};
}
void add_time(std::vector<std::int64_t>& values, std::int64_t v) {
  if (v != kNoValue) values.push_back(v);  // percentile_disc skips nulls
}

}  // namespace

bool is_stats_dimension(const std::string& name) {
  return std::find(std::begin(kStatsDimensions), std::end(kStatsDimensions), name) !=
         std::end(kStatsDimensions);
}

void refresh_statistics(pqxx::connection& connection, const core::WorkingCalendar& calendar) {
  pqxx::work txn(connection);
  txn.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kRefreshLock) + ")");
  sync_calendar(txn, calendar);
  if (txn.exec1("SELECT EXISTS (SELECT 1 FROM stats_dirty)")[0].as<bool>()) {
    // Only the queue rows this transaction can see are taken; a row committed after it stays
    // for the next refresh.
    txn.exec(
        "CREATE TEMP TABLE stats_batch ON COMMIT DROP AS WITH d AS (DELETE FROM stats_dirty"
        " RETURNING ticket_id) SELECT DISTINCT ticket_id FROM d");
    txn.exec("ANALYZE stats_batch");
    txn.exec("DELETE FROM stats_events WHERE ticket_id IN (SELECT ticket_id FROM stats_batch)");
    txn.exec("DELETE FROM stats_tickets WHERE ticket_id IN (SELECT ticket_id FROM stats_batch)");
    txn.exec(kDeriveTickets);
    txn.exec(kDeriveEvents);
    // The log readers bring their copies up to date from (see facts_copy), kept an hour.
    const auto version =
        txn.exec1("UPDATE stats_state SET version = version + 1 WHERE id = 1 RETURNING version")[0]
            .as<std::string>();
    txn.exec("INSERT INTO stats_versions (version) VALUES (" + version + ")");
    txn.exec("INSERT INTO stats_changes SELECT " + version + ", ticket_id FROM stats_batch");
    const auto pruned = txn.exec1(
        "WITH old AS (DELETE FROM stats_versions WHERE at < now() - interval '1 hour'"
        " RETURNING version) SELECT max(version) FROM old")[0];
    if (!pruned.is_null()) {
      txn.exec("DELETE FROM stats_changes WHERE version <= " + pruned.as<std::string>());
      txn.exec("UPDATE stats_state SET log_from = " + pruned.as<std::string>() + " WHERE id = 1");
    }
  }
  txn.exec("UPDATE stats_state SET refreshed_at = now() WHERE id = 1");
  txn.commit();
}

namespace {

// One summary's pass over the facts: which tickets pass the filters, and the sums (the total's and
// each group's) that the figures of a ticket or an event on a day of the period are added to.
class Summation {
 public:
  Summation(FactsCopy& copy, const StatsQuery& query, std::chrono::sys_seconds now)
      : copy_(copy),
        query_(query),
        from_(day_number(query.from)),
        to_(day_number(query.to)),
        all_(!query.on_time_and_activity_only),
        instant_seconds_(std::int64_t{query.instant_answer_minutes} * 60),
        now_s_(now.time_since_epoch().count()) {
    // Filters as one flag per value code; an empty filter passes everything.
    const std::vector<std::string>* lists[kTicketDimensions] = {
        &query.departments, &query.channels, &query.kinds, &query.categories, &query.divisions};
    allowed_.resize(kTicketDimensions);
    for (std::size_t d = 0; d < kTicketDimensions; ++d) {
      if (lists[d]->empty()) continue;
      allowed_[d].assign(copy.names.size(), false);
      for (const auto& value : *lists[d]) {
        if (const auto it = copy.codes.find(value); it != copy.codes.end()) {
          allowed_[d][it->second] = true;
        }
      }
    }
    // Per group-by dimension: the ticket dimension's index, or kTicketDimensions for a time one.
    for (const auto& d : query.group_by) {
      by_.push_back(static_cast<std::size_t>(
          std::find(std::begin(kStatsDimensions), std::end(kStatsDimensions), d) -
          std::begin(kStatsDimensions)));
    }
    const auto consultation = copy.codes.find("consultation");
    consultation_code_ = consultation == copy.codes.end()
                             ? std::numeric_limits<std::uint32_t>::max()
                             : consultation->second;
    copy.groups.clear();
    total_ = take();
  }

  // The figures of a ticket whose days are in the period.
  void add_ticket(const TicketFact& t) {
    if (!(t.flags & kPresent) || !passes(t)) return;
    const bool ticket = t.flags & kIsTicket;
    if (all_ && in_period(t.received)) {
      count(t, t.received, [&](Sums& s) {
        ++s.figures.received;
        if (!ticket) return;
        ++s.figures.tickets;
        if (t.dims[2] != consultation_code_) return;
        ++s.figures.consultations;
        if (t.final != kNoDay && t.final_c <= instant_seconds_) ++s.figures.instant_answers;
      });
    }
    if (in_period(t.due)) {
      count(t, t.due, [&](Sums& s) {
        ++s.figures.due;
        if (t.flags & kOnTime) ++s.figures.on_time;
        if ((t.flags & kOpen) && t.due_at < now_s_) ++s.figures.overdue_now;
      });
    }
    if (all_ && ticket) add_answers(t);
  }

  // An activity of a ticket on a day of the period.
  void add_event(const EventFact& e) {
    const auto& t = copy_.tickets[e.ticket];
    if (!in_period(e.day) || !passes(t)) return;
    count(t, e.day, [&](Sums& s) {
      auto& f = s.figures;
      switch (e.type) {
        case Activity::return_:
          ++f.returns;
          break;
        case Activity::extension_asked:
          ++f.extensions_asked;
          break;
        case Activity::extension_approved:
          ++f.extensions_approved;
          break;
        case Activity::rating:
          ++f.valid_ratings;
          f.satisfied += e.flag;
          break;
        case Activity::resolution:
          ++f.valid_callbacks;
          f.resolved += e.flag;
          break;
        case Activity::delivery_failure:
          ++f.delivery_failures;
          break;
      }
    });
  }

  // The total's and each group's figures, the groups in the order of their keys.
  StatsSummary summary() {
    const auto finish = [](Sums& s) {
      s.figures.first_answer = {percentiles(s.first_w), percentiles(s.first_c)};
      s.figures.final_answer = {percentiles(s.final_w), percentiles(s.final_c)};
      return s.figures;
    };
    StatsSummary out;
    out.total = finish(copy_.sums[total_]);
    std::map<std::vector<std::string>, Figures> rows;  // ordered by key
    for (const auto& [key, index] : copy_.groups) {
      std::vector<std::string> text;
      for (std::size_t k = 0; k < by_.size(); ++k) {
        text.push_back(key_text(copy_, query_.group_by[k], key[k]));
      }
      rows.emplace(std::move(text), finish(copy_.sums[index]));
    }
    for (auto& [key, figures] : rows) {
      StatsRow r;
      for (std::size_t k = 0; k < key.size(); ++k) r.key.emplace_back(query_.group_by[k], key[k]);
      r.figures = figures;
      out.rows.push_back(std::move(r));
    }
    return out;
  }

 private:
  bool in_period(std::int32_t day) const { return day >= from_ && day <= to_; }

  bool passes(const TicketFact& t) const {
    for (std::size_t d = 0; d < kTicketDimensions; ++d) {
      if (!allowed_[d].empty() && !allowed_[d][t.dims[d]]) return false;
    }
    return true;
  }

  // A cleared Sums, reusing the copy's buffers.
  std::size_t take() {
    if (used_ == copy_.sums.size()) copy_.sums.emplace_back();
    copy_.sums[used_].reset();
    return used_++;
  }

  // The sums of a figure anchored on `day` of ticket `t`: the group's and the total's.
  template <typename Add>
  void count(const TicketFact& t, std::int32_t day, const Add& add) {
    add(copy_.sums[total_]);
    if (by_.empty()) return;
    GroupKey key{0, 0};
    for (std::size_t k = 0; k < by_.size(); ++k) {
      key[k] = by_[k] < kTicketDimensions ? t.dims[by_[k]] : time_key(query_.group_by[k], day);
    }
    auto [at, added] = copy_.groups.try_emplace(key, 0);
    if (added) at->second = take();
    add(copy_.sums[at->second]);
  }

  // A ticket's first and final answers and its reopening, each on its day.
  void add_answers(const TicketFact& t) {
    if (in_period(t.first)) {
      count(t, t.first, [&](Sums& s) {
        ++s.figures.first_answers;
        add_time(s.first_w, t.first_w);
        add_time(s.first_c, t.first_c);
      });
    }
    if (in_period(t.final)) {
      count(t, t.final, [&](Sums& s) {
        ++s.figures.final_answers;
        add_time(s.final_w, t.final_w);
        add_time(s.final_c, t.final_c);
        if (t.flags & kCalledBack) ++s.figures.callbacks;
      });
    }
    if (in_period(t.reopened)) {
      count(t, t.reopened, [&](Sums& s) { ++s.figures.reopened; });
    }
    if (in_period(t.reopen_due)) {
      count(t, t.reopen_due, [&](Sums& s) {
        ++s.figures.reopened_due;
        if (t.flags & kReopenOnTime) ++s.figures.reopened_on_time;
      });
    }
  }

  FactsCopy& copy_;
  const StatsQuery& query_;
  std::int32_t from_, to_;
  bool all_;  // not only the on-time and activity figures
  std::int64_t instant_seconds_, now_s_;
  std::uint32_t consultation_code_ = 0;
  std::vector<std::vector<bool>> allowed_;  // per ticket dimension, per value code
  std::vector<std::size_t> by_;
  std::size_t used_ = 0, total_ = 0;
};

}  // namespace

StatsSummary statistics_summary(pqxx::transaction_base& txn, const StatsQuery& query,
                                std::chrono::sys_seconds now) {
  if (query.group_by.size() > 2) throw std::invalid_argument("group_by: at most two dimensions");
  for (const auto& d : query.group_by) {
    if (!is_stats_dimension(d)) throw std::invalid_argument("group_by: unknown dimension " + d);
  }
  const auto [copy, lock] = facts_copy(txn);
  Summation sum(*copy, query, now);
  for (const auto& t : copy->tickets) sum.add_ticket(t);
  for (const auto& e : copy->events) sum.add_event(e);
  return sum.summary();
}

}  // namespace appealhub::storage
