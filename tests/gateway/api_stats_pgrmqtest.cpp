// The statistics API against a real hub (`appealhub run`) on real PostgreSQL and RabbitMQ, over
// tickets with known histories (tests/support/stats_seed.hpp): the CSV exports carry the API's
// numbers digit for digit, each role sees what it may, bad input is a 400 naming the field, and
// /metrics has the gauges. The figures themselves are checked against a recount in
// tests/storage/statistics_pgtest.cpp.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <thread>

#include "config/holidays.hpp"
#include "documents/package.hpp"
#include "documents/xlsx.hpp"
#include "storage/database.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/stats_seed.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using nlohmann::json;
using testing::ApiSession;
using testing::HttpResult;

constexpr const char* kPassword = "correct horse battery";

class Hub : public ::testing::Environment {
 public:
  void SetUp() override {
    db = std::make_unique<testing::TestDatabase>("gateway_stats");
    vhost = std::make_unique<testing::TestVhost>("gateway_stats");
    port = testing::free_port();
    // A mailbox poller runs in the hub, so /metrics has adapter figures from this process and
    // from the store's adapter_status at once (the same series must appear once).
    mailbox = std::make_unique<testing::SimProcess>(testing::start_simulator(
        {"mailbox", "--port", "0", "--rate", "0", "--seed", "5"},
        {{"APPEALHUB_SIM_MAILBOX_TOKEN", "mb-token"}}, "/tmp/appealhub_gateway_stats_mailbox.log"));
    ASSERT_NE(mailbox->port, 0);
    std::ofstream(config) << nlohmann::json{
        {"mailbox",
         {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox->port)},
          {"poll_interval_ms",
           200}}}}.dump();
    env = {{"APPEALHUB_PG_URI", db->uri()},      {"APPEALHUB_MAILBOX_TOKEN", "mb-token"},
           {"APPEALHUB_AMQP_URI", vhost->uri()}, {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
           {"APPEALHUB_LOG_LEVEL", "warn"},      {"APPEALHUB_NEW_USER_PASSWORD", kPassword}};
    testing::ChildProcess add(
        {testing::appealhub_binary(), "user", "add", "admin", "--role", "admin"}, env,
        "/tmp/appealhub_gateway_stats_user.log");
    add.start();
    add.wait();
    hub = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::appealhub_binary(), "run", "--config", config}, env,
        "/tmp/appealhub_gateway_stats.log");
    hub->start();
    ASSERT_TRUE(testing::eventually(60s, [&] {
      try {
        return testing::http_call(port, "GET", "/readyz").status == 200;
      } catch (const std::exception&) {
        return false;
      }
    })) << "the gateway did not become ready; see /tmp/appealhub_gateway_stats.log";
    const auto load = config::load_holidays(config::shipped_holidays_path());
    auto connection = storage::connect({db->uri()});
    testing::seed_statistics(*connection, *load.calendar, 1200, 5, 100000);
  }
  void TearDown() override {
    if (hub) {
      EXPECT_EQ(hub->terminate(), 0);
    }
    hub.reset();
    mailbox.reset();
    vhost.reset();
    db.reset();
  }
  std::unique_ptr<testing::TestDatabase> db;
  std::unique_ptr<testing::TestVhost> vhost;
  std::unique_ptr<testing::SimProcess> mailbox;
  std::unique_ptr<testing::ChildProcess> hub;
  const std::string config = "/tmp/appealhub_gateway_stats.json";
  std::map<std::string, std::string> env;
  unsigned short port = 0;
};

Hub* hub_env = nullptr;

class StatsApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sessions_ = new std::map<std::string, ApiSession>();
    auto& admin = session("admin");
    const std::vector<std::tuple<std::string, std::vector<std::string>, std::vector<std::string>>>
        users{{"op", {"operator"}, {}}, {"staff_a", {"staff"}, {"dlys"}}, {"mgr", {"manager"}, {}}};
    for (const auto& [name, roles, departments] : users) {
      const auto r = admin.post("/api/v1/users", {{"username", name},
                                                  {"roles", roles},
                                                  {"departments", departments},
                                                  {"password", kPassword}});
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  static void TearDownTestSuite() {
    delete sessions_;
    sessions_ = nullptr;
  }
  static ApiSession& session(const std::string& user) {
    auto it = sessions_->find(user);
    if (it == sessions_->end()) {
      it = sessions_->emplace(user, ApiSession(hub_env->port)).first;
      const auto r = it->second.login(user, kPassword);
      EXPECT_EQ(r.status, 200) << user << ": " << r.body;
    }
    return it->second;
  }
  static json ok_json(const HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  static std::map<std::string, ApiSession>* sessions_;
};
std::map<std::string, ApiSession>* StatsApi::sessions_ = nullptr;

// RFC 4180 rows of a CSV body that starts with a UTF-8 BOM.
std::vector<std::vector<std::string>> parse_csv(const std::string& body) {
  EXPECT_EQ(body.substr(0, 3), "\xEF\xBB\xBF");
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 3; i < body.size(); ++i) {
    const char c = body[i];
    if (quoted) {
      if (c == '"' && i + 1 < body.size() && body[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r') {
    } else if (c == '\n') {
      rows.back().push_back(std::move(cell));
      cell.clear();
      rows.emplace_back();
    } else {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// What a cell must say for a JSON value: the API's own digits.
std::string as_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "是" : "否";
  return v.dump();
}

// Every cell of `csv` under a header of `columns` equals the JSON value at its pointer.
void expect_same(const std::vector<std::vector<std::string>>& csv, const std::vector<json>& rows,
                 const std::map<std::string, std::string>& columns) {
  ASSERT_FALSE(csv.empty());
  const auto& header = csv.front();
  ASSERT_EQ(csv.size(), rows.size() + 1);
  std::size_t checked = 0;
  for (const auto& [name, pointer] : columns) {
    const auto at = std::find(header.begin(), header.end(), name);
    ASSERT_NE(at, header.end()) << "no column " << name;
    const auto col = static_cast<std::size_t>(at - header.begin());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(csv[i + 1].at(col), as_cell(rows[i].at(json::json_pointer(pointer))))
          << name << " row " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, rows.size());
}

TEST_F(StatsApi, SummaryCsvCarriesTheApiNumbersDigitForDigit) {
  const std::string query = "?from=2025-01-01&to=2026-12-31&group_by=department,month";
  const auto doc = ok_json(session("mgr").get("/api/v1/stats/summary" + query));
  EXPECT_EQ(doc["group_by"], (json{"department", "month"}));
  EXPECT_EQ(doc["min_sample"], 10);
  ASSERT_GT(doc["rows"].size(), 50u);
  const auto& first = doc["rows"][0];
  EXPECT_TRUE(first["key"].contains("department_name"));
  EXPECT_TRUE(first["on_time_rate"].contains("small_sample"));
  EXPECT_GT(doc["total"]["received"].get<int>(), 1100);
  EXPECT_GT(doc["total"]["on_time_rate"]["count"].get<int>(), 500);
  EXPECT_FALSE(doc["total"]["on_time_rate"]["small_sample"].get<bool>());
  const auto r = session("mgr").get("/api/v1/stats/summary/export.csv" + query);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  std::vector<json> rows(doc["rows"].begin(), doc["rows"].end());
  auto total = doc["total"];
  total["key"] = {{"department", "合计 2025-01-01~2026-12-31"}};
  rows.push_back(total);
  expect_same(parse_csv(r.body), rows,
              {{"部门代码", "/key/department"},
               {"受理量", "/received"},
               {"工单数", "/tickets"},
               {"应办结", "/due"},
               {"按时办结", "/on_time"},
               {"按时办结率", "/on_time_rate/value"},
               {"按时办结率样本不足", "/on_time_rate/small_sample"},
               {"当前逾期", "/overdue_now"},
               {"最终答复数", "/final_answers"},
               {"首次答复工作时长中位数(小时)", "/first_answer_hours/working/median"},
               {"最终答复工作时长90%分位(小时)", "/final_answer_hours/working/p90"},
               {"最终答复自然时长中位数(小时)", "/final_answer_hours/calendar/median"},
               {"重办按时办结率", "/reopened_on_time_rate/value"},
               {"回访率", "/callback_rate/value"},
               {"满意率", "/satisfaction_rate/value"},
               {"解决率", "/resolution_rate/value"},
               {"即时答复率", "/instant_answer_rate/value"},
               {"答复发送失败", "/delivery_failures"}});
  // Without grouping only the total, as one CSV row.
  const auto plain =
      ok_json(session("mgr").get("/api/v1/stats/summary?from=2026-01-01&to=2026-06-30"));
  EXPECT_TRUE(plain["rows"].empty());
  const auto plain_csv = parse_csv(
      session("mgr").get("/api/v1/stats/summary/export.csv?from=2026-01-01&to=2026-06-30").body);
  ASSERT_EQ(plain_csv.size(), 2u);
  EXPECT_EQ(plain_csv[1][1], plain["total"]["received"].dump());
}

TEST_F(StatsApi, OverdueAndRankingCsvMatchTheirJson) {
  const auto overdue = ok_json(session("mgr").get("/api/v1/stats/overdue"));
  ASSERT_GT(overdue["tickets"].size(), 5u);
  int overdue_count = 0;
  for (const auto& t : overdue["tickets"]) {
    if (t["working_days_overdue"].get<int>() > 0) ++overdue_count;
  }
  int by_department = 0;
  for (const auto& d : overdue["by_department"]) by_department += d["overdue"].get<int>();
  EXPECT_LE(overdue_count, by_department);  // overdue today counts with 0 working days
  const auto csv = parse_csv(session("mgr").get("/api/v1/stats/overdue/export.csv").body);
  expect_same(csv, std::vector<json>(overdue["tickets"].begin(), overdue["tickets"].end()),
              {{"工单号", "/id"},
               {"主办部门", "/lead_department"},
               {"办理时限", "/deadline"},
               {"逾期工作日", "/working_days_overdue"}});

  const std::string query = "?from=2025-01-01&to=2026-12-31";
  const auto ranking = ok_json(session("mgr").get("/api/v1/stats/ranking" + query));
  const auto& departments = ranking["departments"];
  ASSERT_EQ(departments.size(), 6u);  // five and the unplaced
  bool small_seen = false;
  for (std::size_t i = 0; i < departments.size(); ++i) {
    EXPECT_EQ(departments[i]["rank"], i + 1);
    const bool small = departments[i]["on_time_rate"]["small_sample"];
    EXPECT_FALSE(small_seen && !small) << "a full sample after a small one";
    small_seen = small_seen || small;
    if (i > 0 && !small) {
      EXPECT_GE(departments[i - 1]["on_time_rate"]["value"].get<double>(),
                departments[i]["on_time_rate"]["value"].get<double>());
    }
  }
  EXPECT_FALSE(departments.front()["on_time_rate"]["small_sample"].get<bool>());
  // Over one week every department has fewer than 10 tickets due: all small samples.
  const auto week =
      ok_json(session("mgr").get("/api/v1/stats/ranking?from=2026-11-02&to=2026-11-08"));
  ASSERT_FALSE(week["departments"].empty());
  for (const auto& d : week["departments"]) {
    EXPECT_TRUE(d["on_time_rate"]["small_sample"].get<bool>()) << d;
    EXPECT_LT(d["on_time_rate"]["count"].get<int>(), 10);
  }
  const auto ranking_csv =
      parse_csv(session("mgr").get("/api/v1/stats/ranking/export.csv" + query).body);
  expect_same(ranking_csv, std::vector<json>(departments.begin(), departments.end()),
              {{"排名", "/rank"},
               {"部门代码", "/department"},
               {"部门名称", "/department_name"},
               {"按时办结率", "/on_time_rate/value"},
               {"满意率", "/satisfaction_rate/value"},
               {"应办结", "/due"}});
}

// The cells of an XLSX export, each row as wide as the header (a workbook leaves empty cells out).
std::vector<std::vector<std::string>> xlsx_cells(const HttpResult& r) {
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type").value_or(""),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  auto rows = documents::xlsx_rows(r.body);
  for (auto& row : rows) row.resize(std::max(row.size(), rows.front().size()));
  return rows;
}

TEST_F(StatsApi, XlsxExportsHoldTheCsvCellsAndTheApiNumbers) {
  const std::string query = "?from=2025-01-01&to=2026-12-31&group_by=department,month";
  const std::pair<const char*, std::string> exports[] = {
      {"/api/v1/stats/summary/export", query},
      {"/api/v1/stats/overdue/export", ""},
      {"/api/v1/stats/ranking/export", "?from=2025-01-01&to=2026-12-31"}};
  for (const auto& [path, parameters] : exports) {
    const auto csv = parse_csv(session("mgr").get(path + ".csv"s + parameters).body);
    const auto xlsx = xlsx_cells(session("mgr").get(path + ".xlsx"s + parameters));
    EXPECT_GT(xlsx.size(), 5u) << path;
    EXPECT_EQ(xlsx, csv) << path;
  }
  // Cell by cell against the JSON, and numbers are number cells (Excel sums them).
  const auto doc = ok_json(session("mgr").get("/api/v1/stats/summary" + query));
  const auto r = session("mgr").get("/api/v1/stats/summary/export.xlsx" + query);
  std::vector<json> rows(doc["rows"].begin(), doc["rows"].end());
  auto total = doc["total"];
  total["key"] = {{"department", "合计 2025-01-01~2026-12-31"}};
  rows.push_back(total);
  expect_same(xlsx_cells(r), rows,
              {{"部门代码", "/key/department"},
               {"受理量", "/received"},
               {"按时办结率", "/on_time_rate/value"},
               {"按时办结率样本不足", "/on_time_rate/small_sample"},
               {"首次答复工作时长中位数(小时)", "/first_answer_hours/working/median"},
               {"最终答复自然时长90%分位(小时)", "/final_answer_hours/calendar/p90"},
               {"满意率", "/satisfaction_rate/value"}});
  const auto sheet = documents::package_part(r.body, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("<c r=\"D2\"><v>" + rows.front()["received"].dump() + "</v></c>"),
            std::string::npos);
  EXPECT_EQ(session("admin").get("/api/v1/stats/ranking/export.xlsx").status, 403);
}

TEST_F(StatsApi, StaffSeeTheirOwnDepartmentsAndAdministratorsNothing) {
  const std::string query =
      "/api/v1/stats/summary?from=2025-01-01&to=2026-12-31&group_by=department";
  const auto mine = ok_json(session("staff_a").get(query));
  ASSERT_EQ(mine["rows"].size(), 1u);
  EXPECT_EQ(mine["rows"][0]["key"]["department"], "dlys");
  const auto all = ok_json(session("mgr").get(query));
  EXPECT_EQ(all["rows"].size(), 6u);
  EXPECT_LT(mine["total"]["received"].get<int>(), all["total"]["received"].get<int>());
  for (const auto& row : all["rows"]) {
    if (row["key"]["department"] == "dlys") {
      EXPECT_EQ(row["received"], mine["total"]["received"]);
    }
  }
  EXPECT_EQ(session("staff_a").get(query + "&department=lzq").status, 403);
  EXPECT_EQ(ok_json(session("op").get(query))["rows"].size(), 6u);
  for (const auto* path : {"/api/v1/stats/summary", "/api/v1/stats/overdue",
                           "/api/v1/stats/ranking", "/api/v1/stats/summary/export.csv"}) {
    EXPECT_EQ(session("admin").get(path).status, 403) << path;
  }
  const auto overdue = ok_json(session("staff_a").get("/api/v1/stats/overdue"));
  for (const auto& t : overdue["tickets"]) {
    EXPECT_EQ(t["lead_department"], "dlys");
  }
}

TEST_F(StatsApi, BadInputNamesTheField) {
  const auto bad = [](const std::string& target, const std::string& field) {
    const auto r = session("mgr").get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_NE(r.body.find(field), std::string::npos) << r.body;
  };
  bad("/api/v1/stats/summary?group_by=colour", "group_by");
  bad("/api/v1/stats/summary?group_by=day,month,kind", "group_by");
  bad("/api/v1/stats/summary?from=2026-13-01", "from");
  bad("/api/v1/stats/summary?from=2026-12-01&to=2026-11-01", "from");
  bad("/api/v1/stats/summary?to=yesterday", "to");
  bad("/api/v1/stats/ranking?group_by=day", "group_by");
  bad("/api/v1/stats/overdue?from=2026-01-01", "from");
}

TEST_F(StatsApi, MetricsHaveTheGaugesOnce) {
  const auto r = testing::http_call(hub_env->port, "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  const auto count = [&](const std::string& text) {
    std::size_t n = 0;
    for (auto at = r.body.find(text); at != std::string::npos; at = r.body.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("# TYPE appealhub_stats_on_time_rate gauge"), 1u);
  EXPECT_EQ(count("# TYPE appealhub_stats_overdue gauge"), 1u);
  EXPECT_EQ(count("# TYPE appealhub_stats_due gauge"), 1u);
  EXPECT_GE(count("appealhub_stats_overdue{department=\"dlys\"} "), 1u);
  // The same figure as the overdue list's, department by department.
  const auto listed = ok_json(session("mgr").get("/api/v1/stats/overdue"))["by_department"];
  std::size_t compared = 0;
  for (const auto& row : listed) {
    if (row["overdue"].get<std::int64_t>() == 0) continue;
    const auto series = "appealhub_stats_overdue{department=\"" +
                        row["department"].get<std::string>() + "\"} " +
                        std::to_string(row["overdue"].get<std::int64_t>()) + "\n";
    EXPECT_EQ(count(series), 1u) << series;
    ++compared;
  }
  EXPECT_GE(compared, 1u);
}

// The whole scrape of a `run` process, with an adapter in it, read by a real Prometheus parser
// (tests/support/check_metrics.py): no family or series twice, nothing the parser refuses.
TEST_F(StatsApi, MetricsParseAsPrometheusText) {
  ASSERT_TRUE(testing::eventually(30s, [&] {
    const auto r = testing::http_call(hub_env->port, "GET", "/metrics");
    return r.body.find("appealhub_adapter_lag_seconds{adapter=\"mailbox\"}") != std::string::npos &&
           r.body.find("appealhub_adapter_last_success_timestamp_seconds{adapter=\"mailbox\"}") !=
               std::string::npos;
  })) << "the mailbox poller reported nothing";
  const auto r = testing::http_call(hub_env->port, "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  const std::string body_file = "/tmp/appealhub_gateway_stats_metrics.txt";
  std::ofstream(body_file) << r.body;
  const std::string command = "/usr/bin/python3 '" + testing::repo_root() +
                              "/tests/support/check_metrics.py' < " + body_file +
                              " > /tmp/appealhub_gateway_stats_metrics.check 2>&1";
  const int status = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
  std::ifstream check("/tmp/appealhub_gateway_stats_metrics.check");
  const std::string verdict((std::istreambuf_iterator<char>(check)),
                            std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << verdict << "\nthe scrape is in " << body_file;
  EXPECT_NE(verdict.find("families "), std::string::npos) << verdict;
}

}  // namespace
}  // namespace appealhub

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  appealhub::hub_env =
      static_cast<appealhub::Hub*>(::testing::AddGlobalTestEnvironment(new appealhub::Hub));
  return RUN_ALL_TESTS();
}
