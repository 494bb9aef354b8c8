// The 12328 export folder end to end: `appealhub run` watching a folder takes the platform's
// files into tickets, rejects a damaged file whole, and takes nothing twice when the platform
// exports the same file again. Needs PostgreSQL and RabbitMQ.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/bytes.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kSample = "12328_510800JT_20261127160000_000118.csv";

fs::path data_file(const std::string& name) {
  return fs::path(testing::repo_root()) / "tests/adapters/hotline12328/data" / name;
}

std::size_t files_in(const fs::path& dir, const std::string& suffix) {
  if (!fs::exists(dir)) return 0;
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    n += e.is_regular_file() && name.size() >= suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return n;
}

TEST(HotlineExportIntake, FilesBecomeTicketsDamagedOnesAreRejectedAndReExportsChangeNothing) {
  testing::TestDatabase db("hotline_export");
  testing::TestVhost vhost("hotline_export");
  const fs::path root =
      fs::temp_directory_path() / ("appealhub_12328_" + std::to_string(::getpid()));
  const fs::path exports = root / "export";
  fs::remove_all(root);
  fs::create_directories(exports);

  // A damaged transfer: the CSV lost its last bytes, the marker still names the original.
  const std::string damaged = "12328_510800JT_20261127170000_000119.csv";
  fs::copy_file(data_file(kSample), exports / damaged);
  fs::resize_file(exports / damaged, fs::file_size(exports / damaged) - 10);
  fs::copy_file(data_file(kSample + ".ok"), exports / (damaged + ".ok"));
  fs::copy_file(data_file(kSample), exports / kSample);
  fs::copy_file(data_file(kSample + ".ok"), exports / (kSample + ".ok"));
  // A file taken with one refused row (an unknown 派单类型 on line 2).
  const std::string with_bad_row = "12328_510800JT_20261127155000_000117.csv";
  const std::string bad_csv =
      "工单编号,派单类型,受理时间,来电号码,来电人,诉求类型,业务类别,所属区县,事发地点,车牌号,"
      "诉求标题,诉求内容,紧急程度,办理时限,需要回访,关联工单,附件,坐席工号\r\n"
      "GY12328202611279999,转办,2026-11-27 17:40:00,,匿名,投诉,出租汽车,利州区,,,标题,内容,一般,"
      ",否,,,A1023\r\n";
  std::ofstream(exports / with_bad_row, std::ios::binary) << bad_csv;
  std::ofstream(exports / (with_bad_row + ".ok"))
      << "rows=1\nencoding=UTF-8\nsha256=" << core::sha256_hex(bad_csv) << "\n";
  // A file still being written: no marker yet, never read.
  fs::copy_file(data_file(kSample), exports / "12328_510800JT_20261127180000_000120.csv");

  const fs::path config = root / "appealhub.json";
  std::ofstream(config) << R"({"hotline12328": {"export_dir": ")" << exports.string()
                        << R"(", "poll_interval_ms": 200}})";
  testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config.string()},
                            {{"APPEALHUB_PG_URI", db.uri()}, {"APPEALHUB_AMQP_URI", vhost.uri()}},
                            (root / "hub.log").string());
  hub.start();

  ASSERT_TRUE(testing::eventually(60s,
                                  [&] {
                                    return db.scalar("SELECT count(*) FROM tickets") == "3" &&
                                           files_in(exports / "processed", ".ok") == 2 &&
                                           db.scalar("SELECT count(*) FROM parked_events") == "2" &&
                                           files_in(exports / "rejected", ".error.txt") == 1;
                                  }))
      << "see " << (root / "hub.log");

  // The sample: three new orders, a supplement to one of them, an urge and a withdrawal for
  // orders the hub has not seen (kept until they arrive).
  EXPECT_EQ(
      db.scalar("SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
                " WHERE t.external_id = 'GY12328202611270153' AND e.type = 'appeal.supplemented'"),
      "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets WHERE status = 'received'"), "0");
  EXPECT_EQ(db.scalar("SELECT value FROM channel_cursors WHERE channel = 'hotline12328'"), "118");
  EXPECT_TRUE(fs::exists(exports / "rejected" / damaged));
  EXPECT_EQ(files_in(exports / "processed", ".csv"), 2u);
  // Every refusal is stored with its file, line and reason (not only in .error.txt).
  EXPECT_EQ(db.scalar("SELECT count(*) FROM hotline_refused"), "2");
  EXPECT_NE(db.scalar("SELECT reason FROM hotline_refused WHERE file = '" + damaged +
                      "' AND line IS NULL")
                .find("SHA-256"),
            std::string::npos);
  EXPECT_NE(db.scalar("SELECT reason FROM hotline_refused WHERE file = '" + with_bad_row +
                      "' AND line = 2")
                .find("派单类型"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(exports / "12328_510800JT_20261127180000_000120.csv"))
      << "a file without its marker is left alone";
  std::ifstream report(exports / "rejected" / (damaged + ".error.txt"));
  const std::string text((std::istreambuf_iterator<char>(report)),
                         std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("SHA-256"), std::string::npos) << text;

  // The platform exports the same file again after a restart: nothing changes.
  const auto events_before = db.scalar("SELECT count(*) FROM ticket_events");
  fs::copy_file(data_file(kSample), exports / kSample);
  fs::copy_file(data_file(kSample + ".ok"), exports / (kSample + ".ok"));
  // Kept beside the first copy (name.1), never overwritten; counted by their markers.
  ASSERT_TRUE(
      testing::eventually(30s, [&] { return files_in(exports / "processed", ".ok") == 3; }));
  std::this_thread::sleep_for(2s);  // let intake apply whatever was published
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tickets"), "3");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ticket_events"), events_before);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM parked_events"), "2");

  EXPECT_EQ(hub.terminate(), 0);
  fs::remove_all(root);
}

}  // namespace
}  // namespace appealhub
