// Duplicate detection: the text similarity, the identifiers it cannot see, phones, the window,
// and precision and recall on the labelled set tests/router/data/duplicate_pairs.json.

#include "router/duplicates.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace appealhub::router {
namespace {

using namespace std::chrono_literals;
using Action = DuplicateVerdict::Action;

core::Timestamp at(const char* rfc3339) {
  auto t = core::parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(core::Timestamp{});
}

std::chrono::sys_seconds seconds_of(const core::Timestamp& t) {
  return std::chrono::time_point_cast<std::chrono::seconds>(t.utc);
}

core::Appeal appeal(std::string phone, std::string plate, std::string title, std::string content,
                    const char* received = "2026-05-08T09:00:00+08:00") {
  core::Appeal a;
  a.channel = "mailbox";
  a.external_id = "m-1";
  a.received_at = at(received);
  a.citizen.phone = std::move(phone);
  a.plate = std::move(plate);
  a.title = std::move(title);
  a.content = std::move(content);
  return a;
}

DuplicateCandidate candidate(std::int64_t id, std::string phone, std::string plate,
                             std::string title, std::string content,
                             const char* received = "2026-05-07T21:30:00+08:00") {
  DuplicateCandidate c;
  c.ticket_id = id;
  c.channel = "hotline12328";
  c.phone = std::move(phone);
  c.plate = std::move(plate);
  c.title = std::move(title);
  c.content = std::move(content);
  c.received = seconds_of(at(received));
  return c;
}

// ---- text similarity

TEST(TextSimilarity, IdenticalTextsAreOne) {
  const char* text = "市民来电反映：5月6日晚在广元火车站乘坐出租车，司机拒载。";
  EXPECT_DOUBLE_EQ(text_similarity(text, text), 1.0);
}

TEST(TextSimilarity, UnrelatedTextsAreNearZero) {
  EXPECT_LT(text_similarity("国道212线苍溪县白驿镇路段下雨后有山体落石，石块滚落在行车道上。",
                            "驾校收了培训费三千五百元，申请退学后拒绝退费。"),
            0.1);
}

TEST(TextSimilarity, PunctuationSpacesAndWidthDoNotMatter) {
  EXPECT_DOUBLE_EQ(text_similarity("6路公交车在南河桥头站不停靠，乘客被甩。",
                                   "６路 公交车在南河桥头站不停靠, 乘客被甩!"),
                   1.0);
  EXPECT_DOUBLE_EQ(text_similarity("川H·T2851出租车拒载", "川ht2851 出租车 拒载"), 1.0);
}

TEST(TextSimilarity, RephrasedComplaintScoresWellAboveAnUnrelatedOne) {
  const char* hotline =
      "来电人反映：5月19日上午乘坐6路公交车，因投币时零钱掉落，驾驶员出言辱骂，态度恶劣，"
      "要求公交公司调查处理并道歉。";
  const char* letter =
      "局长您好，5月19日上午我坐6路车，上车投币时硬币掉到地上，我弯腰去捡，司机就开始骂人，"
      "说我耽误他时间。希望公交公司让这个司机道歉。";
  const char* other = "来电人反映：6路公交车平时发车间隔二十多分钟，站台经常挤满人，建议增加车辆。";
  const double rephrased = text_similarity(hotline, letter);
  EXPECT_GT(rephrased, 0.3);
  EXPECT_GT(rephrased, text_similarity(hotline, other) + 0.1);
}

TEST(TextSimilarity, ShingleSetsAreSortedAndUniqueWithIdentifiers) {
  const auto s = TextShingles::of("6路和16路公交车",
                                  "5月6日在K1路站看到川H·T2851，国道108线苍溪县段，6路又没停。");
  EXPECT_TRUE(std::is_sorted(s.grams.begin(), s.grams.end()));
  EXPECT_EQ(std::adjacent_find(s.grams.begin(), s.grams.end()), s.grams.end());
  EXPECT_EQ(s.grams.size(), s.weights.size());
  EXPECT_EQ(s.lines, (std::vector<std::string>{"108", "16", "6", "k1"}));
  EXPECT_EQ(s.plates, std::vector<std::string>{"川HT2851"});
  EXPECT_EQ(s.dates, std::vector<int>{506});
  EXPECT_NE(s.counties, 0U);
}

TEST(TextSimilarity, EmptyAndMalformedInputAreSafe) {
  EXPECT_DOUBLE_EQ(text_similarity("", ""), 1.0);
  EXPECT_DOUBLE_EQ(text_similarity("", "出租车拒载"), 0.0);
  EXPECT_GE(text_similarity("\xff\xfe\xe4\xb8", "出租车"), 0.0);
}

// ---- phones

TEST(Phones, ExactMaskedAndLandline) {
  EXPECT_EQ(match_phones("13981231234", "139 8123 1234"), PhoneMatch::exact);
  EXPECT_EQ(match_phones("+86 139-8123-1234", "13981231234"), PhoneMatch::exact);
  EXPECT_EQ(match_phones("0839-3261234", "3261234"), PhoneMatch::exact);
  EXPECT_EQ(match_phones("139****1234", "13981231234"), PhoneMatch::masked);
  EXPECT_EQ(match_phones("139****1234", "139****1234"), PhoneMatch::masked);
  EXPECT_EQ(match_phones("139****1234", "13881231234"), PhoneMatch::none);
  EXPECT_EQ(match_phones("139****1234", "13981231235"), PhoneMatch::none);
  EXPECT_EQ(match_phones("13981231234", "13981231235"), PhoneMatch::none);
  EXPECT_EQ(match_phones("", "13981231234"), PhoneMatch::none);
  EXPECT_EQ(match_phones("***********", "13981231234"), PhoneMatch::none);
}

// ---- find_duplicate

const char* const kRefusal =
    "市民来电反映：5月6日晚上10点在广元火车站出站口排队乘坐出租车，车牌川H·T2851的司机得知其要去"
    "东坝后，以路程太近为由拒绝载客，要求查处。";
const char* const kRefusalLetter =
    "您好！我5月6日晚上坐火车回到广元，在火车站上了川HT2851，刚说完去东坝，司机就说不顺路让我"
    "下车。火车站出租车挑客拒载不是一天两天了，希望交通局严查。";

TEST(FindDuplicate, SamePhoneRephrasedIsMergedWithAReason) {
  const auto v = find_duplicate(
      appeal("13981231234", "", "火车站的哥拒载，请管一管", kRefusalLetter),
      {candidate(7, "13981231234", "川HT2851", "出租车拒载", kRefusal)}, DuplicatePolicy{});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->ticket_id, 7);
  EXPECT_EQ(v->action, Action::merge);
  EXPECT_TRUE(v->reason.starts_with("same phone, same plate, text similarity 0.")) << v->reason;
}

