// Schema migrations against a real PostgreSQL: applied once, in order, refused when changed.

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::storage {
namespace {

TEST(Migrations, ApplyEverythingOnceThenNothing) {
  testing::TestDatabase db("migrations_once", false);
  auto connection = connect({db.uri()});
  EXPECT_FALSE(migrations_current(*connection));
  const auto first = apply_migrations(*connection);
  EXPECT_EQ(first.applied.size(), embedded_migrations().size());
  EXPECT_EQ(first.current_version, embedded_migrations().back().version);
  EXPECT_TRUE(migrations_current(*connection));
  const auto second = apply_migrations(*connection);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(db.scalar("SELECT to_regclass('tickets') IS NOT NULL"), "t");
}

TEST(Migrations, ConcurrentStartsApplyEachMigrationOnce) {
  testing::TestDatabase db("migrations_concurrent", false);
  std::vector<std::thread> starts;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    starts.emplace_back([&] {
      try {
        auto connection = connect({db.uri()});
        apply_migrations(*connection);
      } catch (...) {
        ++failures;
      }
    });
  }
  for (auto& t : starts) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(embedded_migrations().size()));
}

TEST(Migrations, AChangedMigrationIsRefused) {
  testing::TestDatabase db("migrations_changed", false);
  auto connection = connect({db.uri()});
  std::vector<Migration> migrations{{1, "first", "CREATE TABLE a (x int)"}};
  apply_migrations(*connection, migrations);
  migrations[0].sql = "CREATE TABLE a (x bigint)";
  try {
    apply_migrations(*connection, migrations);
    FAIL() << "a changed migration was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "migration 1 (first) was changed after it was applied; add a new migration");
  }
}

TEST(Migrations, AFailingMigrationLeavesNothingHalfDone) {
  testing::TestDatabase db("migrations_failing", false);
  auto connection = connect({db.uri()});
  const std::vector<Migration> migrations{
      {1, "good", "CREATE TABLE a (x int)"},
      {2, "bad", "CREATE TABLE b (x int); SELECT no_such_function()"}};
  EXPECT_THROW(apply_migrations(*connection, migrations), pqxx::sql_error);
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_migrations"), "1");
  EXPECT_EQ(db.scalar("SELECT to_regclass('b') IS NULL"), "t");
}

}  // namespace
}  // namespace appealhub::storage
