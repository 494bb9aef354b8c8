#include "sim/hotline/hotline_platform.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>

namespace appealhub::sim::hotline {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The document's columns, in its table's order.
constexpr std::array<const char*, 18> kColumns{
    "工单编号", "派单类型", "受理时间", "来电号码", "来电人",   "诉求类型",
    "业务类别", "所属区县", "事发地点", "车牌号",   "诉求标题", "诉求内容",
    "紧急程度", "办理时限", "需要回访", "关联工单", "附件",     "坐席工号"};
constexpr const char* kExtraColumn = "来源渠道";

constexpr std::array<const char*, 7> kDivisions{"利州区", "昭化区", "朝天区", "旺苍县",
                                                "青川县", "剑阁县", "苍溪县"};
constexpr std::array<const char*, 6> kKinds{"投诉", "咨询", "举报", "建议", "求助", "表扬"};
constexpr std::array<const char*, 8> kSurnames{"张", "李", "王", "刘", "陈", "杨", "赵", "黄"};

// What people call about, by business area: a title, the appeal's text and a place.
struct Topic {
  const char* category;
  const char* title;
  const char* content;
  const char* place;
  bool plate;
};
constexpr std::array<Topic, 10> kTopics{{
    {"出租汽车", "出租车拒载", "在%s打车，司机问了去向后拒绝载客，态度很差。", "万达广场东门",
     true},
    {"出租汽车", "出租车绕路多收费", "从火车站到%s，司机故意绕路，多收了二十多元。", "广元火车站",
     true},
    {"网约车", "网约车到达后加价", "网约车到%s接人后要求线下加价，不加就不走。", "东坝汽车站",
     true},
    {"公共汽电车", "公交车不按站停靠", "%s的公交车经常过站不停，老人等车很困难。", "市中心医院站",
     true},
    {"公共汽电车", "咨询公交线路调整", "请问%s附近的公交线路什么时候恢复原来的走向？",
     "南河体育中心", false},
    {"道路客运", "客运班车超载", "%s发出的班车严重超载，过道上都站满了人。", "客运中心站", true},
    {"道路货运", "货车超限超载", "%s附近每天晚上都有超载货车通过，路面被压坏。", "G5京昆高速收费站",
     true},
    {"机动车维修", "修车乱收费", "在%s的修理厂换了刹车片，收费比报价高出一倍。", "利州东路汽修厂",
     false},
    {"公路养护", "路面坑洼", "%s的路面有很多坑，下雨天积水，车辆容易出事。", "108国道旁", false},
    {"驾驶员培训", "驾校退费难", "在%s报名的驾校不肯退还剩余学费。", "某驾校报名点", false},
}};

std::string china_time(std::chrono::system_clock::time_point t, bool old_format) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t) + 8 * 3600;  // UTC+8
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[96];
  if (old_format) {
    std::snprintf(out, sizeof out, "%d/%d/%d %d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min);
  } else {
    std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return out;
}

std::string stamp(std::chrono::system_clock::time_point t, const char* format) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[96];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}

std::string substitute(const char* pattern, const std::string& value) {
  std::string s(pattern);
  const auto at = s.find("%s");
  if (at != std::string::npos) s.replace(at, 2, value);
  return s;
}

// A row as the platform means it, before it is laid out in a file's columns.
struct Row {
  std::map<std::string, std::string> values;
  std::string order_id, type;
  std::string bad;          // why the hub must refuse it; empty for a good row
  bool duplicate = false;   // a 新派单 exported again
  std::string reexport_of;  // the damaged file it was in first
};

}  // namespace