TEST(FindDuplicate, NumbersMatter) {
  const char* a = "5月7日早上在南河桥头等6路公交车，车辆到站未停靠直接驶过，导致上班迟到。";
  const char* b = "5月7日早上在南河桥头等16路公交车，车辆到站未停靠直接驶过，导致上班迟到。";
  EXPECT_GT(text_similarity(a, b), 0.85);  // the wording alone cannot tell them apart
  EXPECT_FALSE(find_duplicate(appeal("13981231234", "", "16路甩站", b),
                              {candidate(1, "13981231234", "", "6路甩站", a)}, DuplicatePolicy{}));
  EXPECT_TRUE(find_duplicate(appeal("13981231234", "", "6路甩站", a),
                             {candidate(1, "13981231234", "", "6路甩站", a)}, DuplicatePolicy{}));
  // Another taxi, the same words.
  std::string other_taxi = kRefusal;
  other_taxi.replace(other_taxi.find("T2851"), 5, "T3307");
  const auto v = find_duplicate(appeal("13981231234", "川HT3307", "出租车拒载", other_taxi),
                                {candidate(1, "13981231234", "川HT2851", "出租车拒载", kRefusal)},
                                DuplicatePolicy{});
  EXPECT_FALSE(v.has_value()) << v->reason;
}

