#pragma once
// Search terms for Chinese text (docs/decisions/0016-knowledge-search-terms.md): every pair of
// adjacent Han characters (a lone Han character stands for itself), and every run of ASCII
// letters and digits as one lower-case word. Full-width letters and digits count as ASCII;
// anything else (punctuation, spaces, other scripts) separates. No dictionary: 出租车起步价 gives
// 出租 租车 车起 起步 步价, and a question shares most of its bigrams with the entry that answers
// it.

#include <string>
#include <string_view>
#include <vector>

namespace appealhub::core {

// The terms of `text` in order, repeats kept. Malformed UTF-8 bytes separate like punctuation.
std::vector<std::string> search_terms(std::string_view text);

}  // namespace appealhub::core
