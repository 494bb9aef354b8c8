#include "storage/statistics.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>

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

constexpr const char* kOpenStatuses =
    "('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened')";

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
  txn.exec("UPDATE stats_state SET calendar_version = " + txn.quote(days.version) + " WHERE id = 1");
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

// ---- the summary ----------------------------------------------------------------------------

// A dimension's grouping expression and how a group's value is written.
struct KeyExpression {
  std::string group, value;
};
KeyExpression key_expression(const std::string& dimension, const std::string& day) {
  if (dimension == "day") return {day, "to_char(" + day + ", 'YYYY-MM-DD')"};
  if (dimension == "week") {
    const auto week = "date_trunc('week', " + day + "::timestamp)::date";
    return {week, "to_char(" + week + ", 'IYYY-\"W\"IW')"};
  }
  if (dimension == "month") {
    const auto month = "date_trunc('month', " + day + "::timestamp)::date";
    return {month, "to_char(" + month + ", 'YYYY-MM')"};
  }
  return {"s." + dimension, "s." + dimension};
}

struct Family {
  std::string table;  // stats_tickets or stats_events
  std::string day;    // the anchor date column
  std::string where;  // more conditions on its rows: " AND …"
  std::vector<std::string> figures;  // aggregate expressions, in the order read() takes them
  void (*read)(const pqxx::row& row, std::size_t first, Figures& f);
};

std::int64_t count_at(const pqxx::row& row, std::size_t i) {
  return row[static_cast<pqxx::row::size_type>(i)].as<std::int64_t>();
}
std::optional<std::int64_t> maybe_at(const pqxx::row& row, std::size_t i) {
  const auto field = row[static_cast<pqxx::row::size_type>(i)];
  if (field.is_null()) return std::nullopt;
  return field.as<std::int64_t>();
}

std::vector<std::string> percentiles(const std::string& working, const std::string& calendar) {
  // Both fractions from one sort: PostgreSQL computes identical aggregate calls once.
  const auto both = [](const std::string& value, const char* index) {
    return "(percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY " + value + "))" + index;
  };
  return {both(working, "[1]"), both(working, "[2]"), both(calendar, "[1]"),
          both(calendar, "[2]")};
}
void read_times(const pqxx::row& row, std::size_t i, AnswerTimes& t) {
  t.working = {maybe_at(row, i), maybe_at(row, i + 1)};
  t.calendar = {maybe_at(row, i + 2), maybe_at(row, i + 3)};
}

