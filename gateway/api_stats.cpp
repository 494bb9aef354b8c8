// Statistics for managers (docs/statistics.md, docs/api.md "Statistics"): the summary, the
// overdue list, the ranking, their CSV exports and the /metrics gauges. The CSV files are written
// from the same JSON documents the API answers with, so both carry the same numbers digit for
// digit.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/deadline.hpp"
#include "documents/xlsx.hpp"
#include "gateway/api_internal.hpp"
#include "router/ticket_router.hpp"
#include "storage/deadline_steps.hpp"
#include "storage/statistics.hpp"

namespace appealhub::gateway::detail {
namespace {

using nlohmann::json;
using std::chrono::sys_seconds;
using std::chrono::year_month_day;

std::string date_text(year_month_day d) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

std::optional<year_month_day> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!date.ok()) return std::nullopt;
  return date;
}

sys_seconds now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string param(const Context& ctx, const char* name) {
  return ctx.request.query_param(name).value_or("");
}

// The departments the caller may see figures of, within what they asked for (empty: all).
// Managers and operators see every department; staff their own (docs/api.md, "Statistics").
std::vector<std::string> department_scope(const Context& ctx, std::vector<std::string> asked) {
  if (ctx.is("manager") || ctx.is("operator")) return asked;
  const auto& mine = ctx.user().departments;
  for (const auto& d : asked) {
    if (std::find(mine.begin(), mine.end(), d) == mine.end()) {
      forbidden("department " + d + " is not yours");
    }
  }
  if (asked.empty()) asked = mine;
  // Staff without departments see nothing: a department code no ticket has.
  if (asked.empty()) asked.push_back("\x01none");
  return asked;
}

storage::StatsQuery read_query(const Context& ctx, bool with_group_by) {
  storage::StatsQuery q;
  const auto today = core::china_date(now_seconds());
  const auto date_param = [&](const char* name, year_month_day fallback) {
    const auto text = param(ctx, name);
    if (text.empty()) return fallback;
    const auto d = parse_date(text);
    if (!d) bad_request(name, "must be a date YYYY-MM-DD");
    return *d;
  };
  q.to = date_param("to", today);
  q.from = date_param("from", q.to.year() / q.to.month() / std::chrono::day{1});
  if (std::chrono::sys_days{q.from} > std::chrono::sys_days{q.to}) {
    bad_request("from", "must not be after to");
  }
  if (std::chrono::sys_days{q.to} - std::chrono::sys_days{q.from} > std::chrono::days{3 * 366}) {
    bad_request("from", "a range is at most three years");
  }
  if (with_group_by) {
    q.group_by = split_list(param(ctx, "group_by"));
    if (q.group_by.size() > 2) bad_request("group_by", "at most two dimensions");
    for (const auto& d : q.group_by) {
      if (!storage::is_stats_dimension(d)) {
        bad_request("group_by",
                    "unknown dimension '" + d +
                        "' (department, channel, kind, category, division, day, week, month)");
      }
    }
    if (q.group_by.size() == 2 && q.group_by[0] == q.group_by[1]) {
      bad_request("group_by", "a dimension twice");
    }
  }
  q.departments = department_scope(ctx, split_list(param(ctx, "department")));
  q.channels = split_list(param(ctx, "channel"));
  q.kinds = split_list(param(ctx, "kind"));
  q.categories = split_list(param(ctx, "category"));
  q.divisions = split_list(param(ctx, "division"));
  q.instant_answer_minutes = ctx.services.options.stats_instant_answer_minutes;
  return q;
}

// ---- figures as JSON ---------------------------------------------------------------------------

json rate(std::int64_t numerator, std::int64_t count, int min_sample) {
  json value = nullptr;
  if (count > 0) {
    value =
        std::round(static_cast<double>(numerator) / static_cast<double>(count) * 10000.0) / 10000.0;
  }
  return {{"value", value},
          {"numerator", numerator},
          {"count", count},
          {"small_sample", count < min_sample}};
}

json hours(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return nullptr;
  return std::round(static_cast<double>(*seconds) / 36.0) / 100.0;  // hours, two decimals
}

json times(const storage::AnswerTimes& t) {
  return {{"working", {{"median", hours(t.working.median)}, {"p90", hours(t.working.p90)}}},
          {"calendar", {{"median", hours(t.calendar.median)}, {"p90", hours(t.calendar.p90)}}}};
}

