#pragma once
// The knowledge base's labelled set (tests/storage/data/knowledge-labelled.json): its entries
// stored through storage/knowledge.hpp, and how often the right entry comes in the top three for
// its citizens' appeals. Shared by knowledge_pgtest (which asserts it) and knowledge_bench (which
// prints it).

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace appealhub::testing {

struct LabelledResult {
  int appeals = 0;
  int top1 = 0, top3 = 0;
  std::vector<std::string> misses;  // "title → expected, got a, b, c"
  double top3_share() const { return appeals ? static_cast<double>(top3) / appeals : 0; }
};

// Stores the set's entries (by key: entries already stored are kept); returns key → id.
std::vector<std::pair<std::string, std::int64_t>> seed_labelled_entries(pqxx::connection& db);
// Searches each appeal's title and content and counts where its labelled entry comes.
LabelledResult evaluate_labelled(pqxx::connection& db);

}  // namespace appealhub::testing