struct HotlinePlatform::State {
  HotlineOptions options;
  std::mt19937_64 rng;
  std::vector<std::string> columns;
  json ledger;
  std::deque<Row> owed;  // rows of damaged files and duplicates, for the next file
  struct Held {
    fs::path csv;
    std::string bytes, marker;
  };
  std::optional<Held> held;  // a file to be written after the next one

  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }
  template <typename A>
  const char* any(const A& list) {
    return list[pick(list.size())];
  }

  json& orders() { return ledger["orders"]; }

  // Orders by state, to pick from in constant time.
  struct Pool {
    std::vector<std::string> ids;
    std::map<std::string, std::size_t> at;
    void add(const std::string& id) {
      if (at.emplace(id, ids.size()).second) ids.push_back(id);
    }
    void remove(const std::string& id) {
      const auto it = at.find(id);
      if (it == at.end()) return;
      const std::size_t i = it->second;
      at.erase(it);
      if (i + 1 != ids.size()) {
        ids[i] = std::move(ids.back());
        at[ids[i]] = i;
      }
      ids.pop_back();
    }
  };
  Pool open, returned;

  void set_state(const std::string& id, const std::string& state) {
    orders()[id]["state"] = state;
    open.remove(id);
    returned.remove(id);
    if (state == "open") open.add(id);
    if (state == "returned") returned.add(id);
  }

  std::string next_order_id(std::chrono::system_clock::time_point now) {
    const auto n = ledger["next_order"].get<std::uint64_t>();
    ledger["next_order"] = n + 1;
    char tail[24];
    std::snprintf(tail, sizeof tail, "%04llu", static_cast<unsigned long long>(n));
    return "GY12328" + stamp(now, "%Y%m%d") + tail;
  }

  std::string phone() {
    if (chance(0.15)) return "0839-33" + std::to_string(10000 + pick(90000));
    return "1" + std::to_string(3 + pick(7)) + std::to_string(100000000 + pick(900000000));
  }

  std::string plate() {
    const std::string number =
        std::string(1, static_cast<char>('A' + pick(26))) + std::to_string(1000 + pick(9000));
    return chance(0.5) ? "川H·" + number : "川H" + number;
  }

  Row new_order(std::chrono::system_clock::time_point now, bool old_dates, bool keep = true) {
    Row r;
    r.type = "新派单";
    r.order_id = next_order_id(now);
    const Topic& topic = kTopics[pick(kTopics.size())];
    const bool anonymous = chance(0.1);
    auto& v = r.values;
    v["工单编号"] = r.order_id;
    v["派单类型"] = r.type;
    v["受理时间"] = china_time(now, old_dates);
    v["来电号码"] = anonymous ? "" : phone();
    v["来电人"] =
        anonymous ? "匿名" : std::string(any(kSurnames)) + (chance(0.5) ? "先生" : "女士");
    v["诉求类型"] = std::string(topic.title).starts_with("咨询")
                        ? "咨询"
                        : (chance(0.8) ? std::string("投诉") : std::string(any(kKinds)));
    v["业务类别"] = topic.category;
    v["所属区县"] = chance(0.9) ? any(kDivisions) : "";
    v["事发地点"] = topic.place;
    v["车牌号"] = topic.plate && chance(0.7) ? plate() : "";
    v["诉求标题"] = topic.title;
    std::string content = substitute(topic.content, topic.place);
    if (!v["车牌号"].empty()) content += "车牌" + v["车牌号"] + "。";
    if (chance(0.3)) content += "\n希望尽快处理，谢谢。";  // a line break inside the field
    if (chance(0.2)) content += "他说\"不去就是不去\"，还骂人。";
    v["诉求内容"] = content;
    v["紧急程度"] = chance(0.9) ? "一般" : (chance(0.7) ? "紧急" : "特急");
    v["办理时限"] = chance(0.8) ? china_time(now + std::chrono::days(15), old_dates) : "";
    v["需要回访"] = chance(0.6) ? "是" : "否";
    v["关联工单"] = "";
    v["附件"] = chance(0.1)
                    ? "https://files.12328.example/att/" + std::to_string(pick(99999)) + ".jpg"
                    : "";
    v["坐席工号"] = "A" + std::to_string(1000 + pick(60));
    v[kExtraColumn] = chance(0.7) ? "电话" : "微信";
    if (keep) {
      orders()[r.order_id] = json{{"values", v}};
      set_state(r.order_id, "open");
    }
    return r;
  }

  // A later row about an earlier order: its 新派单's values with the new type, time and text.
  Row about(const std::string& id, const std::string& type, const std::string& content,
            std::chrono::system_clock::time_point now, bool old_dates) {
    Row r;
    r.type = type;
    r.order_id = id;
    r.values = orders()[id]["values"].get<std::map<std::string, std::string>>();
    r.values["派单类型"] = type;
    r.values["受理时间"] = china_time(now, old_dates);
    r.values["诉求内容"] = content;
    return r;
  }

  Row next_row(std::chrono::system_clock::time_point now) {
    const bool old_dates = chance(options.old_dates);
    if (chance(options.faults.bad_rows)) {
      // A row the hub must refuse; it belongs to no order the platform keeps.
      Row r = new_order(now, old_dates, false);
      switch (pick(3)) {
        case 0:
          r.values["工单编号"] = "";
          r.order_id.clear();
          r.bad = "工单编号 missing";
          break;
        case 1:
          r.values["受理时间"] = "";
          r.bad = "受理时间 missing";
          break;
        default:
          r.values["派单类型"] = r.type = "转办";
          r.bad = "派单类型 unknown";
          break;
      }
      return r;
    }
    if (!returned.ids.empty() && chance(options.reassign)) {
      const std::string id = returned.ids[pick(returned.ids.size())];
      Row r = about(id, "改派",
                    orders()[id]["values"]["诉求内容"].get<std::string>() +
                        "\n（改派：经核实，该诉求属于贵单位职责范围，请重新办理。）",
                    now, old_dates);
      r.values["办理时限"] = china_time(now + std::chrono::days(10), old_dates);
      set_state(id, "open");
      return r;
    }
    if (!open.ids.empty() && chance(options.followups)) {
      const std::string id = open.ids[pick(open.ids.size())];
      const auto roll = pick(100);
      if (roll < 45)
        return about(id, "补充", "补充：来电人又提供了新的情况，事发时有多名乘客在场。", now,
                     old_dates);
      if (roll < 80)
        return about(id, "催办", "该工单来电人多次来电催促，请加快办理。", now, old_dates);
      set_state(id, "withdrawn");
      return about(id, "撤销", "来电人表示问题已解决，申请撤销。", now, old_dates);
    }
    Row r = new_order(now, old_dates);
    if (chance(options.faults.duplicates)) {
      Row again = r;
      again.duplicate = true;
      owed.push_back(std::move(again));
    }
    return r;
  }

  std::filesystem::path ledger_path() const {
    return options.ledger.empty() ? options.dir / "sim-ledger.json" : options.ledger;
  }

  void write_now(const fs::path& csv, const std::string& bytes, const std::string& marker,
                 bool slow) {
    if (slow) {
      // The CSV grows for a while, then the marker appears.
      const std::size_t pieces = 4;
      std::ofstream out(csv, std::ios::binary | std::ios::trunc);
      for (std::size_t i = 0; i < pieces; ++i) {
        const std::size_t from = bytes.size() * i / pieces, to = bytes.size() * (i + 1) / pieces;
        out.write(bytes.data() + from, static_cast<std::streamsize>(to - from));
        out.flush();
        std::this_thread::sleep_for(options.faults.slow_write / pieces);
      }
      out.close();
      if (!out) throw std::runtime_error("cannot write " + csv.string());
    } else {
      write_file_atomically(csv, bytes);
    }
    write_file_atomically(fs::path(csv.string() + ".ok"), marker);  // the marker last
  }

  // Lays out, writes and records one export file.
  std::vector<std::string> write_export(std::vector<Row> rows) {
    const auto now = std::chrono::system_clock::now();
    const auto sequence = ledger["next_sequence"].get<std::uint64_t>();
    ledger["next_sequence"] = sequence + 1;
    char seq[16];
    std::snprintf(seq, sizeof seq, "%06llu", static_cast<unsigned long long>(sequence % 1000000));
    const std::string name =
        "12328_" + options.unit + "_" + stamp(now, "%Y%m%d%H%M%S") + "_" + seq + ".csv";
    std::string text = csv_record(columns);
    std::size_t line = 2;
    const bool damaged_sha = chance(options.faults.damaged_sha);
    const bool damaged_rows = !damaged_sha && chance(options.faults.damaged_rows);
    const bool damaged = damaged_sha || damaged_rows;
    const std::string file_fault = damaged_sha ? "damaged_sha" : damaged_rows ? "damaged_rows" : "";
    for (auto& row : rows) {
      std::vector<std::string> fields;
      for (const auto& c : columns) fields.push_back(row.values[c]);
      const std::string record = csv_record(fields);
      ledger["rows"].push_back({{"file", name},
                                {"line", line},
                                {"row", &row - rows.data() + 2},
                                {"order_id", row.order_id},
                                {"type", row.type},
                                {"bad", row.bad},
                                {"duplicate", row.duplicate},
                                {"reexport_of", row.reexport_of},
                                {"damaged_file", damaged}});
      line += static_cast<std::size_t>(std::count(record.begin(), record.end(), '\n'));
      text += record;
      ledger["rows_issued"] = ledger["rows_issued"].get<std::uint64_t>() + 1;
    }
    const std::string bytes = encode_text(text, options.encoding);
    std::string sha = sha256_hex(bytes);
    if (damaged_sha) sha = sha256_hex(bytes + "\n");  // what the platform hashed is not what came
    const std::size_t marked_rows = damaged_rows ? rows.size() + 1 : rows.size();
    const std::string marker =
        marker_text(marked_rows, marker_encoding_name(options.encoding), sha);
    const bool slow = chance(options.faults.slow);
    const bool late = !held && chance(options.faults.out_of_order);
    ledger["files"].push_back({{"name", name},
                               {"sequence", sequence},
                               {"rows", rows.size()},
                               {"encoding", marker_encoding_name(options.encoding)},
                               {"fault", file_fault},
                               {"slow", slow},
                               {"out_of_order", late}});
    if (damaged) {
      // After a failed transfer the platform exports the same rows again in a later file.
      for (auto& row : rows) {
        row.reexport_of = name;
        owed.push_back(std::move(row));
      }
    }
    const fs::path csv = options.dir / "export" / name;
    std::vector<std::string> written;
    if (late) {
      held = Held{csv, bytes, marker};
      return written;
    }
    write_now(csv, bytes, marker, slow);
    written.push_back(name);
    ledger["written"].push_back(name);
    if (held && held->csv != csv) {
      auto h = std::move(*held);
      held.reset();
      write_now(h.csv, h.bytes, h.marker, false);
      written.push_back(h.csv.filename().string());
      ledger["written"].push_back(h.csv.filename().string());
    }
    return written;
  }

  void answer_file(const fs::path& csv);
};

