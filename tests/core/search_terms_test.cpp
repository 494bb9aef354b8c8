// Search terms for Chinese text: Han bigrams, ASCII words, what separates them.

#include "core/search_terms.hpp"

#include <gtest/gtest.h>

namespace appealhub::core {
namespace {

using V = std::vector<std::string>;

TEST(SearchTerms, HanRunsGiveTheirBigrams) {
  EXPECT_EQ(search_terms("出租车起步价"), (V{"出租", "租车", "车起", "起步", "步价"}));
  EXPECT_EQ(search_terms("车"), (V{"车"})) << "a lone character stands for itself";
  EXPECT_EQ(search_terms("网约车，驾驶员证？"), (V{"网约", "约车", "驾驶", "驶员", "员证"}))
      << "punctuation separates";
}

TEST(SearchTerms, AsciiWordsAreLowerCaseAndFullWidthFolds) {
  EXPECT_EQ(search_terms("ETC怎么办"), (V{"etc", "怎么", "么办"}));
  EXPECT_EQ(search_terms("ＥＴＣ 12328"), (V{"etc", "12328"}));
  EXPECT_EQ(search_terms("G5京昆高速"), (V{"g5", "京昆", "昆高", "高速"}));
}

TEST(SearchTerms, NothingToFindInPunctuationOrBrokenBytes) {
  EXPECT_TRUE(search_terms("").empty());
  EXPECT_TRUE(search_terms("。，！？ -- ").empty());
  EXPECT_EQ(search_terms("\xE5\x87\xBA\xFF\xE7\xA7\x9F"), (V{"出", "租"}))
      << "a bad byte separates";
  EXPECT_EQ(search_terms("\xE5\x87"), V{}) << "a cut sequence is skipped";
}

}  // namespace
}  // namespace appealhub::core
