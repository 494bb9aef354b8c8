#pragma once
// Prometheus text exposition (format 0.0.4) for /metrics. Every part of a process adds its figures
// to one MetricsText; each family is written once (HELP, TYPE, then all its samples), whoever added
// to it, and label values are escaped. A scrape with a family twice is rejected whole by
// Prometheus, so a second declaration of a family is ignored and a second sample with the same
// labels is dropped: the first source to report a series owns it.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appealhub::core {

class MetricsText {
 public:
  enum class Type { counter, gauge, histogram };
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Declares a family; `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* (std::invalid_argument if not).
  void declare(const std::string& name, Type type, const std::string& help);
  // One sample of a declared family (std::logic_error if undeclared). `suffix` is "_bucket",
  // "_sum" or "_count" for a histogram's series, empty otherwise.
  void add(const std::string& name, const Labels& labels, double value,
           std::string_view suffix = {});

  std::string text() const;

 private:
  struct Family {
    Type type;
    std::string help;
    std::vector<std::string> lines;
    std::set<std::string> series;  // name, suffix and labels of each line, to drop repeats
  };
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

// A label value with \, " and newline escaped as the exposition format requires.
std::string metric_label_value(std::string_view value);
// A sample value: integers without a fraction, others in the shortest exact form; NaN, +Inf, -Inf.
std::string metric_value(double value);

}  // namespace appealhub::core
