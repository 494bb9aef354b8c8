#pragma once
// Duplicate detection (重复诉求并单): is a new appeal the same complaint as an open ticket?
//
// The store finds candidates two ways (docs/duplicates.md): by keys in the intake transaction
// (ticket_keys: phone, masked phone, landline, plate) and by text after the commit (indexed
// character bigrams, text_index_grams); this module makes the keys and grams and decides, among
// the few candidates found, which one the appeal repeats, if any. Pure: no I/O, no clock. The
// method, its features and the measured precision and recall are in docs/duplicates.md.
//
// Text is compared without word segmentation: the Unicode code points of title and content are
// normalized (full-width → half-width, ASCII lower case, punctuation and spaces dropped) and cut
// into character bigrams; two texts are compared by a weighted overlap of their bigram sets, with
// boilerplate bigrams of appeal language (尊敬的领导, 来电人反映, 请相关部门处理 …) weighing
// little. Identifiers that a bigram overlap cannot tell apart are compared on their own: bus or
// road line numbers (6路 vs 16路, 国道108线), vehicle plates mentioned in the text, calendar dates
// (5月6日), the Guangyuan district or county named, and named places (乔庄镇 vs 木鱼镇).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/appeal.hpp"
#include "router/duplicate_options.hpp"

namespace appealhub::router {

// An open ticket the store found for the same phone or plate within the window.
struct DuplicateCandidate {
  std::int64_t ticket_id = 0;
  std::string channel;
  std::string phone;     // as the ticket's appeal carried it: full, landline or masked
  std::string plate;     // normalized (core::normalize_plate), or empty
  std::string division;  // 6-digit division code, or empty
  std::string category;  // business category code, or empty
  std::string title;
  std::string content;
  std::chrono::sys_seconds received{};
};

struct DuplicateVerdict {
  std::int64_t ticket_id = 0;
  double score = 0;  // 0..1
  enum class Action { merge, suggest } action = Action::suggest;
  // Why, for the operator and the ticket's timeline: "same phone, text similarity 0.82".
  std::string reason;
};

// What a text is compared by, computed once per text. Build it for the incoming appeal once and
// compare it with each candidate's.
struct TextShingles {
  // Sorted, unique character bigrams (two code points packed in 42 bits) and their weights.
  std::vector<std::uint64_t> grams;
  std::vector<float> weights;
  double total_weight = 0;
  // Line numbers followed by 路 or 线 ("6", "16", "k1", "108"), sorted, unique.
  std::vector<std::string> lines;
  // Vehicle plates written in the text, normalized (川HT2851), sorted, unique.
  std::vector<std::string> plates;
  // Dates written as M月D日 or M月D号, as month * 100 + day, sorted, unique.
  std::vector<int> dates;
  // Other numbers (amounts, times, counts, kilometre posts), without leading zeros, sorted, unique.
  std::vector<std::string> numbers;
  // Named places: two characters before a place word (镇 乡 村 桥 码头 渡口 广场 工程 驾校 医院
  // 小区 公园 景区 古城 汽修 机场), such as 乔庄镇, 加固工程, 鸿运驾校; sorted, unique.
  std::vector<std::string> places;
  // Guangyuan districts and counties named (利州 昭化 朝天 旺苍 青川 剑阁 苍溪), one bit each.
  unsigned counties = 0;

  static TextShingles of(std::string_view text);
  // Title and content as one text, without a bigram across the boundary.
  static TextShingles of(std::string_view title, std::string_view content);
};

// Similarity of two texts in 0..1: the mean of the weighted Dice coefficient and the weighted
// overlap coefficient (intersection ÷ the smaller text) of their bigram sets. 1 for texts equal
// after normalization; near 0 for unrelated ones. Only the wording: the identifiers (lines,
// plates, dates) are compared by find_duplicate, not here.
double text_similarity(std::string_view a, std::string_view b);
double text_similarity(const TextShingles& a, const TextShingles& b);

// Phones: digits only, +86/86 dropped from mobiles. A masked mobile (139****1234) keeps its
// asterisks.
std::string normalize_phone(std::string_view phone);

enum class PhoneMatch {
  none,    // different, or one side empty
  masked,  // a masked mobile whose visible prefix (3) and suffix (4) agree with the other phone:
           // 10,000 mobiles share them, so only a weaker signal
  exact,   // the same number (a landline may omit the 0839 area code on one side)
};
PhoneMatch match_phones(std::string_view a, std::string_view b);

// The keys the store finds key candidates by (ticket_keys), sorted and unique:
// "p:13912341234" for a full mobile, "m:1391234" for a full mobile's visible digits (prefix 3,
// suffix 4), "x:1391234" for a masked one (139****1234), "l:3261234" for a landline without its
// area code, "v:川HT2851" for the plate field and each plate written in the title or content
// (川H·T2851, 川h t2851, H T2851). `stored` goes on the ticket; `lookup` finds the earlier tickets
// whose stored keys it shares: a full mobile looks for the same number and for masked ones with its
// digits, a masked one for both kinds; two full mobiles never meet on their visible digits alone.
struct DuplicateKeys {
  std::vector<std::string> stored, lookup;
};
DuplicateKeys duplicate_keys(std::string_view phone, std::string_view plate, std::string_view title,
                             std::string_view content);

// The bigrams the text index stores for a text: those of two Chinese characters with full weight
// (no boilerplate, no grammar), as 32-bit keys (two code points of the basic plane), sorted.
std::vector<std::int32_t> text_index_grams(const TextShingles& text);

// Up to `count` longest phrases (at least 4 characters) two texts share, longest first: the
// evidence shown with a text suggestion.
std::vector<std::string> shared_phrases(std::string_view a, std::string_view b,
                                        std::size_t count = 3);

// Among candidates found by their wording only (no link required): the best whose score reaches
// policy.text_threshold, always a suggestion; its reason names the shared phrases.
std::optional<DuplicateVerdict> find_text_duplicate(
    const core::Appeal& incoming, const std::vector<DuplicateCandidate>& candidates,
    const DuplicatePolicy& policy);

// The best candidate whose score reaches policy.suggest_threshold, or nothing. A candidate is
// considered only when it shares a phone (exact or masked) or a plate (the plate field or a plate
// written in the text) with the incoming appeal and was received within the window. A merge needs
// strong evidence besides the score: the same full phone, or the same plate within
// policy.strong_plate_gap; otherwise the verdict is a suggestion.
std::optional<DuplicateVerdict> find_duplicate(const core::Appeal& incoming,
                                               const std::vector<DuplicateCandidate>& candidates,
                                               const DuplicatePolicy& policy);

}  // namespace appealhub::router