namespace {

std::string receipt_name(const std::string& result_file) {
  std::string base = result_file;
  if (base.ends_with(".csv")) base.resize(base.size() - 4);
  return base + ".receipt.csv";
}

}  // namespace

void HotlinePlatform::State::answer_file(const fs::path& csv) {
  const std::string name = csv.filename().string();
  const std::string raw = read_file(csv);
  const MarkerFields marker = parse_marker_text(read_file(fs::path(csv.string() + ".ok")));
  const bool want_gb = options.import_encoding == FileEncoding::gb18030;
  std::string refused;  // why the whole file is refused
  if (!marker.rows || marker.sha256.size() != 64) {
    refused = "标记文件无效";
  } else if (sha256_hex(raw) != marker.sha256) {
    refused = "文件校验失败";
  }
  const auto declared = parse_file_encoding(marker.encoding);
  std::optional<std::string> text = decode_text(raw, want_gb);
  if (refused.empty() && (!declared || (*declared == FileEncoding::gb18030) != want_gb || !text)) {
    refused = "文件编码不符";
  }
  // Even a refused file gets a receipt row per order: read it as well as it can be read.
  if (!text) text = decode_text(raw, !want_gb);
  std::optional<std::vector<std::vector<std::string>>> records;
  if (text) records = parse_csv(*text);
  if (!records || records->empty()) {
    if (refused.empty()) refused = "文件格式错误";
    records = std::vector<std::vector<std::string>>{};
  }
  std::map<std::string, std::size_t> col;
  if (!records->empty()) {
    for (std::size_t i = 0; i < records->front().size(); ++i) col[(*records)[0][i]] = i;
  }
  const auto get = [&](const std::vector<std::string>& r, const char* c) -> std::string {
    const auto it = col.find(c);
    return it == col.end() || it->second >= r.size() ? std::string() : r[it->second];
  };
  const std::size_t data_rows = records->empty() ? 0 : records->size() - 1;
  if (refused.empty() && (!col.count("工单编号") || !col.count("结果类型")))
    refused = "文件格式错误";
  if (refused.empty() && data_rows > 500) refused = "文件超过500行";
  if (refused.empty() && marker.rows && *marker.rows != data_rows) refused = "文件校验失败";

  std::string receipt = csv_record({"工单编号", "处理结果", "失败原因"});
  json lines = json::array();
  for (std::size_t i = 1; i < records->size(); ++i) {
    const auto& r = (*records)[i];
    const std::string id = get(r, "工单编号"), type = get(r, "结果类型");
    std::string reason = refused;
    if (reason.empty()) {
      const bool known = !id.empty() && orders().contains(id);
      const std::string state = known ? orders()[id]["state"].get<std::string>() : "";
      const std::string days = get(r, "延期天数");
      if (!known) {
        reason = "工单不存在";
      } else if (state == "withdrawn") {
        reason = "工单已撤销";
      } else if (state == "done") {
        reason = "该工单已办结";
      } else if (state == "returned") {
        reason = "工单已退回";
      } else if (utf8_length(get(r, "办理结果")) > 2000) {
        reason = "办理结果超长";
      } else if (type != "办结" && type != "阶段答复" && type != "退回" && type != "延期申请") {
        reason = "结果类型无效";
      } else if (type == "退回" && get(r, "退回原因").empty()) {
        reason = "缺少退回原因";
      } else if (type == "延期申请" &&
                 (days.empty() || days.find_first_not_of("0123456789") != std::string::npos)) {
        reason = "延期天数无效";
      } else if (chance(options.faults.busy)) {
        reason = "系统繁忙请重试";  // transient: the bureau sends it again later
      } else if (type == "办结") {
        set_state(id, "done");
      } else if (type == "退回") {
        set_state(id, "returned");  // the platform may send it again (改派)
      }
    }
    receipt += csv_record({id, reason.empty() ? "成功" : "失败", reason});
    lines.push_back({{"order_id", id},
                     {"result_type", type},
                     {"receipt", reason.empty() ? "成功" : "失败"},
                     {"reason", reason}});
  }
  const std::string receipt_file = receipt_name(name);
  write_file_atomically(options.dir / "receipt" / receipt_file, receipt);
  ledger["results"].push_back({{"file", name},
                               {"rows", data_rows},
                               {"refused", refused},
                               {"receipt", receipt_file},
                               {"lines", lines}});
}

