#include "core/search_terms.hpp"

#include "core/text.hpp"

namespace appealhub::core {
namespace {

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

}  // namespace

std::vector<std::string> search_terms(std::string_view text) {
  constexpr std::size_t kLongestWord = 32;  // longer ASCII runs (hashes, links) are cut
  std::vector<std::string> out;
  std::vector<char32_t> han;  // the current run of Han characters
  std::string word;           // the current run of ASCII letters and digits
  const auto end_han = [&] {
    if (han.size() == 1) {
      out.emplace_back();
      append_utf8(out.back(), han[0]);
    }
    for (std::size_t i = 0; i + 1 < han.size(); ++i) {
      out.emplace_back();
      append_utf8(out.back(), han[i]);
      append_utf8(out.back(), han[i + 1]);
    }
    han.clear();
  };
  const auto end_word = [&] {
    if (!word.empty()) out.push_back(word.substr(0, kLongestWord));
    word.clear();
  };
  for (std::size_t at = 0; at < text.size();) {
    char32_t c = next_code_point(text, at);
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    const bool ascii_alnum =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (is_han(c)) {
      end_word();
      han.push_back(c);
    } else if (ascii_alnum) {
      end_han();
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else {
      end_han();
      end_word();
    }
  }
  end_han();
  end_word();
  return out;
}

}  // namespace appealhub::core