TEST(FindDuplicate, FormLetterAboutAnotherPlaceIsNotADuplicate) {
  const char* qiaozhuang =
      "尊敬的领导：近日强降雨造成青川县乔庄镇至凉水镇公路多处水毁，路基垮塌，请尽快抢修。";
  const char* muyu =
      "尊敬的领导：近日强降雨造成青川县木鱼镇至姚渡镇公路多处水毁，路基垮塌，请尽快抢修。";
  EXPECT_GT(text_similarity(qiaozhuang, muyu), 0.8);
  EXPECT_FALSE(find_duplicate(appeal("13608120677", "", "公路水毁", muyu),
                              {candidate(1, "13608120677", "", "公路水毁", qiaozhuang)},
                              DuplicatePolicy{}));
  const auto same =
      find_duplicate(appeal("13608120677", "", "公路水毁急需抢修", qiaozhuang),
                     {candidate(1, "13608120677", "", "公路水毁", qiaozhuang)}, DuplicatePolicy{});
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->action, Action::merge);
}

TEST(FindDuplicate, SharedDatesAndNumbersRaiseTheScoreAndAreNamed) {
  const char* hotline =
      "来电人反映：在剑阁汽车站退票，票价52元，车站收取退票费13元，认为收费过高。";
  const char* letter_with =
      "我5月8日在剑阁汽车站买了一张52元的车票，临时有事去退票，结果扣了我13块钱。";
  const char* letter_without = "我在剑阁汽车站买了一张车票，临时有事去退票，结果扣了我不少钱。";
  const auto with = find_duplicate(appeal("13981231234", "", "退票扣钱太多", letter_with),
                                   {candidate(1, "13981231234", "", "退票手续费过高", hotline)},
                                   DuplicatePolicy{});
  const auto without = find_duplicate(appeal("13981231234", "", "退票扣钱太多", letter_without),
                                      {candidate(1, "13981231234", "", "退票手续费过高", hotline)},
                                      DuplicatePolicy{});
  ASSERT_TRUE(with.has_value());
  EXPECT_NE(with->reason.find("same numbers"), std::string::npos) << with->reason;
  if (without) {
    EXPECT_LT(without->score, with->score);
  }
}

TEST(FindDuplicate, MaskedPhoneIsAWeakerLink) {
  // No plate in either text: the phone is the only link.
  const char* hotline =
      "市民来电反映：5月6日晚上10点在广元火车站出站口排队乘坐出租车，司机得知其要去东坝后，以路程"
      "太近为由拒绝载客，要求查处。";
  const char* letter =
      "您好！我5月6日晚上坐火车回到广元，在火车站上了一辆出租车，刚说完去东坝，司机就说不顺路让我"
      "下车。火车站出租车挑客拒载不是一天两天了，希望交通局严查。";
  const std::vector<DuplicateCandidate> open = {
      candidate(1, "13981231234", "", "出租车拒载", hotline)};
  const auto full =
      find_duplicate(appeal("13981231234", "", "火车站拒载", letter), open, DuplicatePolicy{});
  const auto masked =
      find_duplicate(appeal("139****1234", "", "火车站拒载", letter), open, DuplicatePolicy{});
  ASSERT_TRUE(full && masked);
  EXPECT_LT(masked->score, full->score);
  EXPECT_TRUE(masked->reason.starts_with("masked phone matches")) << masked->reason;
  // A masked phone whose visible digits disagree links nothing.
  EXPECT_FALSE(
      find_duplicate(appeal("139****1235", "", "火车站拒载", letter), open, DuplicatePolicy{}));
}

TEST(FindDuplicate, PlateWrittenInTheTextLinksWithoutAPhone) {
  const auto v = find_duplicate(appeal("", "", "火车站拒载", kRefusalLetter),
                                {candidate(3, "18990001111", "川HT2851", "出租车拒载", kRefusal)},
                                DuplicatePolicy{});
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->reason.starts_with("same plate")) << v->reason;
}

TEST(FindDuplicate, NoSharedPhoneOrPlateIsNeverADuplicate) {
  EXPECT_FALSE(find_duplicate(
      appeal("13700000000", "", "出租车拒载", kRefusal),
      {candidate(1, "13981231234", "", "出租车拒载", "5月6日晚在火车站被出租车拒载")},
      DuplicatePolicy{}));
}

TEST(FindDuplicate, WindowExcludesOldCandidates) {
  const auto incoming =
      appeal("13981231234", "", "火车站拒载", kRefusalLetter, "2026-06-20T09:00:00+08:00");
  EXPECT_FALSE(find_duplicate(
      incoming,
      {candidate(1, "13981231234", "", "出租车拒载", kRefusal, "2026-05-07T21:30:00+08:00")},
      DuplicatePolicy{}));
  DuplicatePolicy wide;
  wide.window = 24h * 60;
  EXPECT_TRUE(find_duplicate(
      incoming,
      {candidate(1, "13981231234", "", "出租车拒载", kRefusal, "2026-05-07T21:30:00+08:00")},
      wide));
}

