// The 12328 export folder at volume: a GB18030 export file of N rows (new orders) dropped into the
// folder of a running `appealhub run`, timed from the drop until the commit of the last placed
// ticket. Prints rows a second end to end into PostgreSQL and the hub's peak RSS, for two file
// sizes so that memory growth with file size shows. Beside each, the baseline in the same run: the
// same file read the way the adapter reads it (both passes: hash and count, then decode, parse and
// map each row to an encoded appeal.v1 event) with no broker and no store, so the ratio is what the
// bus, the router and PostgreSQL cost on top of reading. Needs scripts/services.sh. Usage:
// hotline12328_bench [N]

#include <iconv.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>
#include <thread>

#include "adapters/hotline12328/export_file.hpp"
#include "app/routing_settings.hpp"
#include "core/bytes.hpp"
#include "core/codec.hpp"
#include "storage/database.hpp"
#include "tests/support/test_env.hpp"

namespace {

using namespace appealhub;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string to_gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv: no GB18030");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  if (iconv(cd, &in, &in_left, &dst, &out_left) == static_cast<std::size_t>(-1)) {
    iconv_close(cd);
    throw std::runtime_error("iconv failed");
  }
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

// N new orders in the platform's column layout, each with a quoted multi-line content.
std::string export_file_utf8(std::size_t n, std::size_t first) {
  static const char* kDistricts[] = {"利州区", "昭化区", "朝天区", "旺苍县",
                                     "青川县", "剑阁县", "苍溪县"};
  std::string csv =
      "工单编号,派单类型,受理时间,来电号码,来电人,诉求类型,业务类别,所属区县,事发地点,车牌号,"
      "诉求标题,诉求内容,紧急程度,办理时限,需要回访,关联工单,附件,坐席工号\r\n";
  for (std::size_t i = first; i < first + n; ++i) {
    char row[1024];
    std::snprintf(row, sizeof row,
                  "GYB%012zu,新派单,2026-11-27 %02zu:%02zu:%02zu,139%08zu,张先生,投诉,出租汽车,%s,"
                  "万达广场东门,川H·T%04zu,出租车拒载,\"今天在万达广场东门打车，司机拒绝载客。\r\n"
                  "车牌川H·T%04zu，希望严肃处理，第%zu单。\",一般,,是,,,A1023\r\n",
                  i, 8 + i % 10, i % 60, (i / 60) % 60, i % 100000000, kDistricts[i % 7], i % 10000,
                  i % 10000, i);
    csv += row;
  }
  return csv;
}

std::string log_level() {
  const char* level = std::getenv("HOTLINE12328_BENCH_LOG");
  return level != nullptr ? level : "warn";
}

struct Result {
  double rows_per_second;
  double peak_mb;
  double baseline_rows_per_second = 0;
};

// The adapter's reading alone: pass 1 and pass 2 over the file, every event encoded.
double read_only_rate(const fs::path& csv, std::size_t n) {
  namespace h = adapters::hotline12328;
  const auto start = Clock::now();
  h::Marker marker;
  const auto checked = h::check_export_file(csv.string(), &marker);
  if (checked.status != h::ExportStatus::taken) throw std::runtime_error("baseline: file refused");
  h::ExportRowStream stream(csv.string(), marker);
  std::vector<h::ExportedEvent> events;
  std::vector<h::RowError> errors;
  std::size_t encoded = 0, bytes = 0;
  bool more = true;
  while (more) {
    more = stream.next(2000, events, errors);
    for (const auto& e : events) {
      bytes += core::encode_event(e.event).size();
      ++encoded;
    }
  }
  if (encoded != n || bytes == 0) throw std::runtime_error("baseline: rows lost");
  return static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - start).count();
}

