#include "sim/hotline/hotline_sim.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "sim/hotline/hotline_platform.hpp"

namespace appealhub::sim::hotline {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) {
  g_stop = true;
}

constexpr const char* kUsage = R"(usage: appealhub-sim hotline --dir DIR [options]
The 12328 platform: export files into DIR/export, result files read from DIR/import, receipts
into DIR/receipt, a ledger in DIR/sim-ledger.json. Runs until SIGINT/SIGTERM, --duration or --once.
  --unit CODE              receiving unit's code in file names (510800JT)
  --rate N                 rows a second (10)
  --count N                stop issuing after N rows (0: no limit)
  --rows-per-file N        rows per export file at most (50)
  --file-interval-ms N     write waiting rows at least this often (1000)
  --encoding E             export files: GB18030 | UTF-8 | UTF-8-BOM (GB18030)
  --import-encoding E      the unit's configured result-file encoding (GB18030)
  --shuffle-columns        columns in another order than the document's table
  --extra-column           an extra column (来源渠道) the document does not list
  --old-dates F            fraction of rows with YYYY/M/D H:MM dates (0.2)
  --followups F            fraction of rows that are 补充/催办/撤销 on earlier orders (0.3)
  --reassign F             chance per row that a returned order is sent again, 改派 (0.8)
  --seed N                 random seed (12328)
faults (fractions 0..1):
  --damaged-sha F          export files whose marker has a wrong SHA-256
  --damaged-rows F         export files whose marker has a wrong row count
  --slow F                 export files written slowly (the CSV grows before its marker)
  --slow-ms N              how long a slow file grows (2000)
  --bad-rows F             rows missing 工单编号 or 受理时间, or of an unknown 派单类型
  --out-of-order F         export files written after the next one
  --duplicates F           新派单 exported again later
  --busy F                 result rows answered 失败 系统繁忙请重试
run:
  --poll-ms N              how often import/ is read (500)
  --duration S             stop after S seconds (0: until a signal)
  --once                   issue --count rows at once, answer import/ once, and exit
  --ledger FILE            ledger path (DIR/sim-ledger.json)
)";

double fraction(const std::string& flag, const std::string& value) {
  const double f = std::stod(value);
  if (f < 0 || f > 1) throw std::invalid_argument(flag + " takes a fraction from 0 to 1");
  return f;
}

FileEncoding encoding(const std::string& value) {
  const auto e = parse_file_encoding(value);
  if (!e) throw std::invalid_argument("unknown encoding '" + value + "'");
  return *e;
}

}  // namespace

int run(int argc, char** argv) {
  HotlineOptions options;
  double rate = 10;
  std::uint64_t count = 0;
  std::chrono::milliseconds file_interval{1000}, poll{500};
  double duration = 0;
  bool once = false;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--help" || flag == "-h") {
        std::cout << kUsage;
        return 0;
      }
      const auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
        return argv[++i];
      };
      if (flag == "--dir") {
        options.dir = value();
      } else if (flag == "--unit") {
        options.unit = value();
      } else if (flag == "--rate") {
        rate = std::stod(value());
      } else if (flag == "--count") {
        count = std::stoull(value());
      } else if (flag == "--rows-per-file") {
        options.rows_per_file = std::stoul(value());
      } else if (flag == "--file-interval-ms") {
        file_interval = std::chrono::milliseconds(std::stol(value()));
      } else if (flag == "--encoding") {
        options.encoding = encoding(value());
      } else if (flag == "--import-encoding") {
        options.import_encoding = encoding(value());
      } else if (flag == "--shuffle-columns") {
        options.shuffle_columns = true;
      } else if (flag == "--extra-column") {
        options.extra_column = true;
      } else if (flag == "--old-dates") {
        options.old_dates = fraction(flag, value());
      } else if (flag == "--followups") {
        options.followups = fraction(flag, value());
      } else if (flag == "--reassign") {
        options.reassign = fraction(flag, value());
      } else if (flag == "--seed") {
        options.seed = std::stoull(value());
      } else if (flag == "--damaged-sha") {
        options.faults.damaged_sha = fraction(flag, value());
      } else if (flag == "--damaged-rows") {
        options.faults.damaged_rows = fraction(flag, value());
      } else if (flag == "--slow") {
        options.faults.slow = fraction(flag, value());
      } else if (flag == "--slow-ms") {
        options.faults.slow_write = std::chrono::milliseconds(std::stol(value()));
      } else if (flag == "--bad-rows") {
        options.faults.bad_rows = fraction(flag, value());
      } else if (flag == "--out-of-order") {
        options.faults.out_of_order = fraction(flag, value());
      } else if (flag == "--duplicates") {
        options.faults.duplicates = fraction(flag, value());
      } else if (flag == "--busy") {
        options.faults.busy = fraction(flag, value());
      } else if (flag == "--poll-ms") {
        poll = std::chrono::milliseconds(std::stol(value()));
      } else if (flag == "--duration") {
        duration = std::stod(value());
      } else if (flag == "--once") {
        once = true;
      } else if (flag == "--ledger") {
        options.ledger = value();
      } else {
        throw std::invalid_argument("unknown option " + flag);
      }
    }
    if (options.dir.empty()) throw std::invalid_argument("--dir is required");
    if (rate <= 0) throw std::invalid_argument("--rate must be above 0");
  } catch (const std::exception& e) {
    std::cerr << "appealhub-sim hotline: " << e.what() << "\n" << kUsage;
    return 2;
  }

  try {
    HotlinePlatform platform(options);
    const auto report = [&](const std::vector<std::string>& files, const char* what) {
      for (const auto& f : files) std::cerr << "hotline sim: " << what << " " << f << "\n";
    };
    if (once) {
      report(platform.export_rows(count), "wrote");
      report(platform.finish(), "wrote");
      report(platform.process_imports(), "answered with");
      platform.save_ledger();
      return 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto last_file = start, last_save = start, last_poll = start - poll;
    std::uint64_t issued = 0;
    bool dirty = false;
    while (!g_stop.load()) {
      const auto now = Clock::now();
      const double elapsed = std::chrono::duration<double>(now - start).count();
      if (duration > 0 && elapsed >= duration) break;
      auto due = static_cast<std::uint64_t>(elapsed * rate);
      if (count > 0) due = std::min(due, count);
      const std::uint64_t waiting = due > issued ? due - issued : 0;
      if (waiting >= options.rows_per_file || (waiting > 0 && now - last_file >= file_interval)) {
        const auto n = std::min<std::uint64_t>(waiting, options.rows_per_file);
        report(platform.export_rows(n), "wrote");
        issued += n;
        last_file = now;
        dirty = true;
      }
      if (now - last_poll >= poll) {
        const auto receipts = platform.process_imports();
        report(receipts, "answered with");
        dirty = dirty || !receipts.empty();
        last_poll = now;
      }
      // The ledger is rewritten whole: at most once a second while running.
      if (dirty && now - last_save >= std::chrono::seconds(1)) {
        platform.save_ledger();
        last_save = now;
        dirty = false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    report(platform.finish(), "wrote");
    platform.save_ledger();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "appealhub-sim hotline: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace appealhub::sim::hotline