TEST(FindDuplicate, BestOfSeveralCandidatesIsChosen) {
  const std::vector<DuplicateCandidate> candidates = {
      candidate(1, "13981231234", "", "6路发车间隔太长",
                "来电人反映：6路公交车平时发车间隔二十多分钟，建议增加车辆。"),
      candidate(2, "13981231234", "川HT2851", "出租车拒载", kRefusal),
      candidate(3, "13981231234", "", "公路坑洼",
                "来电人反映：国道108线朝天区中子铺路段路面出现多个大坑。"),
  };
  const auto v = find_duplicate(appeal("13981231234", "", "火车站拒载", kRefusalLetter), candidates,
                                DuplicatePolicy{});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->ticket_id, 2);
}

TEST(FindDuplicate, LowerScoresAreSuggestedNotMerged) {
  DuplicatePolicy policy;
  policy.merge_threshold = 0.99;
  const auto v = find_duplicate(appeal("13981231234", "", "火车站拒载", kRefusalLetter),
                                {candidate(1, "13981231234", "", "出租车拒载", kRefusal)}, policy);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->action, Action::suggest);
}

TEST(FindDuplicate, DifferentDivisionOrCategoryWeighsAgainst) {
  auto incoming = appeal("13981231234", "", "出租车拒载", kRefusal);
  auto same = candidate(1, "13981231234", "", "出租车拒载", kRefusal);
  const auto base = find_duplicate(incoming, {same}, DuplicatePolicy{});
  incoming.division = "510802";
  same.division = "510824";
  const auto other_division = find_duplicate(incoming, {same}, DuplicatePolicy{});
  ASSERT_TRUE(base && other_division);
  EXPECT_LT(other_division->score, base->score);
  EXPECT_NE(other_division->reason.find("district differs"), std::string::npos);
  same.division = "";
  incoming.category = "taxi";
  same.category = "bus";
  const auto other_category = find_duplicate(incoming, {same}, DuplicatePolicy{});
  ASSERT_TRUE(other_category.has_value());
  EXPECT_NE(other_category->reason.find("category differs"), std::string::npos);
}

// ---- the labelled set

struct Pair {
  DuplicateCandidate a;
  core::Appeal b;
  bool duplicate = false;
  std::string type;
  std::string note;
};

std::vector<Pair> load_pairs() {
  const std::string path =
      std::string(APPEALHUB_SOURCE_DIR) + "/tests/router/data/duplicate_pairs.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  const auto doc = nlohmann::json::parse(in);
  std::vector<Pair> out;
  std::int64_t id = 1;
  for (const auto& p : doc.at("pairs")) {
    Pair pair;
    const auto& a = p.at("a");
    pair.a.ticket_id = id++;
    pair.a.channel = a.at("channel");
    pair.a.phone = a.at("phone");
    pair.a.plate = a.at("plate");
    pair.a.title = a.at("title");
    pair.a.content = a.at("content");
    pair.a.received = seconds_of(at(a.at("received_at").get<std::string>().c_str()));
    const auto& b = p.at("b");
    pair.b.channel = b.at("channel");
    pair.b.external_id = "pair-" + std::to_string(id);
    pair.b.citizen.phone = b.at("phone");
    pair.b.plate = b.at("plate");
    pair.b.title = b.at("title");
    pair.b.content = b.at("content");
    pair.b.received_at = at(b.at("received_at").get<std::string>().c_str());
    pair.duplicate = p.at("duplicate");
    pair.type = p.at("type");
    pair.note = p.at("note");
    out.push_back(std::move(pair));
  }
  return out;
}

struct Counts {
  int pairs = 0, duplicates = 0, flagged = 0, flagged_right = 0, merged = 0, merged_right = 0;
  double precision() const { return flagged == 0 ? 1.0 : double(flagged_right) / flagged; }
  double recall() const { return duplicates == 0 ? 1.0 : double(flagged_right) / duplicates; }
  double merge_precision() const { return merged == 0 ? 1.0 : double(merged_right) / merged; }
  double merge_recall() const { return duplicates == 0 ? 1.0 : double(merged_right) / duplicates; }
};