json figures_json(const storage::Figures& f, int min_sample) {
  return {{"received", f.received},
          {"tickets", f.tickets},
          {"due", f.due},
          {"on_time", f.on_time},
          {"on_time_rate", rate(f.on_time, f.due, min_sample)},
          {"overdue_now", f.overdue_now},
          {"first_answers", f.first_answers},
          {"final_answers", f.final_answers},
          {"first_answer_hours", times(f.first_answer)},
          {"final_answer_hours", times(f.final_answer)},
          {"returns", f.returns},
          {"extensions_asked", f.extensions_asked},
          {"extensions_approved", f.extensions_approved},
          {"reopened", f.reopened},
          {"reopened_due", f.reopened_due},
          {"reopened_on_time", f.reopened_on_time},
          {"reopened_on_time_rate", rate(f.reopened_on_time, f.reopened_due, min_sample)},
          {"callbacks", f.callbacks},
          {"callback_rate", rate(f.callbacks, f.final_answers, min_sample)},
          {"valid_ratings", f.valid_ratings},
          {"satisfied", f.satisfied},
          {"satisfaction_rate", rate(f.satisfied, f.valid_ratings, min_sample)},
          {"resolved", f.resolved},
          {"valid_callbacks", f.valid_callbacks},
          {"resolution_rate", rate(f.resolved, f.valid_callbacks, min_sample)},
          {"consultations", f.consultations},
          {"instant_answers", f.instant_answers},
          {"instant_answer_rate", rate(f.instant_answers, f.consultations, min_sample)},
          {"delivery_failures", f.delivery_failures}};
}

std::string department_name(const router::RoutingSetup& setup, const std::string& code) {
  if (code.empty()) return "未分派";
  if (const auto* d = setup.departments->find(code)) return d->name;
  return code;
}

// Brings the facts up to date, then reads in one snapshot.
template <typename Read>
auto read_statistics(Context& ctx, Read read) {
  const auto setup = ctx.services.routing();
  storage::refresh_statistics(ctx.db, *setup->calendar);
  pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> txn(
      ctx.db);
  return read(txn, *setup);
}

json summary_document(Context& ctx) {
  const auto q = read_query(ctx, true);
  const int min_sample = ctx.services.options.stats_min_sample;
  return read_statistics(ctx, [&](pqxx::transaction_base& txn, const router::RoutingSetup& setup) {
    const auto summary = storage::statistics_summary(txn, q, now_seconds());
    json rows = json::array();
    for (const auto& r : summary.rows) {
      json key = json::object();
      for (const auto& [dimension, value] : r.key) {
        key[dimension] = value;
        if (dimension == "department") key["department_name"] = department_name(setup, value);
      }
      auto row = figures_json(r.figures, min_sample);
      row["key"] = std::move(key);
      rows.push_back(std::move(row));
    }
    return json{{"from", date_text(q.from)}, {"to", date_text(q.to)},
                {"group_by", q.group_by},    {"min_sample", min_sample},
                {"rows", std::move(rows)},   {"total", figures_json(summary.total, min_sample)}};
  });
}

json overdue_document(Context& ctx) {
  const auto departments = department_scope(ctx, split_list(param(ctx, "department")));
  const int soon_days = ctx.services.options.due_soon_working_days;
  const auto now = now_seconds();
  const auto today = core::china_date(now);
  return read_statistics(ctx, [&](pqxx::transaction_base& txn, const router::RoutingSetup& setup) {
    const auto& calendar = *setup.calendar;
    // Wide enough for `soon_days` working days across the longest holiday.
    const auto until = now + std::chrono::days{soon_days * 2 + 10};
    struct Count {
      std::int64_t overdue = 0, due_soon = 0;
    };
    std::map<std::string, Count> by_department;
    json tickets = json::array();
    for (const auto& t : storage::open_tickets_before(txn, departments, until)) {
      const bool overdue = t.deadline < now;
      const auto deadline_date = core::china_date(t.deadline);
      if (!overdue && calendar.working_days_between(today, deadline_date) > soon_days) continue;
      auto& count = by_department[t.lead_department];
      ++(overdue ? count.overdue : count.due_soon);
      tickets.push_back({{"id", t.id},
                         {"title", t.title},
                         {"lead_department", t.lead_department},
                         {"deadline", china_rfc3339(t.deadline)},
                         {"status", t.status},
                         {"working_days_overdue",
                          overdue ? calendar.working_days_between(deadline_date, today) : 0},
                         {"supervision", t.supervision}});
    }
    std::vector<std::pair<std::string, Count>> sorted(by_department.begin(), by_department.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second.overdue != b.second.overdue ? a.second.overdue > b.second.overdue
                                                  : a.first < b.first;
    });
    json rows = json::array();
    for (const auto& [code, count] : sorted) {
      rows.push_back({{"department", code},
                      {"department_name", department_name(setup, code)},
                      {"overdue", count.overdue},
                      {"due_soon", count.due_soon}});
    }
    return json{{"tickets", std::move(tickets)}, {"by_department", std::move(rows)}};
  });
}

