// The knowledge base in the store: versions with who and when, search over the labelled set
// (tests/storage/data/knowledge-labelled.json: the right entry in the top three for at least 85%
// of 200 citizens' appeals), drafts and expired entries never found, the review flag, and the
// shipped entries. Needs PostgreSQL.

#include <gtest/gtest.h>

#include <cstdio>
#include <pqxx/pqxx>
#include <stdexcept>

#include "config/shipped_defaults.hpp"
#include "core/json_reader.hpp"
#include "storage/database.hpp"
#include "storage/knowledge.hpp"
#include "tests/support/knowledge_labelled.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::storage {
namespace {

class Knowledge : public ::testing::Test {
 protected:
  Knowledge() : db_("knowledge"), conn_(connect({db_.uri()})) {}

  KnowledgeEntry sample() {
    KnowledgeEntry e;
    e.question = "苍溪县出租车起步价是多少？";
    e.answer = "按县价格主管部门核定的标准执行。";
    e.keywords = {"出租车", "的士"};
    e.category = "taxi";
    e.divisions = {"510824"};
    e.owner_department = "cxx";
    e.review_date = "2030-01-01";
    e.state = "published";
    return e;
  }
  std::int64_t create(const KnowledgeEntry& e) {
    pqxx::work txn(*conn_);
    const auto id = create_entry(txn, e, "staff_cxx");
    txn.commit();
    return id;
  }
  std::vector<KnowledgeHit> search(const std::string& text, const std::string& division = "") {
    pqxx::read_transaction txn(*conn_);
    return search_entries(txn, text, division, 3);
  }

  testing::TestDatabase db_;
  std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(Knowledge, TheRightEntryIsInTheTopThreeForTheLabelledAppeals) {
  ASSERT_EQ(testing::seed_labelled_entries(*conn_).size(), 200u);
  const auto result = testing::evaluate_labelled(*conn_);
  std::printf(
      "labelled set: %d appeals, right entry first %d (%.1f%%), in the top three %d (%.1f%%)\n",
      result.appeals, result.top1, 100.0 * result.top1 / result.appeals, result.top3,
      100.0 * result.top3_share());
  for (const auto& miss : result.misses) std::printf("  missed: %s\n", miss.c_str());
  EXPECT_EQ(result.appeals, 200);
  EXPECT_GE(result.top3_share(), 0.85);
}

TEST_F(Knowledge, EverySaveIsAVersionWithWhoAndWhen) {
  auto e = sample();
  e.id = create(e);
  pqxx::work txn(*conn_);
  e.answer = "起步价以车内张贴的运价标准为准。";
  EXPECT_EQ(update_entry(txn, e, 1, "mgr", "updated fare"), 2);
  EXPECT_EQ(update_entry(txn, e, 1, "other", "stale"), std::nullopt)
      << "a save over a version someone else changed is refused";
  const auto versions = entry_versions(txn, e.id);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]["version"], 2);
  EXPECT_EQ(versions[0]["changed_by"], "mgr");
  EXPECT_EQ(versions[0]["note"], "updated fare");
  EXPECT_EQ(versions[0]["entry"]["answer"], e.answer);
  EXPECT_EQ(versions[1]["changed_by"], "staff_cxx");
  EXPECT_EQ(versions[1]["entry"]["answer"], "按县价格主管部门核定的标准执行。");
  EXPECT_FALSE(versions[1]["changed_at"].get<std::string>().empty());
  const auto stored = find_entry(txn, e.id);
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->updated_by, "mgr");
}

TEST_F(Knowledge, DraftsAndExpiredEntriesAreNeverFound) {
  auto e = sample();
  e.id = create(e);
  ASSERT_EQ(search("苍溪打的起步价多少").size(), 1u);
  EXPECT_EQ(search("苍溪打的起步价多少", "510802").size(), 0u) << "an entry of another division";
  EXPECT_EQ(search("苍溪打的起步价多少", "510824").size(), 1u);
  pqxx::work txn(*conn_);
  e.state = "expired";
  ASSERT_TRUE(update_entry(txn, e, 1, "mgr"));
  txn.commit();
  EXPECT_TRUE(search("苍溪打的起步价多少").empty());
  auto draft = sample();
  draft.state = "draft";
  create(draft);
  EXPECT_TRUE(search("苍溪打的起步价多少").empty());
  EXPECT_TRUE(search("。，！").empty());
  EXPECT_EQ(db_.scalar("SELECT published FROM kb_search_stats"),
            db_.scalar("SELECT count(*) FROM kb_entries WHERE state = 'published'"))
      << "the count that weighs terms follows every change of state";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM kb_terms"), "0");
}