HotlinePlatform::HotlinePlatform(HotlineOptions options) : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.options = std::move(options);
  if (s.options.dir.empty()) throw std::invalid_argument("the 12328 simulator needs a folder");
  if (s.options.rows_per_file == 0) s.options.rows_per_file = 1;
  for (const char* sub : {"export", "import", "receipt"})
    fs::create_directories(s.options.dir / sub);
  s.rng.seed(s.options.seed);
  for (const char* c : kColumns) s.columns.emplace_back(c);
  if (s.options.shuffle_columns) std::shuffle(s.columns.begin(), s.columns.end(), s.rng);
  if (s.options.extra_column) s.columns.insert(s.columns.begin() + 3, kExtraColumn);
  if (fs::exists(s.ledger_path())) {
    s.ledger = json::parse(read_file(s.ledger_path()));
    for (const auto& [id, order] : s.ledger["orders"].items()) {
      if (order["state"] == "open") s.open.add(id);
      if (order["state"] == "returned") s.returned.add(id);
    }
  } else {
    s.ledger = {{"unit", s.options.unit},   {"next_sequence", 1},       {"next_order", 1},
                {"rows_issued", 0},         {"orders", json::object()}, {"files", json::array()},
                {"written", json::array()}, {"rows", json::array()},    {"results", json::array()}};
  }
}