// A rate's value for ordering: null (no sample) below every number.
double order_value(const json& r) {
  return r["value"].is_null() ? -1.0 : r["value"].get<double>();
}

json ranking_document(Context& ctx) {
  auto q = read_query(ctx, false);
  q.group_by = {"department"};
  q.on_time_and_activity_only = true;
  const int min_sample = ctx.services.options.stats_min_sample;
  return read_statistics(ctx, [&](pqxx::transaction_base& txn, const router::RoutingSetup& setup) {
    const auto summary = storage::statistics_summary(txn, q, now_seconds());
    std::vector<json> rows;
    for (const auto& r : summary.rows) {
      const auto& code = r.key.front().second;
      rows.push_back(
          {{"department", code},
           {"department_name", department_name(setup, code)},
           {"on_time_rate", rate(r.figures.on_time, r.figures.due, min_sample)},
           {"satisfaction_rate", rate(r.figures.satisfied, r.figures.valid_ratings, min_sample)},
           {"due", r.figures.due},
           {"valid_ratings", r.figures.valid_ratings}});
    }
    // On-time rate, then satisfaction; a small on-time sample ranks after every full one.
    std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
      const bool small_a = a["on_time_rate"]["small_sample"],
                 small_b = b["on_time_rate"]["small_sample"];
      if (small_a != small_b) return !small_a;
      const double ta = order_value(a["on_time_rate"]), tb = order_value(b["on_time_rate"]);
      if (ta != tb) return ta > tb;
      const double sa = order_value(a["satisfaction_rate"]),
                   sb = order_value(b["satisfaction_rate"]);
      if (sa != sb) return sa > sb;
      return a["department"].get<std::string>() < b["department"].get<std::string>();
    });
    json out = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i]["rank"] = i + 1;
      out.push_back(std::move(rows[i]));
    }
    return json{{"from", date_text(q.from)}, {"to", date_text(q.to)}, {"departments", out}};
  });
}

// ---- exports: CSV and XLSX --------------------------------------------------------------------

// A cell's text: a JSON value as the API writes it (a string without quotes, null empty, a
// boolean 是/否, a list joined by ;).
std::string cell_text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "是" : "否";
  if (v.is_array()) {
    std::string text;
    for (const auto& item : v) text += (text.empty() ? "" : ";") + cell_text(item);
    return text;
  }
  return v.dump();
}

std::string cell(const json& v) {
  const auto text = cell_text(v);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

struct Column {
  const char* header;
  const char* pointer;  // JSON pointer into a row
};

std::string csv(const std::vector<Column>& columns, const std::vector<const json*>& rows) {
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel on a Chinese Windows reads UTF-8 right
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += (i ? "," : "") + std::string(columns[i].header);
  out += "\r\n";
  for (const auto* row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const json::json_pointer p(columns[i].pointer);
      out += (i ? "," : "") + (row->contains(p) ? cell(row->at(p)) : std::string());
    }
    out += "\r\n";
  }
  return out;
}

// The same table as an Excel workbook: numbers as numbers with the API's digits.
std::string xlsx(const std::string& sheet, const std::vector<Column>& columns,
                 const std::vector<const json*>& rows) {
  std::vector<std::vector<documents::XlsxCell>> cells(1);
  for (const auto& c : columns) cells.front().push_back({c.header, false});
  for (const auto* row : rows) {
    auto& out = cells.emplace_back();
    for (const auto& c : columns) {
      const json::json_pointer p(c.pointer);
      const json& v = row->contains(p) ? row->at(p) : json();
      out.push_back({cell_text(v), v.is_number()});
    }
  }
  return documents::make_xlsx(sheet, cells);
}

enum class Format { csv, xlsx };

