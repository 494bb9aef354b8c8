#include "adapters/hotline12328/file_lifecycle.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

TEST(FileLifecycle, ParsesNames) {
  const auto n = parse_export_file_name("12328_510800JT_20261127091500_000118.csv");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->unit, "510800JT");
  EXPECT_EQ(n->timestamp, "20261127091500");
  EXPECT_EQ(n->sequence, 118u);
  EXPECT_FALSE(parse_export_file_name("12328_510800JT_RESULT_20261128100000_000007"));
  EXPECT_FALSE(parse_export_file_name("12328_510800JT_2026112709150_000118.csv"));
  EXPECT_FALSE(parse_export_file_name("other.csv"));
}

TEST(FileLifecycle, ListsOnlyMarkedFilesBySequence) {
  TempDir dir;
  const auto touch = [&](const std::string& name) { write_file(dir.path() / name, "x"); };
  touch("12328_510800JT_20261127100000_000120.csv");
  touch("12328_510800JT_20261127100000_000120.csv.ok");
  touch("12328_510800JT_20261127090000_000119.csv");  // no marker yet: still growing
  touch("12328_510800JT_20261127110000_000118.csv");
  touch("12328_510800JT_20261127110000_000118.csv.ok");
  touch("manual.csv");
  touch("manual.csv.ok");
  touch("lonely.csv.ok");
  fs::create_directories(dir.path() / "processed");
  const auto files = list_ready_files(dir.path());
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.filename().string());
  EXPECT_EQ(names,
            (std::vector<std::string>{"12328_510800JT_20261127110000_000118.csv",
                                      "12328_510800JT_20261127100000_000120.csv", "manual.csv"}));
}

TEST(FileLifecycle, MovesToProcessedNeverOverwriting) {
  TempDir dir;
  const auto csv = dir.path() / "12328_U_20261127100000_000001.csv";
  write_file(csv, "data");
  write_file(csv.string() + ".ok", "marker");
  const auto moved =
      move_to_processed(csv, dir.path(),
                        std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::November,
                                                    std::chrono::day{28}},
                        "line 4: 工单编号: missing\n");
  const auto day = dir.path() / "processed" / "2026-11-28";
  EXPECT_EQ(moved, day / "12328_U_20261127100000_000001.csv");
  EXPECT_FALSE(fs::exists(csv));
  EXPECT_FALSE(fs::exists(csv.string() + ".ok"));
  EXPECT_EQ(read_file(moved), "data");
  EXPECT_EQ(read_file(day / "12328_U_20261127100000_000001.csv.ok"), "marker");
  EXPECT_EQ(read_file(day / "12328_U_20261127100000_000001.csv.error.txt"),
            "line 4: 工单编号: missing\n");

  // The same name again: kept beside, not overwritten.
  write_file(csv, "data 2");
  write_file(csv.string() + ".ok", "marker 2");
  const auto again =
      move_to_processed(csv, dir.path(),
                        std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::November,
                                                    std::chrono::day{28}});
  EXPECT_EQ(again, day / "12328_U_20261127100000_000001.csv.1");
  EXPECT_EQ(read_file(moved), "data");
  EXPECT_EQ(read_file(again), "data 2");
}

TEST(FileLifecycle, MovesToRejectedWithReport) {
  TempDir dir;
  const auto csv = dir.path() / "12328_U_20261127100000_000002.csv";
  write_file(csv, "data");
  write_file(csv.string() + ".ok", "marker");
  const auto moved = move_to_rejected(csv, "rejected: row count mismatch");
  const auto rejected = dir.path() / "rejected";
  EXPECT_EQ(moved, rejected / csv.filename());
  EXPECT_EQ(read_file(moved), "data");
  EXPECT_TRUE(fs::exists(rejected / "12328_U_20261127100000_000002.csv.ok"));
  EXPECT_EQ(read_file(rejected / "12328_U_20261127100000_000002.csv.error.txt"),
            "rejected: row count mismatch\n");
  EXPECT_FALSE(fs::exists(csv));
}

}  // namespace
}  // namespace appealhub::adapters::hotline12328