HotlinePlatform::~HotlinePlatform() = default;

std::vector<std::string> HotlinePlatform::export_rows(std::size_t rows) {
  auto& s = *state_;
  std::vector<std::string> written;
  const auto flush = [&](std::vector<Row>& batch) {
    if (batch.empty()) return;
    for (auto& n : s.write_export(std::move(batch))) written.push_back(std::move(n));
    batch.clear();
  };
  std::vector<Row> batch;
  std::size_t fresh = 0;
  while (fresh < rows || !s.owed.empty()) {
    if (!s.owed.empty() && (batch.size() % 3 == 0 || fresh >= rows)) {
      batch.push_back(std::move(s.owed.front()));
      s.owed.pop_front();
    } else {
      batch.push_back(s.next_row(std::chrono::system_clock::now()));
      ++fresh;
    }
    if (batch.size() >= s.options.rows_per_file) flush(batch);
    // Rows owed by a file damaged just now wait for the next call (a later transfer).
    if (fresh >= rows && batch.empty()) break;
  }
  flush(batch);
  return written;
}

std::vector<std::string> HotlinePlatform::finish() {
  auto& s = *state_;
  std::vector<std::string> written;
  // Rows of a damaged file are owed until a later file carries them: pay them before stopping
  // (a re-export can be damaged again, hence the rounds).
  for (int round = 0; round < 100 && !s.owed.empty(); ++round) {
    for (auto& name : export_rows(0)) written.push_back(std::move(name));
  }
  if (s.held) {
    auto h = std::move(*s.held);
    s.held.reset();
    s.write_now(h.csv, h.bytes, h.marker, false);
    written.push_back(h.csv.filename().string());
    s.ledger["written"].push_back(h.csv.filename().string());
  }
  return written;
}

