#pragma once
// Writes realistic appeals from citizens of Guangyuan (广元) to the transport bureau: the seven
// districts and counties, their towns, bus lines, 川H plates, coach stations, G108/G212, 剑门关.
// Deterministic for a seed.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace appealhub::sim {

struct Division {
  std::string code;  // 6-digit administrative code (docs/domain.md, "Guangyuan")
  std::string name;
};

struct WrittenAppeal {
  std::string kind;  // 咨询 投诉 建议 举报 求助 其他
  Division division;
  std::string subject;
  std::string content;
};

class AppealWriter {
 public:
  explicit AppealWriter(std::uint64_t seed) : random_(seed) {}

  static const std::vector<std::string>& kinds();
  static const std::vector<Division>& divisions();

  WrittenAppeal appeal();                         // any kind
  WrittenAppeal appeal(const std::string& kind);  // one of kinds()
  std::string person_name();                      // 李先生, 王女士, 张某, 刘建华
  std::string phone();                            // 11 digits, 13x/15x/18x
  std::string nickname();                         // the petition site's screen names
  std::string plate();                            // 川H…
  std::string follow_up_text(const WrittenAppeal& appeal);
  std::string rating_comment(bool satisfied);
  std::string hex(std::size_t length);

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(random_); }
  bool chance(double fraction) { return fraction > 0 && uniform() < fraction; }
  int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  std::string fill(const std::string& pattern, const Division& division);
  std::mt19937_64 random_;
};

}  // namespace appealhub::sim