TEST_F(Knowledge, EntriesPastTheirReviewDateAreFlaggedToTheirOwner) {
  auto old = sample();
  old.review_date = "2020-01-01";
  const auto old_id = create(old);
  create(sample());
  auto other = sample();
  other.review_date = "2020-01-01";
  other.owner_department = "wcx";
  create(other);
  pqxx::read_transaction txn(*conn_);
  const auto due = entries_due_for_review(txn, {"cxx"});
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, old_id);
  EXPECT_TRUE(due[0].review_due);
  EXPECT_FALSE(find_entry(txn, old_id + 1)->review_due);
  EXPECT_EQ(search_entries(txn, "苍溪打的起步价多少", "", 5).size(), 3u)
      << "a published entry past review is still suggested (flagged), unlike an expired one";
}

TEST_F(Knowledge, TheShippedEntriesAreStoredOnceAndFindable) {
  const auto shipped = config::shipped_default("knowledge-base.json");
  ASSERT_FALSE(shipped.empty());
  {
    pqxx::work txn(*conn_);
    EXPECT_GE(seed_knowledge(txn, shipped), 10);
    txn.commit();
  }
  {
    // An office expired one; the next migrate must not bring it back or add a second copy.
    pqxx::work txn(*conn_);
    txn.exec("UPDATE kb_entries SET state = 'expired' WHERE shipped_key = 'etc-apply'");
    EXPECT_EQ(seed_knowledge(txn, shipped), 0);
    txn.commit();
  }
  EXPECT_EQ(db_.scalar("SELECT state FROM kb_entries WHERE shipped_key = 'etc-apply'"), "expired");
  const auto hits = search("网约车驾驶员证怎么办");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(db_.scalar("SELECT shipped_key FROM kb_entries WHERE id = " +
                       std::to_string(hits[0].entry.id)),
            "ride-hailing-driver-permit");
  const auto taxi = search("出租车起步价多少");
  ASSERT_FALSE(taxi.empty());
  EXPECT_EQ(taxi[0].entry.owner_department, "dlys");
}

TEST_F(Knowledge, BrokenEntriesAreRefusedNamingTheField) {
  const nlohmann::json broken = {{"question", ""},
                                 {"answer", "a"},
                                 {"owner_department", "dlys"},
                                 {"review_date", "2027-13-01"},
                                 {"state", "gone"},
                                 {"divisions", {"5108"}},
                                 {"keywords", {"好", 7}},
                                 {"policy", {{"url", "ftp://x"}}}};
  std::vector<core::JsonError> errors;
  core::JsonReader reader(broken, "", "entry", errors);
  entry_from_json(reader);
  const auto all = core::to_string(errors);
  for (const char* field :
       {"question: must not be empty", "review_date: a date", "state: draft, published or expired",
        "divisions: six-digit", "keywords[1]: must be a string", "policy.url: an http(s) link"}) {
    EXPECT_NE(all.find(field), std::string::npos) << field << " in " << all;
  }
}

// A shipped file is read whole before anything is stored, and each broken member is named.
TEST_F(Knowledge, ABrokenShippedFileStoresNothing) {
  const nlohmann::json file = {
      {"entries",
       {{{"key", "good"},
         {"question", "出租车起步价多少？"},
         {"answer", "按物价部门规定执行。"},
         {"owner_department", "dlys"},
         {"review_date", "2030-01-01"}},
        {{"key", "bad"}, {"question", "?"}, {"answer", "a"}, {"review_date", "2030-01-01"}},
        {{"key", "typo"},
         {"question", "?"},
         {"answer", "a"},
         {"owner_department", "dlys"},
         {"review_date", "2030-01-01"},
         {"categroy", "taxi"}}}}};
  pqxx::work txn(*conn_);
  try {
    seed_knowledge(txn, file.dump());
    FAIL() << "a broken file is refused";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("entries[1].owner_department: required"), std::string::npos) << what;
    EXPECT_NE(what.find("entries[2].categroy: unknown key"), std::string::npos) << what;
  }
  EXPECT_EQ(txn.exec("SELECT count(*) FROM kb_entries WHERE shipped_key = 'good'")[0][0].as<int>(),
            0);
}

}  // namespace
}  // namespace appealhub::storage