std::vector<std::string> HotlinePlatform::process_imports() {
  auto& s = *state_;
  std::set<std::string> answered;
  for (const auto& r : s.ledger["results"]) answered.insert(r["file"].get<std::string>());
  std::vector<fs::path> ready;
  for (const auto& e : fs::directory_iterator(s.options.dir / "import")) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || !name.ends_with(".csv") || name.starts_with(".")) continue;
    if (!fs::exists(e.path().string() + ".ok")) continue;  // not complete yet
    if (answered.count(name) || fs::exists(s.options.dir / "receipt" / receipt_name(name)))
      continue;
    ready.push_back(e.path());
  }
  std::sort(ready.begin(), ready.end());
  std::vector<std::string> receipts;
  for (const auto& csv : ready) {
    s.answer_file(csv);
    receipts.push_back(receipt_name(csv.filename().string()));
  }
  return receipts;
}

void HotlinePlatform::save_ledger() const {
  write_file_atomically(state_->ledger_path(), state_->ledger.dump(1));
}

const nlohmann::json& HotlinePlatform::ledger() const {
  return state_->ledger;
}

std::uint64_t HotlinePlatform::rows_issued() const {
  return state_->ledger["rows_issued"].get<std::uint64_t>();
}

fs::path HotlinePlatform::export_dir() const {
  return state_->options.dir / "export";
}
fs::path HotlinePlatform::import_dir() const {
  return state_->options.dir / "import";
}
fs::path HotlinePlatform::receipt_dir() const {
  return state_->options.dir / "receipt";
}

}  // namespace appealhub::sim::hotline