std::vector<Family> families(const StatsQuery& q, std::chrono::sys_seconds now) {
  const auto now_sql = "to_timestamp(" + std::to_string(now.time_since_epoch().count()) + ")";
  std::vector<Family> out;
  out.push_back(
      {"stats_tickets",
       "received_day",
       "",
       {"count(*)", "count(*) FILTER (WHERE s.is_ticket)",
        "count(*) FILTER (WHERE s.is_ticket AND s.kind = 'consultation')",
        "count(*) FILTER (WHERE s.is_ticket AND s.kind = 'consultation' AND s.final_at IS NOT NULL"
        " AND s.final_at - s.received_at <= make_interval(mins => " +
            std::to_string(q.instant_answer_minutes) + "))"},
       [](const pqxx::row& r, std::size_t i, Figures& f) {
         f.received = count_at(r, i);
         f.tickets = count_at(r, i + 1);
         f.consultations = count_at(r, i + 2);
         f.instant_answers = count_at(r, i + 3);
       }});
  out.push_back({"stats_tickets",
                 "due_day",
                 "",
                 {"count(*)", "count(*) FILTER (WHERE s.on_time)",
                  "count(*) FILTER (WHERE s.open AND s.due_at < " + now_sql + ")"},
                 [](const pqxx::row& r, std::size_t i, Figures& f) {
                   f.due = count_at(r, i);
                   f.on_time = count_at(r, i + 1);
                   f.overdue_now = count_at(r, i + 2);
                 }});
  auto first = percentiles("s.first_wsec", "s.first_csec");
  first.insert(first.begin(), "count(*)");
  out.push_back({"stats_tickets", "first_day", " AND s.is_ticket", first,
                 [](const pqxx::row& r, std::size_t i, Figures& f) {
                   f.first_answers = count_at(r, i);
                   read_times(r, i + 1, f.first_answer);
                 }});
  auto final = percentiles("s.final_wsec", "s.final_csec");
  final.insert(final.begin(), "count(*)");
  final.push_back("count(*) FILTER (WHERE s.called_back)");
  out.push_back({"stats_tickets", "final_day", " AND s.is_ticket", final,
                 [](const pqxx::row& r, std::size_t i, Figures& f) {
                   f.final_answers = count_at(r, i);
                   read_times(r, i + 1, f.final_answer);
                   f.callbacks = count_at(r, i + 5);
                 }});
  out.push_back({"stats_tickets", "reopened_day", " AND s.is_ticket", {"count(*)"},
                 [](const pqxx::row& r, std::size_t i, Figures& f) { f.reopened = count_at(r, i); }});
  out.push_back({"stats_tickets",
                 "reopen_due_day",
                 " AND s.is_ticket",
                 {"count(*)", "count(*) FILTER (WHERE s.reopen_on_time)"},
                 [](const pqxx::row& r, std::size_t i, Figures& f) {
                   f.reopened_due = count_at(r, i);
                   f.reopened_on_time = count_at(r, i + 1);
                 }});
  out.push_back({"stats_events",
                 "day",
                 "",
                 {"count(*) FILTER (WHERE s.type = 'return')",
                  "count(*) FILTER (WHERE s.type = 'extension_asked')",
                  "count(*) FILTER (WHERE s.type = 'extension_approved')",
                  "count(*) FILTER (WHERE s.type = 'rating')",
                  "count(*) FILTER (WHERE s.type = 'rating' AND s.flag)",
                  "count(*) FILTER (WHERE s.type = 'resolution')",
                  "count(*) FILTER (WHERE s.type = 'resolution' AND s.flag)",
                  "count(*) FILTER (WHERE s.type = 'delivery_failure')"},
                 [](const pqxx::row& r, std::size_t i, Figures& f) {
                   f.returns = count_at(r, i);
                   f.extensions_asked = count_at(r, i + 1);
                   f.extensions_approved = count_at(r, i + 2);
                   f.valid_ratings = count_at(r, i + 3);
                   f.satisfied = count_at(r, i + 4);
                   f.valid_callbacks = count_at(r, i + 5);
                   f.resolved = count_at(r, i + 6);
                   f.delivery_failures = count_at(r, i + 7);
                 }});
  return out;
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
  }
  txn.exec("UPDATE stats_state SET refreshed_at = now() WHERE id = 1");
  txn.commit();
}

