#include "tests/support/knowledge_labelled.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/knowledge.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub::testing {
namespace {

nlohmann::json labelled_set() {
  std::ifstream in(repo_root() + "/tests/storage/data/knowledge-labelled.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace

std::vector<std::pair<std::string, std::int64_t>> seed_labelled_entries(pqxx::connection& db) {
  auto set = labelled_set();
  pqxx::work txn(db);
  storage::seed_knowledge(txn, set.dump());
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r :
       txn.exec("SELECT shipped_key, id FROM kb_entries WHERE shipped_key IS NOT NULL"))
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  txn.commit();
  return out;
}

LabelledResult evaluate_labelled(pqxx::connection& db) {
  const auto set = labelled_set();
  std::map<std::int64_t, std::string> key_of;
  pqxx::read_transaction txn(db);
  for (const auto& r :
       txn.exec("SELECT id, shipped_key FROM kb_entries WHERE shipped_key IS NOT NULL"))
    key_of[r[0].as<std::int64_t>()] = r[1].as<std::string>();
  LabelledResult result;
  for (const auto& appeal : set.at("appeals")) {
    const auto expected = appeal.at("expected").get<std::string>();
    const auto hits = storage::search_entries(
        txn, appeal.at("title").get<std::string>() + "。" + appeal.at("content").get<std::string>(),
        "", 3);
    ++result.appeals;
    std::string got;
    bool found = false;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const auto& key = key_of[hits[i].entry.id];
      got += (i ? ", " : "") + key;
      if (key == expected) {
        found = true;
        if (i == 0) ++result.top1;
      }
    }
    if (found) {
      ++result.top3;
    } else {
      result.misses.push_back(appeal.at("title").get<std::string>() + " → " + expected + ", got " +
                              (got.empty() ? "nothing" : got));
    }
  }
  return result;
}

}  // namespace appealhub::testing