enum class Half { tuning, held_out, whole };

bool in_half(std::size_t index, Half half) {
  return half == Half::whole || (index % 2 == 0) == (half == Half::tuning);
}

Counts evaluate(const std::vector<Pair>& pairs, Half half, const DuplicatePolicy& policy,
                bool print_errors = false) {
  Counts c;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (!in_half(i, half)) continue;
    const auto& p = pairs[i];
    const auto v = find_duplicate(p.b, {p.a}, policy);
    ++c.pairs;
    c.duplicates += p.duplicate;
    if (v) {
      ++c.flagged;
      c.flagged_right += p.duplicate;
      if (v->action == Action::merge) {
        ++c.merged;
        c.merged_right += p.duplicate;
      }
    }
    if (print_errors && v.has_value() != p.duplicate)
      std::printf("  %s pair %zu [%s] %s: %s\n", p.duplicate ? "missed" : "false  ", i,
                  p.type.c_str(), p.note.c_str(),
                  v ? (v->reason + " → " + std::to_string(v->score)).c_str() : "-");
  }
  return c;
}

void print(const char* name, const Counts& c) {
  std::printf(
      "%-9s %3d pairs, %3d duplicates: flagged %3d, precision %.3f, recall %.3f; merged %3d, "
      "merge precision %.3f, merge recall %.3f\n",
      name, c.pairs, c.duplicates, c.flagged, c.precision(), c.recall(), c.merged,
      c.merge_precision(), c.merge_recall());
}

TEST(LabelledSet, HasEnoughRealisticPairs) {
  const auto pairs = load_pairs();
  ASSERT_GE(pairs.size(), 300U);
  int duplicates = 0;
  for (const auto& p : pairs) {
    duplicates += p.duplicate;
    EXPECT_LE(p.a.received, seconds_of(p.b.received_at)) << p.note;
  }
  EXPECT_GE(duplicates, static_cast<int>(pairs.size() * 35 / 100));
  EXPECT_LE(duplicates, static_cast<int>(pairs.size() * 50 / 100));
}

TEST(LabelledSet, PrecisionAndRecallOnTheWholeSetAndTheHeldOutHalf) {
  const auto pairs = load_pairs();
  const DuplicatePolicy policy;
  std::printf("policy: merge at %.2f, suggest at %.2f, window %lld h\n", policy.merge_threshold,
              policy.suggest_threshold, static_cast<long long>(policy.window.count()));
  // Lists the misclassified pairs. Read once, before any thread exists.
  const bool verbose =
      std::getenv("APPEALHUB_DUP_VERBOSE") != nullptr;  // NOLINT(concurrency-mt-unsafe)
  const auto tuning = evaluate(pairs, Half::tuning, policy, verbose);
  const auto held_out = evaluate(pairs, Half::held_out, policy, verbose);
  const auto whole = evaluate(pairs, Half::whole, policy);
  print("tuning", tuning);
  print("held-out", held_out);
  print("whole", whole);
  EXPECT_GE(whole.precision(), 0.9);
  EXPECT_GE(whole.recall(), 0.9);
  EXPECT_GE(held_out.precision(), 0.9);
  EXPECT_GE(held_out.recall(), 0.9);
}

// How the default thresholds were chosen: the sweep over the tuning half (even indices; the
// held-out half is not looked at) is printed, and the defaults must hold up on that half.
TEST(LabelledSet, ThresholdSweepOnTheTuningHalfSupportsTheDefaults) {
  const auto pairs = load_pairs();
  for (int step = 10; step <= 90; step += 5) {
    const double t = step / 100.0;
    DuplicatePolicy policy;
    policy.suggest_threshold = t;
    policy.merge_threshold = t;
    const auto c = evaluate(pairs, Half::tuning, policy);
    std::printf("threshold %.2f: flagged %3d, precision %.3f, recall %.3f\n", t, c.flagged,
                c.precision(), c.recall());
  }
  const auto defaults = evaluate(pairs, Half::tuning, DuplicatePolicy{});
  EXPECT_GE(defaults.precision(), 0.9);
  EXPECT_GE(defaults.recall(), 0.9);
}

}  // namespace
}  // namespace appealhub::router