StatsSummary statistics_summary(pqxx::transaction_base& txn, const StatsQuery& query,
                                std::chrono::sys_seconds now) {
  if (query.group_by.size() > 2) throw std::invalid_argument("group_by: at most two dimensions");
  for (const auto& d : query.group_by) {
    if (!is_stats_dimension(d)) throw std::invalid_argument("group_by: unknown dimension " + d);
  }
  const std::string from = "'" + date_text(query.from) + "'::date";
  const std::string to = "'" + date_text(query.to) + "'::date";
  const auto in_period = [&](const Family& f) {
    return "s." + f.day + " BETWEEN " + from + " AND " + to + f.where;
  };
  // Without a time dimension every figure of a ticket has the same key, so the families of
  // stats_tickets are read in one pass, each aggregate filtered to its own anchor.
  const bool by_time = std::any_of(query.group_by.begin(), query.group_by.end(), [](const auto& d) {
    return d == "day" || d == "week" || d == "month";
  });
  std::vector<std::vector<Family>> passes;
  for (auto& family : families(query, now)) {
    if (query.on_time_and_activity_only && family.day != "due_day" && family.day != "day") {
      continue;
    }
    if (!by_time && !passes.empty() && family.table == "stats_tickets" &&
        passes.back().front().table == "stats_tickets") {
      passes.back().push_back(std::move(family));
    } else {
      passes.push_back({std::move(family)});
    }
  }
  std::map<std::vector<std::string>, Figures> rows;
  StatsSummary out;
  for (const auto& pass : passes) {
    const std::string day = "s." + pass.front().day;
    std::vector<KeyExpression> keys;
    for (const auto& d : query.group_by) keys.push_back(key_expression(d, day));
    Statement s("SELECT ");
    s.sql(keys.empty() ? "true" : "grouping(" + keys.front().group + ") = 0");
    for (const auto& k : keys) s.sql(", ").sql(k.value);
    std::string where;
    for (const auto& family : pass) {
      for (const auto& figure : family.figures) {
        if (pass.size() == 1) {
          s.sql(", ").sql(figure);
          continue;
        }
        // Its own anchor in the period, and the figure's own condition when it has one.
        const std::string filter = " FILTER (WHERE ";
        const auto at = figure.find(filter);
        if (at != std::string::npos) {
          s.sql(", ").sql(figure.substr(0, at + filter.size()) + in_period(family) + " AND " +
                          figure.substr(at + filter.size()));
        } else if (figure.back() == ']') {  // (aggregate)[n]
          const auto end = figure.rfind(")[");
          s.sql(", ").sql(figure.substr(0, end) + filter + in_period(family) + ")" +
                          figure.substr(end));
        } else {
          s.sql(", ").sql(figure + filter + in_period(family) + ")");
        }
      }
      where += (where.empty() ? "(" : " OR ") + in_period(family);
    }
    s.sql(" FROM " + pass.front().table + " s WHERE " + where + ")");
    const std::pair<const char*, const std::vector<std::string>*> filters[] = {
        {"department", &query.departments}, {"channel", &query.channels},
        {"kind", &query.kinds},             {"category", &query.categories},
        {"division", &query.divisions}};
    for (const auto& [column, values] : filters) {
      if (values->empty()) continue;
      s.sql(" AND s." + std::string(column) + " = ANY(").text_array(*values).sql(")");
    }
    if (!keys.empty()) {
      s.sql(" GROUP BY GROUPING SETS ((");
      for (std::size_t k = 0; k < keys.size(); ++k) s.sql(k ? ", " : "").sql(keys[k].group);
      s.sql("), ())");
    }
    for (const auto& row : s.exec(txn)) {
      const bool grouped = row[0].as<bool>() && !keys.empty();
      Figures* target = &out.total;
      if (grouped) {
        std::vector<std::string> key;
        for (std::size_t k = 0; k < keys.size(); ++k) {
          key.push_back(row[static_cast<pqxx::row::size_type>(1 + k)].as<std::string>());
        }
        target = &rows[key];
      }
      std::size_t column = 1 + keys.size();
      for (const auto& family : pass) {
        family.read(row, column, *target);
        column += family.figures.size();
      }
    }
  }
  for (auto& [key, figures] : rows) {
    StatsRow r;
    for (std::size_t k = 0; k < key.size(); ++k) r.key.emplace_back(query.group_by[k], key[k]);
    r.figures = figures;
    out.rows.push_back(std::move(r));
  }
  return out;
}

std::vector<OpenDeadline> open_tickets_before(pqxx::transaction_base& txn,
                                              const std::vector<std::string>& departments,
                                              std::chrono::sys_seconds until) {
  Statement s(
      "SELECT t.id, t.title, coalesce(t.lead_department, ''), t.status,"
      " extract(epoch FROM t.deadline)::bigint, coalesce((SELECT string_agg(DISTINCT e.type, ',')"
      " FROM ticket_events e WHERE e.ticket_id = t.id AND e.type IN ('sla.urge', 'sla.notice',"
      " 'sla.public_note') AND e.data->>'deadline' = extract(epoch FROM t.deadline)::bigint::text),"
      " '') FROM tickets t WHERE t.status IN ");
  s.sql(kOpenStatuses)
      .sql(" AND t.deadline IS NOT NULL AND t.deadline < to_timestamp(")
      .param(std::to_string(until.time_since_epoch().count()), "::bigint")
      .sql(")");
  if (!departments.empty()) s.sql(" AND t.lead_department = ANY(").text_array(departments).sql(")");
  s.sql(" ORDER BY t.deadline, t.id");
  std::vector<OpenDeadline> out;
  for (const auto& row : s.exec(txn)) {
    OpenDeadline d;
    d.id = row[0].as<std::int64_t>();
    d.title = row[1].as<std::string>();
    d.lead_department = row[2].as<std::string>();
    d.status = row[3].as<std::string>();
    d.deadline = std::chrono::sys_seconds{std::chrono::seconds{row[4].as<long long>()}};
    const auto steps = row[5].as<std::string>();
    // In the order they are taken.
    const std::pair<const char*, const char*> names[] = {{"sla.urge", "urged"},
                                                         {"sla.notice", "overdue_notice"},
                                                         {"sla.public_note", "circulated"}};
    for (const auto& [type, name] : names) {
      if (("," + steps + ",").find("," + std::string(type) + ",") != std::string::npos) {
        d.supervision.emplace_back(name);
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace appealhub::storage