Result run(std::size_t n) {
  testing::TestDatabase db("bench_12328_" + std::to_string(n));
  testing::TestVhost vhost("bench_12328_" + std::to_string(n));
  app::RoutingSettings({db.uri()}).seed_defaults();
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_12328_bench_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "export");
  const fs::path config = root / "appealhub.json";
  std::ofstream(config) << R"({"hotline12328": {"export_dir": ")" << (root / "export").string()
                        << R"(", "poll_interval_ms": 100}, "log": {"level": ")" << log_level()
                        << R"("}})";

  const std::string bytes = to_gb18030(export_file_utf8(n, 1));
  const std::string name = "12328_510800JT_20261127160000_000001.csv";
  double baseline = 0;
  {
    fs::create_directories(root / "baseline");
    std::ofstream(root / "baseline" / name, std::ios::binary) << bytes;
    std::ofstream(root / "baseline" / (name + ".ok"))
        << "rows=" << n << "\nencoding=GB18030\nsha256=" << core::sha256_hex(bytes) << "\n";
    baseline = read_only_rate(root / "baseline" / name, n);
  }

  testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config.string()},
                            {{"APPEALHUB_PG_URI", db.uri()}, {"APPEALHUB_AMQP_URI", vhost.uri()}},
                            (root / "hub.log").string());
  hub.start();
  std::this_thread::sleep_for(1500ms);

  auto c = storage::connect({db.uri()});
  const auto started_at = pqxx::nontransaction(*c)
                              .exec1("SELECT extract(epoch FROM clock_timestamp())")[0]
                              .as<double>();
  const auto start = Clock::now();
  std::ofstream(root / "export" / name, std::ios::binary) << bytes;
  std::ofstream(root / "export" / (name + ".ok"))
      << "rows=" << n << "\nencoding=GB18030\nsha256=" << core::sha256_hex(bytes) << "\n";
  while (true) {
    pqxx::read_transaction txn(*c);
    if (txn.exec1("SELECT count(*) FROM tickets WHERE status <> 'received'")[0].as<std::size_t>() >=
        n)
      break;
    txn.commit();
    // The count scans the table: polled at a tenth of the time so far (50-1000 ms), it costs the
    // store little. The time is taken from the commits below, not from when the poll saw them.
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::this_thread::sleep_for(
        std::clamp(elapsed / 10, std::chrono::milliseconds(50), std::chrono::milliseconds(1000)));
    if (!hub.running())
      throw std::runtime_error("appealhub exited; see " + (root / "hub.log").string());
    if (Clock::now() - start > 900s) throw std::runtime_error("not done in 900 s");
  }
  // Until the last ticket's commit (track_commit_timestamp, set by scripts/services.sh); without
  // it, until the poll saw every ticket.
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  try {
    seconds = pqxx::nontransaction(*c)
                  .exec1(
                      "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))) FROM "
                      "tickets")[0]
                  .as<double>() -
              started_at;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "no commit timestamps (%s): timed by the poll\n", e.what());
  }
  const double peak = static_cast<double>(hub.peak_rss_kib()) / 1024.0;
  hub.terminate();
  // HOTLINE12328_BENCH_LOG=info keeps the hub's log (intake progress, file taken) for a look.
  if (std::getenv("HOTLINE12328_BENCH_LOG") != nullptr) {
    fs::copy_file(root / "hub.log",
                  fs::temp_directory_path() / ("hotline12328_bench_" + std::to_string(n) + ".log"),
                  fs::copy_options::overwrite_existing);
  }
  fs::remove_all(root);
  return {static_cast<double>(n) / seconds, peak, baseline};
}

void print(std::size_t n, const Result& r) {
  std::printf(
      "12328 export file of %7zu rows (GB18030): %7.0f rows/s into placed tickets, hub peak RSS "
      "%6.1f MB; baseline (reading only) %7.0f rows/s, ratio %.2f\n",
      n, r.rows_per_second, r.peak_mb, r.baseline_rows_per_second,
      r.rows_per_second / r.baseline_rows_per_second);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 100000;
  const auto small = run(n / 10);
  print(n / 10, small);
  const auto large = run(n);
  print(n, large);
  std::printf(
      "target: >= 5000 rows/s end to end; memory flat with file size (hub RSS ratio %.2f for 10x "
      "the rows)\n",
      large.peak_mb / small.peak_mb);
  return 0;
}