// `name` without its extension; `sheet` names the workbook's sheet.
http::Response export_response(Format format, const std::vector<Column>& columns,
                               const std::vector<const json*>& rows, const std::string& name,
                               const std::string& sheet) {
  http::Response r;
  if (format == Format::csv) {
    r.set_header("Content-Type", "text/csv; charset=utf-8");
    r.set_header("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
    r.body = csv(columns, rows);
  } else {
    r.set_header("Content-Type",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    r.set_header("Content-Disposition", "attachment; filename=\"" + name + ".xlsx\"");
    r.body = xlsx(sheet, columns, rows);
  }
  return r;
}

const std::vector<Column>& figure_columns() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> c{
        {"受理量", "/received"},
        {"工单数", "/tickets"},
        {"应办结", "/due"},
        {"按时办结", "/on_time"},
        {"按时办结率", "/on_time_rate/value"},
        {"按时办结率样本不足", "/on_time_rate/small_sample"},
        {"当前逾期", "/overdue_now"},
        {"首次答复数", "/first_answers"},
        {"最终答复数", "/final_answers"},
        {"首次答复工作时长中位数(小时)", "/first_answer_hours/working/median"},
        {"首次答复工作时长90%分位(小时)", "/first_answer_hours/working/p90"},
        {"首次答复自然时长中位数(小时)", "/first_answer_hours/calendar/median"},
        {"首次答复自然时长90%分位(小时)", "/first_answer_hours/calendar/p90"},
        {"最终答复工作时长中位数(小时)", "/final_answer_hours/working/median"},
        {"最终答复工作时长90%分位(小时)", "/final_answer_hours/working/p90"},
        {"最终答复自然时长中位数(小时)", "/final_answer_hours/calendar/median"},
        {"最终答复自然时长90%分位(小时)", "/final_answer_hours/calendar/p90"},
        {"退单", "/returns"},
        {"申请延期", "/extensions_asked"},
        {"批准延期", "/extensions_approved"},
        {"重办", "/reopened"},
        {"重办应办结", "/reopened_due"},
        {"重办按时办结", "/reopened_on_time"},
        {"重办按时办结率", "/reopened_on_time_rate/value"},
        {"回访数", "/callbacks"},
        {"回访率", "/callback_rate/value"},
        {"有效评价", "/valid_ratings"},
        {"满意", "/satisfied"},
        {"满意率", "/satisfaction_rate/value"},
        {"满意率样本不足", "/satisfaction_rate/small_sample"},
        {"回访解决", "/resolved"},
        {"有效回访", "/valid_callbacks"},
        {"解决率", "/resolution_rate/value"},
        {"咨询量", "/consultations"},
        {"即时答复", "/instant_answers"},
        {"即时答复率", "/instant_answer_rate/value"},
        {"答复发送失败", "/delivery_failures"},
    };
    return c;
  }();
  return columns;
}

const std::map<std::string, std::vector<Column>>& key_columns() {
  static const std::map<std::string, std::vector<Column>> columns{
      {"department", {{"部门代码", "/key/department"}, {"部门名称", "/key/department_name"}}},
      {"channel", {{"渠道", "/key/channel"}}},
      {"kind", {{"诉求类型", "/key/kind"}}},
      {"category", {{"业务类别", "/key/category"}}},
      {"division", {{"行政区划", "/key/division"}}},
      {"day", {{"日期", "/key/day"}}},
      {"week", {{"周", "/key/week"}}},
      {"month", {{"月份", "/key/month"}}},
  };
  return columns;
}

// ---- handlers ----------------------------------------------------------------------------------

const std::set<std::string> kSummaryParams{"from",    "to",   "group_by", "department",
                                           "channel", "kind", "category", "division"};

http::Response summary(Context& ctx) {
  ctx.allow_query(kSummaryParams);
  return json_response(200, summary_document(ctx));
}

http::Response summary_export(Context& ctx, Format format) {
  ctx.allow_query(kSummaryParams);
  auto doc = summary_document(ctx);
  std::vector<Column> columns;
  for (const auto& d : doc["group_by"]) {
    for (const auto& c : key_columns().at(d.get<std::string>())) columns.push_back(c);
  }
  if (columns.empty()) columns.push_back({"范围", "/key/range"});
  columns.insert(columns.end(), figure_columns().begin(), figure_columns().end());
  // The total row says 合计 in its first column.
  doc["total"]["key"] = json::object();
  doc["total"]["key"][std::string(columns.front().pointer).substr(5)] =
      "合计 " + doc["from"].get<std::string>() + "~" + doc["to"].get<std::string>();
  std::vector<const json*> rows;
  for (const auto& r : doc["rows"]) rows.push_back(&r);
  rows.push_back(&doc["total"]);
  return export_response(format, columns, rows, "stats-summary", "统计汇总");
}

http::Response overdue(Context& ctx) {
  ctx.allow_query({"department"});
  return json_response(200, overdue_document(ctx));
}

http::Response overdue_export(Context& ctx, Format format) {
  ctx.allow_query({"department"});
  const auto doc = overdue_document(ctx);
  std::vector<const json*> rows;
  for (const auto& r : doc["tickets"]) rows.push_back(&r);
  return export_response(format,
                         {{"工单号", "/id"},
                          {"标题", "/title"},
                          {"主办部门", "/lead_department"},
                          {"办理时限", "/deadline"},
                          {"状态", "/status"},
                          {"逾期工作日", "/working_days_overdue"},
                          {"督办措施", "/supervision"}},
                         rows, "stats-overdue", "逾期工单");
}

http::Response ranking(Context& ctx) {
  ctx.allow_query({"from", "to", "department", "channel", "kind", "category", "division"});
  return json_response(200, ranking_document(ctx));
}

http::Response ranking_export(Context& ctx, Format format) {
  ctx.allow_query({"from", "to", "department", "channel", "kind", "category", "division"});
  const auto doc = ranking_document(ctx);
  std::vector<const json*> rows;
  for (const auto& r : doc["departments"]) rows.push_back(&r);
  return export_response(format,
                         {{"排名", "/rank"},
                          {"部门代码", "/department"},
                          {"部门名称", "/department_name"},
                          {"按时办结率", "/on_time_rate/value"},
                          {"按时办结", "/on_time_rate/numerator"},
                          {"应办结", "/due"},
                          {"按时办结率样本不足", "/on_time_rate/small_sample"},
                          {"满意率", "/satisfaction_rate/value"},
                          {"满意", "/satisfaction_rate/numerator"},
                          {"有效评价", "/valid_ratings"},
                          {"满意率样本不足", "/satisfaction_rate/small_sample"}},
                         rows, "stats-ranking", "部门排名");
}

}  // namespace

void stats_metrics(pqxx::connection& db, const Services& services, core::MetricsText& out) {
  const auto setup = services.routing();
  storage::refresh_statistics(db, *setup->calendar);
  pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> txn(
      db);
  const auto now = now_seconds();
  storage::StatsQuery q;
  q.to = core::china_date(now);
  q.from = std::chrono::sys_days{q.to} - std::chrono::days{29};
  q.group_by = {"department"};
  q.on_time_and_activity_only = true;
  const auto summary = storage::statistics_summary(txn, q, now);
  using Type = core::MetricsText::Type;
  out.declare("appealhub_stats_due", Type::gauge,
              "Tickets due in the last 30 days (docs/statistics.md), by department.");
  out.declare("appealhub_stats_on_time_rate", Type::gauge,
              "On-time rate of the tickets due in the last 30 days, by department (absent "
              "without any).");
  for (const auto& r : summary.rows) {
    const core::MetricsText::Labels l{{"department", r.key.front().second}};
    out.add("appealhub_stats_due", l, static_cast<double>(r.figures.due));
    if (r.figures.due > 0) {
      out.add("appealhub_stats_on_time_rate", l,
              rate(r.figures.on_time, r.figures.due, 1)["value"].get<double>());
    }
  }
  out.declare("appealhub_stats_overdue", Type::gauge,
              "Open tickets past their deadline now, by department.");
  for (const auto& [department, n] : storage::open_tickets_before_by_department(txn, now)) {
    out.add("appealhub_stats_overdue", {{"department", department}}, static_cast<double>(n));
  }
}

std::vector<RouteDef> stats_routes() {
  // Administrators manage the system, not the work: no figures (403).
  const std::set<std::string> readers{"staff", "manager", "operator"};
  return {
      {"GET", "/api/v1/stats/summary", readers, summary},
      {"GET", "/api/v1/stats/summary/export.csv", readers,
       [](Context& ctx) { return summary_export(ctx, Format::csv); }},
      {"GET", "/api/v1/stats/summary/export.xlsx", readers,
       [](Context& ctx) { return summary_export(ctx, Format::xlsx); }},
      {"GET", "/api/v1/stats/overdue", readers, overdue},
      {"GET", "/api/v1/stats/overdue/export.csv", readers,
       [](Context& ctx) { return overdue_export(ctx, Format::csv); }},
      {"GET", "/api/v1/stats/overdue/export.xlsx", readers,
       [](Context& ctx) { return overdue_export(ctx, Format::xlsx); }},
      {"GET", "/api/v1/stats/ranking", readers, ranking},
      {"GET", "/api/v1/stats/ranking/export.csv", readers,
       [](Context& ctx) { return ranking_export(ctx, Format::csv); }},
      {"GET", "/api/v1/stats/ranking/export.xlsx", readers,
       [](Context& ctx) { return ranking_export(ctx, Format::xlsx); }},
  };
}

}  // namespace appealhub::gateway::detail
